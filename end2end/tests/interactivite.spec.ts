/**
 * What JavaScript adds once the page has hydrated: navigation without reloading the page, and the
 * menu on a phone. Without JavaScript, the same links are plain links (see the other files).
 */
import type { Page } from "@playwright/test";
import {
  DEMO_PAGES,
  DEMO_TOTAL,
  PAGE_SIZE,
  PHONE,
  dossierTable,
  expect,
  hasJavaScript,
  mainNavigation,
  open,
  resultsHeading,
  test,
} from "./helpers";
import { ACCOUNTS } from "./helpers";

// The supervisor follows every dossier of the demo.
test.use({ account: ACCOUNTS.superviseur });

type Marked = { __marker?: number };

/** Leaves a mark in the page's JavaScript world: a reload would wipe it. */
async function mark(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as Marked).__marker = 1;
  });
}

async function marker(page: Page): Promise<number | undefined> {
  return page.evaluate(() => (window as unknown as Marked).__marker);
}

test.describe("avec JavaScript", () => {
  test.beforeEach(() => {
    test.skip(!hasJavaScript(), "Seulement avec JavaScript : l'application hydratée.");
  });

  for (const path of ["/", "/dossiers", "/dossiers?statut=bloque&page=2"]) {
    test(`l'hydratation de ${path} ne change rien à ce que le serveur a affiché`, async ({ page }) => {
      // Hold the WASM back to read the page exactly as the server rendered it.
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route(/\/pkg\/[^/]*\.wasm$/, async (route) => {
        await held;
        await route.continue();
      });
      await page.goto(path, { waitUntil: "domcontentloaded" });
      const body = page.locator("body");
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      expect(await body.getAttribute("data-hydrated")).toBeNull();
      const rendered = await body.innerText();
      const title = await page.title();

      release();
      await expect(body).toHaveAttribute("data-hydrated", "true");
      // Lists go live once hydrated: the indicator saying so and the control that pauses it are
      // the additions, set aside here.
      if (path.startsWith("/dossiers")) {
        for (const added of ["#etat-direct", "#pause-direct"]) {
          const element = page.locator(added);
          await expect(element).toBeAttached();
          await element.evaluate((element) => ((element as HTMLElement).style.display = "none"));
        }
      }
      expect(await body.innerText()).toBe(rendered);
      expect(await page.title()).toBe(title);
    });
  }

  test("changer de page de la liste passe par le routeur, sans recharger la page", async ({ page }) => {
    await open(page, "/dossiers");
    await mark(page);
    const firstPage = await dossierTable(page).getByRole("rowheader").getByRole("link").first().textContent();

    const navigations: string[] = [];
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    const documentRequests: string[] = [];
    page.on("request", (request) => {
      if (request.resourceType() === "document") documentRequests.push(request.url());
    });

    await page.getByRole("navigation", { name: "Pagination" }).getByRole("link", { name: "Page suivante" }).click();

    await expect(resultsHeading(page)).toHaveText(`${DEMO_TOTAL} dossiers — page 2 sur ${DEMO_PAGES}`);
    await expect(page).toHaveURL("/dossiers?page=2");
    await expect(dossierTable(page).locator("tbody tr")).toHaveCount(PAGE_SIZE);
    await expect(dossierTable(page).getByRole("rowheader").getByRole("link").first()).not.toHaveText(firstPage!);
    expect(await marker(page)).toBe(1);
    expect(documentRequests, "aucun document HTML ne doit être rechargé").toEqual([]);

    // The browser's "back" returns to the first page, still without reloading.
    await page.goBack();
    await expect(page).toHaveURL("/dossiers");
    await expect(resultsHeading(page)).toHaveText(`${DEMO_TOTAL} dossiers — page 1 sur ${DEMO_PAGES}`);
    await expect(dossierTable(page).getByRole("rowheader").getByRole("link").first()).toHaveText(firstPage!);
    expect(await marker(page)).toBe(1);
    expect(documentRequests).toEqual([]);
  });

  test("ouvrir un dossier depuis la liste se fait sans recharger la page", async ({ page }) => {
    await open(page, "/dossiers");
    await mark(page);
    const link = dossierTable(page).getByRole("rowheader").getByRole("link").first();
    const reference = ((await link.textContent()) ?? "").trim();
    await link.click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Dossier ${reference}`);
    await expect(page).toHaveTitle(`Dossier ${reference} — France Sésame`);
    expect(await marker(page)).toBe(1);

    await page.getByRole("navigation", { name: "vous êtes ici :" }).getByRole("link", { name: "Dossiers" }).click();
    await expect(page).toHaveURL("/dossiers");
    await expect(resultsHeading(page)).toHaveText(`${DEMO_TOTAL} dossiers — page 1 sur ${DEMO_PAGES}`);
    expect(await marker(page)).toBe(1);
  });

  test("sur téléphone, le bouton « Menu » ouvre et ferme la navigation", async ({ page }) => {
    await page.setViewportSize(PHONE);
    await open(page, "/");
    const menu = page.locator("#menu-principal");
    const button = page.getByRole("button", { name: "Menu" });
    const dossiers = mainNavigation(page).getByRole("link", { name: "Dossiers" });

    await expect(button).toBeVisible();
    await expect(button).toHaveAttribute("aria-expanded", "false");
    await expect(menu).not.toHaveClass(/\bfr-modal--opened\b/);
    await expect(dossiers).toBeHidden();

    await button.click();
    await expect(menu).toHaveClass(/\bfr-modal--opened\b/);
    await expect(button).toHaveAttribute("aria-expanded", "true");
    await expect(dossiers).toBeVisible();

    await page.getByRole("button", { name: "Fermer" }).click();
    await expect(menu).not.toHaveClass(/\bfr-modal--opened\b/);
    await expect(button).toHaveAttribute("aria-expanded", "false");
    await expect(dossiers).toBeHidden();

    // Following a link of the menu closes it.
    await button.click();
    await expect(dossiers).toBeVisible();
    await dossiers.click();
    await expect(page).toHaveURL("/dossiers");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dossiers");
    await expect(menu).not.toHaveClass(/\bfr-modal--opened\b/);
    await expect(mainNavigation(page).getByRole("link", { name: "Dossiers" })).toBeHidden();
  });
});

test("sur téléphone, la liste des dossiers reste atteignable depuis l'accueil", async ({ page }) => {
  await page.setViewportSize(PHONE);
  await open(page, "/");
  if (hasJavaScript()) {
    await page.getByRole("button", { name: "Menu" }).click();
    await mainNavigation(page).getByRole("link", { name: "Dossiers" }).click();
  } else {
    // Without JavaScript the menu cannot open; the links repeated in the footer remain.
    await page.getByRole("contentinfo").getByRole("link", { name: "Dossiers", exact: true }).click();
  }
  await expect(page).toHaveURL("/dossiers");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dossiers");
});
