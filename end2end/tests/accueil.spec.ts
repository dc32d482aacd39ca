/** The home page and the frame every page shares: header, navigation, footer. */
import { expect, mainNavigation, open, test, waitUntilInteractive, ACCOUNTS } from "./helpers";

// Signed in as the supervisor, who may open every dossier the home page leads to.
test.use({ account: ACCOUNTS.superviseur });

const SERVICE_COUNT = 9;

test("l'accueil est en français et présente les neuf services", async ({ page }) => {
  const response = await open(page, "/");
  expect(response.status()).toBe(200);

  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page).toHaveTitle("Accueil — France Sésame");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("France Sésame");
  await expect(page.locator("header.fr-header .fr-header__service-title")).toHaveText("France Sésame");
  // Not a State deployment: no "République Française" brand block, in the header or the footer.
  await expect(page.locator(".fr-logo")).toHaveCount(0);

  await expect(page.getByRole("heading", { level: 2, name: "Les services" })).toBeVisible();
  const services = page
    .getByRole("main")
    .getByRole("list")
    .filter({ has: page.getByRole("heading", { level: 3, name: "Suivi en temps réel" }) });
  await expect(services.getByRole("listitem")).toHaveCount(SERVICE_COUNT);
  const titles = await services.getByRole("heading", { level: 3 }).allTextContents();
  expect(titles.map((title) => title.trim())).toEqual(
    expect.arrayContaining(["Suivi en temps réel", "Alertes", "Rendez-vous", "Messagerie", "Tableaux de bord"]),
  );
  expect(new Set(titles).size).toBe(SERVICE_COUNT);

  // The one service open today leads to the dossiers.
  await expect(services.getByRole("link", { name: "Suivi en temps réel" })).toHaveAttribute("href", "/dossiers");
});

test("aucune carte ne dit « bientôt » d'un service ouvert, et chacune mène à une page qui répond", async ({ page }) => {
  await open(page, "/");
  const services = page
    .getByRole("main")
    .getByRole("list")
    .filter({ has: page.getByRole("heading", { level: 3, name: "Suivi en temps réel" }) });
  const cards = services.getByRole("listitem");
  await expect(cards).toHaveCount(SERVICE_COUNT);
  for (let i = 0; i < SERVICE_COUNT; i += 1) {
    const card = cards.nth(i);
    const title = (await card.getByRole("heading", { level: 3 }).textContent())!.trim();
    // Every service of the terms of use works today.
    await expect(card, title).not.toContainText(/bientôt/i);
    await expect(card.locator(".fr-badge"), title).toHaveText("Disponible");
    const link = card.getByRole("link");
    if ((await link.count()) === 0) {
      // A service the supervisor may not open: no link to follow.
      continue;
    }
    const href = (await link.getAttribute("href"))!;
    const response = await page.request.get(href);
    expect(response.status(), `${title} → ${href}`).toBeLessThan(400);
  }
  // The way to the procédure de secours.
  await expect(page.getByRole("link", { name: /^État du service/ })).toHaveAttribute("href", "/etat-du-service");
});

test("la carte « Suivi en temps réel » mène à la liste des dossiers", async ({ page }) => {
  await open(page, "/");
  await page.getByRole("link", { name: "Suivi en temps réel" }).click();
  await expect(page).toHaveURL("/dossiers");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dossiers");
});

test("le lien « Dossiers » de la navigation ouvre la liste des dossiers", async ({ page }) => {
  await open(page, "/");
  const home = mainNavigation(page).getByRole("link", { name: "Accueil", exact: true });
  const dossiers = mainNavigation(page).getByRole("link", { name: "Dossiers" });
  await expect(home).toHaveAttribute("aria-current", "page");
  await expect(dossiers).not.toHaveAttribute("aria-current", "page");

  await dossiers.click();

  await expect(page).toHaveURL("/dossiers");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dossiers");
  await expect(page).toHaveTitle("Dossiers — France Sésame");
  await expect(mainNavigation(page).getByRole("link", { name: "Dossiers" })).toHaveAttribute("aria-current", "page");
  await expect(mainNavigation(page).getByRole("link", { name: "Accueil", exact: true })).not.toHaveAttribute("aria-current", "page");
  // The page came whole from the server; with JavaScript, its islands are interactive again.
  await waitUntilInteractive(page);
});

const FOOTER_PAGES = [
  { link: "Conditions générales d'utilisation", path: "/cgu", title: "Conditions générales d'utilisation" },
  { link: "Données personnelles", path: "/donnees-personnelles", title: "Données personnelles" },
  // The link states the compliance level, as the law requires; the page is "Accessibilité".
  { link: "Accessibilité : non conforme", path: "/accessibilite", title: "Accessibilité" },
  { link: "Mentions légales", path: "/mentions-legales", title: "Mentions légales" },
  // The information pages of the portal.
  { link: "Informations réglementaires", path: "/informations-reglementaires", title: "Informations réglementaires" },
  { link: "Informations pratiques", path: "/informations-pratiques", title: "Informations pratiques" },
  { link: "Guide d'utilisation", path: "/guide", title: "Guide d'utilisation" },
  { link: "Foire aux questions", path: "/faq", title: "Foire aux questions" },
  { link: "Contact", path: "/contact", title: "Contact" },
];

test("les pages obligatoires sont atteignables depuis le pied de page", async ({ page }) => {
  await open(page, "/");
  const footer = page.getByRole("contentinfo");
  await expect(footer).toHaveAttribute("id", "pied-de-page");
  for (const { link, path } of FOOTER_PAGES) {
    await expect(footer.getByRole("link", { name: link, exact: true })).toHaveAttribute("href", path);
  }
  for (const { link, path, title } of FOOTER_PAGES) {
    await page.getByRole("contentinfo").getByRole("link", { name: link, exact: true }).click();
    await expect(page).toHaveURL(path);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
    await expect(page).toHaveTitle(`${title} — France Sésame`);
    await waitUntilInteractive(page);
  }
});

test("chaque page obligatoire répond directement à son adresse", async ({ page }) => {
  for (const { path, title } of FOOTER_PAGES) {
    const response = await open(page, path);
    expect(response.status(), path).toBe(200);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
    await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  }
});
