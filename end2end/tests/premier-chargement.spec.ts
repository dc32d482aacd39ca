/**
 * The first load, as the release build leaves the site (`scripts/assets.mjs`): the files every
 * page loads are named after their content, arrive compressed and may be kept a year; a neutral
 * deployment loads no Marianne; and a browser in which the WASM does not start (one the terms of
 * use name, older than what the WASM needs) still gets pages that work, as without JavaScript.
 */
import { ACCOUNTS, PASSWORD, expect, hasJavaScript, open, test } from "./helpers";

test("les fichiers de chaque page portent leur empreinte, arrivent compressés et se gardent un an", async ({ page }) => {
  const assets: Array<{ path: string; cache: string; encoding: string; status: number }> = [];
  page.on("response", (response) => {
    const path = new URL(response.url()).pathname;
    if (path.startsWith("/pkg/") || path.startsWith("/dsfr/")) {
      const headers = response.headers();
      assets.push({
        path,
        cache: headers["cache-control"] ?? "",
        encoding: headers["content-encoding"] ?? "",
        status: response.status(),
      });
    }
  });
  await open(page, "/connexion");
  await page.waitForLoadState("load");

  const sheets = await page.locator('link[rel="stylesheet"]').evaluateAll((links) =>
    links.map((link) => new URL((link as HTMLLinkElement).href).pathname),
  );
  expect(sheets).toEqual([expect.stringMatching(/^\/dsfr\/dsfr\.[0-9a-f]{16}\.css$/), expect.stringMatching(/^\/pkg\/sesame\.[0-9a-f]{16}\.css$/)]);

  const fetched = assets.map((asset) => asset.path);
  expect(fetched).toEqual(expect.arrayContaining([...sheets, expect.stringMatching(/^\/pkg\/sesame\.[0-9a-f]{16}\.wasm$/)]));
  if (hasJavaScript()) {
    expect(fetched).toContainEqual(expect.stringMatching(/^\/pkg\/sesame\.[0-9a-f]{16}\.js$/));
  }
  for (const asset of assets) {
    expect(asset.status, asset.path).toBe(200);
    expect(asset.cache, asset.path).toBe("public, max-age=31536000, immutable");
    expect(asset.encoding, asset.path).toBe("br");
  }
  // Marianne is reserved to the State's sites: this deployment is not one.
  expect(fetched.filter((path) => /marianne/i.test(path))).toEqual([]);
});

/**
 * With JavaScript, the browser is handed a WASM it cannot compile, as an old browser would be; without,
 * the same journey on the pages alone. Either way, nothing of it may need the application.
 */
test.describe("sans l'application (WASM qui ne démarre pas, ou pas de JavaScript)", () => {
  test("on se connecte, parcourt la liste et ouvre un dossier", async ({ page, consoleGuard }) => {
    if (hasJavaScript()) {
      consoleGuard.expectWasmThatDoesNotStart();
      await page.route(/\/pkg\/sesame\.[0-9a-f]{16}\.wasm$/, (route) =>
        route.fulfill({ status: 200, contentType: "application/wasm", body: Buffer.from("pas un module WebAssembly") }),
      );
    }
    await page.goto("/connexion");
    await page.getByRole("textbox", { name: /^Adresse électronique/ }).fill(ACCOUNTS.operateur2);
    await page.getByLabel("Mot de passe", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL((url) => url.pathname !== "/connexion");
    if (new URL(page.url()).pathname === "/cgu/acceptation") {
      await page.locator('label[for="accepte"]').click();
      await page.getByRole("button", { name: "Accepter et continuer" }).click();
      await page.waitForURL((url) => url.pathname !== "/cgu/acceptation");
    }
    await page.goto("/dossiers");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dossiers");
    const first = page.locator('a[href^="/dossiers/"]').first();
    const href = await first.getAttribute("href");
    await first.click();
    await page.waitForURL((url) => url.pathname === href);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Historique du dossier" })).toBeVisible();
    // Never hydrated: controls that need the application stay out of sight.
    await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
    await expect(page.locator("#bouton-menu")).toBeHidden();
    if (hasJavaScript()) {
      expect(consoleGuard.expectedErrors[0].seen, "le navigateur a bien refusé le WASM").toBeGreaterThan(0);
    }
  });
});
