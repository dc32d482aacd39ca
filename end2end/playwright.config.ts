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
 */

const PORT = 3100;
const BASE_URL = `http://127.0.0.1:${PORT}`;

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
    },
  ],
  webServer: {
    command: "../target/release/server",
    url: `${BASE_URL}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    env: {
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? "sqlite://../target/e2e/e2e.db",
      SESAME_DEMO: "1",
      // The tests check the neutral header: no State brand block, whatever the shell says.
      SESAME_STATE_DEPLOYMENT: "0",
      SESAME_SHUTDOWN_GRACE_SECONDS: "2",
      LEPTOS_SITE_ROOT: "../target/site",
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
    },
  },
});
