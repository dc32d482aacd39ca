import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests of France Sésame, run against the release server (`../target/release/server`)
 * and the built site (`../target/site`): build them first (`scripts/test` does).
 *
 * Each test runs twice: in Chromium with JavaScript (the page hydrates into the Leptos
 * application) and without (the server-rendered HTML alone must serve people).
 *
 * Chromium is Debian's (`/usr/bin/chromium`): `npx playwright install` cannot download a browser
 * here, and is not needed.
 *
 * The database: `E2E_DATABASE_URL`, which `scripts/test` points at a fresh SQLite file in a
 * temporary folder. Without it, `sqlite://../target/e2e/e2e.db` is used and kept between runs;
 * the demo data (300 dossiers) is only seeded into an empty database, so delete that file if an
 * earlier run left other data in it.
 *
 * Mails: the server writes them as files into `E2E_MAIL_FOLDER` (default `../target/e2e/mails`),
 * where the tests read them, as a developer would in the console.
 *
 * Antivirus: Debian's clamd, started on port 3105 with a signature database of its own
 * (`clamd.mjs`); the live instance's documents pass through it.
 *
 * Identity provider: a real OpenID provider (`server/tests/oidc-provider`, on the npm package
 * `oidc-provider`) is started on port 3101, and the server is configured to offer it (on the main
 * instance twice: as any provider, and as the customs account that opens operators' accounts).
 *
 * Five instances of the release build: the main one (3100), the perimeter's (3102), the live one
 * (3103), the administration's (3104), all with demo data, and a fresh deployment without any
 * (3106), bootstrapped by `deploiement.spec.ts` from the command line as a real one would be.
 */

export const PORT = 3100;
const BASE_URL = `http://127.0.0.1:${PORT}`;
const OIDC_PORT = 3101;
const OIDC_ISSUER = `http://127.0.0.1:${OIDC_PORT}`;
export const MAIL_FOLDER = process.env.E2E_MAIL_FOLDER ?? path.resolve(__dirname, "../target/e2e/mails");

/**
 * A second instance of the release build, configured as in production behind a reverse proxy
 * (trusted 127.0.0.1, a deny list, tight budgets), for `perimetre.spec.ts`.
 */
export const PERIMETER_PORT = 3102;
/** A third, whose dossiers the live tests add to without changing what the others count. */
export const LIVE_PORT = 3103;
/**
 * A fourth, for the technical administrator's desk without JavaScript (with JavaScript, it runs on
 * the live instance): each project changes the keys of an instance of its own, and the main
 * instance's administrator account stays untouched for the first-sign-in test.
 */
export const ADMIN_PORT = 3104;
/** ClamAV's daemon, which the live instance's documents pass through (`clamd.mjs`). */
const CLAMD_PORT = 3105;
/**
 * A fifth, deployed as the State would: no demo data (its database starts empty, and
 * `deploiement.spec.ts` opens its first administrator with `server admin create`), operators'
 * local accounts off, operators coming in through the customs account (the test provider).
 */
export const FRESH_PORT = 3106;
/**
 * A sixth, whose maintenances close it for everyone but its administrator
 * (`maintenance.spec.ts`): no other test may meet one.
 */
export const MAINTENANCE_PORT = 3107;
const PERIMETER_FOLDER = process.env.E2E_DATA ?? path.resolve(__dirname, "../target/e2e");
fs.mkdirSync(PERIMETER_FOLDER, { recursive: true });
/**
 * The fresh instance's database, new at each run. The configuration is read again in each worker,
 * whose process id differs: the runner's choice is handed down to them through the environment.
 */
export const FRESH_DATABASE_URL =
  process.env.SESAME_E2E_FRESH_DATABASE_URL ?? `sqlite://${path.join(PERIMETER_FOLDER, `neuf-${process.pid}.db`)}`;
process.env.SESAME_E2E_FRESH_DATABASE_URL = FRESH_DATABASE_URL;
/**
 * The live instance's database. The gate's test ages a device's pass in it (a day going by), as
 * the fresh one's, named once by the runner.
 */
export const LIVE_DATABASE =
  process.env.SESAME_E2E_LIVE_DATABASE ?? path.join(PERIMETER_FOLDER, `direct-${process.pid}.db`);
process.env.SESAME_E2E_LIVE_DATABASE = LIVE_DATABASE;
/** Where the fresh instance writes its mails. */
export const FRESH_MAIL_FOLDER = path.join(PERIMETER_FOLDER, "mails-neuf");
const DENYLIST = path.join(PERIMETER_FOLDER, "liste-de-refus.txt");
fs.writeFileSync(DENYLIST, "# Nœuds de sortie Tor (exemple de test)\n203.0.113.66\n198.51.100.128/25\n");

const launchOptions = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ],
};

