/** Keyboard use: the skip links come first, and the navigation is reachable with Tab. */
import { ACCOUNTS, PASSWORD, expect, mainNavigation, open, signInDirectly, test, waitUntilInteractive } from "./helpers";

test("Tab atteint d'abord le lien d'évitement « Contenu », qui mène au contenu", async ({ page }) => {
  await open(page, "/");
  const skipLink = page.getByRole("link", { name: "Contenu", exact: true });
  await expect(skipLink).toHaveAttribute("href", "#contenu");

  await page.keyboard.press("Tab");
  await expect(skipLink).toBeFocused();
  // Hidden until focused, then shown on screen.
  await expect(skipLink).toBeInViewport();

  await page.keyboard.press("Enter");
  const main = page.locator("main#contenu");
  await expect(main).toBeFocused();
  await expect(page).toHaveURL(/#contenu$/);

  // The next Tab lands in the content, past the header and its navigation.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Suivi en temps réel" })).toBeFocused();
});

test("les liens d'évitement mènent au menu et au pied de page", async ({ page }) => {
  await open(page, "/");
  const skipLinks = page.getByRole("navigation", { name: "Accès rapide" }).getByRole("link");
  await expect(skipLinks).toHaveText(["Contenu", "Menu", "Pied de page"]);
  for (const [name, target] of [
    ["Menu", "#navigation"],
    ["Pied de page", "#pied-de-page"],
  ]) {
    const link = page.getByRole("link", { name, exact: true });
    await expect(link).toHaveAttribute("href", target);
    await expect(page.locator(target)).toHaveCount(1);
  }
});

test("Tab atteint le lien « Dossiers » de la navigation, sans passer par un élément invisible", async ({ page }) => {
  // Signed in, so that the link opens the list.
  await signInDirectly(page.request, ACCOUNTS.superviseur);
  await open(page, "/");
  const dossiers = mainNavigation(page).getByRole("link", { name: "Dossiers" });
  const focused = page.locator(":focus");
  const path: string[] = [];
  let reached = false;
  for (let presses = 0; presses < 12 && !reached; presses += 1) {
    await page.keyboard.press("Tab");
    await expect(focused).toHaveCount(1);
    const label = await focused.evaluate(
      (element) => `${element.tagName.toLowerCase()} « ${(element.textContent ?? "").trim()} »`,
    );
    path.push(label);
    await expect(focused, `focus sur un élément invisible : ${label}`).toBeVisible();
    await expect(focused, `focus hors de l'écran : ${label}`).toBeInViewport();
    reached = await dossiers.evaluate((element) => element === document.activeElement);
  }
  expect(reached, `« Dossiers » non atteint ; parcours du focus : ${path.join(" → ")}`).toBe(true);

  await page.keyboard.press("Enter");
  await expect(page).toHaveURL("/dossiers");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dossiers");
});

test("la connexion se fait au clavier seul", async ({ page }) => {
  await open(page, "/connexion");
  const email = page.getByRole("textbox", { name: /^Adresse électronique/ });
  await email.focus();
  await page.keyboard.type(ACCOUNTS.superviseur);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Mot de passe", { exact: true })).toBeFocused();
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname !== "/connexion");
  if (new URL(page.url()).pathname === "/cgu/acceptation") {
    // The terms of use, with the keyboard too: tick with Space, send with Enter.
    await waitUntilInteractive(page);
    await page.getByLabel(/J'ai lu et j'accepte/).focus();
    await page.keyboard.press("Space");
    await expect(page.getByLabel(/J'ai lu et j'accepte/)).toBeChecked();
    await page.getByRole("button", { name: "Accepter et continuer" }).focus();
    await page.keyboard.press("Enter");
  }
  // A supervisor lands on the home page made for them.
  await expect(page).toHaveURL(/\/accueil/);
});
