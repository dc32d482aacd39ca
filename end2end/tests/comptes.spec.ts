/**
 * Accounts, end to end: signing in and out, the terms-of-use gate, need to know on dossiers,
 * habilitations granted by a head of service, an invitation (pending, then accepted) and a forgotten
 * password through the mails the platform writes, and signing in with the OpenID provider the suite starts.
 *
 * Each test runs in both projects against the same server: tests that change something work on
 * their own data in each project (a site, an account) so that the two runs never meet.
 */
import type { Page } from "@playwright/test";
import {
  ACCOUNTS,
  PASSWORD,
  PHONE,
  acceptCgu,
  anotherPerson,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  horizontalOverflow,
  mailTo,
  open,
  signIn,
  signInDirectly,
  signOut,
  test,
  waitUntilInteractive,
} from "./helpers";

/** Which of two values this project uses. */
function perProject<T>(withJavaScript: T, withoutJavaScript: T): T {
  return hasJavaScript() ? withJavaScript : withoutJavaScript;
}

/** Dossier addresses of a list, as the server renders it for whoever `page` is signed in as. */
async function dossierPaths(page: Page, query = ""): Promise<string[]> {
  const response = await page.request.get(`/dossiers${query}`);
  expect(response.status()).toBe(200);
  return [...(await response.text()).matchAll(/href="(\/dossiers\/\d+)"/g)].map((match) => match[1]);
}

