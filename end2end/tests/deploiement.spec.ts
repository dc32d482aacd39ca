/**
 * A deployment without demo data, from its first command to its first operators: the first
 * technical administrator opened from the command line, who opens a site and its post, invites a
 * head of service, who invites and habilitates an agent; a partner key; an operator whose customs
 * account names their company, whose company a partner event then gives a dossier; a colleague whose
 * customs account names none, who asks to join and is accepted; and a suspension while the operator
 * has a live page open.
 *
 * All of it on the fresh instance (`FRESH_PORT` in playwright.config.ts), configured as the State
 * runs it: operators' local accounts off, operators coming in through the customs account (here,
 * the test provider with `opens_operator_accounts`).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import {
  PHONE,
  decodeMail,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  horizontalOverflow,
  acceptTermsAfterNotice,
  anotherPerson,
  fitsOnAPhone,
  open,
  signInThroughProvider,
  resultCount,
  resultsHeading,
  signIn,
  test,
  waitUntilInteractive,
  type ReceivedMail,
} from "./helpers";
import { FRESH_DATABASE_URL, FRESH_MAIL_FOLDER, FRESH_PORT } from "../playwright.config";

const FRESH = `http://127.0.0.1:${FRESH_PORT}`;
/** The release build, run as whoever holds the deployment runs it. */
const SERVER = path.resolve(__dirname, "../../target/release/server");

test.use({ baseURL: FRESH });

/** Whether a number passes the Luhn check (SIREN and SIRET keys). */
function luhn(digits: string): boolean {
  const sum = [...digits].reverse().reduce((total, c, i) => {
    const doubled = i % 2 === 1 ? Number(c) * 2 : Number(c);
    return total + (doubled > 9 ? doubled - 9 : doubled);
  }, 0);
  return sum % 10 === 0;
}

/** A SIRET: a SIREN, the first four digits of the NIC, and the key that makes it valid. */
function siret(siren: string, nic: string): string {
  if (!luhn(siren)) throw new Error(`SIREN invalide : ${siren}`);
  const first = `${siren}${nic}`;
  const key = [..."0123456789"].find((digit) => luhn(first + digit))!;
  return first + key;
}

/** The company the customs account asserts for its first operator. */
const NEUF_IMPORT = siret("552100554", "0012");
/** The same number with its key wrong: no establishment can have it. */
const WRONG_KEY = NEUF_IMPORT.slice(0, 13) + ((Number(NEUF_IMPORT[13]) + 1) % 10);
/** A valid SIRET that no company on the platform is registered under. */
const UNREGISTERED = siret("732829320", "0099");

/** A container number of this run (its check digit computed as ISO 6346 says). */
function container(): string {
  const code = `NEU${"U"}${String(Math.floor(Math.random() * 900_000) + 100_000)}`;
  const value = (c: string) => {
    if (/\d/.test(c)) return Number(c);
    const n = c.charCodeAt(0) - 55;
    return n + Math.floor((n - 1) / 10);
  };
  const sum = [...code].reduce((total, c, i) => total + value(c) * 2 ** i, 0);
  return `${code}${(sum % 11) % 10}`;
}

/**
 * The newest mail the fresh instance wrote to `to` since `since` whose subject matches. The mail
 * folder outlives a run (its database does not): older mails are left aside.
 */
