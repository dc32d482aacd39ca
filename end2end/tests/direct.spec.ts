/**
 * Live updates: pages that are open change in place when a partner system sends events, without
 * a reload. Without JavaScript nothing pretends to be live, and loading the page again shows the
 * change. The test plays the partner system through the real interface.
 */
import type { APIRequestContext } from "@playwright/test";
import { ACCOUNTS, expect, hasJavaScript, open, test } from "./helpers";
import { ADMIN_PORT } from "../playwright.config";

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

/**
 * Waits for `change` to show: in place with JavaScript (the page is not reloaded), and without
 * JavaScript, where nothing updates by itself, once the page is loaded again.
 */
async function expectShown(page: import("@playwright/test").Page, change: () => Promise<void>) {
  if (hasJavaScript()) {
    await change();
    await stillMarked(page);
  } else {
    await page.reload();
    await change();
  }
}

/** With JavaScript the page says it is live; without, it says nothing it could not keep. */
async function expectLiveState(page: import("@playwright/test").Page) {
  if (hasJavaScript()) {
    await expect(page.getByRole("status").filter({ hasText: "Mises à jour en direct" })).toBeVisible();
    await mark(page);
  } else {
    await expect(page.locator("#etat-direct")).toHaveCount(0);
  }
}

test.describe("un agent", () => {
  test.use({ account: ACCOUNTS.agentSivep });

  test("voit un nouvel envoi apparaître dans sa liste, en direct avec JavaScript", async ({ page }) => {
    await open(page, "/dossiers");
    await expectLiveState(page);
    const reference = ched();
    await sendEvent(page.request, event(`e2e-${reference}`, "ched_lodged", reference, { ched_type: "PP" }));
    // New dossiers wait behind a control, so that nothing moves under the pointer: the person
    // asks to see them.
    await expectShown(page, async () => {
      if (hasJavaScript()) {
        await page.getByRole("button", { name: /nouveaux? dossiers? — afficher/ }).click({ timeout: 10_000 });
      }
      const table = page.getByRole("table", { name: "Liste des dossiers" });
      await expect(table).toContainText(reference, { timeout: 10_000 });
      if (hasJavaScript()) {
        await expect(table.getByRole("row").filter({ hasText: reference })).toContainText("Nouveau");
      }
    });
  });
});

test.describe("un opérateur", () => {
  test.use({ account: ACCOUNTS.operateur });

  test("voit le parcours ouvert de son dossier avancer, en direct avec JavaScript", async ({ page }) => {
    await open(page, "/espace");
    const siret = (await page.getByText(/SIRET/).first().textContent())!.match(/SIRET ([\d ]+)/)![1].replace(/\s/g, "");
    const reference = ched();
    const { dossier_id } = await sendEvent(
      page.request,
      event(`e2e-${reference}-1`, "arrived", reference, { transport_mode: "sea", means: "CMA CGM Tage" }, siret),
    );
    await open(page, `/dossiers/${dossier_id}`);
    await expectLiveState(page);
    const arrival = page.locator("li.sesame-timeline__step").filter({ hasText: "Arrivée et déchargement" });
    await expect(arrival).toContainText("En cours");
    await sendEvent(page.request, event(`e2e-${reference}-2`, "unloaded", reference, {}, siret));
    await expectShown(page, () => expect(arrival).toContainText("Terminé", { timeout: 10_000 }));
  });
});

test.describe("renouvellement du flux en direct", () => {
  // This instance renews its streams every two seconds (see playwright.config.ts).
  test.use({ baseURL: `http://127.0.0.1:${ADMIN_PORT}`, account: ACCOUNTS.agentSivep });

  test("le flux se renouvelle de lui-même, sans interruption visible sur la page", async ({ page }) => {
    // The stream ends by itself, saying where to resume and to come back at once.
    const stream = await page.request.get("/api/v1/stream", { timeout: 15_000 });
    expect(stream.headers()["content-type"]).toBe("text/event-stream");
    expect(await stream.text()).toMatch(/id: \d+\nretry: 250\nevent: renouvellement\n/);

    let openings = 0;
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/api/v1/stream") openings += 1;
    });
    await open(page, "/dossiers");
    if (!hasJavaScript()) {
      // Nothing claims to be live, and nothing subscribes.
      await expect(page.locator("#etat-direct")).toHaveCount(0);
      expect(openings).toBe(0);
      return;
    }
    const live = page.getByRole("status").filter({ hasText: "Mises à jour en direct" });
    await expect(live).toBeVisible();
    await page.evaluate(() => {
      const seen = window as unknown as { __interrompu?: boolean };
      seen.__interrompu = false;
      new MutationObserver(() => {
        if (document.querySelector("#etat-direct")?.textContent?.includes("interrompues")) seen.__interrompu = true;
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await mark(page);
    // Renewed at least twice, and the page never said it was cut off.
    await expect.poll(() => openings, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    expect(await page.evaluate(() => (window as unknown as { __interrompu?: boolean }).__interrompu)).toBe(false);
    await expect(page.locator("#etat-direct")).toHaveText("Mises à jour en direct");
    await stillMarked(page);
  });
});
