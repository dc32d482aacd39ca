/**
 * The single-use sign-in link, as the owner of a protected account uses it on a phone at the port
 * gate (360 × 740): asked from the sign-in page, received by mail, confirmed with a button (so that
 * a mail scanner opening the link signs nobody in), then spent. Each page fits the screen, works
 * with the keyboard and has no serious accessibility defect.
 */
import type { Page } from "@playwright/test";
import {
  ACCOUNTS,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  horizontalOverflow,
  mailTo,
  open,
  test,
} from "./helpers";

test.use({ viewport: PHONE });

async function expectFitsThePhone(page: Page, what: string): Promise<void> {
  expect(await horizontalOverflow(page), `${what} défile horizontalement`).toBeLessThanOrEqual(1);
}

test("le titulaire d'un compte protégé se connecte une fois avec un lien reçu par courriel", async ({
  page,
  consoleGuard,
}) => {
  // Three pages, each swept for accessibility (without JavaScript, on a copy too), and a mail:
  // 28 s on this machine without JavaScript, past 30 s when it is busy.
  test.slow();
  // Each project its own account, so that the two runs never read each other's mail (neither
  // signs in through the identity provider, whose accounts get no link).
  const account = hasJavaScript() ? ACCOUNTS.dgitm : ACCOUNTS.admin;

  // The sign-in page, once the account's budget is spent, offers the link.
  await open(page, `/connexion?erreur=compte-protege&adresse=${encodeURIComponent(account)}`);
  await expect(page.getByRole("alert")).toContainText("lien de connexion à usage unique");
  const ask = page.getByRole("button", { name: "Recevoir un lien de connexion par courriel" });
  await expect(ask).toBeVisible();
  await expectFitsThePhone(page, "la connexion d'un compte protégé");
  await expectNoSeriousAccessibilityViolation(page, "la connexion d'un compte protégé", consoleGuard);
  await ask.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByText("Si un compte se connectant par mot de passe existe pour cette adresse")).toBeVisible();

  // The mail's link opens a page that asks for a confirmation.
  const mail = await mailTo(account, /Votre lien de connexion France Sésame/);
  const link = mail.links.find((href) => href.includes("/connexion/lien?jeton="));
  expect(link, "le courriel contient le lien").toBeDefined();
  const address = new URL(link!).pathname + new URL(link!).search;
  await open(page, address);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Se connecter avec un lien");
  await expect(page.getByText(account)).toBeVisible();
  await expectFitsThePhone(page, "la page du lien de connexion");
  await expectNoSeriousAccessibilityViolation(page, "la page du lien de connexion", consoleGuard);
  const confirm = page.getByRole("button", { name: "Me connecter" });
  await confirm.focus();
  await page.keyboard.press("Enter");
  await expect(page).not.toHaveURL(/\/connexion/);
  // Signed in: their home page (or the terms of use to accept first).
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/Mon accueil|Conditions générales/);

  // Spent: opening it again signs nobody in.
  await page.context().clearCookies();
  await open(page, address);
  await expect(page.getByText("Ce lien n'est plus valable")).toBeVisible();
  await expect(page.getByRole("button", { name: "Me connecter" })).toHaveCount(0);
  await expectNoSeriousAccessibilityViolation(page, "un lien de connexion déjà utilisé", consoleGuard);
});
