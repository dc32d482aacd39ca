/**
 * The desks of the people who run the platform: the technical administrator's partner keys, and
 * the agents' correlation alerts.
 */
import {
  ACCOUNTS,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  horizontalOverflow,
  open,
  test,
  waitUntilInteractive,
} from "./helpers";
import { ADMIN_PORT, LIVE_PORT } from "../playwright.config";

// Not on the main instance, whose administrator account is kept untouched for the first-sign-in
// test of the terms of use; one instance per project, and one test at a time, since the key list
// each page shows changes with every key created.
test.use({
  baseURL: async ({ javaScriptEnabled }, use) =>
    use(`http://127.0.0.1:${javaScriptEnabled === false ? ADMIN_PORT : LIVE_PORT}`),
});
test.describe.configure({ mode: "serial" });

test.describe("clés des systèmes partenaires", () => {
  test.use({ account: ACCOUNTS.admin });

  test("l'administrateur crée une clé, la voit une seule fois, puis la révoque", async ({ page }) => {
    const name = `Guichet d'essai ${Date.now()}`;
    await open(page, "/administration/cles-partenaires");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Clés des systèmes partenaires");
    await page.getByLabel("Système partenaire").fill(name);
    await page.getByLabel("Source autorisée").selectOption({ label: "Système portuaire" });
    await page.getByLabel("Sites autorisés").fill("FRLEH, FRFOS");
    await page.getByRole("button", { name: "Créer la clé" }).click();
    await page.waitForURL(/message=cle-creee/);
    await waitUntilInteractive(page);

    const created = page.locator("#cle-creee");
    await expect(created).toContainText("copiez-la maintenant");
    const key = await page.getByLabel("Clé", { exact: true }).inputValue();
    expect(key).toMatch(/^sesame_[0-9a-f]{32,}$/);
    const row = page.getByRole("row").filter({ hasText: name });
    await expect(row).toContainText("FRLEH, FRFOS");

    // Never shown again.
    await open(page, "/administration/cles-partenaires");
    await expect(page.locator("#cle-creee")).toHaveCount(0);
    expect(await page.content()).not.toContain(key);

    await row.getByRole("button", { name: /^Révoquer la clé n° \d+ de / }).click();
    await page.waitForURL(/message=cle-revoquee/);
    await expect(page.getByText("La clé est révoquée")).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: name })).toContainText("Révoquée le");
  });

  for (const screen of [
    { name: "sur ordinateur", viewport: { width: 1280, height: 800 } },
    { name: "sur téléphone", viewport: PHONE },
  ]) {
    test.describe(screen.name, () => {
      test.use({ viewport: screen.viewport });
      test(`le bureau des clés n'a pas de défaut d'accessibilité grave ${screen.name}`, async ({ page, consoleGuard }) => {
        await open(page, "/administration/cles-partenaires");
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await expectNoSeriousAccessibilityViolation(page, `les clés des systèmes partenaires ${screen.name}`, consoleGuard);
      });
    });
  }

  test("un nom de site mal écrit est expliqué et le formulaire garde la saisie", async ({ page }) => {
    await open(page, "/administration/cles-partenaires");
    await page.getByLabel("Système partenaire").fill("Guichet");
    await page.getByLabel("Sites autorisés").fill("Le Havre");
    await page.getByRole("button", { name: "Créer la clé" }).click();
    await page.waitForURL(/erreur=cle-sites/);
    await expect(page.getByText("Les sites doivent être des codes UN/LOCODE")).toBeVisible();
    await expect(page.getByLabel("Système partenaire")).toHaveValue("Guichet");
  });
});

