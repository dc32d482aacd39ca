/**
 * Rendez-vous in the browser: an operator books a slot for a dossier selected for a physical
 * check, an agent validates it and the operator's open page shows it without reload; two operators
 * look at the last place of a slot, one books it, it vanishes from the other's page; at the gate,
 * on a phone, the agent records the goods as presented. The partner system is played through the
 * real interface.
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
import { LIVE_PORT, PORT } from "../playwright.config";

const PARTNER_KEY = "cle-e2e-partenaire";
const BASE_URL = `http://127.0.0.1:${LIVE_PORT}`;

// The live instance (see playwright.config.ts); each project books at a post of its own, one test
// at a time, so that no other test takes the places these tests count on.
test.use({ baseURL: BASE_URL });
test.describe.configure({ mode: "serial" });

function post(): string {
  return hasJavaScript() ? "FRLEH1" : "FRLEH2";
}

function ched(): string {
  return `CHEDP.FR.2026.${String(Math.floor(Math.random() * 8_000_000) + 1_000_000)}`;
}

/** The SIRET of the signed-in operator's company, as the personal space shows it. */
async function siretOf(page: Page): Promise<string> {
  await open(page, "/espace");
  return (await page.getByText(/SIRET/).first().textContent())!.match(/SIRET ([\d ]+)/)![1].replace(/\s/g, "");
}

/** A dossier of this company, its documentary check done and selected for a physical check. */
async function selectedDossier(request: APIRequestContext, siret: string): Promise<{ id: number; reference: string }> {
  const reference = ched();
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
  const base = {
    source: "traces",
    site: "FRLEH",
    post: post(),
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

/** Another person at another computer, signed in. */
async function anotherPerson(browser: Browser, account: string, viewport?: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ baseURL: BASE_URL, javaScriptEnabled: hasJavaScript(), locale: "fr-FR", viewport });
  await signInDirectly(context.request, account);
  return context.newPage();
}

async function mark(page: Page) {
  await page.evaluate(() => ((window as unknown as { __marque?: number }).__marque = 1));
}

/** In place with JavaScript (the page was not reloaded); without, once the page is loaded again. */
async function expectShown(page: Page, change: () => Promise<void>) {
  if (hasJavaScript()) {
    await change();
    expect(await page.evaluate(() => (window as unknown as { __marque?: number }).__marque)).toBe(1);
  } else {
    await page.reload();
    await change();
  }
}

/**
 * Tomorrow in Paris. The tests book from then on: a slot of today could come within the post's
 * notice (two hours) between the moment the page lists it and the click, and be refused.
 */
function tomorrow(): string {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Paris" }).format(Date.now() + 86_400_000);
}

/** The booking page the browser shows, its week starting tomorrow. */
async function fromTomorrow(page: Page) {
  await open(page, `${page.url()}&semaine=${tomorrow()}`);
}

/** The first free slot's button on a booking page. */
function firstSlot(page: Page) {
  return page.getByRole("button", { name: / : réserver ce créneau du / }).first();
}

