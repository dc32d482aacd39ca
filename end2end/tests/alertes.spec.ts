/**
 * Alerts: a head of service sets a bottleneck threshold for a step of a post; a partner system
 * sends consignments there; an agent of the site sees the alert appear on the desk (live, with
 * JavaScript), takes it and closes it with a note; a supervisor reads it without any action.
 * On the live instance, with a post of its own per project (nothing else sets a bottleneck at
 * a post's arrival), on a 360-px phone too, axe clean.
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
} from "./helpers";
import { LIVE_PORT } from "../playwright.config";

const PARTNER_KEY = "cle-e2e-partenaire";
const BASE = `http://127.0.0.1:${LIVE_PORT}`;

test.use({ baseURL: BASE });
test.describe.configure({ mode: "serial" });

/** The post and site of this project's bottleneck. */
function place(): { post: string; site: string } {
  return hasJavaScript() ? { post: "FRLEH2", site: "FRLEH" } : { post: "FRFOS1", site: "FRFOS" };
}

/** A container number of this run (its check digit computed as ISO 6346 says). */
function container(): string {
  const owner = "ALR";
  const serial = String(Math.floor(Math.random() * 900_000) + 100_000);
  const code = `${owner}U${serial}`;
  const value = (c: string) => {
    if (/\d/.test(c)) return Number(c);
    const n = c.charCodeAt(0) - 55;
    return n + Math.floor((n - 1) / 10);
  };
  const sum = [...code].reduce((total, c, i) => total + value(c) * 2 ** i, 0);
  return `${code}${(sum % 11) % 10}`;
}

async function sendArrival(request: APIRequestContext, post: string, site: string) {
  const number = container();
  const response = await request.post("/api/v1/events", {
    headers: { Authorization: `Bearer ${PARTNER_KEY}` },
    data: {
      id: `e2e-alerte-${number}`,
      source: "port_community",
      type: "arrived",
      occurred_at: new Date().toISOString(),
      site,
      post,
      references: { container: number },
      goods: { category: "fruit_vegetables", description: "Ananas" },
      data: { transport_mode: "sea", means: "MSC Aurora" },
    },
  });
  expect(response.status(), await response.text()).toBe(201);
}

async function signedIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: BASE, locale: "fr-FR", timezoneId: "Europe/Paris" });
  const page = await context.newPage();
  await signInDirectly(page.request, email);
  return page;
}

/** The head of service sets (or removes) the bottleneck threshold of the post's arrival. */
async function threshold(page: Page, post: string, value: string | null) {
  await open(page, "/alertes/seuils");
  const section = page.locator(`section[aria-labelledby="poste-${post}"]`);
  if (value === null) {
    await section.getByRole("button", { name: /Retirer le seuil particulier : Engorgement.*Arrivée/ }).click();
    await expect(page.getByText("Le seuil particulier est retiré")).toBeVisible();
    return;
  }
  await section.getByLabel("Règle", { exact: true }).selectOption("engorgement");
  await section.getByLabel("Catégorie de marchandises", { exact: true }).selectOption("*");
  await section.getByLabel("Étape", { exact: true }).selectOption("arrival");
  await section.getByLabel(/^Valeur/).fill(value);
  await section.getByRole("button", { name: "Enregistrer le seuil" }).click();
  await expect(page.getByText("Le seuil est enregistré")).toBeVisible();
}

test("un agent voit un engorgement apparaître, le prend en charge et le clôt ; le superviseur le lit", async ({
  page,
  browser,
  consoleGuard,
}) => {
  // Three people, two forms, a live update and three accessibility sweeps.
  test.slow();
  const { post, site } = place();
  const desk = `/alertes?poste=${post}&regle=engorgement`;
  await signInDirectly(page.request, ACCOUNTS.agentSivep);
  await open(page, desk);
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 1, name: "Bureau des alertes" })).toBeVisible();
  await expect(page.locator("#aucune-alerte-bureau")).toBeVisible();

  const head = await signedIn(browser, ACCOUNTS.chef);
  await threshold(head, post, "1");
  await expectNoSeriousAccessibilityViolation(head, "les seuils des alertes", consoleGuard);

  await sendArrival(page.request, post, site);
  await sendArrival(page.request, post, site);
  const title = `Engorgement de l'étape « Arrivée et déchargement » au poste ${post}`;
  const card = page.locator("article.sesame-alert").filter({ hasText: title });
  if (!hasJavaScript()) {
    await open(page, desk);
  }
  // With JavaScript the desk reads itself again when the alert opens: no reload.
  await expect(card).toBeVisible({ timeout: 15_000 });
  await expect(card.getByText("Ouverte", { exact: true })).toBeVisible();
  await expectNoSeriousAccessibilityViolation(page, "le bureau des alertes", consoleGuard);

  await card.getByRole("button", { name: "Prendre en charge" }).click();
  await expect(page.getByText("Vous avez pris l'alerte en charge")).toBeVisible();
  const taken = page.locator("article.sesame-alert").filter({ hasText: title });
  await expect(taken.getByText("Prise en charge", { exact: true })).toBeVisible();
  await expect(taken.getByText(/Prise en charge par/).first()).toBeVisible();
  await taken.getByLabel(/Note de clôture/).fill("Navire déchargé en deux fois, le poste a renforcé l'équipe.");
  await taken.getByRole("button", { name: "Clore l'alerte" }).click();
  await expect(page.getByText("L'alerte est close avec votre note")).toBeVisible();

  // A supervisor reads it, among every site's, and is offered no action.
  const supervisor = await signedIn(browser, ACCOUNTS.superviseur);
  await open(supervisor, `${desk}&etat=close`);
  await expect(supervisor.getByText(/Lecture seule/)).toBeVisible();
  const read = supervisor.locator("article.sesame-alert").filter({ hasText: title });
  await expect(read).toBeVisible();
  await expect(read.getByText(/Navire déchargé en deux fois/).first()).toBeVisible();
  await expect(read.getByRole("button")).toHaveCount(0);
  await read.getByText("Historique").click();
  await expect(read.getByText(/Close par/).first()).toBeVisible();

  // On a phone, with the keyboard.
  await page.setViewportSize(PHONE);
  await open(page, `${desk}&etat=close`);
  expect(await horizontalOverflow(page)).toBe(0);
  await expectNoSeriousAccessibilityViolation(page, "le bureau des alertes sur téléphone", consoleGuard);
  const filter = page.getByLabel("Règle", { exact: true });
  await filter.focus();
  await expect(filter).toBeFocused();

  // The head of service's thresholds on a phone: nothing wider than the screen, the form
  // reached with the keyboard.
  await head.setViewportSize(PHONE);
  await open(head, "/alertes/seuils");
  expect(await horizontalOverflow(head)).toBe(0);
  await expectNoSeriousAccessibilityViolation(head, "les seuils des alertes sur téléphone", consoleGuard);
  const value = head.locator(`section[aria-labelledby="poste-${post}"]`).getByLabel(/^Valeur/).first();
  await value.focus();
  await expect(value).toBeFocused();

  // The instance is left as it was: the particular threshold goes.
  await threshold(head, post, null);
  await head.context().close();
  await supervisor.context().close();
});

test("le bureau des alertes est refusé aux opérateurs et à la DGITM", async ({ page, consoleGuard }) => {
  for (const account of [ACCOUNTS.operateur, ACCOUNTS.dgitm]) {
    await page.context().clearCookies();
    await signInDirectly(page.request, account);
    consoleGuard.expectErrorStatusOf(`${BASE}/alertes`, 403);
    const response = await page.goto("/alertes");
    expect(response!.status(), account).toBe(403);
  }
});
