/**
 * « Fiche d'Identité Opérateur » in the browser, on the live instance: on a 360-px phone, the
 * agent of one port opens a dossier of the operator at Marseille-Fos, follows the company's name
 * to its card and reads only what happens at Marseille-Fos (its history as a chart and as a
 * table); finds the company again by its SIRET with the keyboard; the supervisor reads the same
 * card over every site; operators and the DGITM are refused. Axe clean on each page.
 */
import {
  ACCOUNTS,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  horizontalOverflow,
  open,
  test,
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
