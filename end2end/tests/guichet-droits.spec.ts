/**
 * « Guichet des droits », end to end. From « Mes données personnelles », an operator (Claire)
 * presents a request about her data with the keyboard alone: a request without its text is sent
 * back with the precise French error and her choice kept, the valid one is acknowledged (page and
 * mail) and listed under « Mes demandes », « En cours ». The DGDDI agent who holds the desk finds
 * it on /droits, extends its deadline with a reason, then answers it; Claire reads the decision,
 * the reason and the answer in her space. The desk also records a request received by post from a
 * person without an account (a date of receipt in the future refused first), and answers it.
 * Everyone else is refused the desk, its pages and its forms. Each page is checked with axe and on
 * a 360-px phone.
 *
 * The demo database is shared by every spec of the run: nothing here grants an erasure, a
 * limitation or an objection (each would change a demo account), and every text carries the time
 * of the run, so that the two projects and the reruns never read each other's requests.
 */
import type { Locator, Page } from "@playwright/test";
import {
  ACCOUNTS,
  anotherPerson,
  expect,
  expectNoSeriousAccessibilityViolation,
  fitsOnAPhone,
  hasJavaScript,
  mailTo,
  open,
  signIn,
  test,
  waitUntilInteractive,
} from "./helpers";
import { LIVE_PORT } from "../playwright.config";

const LIVE = `http://127.0.0.1:${LIVE_PORT}`;

/** What makes this run's texts its own: the time, and the project. */
function stamp(): string {
  return `${Date.now()}-${hasJavaScript() ? "js" : "sans-js"}`;
}

/** The same stamp in letters only, for a person's name (no digits allowed there). */
function letters(stamp: string): string {
  return stamp.replace(/\d/g, (digit) => "abcdefghij"[Number(digit)]).replace(/[^a-z]/gi, "");
}

/** A day from today in France, as the desk types it and the pages show it (`JJ/MM/AAAA`). */
function dayFromToday(days: number): { y: number; m: number; d: number; text: string } {
  const iso = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Paris" }).format(Date.now() + days * 86_400_000);
  const [y, m, d] = iso.split("-").map(Number);
  return { y, m, d, text: dayText(y, m, d) };
}

function dayText(y: number, m: number, d: number): string {
  return `${String(d).padStart(2, "0")}/${String(m).padStart(2, "0")}/${y}`;
}

/** `months` months after a day, the end of a month kept within the month reached (as the server). */
function monthsAfter(day: { y: number; m: number; d: number }, months: number): string {
  const index = day.m - 1 + months;
  const y = day.y + Math.floor(index / 12);
  const m = (index % 12) + 1;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return dayText(y, m, Math.min(day.d, last));
}

