/**
 * A company not yet registered on France Sésame: the first person of it whom the customs account
 * signs in without naming a company declares it, for the sites where it has its goods checked,
 * with the extract of the company registry; an agent of one of those sites checks the SIRET and
 * the name against the extract and registers it; the person then comes in as the administrator
 * of the company's account. An agent of another site never sees the request.
 *
 * On the main instance (demo data, its sites and their agents), whose provider `douane` plays the
 * customs account: it opens operators' accounts (`opens_operator_accounts`, playwright.config.ts).
 */
import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import {
  ACCOUNTS,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  mailTo,
  mainNavigation,
  acceptTermsAfterNotice,
  anotherPerson,
  fitsOnAPhone,
  open,
  signInThroughProvider,
  signIn,
  test,
  waitUntilInteractive,
} from "./helpers";
import { PORT } from "../playwright.config";

/** Whether a number passes the Luhn check (SIREN and SIRET keys). */
function luhn(digits: string): boolean {
  const sum = [...digits].reverse().reduce((total, c, i) => {
    const doubled = i % 2 === 1 ? Number(c) * 2 : Number(c);
    return total + (doubled > 9 ? doubled - 9 : doubled);
  }, 0);
  return sum % 10 === 0;
}

/** `digits` followed by the key that makes them pass the Luhn check. */
function withKey(digits: string): string {
  return digits + [..."0123456789"].find((key) => luhn(digits + key))!;
}

/**
 * A SIRET no company of the platform has: a SIREN drawn at random (never La Poste's, whose
 * numbers follow another rule), an establishment's NIC, their keys. The main instance's database
 * may outlive a run: each run, and each project, draws its own.
 */
function unregisteredSiret(): string {
  const random = (length: number) =>
    Array.from({ length }, (_, i) => String(Math.floor(Math.random() * (i === 0 ? 9 : 10)) + (i === 0 ? 1 : 0))).join("");
  let siren = withKey(random(8));
  while (siren === "356000000") siren = withKey(random(8));
  return withKey(`${siren}${random(4)}`);
}

/** A small PDF, as an extract of the company registry downloaded from the court's registry is. */
const EXTRACT = Buffer.from("%PDF-1.4\n% Extrait Kbis — Primeurs de la Manche, immatriculée au RCS du Havre\n%%EOF\n");
const EXTRACT_NAME = "extrait-kbis.pdf";

/** Signs in through the customs account (the provider `douane` of the main instance). */
async function signInThroughCustoms(page: Page, login: string) {
  await signInThroughProvider(page, login, { port: PORT, button: "Se connecter avec le compte douane de test" });
}

/** The form that declares a company not yet registered. */
function newCompanyForm(page: Page) {
  return page.locator('form[action="/demande-acces/entreprise"]');
}

/** The queue's item of a company, by its heading. */
function queueItem(page: Page, heading: string) {
  return page.getByRole("listitem").filter({ has: page.getByRole("heading", { level: 2, name: heading, exact: true }) });
}

