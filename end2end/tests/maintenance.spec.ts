/**
 * Maintenance and the state of the service, on an instance of their own (`MAINTENANCE_PORT`):
 * the technical administrator writes the procédure de secours of Le Havre and schedules a
 * maintenance, which every page announces to an operator on a phone; cancelled, the banner goes.
 * Started now, the operator's pages answer « service indisponible » in French with the procedure,
 * readable on a phone and accessible, while the administrator works on and ends it.
 *
 * Only in the project with JavaScript: these pages are the server's own (the banner, the 503 page
 * carry no script), and two journeys at once would close the instance under each other.
 */
import type { Browser, Page } from "@playwright/test";
import {
  ACCOUNTS,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  horizontalOverflow,
  open,
  signIn,
  test,
} from "./helpers";
import { MAINTENANCE_PORT } from "../playwright.config";

const BASE = `http://127.0.0.1:${MAINTENANCE_PORT}`;
test.use({ baseURL: BASE });
test.describe.configure({ mode: "serial" });

const PROCEDURE = "Appelez l'accueil du PCF du Havre au 02 35 00 00 00.";

/** A moment as the form takes it, in Paris time: JJ/MM/AAAA HH:MM. */
function moment(at: Date): string {
  const parts = new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Europe/Paris",
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part("day")}/${part("month")}/${part("year")} ${part("hour")}:${part("minute")}`;
}

async function phoneOf(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: BASE, viewport: PHONE, locale: "fr-FR", timezoneId: "Europe/Paris" });
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

test("une maintenance annoncée, puis en cours : l'opérateur lit sur téléphone ce qu'il fait, l'administrateur la termine", async ({
  page,
  browser,
  consoleGuard,
}) => {
  test.setTimeout(90_000);
  await signIn(page, ACCOUNTS.admin);
  await open(page, "/administration/maintenance");
  await expect(page.getByRole("heading", { level: 1, name: "Maintenance et état du service" })).toBeVisible();
  await expectNoSeriousAccessibilityViolation(page, "la page de maintenance", consoleGuard);

  // The procedure of Le Havre.
  const havre = page.getByLabel(/^Procédure de secours — Le Havre/);
  await havre.fill(`${PROCEDURE}\nApportez vos documents au guichet.`);
  await page.getByRole("button", { name: /^Enregistrer la procédure de Le Havre/ }).click();
  await expect(page.getByText("La procédure de secours du site est enregistrée")).toBeVisible();

  // A maintenance in two days: announced on every page, on the operator's phone.
  const inTwoDays = new Date(Date.now() + 2 * 24 * 3600 * 1000);
  const maintenanceForm = page.locator("form[action='/administration/maintenance']");
  await maintenanceForm.getByLabel(/^Début/).fill(moment(inTwoDays));
  await maintenanceForm.getByLabel(/^Fin/).fill(moment(new Date(inTwoDays.getTime() + 2 * 3600 * 1000)));
  await maintenanceForm.getByLabel(/^Motif/).fill("Mise à jour de la base de données.");
  await maintenanceForm.getByRole("button", { name: "Enregistrer la maintenance" }).click();
  await expect(page.getByText("La maintenance est enregistrée.")).toBeVisible();

  const claire = await phoneOf(browser, ACCOUNTS.operateur);
  await expect(async () => {
    await open(claire, "/accueil");
    await expect(claire.locator("#annonce-maintenance")).toContainText("Maintenance prévue du", { timeout: 500 });
  }).toPass({ timeout: 10_000 });
  await expect(claire.locator("#annonce-maintenance")).toContainText("Mise à jour de la base de données.");
  expect(await horizontalOverflow(claire)).toBe(0);
  await expectNoSeriousAccessibilityViolation(claire, "une page avec l'annonce d'une maintenance", consoleGuard);
  await claire.locator("#annonce-maintenance").getByRole("link", { name: "État du service et procédure de secours" }).click();
  await expect(claire.getByRole("heading", { level: 1, name: "État du service" })).toBeVisible();
  await expect(claire.getByRole("heading", { name: "Le service fonctionne normalement" })).toBeVisible();
  await expect(claire.getByRole("region", { name: "Maintenances prévues" }).getByRole("listitem")).toContainText([
    "Mise à jour de la base de données.",
  ]);
  await expect(claire.getByText(PROCEDURE)).toBeVisible();
  expect(await horizontalOverflow(claire)).toBe(0);
  await expectNoSeriousAccessibilityViolation(claire, "l'état du service", consoleGuard);

  // Cancelled: the banner goes.
  await open(page, "/administration/maintenance");
  await page.getByRole("button", { name: "Annuler cette maintenance" }).click();
  await expect(page.getByText("La maintenance est annulée")).toBeVisible();
  await expect(async () => {
    await open(claire, "/accueil");
    await expect(claire.locator("#annonce-maintenance")).toHaveCount(0, { timeout: 500 });
  }).toPass({ timeout: 10_000 });

  // Started now for an hour: the operator's pages say what happens and what to do.
  await maintenanceForm.getByLabel(/^Fin/).fill(moment(new Date(Date.now() + 3600 * 1000)));
  await maintenanceForm.getByLabel(/^Motif/).fill("Intervention urgente sur les serveurs.");
  await maintenanceForm.getByRole("button", { name: "Enregistrer la maintenance" }).click();
  await expect(page.getByText("La maintenance est enregistrée.")).toBeVisible();
  consoleGuard.expectErrorStatusOf(`${BASE}/dossiers`, 503);
  await expect(async () => {
    const response = await claire.goto("/dossiers");
    expect(response!.status()).toBe(503);
  }).toPass({ timeout: 10_000 });
  await expect(claire).toHaveTitle("Maintenance en cours — France Sésame");
  await expect(claire.getByRole("heading", { level: 1, name: "France Sésame est en maintenance" })).toBeVisible();
  await expect(claire.getByText("Intervention urgente sur les serveurs.")).toBeVisible();
  await expect(claire.getByRole("heading", { level: 3, name: "Le Havre" })).toBeVisible();
  await expect(claire.getByText(PROCEDURE)).toBeVisible();
  expect(await horizontalOverflow(claire)).toBe(0);
  await expectNoSeriousAccessibilityViolation(claire, "la page de maintenance en cours", consoleGuard);
  // The page « État du service » still answers, and says it.
  await claire.getByRole("link", { name: "Suivre l'état du service" }).click();
  await expect(claire.getByRole("heading", { name: /^Maintenance en cours jusqu/ })).toBeVisible();

  // The administrator works on: their pages answer, with the banner of the maintenance under way.
  await open(page, "/administration/maintenance");
  await expect(page.locator("#annonce-maintenance")).toContainText("la plateforme n'est ouverte qu'aux administrateurs techniques");
  await page.getByRole("button", { name: "Terminer maintenant" }).click();
  await expect(page.getByText("La maintenance est terminée")).toBeVisible();
  await expect(async () => {
    const response = await claire.goto("/dossiers");
    expect(response!.status()).toBe(200);
  }).toPass({ timeout: 10_000 });
  await expect(claire.getByRole("heading", { level: 1 })).not.toHaveText("France Sésame est en maintenance");
  await claire.context().close();
});