/** Presses Tab until `target` has the focus, as a person without a mouse does. */
async function tabTo(page: Page, target: Locator, most = 120) {
  for (let presses = 0; presses < most; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) break;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

/** After a form's answer: the address reached, and the page interactive again. */
async function landedOn(page: Page, url: RegExp) {
  await page.waitForURL(url);
  await waitUntilInteractive(page);
}

/** The success notice of a page. */
function notice(page: Page) {
  return page.locator(".fr-alert--success");
}

/** A mail's text on one line, whatever the mailer wrapped. */
function flat(text: string): string {
  return text.replace(/\s+/g, " ");
}

/** The value next to `term` in a page's list of facts. */
function fact(page: Page, term: string) {
  return page.locator("dl.sesame-facts dt", { hasText: new RegExp(`^${term}$`) }).first().locator("xpath=following-sibling::dd[1]");
}

const INVALID_NOTICE = "Rien n'a été envoyé : corrigez ce que signale le formulaire.";

test("une personne présente une demande au clavier ; le guichet la prolonge puis y répond, et elle lit la réponse", async ({
  page,
  browser,
  consoleGuard,
  baseURL,
}) => {
  // Two people, a dozen pages, three mails and four accessibility sweeps.
  test.slow();
  const run = stamp();
  const details = `Mon numéro de téléphone professionnel est erroné dans mon compte, merci de le corriger (essai ${run}).`;
  const reason = `Vérification auprès de l'entreprise nécessaire avant correction (essai ${run}).`;
  const answer = `Le numéro de téléphone ne figure pas parmi les données de France Sésame : rien à rectifier (essai ${run}).`;

  // Claire, from her space, with the keyboard alone.
  await signIn(page, ACCOUNTS.operateur);
  await open(page, "/espace/donnees");
  await expect(page.getByRole("heading", { level: 2, name: "Présenter une demande" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Mes demandes" })).toBeVisible();
  const kind = page.locator("#demande-nature");
  const text = page.locator("#demande-texte");
  const send = page.getByRole("button", { name: "Envoyer ma demande" });
  await expect(kind).toHaveAccessibleName("Nature de la demande");
  await expect(text).toHaveAccessibleName(/^Votre demande/);

  await tabTo(page, kind);
  // A closed list changes with the arrows: past « Choisissez », then « Accès », to « Rectification ».
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(kind).toHaveValue("rectification");
  await page.keyboard.press("Tab");
  await expect(text).toBeFocused();
  // Sent without its text: sent back, with what to write, her choice kept.
  await page.keyboard.press("Tab");
  await expect(send).toBeFocused();
  await page.keyboard.press("Enter");
  await landedOn(page, /\/espace\/donnees\?erreur=demande-droits-invalide/);
  await expect(page.getByRole("alert").filter({ hasText: INVALID_NOTICE })).toBeVisible();
  await expect(
    page.getByRole("alert").filter({ hasText: "Précisez votre demande : ce que vous souhaitez, et sur quelles données." }),
  ).toBeVisible();
  await expect(kind).toHaveValue("rectification");
  await expect(text).toHaveValue("");
  await expect(page.getByText(details)).toHaveCount(0);
  await fitsOnAPhone(page, "une demande à corriger dans mes données personnelles");

  // Then with its text, sent with the space bar.
  await tabTo(page, text);
  await page.keyboard.type(details);
  await page.keyboard.press("Tab");
  await expect(send).toBeFocused();
  await page.keyboard.press("Space");
  await landedOn(page, /\/espace\/donnees\?message=demande-droits-envoyee/);
  await expect(notice(page)).toContainText(
    "Votre demande est envoyée au guichet des droits de la DGDDI. Un courriel vous en confirme la réception",
  );
  const mine = page.locator("#mes-demandes article").filter({ hasText: details });
  await expect(mine).toHaveCount(1);
  const heading = mine.getByRole("heading", { level: 3 });
  await expect(heading).toHaveText(/^Demande n° \d+ — Rectification \(article 16\)$/);
  const id = Number(/n° (\d+)/.exec((await heading.textContent()) ?? "")![1]);
  const today = dayFromToday(0);
  await expect(mine).toContainText(
    `Reçue le ${today.text} · réponse due au plus tard le ${monthsAfter(today, 1)} · En cours`,
  );
  // The form is empty again, for another request.
  await expect(kind).toHaveValue("");
  await expect(text).toHaveValue("");
  const receipt = await mailTo(ACCOUNTS.operateur, new RegExp(`^Votre demande n° ${id} a bien été reçue$`));
  expect(flat(receipt.text)).toContain("Bonjour Claire Martin");
  expect(flat(receipt.text)).toContain(`Votre demande de rectification (demande n° ${id})`);
  await expectNoSeriousAccessibilityViolation(page, "mes données personnelles avec mes demandes", consoleGuard);
  await fitsOnAPhone(page, "mes données personnelles avec mes demandes");

  // The desk finds it among the requests waiting for an answer.
  const desk = await anotherPerson(browser, consoleGuard, baseURL!);
  await signIn(desk, ACCOUNTS.agentDouane);
  await open(desk, "/droits");
  await expect(desk.getByRole("heading", { level: 1 })).toHaveText("Guichet des droits");
  const waiting = desk.getByRole("table", { name: "Demandes en cours, l'échéance la plus proche d'abord" });
  const row = waiting.locator("tbody tr").filter({ has: desk.getByRole("link", { name: `n° ${id}`, exact: true }) });
  await expect(row).toHaveCount(1);
  await expect(row.locator("td")).toHaveText([
    `n° ${id}`,
    "Claire Martin",
    "Rectification (article 16)",
    "Espace personnel",
    today.text,
    monthsAfter(today, 1),
    "En cours",
  ]);
  await row.getByRole("link", { name: `n° ${id}`, exact: true }).click();
  await expect(desk).toHaveURL(new RegExp(`/droits/${id}$`));
  await waitUntilInteractive(desk);
  await expect(desk.getByRole("heading", { level: 1 })).toHaveText(`Demande n° ${id} — Rectification (article 16)`);
  await expect(fact(desk, "Personne")).toHaveText("Claire Martin");
  await expect(fact(desk, "Adresse électronique")).toHaveText(ACCOUNTS.operateur);
  await expect(fact(desk, "Arrivée par")).toHaveText("Espace personnel");
  await expect(fact(desk, "État")).toHaveText("En cours");
  await expect(desk.getByText(details)).toBeVisible();
  // Her account, and the holds the desk may place on it (none placed here).
  await expect(desk.getByRole("heading", { level: 2, name: "Le compte de la personne" })).toBeVisible();
  await expect(desk.getByRole("heading", { level: 3, name: "Gel des données" })).toBeVisible();
  await expect(desk.getByText("Aucun gel n'est en cours : la conservation ordinaire s'applique.")).toBeVisible();

  // An extension needs its reason…
  await desk.getByRole("button", { name: "Prolonger de deux mois" }).click();
  await landedOn(desk, new RegExp(`/droits/${id}\\?erreur=prolongation-invalide`));
  await expect(
    desk.getByRole("alert").filter({ hasText: "Indiquez le motif de la prolongation : il est communiqué à la personne." }),
  ).toBeVisible();
  await expect(fact(desk, "État")).toHaveText("En cours");
  // …which the person receives.
  await desk.locator("#prolonger-motif").fill(reason);
  await desk.getByRole("button", { name: "Prolonger de deux mois" }).click();
  await landedOn(desk, new RegExp(`/droits/${id}\\?message=demande-droits-prolongee`));
  await expect(notice(desk)).toHaveText(
    "Le délai de réponse est prolongé de deux mois ; la personne a reçu le motif par courriel.",
  );
  await expect(fact(desk, "État")).toHaveText("En cours (délai prolongé)");
  await expect(fact(desk, "Réponse due le")).toHaveText(monthsAfter(today, 3));
  const request = desk.getByRole("region", { name: "La demande", exact: true });
  await expect(request).toContainText(/Délai prolongé le \d{2}\/\d{2}\/\d{4}/);
  await expect(request).toContainText(` : « ${reason} »`);
  // Once only.
  await expect(desk.getByRole("heading", { name: "Prolonger le délai" })).toHaveCount(0);
  const extended = await mailTo(ACCOUNTS.operateur, new RegExp(`^Votre demande n° ${id} : délai de réponse prolongé$`));
  expect(flat(extended.text)).toContain(`« ${reason} »`);
  expect(flat(extended.text)).toContain(`au plus tard le ${monthsAfter(today, 3)}`);

  // The answer: refused, with why.
  await desk.locator("#repondre-decision").selectOption("refusee");
  await desk.locator("#repondre-texte").fill(answer);
  await desk.getByRole("button", { name: "Envoyer la réponse" }).click();
  await landedOn(desk, new RegExp(`/droits/${id}\\?message=demande-droits-repondue`));
  await expect(notice(desk)).toHaveText("La réponse est envoyée par courriel à la personne et conservée avec la demande.");
  const answered = desk.getByRole("region", { name: "Réponse", exact: true });
  await expect(answered).toContainText(/Refusée le \d{2}\/\d{2}\/\d{4}/);
  await expect(answered).toContainText(answer);
  await expect(fact(desk, "État")).toHaveText("Refusée");
  // Answered: nothing left to extend nor to answer, and the mail left.
  await expect(desk.getByRole("button", { name: "Envoyer la réponse" })).toHaveCount(0);
  await expect(desk.getByRole("button", { name: "Renvoyer la réponse par courriel" })).toHaveCount(0);
  const mailed = await mailTo(ACCOUNTS.operateur, new RegExp(`^Réponse à votre demande n° ${id}$`));
  expect(flat(mailed.text)).toContain("Décision : Refusée");
  expect(flat(mailed.text)).toContain(answer);
  expect(flat(mailed.text)).toContain("CNIL");
  await expectNoSeriousAccessibilityViolation(desk, "une demande répondue au guichet des droits", consoleGuard);
  await fitsOnAPhone(desk, "une demande répondue au guichet des droits");

  // Among the requests answered now, no longer among those waiting.
  await open(desk, "/droits");
  await expect(waiting.getByRole("link", { name: `n° ${id}`, exact: true })).toHaveCount(0);
  const done = desk
    .getByRole("table", { name: "Dernières demandes traitées, la plus récente d'abord" })
    .locator("tbody tr")
    .filter({ has: desk.getByRole("link", { name: `n° ${id}`, exact: true }) });
  await expect(done).toHaveCount(1);
  await expect(done.locator("td").last()).toHaveText("Refusée");
  await desk.context().close();

  // Claire reads the decision, the reason of the extension and the answer.
  await open(page, "/espace/donnees");
  const read = page.locator("#mes-demandes article").filter({ hasText: details });
  await expect(read.getByRole("heading", { level: 3 })).toHaveText(`Demande n° ${id} — Rectification (article 16)`);
  await expect(read).toContainText(`réponse due au plus tard le ${monthsAfter(today, 3)} · Refusée`);
  await expect(read).toContainText(`Délai prolongé de deux mois. Motif : « ${reason} »`);
  await expect(read).toContainText("Réponse :");
  await expect(read).toContainText(answer);
});

test.describe("le guichet des droits", () => {
  test.use({ account: ACCOUNTS.agentDouane });

  test("le guichet enregistre une demande reçue par courrier d'une personne sans compte, et y répond", async ({
    page,
    consoleGuard,
  }) => {
    test.slow();
    const run = stamp();
    const name = `Jeanne Petit ${letters(run)}`;
    const email = `jeanne.petit.${run}@example.org`;
    const details = `Courrier du 2 du mois : Mme Petit demande quelles données la concernent (essai ${run}).`;
    const answer = `Vos nom et adresse figurent sur un échange avec un opérateur ; rien d'autre ne vous concerne (essai ${run}).`;
    const future = dayFromToday(3);
    const received = dayFromToday(-3);

    // The desk is offered to its holder.
    await open(page, "/accueil");
    await expect(page.locator('a[href="/droits"]').first()).toBeAttached();
    await open(page, "/droits");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Guichet des droits");
    await expect(page.getByRole("heading", { level: 2, name: "Demandes en cours" })).toBeVisible();
    await expect(page.getByRole("heading", { level: 2, name: "Demandes traitées" })).toBeVisible();
    const form = page.getByRole("region", { name: "Enregistrer une demande reçue hors de la plateforme" });
    await expect(form).toBeVisible();
    await expectNoSeriousAccessibilityViolation(page, "le guichet des droits", consoleGuard);
    await fitsOnAPhone(page, "le guichet des droits");

    // Received in three days: refused, in French, with everything typed kept.
    await form.getByLabel("Prénom et nom de la personne").fill(name);
    await form.getByLabel(/^Adresse électronique de la personne/).fill(email);
    await form.getByLabel("Nature de la demande").selectOption({ label: "Accès (article 15 du RGPD)" });
    await form.getByLabel("Arrivée par").selectOption("courrier");
    await form.getByLabel(/^Reçue le/).fill(future.text);
    await form.getByLabel(/^Ce que la personne demande/).fill(details);
    await form.getByRole("button", { name: "Enregistrer la demande" }).click();
    await landedOn(page, /\/droits\?erreur=demande-droits-invalide/);
    await expect(page.getByRole("alert").filter({ hasText: INVALID_NOTICE })).toBeVisible();
    await expect(page.getByRole("alert").filter({ hasText: "Le jour de réception ne peut pas être dans le futur." })).toBeVisible();
    await expect(form.getByLabel("Prénom et nom de la personne")).toHaveValue(name);
    await expect(form.getByLabel(/^Adresse électronique de la personne/)).toHaveValue(email);
    await expect(form.getByLabel("Nature de la demande")).toHaveValue("acces");
    await expect(form.getByLabel("Arrivée par")).toHaveValue("courrier");
    await expect(form.getByLabel(/^Reçue le/)).toHaveValue(future.text);
    await expect(form.getByLabel(/^Ce que la personne demande/)).toHaveValue(details);
    await expectNoSeriousAccessibilityViolation(page, "le guichet des droits, une demande à corriger", consoleGuard);

    // Received three days ago: recorded, its month counted from then.
    await form.getByLabel(/^Reçue le/).fill(received.text);
    await form.getByRole("button", { name: "Enregistrer la demande" }).click();
    await landedOn(page, /\/droits\/\d+\?message=demande-droits-enregistree/);
    const id = Number(/\/droits\/(\d+)/.exec(page.url())![1]);
    await expect(notice(page)).toHaveText(
      "La demande est enregistrée avec son échéance d'un mois, et la personne a reçu un accusé de réception par courriel.",
    );
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Demande n° ${id} — Accès (article 15 du RGPD)`);
    await expect(fact(page, "Personne")).toHaveText(name);
    await expect(fact(page, "Adresse électronique")).toHaveText(email);
    await expect(fact(page, "Arrivée par")).toHaveText("Courrier postal");
    await expect(fact(page, "Reçue le")).toHaveText(received.text);
    await expect(fact(page, "Réponse due le")).toHaveText(monthsAfter(received, 1));
    await expect(fact(page, "État")).toHaveText("En cours");
    await expect(page.getByText(details)).toBeVisible();
    // Nobody's account: nothing to hold.
    await expect(
      page.getByText("Aucun compte France Sésame ne porte cette adresse : la réponse ne change rien dans la plateforme."),
    ).toBeVisible();
    await expect(page.getByRole("heading", { name: "Gel des données" })).toHaveCount(0);
    await expect(page.getByRole("heading", { level: 2, name: "Prolonger le délai" })).toBeVisible();
    await expect(page.getByRole("heading", { level: 2, name: "Répondre" })).toBeVisible();
    const receipt = await mailTo(email, new RegExp(`^Votre demande n° ${id} a bien été reçue$`));
    expect(flat(receipt.text)).toContain(`Bonjour ${name}`);
    expect(flat(receipt.text)).toContain(`a été reçue le ${received.text}`);
    expect(flat(receipt.text)).toContain(`au plus tard le ${monthsAfter(received, 1)}`);
    await expectNoSeriousAccessibilityViolation(page, "une demande à traiter au guichet des droits", consoleGuard);
    await fitsOnAPhone(page, "une demande à traiter au guichet des droits");

    // An answer without its decision is sent back, the text kept.
    await page.locator("#repondre-texte").fill(answer);
    await page.getByRole("button", { name: "Envoyer la réponse" }).click();
    await landedOn(page, new RegExp(`/droits/${id}\\?erreur=reponse-invalide`));
    await expect(page.getByRole("alert").filter({ hasText: /^Choisissez la décision\.$/ })).toBeVisible();
    await expect(page.locator("#repondre-texte")).toHaveValue(answer);
    await expect(fact(page, "État")).toHaveText("En cours");

    // Granted in part.
    await page.locator("#repondre-decision").selectOption("partielle");
    await page.getByRole("button", { name: "Envoyer la réponse" }).click();
    await landedOn(page, new RegExp(`/droits/${id}\\?message=demande-droits-repondue`));
    await expect(notice(page)).toHaveText("La réponse est envoyée par courriel à la personne et conservée avec la demande.");
    await expect(fact(page, "État")).toHaveText("Accordée en partie");
    const answered = page.getByRole("region", { name: "Réponse", exact: true });
    await expect(answered).toContainText(/Accordée en partie le \d{2}\/\d{2}\/\d{4}/);
    await expect(answered).toContainText(answer);
    await expect(page.getByRole("heading", { name: "Répondre" })).toHaveCount(0);
    const mailed = await mailTo(email, new RegExp(`^Réponse à votre demande n° ${id}$`));
    expect(flat(mailed.text)).toContain("Décision : Accordée en partie");
    expect(flat(mailed.text)).toContain(answer);
    expect(flat(mailed.text)).toContain("CNIL");

    // Listed among the requests answered.
    await open(page, "/droits");
    const row = page
      .getByRole("table", { name: "Dernières demandes traitées, la plus récente d'abord" })
      .locator("tbody tr")
      .filter({ has: page.getByRole("link", { name: `n° ${id}`, exact: true }) });
    await expect(row.locator("td")).toHaveText([
      `n° ${id}`,
      name,
      "Accès (article 15 du RGPD)",
      "Courrier postal",
      received.text,
      monthsAfter(received, 1),
      "Accordée en partie",
    ]);
    await expectNoSeriousAccessibilityViolation(page, "le guichet des droits avec une demande traitée", consoleGuard);
    await fitsOnAPhone(page, "le guichet des droits avec une demande traitée");
  });

  test("une demande qui n'existe pas est introuvable, comme un dossier ou un échange", async ({ page, consoleGuard, baseURL }) => {
    consoleGuard.expectErrorStatusOf(`${baseURL}/droits/987654`, 404);
    const response = await open(page, "/droits/987654");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Demande introuvable");
    expect(response.status()).toBe(404);
  });
});

test.describe("le guichet des droits est refusé à qui ne le tient pas", () => {
  for (const { who, account, instance } of [
    { who: "un opérateur", account: ACCOUNTS.operateur, instance: undefined },
    { who: "un agent du SIVEP", account: ACCOUNTS.agentSivep, instance: undefined },
    // The live instance: the main instance's administrator account is kept for the
    // first-sign-in tests.
    { who: "un administrateur", account: ACCOUNTS.admin, instance: LIVE },
  ]) {
    test.describe(who, () => {
      test.use(instance ? { account, baseURL: instance } : { account });

      test(`${who} n'ouvre ni le guichet des droits, ni ses demandes, ni ses formulaires`, async ({
        page,
        consoleGuard,
        baseURL,
      }) => {
        for (const path of ["/droits", "/droits/1"]) {
          consoleGuard.expectErrorStatusOf(`${baseURL}${path}`, 403);
          const response = await open(page, path);
          expect(response.status(), `${who} sur ${path}`).toBe(403);
          await expect(page.getByRole("heading", { level: 1 })).toHaveText("Cette page n'est pas accessible avec votre compte");
          const body = page.locator("body");
          for (const content of ["Demandes en cours", "Demandes traitées", "Enregistrer une demande reçue", "Demande n°", "Prolonger le délai"]) {
            await expect(body).not.toContainText(content);
          }
          await expect(page.locator('a[href="/droits"]')).toHaveCount(0);
        }
        // Nor by its forms, sent by hand.
        for (const [action, form] of [
          ["/droits/demandes", { nom: "Jeanne Petit", adresse: "jeanne.petit@example.org", nature: "acces", canal: "courrier", recue: "01/01/2020", texte: "Une demande qui ne doit pas être enregistrée." }],
          ["/droits/987654/prolongation", { motif: "Un motif qui ne doit pas être enregistré." }],
          ["/droits/987654/reponse", { decision: "refusee", reponse: "Une réponse qui ne doit pas partir." }],
        ] as const) {
          const refused = await page.request.post(action, { form, maxRedirects: 0 });
          expect(refused.status(), `${who} : POST ${action}`).toBe(403);
        }
      });
    });
  }
});