async function mailTo(to: string, subject: RegExp, since: number): Promise<ReceivedMail> {
  let found: ReceivedMail | undefined;
  const address = new RegExp(`^To:.*${to.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "im");
  await expect
    .poll(
      () => {
        if (!fs.existsSync(FRESH_MAIL_FOLDER)) return false;
        for (const name of fs.readdirSync(FRESH_MAIL_FOLDER).filter((n) => n.endsWith(".eml")).sort().reverse()) {
          const file = path.join(FRESH_MAIL_FOLDER, name);
          if (fs.statSync(file).mtimeMs < since - 1_000) continue;
          const raw = fs.readFileSync(file, "utf8");
          if (!address.test(raw)) continue;
          const mail = decodeMail(raw);
          if (subject.test(mail.subject)) {
            found = mail;
            return true;
          }
        }
        return false;
      },
      { message: `courriel « ${subject} » pour ${to}`, timeout: 20_000 },
    )
    .toBe(true);
  return found!;
}

/** The single-use link of a mail that opens an account (or sets its password). */
function passwordLink(mail: ReceivedMail): string {
  const link = mail.links.find((href) => href.includes("/mot-de-passe/nouveau?jeton="));
  expect(link, `lien de mot de passe dans « ${mail.subject} »`).toBeDefined();
  const url = new URL(link!);
  // The links name the platform's address: this instance's, since it has no public URL of its own.
  expect(url.origin).toBe(FRESH);
  return url.pathname + url.search;
}

/** Chooses a password from a single-use link. */
async function choosePassword(page: Page, link: string, email: string, password: string) {
  await open(page, link);
  await expect(page.getByText(email)).toBeVisible();
  await page.getByLabel("Nouveau mot de passe").fill(password);
  await page.getByLabel("Confirmation du mot de passe").fill(password);
  await page.getByRole("button", { name: "Enregistrer le mot de passe" }).click();
  await page.waitForURL((url) => url.pathname !== "/mot-de-passe/nouveau");
  await waitUntilInteractive(page);
}

/**
 * The SIRET field of the request to join a company (the form below it, which declares a company
 * not yet registered, has a field of the same name: see inscription-entreprise.spec.ts).
 */
function siretField(page: Page) {
  return page.locator('form[action="/demande-acces"]').getByRole("textbox", { name: /^SIRET de l'établissement/ });
}

/** The rows of the accounts the administrator found. */
function accountRows(page: Page) {
  return page.getByRole("table", { name: "Comptes trouvés, par nom" }).locator("tbody tr");
}

test("d'une base vide aux premiers opérateurs : administrateur, site, chef de service, agent, clé, entreprise, demande d'accès, suspension", async ({
  page,
  browser,
  request,
  consoleGuard,
}) => {
  // One deployment, bootstrapped once: its first administrator can only be opened once, so the
  // journey runs in one project. The project without JavaScript checks the request to join, the
  // page of this deployment that the journey's people meet first, in the test below.
  test.skip(!hasJavaScript(), "un seul déploiement, ouvert une seule fois : le parcours se joue avec JavaScript");
  test.setTimeout(300_000);
  const startedAt = Date.now();
  const people: Page[] = [];
  const person = async () => {
    const opened = await anotherPerson(browser, consoleGuard, FRESH);
    people.push(opened);
    return opened;
  };
  const adminEmail = "camille.fournier@interieur.gouv.fr";
  const adminPassword = "premier administrateur de la plateforme";

  try {
    await test.step("la ligne de commande ouvre le premier administrateur, une fois seulement", async () => {
      // As whoever holds the deployment runs it: the server's own configuration (its database,
      // its address, which gives the link's).
      const env = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        DATABASE_URL: FRESH_DATABASE_URL,
        LEPTOS_SITE_ADDR: `127.0.0.1:${FRESH_PORT}`,
        SESAME_LOG: "warn",
      };
      const printed = execFileSync(SERVER, ["admin", "create", "--email", adminEmail, "--name", "Camille Fournier"], {
        env,
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(printed).toContain(`Compte d'administrateur technique n° 1 ouvert pour ${adminEmail}.`);
      expect(printed).toContain("Pour choisir son mot de passe, ouvrez ce lien une seule fois, avant le");
      const link = /^(http\S+\/mot-de-passe\/nouveau\?jeton=\S+)$/m.exec(printed)?.[1];
      expect(link, `lien affiché par admin create :\n${printed}`).toBeDefined();
      expect(new URL(link!).origin).toBe(FRESH);

      // A second run refuses and creates nothing, even for another address.
      let refused: { status: number | null; stdout: string; stderr: string } | undefined;
      try {
        execFileSync(SERVER, ["admin", "create", "--email", "autre.personne@interieur.gouv.fr", "--name", "Autre Personne"], {
          env,
          encoding: "utf8",
          timeout: 30_000,
          stdio: "pipe",
        });
      } catch (error) {
        refused = error as { status: number | null; stdout: string; stderr: string };
      }
      expect(refused, "la seconde commande admin create a réussi").toBeDefined();
      expect(refused!.status).not.toBe(0);
      expect(`${refused!.stdout}${refused!.stderr}`).toContain(
        "Cette plateforme a déjà 1 administrateur technique : rien n'a été créé. Pour en ajouter un autre, relancez la commande avec --supplementaire.",
      );

      // The administrator chooses a password from the link, which then serves no more.
      await choosePassword(page, new URL(link!).pathname + new URL(link!).search, adminEmail, adminPassword);
      await expect(page).toHaveURL(/\/connexion/);
      await expect(page.getByRole("status").filter({ hasText: "Votre compte est ouvert" })).toBeVisible();
      await open(page, new URL(link!).pathname + new URL(link!).search);
      await expect(page.getByText("Ce lien n'est plus valable")).toBeVisible();

      // Signing in: the personal data notice first, then the terms of use.
      await open(page, "/connexion");
      await page.getByRole("textbox", { name: /^Adresse électronique/ }).fill(adminEmail);
      await page.getByLabel("Mot de passe", { exact: true }).fill(adminPassword);
      await page.getByRole("button", { name: "Se connecter" }).click();
      await page.waitForURL((url) => url.pathname !== "/connexion");
      await acceptTermsAfterNotice(page);
      await waitUntilInteractive(page);
      await expect(page.getByRole("banner").getByRole("link", { name: /Mon espace/ })).toBeVisible();
    });

    await test.step("l'administrateur ouvre le site et son poste", async () => {
      await open(page, "/administration/sites");
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Sites et postes de contrôle");
      await expect(page.getByText("Aucun site n'est encore ouvert")).toBeVisible();
      await page.getByRole("textbox", { name: /^Code UN\/LOCODE/ }).fill("FRLRH");
      await page.getByLabel("Nom du site").fill("La Rochelle — La Pallice");
      await page.getByLabel("Type").selectOption({ label: "Port maritime" });
      await page.getByRole("button", { name: "Ouvrir le site" }).click();
      await page.waitForURL(/message=site-ouvert/);
      await waitUntilInteractive(page);
      const row = page.getByRole("row").filter({ hasText: "FRLRH — La Rochelle — La Pallice" });
      await expect(row).toContainText("Aucun poste pour l'instant");

      // The DSFR draws checkboxes and radio buttons on their labels, which is what people press.
      await page.getByLabel("Code du poste").fill("FRLRH1");
      await page.getByLabel("Nom du poste").fill("PCF de La Pallice");
      await page.locator("label", { hasText: "DGAL (SIVEP)" }).click();
      await page.locator("label", { hasText: "Douane (DGDDI)" }).click();
      await page.locator("label", { hasText: "Un agent valide chaque demande" }).click();
      await page.locator("label", { hasText: "Végétaux et produits végétaux" }).click();
      await page.getByRole("button", { name: "Ouvrir le poste" }).click();
      await page.waitForURL(/message=poste-ouvert/);
      await waitUntilInteractive(page);
      await expect(row).toContainText(
        "FRLRH1 — PCF de La Pallice (DGAL et douane ; chaque demande de rendez-vous validée ; agréé pour : végétaux et produits végétaux)",
      );
    });

    const head = await person();
    const headEmail = "julie.bertin@agriculture.gouv.fr";
    const headPassword = "cheffe du poste de la pallice";
    const agent = await person();
    const agentEmail = "hugo.marchand@agriculture.gouv.fr";
    const agentPassword = "agent des controles a la rochelle";

    await test.step("l'administrateur invite une cheffe de service, qui ouvre son compte", async () => {
      await open(page, "/administration/comptes");
      const form = page.getByRole("region", { name: "Inviter un chef de service, un superviseur ou la DGITM" });
      await form.getByRole("textbox", { name: "Prénom et nom", exact: true }).fill("Julie Bertin");
      await form.getByRole("textbox", { name: /^Adresse électronique professionnelle/ }).fill(headEmail);
      await form.locator("label", { hasText: "Chef de service d'un poste" }).click();
      await form.getByRole("combobox", { name: /^Administration/ }).selectOption({ label: "SIVEP (DGAL)" });
      await form.getByRole("combobox", { name: /^Poste de contrôle frontalier/ }).selectOption("FRLRH1");
      await form.getByRole("button", { name: "Envoyer l'invitation" }).click();
      await page.waitForURL(/message=compte-invite/);
      await waitUntilInteractive(page);
      await expect(page.getByRole("row").filter({ hasText: headEmail })).toContainText(
        "chef de service SIVEP (DGAL) du poste FRLRH1",
      );

      const invitation = await mailTo(headEmail, /Votre invitation sur France Sésame/, startedAt);
      await choosePassword(head, passwordLink(invitation), headEmail, headPassword);
      await expect(head.getByRole("status").filter({ hasText: "Votre compte est ouvert" })).toBeVisible();
      await signIn(head, headEmail, headPassword);
    });

    await test.step("la cheffe de service invite un agent, puis l'habilite sur le site", async () => {
      await open(head, "/habilitations");
      await expect(head.getByRole("heading", { level: 1 })).toHaveText("Habilitations des agents");
      await head.getByLabel("Prénom et nom de l'agent").fill("Hugo Marchand");
      await head.getByRole("textbox", { name: /^Adresse électronique professionnelle de l'agent/ }).fill(agentEmail);
      await head.getByRole("button", { name: "Envoyer l'invitation" }).click();
      await head.waitForURL(/message=agent-invite/);
      await waitUntilInteractive(head);
      await expect(head.getByRole("table", { name: "Les invitations en attente" })).toContainText(agentEmail);

      const invitation = await mailTo(agentEmail, /Votre invitation sur France Sésame/, startedAt);
      await choosePassword(agent, passwordLink(invitation), agentEmail, agentPassword);
      await expect(agent.getByRole("status").filter({ hasText: "Votre compte est ouvert" })).toBeVisible();

      await open(head, "/habilitations");
      await head.getByLabel("Agent", { exact: true }).selectOption({ label: `Hugo Marchand — ${agentEmail}` });
      await head.getByLabel("Site", { exact: true }).selectOption({ label: "La Rochelle — La Pallice (FRLRH)" });
      await head.getByRole("button", { name: "Accorder l'habilitation" }).click();
      await expect(head.getByText("L'habilitation est accordée")).toBeVisible();
      await expect(head.getByRole("table", { name: "Habilitations sur les sites de vos postes" })).toContainText(
        "La Rochelle — La Pallice (FRLRH)",
      );
    });

    let key = "";
    await test.step("l'administrateur crée la clé de TRACES NT pour le site, lue une seule fois", async () => {
      await open(page, "/administration/cles-partenaires");
      await page.getByLabel("Système partenaire").fill("TRACES NT — La Rochelle");
      await page.getByLabel("Source autorisée").selectOption({ label: "TRACES NT" });
      await page.getByLabel("Sites autorisés").fill("FRLRH");
      await page.getByRole("button", { name: "Créer la clé" }).click();
      await page.waitForURL(/message=cle-creee/);
      await waitUntilInteractive(page);
      key = await page.getByLabel("Clé", { exact: true }).inputValue();
      expect(key).toMatch(/^sesame_[0-9a-f]{32,}$/);
      await open(page, "/administration/cles-partenaires");
      expect(await page.content()).not.toContain(key);
    });

    const paul = await person();
    const paulEmail = "paul.leroy@neuf-import.fr";
    const reference = container();

    await test.step("le premier opérateur entre par le compte douane, qui nomme son entreprise ; un événement lui ouvre un dossier", async () => {
      await signInThroughProvider(paul, `${paulEmail}|siret=${NEUF_IMPORT}|entreprise=Neuf Import`, { port: FRESH_PORT, button: "Se connecter avec le fournisseur de test" });
      await acceptTermsAfterNotice(paul);
      await open(paul, "/dossiers");
      await expect(paul.getByRole("heading", { level: 1 })).toBeVisible();
      expect(await resultCount(paul)).toBe(0);
      // No filter chosen: the page says why the list is empty, not that criteria match nothing.
      await expect(resultsHeading(paul)).toHaveText(/^Aucun dossier pour l'instant/);
      await open(paul, "/espace");
      await expect(paul.getByRole("region", { name: "Mon entreprise" })).toContainText(`Neuf Import — SIRET ${NEUF_IMPORT}`);
      await expect(paul.getByRole("table", { name: "Les personnes de votre entreprise" })).toContainText("Administrateur");

      const sent = await request.post("/api/v1/events", {
        headers: { Authorization: `Bearer ${key}` },
        data: {
          id: `neuf-${reference}`,
          source: "traces",
          type: "ched_lodged",
          occurred_at: new Date().toISOString(),
          site: "FRLRH",
          post: "FRLRH1",
          references: { container: reference },
          goods: { category: "plants", description: "Plants de vigne" },
          operator: { siret: NEUF_IMPORT },
          data: { ched_type: "PP" },
        },
      });
      expect(sent.status(), await sent.text()).toBe(201);

      await open(paul, "/dossiers");
      expect(await resultCount(paul)).toBe(1);
      await expect(paul.getByRole("table", { name: "Liste des dossiers" })).toContainText(reference);

      // The agent the head habilitated on the site sees it too.
      await signIn(agent, agentEmail, agentPassword);
      await open(agent, "/dossiers");
      await expect(agent.getByRole("table", { name: "Liste des dossiers" })).toContainText(reference);
    });

    const rose = await person();
    const roseEmail = "rose.martin@neuf-import.fr";

    await test.step("une collègue sans entreprise attestée demande à la rejoindre, et l'administrateur de l'entreprise l'accepte", async () => {
      await signInThroughProvider(rose, roseEmail, { port: FRESH_PORT, button: "Se connecter avec le fournisseur de test" });
      await expect(rose).toHaveURL(/\/demande-acces$/);
      await expect(rose.getByRole("heading", { level: 1 })).toHaveText("Votre demande d'accès à France Sésame");
      await expect(rose.getByText("Bonjour Rose Martin.")).toBeVisible();
      await expect(rose.getByRole("heading", { level: 2, name: "Ce qui se passe ensuite" })).toBeVisible();
      await expect(rose.getByText("ce sont eux qui l'acceptent ou la refusent")).toBeVisible();
      await expectNoSeriousAccessibilityViolation(rose, "la demande d'accès à compléter", consoleGuard);
      await fitsOnAPhone(rose, "la demande d'accès à compléter");

      // A SIRET whose key is wrong is explained, the number kept as typed.
      await siretField(rose).fill(WRONG_KEY);
      await rose.getByRole("button", { name: "Envoyer ma demande" }).click();
      await rose.waitForURL(/erreur=siret-declare-invalide/);
      await waitUntilInteractive(rose);
      await expect(
        rose.getByRole("alert").filter({ hasText: "Ce SIRET n'est pas valable : il compte 14 chiffres" }),
      ).toBeVisible();
      await expect(siretField(rose)).toHaveValue(WRONG_KEY);

      // A valid one no company is registered under: said so, with what to do.
      await siretField(rose).fill(UNREGISTERED);
      await rose.getByRole("button", { name: "Envoyer ma demande" }).click();
      await rose.waitForURL(/erreur=entreprise-non-inscrite/);
      await waitUntilInteractive(rose);
      await expect(
        rose.getByRole("alert").filter({ hasText: "Aucune entreprise n'est inscrite sous ce SIRET sur France Sésame." }),
      ).toBeVisible();
      await expect(siretField(rose)).toHaveValue(UNREGISTERED);

      // Her company's: the request waits for its administrators.
      await siretField(rose).fill(NEUF_IMPORT);
      await rose.getByRole("button", { name: "Envoyer ma demande" }).click();
      await rose.waitForURL(/message=demande-envoyee/);
      await waitUntilInteractive(rose);
      await expect(rose.getByRole("status").filter({ hasText: "Votre demande est envoyée" })).toBeVisible();
      await expect(rose.getByText(`attend la décision de l'entreprise Neuf Import (SIRET ${NEUF_IMPORT}).`)).toBeVisible();
      await expect(rose.getByRole("button", { name: "Corriger ma demande" })).toBeVisible();
      await expectNoSeriousAccessibilityViolation(rose, "la demande d'accès en attente", consoleGuard);
      await fitsOnAPhone(rose, "la demande d'accès en attente");

      // The company's administrator is told, in the app and by mail, and decides in their space.
      const told = await mailTo(paulEmail, /Demande d'accès de Rose Martin/, startedAt);
      expect(told.text).toContain(roseEmail);
      await open(paul, "/espace");
      await expect(paul.getByRole("heading", { level: 3, name: "Demandes d'accès" })).toBeVisible();
      await expect(paul.getByRole("heading", { level: 4, name: "Rose Martin" })).toBeVisible();
      await expect(paul.getByText(`${roseEmail} — demande du`)).toBeVisible();
      await expectNoSeriousAccessibilityViolation(paul, "l'espace avec une demande d'accès en attente", consoleGuard);
      await paul.getByRole("button", { name: "Accepter Rose Martin" }).click();
      await paul.waitForURL(/message=demande-acceptee/);
      await waitUntilInteractive(paul);
      await expect(paul.getByRole("status").filter({ hasText: "La demande est acceptée" })).toBeVisible();
      await expect(paul.getByText("Aucune demande en attente.")).toBeVisible();
      await expect(
        paul.getByRole("table", { name: "Les personnes de votre entreprise" }).getByRole("row").filter({ hasText: roseEmail }),
      ).toContainText("Membre");

      // She is told, and comes in through her customs account.
      const accepted = await mailTo(roseEmail, /Votre accès à France Sésame est ouvert/, startedAt);
      expect(accepted.text).toContain("Neuf Import");
      await open(rose, "/demande-acces");
      await expect(rose.getByText("Votre demande est acceptée : votre compte est ouvert dans l'entreprise Neuf Import.")).toBeVisible();
      await signInThroughProvider(rose, roseEmail, { port: FRESH_PORT, button: "Se connecter avec le fournisseur de test" });
      await acceptTermsAfterNotice(rose);
      await open(rose, "/dossiers");
      await expect(rose.getByRole("table", { name: "Liste des dossiers" })).toContainText(reference);
    });

    await test.step("l'administrateur suspend le premier opérateur : sa page perd le direct, puis mène à la page qui le dit", async () => {
      consoleGuard.expectStreamRefusedToSuspended();
      await open(paul, "/dossiers");
      const live = paul.locator("#etat-direct");
      await expect(live).toHaveText("Mises à jour en direct");
      await paul.evaluate(() => ((window as unknown as { __marque?: number }).__marque = 1));

      await open(page, "/administration/comptes");
      await page.getByRole("searchbox", { name: /^Nom ou adresse électronique/ }).fill(paulEmail);
      await page.getByRole("button", { name: "Rechercher" }).click();
      await page.waitForURL(/recherche=/);
      await waitUntilInteractive(page);
      await expect(accountRows(page)).toHaveCount(1);
      await expect(accountRows(page).first()).toContainText("Actif");
      await accountRows(page).first().getByRole("link", { name: "Paul Leroy" }).click();
      await page.waitForURL(/\/comptes\/\d+$/);
      await waitUntilInteractive(page);
      await expect(page.getByRole("heading", { level: 1 })).toHaveText("Compte de Paul Leroy");
      await expect(page.locator("dl.sesame-facts")).toContainText(paulEmail);
      await fitsOnAPhone(page, "la page du compte");

      const decision = page.getByRole("region", { name: "Suspendre le compte" });
      const reason = "Déclarations de l'entreprise à vérifier avec la douane";
      await decision.getByRole("textbox", { name: /^Motif/ }).fill(reason);
      await decision.getByRole("button", { name: "Suspendre", exact: true }).click();
      await page.waitForURL(/message=compte-suspendu/);
      await waitUntilInteractive(page);
      await expect(page.getByRole("status").filter({ hasText: "Le compte est suspendu : ses sessions sont fermées" })).toBeVisible();

      // The open page stops being live at once, without being reloaded.
      await expect(live).toHaveText("Mises à jour en direct interrompues : reconnexion en cours", { timeout: 5_000 });
      expect(await paul.evaluate(() => (window as unknown as { __marque?: number }).__marque)).toBe(1);
      const mail = await mailTo(paulEmail, /Votre compte France Sésame est suspendu/, startedAt);
      expect(mail.text).toContain(reason);

      // The next click leads to the page that says so.
      await paul.getByRole("table", { name: "Liste des dossiers" }).getByRole("link").first().click();
      await paul.waitForURL(/\/compte-suspendu$/);
      await waitUntilInteractive(paul);
      await expect(paul.getByRole("heading", { level: 1 })).toHaveText("Votre compte est suspendu");
      await expect(paul.getByText("Vos données sont conservées.")).toBeVisible();
      await expectNoSeriousAccessibilityViolation(paul, "la page du compte suspendu", consoleGuard);
      await fitsOnAPhone(paul, "la page du compte suspendu");

      // Through the customs account too, the account stays shut.
      await paul.getByRole("button", { name: "Quitter cette session" }).click();
      await paul.waitForURL(/\/connexion\?message=deconnecte/);
      await signInThroughProvider(paul, `${paulEmail}|siret=${NEUF_IMPORT}|entreprise=Neuf Import`, { port: FRESH_PORT, button: "Se connecter avec le fournisseur de test" });
      await expect(paul).toHaveURL(/erreur=connexion-compte-suspendu/);
      await expect(
        paul.getByRole("alert").filter({ hasText: "Ce compte est suspendu : la connexion est refusée." }),
      ).toBeVisible();

      // Rose, in the same company, keeps working.
      const still = await rose.request.get("/dossiers", { maxRedirects: 0 });
      expect(still.status()).toBe(200);
    });
  } finally {
    for (const other of people) {
      await other.context().close();
    }
  }
});

test.describe("sur téléphone", () => {
  test.use({ viewport: PHONE });

  test("sans entreprise attestée, la demande d'accès s'ouvre et se corrige, avec ou sans JavaScript", async ({
    page,
    consoleGuard,
  }) => {
    // A person of this project only: the provider's subject opens one request.
    const [login, name] = hasJavaScript()
      ? ["camille.aubert@essai-neuf.fr", "Camille Aubert"]
      : ["lucas.bernard@essai-neuf.fr", "Lucas Bernard"];
    await signInThroughProvider(page, login, { port: FRESH_PORT, button: "Se connecter avec le fournisseur de test" });
    await expect(page).toHaveURL(/\/demande-acces$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Votre demande d'accès à France Sésame");
    await expect(page.getByText(`Bonjour ${name}.`)).toBeVisible();
    await expect(page.getByRole("heading", { level: 2, name: "Ce qui se passe ensuite" })).toBeVisible();
    expect(await horizontalOverflow(page)).toBe(0);

    // The form is the server's: a wrong SIRET comes back explained, as typed.
    await siretField(page).fill(WRONG_KEY);
    await page.getByRole("button", { name: "Envoyer ma demande" }).click();
    await page.waitForURL(/erreur=siret-declare-invalide/);
    await waitUntilInteractive(page);
    await expect(page.getByRole("alert").filter({ hasText: "Ce SIRET n'est pas valable" })).toBeVisible();
    await expect(siretField(page)).toHaveValue(WRONG_KEY);
    expect(await horizontalOverflow(page)).toBe(0);
    await expectNoSeriousAccessibilityViolation(page, "la demande d'accès à compléter sur téléphone", consoleGuard);
  });
});
