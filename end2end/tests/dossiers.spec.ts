/** The dossier list: count, table, pagination, filters. Demo data: 300 dossiers, 25 a page. */
import {
  DEMO_PAGES,
  DEMO_TOTAL,
  DOSSIER_STATUSES,
  PAGE_SIZE,
  REFERENCE,
  dossierTable,
  expect,
  open,
  resultCount,
  resultsHeading,
  test,
  waitUntilInteractive,
} from "./helpers";
import { ACCOUNTS } from "./helpers";

// The supervisor follows every dossier of the demo.
test.use({ account: ACCOUNTS.superviseur });
import type { Page } from "@playwright/test";

/** The references of the dossiers shown, from the first column's links. */
async function shownReferences(page: Page): Promise<string[]> {
  const links = dossierTable(page).getByRole("rowheader").getByRole("link");
  return (await links.allTextContents()).map((text) => text.trim());
}

function pagination(page: Page) {
  return page.getByRole("navigation", { name: "Pagination" });
}

test("la liste montre le nombre de dossiers et leur première page", async ({ page }) => {
  const response = await open(page, "/dossiers");
  expect(response.status()).toBe(200);
  await expect(page).toHaveTitle("Dossiers — France Sésame");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dossiers");
  await expect(resultsHeading(page)).toHaveText(`${DEMO_TOTAL} dossiers`);

  const table = dossierTable(page);
  await expect(table).toBeVisible();
  await expect(table.locator("tbody tr")).toHaveCount(PAGE_SIZE);

  const links = table.getByRole("rowheader").getByRole("link");
  await expect(links).toHaveCount(PAGE_SIZE);
  for (const href of await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute("href")))) {
    expect(href).toMatch(/^\/dossiers\/\d+$/);
  }
  const references = await shownReferences(page);
  for (const reference of references) {
    expect(reference).toMatch(REFERENCE);
  }
  expect(new Set(references).size).toBe(PAGE_SIZE);

  // One status badge a row, each one of the four statuses.
  const badges = await table.locator("tbody .fr-badge").allTextContents();
  expect(badges).toHaveLength(PAGE_SIZE);
  for (const badge of badges) {
    expect(DOSSIER_STATUSES).toContain(badge.trim());
  }

  // Pages are read from a place in the list (its last dossier), not counted from the start.
  await expect(pagination(page).getByRole("link", { name: "Page suivante" })).toHaveAttribute(
    "href",
    /^\/dossiers\?apres=\d+_\d+$/,
  );
  await expect(pagination(page).getByRole("link", { name: "Page précédente" })).toHaveAttribute(
    "aria-disabled",
    "true",
  );
});

test("la pagination mène aux dossiers suivants, revient en arrière et s'arrête à la dernière page", async ({ page }) => {
  await open(page, "/dossiers");
  const firstPage = await shownReferences(page);

  await pagination(page).getByRole("link", { name: "Page suivante" }).click();
  await expect(page).toHaveURL(/\/dossiers\?apres=\d+_\d+$/);
  await expect(resultsHeading(page)).toHaveText(`${DEMO_TOTAL} dossiers`);
  await expect(page).toHaveTitle("Dossiers — France Sésame");
  await expect(dossierTable(page).locator("tbody tr")).toHaveCount(PAGE_SIZE);
  const secondPage = await shownReferences(page);
  expect(secondPage.filter((reference) => firstPage.includes(reference))).toEqual([]);
  await expect(pagination(page).getByRole("link", { name: "Première page" })).toHaveAttribute("href", "/dossiers");
  await waitUntilInteractive(page);

  // Back: the first page again, the same dossiers.
  await pagination(page).getByRole("link", { name: "Page précédente" }).click();
  await expect(page).toHaveURL(/\/dossiers\?avant=\d+_\d+$/);
  await expect(dossierTable(page).locator("tbody tr")).toHaveCount(PAGE_SIZE);
  expect(await shownReferences(page)).toEqual(firstPage);
  await expect(pagination(page).getByRole("link", { name: "Page précédente" })).toHaveAttribute("aria-disabled", "true");

  // Forward to the end: every dossier once, the last page partial and without a next page.
  const seen = new Set(firstPage);
  await open(page, "/dossiers");
  for (let n = 2; n <= DEMO_PAGES; n++) {
    await pagination(page).getByRole("link", { name: "Page suivante" }).click();
    await expect(page).toHaveURL(/apres=/);
    for (const reference of await shownReferences(page)) {
      seen.add(reference);
    }
  }
  expect(seen.size).toBe(DEMO_TOTAL);
  await expect(dossierTable(page).locator("tbody tr")).toHaveCount(DEMO_TOTAL - (DEMO_PAGES - 1) * PAGE_SIZE);
  const next = pagination(page).getByRole("link", { name: "Page suivante" });
  await expect(next).toHaveAttribute("aria-disabled", "true");
  await expect(next).not.toHaveAttribute("href", /.*/);
});

