/**
 * The gate (`/controle-arrivee`): an appointment of another day is found but cannot be recorded,
 * and the page says why (its day and time, when check-in opens); the short code of the
 * convocation, typed by hand in any case without its hyphen, finds today's appointment, whose
 * arrival is recorded; past the post's window, a late arrival is accepted only with its reason.
 * Without network (with JavaScript): the day stays on the phone, presences and absences recorded
 * offline survive a reload and are sent once each when the network returns, a conflict said in
 * French; the short code works offline; signing out wipes the phone. The device's pass is refused
 * the next day (its day aged in the live instance's database, as midnight would) and once the
 * agent's habilitation is withdrawn: the page says so, and what waits is not lost.
 * On a 360-pixel phone, with and without JavaScript, with axe.
 *
 * The live instance, at posts of their own (one set a project), whose calendars the head of
 * service opens round the clock so that there is a slot whatever the hour the suite runs.
 */
import type { APIRequestContext, Browser, Page } from "@playwright/test";
import {
  ACCOUNTS,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  horizontalOverflow,
  open,
  signInDirectly,
  test,
  waitUntilInteractive,
} from "./helpers";
import { execFileSync } from "node:child_process";
import { LIVE_DATABASE, LIVE_PORT } from "../playwright.config";
import { liveMailTo } from "./instance-directe";

const PARTNER_KEY = "cle-e2e-partenaire";
const BASE_URL = `http://127.0.0.1:${LIVE_PORT}`;

test.use({ baseURL: BASE_URL, account: ACCOUNTS.agentSivep, viewport: PHONE });
test.describe.configure({ mode: "serial" });

/** The posts (and their sites) this project books at: on time, and the one whose window closes. */
function posts(): { main: [string, string]; late: [string, string] } {
  return hasJavaScript()
    ? { main: ["FRFOS1", "FRFOS"], late: ["FRDKK1", "FRDKK"] }
    : { main: ["FRMRS1", "FRFOS"], late: ["FRNTE1", "FRNTE"] };
}

/** Paris wall-clock parts of an instant. */
function paris(at: Date): { weekday: number; time: string; day: string } {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Paris",
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(part("weekday")) + 1;
  const day = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", day: "2-digit", month: "2-digit", year: "numeric" }).format(at);
  return { weekday, time: `${part("hour")}:${part("minute")}`, day };
}

/** Someone else, signed in, for what the test does not look at (an API context). */
async function person(browser: Browser, account: string): Promise<APIRequestContext> {
  const context = await browser.newContext({ baseURL: BASE_URL });
  await signInDirectly(context.request, account);
  return context.request;
}

/** The head of service opens a post round the clock in 5-minute slots (today from `todayFrom`). */
async function openRoundTheClock(head: APIRequestContext, post: string, todayFrom = "00:00") {
  const today = paris(new Date()).weekday;
  const form: Record<string, string> = {
    duree: "5",
    capacite_identite: "20",
    capacite_physique: "20",
    prevenance: "0",
    delai: "0",
    feries: "oui",
  };
  for (let weekday = 1; weekday <= 7; weekday++) {
    form[`plages_${weekday}`] = weekday === today ? `${todayFrom}-24:00` : "00:00-24:00";
  }
  const saved = await head.post(`/postes/${post}/calendrier`, { form, maxRedirects: 0 });
  expect(saved.headers()["location"]).toContain("message=calendrier-enregistre");
}

async function setWindow(head: APIRequestContext, post: string, before: number, after: number) {
  const saved = await head.post(`/postes/${post}/pointage`, { form: { avant: String(before), apres: String(after) }, maxRedirects: 0 });
  expect(saved.headers()["location"]).toContain("message=pointage-enregistre");
}

/**
 * Today's slot at the post whose window closes opens at the next minute, its check-in window from
 * 2 hours before to `after` minutes after its start (4 hours unless said): `count` dossiers of the
 * demo operator are booked in it; `started()` waits until the slot has begun. Skipped too near
 * midnight.
 */
