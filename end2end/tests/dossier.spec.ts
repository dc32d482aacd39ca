/**
 * The page of one dossier, and the pages for addresses that lead nowhere; on the live instance, the
 * representative a partner event declared, as the importer reads it on a phone.
 */
import type { APIRequestContext } from "@playwright/test";
import {
  DOSSIER_STATUSES,
  PHONE,
  STEP_STATES,
  dossierTable,
  firstDossierPath,
  expect,
  expectNoSeriousAccessibilityViolation,
  horizontalOverflow,
  open,
  test,
} from "./helpers";
import { ACCOUNTS } from "./helpers";
import { BASE_URL as LIVE, anotherPerson, siretOf } from "./instance-directe";

// The supervisor follows every dossier of the demo.
test.use({ account: ACCOUNTS.superviseur });

test("un dossier ouvert depuis la liste montre ses références, son parcours et son historique", async ({ page }) => {
  await open(page, "/dossiers");
  const firstRow = dossierTable(page).locator("tbody tr").first();
  const link = firstRow.getByRole("rowheader").getByRole("link");
  const reference = ((await link.textContent()) ?? "").trim();
  const href = await link.getAttribute("href");
  const listedStatus = ((await firstRow.locator(".fr-badge").textContent()) ?? "").trim();
  expect(href).toMatch(/^\/dossiers\/\d+$/);

  await link.click();

  await expect(page).toHaveURL(href!);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Dossier ${reference}`);
  await expect(page).toHaveTitle(`Dossier ${reference} — France Sésame`);

  // The same status as in the list, next to the title.
  const status = page.locator(".sesame-dossier-head .fr-badge");
  await expect(status).toHaveText(listedStatus);
  expect(DOSSIER_STATUSES).toContain(listedStatus);

  // The breadcrumb leads back to the list.
  const breadcrumb = page.getByRole("navigation", { name: "vous êtes ici :" });
  await expect(breadcrumb.getByRole("link", { name: "Dossiers" })).toHaveAttribute("href", "/dossiers");

  for (const name of ["Références", "Envoi", "Parcours", "Historique des événements"]) {
    await expect(page.getByRole("heading", { level: 2, name, exact: true })).toBeVisible();
  }
  await expect(page.getByRole("region", { name: "Références" })).toContainText(reference);

  // The journey: the DSCE first, then the documentary check among the steps, each with its state.
  const steps = page.getByRole("region", { name: "Parcours" }).locator("ol.sesame-timeline > li");
  const stepCount = await steps.count();
  expect(stepCount).toBeGreaterThanOrEqual(5);
  await expect(steps.first().getByRole("heading", { level: 3 })).toHaveText("Dépôt du DSCE (pré-notification)");
  await expect(steps.getByRole("heading", { level: 3, name: "Contrôle documentaire" })).toHaveCount(1);
  await expect(steps.locator(".fr-badge")).toHaveCount(stepCount);
  for (const state of await steps.locator(".fr-badge").allTextContents()) {
    expect(STEP_STATES).toContain(state.trim());
  }

  // The history of events received, as a table with at least one event.
  const history = page.getByRole("region", { name: "Historique des événements" }).getByRole("table");
  await expect(history).toBeVisible();
  await expect(history.getByRole("columnheader")).toHaveText(["Survenu le", "Événement", "Source"]);
  expect(await history.locator("tbody tr").count()).toBeGreaterThan(0);
  await expect(history.locator("tbody tr").first()).toContainText("DSCE déposé");

  // The same page at its own address, served complete by the server (bookmarks, shared links).
  const direct = await page.request.get(href!);
  expect(direct.status()).toBe(200);
  const html = await direct.text();
  // Leptos may put hydration markers (comments) around dynamic text.
  expect(html.replace(/<!--[^]*?-->|<!>/g, "")).toContain(`<h1>Dossier ${reference}</h1>`);
  expect(html).toContain("Dépôt du DSCE (pré-notification)");
});

test("un dossier inexistant donne « Dossier introuvable » avec le statut 404", async ({ page, consoleGuard, baseURL }) => {
  for (const path of ["/dossiers/999999", "/dossiers/pas-un-numero"]) {
    consoleGuard.expectErrorStatusOf(`${baseURL}${path}`, 404);
    const response = await open(page, path);
    expect(response.status(), path).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dossier introuvable");
    await expect(page).toHaveTitle("Dossier introuvable — France Sésame");
    await expect(page.getByRole("main").getByRole("link", { name: "Voir les dossiers" })).toHaveAttribute(
      "href",
      "/dossiers",
    );
  }
});

test("une adresse inconnue donne « Page non trouvée » avec le statut 404", async ({ page, consoleGuard, baseURL }) => {
  const path = "/cette-page-n-existe-pas";
  consoleGuard.expectErrorStatusOf(`${baseURL}${path}`, 404);
  const response = await open(page, path);
  expect(response.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page non trouvée");
  await expect(page).toHaveTitle("Page non trouvée — France Sésame");
  // The frame is still there, to find one's way back.
  await expect(page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Accueil", exact: true })).toBeAttached();
  await page.getByRole("main").getByRole("link", { name: "Page d'accueil" }).click();
  await expect(page).toHaveURL("/");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("France Sésame");
});

test("un dossier en cours montre les délais estimés de ses étapes ouvertes et de sa mainlevée", async ({ page }) => {
  await open(page, await firstDossierPath(page, "?statut=en_cours"));
  await expect(page.locator("#mainlevee-estimee")).toContainText("Mainlevée estimée");
  const openSteps = page.locator("li.sesame-timeline__step--en_cours, li.sesame-timeline__step--a_venir");
  // The step in course says what to expect (the release estimate above covers the rest).
  await expect(page.locator("li.sesame-timeline__step--en_cours").first()).toContainText(/Estimation :|Durée habituelle :/);
});

/** The partner key of the live instance (playwright.config.ts). */
const PARTNER_KEY = "cle-e2e-partenaire";

/** A container number of this run (its check digit computed as ISO 6346 says). */
function container(): string {
  const code = `REP${"U"}${String(Math.floor(Math.random() * 900_000) + 100_000)}`;
  const value = (c: string) => {
    if (/\d/.test(c)) return Number(c);
    const n = c.charCodeAt(0) - 55;
    return n + Math.floor((n - 1) / 10);
  };
  const sum = [...code].reduce((total, c, i) => total + value(c) * 2 ** i, 0);
  return `${code}${(sum % 11) % 10}`;
}

/**
 * A new dossier of the importer `siret`, whose DSCE, lodged through the partner interface (1.3),
 * names the representative `representative` acting for it.
 */
async function dossierWithRepresentative(
  request: APIRequestContext,
  reference: string,
  siret: string,
  representative: string,
): Promise<number> {
  const response = await request.post("/api/v1/events", {
    headers: { Authorization: `Bearer ${PARTNER_KEY}` },
    data: {
      id: `e2e-representant-${reference}`,
      source: "traces",
      type: "ched_lodged",
      occurred_at: new Date(Date.now() - 3_600_000).toISOString(),
      site: "FRLEH",
      post: "FRLEH1",
      references: { container: reference },
      goods: { category: "animal_products", description: "Filets de merlu congelés" },
      operator: { siret },
      representative: { siret: representative },
      data: { ched_type: "P" },
    },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { dossier_id: number }).dossier_id;
}

test.describe("le représentant déclaré", () => {
  // The live instance, which holds the partner key; Claire, of the importer, on a phone.
  test.use({ baseURL: LIVE, account: ACCOUNTS.operateur, viewport: PHONE });

  test("un dossier dont l'événement nomme un représentant le montre à l'importateur, sur téléphone et accessible", async ({
    page,
    browser,
    consoleGuard,
  }) => {
    // The demo's two companies, by the SIRET their personal spaces show.
    const importer = await siretOf(page);
    const karim = await anotherPerson(browser, ACCOUNTS.operateur2);
    const representative = await siretOf(karim);
    await karim.context().close();
    expect(representative).not.toBe(importer);

    const reference = container();
    const dossier = await dossierWithRepresentative(page.request, reference, importer, representative);

    await open(page, `/dossiers/${dossier}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Dossier ${reference}`);
    const shipment = page.getByRole("region", { name: "Envoi", exact: true });
    await expect(shipment.getByRole("term").filter({ hasText: "Représentant déclaré" })).toBeVisible();
    const declared = shipment.locator("dt", { hasText: "Représentant déclaré" }).locator("xpath=following-sibling::dd[1]");
    await expect(declared).toHaveText(`Transitaire Normand SARL (SIRET ${representative})`);
    await expect(declared).toBeVisible();
    // The importer stays the dossier's operator.
    await expect(shipment.locator("dt", { hasText: "Opérateur" }).locator("xpath=following-sibling::dd[1]")).toHaveText("Océane Import SAS");

    expect(await horizontalOverflow(page)).toBe(0);
    await expectNoSeriousAccessibilityViolation(page, "un dossier avec un représentant déclaré, sur téléphone", consoleGuard);
  });
});