test("filtrer par statut « Non conforme » ne montre que des dossiers non conformes", async ({ page }) => {
  await open(page, "/dossiers");
  await openFilters(page);
  await page.getByLabel("Statut", { exact: true }).selectOption({ label: "Non conforme" });
  await page.getByRole("button", { name: "Filtrer" }).click();

  await page.waitForURL(/[?&]statut=non_conforme\b/);
  await waitUntilInteractive(page);
  const table = dossierTable(page);
  await expect(table.locator("tbody .fr-badge").first()).toBeVisible();
  await expect(table.locator("tbody .fr-badge").filter({ hasNotText: "Non conforme" })).toHaveCount(0);

  const count = await resultCount(page);
  expect(count).toBeGreaterThan(0);
  expect(count).toBeLessThan(DEMO_TOTAL);
  await expect(table.locator("tbody tr")).toHaveCount(Math.min(count, PAGE_SIZE));
  await expect(table.locator("tbody .fr-badge")).toHaveCount(Math.min(count, PAGE_SIZE));
  // The form shows the filter in force.
  await expect(page.getByLabel("Statut", { exact: true })).toHaveValue("non_conforme");

  // Pages of a filtered list keep the filter.
  if (count > PAGE_SIZE) {
    await expect(page.getByRole("navigation", { name: "Pagination" }).getByRole("link", { name: "Page suivante" }))
      .toHaveAttribute("href", /statut=non_conforme/);
  }

  // "Réinitialiser" brings every dossier back.
  await page.getByRole("link", { name: "Réinitialiser" }).click();
  await expect(page).toHaveURL("/dossiers");
  await expect(resultsHeading(page)).toHaveText(`${DEMO_TOTAL} dossiers`);
  await expect(page.getByLabel("Statut", { exact: true })).toHaveValue("");
});

test("filtrer par site ne montre que les dossiers de ce site", async ({ page }) => {
  await open(page, "/dossiers");
  await openFilters(page);
  const site = page.getByLabel("Site", { exact: true });
  // Six sites, plus "Tous les sites".
  await expect(site.locator("option")).toHaveCount(7);
  await site.selectOption("FRLEH");
  await page.getByRole("button", { name: "Filtrer" }).click();

  await page.waitForURL(/[?&]site=FRLEH\b/);
  await waitUntilInteractive(page);
  const table = dossierTable(page);
  await expect(table.locator("tbody tr").first()).toBeVisible();
  // The third column is the site.
  await expect(table.locator("tbody tr td:nth-of-type(2)").filter({ hasNotText: "Le Havre" })).toHaveCount(0);
  const count = await resultCount(page);
  expect(count).toBeGreaterThan(0);
  expect(count).toBeLessThan(DEMO_TOTAL);
  await expect(table.locator("tbody tr")).toHaveCount(Math.min(count, PAGE_SIZE));
  await expect(site).toHaveValue("FRLEH");
});

test("les quatre statuts se partagent tous les dossiers", async ({ page }) => {
  let sum = 0;
  for (const [code, label] of [
    ["en_cours", "En cours"],
    ["bloque", "Bloqué"],
    ["non_conforme", "Non conforme"],
    ["termine", "Terminé"],
  ]) {
    await open(page, `/dossiers?statut=${code}`);
    const count = await resultCount(page);
    expect(count, `dossiers « ${label} »`).toBeGreaterThan(0);
    await expect(dossierTable(page).locator("tbody .fr-badge").filter({ hasNotText: label })).toHaveCount(0);
    sum += count;
  }
  expect(sum).toBe(DEMO_TOTAL);
});