async function bookedAtTheNextMinute(page: Page, browser: Browser, count: number, after = 240) {
  const start = new Date(Math.ceil((Date.now() + 20_000) / 60_000) * 60_000);
  test.skip(paris(start).day !== paris(new Date(start.getTime() + 10 * 60_000)).day, "trop près de minuit");
  const head = await person(browser, ACCOUNTS.chef);
  await openRoundTheClock(head, posts().late[0], paris(start).time);
  await setWindow(head, posts().late[0], 120, after);
  const operator = await person(browser, ACCOUNTS.operateur);
  const siret = await operatorSiret(browser);
  const dossiers = [];
  for (let n = 0; n < count; n++) {
    const dossier = await selectedDossier(operator, siret, posts().late);
    await book(operator, dossier.id, start);
    dossiers.push(dossier);
  }
  return {
    head,
    operator,
    dossiers,
    started: () => page.waitForTimeout(Math.max(0, start.getTime() - Date.now()) + 2_000),
  };
}

/** The card of the gate's day for a dossier's appointment. */
function dayCard(page: Page, reference: string) {
  return page
    .locator("#journee-liste .sesame-day-card")
    .filter({ has: page.getByRole("heading", { name: new RegExp(reference.replace(/\./g, "\\.")) }) });
}

/**
 * An agent the head of service invites on the live instance, whose account opens from the mail's
 * link: their id, name, address and password.
 */
async function invitedAgent(head: APIRequestContext, browser: Browser) {
  const name = "Lucie Marchal";
  const email = `agent-arrivee-${Date.now()}@example.fr`;
  const password = "une journée au poste de Dunkerque";
  const invited = await head.post("/habilitations/invitations", { form: { nom: name, adresse: email }, maxRedirects: 0 });
  expect(invited.headers()["location"]).toContain("message=");
  const mail = await liveMailTo(email, "Votre invitation sur France Sésame");
  const link = new URL(mail.links.find((href) => href.includes("/mot-de-passe/nouveau?jeton="))!);
  const context = await browser.newContext({ baseURL: BASE_URL });
  const opened = await context.request.post("/mot-de-passe/nouveau", {
    form: { jeton: link.searchParams.get("jeton")!, mot_de_passe: password, confirmation: password },
    maxRedirects: 0,
  });
  expect(opened.status()).toBe(303);
  expect(opened.headers()["location"]).not.toContain("erreur=");
  await context.close();
  const desk = await (await head.get("/habilitations")).text();
  const id = desk.match(new RegExp(`<option value="(\\d+)"[^>]*>[^<]*${email.replace(/\./g, "\\.")}</option>`))![1];
  return { id, name, email, password };
}

/** A dossier of the demo operator at this post, selected for a physical check. */
async function selectedDossier(request: APIRequestContext, siret: string, [post, site]: [string, string]) {
  const reference = `CHEDP.FR.2026.${String(Math.floor(Math.random() * 8_000_000) + 1_000_000)}`;
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
  const base = {
    source: "traces",
    site,
    post,
    references: { ched: reference },
    goods: { category: "animal_products", description: "Crevettes congelées" },
    operator: { siret },
  };
  const response = await request.post("/api/v1/events", {
    headers: { Authorization: `Bearer ${PARTNER_KEY}` },
    data: {
      events: [
        { ...base, id: `${reference}-a`, type: "ched_lodged", occurred_at: hoursAgo(5), data: { ched_type: "P" } },
        { ...base, id: `${reference}-b`, type: "documentary_check_done", occurred_at: hoursAgo(4), data: { result: "satisfactory" } },
        { ...base, id: `${reference}-c`, type: "checks_selected", occurred_at: hoursAgo(4), data: { identity: false, physical: true } },
      ],
    },
  });
  expect(response.ok(), await response.text()).toBe(true);
  const body = (await response.json()) as { results: Array<{ dossier_id: number }> };
  return { id: body.results[0].dossier_id, reference };
}

/** The demo operator books the dossier's physical check at `start`. */
async function book(operator: APIRequestContext, dossier: number, start: Date) {
  const booked = await operator.post(`/dossiers/${dossier}/rendez-vous`, {
    form: { controle: "physical", creneau: start.toISOString().replace(/\.\d{3}Z$/, "Z") },
    maxRedirects: 0,
  });
  expect(booked.headers()["location"]).toContain("message=rendez-vous-demande");
}

/** The SIRET of the demo operator's company, as its personal space shows it. */
async function operatorSiret(browser: Browser): Promise<string> {
  const context = await browser.newContext({ baseURL: BASE_URL });
  await signInDirectly(context.request, ACCOUNTS.operateur);
  const page = await context.newPage();
  await open(page, "/espace");
  const siret = (await page.getByText(/SIRET/).first().textContent())!.match(/SIRET ([\d ]+)/)![1].replace(/\s/g, "");
  await context.close();
  return siret;
}

