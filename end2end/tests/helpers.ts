/**
 * What every test shares: the `test` to import (it watches the browser console), how to open a
 * page and wait until it is interactive, and the accessibility check.
 */
import fs from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import {
  expect,
  test as base,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type ConsoleMessage,
  type Page,
  type WebError,
  type Route,
} from "@playwright/test";

export { expect };

/** A phone held upright, the narrowest screen the service is laid out for. */
export const PHONE = { width: 360, height: 740 };

/** The four statuses of a dossier, as their badges read. */
export const DOSSIER_STATUSES = ["En cours", "Bloqué", "Non conforme", "Terminé"] as const;

/** The states of a step of the journey, as their badges read. */
export const STEP_STATES = ["Terminé", "En cours", "À venir", "Non requis", "Bloqué", "Non conforme"] as const;

/** A container number (ISO 6346) or an air waybill number: what the first column shows. */
export const REFERENCE = /^(?:[A-Z]{4}\d{7}|\d{3}-\d{8})$/;

/** Demo data seeded by `SESAME_DEMO=1`. */
export const DEMO_TOTAL = 300;
export const PAGE_SIZE = 25;
export const DEMO_PAGES = Math.ceil(DEMO_TOTAL / PAGE_SIZE);

/** What the browser said during a test, and the few messages a test declared it expects. */
export class ConsoleGuard {
  readonly problems: string[] = [];
  readonly expected: Array<{ reason: string; matches: (message: ConsoleMessage) => boolean; seen: number }> = [];

  /** Console errors and warnings, assertion failures, and anything at all mentioning hydration. */
  onConsole(message: ConsoleMessage): void {
    const type = message.type();
    const text = message.text();
    const serious = type === "error" || type === "warning" || type === "assert";
    if (!serious && !/hydrat/i.test(text)) {
      return;
    }
    const allowance = this.expected.find((entry) => entry.matches(message));
    if (allowance) {
      allowance.seen += 1;
      return;
    }
    const where = message.location().url || message.page()?.url() || "?";
    this.problems.push(`console.${type} sur ${where} : ${text}`);
  }

  /** Uncaught errors a test declared it expects, by the text of their message. */
  readonly expectedErrors: Array<{ reason: string; pattern: RegExp; seen: number }> = [];

  onPageError(error: WebError): void {
    const where = error.page()?.url() ?? "?";
    const thrown = error.error();
    const detail = [thrown.name, thrown.message, thrown.stack].filter(Boolean).join(" — ") || String(thrown);
    const allowance = this.expectedErrors.find((entry) => entry.pattern.test(detail));
    if (allowance) {
      allowance.seen += 1;
      return;
    }
    this.problems.push(`exception non rattrapée sur ${where} : ${detail || "(sans message)"}`);
  }

  /**
   * Without JavaScript, Chromium warns that the WASM the page preloads (for hydration) goes
   * unused. Expected in the project without JavaScript, and only there.
   */
  expectUnusedWasmPreload(baseURL: string): void {
    // The release build names the WASM after its content (pkg/sesame.<16 hex digits>.wasm).
    const wasm = `${baseURL}/pkg/sesame.`.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const warning = new RegExp(
      `^The resource ${wasm}(?:[0-9a-f]{16}\\.)?wasm was preloaded using link preload but not used within a few ` +
        "seconds from the window's load event\\. Please make sure it has an appropriate `as` value and it is " +
        "preloaded intentionally\\.$",
    );
    this.expected.push({
      reason: "le préchargement du WASM, inutilisé sans JavaScript",
      matches: (message) => message.type() === "warning" && warning.test(message.text()),
      seen: 0,
    });
  }

  /** Listens to every page of a browser context. */
  watch(context: BrowserContext): void {
    context.on("console", (message) => this.onConsole(message));
    context.on("weberror", (error) => this.onPageError(error));
  }

