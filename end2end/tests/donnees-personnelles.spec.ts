/**
 * « Mes données personnelles », end to end: from « Mon espace », an operator (Claire) reaches the
 * page, reads what is kept and how to exercise her rights (portability said not to apply), and
 * downloads the sealed copy of her data: a ZIP with the readable PDF, the JSON, the manifest and
 * the seal, which names her and not the agents. The page is checked with axe, on a phone and with
 * the keyboard alone. Reading only: nothing here changes the demo.
 */
import * as fs from "node:fs";
import {
  ACCOUNTS,
  expect,
  expectNoSeriousAccessibilityViolation,
  fitsOnAPhone,
  open,
  signIn,
  test,
} from "./helpers";

test("une personne télécharge la copie scellée de ses données depuis son espace", async ({ page, consoleGuard }) => {
  await signIn(page, ACCOUNTS.operateur);
  await open(page, "/espace");
  await page.getByRole("link", { name: "Mes données personnelles", exact: true }).click();
  await expect(page).toHaveURL(/\/espace\/donnees$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Mes données personnelles");
  await expect(page.getByRole("heading", { name: "Obtenir une copie de mes données" })).toBeVisible();
  await expect(page.getByText(/Portabilité : ce droit ne s'applique pas/)).toBeVisible();
  await expect(page.getByText(/article 17, paragraphe 3, point b/)).toBeVisible();

  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Télécharger la copie de mes données (ZIP)" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^donnees-personnelles-\d{4}-\d{2}-\d{2}\.zip$/);
  const bytes = fs.readFileSync((await download.path())!);
  expect(bytes.subarray(0, 2).toString()).toBe("PK");
  // A stored ZIP names its files and keeps the JSON in clear.
  const listing = bytes.toString("utf8");
  for (const name of ["donnees-personnelles.pdf", "donnees-personnelles.json", "manifeste.json", "scellement.json"]) {
    expect(listing).toContain(name);
  }
  expect(listing).toContain(`"adresse_electronique": "${ACCOUNTS.operateur}"`);
  expect(listing).toContain("copie_scellee");
  expect(listing).not.toContain(ACCOUNTS.agentSivep);

  await expectNoSeriousAccessibilityViolation(page, "mes données personnelles", consoleGuard);
  await fitsOnAPhone(page, "mes données personnelles");
});

test("la copie se télécharge au clavier seul", async ({ page }) => {
  await signIn(page, ACCOUNTS.operateur);
  await open(page, "/espace/donnees");
  const link = page.getByRole("link", { name: "Télécharger la copie de mes données (ZIP)" });
  // Tab until the link has the focus, as a person without a mouse would.
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press("Tab");
    if (await link.evaluate((element) => element === document.activeElement)) break;
  }
  await expect(link).toBeFocused();
  const downloading = page.waitForEvent("download");
  await page.keyboard.press("Enter");
  expect((await downloading).suggestedFilename()).toMatch(/\.zip$/);
});
