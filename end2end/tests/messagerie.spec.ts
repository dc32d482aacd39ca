/**
 * The messaging in the browser, on the live instance: on a 360-px phone, an operator writes from
 * a dossier to « je ne sais pas »; a customs agent sees the request arrive in the site's inbox
 * without reloading, takes it, adds an internal note and replies; the operator sees the reply
 * arrive without reloading (never the note) and is notified; an agent's « demande de
 * compléments » reaches the operator by mail. Without JavaScript the same, by reloading. Axe
 * clean on each page.
 */
import type { Page } from "@playwright/test";
import {
  ACCOUNTS,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  horizontalOverflow,
  open,
  test,
  waitUntilInteractive,
} from "./helpers";
import { BASE_URL, anotherPerson, liveMailTo, newDossier, pdf, siretOf } from "./instance-directe";

test.use({ baseURL: BASE_URL });

/** Waits until `text` is on the page: live with JavaScript, by reloading without. */
async function untilShown(page: Page, path: string, text: string) {
  if (hasJavaScript()) {
    await expect(page.getByText(text).first()).toBeVisible({ timeout: 15_000 });
    return;
  }
  await expect
    .poll(
      async () => {
        await open(page, path);
        return await page.getByText(text).count();
      },
      { timeout: 15_000, intervals: [500, 1_000] },
    )
    .toBeGreaterThan(0);
}

/** The live bar says the page is live (with JavaScript). */
async function live(page: Page) {
  if (hasJavaScript()) {
    await expect(page.getByRole("status").filter({ hasText: "Mises à jour en direct" })).toBeVisible();
  }
}

