/** The page of one dossier, and the pages for addresses that lead nowhere. */
import {
  DOSSIER_STATUSES,
  STEP_STATES,
  dossierTable,
  firstDossierPath,
  expect,
  open,
  test,
} from "./helpers";
import { ACCOUNTS } from "./helpers";

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
