/**
 * The digital import file in the browser: on a 360-px phone, an operator joins its commercial
 * invoice to a dossier (the sending's progress said with JavaScript, the plain form without),
 * sees it pass the antivirus (a real clamd, see `clamd.mjs`) and downloads it, sees a file
 * carrying the EICAR test string refused by the antivirus, and downloads the whole dossier as a
 * ZIP with its manifest; an agent of the site adds an inspection report the operator then reads.
 * On the live instance (it holds the partner key that opens the dossier), axe clean.
 */
import fs from "node:fs";
import type { Page } from "@playwright/test";
import {
  ACCOUNTS,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  hasJavaScript,
  horizontalOverflow,
  open,
  test,
  waitUntilInteractive,
} from "./helpers";
import { BASE_URL, anotherPerson, newDossier, pdf, siretOf } from "./instance-directe";

test.use({ baseURL: BASE_URL });

/** The EICAR test string, which the tests' antivirus knows as a threat, inside a PDF. */
const EICAR = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/**
 * Waits until the antivirus has given its verdict on the documents of the page: with JavaScript
 * the page reads itself again in place; without, the person reloads it.
 */
async function untilScanned(page: Page, dossier: number) {
  const section = page.locator("#documents");
  if (hasJavaScript()) {
    await expect(section).not.toHaveAttribute("data-analyse", "en-cours", { timeout: 20_000 });
    return;
  }
  await expect
    .poll(
      async () => {
        await open(page, `/dossiers/${dossier}`);
        return await section.getAttribute("data-analyse");
      },
      { timeout: 20_000, intervals: [500, 1_000] },
    )
    .toBeNull();
}

/** Fills and sends the form of the dossier's documents. */
async function addDocument(page: Page, kind: string, title: string, file: { name: string; buffer: Buffer }, visibility?: string) {
  const form = page.locator("#formulaire-document");
  await form.getByLabel("Type de document").selectOption({ label: kind });
  await form.getByLabel(/^Titre/).fill(title);
  await form.getByLabel(/^Fichier/).setInputFiles({ name: file.name, mimeType: "application/pdf", buffer: file.buffer });
  if (visibility) {
    // The DSFR draws the radio button on its label, which is what a person presses.
    await form.locator("label", { hasText: visibility }).click();
    await expect(form.getByLabel(visibility)).toBeChecked();
  }
  await form.getByRole("button", { name: "Ajouter le document" }).click();
  await page.waitForURL(/message=document-ajoute/);
  await waitUntilInteractive(page);
  await expect(page.getByText("Le document est ajouté au dossier")).toBeVisible();
}

test.describe("dossier d'import numérique", () => {
  test.use({ account: ACCOUNTS.operateur, viewport: PHONE });

  test("sur téléphone, l'opérateur joint sa facture et la télécharge ; un agent ajoute un rapport d'inspection", async ({ page, browser, consoleGuard }) => {
    test.slow();
    const dossier = await newDossier(page.request, await siretOf(page));
    await open(page, `/dossiers/${dossier}`);
    const section = page.locator("#documents");
    await expect(section.getByRole("heading", { name: "Documents du dossier" })).toBeVisible();
    await expect(section).toContainText("Aucun document pour l'instant.");

    await addDocument(page, "Facture commerciale", "Facture 2026-118", { name: "facture 2026-118.pdf", buffer: pdf("facture") });
    const invoice = section.getByRole("listitem").filter({ hasText: "Facture 2026-118" });
    await expect(invoice).toContainText("Facture commerciale");
    await expect(invoice).toContainText("Océane Import SAS");
    // The antivirus looks at it before anyone may have it.
    await untilScanned(page, dossier);
    await expect(invoice).toContainText("Analysé par l'antivirus : aucune menace détectée.");
    const downloading = page.waitForEvent("download");
    await invoice.getByRole("link", { name: /Télécharger « Facture 2026-118 »/ }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe("facture 2026-118.pdf");
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    // The page at its plain address (the check copies it without its scripts by address).
    await open(page, `/dossiers/${dossier}`);
    await expectNoSeriousAccessibilityViolation(page, "les documents du dossier", consoleGuard);

    // A refused file says why, on the page, and adds nothing.
    const form = page.locator("#formulaire-document");
    await form.getByLabel("Type de document").selectOption({ label: "Certificat" });
    await form.getByLabel(/^Titre/).fill("Page web");
    await form.getByLabel(/^Fichier/).setInputFiles({ name: "certificat.pdf", mimeType: "application/pdf", buffer: Buffer.from("<html><body>pas un PDF</body></html>") });
    await form.getByRole("button", { name: "Ajouter le document" }).click();
    await page.waitForURL(/erreur=document-format/);
    await expect(page.getByText(/Ce type de fichier n'est pas accepté/)).toBeVisible();
    await expect(section.locator("li.sesame-document")).toHaveCount(1);

    // A PDF carrying the EICAR test string is received, then refused by the antivirus.
    await addDocument(page, "Certificat", "Certificat sanitaire", { name: "certificat.pdf", buffer: Buffer.concat([pdf("certificat"), Buffer.from(EICAR)]) });
    await untilScanned(page, dossier);
    const infected = section.getByRole("listitem").filter({ hasText: "Certificat sanitaire" });
    await expect(infected).toContainText("Refusé : menace détectée par l'antivirus");
    await expect(infected.getByRole("link")).toHaveCount(0);

    // The whole dossier, as one archive with its manifest.
    const zipping = page.waitForEvent("download");
    await section.getByRole("link", { name: "Télécharger tout le dossier (ZIP)" }).click();
    const archive = await zipping;
    expect(archive.suggestedFilename()).toMatch(/^dossier-CHEDP-FR-2026-\d+\.zip$/);
    const bytes = fs.readFileSync((await archive.path())!);
    expect(bytes.subarray(0, 2).toString()).toBe("PK");
    // A stored ZIP names its files in clear: the manifest, the summary, the invoice; the
    // infected certificate is only named in the manifest, never carried.
    const listing = bytes.toString("latin1");
    expect(listing).toContain("manifeste.json");
    expect(listing).toContain("recapitulatif.pdf");
    expect(listing).toContain("facture 2026-118.pdf");
    expect(listing).not.toContain("EICAR-STANDARD");
    await expect(section.getByRole("link", { name: /Récapitulatif du dossier/ })).toBeVisible();

    // An agent of the site adds an inspection report for the operator.
    const agent = await anotherPerson(browser, ACCOUNTS.agentSivep);
    await open(agent, `/dossiers/${dossier}`);
    await addDocument(
      agent,
      "Rapport d'inspection",
      "Rapport d'inspection du lot",
      { name: "rapport.pdf", buffer: pdf("rapport") },
      "L'opérateur et les services de contrôle",
    );
    await expect(agent.locator("#documents").getByRole("listitem").filter({ hasText: "Rapport d'inspection du lot" })).toHaveCount(1);
    // The page at its plain address (the check copies it without its scripts by address).
    await open(agent, `/dossiers/${dossier}`);
    await expectNoSeriousAccessibilityViolation(agent, "les documents du dossier, côté agent", consoleGuard);

    await open(page, `/dossiers/${dossier}`);
    await expect(section.getByRole("listitem").filter({ hasText: "Rapport d'inspection du lot" })).toContainText("SIVEP (DGAL)");
  });
});
