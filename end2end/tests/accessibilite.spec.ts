/**
 * Automated accessibility checks (axe-core, WCAG 2.0 and 2.1, levels A and AA) on each kind of
 * page, on a desktop screen and on a phone: no violation of impact "serious" or "critical".
 */
import {
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  firstDossierPath,
  open,
  test,
} from "./helpers";

const MISSING = "/cette-page-n-existe-pas";

const PAGES: Array<{ what: string; path: (page: import("@playwright/test").Page) => Promise<string>; status: number }> = [
  { what: "l'accueil", path: async () => "/", status: 200 },
  { what: "la liste des dossiers", path: async () => "/dossiers", status: 200 },
  { what: "une page de dossier", path: firstDossierPath, status: 200 },
  { what: "les conditions générales d'utilisation", path: async () => "/cgu", status: 200 },
  { what: "les informations réglementaires", path: async () => "/informations-reglementaires", status: 200 },
  { what: "la foire aux questions", path: async () => "/faq", status: 200 },
  { what: "la page non trouvée", path: async () => MISSING, status: 404 },
];

for (const screen of [
  { name: "sur ordinateur", viewport: { width: 1280, height: 800 } },
  { name: "sur téléphone", viewport: PHONE },
]) {
  test.describe(`accessibilité ${screen.name}`, () => {
    test.use({ viewport: screen.viewport });

    for (const { what, path, status } of PAGES) {
      test(`${what} n'a pas de défaut d'accessibilité grave`, async ({ page, consoleGuard, baseURL }) => {
        const address = await path(page);
        if (status !== 200) {
          consoleGuard.expectErrorStatusOf(`${baseURL}${address}`, status);
        }
        const response = await open(page, address);
        expect(response.status()).toBe(status);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        await expectNoSeriousAccessibilityViolation(page, `${what} ${screen.name}`, consoleGuard);
      });
    }
  });
}