  /**
   * A page without network (Playwright's offline mode) reports the requests that could not leave:
   * the live stream coming back, the day read again. Once the test lets the web session go (as
   * it idles out at the gate), the live stream and the renewal of the day's pass are refused
   * (401), which Chromium reports too. A test that cuts the network declares it.
   */
  expectOffline(): void {
    this.expected.push({
      reason: "les requêtes sans réseau, puis sans session (ou avec un accès hors ligne expiré)",
      matches: (message) =>
        message.type() === "error" &&
        (/ERR_INTERNET_DISCONNECTED|Failed to fetch|ERR_NETWORK_CHANGED/.test(message.text()) ||
          (["/api/v1/stream", "/api/arrivee-hors-ligne/acces", "/api/arrivee-hors-ligne/pointages"].includes(new URL(message.location().url || "http://x/").pathname) &&
            /status of 401 \(Unauthorized\)/.test(message.text()))),
      seen: 0,
    });
  }

  /**
   * A browser that cannot start the WASM (one the terms of use name, without what it needs)
   * reports that it could not compile it, once per page: a test that plays such a browser
   * declares it.
   */
  expectWasmThatDoesNotStart(): void {
    this.expectedErrors.push({ reason: "le WASM qui ne démarre pas", pattern: /CompileError|WebAssembly/, seen: 0 });
  }

  /**
   * A suspended account's open page comes back at once to the live stream, and is refused: the
   * refusal (401) Chromium reports is the only error its console may show.
   */
  expectStreamRefusedToSuspended(): void {
    this.expected.push({
      reason: "le flux en direct refusé au compte suspendu",
      matches: (message) =>
        message.type() === "error" &&
        new URL(message.location().url || "http://x/").pathname === "/api/v1/stream" &&
        /status of 401 \(Unauthorized\)/.test(message.text()),
      seen: 0,
    });
  }

  /**
   * Chromium reports, as a console error, the error status of the document it loads: a test
   * that asks for a missing page on purpose declares exactly that message, for that address.
   */
  expectErrorStatusOf(url: string, status: number): void {
    const statusText = ({ 403: "Forbidden", 404: "Not Found" } as Record<number, string>)[status] ?? "";
    const text = `Failed to load resource: the server responded with a status of ${status} (${statusText})`;
    this.expected.push({
      reason: `le statut ${status} de ${url}`,
      matches: (message) =>
        message.type() === "error" && message.text() === text && message.location().url === url,
      seen: 0,
    });
  }
}

/** The demo password (`SESAME_DEMO_PASSWORD` is not set in the end-to-end runs). */
export const PASSWORD = "sesame-demo-2026";

/** The demo accounts. */
export const ACCOUNTS = {
  operateur: "operateur@demo.sesame.test",
  operateur2: "operateur2@demo.sesame.test",
  agentSivep: "agent.sivep@demo.sesame.test",
  agentDouane: "agent.douane@demo.sesame.test",
  agentFos: "agent.fos@demo.sesame.test",
  chef: "chef@demo.sesame.test",
  superviseur: "superviseur@demo.sesame.test",
  dgitm: "dgitm@demo.sesame.test",
  admin: "admin@demo.sesame.test",
} as const;

/**
 * Signs in without going through the page (for tests about something else): the same form
 * posts a browser sends, through the page's own cookie jar. Accepts the terms of use.
 */
export async function signInDirectly(request: APIRequestContext, email: string, password = PASSWORD) {
  const signIn = await request.post("/connexion", {
    form: { adresse: email, mot_de_passe: password, retour: "" },
    maxRedirects: 0,
  });
  expect(signIn.status(), `connexion de ${email}`).toBe(303);
  expect(signIn.headers()["location"], `connexion de ${email}`).not.toContain("erreur");
  const accept = await request.post("/cgu/acceptation", { form: { accepte: "oui", retour: "" }, maxRedirects: 0 });
  expect(accept.status()).toBe(303);
}

