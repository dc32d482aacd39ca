/**
 * What JavaScript adds once the page's islands have hydrated: live updates and the menu on a phone.
 * Links are plain links with or without JavaScript; each page comes whole from the server.
 */
import {
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

test.describe("avec JavaScript", () => {
  test.beforeEach(() => {
    test.skip(!hasJavaScript(), "Seulement avec JavaScript : l'application hydratée.");
  });

  for (const path of ["/", "/dossiers", "/dossiers?statut=bloque&tri=ouverture-ancienne"]) {
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

  test("chaque page vient entière du serveur et redevient interactive sans retélécharger l'application", async ({ page }) => {
    // Pages are the server's; the browser hydrates only their islands (the live bar, the menu).
    // A link is a plain link: the next page arrives whole, and the files of the application come
    // from the browser's cache (they are named after their content and kept a year).
    // Bytes of the application's files that came over the network, as Chromium counts them.
    const client = await page.context().newCDPSession(page);
    await client.send("Network.enable");
    const urls = new Map<string, string>();
    let applicationBytes = 0;
    client.on("Network.requestWillBeSent", (event) => urls.set(event.requestId, event.request.url));
    client.on("Network.loadingFinished", (event) => {
      const url = urls.get(event.requestId);
      if (url && new URL(url).pathname.startsWith("/pkg/")) applicationBytes += event.encodedDataLength;
    });
    await open(page, "/dossiers");
    await expect(page.locator("#etat-direct")).toHaveText("Mises à jour en direct");
    const firstPage = await dossierTable(page).getByRole("rowheader").getByRole("link").first().textContent();
    await page.waitForLoadState("networkidle");
    const loadedFirst = applicationBytes;
    // The WASM alone is some hundred kilobytes.
    expect(loadedFirst, "la première page charge l'application").toBeGreaterThan(50_000);

    await page.getByRole("navigation", { name: "Pagination" }).getByRole("link", { name: "Page suivante" }).click();
    await expect(page).toHaveURL(/\/dossiers\?apres=\d+_\d+$/);
    await expect(resultsHeading(page)).toHaveText(`${DEMO_TOTAL} dossiers`);
    await expect(dossierTable(page).locator("tbody tr")).toHaveCount(PAGE_SIZE);
    await expect(dossierTable(page).getByRole("rowheader").getByRole("link").first()).not.toHaveText(firstPage!);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await expect(page.locator("#etat-direct")).toHaveText("Mises à jour en direct");

    const link = dossierTable(page).getByRole("rowheader").getByRole("link").first();
    const reference = ((await link.textContent()) ?? "").trim();
    await link.click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Dossier ${reference}`);
    await expect(page).toHaveTitle(`Dossier ${reference} — France Sésame`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await expect(page.locator("#etat-direct")).toHaveText("Mises à jour en direct");
    await page.waitForLoadState("networkidle");
    expect(applicationBytes - loadedFirst, "l'application vient du cache du navigateur").toBeLessThan(2_000);

    // The browser's "back" returns to the second page of the list.
    await page.goBack();
    await expect(page).toHaveURL(/\/dossiers\?apres=\d+_\d+$/);
    await expect(resultsHeading(page)).toHaveText(`${DEMO_TOTAL} dossiers`);
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