test("un filtre sans résultat le dit au lieu d'afficher un tableau vide", async ({ page }) => {
  // A valid but unknown site: nothing matches.
  await open(page, "/dossiers?site=FRZZZ");
  await expect(resultsHeading(page)).toHaveText("Aucun dossier ne correspond à ces critères.");
  await expect(dossierTable(page)).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Pagination" })).toHaveCount(0);
});

test("la recherche par référence explique une faute avant de chercher, puis trouve le dossier", async ({ page }) => {
  await open(page, "/dossiers");
  const search = page.getByRole("searchbox", { name: /^Référence/ });
  // A container number whose last digit is wrong (MSKU1234565 is right).
  await search.fill("MSKU 123456-6");
  await page.getByRole("button", { name: "Filtrer" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Référence invalide");
  await expect(alert).toContainText("chiffre de contrôle devrait être 5");
  await expect(page.getByRole("table", { name: "Liste des dossiers" })).toHaveCount(0);

  // A reference of a real dossier, typed the way people type it: found, alone.
  const html = await (await page.request.get("/dossiers")).text();
  const reference = /<a[^>]*href="\/dossiers\/\d+"[^>]*>(?:<!--[^]*?-->)*([A-Z]{4}\d{7})/.exec(html)?.[1];
  expect(reference, "un conteneur dans la liste").toBeDefined();
  await open(page, "/dossiers");
  await page.getByRole("searchbox", { name: /^Référence/ }).fill(reference!.toLowerCase());
  await page.getByRole("button", { name: "Filtrer" }).click();
  await expect(resultsHeading(page)).toHaveText(/^1 dossier\b/);
  await expect(dossierTable(page)).toContainText(reference!);
});

test("filtrer par étape, par poste et par dates d'ouverture, et trier", async ({ page }) => {
  await open(page, "/dossiers");
  await openFilters(page);
  await page.getByLabel("Étape en cours", { exact: true }).selectOption({ label: "Contrôle physique" });
  await page.getByLabel("Trier par", { exact: true }).selectOption({ label: "Ouverts depuis le plus longtemps d'abord" });
  await page.getByRole("button", { name: "Filtrer" }).click();
  await page.waitForURL(/[?&]etape=physical_check\b.*[?&]tri=ouverture-ancienne\b/);
  await waitUntilInteractive(page);
  const table = dossierTable(page);
  await expect(table.locator("tbody tr").first()).toBeVisible();
  // The fifth cell is the current step.
  await expect(table.locator("tbody tr td:nth-of-type(4)").filter({ hasNotText: "Contrôle physique" })).toHaveCount(0);
  const atStep = await resultCount(page);
  expect(atStep).toBeGreaterThan(0);
  expect(atStep).toBeLessThan(DEMO_TOTAL);
  await expect(page.getByLabel("Étape en cours", { exact: true })).toHaveValue("physical_check");

  // The counts by status add up to the dossiers at this step, and each one filters.
  const counts = page.getByRole("navigation", { name: "Nombre de dossiers par statut" }).getByRole("link");
  await expect(counts).toHaveCount(4);
  let sum = 0;
  for (const text of await counts.allTextContents()) {
    sum += Number(text.split(":")[1].trim());
  }
  expect(sum).toBe(atStep);

  // A post: only its dossiers.
  await open(page, "/dossiers?poste=FRLEH1");
  await expect(page.getByLabel("Poste de contrôle", { exact: true })).toHaveValue("FRLEH1");
  const atPost = await resultCount(page);
  expect(atPost).toBeGreaterThan(0);
  expect(atPost).toBeLessThan(DEMO_TOTAL);

  // Dates the wrong way round are explained, and nothing is searched.
  await open(page, "/dossiers");
  await openFilters(page);
  await page.getByLabel("Ouvert entre le…").fill("2026-11-20");
  await page.getByLabel("… et le").fill("2026-11-10");
  await page.getByRole("button", { name: "Filtrer" }).click();
  await page.waitForURL(/[?&]du=2026-11-20\b/);
  await expect(page.getByRole("alert")).toContainText("la date de début (20/11/2026) est postérieure à la date de fin (10/11/2026)");
  await expect(dossierTable(page)).toHaveCount(0);
});

/** Unfolds the filters (all but the reference search are folded behind one control). */
async function openFilters(page: import("@playwright/test").Page) {
  await page.locator("details#filtres > summary").click();
  await expect(page.locator("details#filtres")).toHaveAttribute("open", "");
}