/** Signs in through the sign-in page, as a person does; accepts the terms of use if asked. */
export async function signIn(page: Page, email: string, password = PASSWORD) {
  await open(page, "/connexion");
  await page.getByRole("textbox", { name: /^Adresse électronique/ }).fill(email);
  await page.getByLabel("Mot de passe", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL((url) => url.pathname !== "/connexion");
  if (new URL(page.url()).pathname === "/cgu/acceptation") {
    await acceptCgu(page);
  }
  await waitUntilInteractive(page);
}

/** Ticks and sends the terms-of-use acceptance. */
export async function acceptCgu(page: Page) {
  await waitUntilInteractive(page);
  // The DSFR draws its own box over the input: tick it by its label, as a person does.
  await page.locator('label[for="accepte"]').click();
  await expect(page.getByLabel(/J'ai lu et j'accepte les conditions générales d'utilisation/)).toBeChecked();
  await page.getByRole("button", { name: "Accepter et continuer" }).click();
  await page.waitForURL((url) => url.pathname !== "/cgu/acceptation");
}

/** Signs out from the header. */
export async function signOut(page: Page) {
  await page.getByRole("banner").getByRole("button", { name: "Se déconnecter" }).first().click();
  await page.waitForURL(/\/connexion\?message=deconnecte/);
}

/** Where the server writes its mails in these runs (see playwright.config.ts). */
export const MAIL_FOLDER = process.env.E2E_MAIL_FOLDER ?? path.resolve(__dirname, "../../target/e2e/mails");

export type ReceivedMail = { subject: string; text: string; links: string[] };

/** The bytes an RFC 2047 encoded word carries, from its encoding (`b` or `q`) and its text. */
function encodedWordBytes(kind: string, data: string): Buffer {
  return kind.toLowerCase() === "b"
    ? Buffer.from(data, "base64")
    : Buffer.from(
        data.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        "latin1",
      );
}

/**
 * A header's text as its reader sees it (RFC 2047): each UTF-8 encoded word decoded, the
 * whitespace between two adjacent encoded words dropped (§6.2), any other whitespace kept
 * (`=?utf-8?q?Votre_compte?= est suspendu` reads « Votre compte est suspendu »).
 */
export function decodeHeaderWords(value: string): string {
  const word = String.raw`=\?utf-8\?[bq]\?[^?\s]*\?=`;
  // A run of encoded words with only whitespace between them is decoded as one: its bytes are
  // joined first, so that a character split across two words still reads back.
  return value.replace(new RegExp(`${word}(?:\\s+${word})*`, "gi"), (run) =>
    Buffer.concat(
      [...run.matchAll(/=\?utf-8\?([bq])\?([^?\s]*)\?=/gi)].map(([, kind, data]) => encodedWordBytes(kind, data)),
    ).toString("utf8"),
  );
}

/** Decodes a mail file as the platform writes it (quoted-printable or base64 UTF-8 text). */
export function decodeMail(raw: string): ReceivedMail {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join("\n\n");
  const headers = head.replace(/\r?\n[ \t]+/g, " ");
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "im").exec(headers)?.[1]?.trim() ?? "";
  const encoding = header("Content-Transfer-Encoding").toLowerCase();
  let text: string;
  if (encoding === "base64") {
    text = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  } else if (encoding === "quoted-printable") {
    const bytes = body
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    text = Buffer.from(bytes, "latin1").toString("utf8");
  } else {
    text = body;
  }
  return { subject: decodeHeaderWords(header("Subject")), text, links: text.match(/https?:\/\/\S+/g) ?? [] };
}

/** The newest mail sent to `to` whose subject matches, waiting for it to be written. */
export async function mailTo(to: string, subject: RegExp): Promise<ReceivedMail> {
  let found: ReceivedMail | undefined;
  await expect
    .poll(
      () => {
        const files = fs.existsSync(MAIL_FOLDER)
          ? fs.readdirSync(MAIL_FOLDER).filter((name) => name.endsWith(".eml")).sort().reverse()
          : [];
        for (const name of files) {
          const raw = fs.readFileSync(path.join(MAIL_FOLDER, name), "utf8");
          if (!new RegExp(`^To:.*${to.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "im").test(raw)) {
            continue;
          }
          const mail = decodeMail(raw);
          if (subject.test(mail.subject)) {
            found = mail;
            return true;
          }
        }
        return false;
      },
      { message: `courriel « ${subject} » pour ${to}`, timeout: 10_000 },
    )
    .toBe(true);
  return found!;
}

type Fixtures = { consoleGuard: ConsoleGuard; account: string | undefined };

/**
 * The `test` of this suite: whatever page a test opens, an error or a warning in the console, an
 * uncaught exception, or any message about hydration fails it.
 */
export const test = base.extend<Fixtures>({
  /** Set with `test.use({ account: ACCOUNTS.… })`: the test starts signed in as this person. */
  account: [undefined, { option: true }],
  page: async ({ page, account }, use) => {
    if (account) {
      await signInDirectly(page.request, account);
    }
    await use(page);
  },
  consoleGuard: [
    async ({ context, baseURL }, use, testInfo) => {
      const guard = new ConsoleGuard();
      if (testInfo.project.use.javaScriptEnabled === false) {
        guard.expectUnusedWasmPreload(baseURL!);
      }
      guard.watch(context);
      await use(guard);
      for (const { reason, seen } of guard.expected) {
        if (seen > 0) {
          testInfo.annotations.push({ type: "console attendue", description: `${reason} (${seen} fois)` });
        }
      }
      if (guard.problems.length > 0) {
        await testInfo.attach("console", { body: guard.problems.join("\n"), contentType: "text/plain" });
      }
      expect(guard.problems, `La console du navigateur a signalé :\n${guard.problems.join("\n")}`).toEqual([]);
    },
    { auto: true },
  ],
});

/** Whether the current test runs in the project with JavaScript. */
export function hasJavaScript(): boolean {
  return test.info().project.use.javaScriptEnabled !== false;
}

/** With JavaScript, waits until the Leptos application has hydrated the page. */
export async function waitUntilInteractive(page: Page): Promise<void> {
  if (hasJavaScript()) {
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  }
}

/** Opens a page of the site and, with JavaScript, waits until it is interactive. */
export async function open(page: Page, path: string) {
  const response = await page.goto(path);
  expect(response, `aucune réponse pour ${path}`).not.toBeNull();
  await waitUntilInteractive(page);
  return response!;
}

/** The address of the first dossier of the list, read from the server-rendered HTML. */
export async function firstDossierPath(page: Page, query = ""): Promise<string> {
  const response = await page.request.get(`/dossiers${query}`);
  expect(response.status()).toBe(200);
  const match = /href="(\/dossiers\/\d+)"/.exec(await response.text());
  expect(match, "la liste des dossiers ne renvoie vers aucun dossier").not.toBeNull();
  return match![1];
}

/** The main navigation of the header. */
export function mainNavigation(page: Page) {
  return page.getByRole("navigation", { name: "Menu principal" });
}

/** The table of the dossier list. */
export function dossierTable(page: Page) {
  return page.getByRole("table", { name: "Liste des dossiers" });
}

/** The heading that counts the results of the dossier list, e.g. "300 dossiers" or "Plus de 1 000 dossiers". */
export function resultsHeading(page: Page) {
  return page.locator("h2#resultats");
}

/** Reads the count of dossiers from the results heading, once it reads like one. */
export async function resultCount(page: Page): Promise<number> {
  const heading = resultsHeading(page);
  await expect(heading).toHaveText(/^(\d+) dossiers?\b|^Aucun dossier/);
  const text = (await heading.textContent()) ?? "";
  const match = /^(\d+) dossiers?\b/.exec(text.trim());
  return match ? Number(match[1]) : 0;
}

/**
 * No accessibility violation of impact "serious" or "critical" (WCAG 2.0 and 2.1, levels A and
 * AA) on the page as it stands. Lesser ones are recorded as annotations of the test.
 */
export async function expectNoSeriousAccessibilityViolation(
  page: Page,
  what: string,
  guard: ConsoleGuard,
): Promise<void> {
  const results = hasJavaScript() ? await analyze(page) : await analyzeAsRenderedWithoutJavaScript(page, guard);
  const describe = (violation: (typeof results.violations)[number]) =>
    violation.nodes.map(
      (node) => `${violation.id} [${violation.impact}] ${node.target.join(" ")} — ${violation.help}`,
    );
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const lesser = results.violations.filter((v) => !serious.includes(v));
  for (const line of lesser.flatMap(describe)) {
    test.info().annotations.push({ type: "axe (mineur ou modéré)", description: `${what} : ${line}` });
  }
  const lines = serious.flatMap(describe);
  expect(lines, `Violations d'accessibilité graves sur ${what} (${page.url()}) :\n${lines.join("\n")}`).toEqual([]);
}

/**
 * How far the document scrolls sideways beyond the window, in CSS pixels, once the transitions a
 * resize starts (the design system animates some parts between its layouts) have ended. When it
 * does, the elements that stick out are printed, so that a failure says what to mend.
 */
export async function horizontalOverflow(page: Page): Promise<number> {
  // Waited for from here: a page without JavaScript runs no promise nor animation frame of ours.
  for (let round = 0; round < 40; round += 1) {
    const moving = await page.evaluate(
      () =>
        document
          .getAnimations()
          .filter((animation) => animation instanceof CSSTransition && animation.playState === "running").length,
    );
    if (moving === 0) break;
    await page.waitForTimeout(50);
  }
  const { overflow, wide } = await page.evaluate(() => {
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    const wide =
      overflow > 0
        ? Array.from(document.querySelectorAll("body *"))
            .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 20)
            .map((element) => {
              const box = element.getBoundingClientRect();
              const text = (element.textContent ?? "").trim().slice(0, 60);
              return `${element.tagName.toLowerCase()}.${element.className} [${Math.round(box.left)}–${Math.round(box.right)}] « ${text} »`;
            })
        : [];
    return { overflow, wide };
  });
  if (overflow > 0) {
    console.log(`Plus large que l'écran de ${overflow} px (${page.url()}) :\n${wide.join("\n")}`);
  }
  return overflow;
}

function analyze(page: Page) {
  return new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
}

/**
 * Answers a routed request with the server's page stripped of its scripts and preloads: the page
 * as the server rendered it, never hydrated. The body is handed over decoded, without the
 * server's compression headers.
 */
export async function serveWithoutScripts(route: Route): Promise<void> {
  const response = await route.fetch();
  const html = (await response.text())
    .replace(/<script\b[^]*?<\/script>/gi, "")
    .replace(/<link\b[^>]*\brel="(?:modulepreload|preload)"[^>]*>/gi, "");
  const headers = { ...response.headers() };
  delete headers["content-encoding"];
  delete headers["content-length"];
  await route.fulfill({ status: response.status(), headers, body: html });
}

/**
 * axe-core runs in the page's JavaScript, which the project without JavaScript turns off. So it
 * analyses the same address in a second context where JavaScript runs but the document arrives
 * without its scripts and preloads: the page as the server rendered it, never hydrated.
 */
async function analyzeAsRenderedWithoutJavaScript(page: Page, guard: ConsoleGuard) {
  const browser = page.context().browser();
  expect(browser, "navigateur introuvable").not.toBeNull();
  const context = await browser!.newContext({ javaScriptEnabled: true, viewport: page.viewportSize() });
  // The same person, signed in: the same page.
  await context.addCookies(await page.context().cookies());
  guard.watch(context);
  try {
    // A fragment is never part of the request: the address is compared without it.
    const withoutFragment = (address: string) => address.split("#")[0];
    await context.route(
      (url) => withoutFragment(url.href) === withoutFragment(page.url()),
      serveWithoutScripts,
    );
    const copy = await context.newPage();
    // The copy must be the page under test. Pages that show the present (the sessions of a demo
    // account other tests sign in as, a time to the minute) may change between the two loads:
    // then both are read again, a few times, before calling them different.
    let original = "";
    let copied = "";
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) {
        await page.reload();
      }
      await copy.goto(page.url());
      expect(await copy.locator("script").count(), "des scripts restent dans la copie analysée").toBe(0);
      copied = await copy.locator("body").innerText();
      original = await page.locator("body").innerText();
      if (copied === original) {
        break;
      }
    }
    expect(copied).toBe(original);
    return await analyze(copy);
  } finally {
    await context.close();
  }
}

/**
 * Another person at another computer, on the instance at `baseURL`: a browser context of their
 * own (French, in France's time), watched like the first.
 */
export async function anotherPerson(browser: Browser, guard: ConsoleGuard, baseURL: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    javaScriptEnabled: hasJavaScript(),
    locale: "fr-FR",
    timezoneId: "Europe/Paris",
    viewport: { width: 1280, height: 800 },
  });
  guard.watch(context);
  return context.newPage();
}

/** The port of the test OpenID provider the suite starts (playwright.config.ts). */
const PROVIDER_PORT = "3101";

/**
 * Signs in through an identity provider from the sign-in page of the instance on `port`, by its
 * button (`button`, exactly), and waits for the platform's answer. The test provider remembers a
 * person who signed in from that browser before, and then asks nothing; otherwise `login` is
 * typed (`email|siret=…|…`, see server/tests/oidc-provider).
 */
export async function signInThroughProvider(page: Page, login: string, { port, button }: { port: number; button: string }) {
  await open(page, "/connexion");
  await page.getByRole("link", { name: button }).click();
  const backHome = (url: URL) =>
    url.port === String(port) &&
    !url.pathname.startsWith("/connexion/oidc/") &&
    (url.pathname !== "/connexion" || url.searchParams.has("erreur"));
  await page.waitForURL((url) => (url.port === PROVIDER_PORT && url.pathname.startsWith("/interaction/")) || backHome(url));
  if (new URL(page.url()).port === PROVIDER_PORT) {
    await page.getByLabel("Identifiant", { exact: true }).fill(login);
    await page.getByRole("button", { name: "Se connecter" }).click();
    await page.waitForURL(backHome);
  }
  await waitUntilInteractive(page);
}

/** The personal data notice, then the terms of use, accepted: what every first sign-in meets. */
export async function acceptTermsAfterNotice(page: Page) {
  await expect(page).toHaveURL(/\/cgu\/acceptation/);
  await waitUntilInteractive(page);
  const notice = page.getByRole("heading", { level: 2, name: "Vos données personnelles" });
  const terms = page.getByRole("heading", { level: 2, name: "Conditions générales d'utilisation" });
  await expect(notice).toBeVisible();
  await expect(page.getByRole("region", { name: "Information sur vos données personnelles" })).toBeVisible();
  expect((await notice.boundingBox())!.y, "l'information sur les données personnelles vient d'abord").toBeLessThan(
    (await terms.boundingBox())!.y,
  );
  await acceptCgu(page);
}

/** Checks a page is no wider than a phone held upright, then gives the page its width back. */
export async function fitsOnAPhone(page: Page, what: string) {
  const screen = page.viewportSize()!;
  await page.setViewportSize(PHONE);
  expect(await horizontalOverflow(page), `${what} sur téléphone`).toBe(0);
  await page.setViewportSize(screen);
}