test.describe("sites et postes", () => {
  // On the administration's own instance whatever the project, so that the main instance's
  // sites stay those every other test expects.
  test.use({ account: ACCOUNTS.admin, viewport: PHONE, baseURL: `http://127.0.0.1:${ADMIN_PORT}` });

  test("l'administrateur ouvre un site et son poste sur téléphone", async ({ page, consoleGuard, javaScriptEnabled }) => {
    // A code of its own for each project (both use this instance), from the clock.
    const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const now = Math.floor(Date.now() / 1000);
    const site = `FR${javaScriptEnabled === false ? "Y" : "Z"}${letters[now % 26]}${letters[Math.floor(now / 26) % 26]}`;
    await open(page, "/administration/sites");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sites et postes de contrôle");

    // A post left half-filled is told what is missing, next to its form.
    await page.getByLabel("Code du poste").fill(`${site}1`);
    await page.getByLabel("Nom du poste").fill("PCF d'essai");
    await page.getByRole("button", { name: "Ouvrir le poste" }).click();
    await page.waitForURL(/erreur=poste-invalide/);
    await expect(page.getByRole("alert").filter({ hasText: "Cochez au moins une administration qui contrôle à ce poste" })).toBeVisible();

    await page.getByRole("textbox", { name: /^Code UN\/LOCODE/ }).fill(site.toLowerCase());
    await page.getByLabel("Nom du site").fill(`Aéroport d'essai ${site}`);
    await page.getByLabel("Type").selectOption({ label: "Aéroport" });
    await expect(page.getByLabel("Fuseau horaire")).toHaveValue("Europe/Paris");
    await page.getByRole("button", { name: "Ouvrir le site" }).click();
    await page.waitForURL(/message=site-ouvert/);
    const row = page.getByRole("row").filter({ hasText: `${site} — Aéroport d'essai` });
    await expect(row).toContainText("France métropolitaine et Corse");
    await expect(row).toContainText("Aucun poste pour l'instant");

    // A wrong code is explained precisely, what was typed kept.
    // The DSFR draws checkboxes and radio buttons on their labels, which is what people press.
    await page.getByLabel("Code du poste").fill("FR1");
    await page.getByLabel("Nom du poste").fill("PCF de l'aérogare");
    await page.locator("label", { hasText: "DGAL (SIVEP)" }).click();
    await page.getByRole("button", { name: "Ouvrir le poste" }).click();
    await page.waitForURL(/erreur=poste-invalide/);
    await expect(page.getByRole("alert").filter({ hasText: "6 caractères" })).toBeVisible();
    await expect(page.getByLabel("Nom du poste")).toHaveValue("PCF de l'aérogare");
    await expect(page.getByLabel("DGAL (SIVEP)")).toBeChecked();

    await page.getByLabel("Code du poste").fill(`${site}1`);
    await page.locator("label", { hasText: "Confirmées dès la réservation" }).click();
    await page.locator("label", { hasText: "Végétaux et produits végétaux" }).click();
    await page.getByRole("button", { name: "Ouvrir le poste" }).click();
    await page.waitForURL(/message=poste-ouvert/);
    await expect(page.getByRole("row").filter({ hasText: `${site} — Aéroport d'essai` })).toContainText(
      `${site}1 — PCF de l'aérogare (DGAL ; rendez-vous confirmés à la réservation ; agréé pour : végétaux et produits végétaux)`,
    );
    expect(await horizontalOverflow(page)).toBe(0);
    await expectNoSeriousAccessibilityViolation(page, "les sites et postes sur téléphone", consoleGuard);
  });
});

test.describe("réservé à l'administrateur technique", () => {
  test.use({ account: ACCOUNTS.agentSivep });

  test("un agent n'ouvre pas les clés des partenaires ; l'ancienne page des rapprochements mène à son bureau des alertes", async ({ page, consoleGuard, baseURL }) => {
    consoleGuard.expectErrorStatusOf(`${baseURL}/administration/cles-partenaires`, 403);
    const refused = await open(page, "/administration/cles-partenaires");
    expect(refused.status()).toBe(403);
    const alerts = await open(page, "/alertes-correlation");
    expect(alerts.status()).toBe(200);
    await expect(page).toHaveURL(/\/alertes\?regle=rapprochement$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bureau des alertes");
    await expect(page.getByLabel("Règle")).toHaveValue("rapprochement");
    await expect(page.getByRole("navigation", { name: "Menu principal" }).getByRole("link", { name: "Alertes", exact: true })).toBeVisible();
  });
});