test.describe("rendez-vous", () => {
  test.use({ account: ACCOUNTS.operateur });

  test("un opérateur réserve, un agent valide et l'opérateur le voit ; à l'arrivée, sur téléphone, la présence est enregistrée", async ({ page, browser, consoleGuard }) => {
    // Three people on three pages, one after the other: longer than most tests (22 s on CI).
    test.slow();
    const siret = await siretOf(page);
    const dossier = await selectedDossier(page.request, siret);
    // The agent's planning is open before the booking: the request appears on it by itself.
    const agent = await anotherPerson(browser, ACCOUNTS.agentSivep);
    await open(agent, `/planning?poste=${post()}&semaine=1`);
    await expect(agent.getByRole("heading", { level: 1 })).toHaveText("Planning des rendez-vous");
    if (hasJavaScript()) {
      await expect(agent.getByRole("status").filter({ hasText: "Mises à jour en direct" })).toBeVisible();
      await mark(agent);
    }
    await open(page, `/dossiers/${dossier.id}`);
    const section = page.locator("#rendez-vous");
    await expect(section).toContainText("Aucun rendez-vous pour ce dossier.");
    await section.getByRole("link", { name: "Prendre rendez-vous — contrôle physique" }).click();
    await page.waitForURL(/\/rendez-vous\?controle=physical/);
    await waitUntilInteractive(page);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Prendre rendez-vous");
    await fromTomorrow(page);
    await expect(page.locator("#creneaux-libres")).toHaveText(/^\d+ créneaux? libres? cette semaine$/);
    await expectNoSeriousAccessibilityViolation(page, "la prise de rendez-vous", consoleGuard);
    await firstSlot(page).click();
    await page.waitForURL(new RegExp(`/dossiers/${dossier.id}\\?message=rendez-vous-demande`));
    await waitUntilInteractive(page);
    await expect(page.getByText("Votre demande de rendez-vous est enregistrée")).toBeVisible();
    await expect(section.locator(".fr-badge")).toHaveText("Demandé");
    if (hasJavaScript()) {
      await expect(page.getByRole("status").filter({ hasText: "Mises à jour en direct" })).toBeVisible();
      await mark(page);
    }

    // The request shows on the agent's open planning, who validates it.
    const row = agent.getByRole("row").filter({ hasText: dossier.reference });
    await expectShown(agent, () => expect(row).toContainText("Demandé", { timeout: 10_000 }));
    await row.getByRole("button", { name: `Valider le rendez-vous ${dossier.reference}` }).click();
    await agent.waitForURL(/message=rendez-vous-confirme/);
    await expect(agent.getByRole("row").filter({ hasText: dossier.reference })).toContainText("Confirmé");

    // The operator's open page shows it.
    await expectShown(page, () => expect(section.locator(".fr-badge")).toHaveText("Confirmé", { timeout: 10_000 }));

    // At the gate, on a phone: found by its reference; booked from tomorrow on, its arrival cannot
    // be recorded yet, and the page says so (arrivee.spec.ts records arrivals).
    const gate = await anotherPerson(browser, ACCOUNTS.agentSivep, PHONE);
    await open(gate, "/controle-arrivee");
    await gate.getByLabel(/Numéro de conteneur/).fill(dossier.reference);
    await gate.getByRole("button", { name: "Chercher la référence" }).click();
    await waitUntilInteractive(gate);
    await expect(gate.getByRole("heading", { name: new RegExp(dossier.reference.replace(/\./g, "\\.")) })).toBeVisible();
    expect(await horizontalOverflow(gate)).toBeLessThanOrEqual(0);
    await expect(gate.getByText(/^Trop tôt : ce rendez-vous est prévu le/)).toBeVisible();
    await expect(gate.getByRole("button", { name: "Enregistrer l'arrivée" })).toHaveCount(0);
  });

  test("deux opérateurs regardent la dernière place : l'un la prend, elle disparaît chez l'autre", async ({ page, browser }) => {
    const siret = await siretOf(page);
    const first = await selectedDossier(page.request, siret);
    const second = await selectedDossier(page.request, siret);
    const other = await anotherPerson(browser, ACCOUNTS.operateur2);
    const otherDossier = await selectedDossier(other.request, await siretOf(other));

    // One of the slot's two places taken: one left.
    await open(page, `/dossiers/${first.id}/rendez-vous?controle=physical&semaine=${tomorrow()}`);
    const untouched = page.getByRole("button", { name: /\(2 places libres\)$/ }).first();
    // Its name starts with what it shows: "08:00 — 2 libres : réserver ce créneau du lundi 30 novembre 2026 (2 places libres)".
    const slotLabel = (await untouched.textContent())!.trim();
    const time = slotLabel.match(/^(\d\d:\d\d)/)![1];
    const day = slotLabel.match(/ du (.+) \(/)![1];
    await untouched.click();
    await page.waitForURL(/message=rendez-vous-demande/);

    // The other company looks at the same slot, with its last place.
    await open(other, `/dossiers/${otherDossier.id}/rendez-vous?controle=physical&semaine=${tomorrow()}`);
    const lastPlace = other.getByRole("button", { name: `${time} — 1 libre : réserver ce créneau du ${day} (1 place libre)` });
    await expect(lastPlace).toBeVisible();
    if (hasJavaScript()) {
      await expect(other.getByRole("status").filter({ hasText: "Mises à jour en direct" })).toBeVisible();
      await mark(other);
    }

    // The first operator takes it.
    await open(page, `/dossiers/${second.id}/rendez-vous?controle=physical&semaine=${tomorrow()}`);
    await page.getByRole("button", { name: `${time} — 1 libre : réserver ce créneau du ${day} (1 place libre)` }).click();
    await page.waitForURL(/message=rendez-vous-demande/);

    await expectShown(other, () => expect(lastPlace).toHaveCount(0, { timeout: 10_000 }));
    await expect(other.getByRole("button", { name: new RegExp(`^${time} — .* du ${day} \\(`) })).toHaveCount(0);
  });
});

test.describe("sur les données de démonstration", () => {
  // The main instance, with the demo as a newcomer sees it.
  test.use({ account: ACCOUNTS.operateur, baseURL: `http://127.0.0.1:${PORT}` });

  test("l'opérateur de démonstration prend rendez-vous pour un dossier de démonstration sélectionné pour un contrôle physique", async ({ page }) => {
    await open(page, "/dossiers?etape=physical_check");
    // One dossier per project, so that both can book.
    const link = page.getByRole("table", { name: "Liste des dossiers" }).getByRole("rowheader").getByRole("link").nth(hasJavaScript() ? 0 : 1);
    const reference = (await link.textContent())!.trim();
    await link.click();
    await page.waitForURL(/\/dossiers\/\d+$/);
    await waitUntilInteractive(page);
    await page.locator("#rendez-vous").getByRole("link", { name: "Prendre rendez-vous — contrôle physique" }).click();
    await page.waitForURL(/\/rendez-vous\?controle=physical/);
    await waitUntilInteractive(page);
    await fromTomorrow(page);
    await firstSlot(page).click();
    await page.waitForURL(/message=rendez-vous-demande/);
    await waitUntilInteractive(page);
    await expect(page.locator("#rendez-vous")).toContainText(reference);
    await expect(page.locator("#rendez-vous .fr-badge").first()).toHaveText(/Demandé|Confirmé/);
    const pdf = await page.request.get(
      (await page.getByRole("link", { name: /Télécharger la convocation/ }).first().getAttribute("href"))!,
    );
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
    const ics = await page.request.get(
      (await page.getByRole("link", { name: /Ajouter à mon agenda/ }).first().getAttribute("href"))!,
    );
    expect(ics.headers()["content-type"]).toBe("text/calendar; charset=utf-8");
    expect(await ics.text()).toContain("BEGIN:VEVENT");
  });
});
