/**
 * The account paths a newcomer's walk found missing or rough (issue 10): a head of service brings
 * an agent in by mail and habilitates them; a person changes their password from the personal
 * space; a refused sign-in keeps the address out of the URL, takes the focus and marks its
 * fields; empty forms are answered in French by the server, never by the browser's own bubble.
 *
 * Each test runs in both projects against the same server, on accounts of its own (a fresh
 * invited agent per project): the demo accounts' passwords never change.
 */
import type { Page } from "@playwright/test";
import {
  ACCOUNTS,
  PHONE,
  acceptCgu,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  horizontalOverflow,
  mailTo,
  open,
  signIn,
  signOut,
  test,
  waitUntilInteractive,
  type ConsoleGuard,
} from "./helpers";

/** A fresh address for this project and run. */
function freshAddress(who: string): string {
  return `${who}-${hasJavaScript() ? "avec" : "sans"}-${Date.now()}@example.fr`;
}

/** No serious accessibility defect, and nothing wider than the window. */
async function checkPage(page: Page, what: string, guard: ConsoleGuard) {
  expect(await horizontalOverflow(page), `${what} : défilement horizontal`).toBeLessThanOrEqual(0);
  await expectNoSeriousAccessibilityViolation(page, what, guard);
}

/** The head of service invites an agent of their administration; gives the invitation's link path. */
async function headInvitesAgent(page: Page, name: string, email: string, guard: ConsoleGuard): Promise<string> {
  await signIn(page, ACCOUNTS.chef);
  await open(page, "/habilitations");
  const section = page.locator("#invitations");
  await expect(section.getByRole("heading", { name: "Inviter un agent" })).toBeVisible();
  await section.getByLabel("Prénom et nom de l'agent").fill(name);
  await section.getByLabel(/^Adresse électronique professionnelle de l'agent/).fill(email);
  await section.getByRole("button", { name: "Envoyer l'invitation" }).click();
  await expect(page.getByText("L'agent a reçu un courriel")).toBeVisible();
  // Pending, and withdrawable, on the habilitations page.
  const pending = page.getByRole("table", { name: "Les invitations en attente" });
  await expect(pending).toContainText(email);
  await expect(pending.getByRole("button", { name: `Retirer l'invitation de ${name}` }).first()).toBeVisible();
  // The page again, without the fragment the answer carries (the axe copy is fetched by address).
  await open(page, "/habilitations");
  await checkPage(page, "les habilitations avec une invitation d'agent en attente", guard);
  await signOut(page);

  const mail = await mailTo(email, /Votre invitation sur France Sésame/);
  expect(mail.text).toContain("Isabelle Girard");
  expect(mail.text).toContain("SIVEP");
  const link = mail.links.find((href) => href.includes("/mot-de-passe/nouveau?jeton="));
  expect(link, "un lien d'invitation").toBeDefined();
  return new URL(link!).pathname + new URL(link!).search;
}

/** The invitee chooses a password from the link: the account opens, the sign-in form comes filled in. */
async function acceptInvitation(page: Page, link: string, email: string, password: string, guard: ConsoleGuard) {
  await open(page, link);
  await expect(page.getByText(email)).toBeVisible();
  await checkPage(page, "le choix du mot de passe d'un agent invité", guard);
  await page.getByLabel("Nouveau mot de passe").fill(password);
  await page.getByLabel("Confirmation du mot de passe").fill(password);
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await expect(page.getByText("Votre compte est ouvert")).toBeVisible();
  expect(page.url()).not.toContain(encodeURIComponent(email));
  expect(page.url()).not.toContain("adresse=");
  await expect(page.getByRole("textbox", { name: /^Adresse électronique/ })).toHaveValue(email);
}

test("le chef de service invite un agent, qui accepte par courriel, puis l'habilite", async ({ page, consoleGuard }) => {
  test.slow();
  const name = hasJavaScript() ? "Aline Marchand" : "Bruno Charpentier";
  const agent = freshAddress("agent-invite");
  const password = "un agent neuf au poste frontalier";
  const link = await headInvitesAgent(page, name, agent, consoleGuard);

  await page.setViewportSize(PHONE);
  await acceptInvitation(page, link, agent, password, consoleGuard);
  // First sign-in: the terms of use, sent empty first — answered in French, no browser bubble.
  await waitUntilInteractive(page);
  await page.getByLabel("Mot de passe", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(/\/cgu\/acceptation/);
  await waitUntilInteractive(page);
  await expect(page.locator('form[action="/cgu/acceptation"]')).toHaveAttribute("novalidate", "");
  await page.getByRole("button", { name: "Accepter et continuer" }).click();
  await expect(page).toHaveURL(/erreur=cgu-non-cochee/);
  await expect(page.getByRole("alert")).toContainText("Cochez la case pour accepter les conditions générales d'utilisation.");
  await expect(page.locator("#erreur-formulaire")).toBeFocused();
  await expect(page.locator("#accepte")).toHaveAttribute("aria-invalid", "true");
  await checkPage(page, "les CGU refusées faute de case cochée, sur téléphone", consoleGuard);
  await acceptCgu(page);
  await waitUntilInteractive(page);
  // An agent with no habilitation yet: the personal space says so.
  await open(page, "/espace");
  await expect(page.getByText("Vous n'avez encore aucune habilitation")).toBeVisible();
  await checkPage(page, "l'espace d'un agent invité, sans habilitation, sur téléphone", consoleGuard);
  // The header's sign-out button is in the folded menu on a phone.
  await page.setViewportSize({ width: 1366, height: 800 });
  await signOut(page);

  // The head habilitates the new agent as any other.
  await signIn(page, ACCOUNTS.chef);
  await open(page, "/habilitations");
  // Accepted: no longer among the pending invitations.
  await expect(page.locator("#invitations")).not.toContainText(agent);
  await page.getByLabel("Agent", { exact: true }).selectOption({ label: `${name} — ${agent}` });
  const site = page.getByLabel("Site", { exact: true });
  const siteOption = await site.locator("option", { hasText: "(FRLEH)" }).textContent();
  await site.selectOption({ label: siteOption!.trim() });
  await page.getByRole("button", { name: "Accorder l'habilitation" }).click();
  await expect(page.getByText("L'habilitation est accordée")).toBeVisible();
  await expect(page.getByRole("table", { name: "Habilitations sur les sites de vos postes" })).toContainText(agent);
  await checkPage(page, "les habilitations après celle de l'agent invité", consoleGuard);
  await signOut(page);

  await signIn(page, agent, password);
  await open(page, "/espace");
  await expect(page.getByRole("table", { name: "Les sites sur lesquels vous êtes habilité" })).toContainText("En vigueur");
});

test("changer son mot de passe dans son espace, puis se connecter avec le nouveau", async ({ page, consoleGuard }) => {
  test.slow();
  const name = hasJavaScript() ? "Céline Vasseur" : "Denis Roussel";
  const agent = freshAddress("mot-de-passe");
  const first = "le premier mot de passe choisi";
  const second = "un second mot de passe tout neuf";
  const link = await headInvitesAgent(page, name, agent, consoleGuard);
  await acceptInvitation(page, link, agent, first, consoleGuard);
  await signIn(page, agent, first);

  await page.setViewportSize(PHONE);
  await open(page, "/espace");
  const section = page.locator("#mot-de-passe");
  await expect(section.getByRole("heading", { name: "Mon mot de passe" })).toBeVisible();
  await expect(section.locator("form")).toHaveAttribute("novalidate", "");
  await checkPage(page, "l'espace personnel et son mot de passe, sur téléphone", consoleGuard);

  // A wrong current password changes nothing, and says so in French.
  await section.getByLabel("Mot de passe actuel", { exact: true }).fill("pas le bon mot de passe du tout");
  await section.getByLabel(/^Nouveau mot de passe/).fill(second);
  await section.getByLabel("Confirmation du nouveau mot de passe", { exact: true }).fill(second);
  await section.getByRole("button", { name: "Changer mon mot de passe" }).click();
  await expect(page.getByRole("alert")).toContainText("Le mot de passe actuel est incorrect");
  await expect(page.locator("#erreur-formulaire")).toBeFocused();
  await expect(page.locator("#mot-de-passe-actuel")).toHaveAttribute("aria-invalid", "true");
  await checkPage(page, "le mot de passe actuel refusé, sur téléphone", consoleGuard);

  // The right one: changed, this session stays open, a mail says so.
  await waitUntilInteractive(page);
  await section.getByLabel("Mot de passe actuel", { exact: true }).fill(first);
  await section.getByLabel(/^Nouveau mot de passe/).fill(second);
  await section.getByLabel("Confirmation du nouveau mot de passe", { exact: true }).fill(second);
  await section.getByRole("button", { name: "Changer mon mot de passe" }).click();
  await expect(page.getByText("Votre mot de passe est changé")).toBeVisible();
  await expect(page).toHaveURL(/\/espace/);
  const mail = await mailTo(agent, /Le mot de passe de votre compte a été changé/);
  expect(mail.text).not.toContain(second);
  expect(mail.links.filter((href) => href.includes("jeton"))).toEqual([]);
  await page.setViewportSize({ width: 1366, height: 800 });
  await signOut(page);

  // The old password no longer opens the account; the new one does.
  await open(page, "/connexion");
  await page.getByRole("textbox", { name: /^Adresse électronique/ }).fill(agent);
  await page.getByLabel("Mot de passe", { exact: true }).fill(first);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("alert")).toContainText("Adresse électronique ou mot de passe incorrect");
  await signIn(page, agent, second);
  // An agent without a habilitation lands on the home page made for them, which says so.
  await expect(page).toHaveURL(/\/accueil/);
  await expect(page.locator("#ce-que-vous-faites")).toContainText("Vous n'avez pas d'habilitation en cours");
});

test("une connexion refusée garde l'adresse hors de l'URL, donne le focus à l'erreur et marque les champs", async ({
  page,
  consoleGuard,
}) => {
  const unknown = freshAddress("inconnu");
  for (const screen of [{ width: 1366, height: 800 }, PHONE]) {
    await page.setViewportSize(screen);
    await open(page, "/connexion");
    await page.getByRole("textbox", { name: /^Adresse électronique/ }).fill(unknown);
    await page.getByLabel("Mot de passe", { exact: true }).fill("un mot de passe qui ne va pas");
    await page.getByRole("button", { name: "Se connecter" }).click();
    await expect(page).toHaveURL(/\/connexion\?erreur=identifiants/);
    expect(page.url()).not.toContain(encodeURIComponent(unknown));
    expect(page.url()).not.toContain("adresse=");
    await waitUntilInteractive(page);
    const alert = page.locator("#erreur-formulaire");
    await expect(alert).toContainText("Adresse électronique ou mot de passe incorrect");
    await expect(alert).toBeFocused();
    const address = page.getByRole("textbox", { name: /^Adresse électronique/ });
    const password = page.getByLabel("Mot de passe", { exact: true });
    // The address comes back filled in, from the form's short-lived cookie.
    await expect(address).toHaveValue(unknown);
    for (const field of [address, password]) {
      await expect(field).toHaveAttribute("aria-invalid", "true");
      await expect(field).toHaveAttribute("aria-describedby", "erreur-formulaire");
      await expect(field.locator("xpath=..")).toHaveClass(/fr-input-group--error/);
    }
    await checkPage(page, `la connexion refusée (${screen.width} px)`, consoleGuard);
  }
});

test("un formulaire de connexion vide répond en français, sans bulle du navigateur", async ({ page, consoleGuard }) => {
  // Each refusal swept for accessibility (without JavaScript, on a copy too): 25 s at worst here.
  test.slow();
  await open(page, "/connexion");
  // The browser validates nothing itself: no form of the page asks it to.
  await expect(page.locator("form:not([novalidate]) :invalid")).toHaveCount(0);
  await expect(page.locator('form[action="/connexion"]')).toHaveAttribute("novalidate", "");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(/erreur=adresse-invalide/);
  await expect(page.getByRole("alert")).toContainText("Saisissez votre adresse électronique.");
  await expect(page.locator("#erreur-formulaire")).toBeFocused();
  await expect(page.getByRole("textbox", { name: /^Adresse électronique/ })).toHaveAttribute("aria-invalid", "true");
  await checkPage(page, "la connexion envoyée vide", consoleGuard);

  // An address without a password: asked for, and no attempt spent.
  await waitUntilInteractive(page);
  await page.getByRole("textbox", { name: /^Adresse électronique/ }).fill(ACCOUNTS.dgitm);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page).toHaveURL(/erreur=mot-de-passe-manquant/);
  await expect(page.getByRole("alert")).toContainText("Saisissez votre mot de passe.");
  await expect(page.getByLabel("Mot de passe", { exact: true })).toHaveAttribute("aria-invalid", "true");
  expect(page.url()).not.toContain("adresse=");

  // The forgotten-password form too.
  await open(page, "/mot-de-passe-oublie");
  await expect(page.locator('form[action="/mot-de-passe-oublie"]')).toHaveAttribute("novalidate", "");
  await page.getByRole("button", { name: "Recevoir un lien" }).click();
  await expect(page.getByRole("alert")).toContainText("Saisissez votre adresse électronique.");
  await checkPage(page, "le mot de passe oublié envoyé vide", consoleGuard);
});
