/**
 * Border control posts and the goods they are approved for: the practical information page shows,
 * for each post of the directory, the goods categories it is approved for (what an operator checks
 * before sending goods through it); goods that a partner system sends to a post not approved for
 * them are accepted, the partner is warned in the answer, and the agents of the site find an alert
 * on their desk, which the dossier's operator does not see. The partner system is played through
 * the real interface. With and without JavaScript, on a desktop and on a phone.
 */
import type { Browser, Page } from "@playwright/test";
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
  type ConsoleGuard,
} from "./helpers";
import { LIVE_PORT } from "../playwright.config";

const DESKTOP = { width: 1366, height: 768 };
const PARTNER_KEY = "cle-e2e-partenaire";
const LIVE_URL = `http://127.0.0.1:${LIVE_PORT}`;

/** At both widths: nothing slides sideways on the phone, and axe finds nothing serious. */
async function expectReadableEverywhere(page: Page, what: string, guard: ConsoleGuard) {
  for (const viewport of [DESKTOP, PHONE]) {
    await page.setViewportSize(viewport);
    if (viewport === PHONE) {
      expect(await horizontalOverflow(page), `${what} défile horizontalement sur téléphone`).toBeLessThanOrEqual(1);
    }
    await expectNoSeriousAccessibilityViolation(page, `${what} (${viewport.width} px)`, guard);
  }
}

/** The goods a post's entry says it is approved for, in order. */
async function approvals(page: Page, code: string): Promise<string[]> {
  const entry = page.locator(`#poste-${code}`);
  await expect(entry).toBeVisible();
  return entry.getByRole("list", { name: "Agréé pour :" }).getByRole("listitem").allInnerTexts();
}

test("chaque poste de contrôle frontalier dit pour quelles marchandises il est agréé", async ({ page, consoleGuard }) => {
  // The accessibility sweep at every width (without JavaScript, on a copy of the page too).
  test.slow();
  await page.setViewportSize(DESKTOP);
  await open(page, "/informations-pratiques");
  const section = page.getByRole("heading", { level: 2, name: "Sites raccordés et postes de contrôle frontaliers" });
  await expect(section).toBeVisible();
  // The live-animal station of Roissy takes live animals only; its freight post no live animals.
  await expect(page.locator("#poste-FRCDG5")).toContainText("PCF de Roissy — Animaux vivants");
  expect(await approvals(page, "FRCDG5")).toEqual(["Animaux vivants"]);
  const freight = await approvals(page, "FRCDG4");
  expect(freight).toContain("Produits d'origine animale");
  expect(freight).not.toContain("Animaux vivants");
  // Every post of the demo has its approvals recorded.
  for (const code of ["FRLEH1", "FRLEH2", "FRFOS1", "FRMRS1", "FRDKK1", "FRNTE1", "FRCDG4", "FRCDG5", "FRORY1"]) {
    expect((await approvals(page, code)).length, `agréments de ${code}`).toBeGreaterThan(0);
  }
  await expect(page.getByText("Catégories agréées : non renseignées")).toHaveCount(0);
  await expectReadableEverywhere(page, "les informations pratiques", consoleGuard);
  // The first advice of the page leads to them.
  await page.getByRole("link", { name: "les postes et leurs agréments" }).click();
  await expect(page).toHaveURL(/#postes$/);
  await expect(section).toBeInViewport();
});

/** A valid air waybill of this run (its last digit is the seven before it modulo 7). */
function airWaybill(): string {
  const serial = Math.floor(Math.random() * 8_999_999) + 1_000_000;
  return `057-${serial}${serial % 7}`;
}

/** Another person at another computer, signed in, on the live instance. */
async function anotherPerson(browser: Browser, account: string) {
  const context = await browser.newContext({ baseURL: LIVE_URL, javaScriptEnabled: hasJavaScript(), locale: "fr-FR" });
  await signInDirectly(context.request, account);
  return context;
}

test.describe("des marchandises envoyées à un poste qui n'est pas agréé pour elles", () => {
  // The live instance (see playwright.config.ts) has the partner key; the dossier added here
  // changes no count that other tests check.
  test.use({ baseURL: LIVE_URL, account: ACCOUNTS.agentSivep });

  test("sont acceptées, le partenaire est averti et les agents du site alertés, pas l'opérateur", async ({ page, browser, request, consoleGuard }) => {
    // Two people, a partner call and the accessibility sweep at every width (without JavaScript,
    // on a copy of each page too): 25 s alone on this machine, past 30 s when it is busy.
    test.slow();
    const awb = airWaybill();
    // The dossier is the operator's company's: they still see nothing of the alert.
    const operator = await anotherPerson(browser, ACCOUNTS.operateur);
    const space = await operator.newPage();
    await space.goto("/espace");
    const siret = (await space.getByText(/SIRET/).first().textContent())!.match(/SIRET ([\d ]+)/)![1].replace(/\s/g, "");

    // Live animals to Roissy's freight post, not its animal station.
    const response = await request.post("/api/v1/events", {
      headers: { Authorization: `Bearer ${PARTNER_KEY}` },
      data: {
        id: `postes-${awb}`,
        source: "traces",
        type: "ched_lodged",
        occurred_at: new Date(Date.now() - 3_600_000).toISOString(),
        site: "FRCDG",
        post: "FRCDG4",
        references: { awb },
        goods: { category: "live_animals", description: "Poissons d'ornement vivants" },
        operator: { siret },
        data: { ched_type: "A" },
      },
    });
    expect(response.status(), await response.text()).toBe(201);
    const answer = (await response.json()) as { dossier_id: number; warnings?: Array<{ field: string; message: string }> };
    expect(answer.warnings?.map((w) => w.field)).toEqual(["post"]);
    expect(answer.warnings![0].message).toContain("FRCDG4");

    // The agent of the site finds it on the alerts desk, with its dossier.
    await open(page, "/alertes?regle=poste_non_agree");
    const alert = page.getByRole("article").filter({ hasText: awb });
    await expect(alert).toHaveCount(1);
    await expect(alert.getByRole("heading", { level: 3 })).toHaveText(`${awb.replace("-", "")} : poste PCF de Roissy — Zone de fret (FRCDG4) non agréé pour « Animaux vivants »`);
    await expect(alert).toContainText("Poste non agréé pour la marchandise");
    await expect(alert).toContainText("au poste PCF de Roissy — Zone de fret (FRCDG4), agréé pour :");
    await expect(alert.getByRole("link", { name: "Voir le dossier" })).toHaveAttribute("href", `/dossiers/${answer.dossier_id}`);
    await expect(alert.getByRole("button", { name: "Clore l'alerte" })).toBeVisible();
    await expectReadableEverywhere(page, "les alertes de l'agent", consoleGuard);

    // The dossier's own operator: the desk is not theirs, and their dossier says nothing of it.
    const refused = await operator.request.get("/alertes?regle=poste_non_agree");
    expect(refused.status()).toBe(403);
    expect(await refused.text()).not.toContain(awb);
    const dossier = await operator.request.get(`/dossiers/${answer.dossier_id}`);
    expect(dossier.status()).toBe(200);
    expect(await dossier.text()).not.toContain("non agréé");
    await operator.close();
  });
});
