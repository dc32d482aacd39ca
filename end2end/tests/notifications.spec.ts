/**
 * Notifications: the bell in the header counts what is unread, live with JavaScript when a
 * partner system moves one of the operator's consignments; the notification centre lists them
 * and opens the dossier where to act. The test plays the partner system through the real
 * interface, on the live instance (its dossiers change no count other tests check). A company
 * administrator registers a webhook on a real HTTP server of the test (the live instance allows
 * the loopback, a setting for tests only).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { APIRequestContext, Page } from "@playwright/test";
import {
  ACCOUNTS,
  decodeMail,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  horizontalOverflow,
  open,
  signInDirectly,
  test,
} from "./helpers";
import { LIVE_MAILS } from "./instance-directe";
import { LIVE_PORT } from "../playwright.config";

const PARTNER_KEY = "cle-e2e-partenaire";

test.use({ baseURL: `http://127.0.0.1:${LIVE_PORT}` });
// One after the other within a project; each project has an operator of its own, so that one
// project's « tout marquer comme lu » never empties the other's bell (other tests only add).
test.describe.configure({ mode: "serial" });

function operator(): string {
  return hasJavaScript() ? ACCOUNTS.operateur : ACCOUNTS.operateur2;
}

/** A DSCE reference of this run. */
function ched(): string {
  const serial = String(Math.floor(Math.random() * 9_000_000) + 1_000_000);
  return `CHEDP.FR.2026.${serial}`;
}

