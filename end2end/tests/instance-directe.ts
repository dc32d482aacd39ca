/**
 * The live instance of the suite (see playwright.config.ts): it holds the partner key that opens
 * dossiers, runs the antivirus and writes its mails to `mails-direct`. What the specs that use it
 * share: a new dossier of the operator's company, another person at another computer, a small
 * PDF, and the mails it wrote.
 */
import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext, Browser, Page } from "@playwright/test";
import { decodeMail, expect, hasJavaScript, open, signInDirectly, type ReceivedMail } from "./helpers";
import { LIVE_PORT } from "../playwright.config";

const PARTNER_KEY = "cle-e2e-partenaire";
export const BASE_URL = `http://127.0.0.1:${LIVE_PORT}`;

/** Where the live instance writes its mails. */
export const LIVE_MAILS = path.join(process.env.E2E_DATA ?? path.resolve(__dirname, "../../target/e2e"), "mails-direct");

/** The SIRET of the signed-in operator's company, as the personal space shows it. */
export async function siretOf(page: Page): Promise<string> {
  await open(page, "/espace");
  return (await page.getByText(/SIRET/).first().textContent())!.match(/SIRET ([\d ]+)/)![1].replace(/\s/g, "");
}

/**
 * A new dossier of this company (at Le Havre unless told otherwise), opened by TRACES through the
 * partner interface, lodged an hour ago unless told otherwise.
 */
export async function newDossier(
  request: APIRequestContext,
  siret: string,
  place: { site: string; post: string } = { site: "FRLEH", post: "FRLEH1" },
  lodgedAt: Date = new Date(Date.now() - 3_600_000),
): Promise<number> {
  const reference = `CHEDP.FR.2026.${String(Math.floor(Math.random() * 8_000_000) + 1_000_000)}`;
  const response = await request.post("/api/v1/events", {
    headers: { Authorization: `Bearer ${PARTNER_KEY}` },
    data: {
      id: `${reference}-a`,
      source: "traces",
      type: "ched_lodged",
      occurred_at: lodgedAt.toISOString(),
      site: place.site,
      post: place.post,
      references: { ched: reference },
      goods: { category: "animal_products", description: "Crevettes congelées" },
      operator: { siret },
      data: { ched_type: "P" },
    },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { dossier_id: number }).dossier_id;
}

/** Another person at another computer, signed in. */
export async function anotherPerson(browser: Browser, account: string, viewport?: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ baseURL: BASE_URL, javaScriptEnabled: hasJavaScript(), locale: "fr-FR", viewport });
  await signInDirectly(context.request, account);
  return context.newPage();
}

/** A small PDF, as a scanner or an accounting program writes one. */
export function pdf(text: string): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`);
}

/** The mail the live instance wrote to `to` whose subject names `words`, once written. */
export async function liveMailTo(to: string, words: string): Promise<ReceivedMail> {
  let found: ReceivedMail | undefined;
  await expect
    .poll(
      () => {
        if (!fs.existsSync(LIVE_MAILS)) return false;
        for (const name of fs.readdirSync(LIVE_MAILS).filter((n) => n.endsWith(".eml"))) {
          const raw = fs.readFileSync(path.join(LIVE_MAILS, name), "utf8");
          if (!new RegExp(`^To:.*${to.replace(/[.]/g, "\\.")}`, "im").test(raw)) continue;
          const mail = decodeMail(raw);
          if (mail.subject.includes(words)) {
            found = mail;
            return true;
          }
        }
        return false;
      },
      { message: `courriel « ${words} » pour ${to}`, timeout: 15_000 },
    )
    .toBe(true);
  return found!;
}
