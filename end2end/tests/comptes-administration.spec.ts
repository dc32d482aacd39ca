/**
 * The accounts of the platform, as the technical administrator runs them: finding an account by
 * name, inviting a head of service, and suspending an account while its holder has a live page
 * open (the page stops being live at once, the next page says the account is suspended, signing in
 * is refused), then reactivating it. A head of service opens the accounts of their agents too.
 */
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import {
  ACCOUNTS,
  PASSWORD,
  PHONE,
  decodeMail,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  horizontalOverflow,
  mainNavigation,
  open,
  signIn,
  signInDirectly,
  test,
  waitUntilInteractive,
  type ConsoleGuard,
  type ReceivedMail,
} from "./helpers";
import { ADMIN_PORT, LIVE_PORT } from "../playwright.config";

const ADMIN_INSTANCE = `http://127.0.0.1:${ADMIN_PORT}`;
const LIVE_INSTANCE = `http://127.0.0.1:${LIVE_PORT}`;

/** Where the administration's instance writes its mails (see playwright.config.ts). */
const ADMIN_MAILS = path.join(
  process.env.E2E_DATA ?? path.resolve(__dirname, "../../target/e2e"),
  "mails-administration",
);

// The desk and its invitations: one instance per project, as for the partner keys (the main
// instance's administrator account is kept for the first-sign-in test of the terms of use).
// One test at a time: what the desk lists changes with what the tests do.
test.use({
  baseURL: async ({ javaScriptEnabled }, use) =>
    use(javaScriptEnabled === false ? ADMIN_INSTANCE : LIVE_INSTANCE),
});
test.describe.configure({ mode: "serial" });

/** Which of two values this project uses. */
function perProject<T>(withJavaScript: T, withoutJavaScript: T): T {
  return hasJavaScript() ? withJavaScript : withoutJavaScript;
}

/** The table of the accounts found. */
function accountsTable(page: Page) {
  return page.getByRole("table", { name: "Comptes trouvés, par nom" });
}

/** The rows of the accounts found (the header row aside). */
function accountRows(page: Page) {
  return accountsTable(page).locator("tbody tr");
}

/** The state an account page gives the account. */
function stateOnAccountPage(page: Page) {
  return page.locator("dl.sesame-facts dt", { hasText: "État" }).locator("xpath=following-sibling::dd[1]");
}

/** The section of an account page that takes one decision. */
function decision(page: Page, title: "Suspendre le compte" | "Réactiver le compte" | "Clore le compte") {
  return page.getByRole("region", { name: title });
}

/** The newest mail the administration's instance wrote to `to` whose text holds `words`. */
async function adminMailTo(to: string, words: string) {
  let found: ReceivedMail | undefined;
  await expect
    .poll(
      () => {
        if (!fs.existsSync(ADMIN_MAILS)) return false;
        for (const name of fs.readdirSync(ADMIN_MAILS).filter((n) => n.endsWith(".eml")).sort().reverse()) {
          const raw = fs.readFileSync(path.join(ADMIN_MAILS, name), "utf8");
          if (!new RegExp(`^To:.*${to.replace(/[.]/g, "\\.")}`, "im").test(raw)) continue;
          const mail = decodeMail(raw);
          if (mail.text.includes(words)) {
            found = mail;
            return true;
          }
        }
        return false;
      },
      { message: `courriel pour ${to} contenant « ${words} »`, timeout: 10_000 },
    )
    .toBe(true);
  return found!;
}