async function sendArrival(request: APIRequestContext, reference: string, siret: string) {
  const response = await request.post("/api/v1/events", {
    headers: { Authorization: `Bearer ${PARTNER_KEY}` },
    data: {
      id: `e2e-notif-${reference}`,
      source: "port_community",
      type: "arrived",
      occurred_at: new Date().toISOString(),
      site: "FRLEH",
      references: { ched: reference },
      goods: { category: "fruit_vegetables", description: "Mangues" },
      operator: { siret },
      data: { transport_mode: "sea", means: "CMA CGM Tage" },
    },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { dossier_id: number }).dossier_id;
}

/** Signs the project's operator in; the SIRET of their company, as their space shows it. */
async function ownSiret(page: Page): Promise<string> {
  await signInDirectly(page.request, operator());
  await open(page, "/espace");
  return (await page.getByText(/SIRET/).first().textContent())!.match(/SIRET ([\d ]+)/)![1].replace(/\s/g, "");
}

/** The bell a person can see: in the header on wide screens, in the menu on phones. */
function bell(page: Page) {
  return page.locator("#cloche-entete a");
}

async function unread(page: Page): Promise<number> {
  return Number(await bell(page).getAttribute("data-unread"));
}

test("la cloche compte une nouvelle notification, et le centre ouvre son dossier", async ({ page }) => {
  const siret = await ownSiret(page);
  await open(page, "/dossiers");
  const before = await unread(page);
  if (hasJavaScript()) {
    await expect(page.getByRole("status").filter({ hasText: "Mises à jour en direct" })).toBeVisible();
    await page.evaluate(() => ((window as unknown as { __marque?: number }).__marque = 1));
  }
  const reference = ched();
  const dossier = await sendArrival(page.request, reference, siret);
  // Other tests may add notifications of their own meanwhile: at least this one more.
  if (hasJavaScript()) {
    // In place: the page is not reloaded.
    await expect.poll(() => unread(page), { timeout: 10_000 }).toBeGreaterThan(before);
    expect(await page.evaluate(() => (window as unknown as { __marque?: number }).__marque)).toBe(1);
  } else {
    expect(await unread(page)).toBe(before);
    await page.reload();
    expect(await unread(page)).toBeGreaterThan(before);
  }
  await expect(bell(page)).toHaveText(/Notifications \(\d+\+?\)/);

  await bell(page).click();
  await expect(page).toHaveURL(/\/notifications$/);
  await expect(page.getByRole("heading", { level: 1, name: "Notifications" })).toBeVisible();
  const item = page.locator("article").filter({ hasText: reference });
  await expect(item).toContainText("Non lue");
  await expect(item).toContainText("Dossier ouvert");
  await item.getByRole("link", { name: new RegExp(`${reference.replace(/\./g, "\\.")} : dossier ouvert`) }).click();
  await expect(page).toHaveURL(new RegExp(`/dossiers/${dossier}$`));

  // Read: no longer marked in the centre, and the unread filter leaves it out.
  await open(page, "/notifications");
  await expect(page.locator("article").filter({ hasText: reference })).not.toContainText("Non lue");
  await page.locator('label[for="filtre-non-lues"]').click();
  await page.getByRole("button", { name: "Filtrer" }).click();
  await expect(page).toHaveURL(/non_lues=1/);
  await expect(page.locator("article").filter({ hasText: reference })).toHaveCount(0);
});

test("tout marquer comme lu vide la cloche", async ({ page }) => {
  const siret = await ownSiret(page);
  await sendArrival(page.request, ched(), siret);
  await open(page, "/notifications");
  await expect(bell(page)).not.toHaveAttribute("data-unread", "0");
  await page.getByRole("button", { name: "Tout marquer comme lu" }).click();
  await expect(page.getByText("Toutes vos notifications sont marquées comme lues.")).toBeVisible();
  await expect(bell(page)).toHaveAttribute("data-unread", "0");
  await expect(page.getByRole("heading", { name: "Aucune notification non lue" })).toBeVisible();
});

test("le centre de notifications est accessible, au clavier et sur un téléphone", async ({ page, consoleGuard }) => {
  const siret = await ownSiret(page);
  await sendArrival(page.request, ched(), siret);
  await open(page, "/notifications");
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expectNoSeriousAccessibilityViolation(page, "le centre de notifications", consoleGuard);
  // A notification's link is reached with the keyboard (other tests add notifications above it
  // meanwhile: the link is named by its address, not its place).
  const href = await page.locator("article h3 a").first().getAttribute("href");
  const link = page.locator(`article h3 a[href="${href}"]`);
  await link.focus();
  await expect(link).toBeFocused();
  if (hasJavaScript()) {
    // A new notification arrives above it: the focus stays on the link the person reached.
    await expect(page.getByRole("status").filter({ hasText: "Mises à jour en direct" })).toBeVisible();
    const reference = ched();
    await sendArrival(page.request, reference, siret);
    await expect(page.locator("article").filter({ hasText: reference })).toBeVisible({ timeout: 10_000 });
    await expect(link).toBeFocused();
  }

  await page.setViewportSize(PHONE);
  await open(page, "/notifications");
  expect(await horizontalOverflow(page)).toBe(0);
  await expectNoSeriousAccessibilityViolation(page, "le centre de notifications sur téléphone", consoleGuard);
  // On a phone the bell is in the menu.
  if (hasJavaScript()) {
    await page.getByRole("button", { name: "Menu" }).click();
    await expect(page.locator("#cloche-menu a")).toBeVisible();
  }
});

test("un agent n'ouvre pas la notification d'un opérateur", async ({ page, browser }) => {
  const siret = await ownSiret(page);
  const reference = ched();
  await sendArrival(page.request, reference, siret);
  await open(page, "/notifications");
  const link = await page.locator("article").filter({ hasText: reference }).getByRole("link").first().getAttribute("href");
  const context = await browser.newContext({ baseURL: `http://127.0.0.1:${LIVE_PORT}` });
  const other = await context.newPage();
  await signInDirectly(other.request, ACCOUNTS.agentSivep);
  const answer = await other.request.get(link!, { maxRedirects: 0 });
  expect(answer.status()).toBe(303);
  expect(answer.headers()["location"]).toBe("/notifications?erreur=notification-introuvable");
  await context.close();
});


/** Whether a mail to `to` whose subject names `reference` was written. */
function mailed(to: string, reference: string): boolean {
  if (!fs.existsSync(LIVE_MAILS)) {
    return false;
  }
  return fs
    .readdirSync(LIVE_MAILS)
    .filter((name) => name.endsWith(".eml"))
    .some((name) => {
      const raw = fs.readFileSync(path.join(LIVE_MAILS, name), "utf8");
      return new RegExp(`^To:.*${to.replace(/[.]/g, "\\.")}`, "im").test(raw) && decodeMail(raw).subject.includes(reference);
    });
}

test("les préférences choisies sont enregistrées et respectées", async ({ page, consoleGuard }) => {
  const siret = await ownSiret(page);
  await page.setViewportSize(PHONE);
  await open(page, "/notifications/preferences");
  expect(await horizontalOverflow(page)).toBe(0);
  await expectNoSeriousAccessibilityViolation(page, "les préférences de notification sur téléphone", consoleGuard);
  await page.setViewportSize({ width: 1280, height: 800 });
  await open(page, "/notifications");
  await page.getByRole("link", { name: "Choisir ce que vous recevez par courriel" }).click();
  await expect(page).toHaveURL(/\/notifications\/preferences$/);
  await expect(page.getByRole("heading", { level: 1, name: "Préférences de notification" })).toBeVisible();
  // What asks for an action cannot be turned off.
  await expect(page.getByLabel(/Contrôle à planifier/)).toBeDisabled();
  await page.getByLabel("Dossier ouvert", { exact: true }).selectOption("jamais");
  await page.getByLabel(/Heure du récapitulatif quotidien/).selectOption("18");
  await page.getByRole("button", { name: "Enregistrer mes préférences" }).click();
  await expect(page.getByText("Vos préférences de notification sont enregistrées.")).toBeVisible();
  await expect(page.getByLabel("Dossier ouvert", { exact: true })).toHaveValue("jamais");
  await expect(page.getByLabel(/Heure du récapitulatif quotidien/)).toHaveValue("18");

  // Honoured: the opening of a dossier is in the centre, not in the mailbox; once mails are
  // asked for again, the next one is mailed.
  const quiet = ched();
  await sendArrival(page.request, quiet, siret);
  await open(page, "/notifications");
  await expect(page.locator("article").filter({ hasText: quiet })).toBeVisible();
  await open(page, "/notifications/preferences");
  await page.getByLabel("Dossier ouvert", { exact: true }).selectOption("immediat");
  await page.getByRole("button", { name: "Enregistrer mes préférences" }).click();
  await expect(page.getByText("Vos préférences de notification sont enregistrées.")).toBeVisible();
  const told = ched();
  await sendArrival(page.request, told, siret);
  await expect.poll(() => mailed(operator(), told), { timeout: 15_000 }).toBe(true);
  expect(mailed(operator(), quiet)).toBe(false);
});

test("l'administrateur d'une entreprise inscrit l'adresse de son transporteur, qui confirme", async ({ page, consoleGuard }) => {
  await signInDirectly(page.request, ACCOUNTS.operateur);
  const haulier = `transport-${hasJavaScript() ? "js" : "html"}-${Date.now()}@exemple.fr`;
  await open(page, "/notifications");
  await page.getByRole("link", { name: "Transmettre des notifications à d'autres adresses" }).click();
  await expect(page).toHaveURL(/\/notifications\/destinataires$/);
  await page.getByLabel(/^Adresse électronique/).fill(haulier);
  await page.locator('label[for="type_controle_a_planifier"]').click();
  await page.getByRole("button", { name: "Inscrire et envoyer le lien de confirmation" }).click();
  await expect(page.getByText("L'adresse est inscrite.")).toBeVisible();
  const entry = page.locator("li").filter({ hasText: haulier });
  await expect(entry).toContainText("En attente de confirmation");
  await expect(entry).toContainText("Contrôle à planifier");
  await expectNoSeriousAccessibilityViolation(page, "les autres destinataires", consoleGuard);
  await page.setViewportSize(PHONE);
  expect(await horizontalOverflow(page)).toBe(0);
  await expectNoSeriousAccessibilityViolation(page, "les autres destinataires sur téléphone", consoleGuard);
  await page.setViewportSize({ width: 1280, height: 800 });

  // The haulier follows the link and confirms, with a button.
  let link = "";
  await expect
    .poll(
      () => {
        if (!fs.existsSync(LIVE_MAILS)) return false;
        for (const name of fs.readdirSync(LIVE_MAILS).filter((n) => n.endsWith(".eml"))) {
          const raw = fs.readFileSync(path.join(LIVE_MAILS, name), "utf8");
          if (!raw.includes(haulier)) continue;
          const found = decodeMail(raw).links.find((l) => l.includes("/confirmation-destinataire"));
          if (found) {
            link = found;
            return true;
          }
        }
        return false;
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  const stranger = await page.context().browser()!.newContext({ baseURL: `http://127.0.0.1:${LIVE_PORT}` });
  const outside = await stranger.newPage();
  await outside.setViewportSize(PHONE);
  await open(outside, new URL(link).pathname + new URL(link).search);
  await expect(outside.getByRole("heading", { level: 1, name: "Confirmer votre adresse" })).toBeVisible();
  expect(await horizontalOverflow(outside)).toBe(0);
  await expectNoSeriousAccessibilityViolation(outside, "la confirmation d'une adresse sur téléphone", consoleGuard);
  await outside.getByRole("button", { name: "Confirmer mon adresse" }).click();
  await expect(outside.getByText("Votre adresse est confirmée")).toBeVisible();
  await stranger.close();

  await page.reload();
  await expect(entry).toContainText("Confirmée");
  await entry.getByRole("button", { name: new RegExp(`Retirer.*${haulier.replace(/[.]/g, "\\.")}`) }).click();
  await expect(page.getByText("L'adresse est retirée")).toBeVisible();
  await expect(page.locator("li").filter({ hasText: haulier })).toHaveCount(0);
});

test("l'administrateur d'une entreprise inscrit un webhook, voit son secret une fois et reçoit une livraison de test signée", async ({ page, consoleGuard }) => {
  // The company's information system, played by a real HTTP server of the test.
  const received: { signature: string; body: string }[] = [];
  const receiver = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push({ signature: String(request.headers["sesame-signature"] ?? ""), body });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  const address = `http://127.0.0.1:${port}/recu-${hasJavaScript() ? "js" : "html"}`;
  try {
    await signInDirectly(page.request, ACCOUNTS.operateur);
    await open(page, "/notifications");
    await page.getByRole("link", { name: /webhooks/ }).click();
    await expect(page).toHaveURL(/\/notifications\/webhooks$/);
    await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
    await page.getByLabel(/^Adresse qui reçoit les livraisons/).fill(address);
    await page.locator('label[for="webhook-type_controle_a_planifier"]').click();
    await page.getByRole("button", { name: "Inscrire le webhook" }).click();
    await expect(page.getByText("Le webhook est inscrit.")).toBeVisible();
    const secret = await page.getByLabel("Secret", { exact: true }).inputValue();
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    await expectNoSeriousAccessibilityViolation(page, "les webhooks", consoleGuard);
    await page.setViewportSize(PHONE);
    expect(await horizontalOverflow(page)).toBe(0);
    await expectNoSeriousAccessibilityViolation(page, "les webhooks sur téléphone", consoleGuard);
    await page.setViewportSize({ width: 1280, height: 800 });

    // Shown once: not after a reload.
    await open(page, "/notifications/webhooks");
    await expect(page.getByLabel("Secret", { exact: true })).toHaveCount(0);
    const endpoint = page.locator("article").filter({ hasText: address });
    await expect(endpoint).toContainText("Actif");
    await expect(endpoint).toContainText("Contrôle à planifier");

    // A test delivery reaches the receiver, signed with the secret; the page shows the attempt.
    await endpoint.getByRole("button", { name: /^Envoyer un test/ }).click();
    await expect(page.getByText("La livraison de test part dans quelques secondes")).toBeVisible();
    // Only the test: other tests may select the company's consignments for a check meanwhile.
    const tests = () => received.filter((delivery) => JSON.parse(delivery.body).type === "test");
    await expect.poll(() => tests().length, { timeout: 15_000 }).toBe(1);
    const [{ signature, body }] = tests();
    const [t, v1] = signature.replace(/^t=/, "").split(",v1=");
    expect(v1).toBe(crypto.createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"));
    expect(JSON.parse(body).type).toBe("test");
    await expect
      .poll(
        async () => {
          await open(page, "/notifications/webhooks");
          return (await page.locator("article").filter({ hasText: address }).textContent()) ?? "";
        },
        { timeout: 15_000 },
      )
      .toContain("200 — reçue");
    // With its attempts (a table, whose buttons carry words for screen readers only), the page
    // still fits a phone: the table scrolls inside its frame.
    await page.setViewportSize(PHONE);
    expect(await horizontalOverflow(page)).toBe(0);
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.locator("article").filter({ hasText: address }).getByRole("button", { name: /^Retirer/ }).click();
    await expect(page.getByText("Le webhook est retiré")).toBeVisible();
    await expect(page.locator("article").filter({ hasText: address })).toHaveCount(0);
  } finally {
    receiver.close();
  }
});
