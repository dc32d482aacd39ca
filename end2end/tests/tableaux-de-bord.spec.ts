/**
 * « Tableaux de bord » and the DGITM's statistics in the browser, on the live instance, on a
 * 360-px phone: the supervisor filters a dashboard (the filters stay in the address), sees a
 * dossier just opened counted, reads a chart's figures in its table and exports the dashboard as
 * CSV; the DGITM reads the statistics by site and month, small figures hidden, and exports them;
 * agents and the DGITM get no dashboard. Axe clean on each page.
 */
import { readFile } from "node:fs/promises";

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

/** The figure of the period on a dashboard's line (« Dossiers ouverts »). */
async function figure(page: import("@playwright/test").Page, label: string): Promise<number> {
  const row = page.locator("#rubrique-volumes tbody tr").filter({ has: page.getByRole("rowheader", { name: label, exact: true }) });
  const text = (await row.locator("td").first().textContent()) ?? "";
  return Number(text.replace(/\D/g, ""));
}

test.describe("tableaux de bord", () => {
  test.use({ account: ACCOUNTS.superviseur, viewport: PHONE });

  test("le superviseur filtre un tableau de bord, lit un graphique en tableau et l'exporte en CSV", async ({ page, browser, consoleGuard }) => {
    test.slow();
    await open(page, "/tableaux-de-bord");
    await expect(page.getByRole("heading", { level: 1, name: "Tableaux de bord" })).toBeVisible();

    // Filters: Le Havre, this month; they are in the address.
    await page.getByLabel("Site", { exact: true }).selectOption("FRLEH");
    await page.getByLabel("Période", { exact: true }).selectOption("mois");
    await page.getByRole("button", { name: "Afficher" }).click();
    await expect(page).toHaveURL(/site=FRLEH/);
    await expect(page).toHaveURL(/periode=mois/);
    await expect(page.locator("#tdb-perimetre")).toContainText("Le Havre, toutes marchandises");
    const before = await figure(page, "Dossiers ouverts");

    // A consignment opened at Le Havre counts in this month's figures (other tests of the run
    // may open more at the same time: at least this one).
    const operator = await anotherPerson(browser, ACCOUNTS.operateur);
    // Lodged now: dated an hour back, in the first hour of a month (Paris time) it would count
    // in the month before.
    await newDossier(page.request, await siretOf(operator), undefined, new Date());
    await page.reload();
    const after = await figure(page, "Dossiers ouverts");
    expect(after).toBeGreaterThan(before);

    // A chart, with its title, and its figures in the table that follows: this month is the last
    // period, with the same figure as the table above.
    await expect(page.getByRole("img", { name: "Dossiers ouverts par période" })).toBeVisible();
    const table = page.getByRole("table", { name: "Dossiers ouverts par période" });
    await expect(table.locator("tbody tr")).toHaveCount(12);
    const last = (await table.locator("tbody tr").last().locator("td").textContent()) ?? "";
    expect(Number(last.replace(/\D/g, ""))).toBe(after);

    expect(await horizontalOverflow(page)).toBe(0);
    await expectNoSeriousAccessibilityViolation(page, "un tableau de bord sur téléphone", consoleGuard);

    // The export: the same figures, for a spreadsheet.
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "Exporter en CSV (tableur)" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^tableau-de-bord-mois-\d{4}-\d{2}-01\.csv$/);
    const text = await readFile((await download.path())!, "utf8");
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const exported = text.match(/Volumes de dossiers;Dossiers ouverts;nombre;(\d+);/);
    expect(exported, text).not.toBeNull();
    expect(Number(exported![1])).toBeGreaterThanOrEqual(after);
    // The same as an OpenDocument spreadsheet.
    const odsLink = page.getByRole("link", { name: "Exporter en ODS (LibreOffice, Excel)" });
    await expect(odsLink).toHaveAttribute("href", /^\/tableaux-de-bord\/export\.ods\?site=FRLEH&periode=mois&date=/);
    const ods = await page.request.get((await odsLink.getAttribute("href"))!);
    expect(ods.headers()["content-type"]).toBe("application/vnd.oasis.opendocument.spreadsheet");
    expect((await ods.body()).subarray(30, 38).toString()).toBe("mimetype");

    // A filter that means nothing is told in French.
    await open(page, "/tableaux-de-bord?periode=trimestre");
    await expect(page.getByText("« trimestre » n'est pas une période : choisissez jour, semaine, mois ou année.")).toBeVisible();
  });

  test("la DGITM lit les statistiques sans donnée nominative ; ni elle ni un agent n'ont de tableau de bord", async ({ browser, consoleGuard }) => {
    const dgitm = await anotherPerson(browser, ACCOUNTS.dgitm, PHONE);
    await open(dgitm, "/statistiques");
    await expect(dgitm.getByRole("heading", { level: 1, name: "Statistiques du passage frontière" })).toBeVisible();
    await dgitm.getByLabel("Indicateur", { exact: true }).selectOption("liberes");
    await dgitm.getByLabel("Marchandises", { exact: true }).selectOption("animal_products");
    await dgitm.getByRole("button", { name: "Afficher" }).click();
    await expect(dgitm).toHaveURL(/indicateur=liberes/);
    const table = dgitm.getByRole("table", { name: /Dossiers libérés \(bon à enlever\) en \d{4}, produits/ });
    await expect(table).toBeVisible();
    await expect(table.getByRole("rowheader", { name: "Tous les sites" })).toBeVisible();
    await expect(table.getByRole("rowheader", { name: "Le Havre" })).toBeVisible();
    await expect(dgitm.getByText("Océane Import SAS")).toHaveCount(0);
    expect(await horizontalOverflow(dgitm)).toBe(0);
    await expectNoSeriousAccessibilityViolation(dgitm, "les statistiques de la DGITM sur téléphone", consoleGuard);

    const downloading = dgitm.waitForEvent("download");
    await dgitm.getByRole("link", { name: "Exporter en CSV (tableur)" }).click();
    const text = await readFile((await (await downloading).path())!, "utf8");
    expect(text).toMatch(/Site;janv\. \d{4};/);
    expect(text).toContain("Tous les sites;");
    expect(text).not.toContain("Océane");

    // The dashboards' durations too, in minutes, hidden by their own population.
    await dgitm.getByLabel("Indicateur", { exact: true }).selectOption("duree-passage-mediane");
    await dgitm.getByLabel("Marchandises", { exact: true }).selectOption("");
    await dgitm.getByRole("button", { name: "Afficher" }).click();
    await expect(dgitm).toHaveURL(/indicateur=duree-passage-mediane/);
    const durations = dgitm.getByRole("table", { name: /Durée du passage complet — médiane en \d{4}, toutes marchandises/ });
    await expect(durations).toBeVisible();
    await expect(durations.getByRole("rowheader", { name: "Tous les sites" })).toBeVisible();
    await expect(dgitm.getByText("Durées en minutes au graphique")).toBeVisible();
    expect(await horizontalOverflow(dgitm)).toBe(0);

    for (const person of [dgitm, await anotherPerson(browser, ACCOUNTS.agentSivep)]) {
      const response = await person.goto("/tableaux-de-bord");
      expect(response?.status()).toBe(403);
      await expect(person.getByText("Dossiers ouverts")).toHaveCount(0);
    }
  });
});
