/**
 * The platform as people meet it (issue 10): the live list never moves what is under the pointer
 * or the keyboard and can be paused; each role lands on a page made for it and is offered only
 * the pages it may open; refusals are French pages, never technical errors, and are not retried;
 * the operator reads their dossier's history in their words; the list reads well on a laptop and
 * on a phone; counts and durations are written as people write them.
 */
import type { APIRequestContext, Page } from "@playwright/test";
import {
  ACCOUNTS,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  horizontalOverflow,
  open,
  signIn,
  test,
} from "./helpers";
import { LIVE_PORT } from "../playwright.config";

const LIVE = `http://127.0.0.1:${LIVE_PORT}`;
const PARTNER_KEY = "cle-e2e-partenaire";

/** A DSCE reference of this run. */
function ched(): string {
  return `CHEDP.FR.2026.${String(Math.floor(Math.random() * 9_000_000) + 1_000_000)}`;
}

async function sendEvent(request: APIRequestContext, id: string, type: string, reference: string, data: object) {
  const response = await request.post(`${LIVE}/api/v1/events`, {
    headers: { Authorization: `Bearer ${PARTNER_KEY}` },
    data: {
      id,
      source: type === "ched_lodged" ? "traces" : "port_community",
      type,
      occurred_at: new Date().toISOString(),
      site: "FRLEH",
      references: { ched: reference },
      goods: { category: "fruit_vegetables", description: "Mangues" },
      data,
    },
  });
  expect(response.status(), await response.text()).toBe(201);
}

/** The row of the list that shows this reference. */
function row(page: Page, reference: string) {
  return page.getByRole("table", { name: "Liste des dossiers" }).getByRole("row").filter({ hasText: reference });
}