test("sans session, les dossiers mènent à la connexion, qui y ramène", async ({ page }) => {
  await page.goto("/dossiers?statut=bloque");
  await expect(page).toHaveURL(/\/connexion\?retour=%2Fdossiers%3Fstatut%3Dbloque$/);
  await waitUntilInteractive(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Se connecter à France Sésame");
  await page.getByRole("textbox", { name: /^Adresse électronique/ }).fill(ACCOUNTS.superviseur);
  await page.getByLabel("Mot de passe", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL((url) => url.pathname !== "/connexion");
  if (new URL(page.url()).pathname === "/cgu/acceptation") {
    await acceptCgu(page);
  }
  await expect(page).toHaveURL(/\/dossiers\?statut=bloque/);
  await waitUntilInteractive(page);
  await expect(page.getByRole("banner").getByRole("link", { name: /Mon espace/ })).toBeVisible();

  await signOut(page);
  await expect(page.getByText("Vous êtes déconnecté.")).toBeVisible();
  await page.goto("/dossiers");
  await expect(page).toHaveURL(/\/connexion\?retour=/);
});

test("un mot de passe erroné est refusé, en français, sans effacer l'adresse", async ({ page }) => {
  const address = perProject("inconnu-avec-js@example.fr", "inconnu-sans-js@example.fr");
  await open(page, "/connexion");
  await page.getByRole("textbox", { name: /^Adresse électronique/ }).fill(address);
  await page.getByLabel("Mot de passe", { exact: true }).fill("ce n'est pas le bon");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("alert")).toContainText("Adresse électronique ou mot de passe incorrect");
  await expect(page.getByRole("textbox", { name: /^Adresse électronique/ })).toHaveValue(address);
});

test("à la première connexion, les CGU en vigueur sont à accepter", async ({ page }) => {
  // Two accounts that no other test uses, one per project.
  const account = perProject(ACCOUNTS.dgitm, ACCOUNTS.admin);
  await open(page, "/connexion");
  await page.getByRole("textbox", { name: /^Adresse électronique/ }).fill(account);
  await page.getByLabel("Mot de passe", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(/\/cgu\/acceptation/);
  await waitUntilInteractive(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Conditions générales d'utilisation");
  // Nothing else opens before they are accepted.
  await page.goto("/espace");
  await expect(page).toHaveURL(/\/cgu\/acceptation\?retour=%2Fespace/);
  await waitUntilInteractive(page);

  const pdf = await page.request.get("/cgu.pdf");
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");

  await acceptCgu(page);
  await expect(page).toHaveURL(/\/espace/);
  await expect(page.getByText("vous avez accepté les conditions générales")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Mes sessions ouvertes" })).toBeVisible();

  // Accepted once for this version: the next sign-in goes straight in.
  await signOut(page);
  await signIn(page, account);
  // Neither role follows dossiers: they land on the home page made for them.
  await expect(page).toHaveURL(/\/accueil/);
});

test.describe("un opérateur", () => {
  test.use({ account: ACCOUNTS.operateur });

  test("ne peut pas ouvrir le dossier d'une autre entreprise", async ({ page, browser, baseURL, consoleGuard }) => {
    const supervisor = await anotherPerson(browser, consoleGuard, baseURL!);
    await signInDirectly(supervisor.request, ACCOUNTS.superviseur);
    const own = new Set(await dossierPaths(page));
    let foreign: string | undefined;
    for (const path of await dossierPaths(supervisor)) {
      if (!own.has(path) && (await page.request.get(path)).status() === 404) {
        foreign = path;
        break;
      }
    }
    expect(foreign, "un dossier d'une autre entreprise dans la liste du superviseur").toBeDefined();
    // Another company's dossier reads exactly as one that does not exist.
    consoleGuard.expectErrorStatusOf(`${baseURL}${foreign}`, 404);
    const response = await open(page, foreign!);
    expect(response.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dossier introuvable");
    // Their own dossiers open.
    const mine = await open(page, [...own][0]);
    expect(mine.status()).toBe(200);
    await supervisor.context().close();
  });
});

test("un agent est refusé sur un site sans habilitation, puis habilité par son chef", async ({
  page,
  browser,
  baseURL,
  consoleGuard,
}) => {
  // Each project works on its own site.
  const [site, siteName] = perProject(["FRORY", "Paris-Orly"], ["FRCDG", "Paris-Charles-de-Gaulle"]);
  const supervisor = await anotherPerson(browser, consoleGuard, baseURL!);
  await signInDirectly(supervisor.request, ACCOUNTS.superviseur);
  const dossier = (await dossierPaths(supervisor, `?site=${site}`))[0];
  expect(dossier, `un dossier à ${site}`).toBeDefined();

  const head = await anotherPerson(browser, consoleGuard, baseURL!);
  await signInDirectly(head.request, ACCOUNTS.chef);
  await open(head, "/habilitations");
  await head
    .getByRole("button", { name: new RegExp(`^Retirer l'habilitation de Sophie Leroy sur .*\\(${site}\\)$`) })
    .click();
  await expect(head.getByText("L'habilitation est retirée")).toBeVisible();

  await signInDirectly(page.request, ACCOUNTS.agentSivep);
  consoleGuard.expectErrorStatusOf(`${baseURL}${dossier}`, 404);
  const refused = await open(page, dossier);
  expect(refused.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Dossier introuvable");

  await waitUntilInteractive(head);
  await head.getByLabel("Agent", { exact: true }).selectOption({ label: `Sophie Leroy — ${ACCOUNTS.agentSivep}` });
  const siteOption = await head.getByLabel("Site", { exact: true }).locator("option", { hasText: `(${site})` }).textContent();
  await head.getByLabel("Site", { exact: true }).selectOption({ label: siteOption!.trim() });
  await head.getByRole("button", { name: "Accorder l'habilitation" }).click();
  await expect(head.getByText("L'habilitation est accordée")).toBeVisible();
  await expect(head.getByRole("table", { name: "Habilitations sur les sites de vos postes" })).toContainText(siteName);

  const granted = await open(page, dossier);
  expect(granted.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).not.toHaveText("Dossier introuvable");
  await head.context().close();
  await supervisor.context().close();
});

test("un collègue invité choisit son mot de passe, puis le réinitialise par courriel", async ({ page, consoleGuard }) => {
  test.slow();
  const colleague = `collegue-${perProject("avec", "sans")}-${Date.now()}@example.fr`;
  // The company's administrator invites a colleague: an invitation, not yet an account.
  await signInDirectly(page.request, ACCOUNTS.operateur);
  await open(page, "/espace");
  await page.getByLabel("Prénom et nom du collègue").fill("Camille Durand");
  await page.getByLabel("Adresse électronique du collègue").fill(colleague);
  await page.getByRole("button", { name: "Envoyer l'invitation" }).click();
  await expect(page.getByText("Votre collègue a reçu un courriel")).toBeVisible();
  const pending = page.getByRole("table", { name: "Les invitations en attente" });
  await expect(pending).toContainText(colleague);
  await expect(page.getByRole("table", { name: "Les personnes de votre entreprise" })).not.toContainText(colleague);
  await expect(pending.getByRole("button", { name: "Retirer l'invitation de Camille Durand" }).first()).toBeVisible();
  // The pending invitations on a phone: readable, and no serious accessibility defect.
  const screen = page.viewportSize()!;
  await page.setViewportSize(PHONE);
  await open(page, "/espace");
  await expect(pending).toContainText(colleague);
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  if (hasJavaScript()) {
    // Without JavaScript the check compares two loads of the page, and the other project's run of
    // this test invites at the same moment: the pages without JavaScript are checked by
    // accessibilite.spec.ts.
    await expectNoSeriousAccessibilityViolation(page, "l'espace avec une invitation en attente sur téléphone", consoleGuard);
  }
  await page.setViewportSize(screen);
  await page.context().clearCookies();

  // The colleague opens the invitation and chooses a password: the account is opened then.
  const invitation = await mailTo(colleague, /Votre invitation sur France Sésame/);
  expect(invitation.text).toContain("Camille Durand");
  expect(invitation.text).toContain("Claire Martin");
  const link = invitation.links.find((href) => href.includes("/mot-de-passe/nouveau?jeton="));
  expect(link).toBeDefined();
  await open(page, new URL(link!).pathname + new URL(link!).search);
  await expect(page.getByText(colleague)).toBeVisible();
  await page.getByLabel("Nouveau mot de passe").fill("azerty123456");
  await page.getByLabel("Confirmation du mot de passe").fill("azerty123456");
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await expect(page.getByRole("alert")).toContainText("mots de passe les plus courants");
  const first = "quatre chevaux dans un pré";
  await page.getByLabel("Nouveau mot de passe").fill(first);
  await page.getByLabel("Confirmation du mot de passe").fill(first);
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await expect(page.getByText("Votre compte est ouvert")).toBeVisible();
  // The invitation served once.
  await open(page, new URL(link!).pathname + new URL(link!).search);
  await expect(page.getByText("Ce lien n'est plus valable")).toBeVisible();
  await signIn(page, colleague, first);
  await expect(page).toHaveURL(/\/dossiers/);
  await signOut(page);

  // Forgotten: a link by mail, then a new password.
  await open(page, "/connexion");
  await page.getByRole("link", { name: "Mot de passe oublié ?" }).click();
  await expect(page).toHaveURL(/\/mot-de-passe-oublie/);
  await waitUntilInteractive(page);
  await page.getByRole("textbox", { name: /^Adresse électronique/ }).fill(colleague);
  await page.getByRole("button", { name: "Recevoir un lien" }).click();
  await expect(page.getByText("Si un compte existe pour cette adresse")).toBeVisible();
  const reset = await mailTo(colleague, /nouveau mot de passe/);
  const resetLink = reset.links.find((href) => href.includes("/mot-de-passe/nouveau?jeton="));
  expect(resetLink).toBeDefined();
  await open(page, new URL(resetLink!).pathname + new URL(resetLink!).search);
  const second = "cinq moutons sous la pluie";
  await page.getByLabel("Nouveau mot de passe").fill(second);
  await page.getByLabel("Confirmation du mot de passe").fill(second);
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await expect(page.getByText("Votre mot de passe est enregistré")).toBeVisible();
  // The link served once; the old password no longer opens the account.
  await open(page, new URL(resetLink!).pathname + new URL(resetLink!).search);
  await expect(page.getByText("Ce lien n'est plus valable")).toBeVisible();
  await open(page, "/connexion");
  await page.getByRole("textbox", { name: /^Adresse électronique/ }).fill(colleague);
  await page.getByLabel("Mot de passe", { exact: true }).fill(first);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("alert")).toContainText("incorrect");
  await signIn(page, colleague, second);
  await expect(page).toHaveURL(/\/dossiers/);
});

test("connexion et déconnexion par le fournisseur d'identité", async ({ page }) => {
  const account = perProject(ACCOUNTS.superviseur, ACCOUNTS.agentDouane);
  await open(page, "/connexion");
  await page.getByRole("link", { name: "Se connecter avec le fournisseur de test" }).click();
  // The provider's own sign-in page.
  await expect(page).toHaveURL(/127\.0\.0\.1:3101\/interaction\//);
  await page.getByLabel("Identifiant").fill(account);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL((url) => url.port === "3100" && url.pathname !== "/connexion/oidc/test/retour");
  if (new URL(page.url()).pathname === "/cgu/acceptation") {
    await acceptCgu(page);
  }
  await expect(page).toHaveURL(/\/(dossiers|accueil)/);
  await waitUntilInteractive(page);
  await expect(page.getByRole("banner").getByRole("link", { name: /Mon espace/ })).toBeVisible();
  await open(page, "/espace");
  await expect(page.getByRole("table", { name: "Sessions ouvertes sur votre compte" })).toContainText(
    "Fournisseur d'identité « test »",
  );

  // Signing out signs out of the provider too, and comes back.
  await page.getByRole("banner").getByRole("button", { name: "Se déconnecter" }).first().click();
  await page.waitForURL((url) => url.port === "3101" || url.pathname === "/connexion");
  if (new URL(page.url()).port === "3101" && !hasJavaScript()) {
    await page.getByRole("button", { name: "Se déconnecter" }).click();
  }
  await page.waitForURL(/:3100\/connexion\?message=deconnecte/);
  await expect(page.getByText("Vous êtes déconnecté.")).toBeVisible();
  await page.goto("/espace");
  await expect(page).toHaveURL(/\/connexion\?retour=/);
});
