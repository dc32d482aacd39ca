/**
 * On a phone (360 × 740), pages fit the screen's width: only the tables scroll sideways, inside
 * their own frame, so that every column stays reachable without the whole page sliding.
 */
import type { Page } from "@playwright/test";
import { PHONE, expect, firstDossierPath, horizontalOverflow, open, test } from "./helpers";
import { ACCOUNTS } from "./helpers";

// The supervisor follows every dossier of the demo.
test.use({ account: ACCOUNTS.superviseur });

test.use({ viewport: PHONE });

/** Every table is inside a frame that scrolls sideways and is no wider than the screen. */
async function expectTablesScrollInTheirFrame(page: Page): Promise<void> {
  const frames = await page.locator("main table").evaluateAll((tables) =>
    tables.map((table) => {
      let frame: HTMLElement | null = table.parentElement;
      while (frame && !["auto", "scroll"].includes(getComputedStyle(frame).overflowX)) {
        frame = frame.parentElement;
      }
      return {
        caption: table.querySelector("caption")?.textContent ?? "(sans titre)",
        frameRight: frame ? frame.getBoundingClientRect().right : null,
      };
    }),
  );
  expect(frames.length).toBeGreaterThan(0);
  for (const { caption, frameRight } of frames) {
    expect(frameRight, `le tableau « ${caption} » n'a pas de cadre qui défile`).not.toBeNull();
    expect(frameRight!, `le cadre du tableau « ${caption} » dépasse l'écran`).toBeLessThanOrEqual(PHONE.width + 1);
  }
}

async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const overflow = await horizontalOverflow(page);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, `${what} défile horizontalement de ${overflow} px sur un écran de ${PHONE.width} px`)
    .toBeLessThanOrEqual(PHONE.width + 1);
}

async function expectFitsTheScreen(page: Page, what: string): Promise<void> {
  await expectNoSidewaysScroll(page, what);
  await expectTablesScrollInTheirFrame(page);
}

test("sur téléphone, la liste des dossiers tient dans la largeur de l'écran", async ({ page }) => {
  await open(page, "/dossiers");
  await expect(page.getByRole("table", { name: "Liste des dossiers" })).toBeAttached();
  // A card per dossier: nothing to scroll sideways, not even inside a frame.
  await expectNoSidewaysScroll(page, "la liste des dossiers");
  const rows = await page.locator("main table tbody tr").evaluateAll((rows) =>
    rows.map((row) => row.getBoundingClientRect().right),
  );
  expect(rows.length).toBeGreaterThan(0);
  for (const right of rows) {
    expect(right, "une carte de dossier dépasse l'écran").toBeLessThanOrEqual(PHONE.width + 1);
  }
});

test("sur téléphone, une page de dossier tient dans la largeur de l'écran", async ({ page }) => {
  await open(page, await firstDossierPath(page));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Dossier /);
  await expectFitsTheScreen(page, "la page de dossier");
  // The timeline is read on the phone at the port gate: no step runs off the screen.
  const overflowing = await page.locator("ol.sesame-timeline > li").evaluateAll((steps) =>
    steps.filter((step) => step.getBoundingClientRect().right > window.innerWidth + 1).length,
  );
  expect(overflowing, "étapes du parcours qui dépassent de l'écran").toBe(0);
});

test("sur téléphone, l'accueil tient dans la largeur de l'écran", async ({ page }) => {
  await open(page, "/");
  await expectNoSidewaysScroll(page, "l'accueil");
});

test("sur téléphone, la connexion tient dans la largeur de l'écran", async ({ page }) => {
  await page.context().clearCookies();
  await open(page, "/connexion");
  await expect(page.getByRole("button", { name: "Se connecter" })).toBeVisible();
  await expectNoSidewaysScroll(page, "la connexion");
});

test.describe("espaces personnels sur téléphone", () => {
  for (const [who, account, path] of [
    ["un administrateur d'entreprise", ACCOUNTS.operateur, "/espace"],
    ["un agent", ACCOUNTS.agentSivep, "/espace"],
    ["un chef de service", ACCOUNTS.chef, "/habilitations"],
  ] as const) {
    test.describe(who, () => {
      test.use({ account });
      test(`sur téléphone, ${path} tient dans la largeur de l'écran pour ${who}`, async ({ page }) => {
        await open(page, path);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await expectFitsTheScreen(page, `${path} (${who})`);
      });
    });
  }
});