test.describe("la liste en direct", () => {
  test.use({ baseURL: LIVE, account: ACCOUNTS.agentSivep });

  test("ne déplace ni ne remplace ce que la personne désigne, et se met en pause", async ({ page }) => {
    test.skip(!hasJavaScript(), "sans JavaScript, la liste ne change pas d'elle-même");
    const [first, second] = [ched(), ched()];
    await sendEvent(page.request, `e2e-${first}-1`, "ched_lodged", first, { ched_type: "PP" });
    await sendEvent(page.request, `e2e-${second}-1`, "ched_lodged", second, { ched_type: "PP" });
    await open(page, "/dossiers");
    await expect(page.locator("#etat-direct")).toHaveText("Mises à jour en direct");
    await expect(row(page, first)).toHaveCount(1);
    await expect(row(page, second)).toHaveCount(1);
    const order = async () =>
      page.getByRole("table", { name: "Liste des dossiers" }).locator("tbody th a").allTextContents();
    const before = await order();

    // The person is on the first dossier's link, with the keyboard.
    const focused = row(page, first).getByRole("link");
    const href = await focused.getAttribute("href");
    await focused.focus();

    // The other dossier moves on, and a new one arrives.
    await sendEvent(page.request, `e2e-${second}-2`, "arrived", second, { transport_mode: "sea", means: "CMA CGM Tage" });
    await expect(row(page, second)).toContainText("Mis à jour", { timeout: 10_000 });
    const third = ched();
    await sendEvent(page.request, `e2e-${third}-1`, "ched_lodged", third, { ched_type: "PP" });
    // (Other tests may add dossiers to this instance at the same time.)
    const show = page.getByRole("button", { name: /^\d+ nouveaux? dossiers? — afficher$/ });
    await expect(show).toBeVisible({ timeout: 10_000 });
    await expect(page.locator("#annonce-direct")).toContainText(/\d+ nouveaux? dossiers? : affichez-les?/);

    // Nothing moved, nothing was replaced under the keyboard.
    expect(await order()).toEqual(before);
    await expect(focused).toBeFocused();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("href"))).toBe(href);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(href!);

    // Back on the list: live updates can be paused, and nothing changes until they resume.
    await open(page, "/dossiers");
    await expect(page.locator("#etat-direct")).toHaveText("Mises à jour en direct");
    const pause = page.getByRole("button", { name: "Suspendre les mises à jour en direct" });
    await pause.click();
    await expect(page.getByRole("button", { name: "Reprendre les mises à jour en direct" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    await expect(page.locator("#etat-direct")).toContainText("suspendues");
    await sendEvent(page.request, `e2e-${first}-2`, "arrived", first, { transport_mode: "sea", means: "MSC Anna" });
    await expect(page.locator("#etat-direct")).toContainText("des changements attendent", { timeout: 10_000 });
    await expect(row(page, first)).not.toContainText("Mis à jour");
    await page.getByRole("button", { name: "Reprendre les mises à jour en direct" }).click();
    await expect(row(page, first)).toContainText("Mis à jour", { timeout: 10_000 });
  });
});

test.describe("chaque rôle a sa page d'accueil et seulement les liens qu'il peut suivre", () => {
  // The live instance: the main instance's DGITM and administrator accounts are kept for the
  // first-sign-in tests.
  test.use({ baseURL: LIVE });

  for (const { who, account, offered, refused } of [
    { who: "la DGITM", account: ACCOUNTS.dgitm, offered: [] as string[], refused: ["/dossiers", "/planning", "/controle-arrivee"] },
    { who: "un superviseur", account: ACCOUNTS.superviseur, offered: ["Dossiers", "Alertes"], refused: ["/planning", "/controle-arrivee", "/habilitations"] },
    { who: "un administrateur", account: ACCOUNTS.admin, offered: ["Clés partenaires", "Sites et postes"], refused: ["/dossiers", "/planning", "/rendez-vous"] },
  ]) {
    test(`${who} arrive sur sa page, qui dit ce qu'il peut faire`, async ({ page, consoleGuard, baseURL }) => {
      // A sign-in, the refused pages one by one and the accessibility sweep: 26 s at worst here.
      test.slow();
      await page.setViewportSize(PHONE);
      await signIn(page, account);
      await expect(page).toHaveURL(/\/accueil/);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Mon accueil");
      await expect(page.locator("#ce-que-vous-faites")).not.toBeEmpty();
      const services = page.locator("#vos-services");
      for (const label of offered) {
        await expect(services.getByRole("link", { name: label, exact: true })).toBeVisible();
      }
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await expectNoSeriousAccessibilityViolation(page, `l'accueil de ${who}`, consoleGuard);

      // No link anywhere (navigation, home page, footer) to a page that would refuse them.
      for (const path of ["/accueil", "/"]) {
        await open(page, path);
        for (const refusedPath of refused) {
          await expect(page.locator(`a[href="${refusedPath}"]`)).toHaveCount(0);
        }
      }

      // Typed by hand: a French page that says so, no technical error, and nothing retried.
      let calls = 0;
      page.on("request", (request) => {
        if (new URL(request.url()).pathname.startsWith("/api/")) calls += 1;
      });
      for (const path of refused) {
        consoleGuard.expectErrorStatusOf(`${baseURL}${path}`, 403);
        const response = await open(page, path);
        expect(response.status()).toBe(403);
        await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cette page n'est pas accessible avec votre compte");
        await expect(page.getByRole("link", { name: "Mon accueil" }).last()).toBeVisible();
        await expect(page.locator("body")).not.toContainText(/error|server function|ServerFnError/i);
      }
      await page.waitForTimeout(2_000);
      expect(calls, "des appels au serveur depuis une page refusée").toBe(0);
      await expectNoSeriousAccessibilityViolation(page, `une page refusée à ${who}`, consoleGuard);
    });
  }
});

test.describe("un opérateur", () => {
  test.use({ account: ACCOUNTS.operateur });

  test("lit l'historique de son dossier dans ses mots, sans colonne Opérateur dans sa liste", async ({ page, consoleGuard }) => {
    await open(page, "/dossiers");
    const table = page.getByRole("table", { name: "Liste des dossiers" });
    await expect(table.getByRole("columnheader", { name: "Opérateur" })).toHaveCount(0);
    await expect(table.getByRole("columnheader", { name: "Statut" })).toBeVisible();
    const link = table.locator("tbody th a").first();
    const reference = (await link.textContent())!.trim();
    await link.click();
    await expect(page).toHaveURL(/\/dossiers\/\d+$/);

    // The breadcrumb names the dossier.
    await expect(page.getByRole("navigation", { name: "vous êtes ici :" }).locator('[aria-current="page"]')).toHaveText(
      reference,
    );
    const history = page.getByRole("region", { name: "Historique du dossier" });
    await expect(history.getByRole("columnheader", { name: "Étape concernée" })).toBeVisible();
    expect(await history.getByRole("row").count()).toBeGreaterThan(1);
    await expect(page.getByRole("region", { name: "Historique des événements" })).toHaveCount(0);
    await expectNoSeriousAccessibilityViolation(page, "le dossier d'un opérateur", consoleGuard);
  });
});

test.describe("la liste se lit sur un ordinateur portable et sur un téléphone", () => {
  test.use({ account: ACCOUNTS.agentSivep });

  test("à 1366 pixels, toutes les colonnes et les statuts se lisent en entier", async ({ page }) => {
    await page.setViewportSize({ width: 1366, height: 800 });
    await open(page, "/dossiers");
    const table = page.getByRole("table", { name: "Liste des dossiers" });
    for (const name of ["Dossier", "Marchandises", "Site", "Opérateur", "Étape en cours", "Statut", "Mis à jour"]) {
      const header = table.getByRole("columnheader", { name, exact: true });
      const box = (await header.boundingBox())!;
      expect(box.x + box.width, `la colonne ${name} déborde`).toBeLessThanOrEqual(1366);
    }
    const badges = table.locator("tbody .fr-badge");
    for (const badge of await badges.all()) {
      const cut = await badge.evaluate((element) => element.scrollWidth > element.clientWidth);
      expect(cut, `statut tronqué : ${await badge.textContent()}`).toBe(false);
    }
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  });

  test("sur un téléphone, un dossier par carte et les filtres repliés", async ({ page, consoleGuard }) => {
    await page.setViewportSize(PHONE);
    await open(page, "/dossiers?statut=bloque");
    // The filters are folded behind one control; the one in force shows.
    const fold = page.locator("details#filtres");
    await expect(fold).not.toHaveAttribute("open", /.*/);
    await expect(page.locator("summary")).toHaveText(/Filtres et tri \(1 filtre actif\)/);
    await expect(page.getByRole("navigation", { name: "Filtres actifs" }).getByRole("link")).toHaveText(/Statut : Bloqué/);
    // The first screen shows dossiers, not nine filters.
    const firstDossier = page.getByRole("table", { name: "Liste des dossiers" }).locator("tbody tr").first();
    expect((await firstDossier.boundingBox())!.y).toBeLessThan(PHONE.height * 1.5);
    // A card per dossier: nothing scrolls sideways.
    const box = (await firstDossier.boundingBox())!;
    expect(box.width).toBeLessThanOrEqual(PHONE.width);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    // Each line of the card says what it is.
    const named = await firstDossier.locator("td").evaluateAll((cells) =>
      cells.map((cell) => getComputedStyle(cell, "::before").content),
    );
    expect(named).toContain('"Statut : "');
    // Checked as the page opens: without JavaScript the check reads the page as the server sent
    // it, with the fold closed.
    await expectNoSeriousAccessibilityViolation(page, "la liste sur téléphone", consoleGuard);
    // The fold opens by itself and by keyboard.
    await page.locator("summary").focus();
    await page.keyboard.press("Enter");
    await expect(fold).toHaveAttribute("open", "");
    await expect(page.getByLabel("Statut", { exact: true })).toBeVisible();
  });
});

test.describe("des mots comme on les écrit", () => {
  test.use({ account: ACCOUNTS.superviseur });

  test("l'accueil dit ce qui existe aujourd'hui", async ({ page }) => {
    await open(page, "/");
    for (const service of ["Suivi en temps réel", "Rendez-vous", "Espace personnel"]) {
      const card = page.locator(".fr-card").filter({ has: page.getByRole("heading", { name: service }) });
      await expect(card).toContainText("Disponible");
      await expect(card).not.toContainText("Bientôt disponible");
    }
  });

  test("le guide et les informations pratiques disent ce qui existe aujourd'hui", async ({ page }) => {
    await open(page, "/informations-pratiques");
    await expect(page.locator("main")).not.toContainText("sera prochainement disponible sur France Sésame");
    await expect(page.locator("main")).toContainText("prenez rendez-vous en ligne sur France Sésame");
    await open(page, "/guide");
    const main = page.locator("main");
    await expect(main).not.toContainText("Prochainement, vous pourrez retrouver un dossier");
    await expect(main.getByRole("heading", { name: "Prendre rendez-vous pour un contrôle" })).toBeVisible();
    // Every service of the terms of use is open: nothing is announced as to come.
    await expect(main.getByRole("heading", { name: "Prochainement" })).toHaveCount(0);
    await expect(main.getByRole("heading", { name: "Tableaux de bord et statistiques" })).toBeVisible();
  });

  test("pas de « (s) », pas d'étape de zéro minute, pas de suites sans non-conformité", async ({ page }) => {
    for (const status of ["en_cours", "termine"]) {
      await open(page, `/dossiers?statut=${status}`);
      const paths = await page.locator("tbody th a").evaluateAll((links) =>
        links.slice(0, 5).map((link) => link.getAttribute("href")!),
      );
      for (const path of paths) {
        await open(page, path);
        const text = await page.locator("main").innerText();
        expect(text, path).not.toMatch(/\(s\)/);
        expect(text, path).not.toMatch(/\(0 min\)/);
        expect(text, path).not.toContain("Suites de la non-conformité");
        expect(text, path).not.toContain("pas assez de données (");
      }
    }
  });
});