/** The next 5-minute boundary at least `margin` ms from now (Paris slots fall on them too). */
function nextSlot(margin: number): Date {
  const step = 5 * 60_000;
  return new Date(Math.ceil((Date.now() + margin) / step) * step);
}

async function searchReference(page: Page, reference: string) {
  await open(page, "/controle-arrivee");
  await page.getByLabel(/Numéro de conteneur ou autre référence/).fill(reference);
  await page.getByRole("button", { name: "Chercher la référence" }).click();
  await page.waitForURL(/conteneur=/);
  await waitUntilInteractive(page);
}

function card(page: Page, reference: string) {
  return page.locator(".sesame-appointment").filter({ has: page.getByRole("heading", { name: new RegExp(reference.replace(/\./g, "\\.")) }) });
}

test.describe("contrôle à l'arrivée", () => {
  test.beforeAll(async ({ browser }) => {
    const head = await person(browser, ACCOUNTS.chef);
    await openRoundTheClock(head, posts().main[0]);
    await setWindow(head, posts().main[0], 120, 240);
  });

  test("un rendez-vous d'un autre jour est trouvé, mais ne peut pas être enregistré : la page dit pourquoi", async ({ page, browser, consoleGuard }) => {
    const operator = await person(browser, ACCOUNTS.operateur);
    const dossier = await selectedDossier(operator, await operatorSiret(browser), posts().main);
    const start = new Date(nextSlot(60_000).getTime() + 2 * 86_400_000);
    await book(operator, dossier.id, start);

    await searchReference(page, dossier.reference);
    await expect(page.getByText("sauf réglage propre au poste, de 2 heures avant à 4 heures après le début du créneau")).toBeVisible();
    const found = card(page, dossier.reference);
    await expect(found).toBeVisible();
    const when = paris(start);
    const opens = paris(new Date(start.getTime() - 2 * 3_600_000));
    await expect(found).toContainText(`Trop tôt : ce rendez-vous est prévu le`);
    await expect(found).toContainText(`${when.day} à ${when.time}`);
    await expect(found).toContainText(`Le pointage ouvre le`);
    await expect(found).toContainText(`${opens.day} à ${opens.time}`);
    await expect(found.getByRole("button", { name: "Enregistrer l'arrivée" })).toHaveCount(0);
    await expect(found.getByRole("button", { name: /tardive/ })).toHaveCount(0);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectNoSeriousAccessibilityViolation(page, "le contrôle à l'arrivée", consoleGuard);
  });

  test("le code court de la convocation, tapé à la main, trouve le rendez-vous du jour, dont l'arrivée s'enregistre", async ({ page, browser, consoleGuard }) => {
    // Two people, two searches and two accessibility checks: more than the default 30 s on a
    // shared machine.
    test.slow();
    const start = nextSlot(5 * 60_000);
    test.skip(paris(start).day !== paris(new Date()).day, "le prochain créneau est demain : un code ne vaut que le jour de son rendez-vous");
    const operator = await person(browser, ACCOUNTS.operateur);
    const dossier = await selectedDossier(operator, await operatorSiret(browser), posts().main);
    await book(operator, dossier.id, start);
    // The operator reads the code on the dossier's appointment card (and on the convocation).
    const dossierPage = await (await operator.get(`/dossiers/${dossier.id}`)).text();
    const code = dossierPage.match(/class="sesame-gate-code"[^>]*>([2-9A-Z]{5}-[2-9A-Z]{5})</)![1];

    await open(page, "/controle-arrivee");
    await page.getByLabel(/Code de la convocation/).fill(code.replace("-", "").toLowerCase());
    await page.getByRole("button", { name: "Chercher le code" }).click();
    await page.waitForURL(/code=/);
    await waitUntilInteractive(page);
    const found = card(page, dossier.reference);
    await expect(found).toContainText("L'arrivée peut être enregistrée maintenant.");
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectNoSeriousAccessibilityViolation(page, "le contrôle à l'arrivée par code", consoleGuard);
    await found.getByRole("button", { name: "Enregistrer l'arrivée" }).click();
    await page.waitForURL(/message=rendez-vous-honore/);
    await waitUntilInteractive(page);
    await expect(page.getByText("Présence enregistrée : le rendez-vous est honoré.")).toBeVisible();
    // The code never stays in the address the form comes back to.
    expect(page.url()).not.toContain("code=");
    await expect(card(page, dossier.reference)).toContainText("L'arrivée est déjà enregistrée");

    // A code that names nothing today on the agent's sites is answered in words.
    await open(page, "/controle-arrivee?code=22222-22222");
    await expect(page.getByRole("alert")).toContainText("Ce code ne correspond à aucun rendez-vous de ce jour sur vos sites.");
    await expectNoSeriousAccessibilityViolation(page, "un code inconnu au contrôle à l'arrivée", consoleGuard);
  });

  test("sans réseau, la journée reste sur le téléphone et les pointages partent une fois chacun au retour du réseau", async ({ page, context, browser, consoleGuard }) => {
    test.skip(!hasJavaScript(), "le pointage sans réseau est celui du navigateur, avec JavaScript");
    test.setTimeout(240_000);
    consoleGuard.expectOffline();
    const { operator, dossiers, started } = await bookedAtTheNextMinute(page, browser, 4);
    const dossierPage = await (await operator.get(`/dossiers/${dossiers[3].id}`)).text();
    const code = dossierPage.match(/class="sesame-gate-code"[^>]*>([2-9A-Z]{5}-[2-9A-Z]{5})</)![1];
    await started();
    const day = (reference: string) => dayCard(page, reference);

    // Online: the day comes with the page, and the page is kept for the day. The page installs
    // as a web app, in French, with its icons.
    await open(page, "/controle-arrivee");
    const manifestAddress = await page.locator('link[rel="manifest"]').getAttribute("href");
    const manifest = await (await page.request.get(manifestAddress!)).json();
    expect(manifest).toMatchObject({ lang: "fr", name: "France Sésame — Contrôle à l'arrivée", start_url: "/controle-arrivee", display: "standalone" });
    for (const icon of manifest.icons.filter((i: { type: string }) => i.type === "image/png")) {
      const answer = await page.request.get(icon.src);
      expect(answer.ok(), icon.src).toBe(true);
      expect(answer.headers()["content-type"]).toBe("image/png");
    }
    await expect(day(dossiers[0].reference).getByRole("button", { name: /^Présent/ })).toBeVisible();
    await page.waitForFunction(async () => {
      const cache = await caches.open("sesame-arrivee-v1");
      const kept = (await cache.keys()).map((r) => new URL(r.url).pathname);
      // The page, its WebAssembly, and the stylesheet's icons (an alert drawn only offline).
      return kept.includes("/controle-arrivee") && kept.some((p) => p.endsWith(".wasm")) && kept.includes("/dsfr/1.15.3/icons/system/fr--warning-fill.svg");
    }, undefined, { timeout: 30_000 });

    // Offline: two presences and one absence, recorded on the phone and said to be waiting.
    await context.setOffline(true);
    await day(dossiers[0].reference).getByRole("button", { name: /^Présent/ }).click();
    await day(dossiers[1].reference).getByRole("button", { name: /^Présent/ }).click();
    await day(dossiers[2].reference).getByRole("button", { name: /^Absent/ }).click();
    await expect(page.locator("#journee-a-envoyer")).toHaveText("3 pointages pas encore envoyés au serveur.");
    await expect(page.locator("#journee-reseau")).toContainText("Hors ligne");
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectNoSeriousAccessibilityViolation(page, "le contrôle à l'arrivée hors ligne", consoleGuard);

    // Reloaded without network: the page and what waits are still there.
    await page.reload();
    await waitUntilInteractive(page);
    await expect(page.locator("#journee-a-envoyer")).toHaveText("3 pointages pas encore envoyés au serveur.");
    await expect(day(dossiers[0].reference)).toContainText("pas encore envoyé");
    await expect(day(dossiers[2].reference)).toContainText("Absent pointé à");

    // The short code of a convocation, offline: found in the day the phone holds.
    await page.goto(`/controle-arrivee?code=${code.replace("-", "").toLowerCase()}`);
    await waitUntilInteractive(page);
    await expect(page.locator("#journee-trouve")).toContainText(dossiers[3].reference);

    // Meanwhile a colleague, online, records the second one.
    const colleague = await person(browser, ACCOUNTS.chef);
    const found = await (await colleague.get(`/controle-arrivee?conteneur=${encodeURIComponent(dossiers[1].reference)}`)).text();
    const id = found.match(/\/rendez-vous\/(\d+)\/presence"/)![1];
    const recorded = await colleague.post(`/rendez-vous/${id}/presence`, { form: { retour: "/controle-arrivee" }, maxRedirects: 0 });
    expect(recorded.headers()["location"]).toContain("message=rendez-vous-honore");

    // The web session idles out meanwhile (its cookie gone): the phone's pass for the day sends
    // alone. The network returns: each is sent once; the conflict is said, with what the server
    // kept.
    await context.clearCookies({ name: "sesame_session" });
    await context.setOffline(false);
    await expect(page.locator("#journee-a-envoyer")).toHaveCount(0, { timeout: 40_000 });
    await expect(page.locator("#journee-conflits")).toContainText(dossiers[1].reference);
    await expect(page.locator("#journee-conflits")).toContainText("Présence déjà enregistrée");
    await expect(day(dossiers[0].reference)).toContainText("Présence enregistrée (pointée le");
    await expect(day(dossiers[2].reference)).toContainText("Absence enregistrée (pointée le");
    await expectNoSeriousAccessibilityViolation(page, "un conflit au retour du réseau", consoleGuard);
    for (const [dossier, expected] of [[dossiers[0], "L'arrivée est déjà enregistrée"], [dossiers[2], "Absent"]] as const) {
      const seen = await (await colleague.get(`/controle-arrivee?conteneur=${encodeURIComponent(dossier.reference)}`)).text();
      expect(seen).toContain(expected);
    }

    // Signing out wipes what the phone kept.
    await page.getByRole("button", { name: "Menu" }).click();
    await page.locator("#menu-principal").getByRole("button", { name: "Se déconnecter" }).click();
    await page.waitForURL(/\/connexion\?message=deconnecte/);
    const left = await page.evaluate(async () => ({ caches: await caches.keys(), stored: Object.keys(localStorage) }));
    expect(left.caches).toEqual([]);
    expect(left.stored.filter((key) => key.startsWith("sesame.arrivee"))).toEqual([]);
  });

  test("l'accès hors ligne de l'appareil est refusé le lendemain, puis après le retrait de l'habilitation ; rien ne se perd", async ({ page, context, browser, consoleGuard }) => {
    test.skip(!hasJavaScript(), "le pointage sans réseau est celui du navigateur, avec JavaScript");
    test.setTimeout(240_000);
    consoleGuard.expectOffline();
    const { head, dossiers, started } = await bookedAtTheNextMinute(page, browser, 2);
    // An agent of this test alone (the demo agents' sites are other tests' too): invited by the
    // head of service, their account opened from the mail, habilitated on the post's site today.
    const agent = await invitedAgent(head, browser);
    const granted = await head.post("/habilitations", {
      form: { agent: agent.id, site: posts().late[1], debut: paris(new Date()).day },
      maxRedirects: 0,
    });
    expect(granted.headers()["location"]).toContain("message=habilitation-accordee");
    await signInDirectly(page.request, agent.email, agent.password);
    await started();
    const day = (reference: string) => dayCard(page, reference);
    /** What the head of service's gate shows of a dossier's appointment. */
    const seenByHead = async (reference: string) =>
      (await (await head.get(`/controle-arrivee?conteneur=${encodeURIComponent(reference)}`)).text());
    const refused =
      "L'accès hors ligne de cet appareil n'est plus valable (journée terminée, déconnexion, révocation ou habilitation retirée) : reconnectez-vous pour envoyer vos pointages.";

    await open(page, "/controle-arrivee");
    await expect(day(dossiers[0].reference).getByRole("button", { name: /^Présent/ })).toBeVisible();
    await page.waitForFunction(async () => {
      const kept = (await (await caches.open("sesame-arrivee-v1")).keys()).map((r) => new URL(r.url).pathname);
      return kept.includes("/controle-arrivee") && kept.some((p) => p.endsWith(".wasm"));
    }, undefined, { timeout: 30_000 });

    // Offline, a presence; the web session idles out and the day ends for the device's pass
    // (its day made yesterday's in the database, as midnight would). The network back, the pass
    // is refused, in French, and the presence waits on the phone.
    await context.setOffline(true);
    await day(dossiers[0].reference).getByRole("button", { name: /^Présent/ }).click();
    await expect(page.locator("#journee-a-envoyer")).toHaveText("1 pointage pas encore envoyé au serveur.");
    await context.clearCookies({ name: "sesame_session" });
    execFileSync("sqlite3", ["-cmd", ".timeout 10000", LIVE_DATABASE,
      `UPDATE gate_pass SET day = date(day, '-1 day') WHERE user_id = ${agent.id} AND ended_at IS NULL`]);
    await context.setOffline(false);
    await expect(page.locator("#journee-annonce")).toContainText(refused, { timeout: 40_000 });
    await expect(page.locator("#journee-a-envoyer")).toHaveText("1 pointage pas encore envoyé au serveur.");
    await expect(day(dossiers[0].reference)).toContainText("pas encore envoyé");
    expect(await seenByHead(dossiers[0].reference)).not.toContain("L'arrivée est déjà enregistrée");
    await expectNoSeriousAccessibilityViolation(page, "l'accès hors ligne refusé le lendemain", consoleGuard);

    // Signed in again, the page gives the device a pass for today and sends what waited, once.
    await signInDirectly(page.request, agent.email, agent.password);
    await page.reload();
    await waitUntilInteractive(page);
    await expect(page.locator("#journee-a-envoyer")).toHaveCount(0, { timeout: 40_000 });
    await expect(page.locator("#journee-annonce")).toContainText("1 pointage envoyé et enregistré.");
    await expect(day(dossiers[0].reference)).toContainText("Présence enregistrée (pointée le");
    expect(await seenByHead(dossiers[0].reference)).toContain("L'arrivée est déjà enregistrée");

    // Offline again, another presence; meanwhile the head withdraws the agent's habilitation and
    // the web session idles out. The network back, the pass is refused: the presence is not
    // recorded, it waits on the phone, and the page says why.
    await context.setOffline(true);
    await day(dossiers[1].reference).getByRole("button", { name: /^Présent/ }).click();
    await expect(page.locator("#journee-a-envoyer")).toHaveText("1 pointage pas encore envoyé au serveur.");
    await context.clearCookies({ name: "sesame_session" });
    // The habilitation's withdrawal button, named after the agent and the site.
    const habilitation = (await (await head.get("/habilitations")).text()).match(
      new RegExp(`action="/habilitations/(\\d+)/retrait"[^>]*>\\s*<button[^>]*aria-label="[^"]*${agent.name} sur [^"]*\\(${posts().late[1]}\\)"`),
    )![1];
    const withdrawn = await head.post(`/habilitations/${habilitation}/retrait`, { maxRedirects: 0 });
    expect(withdrawn.headers()["location"]).toContain("message=habilitation-retiree");
    await context.setOffline(false);
    await expect(page.locator("#journee-annonce")).toContainText(refused, { timeout: 40_000 });
    await expect(page.locator("#journee-a-envoyer")).toHaveText("1 pointage pas encore envoyé au serveur.");
    expect(await seenByHead(dossiers[1].reference)).not.toContain("L'arrivée est déjà enregistrée");
    await expectNoSeriousAccessibilityViolation(page, "l'accès hors ligne refusé après le retrait de l'habilitation", consoleGuard);
  });

  test("après le créneau de pointage, une arrivée tardive n'est acceptée qu'avec son motif", async ({ page, browser, consoleGuard }) => {
    test.setTimeout(180_000);
    // The post opens today at the next minute, its window closing at the slot's start: once that
    // minute has passed, the appointment is late.
    const { dossiers, started } = await bookedAtTheNextMinute(page, browser, 1, 0);
    const dossier = dossiers[0];
    await started();

    await searchReference(page, dossier.reference);
    const found = card(page, dossier.reference);
    await expect(found).toContainText("Arrivée tardive : le pointage de ce rendez-vous a fermé le");
    await expect(found.getByRole("button", { name: "Enregistrer l'arrivée" })).toHaveCount(0);
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await expectNoSeriousAccessibilityViolation(page, "une arrivée tardive", consoleGuard);
    // Without a reason: refused, in French (no browser bubble).
    await found.getByRole("button", { name: "Accepter l'arrivée tardive" }).click();
    await page.waitForURL(/erreur=motif-retard-manquant/);
    await waitUntilInteractive(page);
    await expect(page.getByText("Indiquez le motif du retard (3 à 500 caractères)")).toBeVisible();
    await expect(card(page, dossier.reference).locator(".fr-badge")).toHaveText("Confirmé");
    // With one: recorded, the reason shown.
    await card(page, dossier.reference).getByLabel(/Motif du retard/).fill("Camion retenu au contrôle du port");
    await card(page, dossier.reference).getByRole("button", { name: "Accepter l'arrivée tardive" }).click();
    await page.waitForURL(/message=rendez-vous-honore-en-retard/);
    await waitUntilInteractive(page);
    await expect(page.getByText("Arrivée tardive enregistrée")).toBeVisible();
    await expect(card(page, dossier.reference)).toContainText("Motif : Camion retenu au contrôle du port");
    await expect(card(page, dossier.reference).locator(".fr-badge")).toHaveText("Honoré");
  });
});