test.describe("le bureau des comptes", () => {
  test.use({ account: ACCOUNTS.admin });

  for (const screen of [
    { name: "sur ordinateur", viewport: { width: 1280, height: 800 } },
    { name: "sur téléphone", viewport: PHONE },
  ]) {
    test.describe(screen.name, () => {
      test.use({ viewport: screen.viewport });

      test(`l'administrateur retrouve un compte par son nom ${screen.name}`, async ({ page, consoleGuard }) => {
        const response = await open(page, "/administration/comptes");
        expect(response.status()).toBe(200);
        await expect(page.getByRole("heading", { level: 1 })).toHaveText("Comptes de la plateforme");
        if (screen.viewport.width >= 992) {
          await expect(mainNavigation(page).getByRole("link", { name: "Comptes", exact: true })).toBeVisible();
        }
        // Every demo account is listed, each with its role, what it belongs to and its state.
        const table = accountsTable(page);
        await expect(table).toBeVisible();
        await expect(table.getByRole("columnheader")).toHaveText([
          "Nom",
          "Adresse électronique",
          "Rôle",
          "Rattachement",
          "État",
        ]);
        const all = await accountRows(page).count();
        expect(all).toBeGreaterThanOrEqual(Object.keys(ACCOUNTS).length);
        const head = accountRows(page).filter({ hasText: ACCOUNTS.chef });
        await expect(head).toContainText("Isabelle Girard");
        await expect(head).toContainText("Chef de service");
        await expect(head).toContainText("SIVEP (DGAL)");
        await expect(head.getByRole("link", { name: "Isabelle Girard" })).toHaveAttribute("href", /^\/comptes\/\d+$/);
        expect(await horizontalOverflow(page)).toBe(0);
        await expectNoSeriousAccessibilityViolation(page, `les comptes de la plateforme ${screen.name}`, consoleGuard);

        // A part of a name narrows the list to that account.
        await page.getByRole("searchbox", { name: /^Nom ou adresse électronique/ }).fill("moreau");
        await page.getByRole("button", { name: "Rechercher" }).click();
        await page.waitForURL(/recherche=moreau/);
        await waitUntilInteractive(page);
        await expect(accountRows(page)).toHaveCount(1);
        const found = accountRows(page).first();
        await expect(found.getByRole("link", { name: "Thomas Moreau" })).toBeVisible();
        await expect(found).toContainText(ACCOUNTS.agentDouane);
        await expect(found).toContainText("Agent DGDDI");
        await expect(page.getByRole("searchbox", { name: /^Nom ou adresse électronique/ })).toHaveValue("moreau");

        // A role narrows it too: the two SIVEP agents of the demo.
        await page.getByRole("searchbox", { name: /^Nom ou adresse électronique/ }).fill("");
        await page.getByRole("combobox", { name: "Rôle", exact: true }).selectOption({ label: "Agent SIVEP" });
        await page.getByRole("button", { name: "Rechercher" }).click();
        await page.waitForURL(/role=agent_sivep/);
        await waitUntilInteractive(page);
        await expect(accountRows(page).filter({ hasText: ACCOUNTS.agentSivep })).toHaveCount(1);
        await expect(accountRows(page).filter({ hasText: ACCOUNTS.agentFos })).toHaveCount(1);
        await expect(accountRows(page).filter({ hasText: ACCOUNTS.agentDouane })).toHaveCount(0);
        await expect(accountRows(page).filter({ hasText: ACCOUNTS.admin })).toHaveCount(0);
        expect(await accountRows(page).count()).toBeLessThan(all);
        expect(await horizontalOverflow(page)).toBe(0);
      });
    });
  }

  test("l'administrateur invite un chef de service ; un poste où l'administration ne contrôle pas est refusé", async ({ page }) => {
    // Names are letters only: the run's clock, spelt in letters.
    const stamp = `${String(Date.now()).replace(/\d/g, (digit) => "abcdefghij"[Number(digit)])}${perProject("j", "s")}`;
    const name = `Hélène Essai-${stamp}`;
    const address = `chef.essai.${stamp}@agriculture.gouv.fr`;
    await open(page, "/administration/comptes");
    const form = page.getByRole("region", { name: "Inviter un chef de service, un superviseur ou la DGITM" });
    await expect(form).toBeVisible();

    await form.getByRole("textbox", { name: "Prénom et nom", exact: true }).fill(name);
    await form.getByRole("textbox", { name: /^Adresse électronique professionnelle/ }).fill(address);
    // The DSFR draws radio buttons on their labels, which is what people press.
    await form.locator("label", { hasText: "Chef de service d'un poste" }).click();
    await expect(form.getByRole("radio", { name: /^Chef de service d'un poste/ })).toBeChecked();
    await form.getByRole("combobox", { name: /^Administration/ }).selectOption({ label: "SIVEP (DGAL)" });
    await form.getByRole("combobox", { name: /^Poste de contrôle frontalier/ }).selectOption("FRLEH1");
    await form.getByRole("button", { name: "Envoyer l'invitation" }).click();
    await page.waitForURL(/message=compte-invite/);
    await waitUntilInteractive(page);
    await expect(page.getByRole("status").filter({ hasText: "La personne a reçu un courriel." })).toBeVisible();
    const pending = page.getByRole("table", { name: "Les invitations en attente" });
    await expect(page.getByRole("heading", { name: "Invitations en attente" })).toBeVisible();
    const row = pending.getByRole("row").filter({ hasText: address });
    await expect(row).toContainText(name);
    await expect(row).toContainText(/jusqu'au/);
    await expect(row.getByRole("button", { name: `Retirer l'invitation de ${name}` })).toBeVisible();
    // What the invitation opens, in its own column.
    await expect(row).toContainText("chef de service SIVEP (DGAL) du poste FRLEH1");

    // The customs do not inspect at the live animals' post of Roissy: said precisely, the form
    // kept as typed, and nothing sent.
    const other = `chef.douane.${stamp}@douane.finances.gouv.fr`;
    await form.getByRole("textbox", { name: "Prénom et nom", exact: true }).fill(`Marc Douane-${stamp}`);
    await form.getByRole("textbox", { name: /^Adresse électronique professionnelle/ }).fill(other);
    await form.locator("label", { hasText: "Chef de service d'un poste" }).click();
    await form.getByRole("combobox", { name: /^Administration/ }).selectOption({ label: "Douane (DGDDI)" });
    await form.getByRole("combobox", { name: /^Poste de contrôle frontalier/ }).selectOption("FRCDG5");
    await form.getByRole("button", { name: "Envoyer l'invitation" }).click();
    await page.waitForURL(/erreur=compte-etat-invalide/);
    await waitUntilInteractive(page);
    await expect(
      form.getByRole("alert").filter({
        hasText:
          "Douane (DGDDI) ne contrôle pas au poste FRCDG5 : choisissez un poste où elle est présente, ou l'autre administration.",
      }),
    ).toBeVisible();
    await expect(page.getByRole("alert").filter({ hasText: "L'invitation n'est pas partie" })).toBeVisible();
    await expect(form.getByRole("textbox", { name: "Prénom et nom", exact: true })).toHaveValue(`Marc Douane-${stamp}`);
    await expect(form.getByRole("textbox", { name: /^Adresse électronique professionnelle/ })).toHaveValue(other);
    await expect(form.getByRole("radio", { name: /^Chef de service d'un poste/ })).toBeChecked();
    await expect(form.getByRole("combobox", { name: /^Administration/ })).toHaveValue("dgddi");
    await expect(form.getByRole("combobox", { name: /^Poste de contrôle frontalier/ })).toHaveValue("FRCDG5");
    await expect(page.getByRole("table", { name: "Les invitations en attente" }).getByRole("row").filter({ hasText: other })).toHaveCount(0);
  });
});

/**
 * The person whose account is suspended, at another computer, signed in: a context of their own,
 * watched like the administrator's.
 */
async function personAtAnotherComputer(browser: Browser, account: string, guard: ConsoleGuard): Promise<Page> {
  const context = await browser.newContext({
    baseURL: ADMIN_INSTANCE,
    javaScriptEnabled: hasJavaScript(),
    locale: "fr-FR",
    timezoneId: "Europe/Paris",
    viewport: { width: 1280, height: 800 },
  });
  guard.watch(context);
  await signInDirectly(context.request, account);
  return context.newPage();
}

test.describe("suspendre un compte", () => {
  // On the administration's instance whatever the project, with an account no other test signs
  // in as there (each project its own): every demo account has a part elsewhere on the live
  // instance, and a suspension ends its sessions. The streams of this instance are renewed every
  // two seconds, which must not be mistaken for the interruption.
  test.use({ account: ACCOUNTS.admin, baseURL: ADMIN_INSTANCE });

  test("le titulaire perd le direct, puis l'accès, et le retrouve à la réactivation", async ({ page, browser, consoleGuard }) => {
    test.setTimeout(90_000);
    const [holder, holderName] = perProject(
      [ACCOUNTS.agentDouane, "Thomas Moreau"] as const,
      [ACCOUNTS.agentFos, "Nadia Ferrand"] as const,
    );
    const person = await personAtAnotherComputer(browser, holder, consoleGuard);
    consoleGuard.expectStreamRefusedToSuspended();

    // The person works on their list, live with JavaScript.
    const list = await open(person, "/dossiers");
    expect(list.status()).toBe(200);
    const live = person.locator("#etat-direct");
    if (hasJavaScript()) {
      await expect(live).toHaveText("Mises à jour en direct");
      await person.evaluate(() => ((window as unknown as { __marque?: number }).__marque = 1));
    } else {
      await expect(live).toHaveCount(0);
    }

    // The administrator finds the account.
    await open(page, "/administration/comptes");
    await page.getByRole("searchbox", { name: /^Nom ou adresse électronique/ }).fill(holder);
    await page.getByRole("button", { name: "Rechercher" }).click();
    await page.waitForURL(/recherche=/);
    await expect(accountRows(page)).toHaveCount(1);
    await expect(accountRows(page).first()).toContainText("Actif");
    await accountRows(page).first().getByRole("link", { name: holderName }).click();
    await page.waitForURL(/\/comptes\/\d+$/);
    await waitUntilInteractive(page);
    const accountPath = new URL(page.url()).pathname;
    let suspended = false;
    try {
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Compte de ${holderName}`);
      await expect(page.locator("dl.sesame-facts")).toContainText(holder);
      await expect(stateOnAccountPage(page)).toHaveText("Actif");
      await expect(page.getByRole("heading", { level: 2, name: "Décider" })).toBeVisible();
      await expect(decision(page, "Suspendre le compte")).toBeVisible();
      await expect(decision(page, "Clore le compte")).toBeVisible();
      await expect(decision(page, "Réactiver le compte")).toHaveCount(0);

      // A reason too short is explained, what was typed kept, and nothing is decided.
      await decision(page, "Suspendre le compte").getByRole("textbox", { name: /^Motif/ }).fill("Fraude");
      await decision(page, "Suspendre le compte").getByRole("button", { name: "Suspendre", exact: true }).click();
      await page.waitForURL(/erreur=motif-invalide/);
      await waitUntilInteractive(page);
      await expect(
        decision(page, "Suspendre le compte")
          .getByRole("alert")
          .filter({ hasText: "Le motif est trop court (6 caractères) : expliquez la décision en 10 caractères au moins." }),
      ).toBeVisible();
      await expect(page.getByRole("alert").filter({ hasText: "Rien n'a été décidé" })).toBeVisible();
      await expect(decision(page, "Suspendre le compte").getByRole("textbox", { name: /^Motif/ })).toHaveValue("Fraude");
      await expect(stateOnAccountPage(page)).toHaveText("Actif");
      if (hasJavaScript()) {
        await expect(live).toHaveText("Mises à jour en direct");
      }
      const stillIn = await person.request.get("/dossiers", { maxRedirects: 0 });
      expect(stillIn.status(), "le titulaire garde l'accès tant que rien n'est décidé").toBe(200);

      // Suspended with a proper reason. The person's page notes when it says it is cut off.
      if (hasJavaScript()) {
        await person.evaluate(() => {
          const seen = window as unknown as { __interrompuA?: number };
          new MutationObserver(() => {
            if (!seen.__interrompuA && document.querySelector("#etat-direct")?.textContent?.includes("interrompues")) {
              seen.__interrompuA = Date.now();
            }
          }).observe(document.body, { subtree: true, childList: true, characterData: true });
        });
      }
      const reason = `Déclarations inexactes répétées, vérification en cours (${Date.now()})`;
      await decision(page, "Suspendre le compte").getByRole("textbox", { name: /^Motif/ }).fill(reason);
      const decidedAt = Date.now();
      await decision(page, "Suspendre le compte").getByRole("button", { name: "Suspendre", exact: true }).click();
      await page.waitForURL(/message=compte-suspendu/);
      suspended = true;
      // The person's open page stops being live at once, without being reloaded.
      if (hasJavaScript()) {
        await expect(live).toHaveText("Mises à jour en direct interrompues : reconnexion en cours", { timeout: 5_000 });
        const interruptedAt = await person.evaluate(() => (window as unknown as { __interrompuA?: number }).__interrompuA);
        expect(interruptedAt, "le direct du titulaire s'est dit interrompu").toBeDefined();
        expect(interruptedAt! - decidedAt, "délai entre la suspension et l'interruption du direct (ms)").toBeLessThan(5_000);
        test.info().annotations.push({ type: "direct interrompu", description: `${interruptedAt! - decidedAt} ms après l'envoi de la suspension` });
        expect(await person.evaluate(() => (window as unknown as { __marque?: number }).__marque)).toBe(1);
      }
      await waitUntilInteractive(page);
      await expect(page.getByRole("status").filter({ hasText: "Le compte est suspendu : ses sessions sont fermées" })).toBeVisible();
      await expect(stateOnAccountPage(page)).toHaveText("Suspendu");
      await expect(decision(page, "Suspendre le compte")).toHaveCount(0);
      await expect(decision(page, "Réactiver le compte")).toBeVisible();
      const history = page.getByRole("table", { name: "Décisions sur ce compte, la plus récente d'abord" });
      await expect(history.locator("tbody tr").first()).toContainText("Suspension");
      await expect(history.locator("tbody tr").first()).toContainText(reason);
      await expect(history.locator("tbody tr").first()).toContainText("Julien Fontaine");

      // The holder is told, with the reason.
      const mail = await adminMailTo(holder, reason);
      expect(mail.subject).toBe("Votre compte France Sésame est suspendu");
      expect(mail.text).toContain("Cette décision a été prise par l'administration technique de la plateforme");

      // Their next click leads to the page that says so.
      await person.getByRole("table", { name: "Liste des dossiers" }).getByRole("link").first().click();
      await person.waitForURL(/\/compte-suspendu$/);
      await waitUntilInteractive(person);
      await expect(person.getByRole("heading", { level: 1 })).toHaveText("Votre compte est suspendu");
      await expect(person.getByText("Vos données sont conservées.")).toBeVisible();
      // Whatever page they ask for.
      await person.goto("/accueil");
      await expect(person).toHaveURL(/\/compte-suspendu$/);

      // They leave the session; signing in again with their password is refused.
      await person.getByRole("button", { name: "Quitter cette session" }).click();
      await person.waitForURL(/\/connexion\?message=deconnecte/);
      await waitUntilInteractive(person);
      await person.getByRole("textbox", { name: /^Adresse électronique/ }).fill(holder);
      await person.getByLabel("Mot de passe", { exact: true }).fill(PASSWORD);
      await person.getByRole("button", { name: "Se connecter" }).click();
      await person.waitForURL(/erreur=connexion-compte-suspendu/);
      await waitUntilInteractive(person);
      await expect(
        person.getByRole("alert").filter({ hasText: "Ce compte est suspendu : la connexion est refusée." }),
      ).toBeVisible();

      // Reactivated, with a reason of its own.
      await decision(page, "Réactiver le compte")
        .getByRole("textbox", { name: /^Motif/ })
        .fill("Vérification terminée, déclarations corrigées");
      await decision(page, "Réactiver le compte").getByRole("button", { name: "Réactiver", exact: true }).click();
      await page.waitForURL(/message=compte-reactive/);
      suspended = false;
      await waitUntilInteractive(page);
      await expect(page.getByRole("status").filter({ hasText: "Le compte est réactivé" })).toBeVisible();
      await expect(stateOnAccountPage(page)).toHaveText("Actif");
      await expect(history.locator("tbody tr").first()).toContainText("Réactivation");
      await expect(history.locator("tbody tr").nth(1)).toContainText("Suspension");

      // The person signs in again, and their list is live again.
      await signIn(person, holder);
      await open(person, "/dossiers");
      await expect(person.getByRole("heading", { level: 1 })).toBeVisible();
      expect(new URL(person.url()).pathname).toBe("/dossiers");
      if (hasJavaScript()) {
        await expect(live).toHaveText("Mises à jour en direct");
      }
    } finally {
      // A test that stopped half-way leaves the account as it found it, for the next runs.
      if (suspended) {
        await page.request.post(`${accountPath}/reactivation`, {
          form: { motif: "Remise en état après un test interrompu" },
          maxRedirects: 0,
        });
      }
      await person.context().close();
    }
  });
});

test.describe("un chef de service", () => {
  // Only read here: on the administration's instance, where no other test signs in as the head.
  test.use({ account: ACCOUNTS.chef, baseURL: ADMIN_INSTANCE });

  test("ouvre le compte d'un agent qu'il habilite, depuis ses habilitations", async ({ page }) => {
    await open(page, "/habilitations");
    await page.getByRole("link", { name: "Sophie Leroy" }).first().click();
    await page.waitForURL(/\/comptes\/\d+$/);
    await waitUntilInteractive(page);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Compte de Sophie Leroy");
    await expect(page.locator("dl.sesame-facts")).toContainText(ACCOUNTS.agentSivep);
    await expect(page.locator("dl.sesame-facts")).toContainText("Agent SIVEP");
    await expect(stateOnAccountPage(page)).toHaveText("Actif");
    await expect(decision(page, "Suspendre le compte")).toBeVisible();
    await expect(page.getByRole("heading", { level: 2, name: "Historique" })).toBeVisible();
  });
});
