/**
 * Live updates: pages that are open change in place when a partner system sends events, without
 * a reload. The test plays the partner system through the real interface.
 */
import type { APIRequestContext } from "@playwright/test";
import { ACCOUNTS, expect, hasJavaScript, open, test } from "./helpers";

const PARTNER_KEY = "cle-e2e-partenaire";

// An instance of its own (see playwright.config.ts): the dossiers added here change no count
// that other tests check.
test.use({ baseURL: "http://127.0.0.1:3103" });

/** A DSCE reference of this run, unique enough to find in a list. */
function ched(): string {
  const serial = String(Math.floor(Math.random() * 9_000_000) + 1_000_000);
  return `CHEDP.FR.2026.${serial}`;
}

async function sendEvent(request: APIRequestContext, event: Record<string, unknown>) {
  const response = await request.post("/api/v1/events", {
    headers: { Authorization: `Bearer ${PARTNER_KEY}` },
    data: event,
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as { dossier_id: number };
}

function event(id: string, type: string, reference: string, data: Record<string, unknown>, siret?: string) {
  return {
    id,
    source: type === "ched_lodged" ? "traces" : "port_community",
    type,
    occurred_at: new Date().toISOString(),
    site: "FRLEH",
    references: { ched: reference },
    goods: { category: "fruit_vegetables", description: "Mangues" },
    ...(siret ? { operator: { siret } } : {}),
    data,
  };
}

/** Marks the page, to tell later that it was not reloaded. */
async function mark(page: import("@playwright/test").Page) {
  await page.evaluate(() => ((window as unknown as { __marque?: number }).__marque = 1));
}

async function stillMarked(page: import("@playwright/test").Page) {
  expect(await page.evaluate(() => (window as unknown as { __marque?: number }).__marque)).toBe(1);
}

test.beforeEach(() => {
  test.skip(!hasJavaScript(), "les mises à jour en direct demandent JavaScript");
});

test.describe("un agent", () => {
  test.use({ account: ACCOUNTS.agentSivep });

  test("voit un nouvel envoi apparaître dans sa liste, sans recharger", async ({ page }) => {
    await open(page, "/dossiers");
    await expect(page.getByRole("status").filter({ hasText: "Mises à jour en direct" })).toBeVisible();
    await mark(page);
    const reference = ched();
    await sendEvent(page.request, event(`e2e-${reference}`, "ched_lodged", reference, { ched_type: "PP" }));
    await expect(page.getByRole("table", { name: "Liste des dossiers" })).toContainText(reference, { timeout: 10_000 });
    await stillMarked(page);
  });
});

test.describe("un opérateur", () => {
  test.use({ account: ACCOUNTS.operateur });

  test("voit le parcours ouvert de son dossier avancer, sans recharger", async ({ page }) => {
    await open(page, "/espace");
    const siret = (await page.getByText(/SIRET/).first().textContent())!.match(/SIRET ([\d ]+)/)![1].replace(/\s/g, "");
    const reference = ched();
    const { dossier_id } = await sendEvent(
      page.request,
      event(`e2e-${reference}-1`, "arrived", reference, { transport_mode: "sea", means: "CMA CGM Tage" }, siret),
    );
    await open(page, `/dossiers/${dossier_id}`);
    await expect(page.getByRole("status").filter({ hasText: "Mises à jour en direct" })).toBeVisible();
    const arrival = page.locator("li.sesame-timeline__step").filter({ hasText: "Arrivée et déchargement" });
    await expect(arrival).toContainText("En cours");
    await mark(page);
    await sendEvent(page.request, event(`e2e-${reference}-2`, "unloaded", reference, {}, siret));
    await expect(arrival).toContainText("Terminé", { timeout: 10_000 });
    await stillMarked(page);
  });
});
