/**
 * « Fiche d'Identité Opérateur » in the browser, on the live instance: on a 360-px phone, the
 * agent of one port opens a dossier of the operator at Marseille-Fos, follows the company's name
 * to its card and reads only what happens at Marseille-Fos (its history as a chart and as a
 * table); finds the company again by its SIRET with the keyboard; the supervisor reads the same
 * card over every site; operators and the DGITM are refused. Axe clean on each page. Once the
 * importer gives a representative a mandate from « Mon espace », an agent of every site reads it,
 * on a phone, on both companies' cards: given on the importer's, received on the representative's.
 */
import type { Page } from "@playwright/test";
import {
  ACCOUNTS,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  horizontalOverflow,
  open,
  test,
  waitUntilInteractive,
} from "./helpers";
import { BASE_URL, anotherPerson, newDossier, siretOf } from "./instance-directe";

test.use({ baseURL: BASE_URL });

/** How many dossiers the card counts (« 12 dossiers dont 3 en cours ou bloqués. »). */
async function dossierCount(page: import("@playwright/test").Page): Promise<number> {
  const text = (await page.getByText(/dossiers? dont/).first().textContent()) ?? "";
  return Number(text.split(" dossier")[0].replace(/\D/g, ""));
}

test.describe("fiche d'identité opérateur", () => {
  test.use({ account: ACCOUNTS.agentFos, viewport: PHONE });

  test("l'agent d'un port ouvre la fiche d'un opérateur depuis un dossier et n'y lit que son site", async ({ page, browser, consoleGuard }) => {
    test.slow();
    const operator = await anotherPerson(browser, ACCOUNTS.operateur);
    const siret = await siretOf(operator);
    const dossier = await newDossier(page.request, siret, { site: "FRFOS", post: "FRFOS1" });

    await open(page, `/dossiers/${dossier}`);
    await page.getByRole("link", { name: "Océane Import SAS" }).click();
    await expect(page).toHaveURL(/\/operateurs\/\d+$/);
    await expect(page.getByRole("heading", { level: 1, name: "Océane Import SAS" })).toBeVisible();
    await expect(page.getByText("Activité sur vos sites seulement : Marseille-Fos.")).toBeVisible();
    await expect(page.getByText("Clé de contrôle vérifiée")).toBeVisible();

    // Every open dossier listed is at Marseille-Fos, the new one among them or counted.
    const open_ = page.getByRole("table", { name: /attendent/ });
    await expect(open_).toBeVisible();
    const sites = await open_.locator("tbody tr td:nth-child(2)").allTextContents();
    expect(sites.length).toBeGreaterThan(0);
    expect(new Set(sites)).toEqual(new Set(["Marseille-Fos"]));

    // The history, as a picture with its title and as a table of twelve months.
    await expect(page.getByRole("img", { name: "Dossiers ouverts par mois, sur douze mois" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Dossiers ouverts par mois" }).locator("tbody tr")).toHaveCount(12);

    expect(await horizontalOverflow(page)).toBe(0);
    await expectNoSeriousAccessibilityViolation(page, "la fiche d'un opérateur sur téléphone", consoleGuard);
    const card = page.url();

    // The supervisor reads the same company over every site.
    const supervisor = await anotherPerson(browser, ACCOUNTS.superviseur, { width: 1280, height: 800 });
    await open(supervisor, new URL(card).pathname);
    await expect(supervisor.getByText("Activité sur tous les sites.")).toBeVisible();
    expect(await dossierCount(supervisor)).toBeGreaterThan(await dossierCount(page));
  });

  test("l'agent retrouve un opérateur par son SIRET au clavier ; opérateurs et DGITM n'y ont pas accès", async ({ page, browser, consoleGuard }) => {
    const operator = await anotherPerson(browser, ACCOUNTS.operateur);
    const siret = await siretOf(operator);

    await open(page, "/operateurs");
    await expect(page.getByRole("heading", { level: 1, name: "Opérateurs" })).toBeVisible();
    const field = page.getByLabel(/^Nom, SIRET ou EORI/);
    await field.focus();
    await expect(field).toBeFocused();
    await page.keyboard.type(`${siret.slice(0, 9)} ${siret.slice(9)}`);
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { name: /1 opérateur trouvé/ })).toBeVisible();
    await expect(page.getByRole("link", { name: "Océane Import SAS" })).toBeVisible();
    expect(await horizontalOverflow(page)).toBe(0);
    await expectNoSeriousAccessibilityViolation(page, "la recherche d'opérateurs sur téléphone", consoleGuard);

    // A search that means nothing says so.
    await open(page, "/operateurs?recherche=x");
    await expect(page.getByText("Saisissez au moins deux lettres du nom, un SIRET (14 chiffres) ou un EORI.")).toBeVisible();

    // An operator, even of that company, and the DGITM: refused.
    for (const account of [ACCOUNTS.operateur, ACCOUNTS.dgitm]) {
      const person = account === ACCOUNTS.operateur ? operator : await anotherPerson(browser, account);
      const response = await person.goto("/operateurs");
      expect(response?.status(), account).toBe(403);
      await expect(person.getByText("Océane Import SAS")).toHaveCount(0);
    }
  });
});

/** The importer (Claire's company). */
const IMPORTER = "Océane Import SAS";
/**
 * The representative: a company of the demo that nobody signs in for. A mandate given or revoked
 * loads again every open page of the representative's people; Karim's company's would reload the
 * page rendez-vous.spec.ts watches for a change in place, on this same instance.
 */
const REPRESENTATIVE = "Douane Conseil Représentation";

/** The site of this project's mandate: each project reads its own, at a site of its own. */
function mandateSite(): { code: string; name: string } {
  return hasJavaScript() ? { code: "FRDKK", name: "Dunkerque" } : { code: "FRCDG", name: "Paris-Charles-de-Gaulle" };
}

/** A day from today in France, as a date field takes it (`YYYY-MM-DD`) and as the page shows it. */
function dayFromToday(days: number): { field: string; shown: string } {
  const field = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Paris" }).format(Date.now() + days * 86_400_000);
  const [year, month, day] = field.split("-");
  return { field, shown: `${day}/${month}/${year}` };
}

/** An agent finds a company by `search` and follows its name to its card. */
async function openCard(page: Page, search: string, name: string): Promise<void> {
  await open(page, `/operateurs?recherche=${encodeURIComponent(search)}`);
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(/\/operateurs\/\d+$/);
  await waitUntilInteractive(page);
  await expect(page.getByRole("heading", { level: 1, name, exact: true })).toBeVisible();
}

test.describe("les mandats de représentation sur la fiche d'identité opérateur", () => {
  // Sophie Leroy: an agent of every site of the demo, on a phone.
  test.use({ account: ACCOUNTS.agentSivep, viewport: PHONE });

  test("l'agent lit, sur téléphone, le mandat donné sur la fiche de l'importateur et le mandat reçu sur celle du représentant", async ({
    page,
    browser,
    consoleGuard,
  }) => {
    test.slow();
    const site = mandateSite();
    // A last day of its own: this mandate's row, among those of earlier runs and of the other project.
    const lastDay = dayFromToday(30 + Math.floor(Math.random() * 3_000));
    const period = `du ${dayFromToday(0).shown} au ${lastDay.shown}`;
    const claire = await anotherPerson(browser, ACCOUNTS.operateur);
    let revocation: string | undefined;

    try {
      // The representative's SIRET, as its card reads it.
      await openCard(page, REPRESENTATIVE, REPRESENTATIVE);
      const identity = page.getByRole("region", { name: "Identité", exact: true });
      const representativeSiret = /^\d{14}/.exec(((await identity.locator("dd").first().textContent()) ?? "").trim())?.[0];
      expect(representativeSiret, `le SIRET de ${REPRESENTATIVE} sur sa fiche`).toBeDefined();

      await test.step(`l'administratrice de l'importateur donne au représentant un mandat pour ${site.name}`, async () => {
        await open(claire, "/espace");
        const section = claire.getByRole("region", { name: "Mandats de représentation", exact: true });
        await section.getByRole("textbox", { name: /^SIRET de l'établissement du représentant/ }).fill(representativeSiret!);
        const choices = section.getByRole("group", { name: "Sites où il agit pour votre entreprise" });
        // The DSFR draws the box on its label, which is what people press.
        await choices.locator(`label[for="mandat-site-${site.code}"]`).click();
        await expect(choices.getByRole("checkbox", { name: site.name, exact: true })).toBeChecked();
        await section.getByLabel(/^Dernier jour/).fill(lastDay.field);
        await section.getByRole("button", { name: "Donner le mandat", exact: true }).click();
        await claire.waitForURL(/\/espace\?message=mandat-donne/);
        await waitUntilInteractive(claire);
        const row = claire
          .getByRole("table", { name: "Les mandats donnés par votre entreprise" })
          .getByRole("row")
          .filter({ hasText: period })
          .filter({ hasText: site.name });
        await expect(row).toHaveCount(1);
        revocation = (await row.locator("form").getAttribute("action")) ?? undefined;
        expect(revocation).toMatch(/^\/espace\/mandats\/\d+\/revocation$/);
      });

      await test.step("la fiche de l'importateur montre le mandat donné, sans déborder de l'écran, accessible", async () => {
        const importerSiret = await siretOf(claire);
        await openCard(page, importerSiret, IMPORTER);
        const mandates = page.getByRole("region", { name: "Mandats de représentation", exact: true });
        await expect(mandates.getByRole("heading", { level: 2, name: "Mandats de représentation" })).toBeVisible();
        const given = mandates.getByRole("table", { name: "Mandats donnés à des représentants" });
        await expect(given).toBeVisible();
        await expect(given.getByRole("columnheader")).toHaveText(["Représentant", "Sites", "Période", "État"]);
        const row = given.getByRole("row").filter({ hasText: period }).filter({ hasText: site.name });
        await expect(row.getByRole("cell")).toHaveText([`${REPRESENTATIVE} (SIRET ${representativeSiret})`, site.name, period, "En vigueur"]);
        await expect(row.getByRole("cell").first()).toBeVisible();
        expect(await horizontalOverflow(page)).toBe(0);
        await expectNoSeriousAccessibilityViolation(page, "la fiche de l'importateur avec un mandat donné, sur téléphone", consoleGuard);
      });

      await test.step("la fiche du représentant montre le mandat reçu, sans déborder de l'écran, accessible", async () => {
        await openCard(page, representativeSiret!, REPRESENTATIVE);
        await expect(page.getByRole("region", { name: "Identité", exact: true })).toContainText(representativeSiret!);
        const mandates = page.getByRole("region", { name: "Mandats de représentation", exact: true });
        await expect(mandates.getByRole("heading", { level: 2, name: "Mandats de représentation" })).toBeVisible();
        const received = mandates.getByRole("table", { name: "Mandats reçus : entreprises représentées" });
        await expect(received).toBeVisible();
        await expect(received.getByRole("columnheader")).toHaveText(["Entreprise représentée", "Sites", "Période", "État"]);
        const row = received.getByRole("row").filter({ hasText: period }).filter({ hasText: site.name });
        await expect(row.getByRole("cell")).toHaveText([IMPORTER, site.name, period, "En vigueur"]);
        await expect(row.getByRole("cell").first()).toBeVisible();
        expect(await horizontalOverflow(page)).toBe(0);
        await expectNoSeriousAccessibilityViolation(page, "la fiche du représentant avec un mandat reçu, sur téléphone", consoleGuard);
      });
    } finally {
      // The mandate ends with the test, whatever happened: the cards of later runs show it revoked.
      if (revocation) {
        const revoked = await claire.request.post(revocation, { maxRedirects: 0 });
        expect.soft(revoked.headers()["location"] ?? "", "le mandat révoqué").toContain("message=mandat-revoque");
      }
      await claire.context().close();
    }
  });
});