test("une entreprise pas encore inscrite : déclarée avec son extrait, vérifiée par un agent du site, puis ouverte à la personne qui l'a déclarée", async ({
  page,
  browser,
  consoleGuard,
}) => {
  test.setTimeout(180_000);
  // A person, a company and a SIRET of this run and this project: both projects run at once on
  // the same instance, whose database may outlive a run.
  const tag = `${hasJavaScript() ? "j" : "s"}${Date.now().toString(36)}`;
  const login = `ines.garnier.${tag}@primeurs-manche.fr`;
  const company = `Primeurs de la Manche ${tag.toUpperCase()}`;
  const siret = unregisteredSiret();
  const heading = `${company} — SIRET ${siret}`;
  const people: Page[] = [];
  const person = async () => {
    const opened = await anotherPerson(browser, consoleGuard, `http://127.0.0.1:${PORT}`);
    people.push(opened);
    return opened;
  };
  let fos: Page | undefined;
  let agent: Page | undefined;

  try {
    await test.step("sans entreprise attestée, la personne déclare la sienne pour Le Havre, avec l'extrait du registre", async () => {
      await signInThroughCustoms(page, login);
      await expect(page).toHaveURL(/\/demande-acces$/);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Votre demande d'accès à France Sésame");
      await expect(
        page.getByRole("heading", { level: 2, name: "Votre entreprise n'est pas encore inscrite sur France Sésame ?", exact: true }),
      ).toBeVisible();
      const form = newCompanyForm(page);
      // Two fields start with « SIRET de l'établissement »: the request to join a registered
      // company's, and this one's.
      const siretField = form.locator("#entreprise-siret");
      await expect(siretField).toHaveAccessibleName(/^SIRET de l'établissement/);
      const nameField = form.getByRole("textbox", { name: /^Raison sociale/ });
      const extractField = form.locator("#entreprise-extrait");
      await expect(extractField).toHaveAccessibleName(/^Extrait du registre de l'entreprise/);
      const sites = form.getByRole("group", { name: /^Sites où l'entreprise fait contrôler ses marchandises/ });
      await expect(sites).toBeVisible();
      const leHavre = form.locator("#entreprise-site-FRLEH");
      await expect(sites.locator('label[for="entreprise-site-FRLEH"]')).toHaveText(/^Le Havre \(.+\)$/);
      await expectNoSeriousAccessibilityViolation(page, "la demande d'accès avec l'inscription d'une entreprise", consoleGuard);
      await fitsOnAPhone(page, "la demande d'accès avec l'inscription d'une entreprise");

      // No site ticked: said so, what was typed kept.
      await siretField.fill(siret);
      await nameField.fill(company);
      await extractField.setInputFiles({ name: EXTRACT_NAME, mimeType: "application/pdf", buffer: EXTRACT });
      await form.getByRole("button", { name: "Demander l'inscription de l'entreprise", exact: true }).click();
      await page.waitForURL(/erreur=sites-manquants/);
      await waitUntilInteractive(page);
      await expect(page.getByRole("alert").filter({ hasText: "Cochez au moins un site où votre entreprise fait contrôler ses marchandises" })).toBeVisible();
      await expect(siretField).toHaveValue(siret);
      await expect(nameField).toHaveValue(company);
      // Only the form that was refused gets back what was typed, not the join form above it.
      await expect(page.locator("#demande-siret")).toHaveValue("");

      // Le Havre ticked (the DSFR draws the box on its label, which is what people press), the
      // extract joined again: the request waits for the agents of Le Havre.
      await form.locator('label[for="entreprise-site-FRLEH"]').click();
      await expect(leHavre).toBeChecked();
      await extractField.setInputFiles({ name: EXTRACT_NAME, mimeType: "application/pdf", buffer: EXTRACT });
      await form.getByRole("button", { name: "Demander l'inscription de l'entreprise", exact: true }).click();
      await page.waitForURL(/\/demande-acces\?message=inscription-envoyee$/);
      await waitUntilInteractive(page);
      await expect(page.getByRole("status").filter({ hasText: "Votre demande d'inscription est envoyée" })).toBeVisible();
      await expect(
        page.getByText(
          new RegExp(
            `^Votre demande d'inscription de l'entreprise ${company} \\(SIRET ${siret}\\), ouverte le .+, attend la vérification des services de contrôle de : Le Havre\\.$`,
          ),
        ),
      ).toBeVisible();
      await expectNoSeriousAccessibilityViolation(page, "la demande d'inscription d'une entreprise en attente", consoleGuard);
      await fitsOnAPhone(page, "la demande d'inscription d'une entreprise en attente");
    });

    await test.step("l'agent de Fos, dont le site n'est pas déclaré, ne la voit pas", async () => {
      fos = await person();
      await signIn(fos, ACCOUNTS.agentFos);
      await open(fos, "/verifications-entreprises");
      await expect(fos.getByRole("heading", { level: 1 })).toHaveText("Entreprises à vérifier");
      // The list (or its absence) has loaded.
      await expect(fos.getByText("Chargement des entreprises à vérifier…")).toHaveCount(0);
      await expect(fos.getByText(company)).toHaveCount(0);
      await expect(fos.getByText(siret)).toHaveCount(0);
    });

    let extractPath = "";
    await test.step("l'agent SIVEP du Havre la trouve dans « Entreprises à vérifier », et télécharge l'extrait", async () => {
      agent = await person();
      await signIn(agent, ACCOUNTS.agentSivep);
      await mainNavigation(agent).getByRole("link", { name: "Entreprises à vérifier", exact: true }).click();
      await agent.waitForURL(/\/verifications-entreprises$/);
      await waitUntilInteractive(agent);
      await expect(agent.getByRole("heading", { level: 1 })).toHaveText("Entreprises à vérifier");
      const item = queueItem(agent, heading);
      await expect(item).toHaveCount(1);
      await expect(item).toContainText(`(${login}), pour : Le Havre.`);
      const download = item.getByRole("link", { name: /^Télécharger l'extrait « extrait-kbis\.pdf » \(PDF, / });
      await expect(download).toBeVisible();
      extractPath = (await download.getAttribute("href"))!;
      expect(extractPath).toMatch(/^\/verifications-entreprises\/\d+\/extrait$/);
      const [file] = await Promise.all([agent.waitForEvent("download"), download.click()]);
      expect(file.suggestedFilename()).toBe(EXTRACT_NAME);
      expect(Buffer.compare(await readFile((await file.path())!), EXTRACT), "l'extrait téléchargé est celui qui a été joint").toBe(0);
      await expectNoSeriousAccessibilityViolation(agent, "les entreprises à vérifier, avec une inscription en attente", consoleGuard);
      await fitsOnAPhone(agent, "les entreprises à vérifier, avec une inscription en attente");
    });

    await test.step("l'agent de Fos ne peut pas non plus en télécharger l'extrait", async () => {
      const refused = await fos!.request.get(extractPath, { maxRedirects: 0 });
      expect(refused.status()).toBe(404);
      expect(await refused.text()).not.toContain("%PDF");
    });

    await test.step("sans chaque point vérifié, l'agent ne peut pas l'inscrire ; une fois cochés, il l'inscrit", async () => {
      const sophie = agent!;
      const id = /\/verifications-entreprises\/(\d+)\/extrait$/.exec(extractPath)![1];
      let item = queueItem(sophie, heading);
      await item.getByRole("button", { name: `Inscrire ${company}`, exact: true }).click();
      await sophie.waitForURL(/erreur=verification-incomplete/);
      await waitUntilInteractive(sophie);
      await expect(
        sophie.getByRole("alert").filter({ hasText: "Rien n'a été décidé : une inscription n'est acceptée qu'une fois chaque point vérifié" }),
      ).toBeVisible();

      item = queueItem(sophie, heading);
      await expect(item).toHaveCount(1);
      for (const check of ["siret_conforme", "raison_sociale_conforme", "extrait_recent"]) {
        await item.locator(`label[for="${check}-${id}"]`).click();
        await expect(item.locator(`#${check}-${id}`)).toBeChecked();
      }
      await item.getByRole("textbox", { name: /^Observations \(facultatif\)/ }).fill("Extrait Kbis de moins d'un mois, SIRET et raison sociale conformes.");
      await item.getByRole("button", { name: `Inscrire ${company}`, exact: true }).click();
      await sophie.waitForURL(/message=entreprise-inscrite/);
      await waitUntilInteractive(sophie);
      await expect(sophie.getByRole("status").filter({ hasText: "L'entreprise est inscrite :" })).toBeVisible();
      await expect(queueItem(sophie, heading)).toHaveCount(0);
    });

    await test.step("la personne, prévenue, entre par le compte douane dans son entreprise, dont elle est l'administratrice", async () => {
      const told = await mailTo(login, /^Votre entreprise est inscrite sur France Sésame$/);
      expect(told.text).toContain(`l'entreprise ${company} (SIRET ${siret}) est inscrite`);
      await open(page, "/demande-acces");
      await expect(
        page.getByText(`L'entreprise ${company} est inscrite : votre compte y est ouvert, et vous êtes l'administrateur de son compte.`),
      ).toBeVisible();

      await signInThroughCustoms(page, login);
      await acceptTermsAfterNotice(page);
      await waitUntilInteractive(page);
      await page.getByRole("banner").getByRole("link", { name: /Mon espace/ }).first().click();
      await page.waitForURL(/\/espace$/);
      await waitUntilInteractive(page);
      await expect(page.getByRole("region", { name: "Mon entreprise" })).toContainText(heading);
      const colleagues = page.getByRole("table", { name: "Les personnes de votre entreprise" });
      await expect(colleagues.getByRole("row").filter({ hasText: login })).toContainText("Administrateur");
      // Only a company's administrator decides about the requests to join it.
      await expect(page.getByRole("heading", { level: 3, name: "Demandes d'accès", exact: true })).toBeVisible();
    });
  } finally {
    for (const other of people) {
      await other.context().close();
    }
  }
});