/** Every test signs in from the same address: the budgets are for people, not suites. */
const PEOPLE_NOT_SUITES = {
  SESAME_SUBMISSIONS_PER_MINUTE: "6000",
  SESAME_SUBMISSIONS_BURST: "1000",
  SESAME_SENSITIVE_PER_MINUTE: "6000",
  SESAME_SENSITIVE_BURST: "1000",
  // Parallel tests open pages as the same demo people at once.
  SESAME_LIVE_STREAMS_PER_PERSON: "100",
};

/**
 * The release build serving the built site on `port`, with demo data in its own database (unless
 * `env` sets `SESAME_DEMO` otherwise).
 */
function releaseServer(port: number, databaseUrl: string, env: Record<string, string>) {
  return {
    command: "../target/release/server",
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    gracefulShutdown: { signal: "SIGTERM" as const, timeout: 5_000 },
    env: {
      DATABASE_URL: databaseUrl,
      SESAME_DEMO: "1",
      SESAME_SHUTDOWN_GRACE_SECONDS: "2",
      LEPTOS_SITE_ROOT: "../target/site",
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      // Each instance keeps its documents in the run's own folder, never in the working tree.
      SESAME_DOCUMENTS_FOLDER: path.join(PERIMETER_FOLDER, `documents-${port}-${process.pid}`),
      ...env,
    },
  };
}

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The machine has two cores, shared with the server.
  workers: 2,
  reporter: "list",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: BASE_URL,
    locale: "fr-FR",
    timezoneId: "Europe/Paris",
    // Desktop width: the DSFR shows the main navigation from 992 px on.
    viewport: { width: 1280, height: 800 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "avec-javascript",
      use: { browserName: "chromium", javaScriptEnabled: true, launchOptions },
    },
    {
      name: "sans-javascript",
      use: { browserName: "chromium", javaScriptEnabled: false, launchOptions },
      // HTTP checks of a release instance: the browser's JavaScript plays no part, once is enough.
      // The maintenance's pages are the server's alone (its banner, its 503 page): once too,
      // and never two journeys at once on its instance.
      testIgnore: /(perimetre|maintenance)\.spec\.ts$/,
    },
  ],
  webServer: [
    {
      command: `node clamd.mjs --port ${CLAMD_PORT} --folder ${path.join(PERIMETER_FOLDER, `clamd-${process.pid}`)}`,
      // Not HTTP: ready once it accepts connections.
      port: CLAMD_PORT,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command:
        `node ../server/tests/oidc-provider/provider.mjs --port ${OIDC_PORT}` +
        ` --redirect-uri ${BASE_URL}/connexion/oidc/test/retour` +
        ` --redirect-uri ${BASE_URL}/connexion/oidc/douane/retour` +
        ` --post-logout-redirect-uri "${BASE_URL}/connexion?message=deconnecte"` +
        ` --redirect-uri http://127.0.0.1:${FRESH_PORT}/connexion/oidc/test/retour` +
        ` --post-logout-redirect-uri "http://127.0.0.1:${FRESH_PORT}/connexion?message=deconnecte"`,
      url: `${OIDC_ISSUER}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    releaseServer(PORT, process.env.E2E_DATABASE_URL ?? "sqlite://../target/e2e/e2e.db", {
      // The tests check the neutral header: no State brand block, whatever the shell says.
      SESAME_STATE_DEPLOYMENT: "0",
      SESAME_MAIL_FOLDER: MAIL_FOLDER,
      // Two providers: any account (`test`), and, as the State's customs account, one that opens
      // operators' accounts (`douane`), for the new companies the demo sites' agents verify
      // (inscription-entreprise.spec.ts).
      SESAME_OIDC:
        `[{id="test", label="le fournisseur de test", issuer="${OIDC_ISSUER}", client_id="sesame", client_secret="secret-de-test-oidc"},` +
        ` {id="douane", label="le compte douane de test", issuer="${OIDC_ISSUER}", client_id="sesame", client_secret="secret-de-test-oidc", roles=["operateur"], opens_operator_accounts=true}]`,
      ...PEOPLE_NOT_SUITES,
    }),
    releaseServer(PERIMETER_PORT, `sqlite://${path.join(PERIMETER_FOLDER, `perimetre-${process.pid}.db`)}`, {
      SESAME_ENVIRONMENT: "production",
      // The redirect to HTTPS names this host, whatever the request's Host says.
      SESAME_PUBLIC_URL: "https://sesame.example.fr",
      SESAME_TRUSTED_PROXIES: "127.0.0.1/32",
      SESAME_DENYLIST_FILE: DENYLIST,
      SESAME_SUBMISSIONS_PER_MINUTE: "6",
      SESAME_SUBMISSIONS_BURST: "3",
      SESAME_MAIL_FOLDER: path.join(PERIMETER_FOLDER, "mails-perimetre"),
    }),
    releaseServer(ADMIN_PORT, `sqlite://${path.join(PERIMETER_FOLDER, `administration-${process.pid}.db`)}`, {
      SESAME_MAIL_FOLDER: path.join(PERIMETER_FOLDER, "mails-administration"),
      // Live streams renewed every two seconds (see direct.spec.ts), instead of minutes.
      SESAME_LIVE_KEEP_ALIVE_SECONDS: "1",
      SESAME_LIVE_RENEWAL_SECONDS: "2",
      ...PEOPLE_NOT_SUITES,
    }),
    releaseServer(LIVE_PORT, `sqlite://${LIVE_DATABASE}`, {
      // The tests play a partner system with this key (see direct.spec.ts).
      SESAME_DEMO_API_KEY: "cle-e2e-partenaire",
      SESAME_MAIL_FOLDER: path.join(PERIMETER_FOLDER, "mails-direct"),
      // Webhooks on the loopback, where the tests' receiver listens (refused in production).
      SESAME_WEBHOOKS_ALLOW_LOCAL: "1",
      // Its documents pass through a real antivirus (see documents.spec.ts).
      SESAME_ANTIVIRUS: `tcp://127.0.0.1:${CLAMD_PORT}`,
      SESAME_ANTIVIRUS_POLL_MILLIS: "1000",
      ...PEOPLE_NOT_SUITES,
    }),
    releaseServer(MAINTENANCE_PORT, `sqlite://${path.join(PERIMETER_FOLDER, `maintenance-${process.pid}.db`)}`, {
      SESAME_MAIL_FOLDER: path.join(PERIMETER_FOLDER, "mails-maintenance"),
      // A maintenance holds within a fifth of a second, instead of five.
      SESAME_MAINTENANCE_POLL_MILLIS: "200",
      ...PEOPLE_NOT_SUITES,
    }),
    releaseServer(FRESH_PORT, FRESH_DATABASE_URL, {
      // No demo data: the deployment starts empty, as in production.
      SESAME_DEMO: "0",
      SESAME_MAIL_FOLDER: FRESH_MAIL_FOLDER,
      // Live streams renewed every two seconds, as on the administration's instance.
      SESAME_LIVE_KEEP_ALIVE_SECONDS: "1",
      SESAME_LIVE_RENEWAL_SECONDS: "2",
      ...PEOPLE_NOT_SUITES,
      // As the State runs it: operators sign in through the customs account only, which opens
      // their accounts (and, without a company claim, their requests to join one).
      SESAME_LOCAL_OPERATOR_ACCOUNTS: "0",
      SESAME_OIDC: `[{id="test", label="le fournisseur de test", issuer="${OIDC_ISSUER}", client_id="sesame", client_secret="secret-de-test-oidc", roles=["operateur"], opens_operator_accounts=true}]`,
    }),
  ],
});