test.describe("messagerie", () => {
  test.use({ account: ACCOUNTS.operateur, viewport: PHONE });

  test("l'opérateur écrit depuis un dossier sur téléphone ; un agent prend, annote et répond en direct", async ({ page, browser, consoleGuard }) => {
    test.slow();
    const dossier = await newDossier(page.request, await siretOf(page));
    const title = `Horaire de présentation ${Date.now()}-${hasJavaScript() ? "js" : "html"}`;

    // The customs agent watches the site's inbox, at a desk.
    const agent = await anotherPerson(browser, ACCOUNTS.agentDouane, { width: 1280, height: 800 });
    await open(agent, "/messagerie");
    await expect(agent.getByRole("heading", { level: 1, name: "Messagerie" })).toBeVisible();
    await live(agent);

    // The operator writes from the dossier, on a phone.
    await open(page, `/dossiers/${dossier}`);
    const exchanges = page.locator("#echanges");
    await expect(exchanges.getByRole("heading", { name: "Échanges" })).toBeVisible();
    await exchanges.getByRole("link", { name: "Écrire à l'administration au sujet de ce dossier" }).click();
    await waitUntilInteractive(page);
    await expect(page.getByRole("heading", { level: 1, name: "Nouvelle demande" })).toBeVisible();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectNoSeriousAccessibilityViolation(page, "le formulaire d'une nouvelle demande sur téléphone", consoleGuard);
    // The DSFR draws the radio button on its label, which is what a person presses.
    await page.locator("label", { hasText: "Je ne sais pas" }).click();
    await page.getByLabel("Sujet").selectOption({ label: "Rendez-vous" });
    await page.getByLabel(/^Objet/).fill(title);
    await page.getByLabel(/^Message/).fill("Bonjour,\nÀ quelle heure présenter le lot au poste ?");
    await page.getByLabel(/^Pièces jointes/).setInputFiles({ name: "bon de livraison.pdf", mimeType: "application/pdf", buffer: pdf("bon") });
    await page.getByRole("button", { name: "Envoyer" }).click();
    await page.waitForURL(/\/messagerie\/\d+\?message=echange-ouvert/);
    await waitUntilInteractive(page);
    const exchangePath = new URL(page.url()).pathname;
    await expect(page.getByText("Votre demande est envoyée.")).toBeVisible();
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await expect(page.locator("#fil")).toContainText("À quelle heure présenter le lot au poste ?");
    await expect(page.locator("#fil")).toContainText("bon de livraison");
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await live(page);

    // The request arrives in the inbox, to orient.
    await untilShown(agent, "/messagerie", title);
    const card = agent.locator("li.sesame-exchange").filter({ hasText: title });
    await expect(card).toContainText("Nouvelle");
    await expect(card).toContainText("À orienter");
    await expectNoSeriousAccessibilityViolation(agent, "la boîte de réception de la messagerie", consoleGuard);
    await card.getByRole("link", { name: title }).click();
    await waitUntilInteractive(agent);

    // The agent takes it, adds an internal note, then replies.
    await agent.getByRole("button", { name: "Attribuer" }).click();
    await expect(agent.getByText("L'échange est attribué.")).toBeVisible();
    await waitUntilInteractive(agent);
    await expect(agent.locator(".sesame-facts")).toContainText("Thomas Moreau");
    await agent.locator("#note-texte").fill("Vérifier le créneau avec le SIVEP avant de répondre.");
    await agent.getByRole("button", { name: "Ajouter la note" }).click();
    await expect(agent.getByText("La note interne est ajoutée")).toBeVisible();
    await waitUntilInteractive(agent);
    await expect(agent.locator("#fil")).toContainText("Vérifier le créneau avec le SIVEP");
    // The page at its plain address (the check copies it without its scripts by address).
    await open(agent, exchangePath);
    await expectNoSeriousAccessibilityViolation(agent, "un échange, côté agent", consoleGuard);
    await agent.locator("#reponse-texte").fill("Présentez le lot à 14 h au poste FRLEH1.");
    await agent.getByRole("button", { name: "Envoyer" }).click();
    await expect(agent.getByText("Votre message est envoyé.")).toBeVisible();

    // The operator sees the reply arrive, never the note, and is notified.
    await untilShown(page, exchangePath, "Présentez le lot à 14 h au poste FRLEH1.");
    await expect(page.locator("#fil")).not.toContainText("Vérifier le créneau");
    await open(page, "/notifications");
    await expect(page.locator("article").filter({ hasText: title }).first()).toContainText("Réponse à votre demande");
    await open(page, exchangePath);
    await expectNoSeriousAccessibilityViolation(page, "un échange, côté opérateur, sur téléphone", consoleGuard);
    await agent.context().close();
  });

  test("la demande de compléments d'un agent arrive à l'opérateur par courriel", async ({ page, browser, consoleGuard }) => {
    test.slow();
    const dossier = await newDossier(page.request, await siretOf(page));
    const title = `Certificat original ${Date.now()}-${hasJavaScript() ? "js" : "html"}`;
    const agent = await anotherPerson(browser, ACCOUNTS.agentSivep, PHONE);
    await open(agent, `/dossiers/${dossier}`);
    await agent.locator("#echanges").getByRole("link", { name: "Demander des compléments à l'opérateur" }).click();
    await waitUntilInteractive(agent);
    await expect(agent.getByRole("heading", { level: 1, name: "Demande de compléments" })).toBeVisible();
    expect(await horizontalOverflow(agent)).toBeLessThanOrEqual(0);
    await expectNoSeriousAccessibilityViolation(agent, "une demande de compléments sur téléphone", consoleGuard);
    await agent.getByLabel("Sujet").selectOption({ label: "Documents" });
    await agent.getByLabel(/^Objet/).fill(title);
    await agent.getByLabel(/^Message/).fill("Merci de joindre le certificat sanitaire original.");
    await agent.getByRole("button", { name: "Envoyer la demande de compléments" }).click();
    await agent.waitForURL(/message=complements-demandes/);
    await expect(agent.getByText("La demande de compléments est envoyée")).toBeVisible();

    const mail = await liveMailTo(ACCOUNTS.operateur, title);
    expect(mail.subject).toContain("Demande de compléments");
    expect(mail.text).toContain("Action requise");
    expect(mail.text).not.toContain("Merci de joindre");
    const link = mail.links.find((l) => l.includes("/messagerie/"));
    expect(link, mail.text).toBeTruthy();
    await open(page, new URL(link!).pathname);
    await expect(page.locator("#fil")).toContainText("Merci de joindre le certificat sanitaire original.");
    await expect(page.locator(".sesame-facts")).toContainText("Réponse attendue au plus tard le");
    await agent.context().close();
  });
});
