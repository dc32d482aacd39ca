/**
 * Automated accessibility checks (axe-core, WCAG 2.0 and 2.1, levels A and AA) on each kind of
 * page, on a desktop screen and on a phone: no violation of impact "serious" or "critical".
 */
import {
  ACCOUNTS,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  firstDossierPath,
  open,
  test,
} from "./helpers";

const MISSING = "/cette-page-n-existe-pas";

const PAGES: Array<{
  what: string;
  path: (page: import("@playwright/test").Page) => Promise<string>;
  status: number;
  /** Who is signed in, for pages that need an account. */
  account?: string;
}> = [
  { what: "l'accueil", path: async () => "/", status: 200 },
  { what: "la liste des dossiers", path: async () => "/dossiers", status: 200, account: ACCOUNTS.superviseur },
  { what: "une page de dossier", path: firstDossierPath, status: 200, account: ACCOUNTS.superviseur },
  { what: "la connexion", path: async () => "/connexion", status: 200 },
  { what: "le mot de passe oublié", path: async () => "/mot-de-passe-oublie", status: 200 },
  { what: "l'acceptation des CGU", path: async () => "/cgu/acceptation", status: 200, account: ACCOUNTS.superviseur },
  { what: "l'espace d'un administrateur d'entreprise", path: async () => "/espace", status: 200, account: ACCOUNTS.operateur },
  { what: "l'espace d'un agent", path: async () => "/espace", status: 200, account: ACCOUNTS.agentSivep },
  { what: "les habilitations d'un chef de service", path: async () => "/habilitations", status: 200, account: ACCOUNTS.chef },
  { what: "les alertes de rapprochement d'un agent", path: async () => "/alertes-correlation", status: 200, account: ACCOUNTS.agentSivep },
  { what: "les rendez-vous d'un opérateur", path: async () => "/rendez-vous", status: 200, account: ACCOUNTS.operateur },
  { what: "le planning d'un poste", path: async () => "/planning?semaine=1", status: 200, account: ACCOUNTS.agentSivep },
  { what: "le contrôle à l'arrivée", path: async () => "/controle-arrivee", status: 200, account: ACCOUNTS.agentSivep },
  { what: "le calendrier d'un poste", path: async () => "/postes/calendrier", status: 200, account: ACCOUNTS.chef },
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

    for (const { what, path, status, account } of PAGES) {
      test.describe(what, () => {
        test.use({ account });
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
      });
    }
  });
}
