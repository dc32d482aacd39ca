/**
 * Automated accessibility checks (axe-core, WCAG 2.0 and 2.1, levels A and AA) on each kind of
 * page, on a desktop screen and on a phone: no violation of impact "serious" or "critical".
 */
import fs from "node:fs";
import path from "node:path";
import {
  ACCOUNTS,
  PHONE,
  expect,
  expectNoSeriousAccessibilityViolation,
  firstDossierPath,
  open,
  test,
} from "./helpers";
import { LIVE_PORT } from "../playwright.config";

const MISSING = "/cette-page-n-existe-pas";

/** The classes the whole DSFR stylesheet has rules for (some of its markup classes have none). */
const FULL_DSFR_CLASSES = new Set(
  [
    ...fs
      .readFileSync(path.resolve(__dirname, "../../node_modules/@gouvfr/dsfr/dist/dsfr.min.css"), "utf8")
      .matchAll(/\.(fr-[\w-]+)/g),
  ].map((match) => match[1]),
);
const LIVE = `http://127.0.0.1:${LIVE_PORT}`;

/** The first dossier the signed-in person's list shows, and its booking page. */
const dossier = firstDossierPath;
const booking = async (page: import("@playwright/test").Page) => `${await firstDossierPath(page)}/rendez-vous?controle=physique`;

/** The first account page that `listing` links to, read from the server-rendered HTML. */
function firstAccountPath(listing: string) {
  return async (page: import("@playwright/test").Page) => {
    const response = await page.request.get(listing);
    expect(response.status()).toBe(200);
    const match = /href="(\/comptes\/\d+)"/.exec(await response.text());
    expect(match, `${listing} ne renvoie vers aucun compte`).not.toBeNull();
    return match![1];
  };
}

/**
 * Every page each role can reach (its navigation, its home page, its dossiers), and the pages
 * everyone can: the public ones, the sign-in pages, the page of an address that leads nowhere, and
 * the page that refuses a role. The DGITM and the administrator are signed in on the live instance:
 * the main instance keeps their accounts for the first-sign-in tests.
 */
const PAGES: Array<{
  what: string;
  path: (page: import("@playwright/test").Page) => Promise<string>;
  status: number;
  /** Who is signed in, for pages that need an account. */
  account?: string;
  /** Another instance than the main one. */
  baseURL?: string;
}> = [
  // Public pages.
  { what: "l'accueil", path: async () => "/", status: 200 },
  { what: "les informations réglementaires", path: async () => "/informations-reglementaires", status: 200 },
  { what: "les informations pratiques", path: async () => "/informations-pratiques", status: 200 },
  { what: "le guide d'utilisation", path: async () => "/guide", status: 200 },
  { what: "la foire aux questions", path: async () => "/faq", status: 200 },
  { what: "le contact", path: async () => "/contact", status: 200 },
  { what: "les conditions générales d'utilisation", path: async () => "/cgu", status: 200 },
  { what: "les données personnelles", path: async () => "/donnees-personnelles", status: 200 },
  { what: "la déclaration d'accessibilité", path: async () => "/accessibilite", status: 200 },
  { what: "les mentions légales", path: async () => "/mentions-legales", status: 200 },
  { what: "l'état du service", path: async () => "/etat-du-service", status: 200 },
  { what: "la connexion", path: async () => "/connexion", status: 200 },
  { what: "le mot de passe oublié", path: async () => "/mot-de-passe-oublie", status: 200 },
  { what: "la page non trouvée", path: async () => MISSING, status: 404 },
  // Pages people reach from the customs account or a decision about their account; without a
  // request or a session, they say what to do (with them, deploiement.spec.ts checks them).
  { what: "le suivi d'une demande d'accès, sans demande", path: async () => "/demande-acces", status: 200 },
  { what: "la page d'un compte suspendu, sans session", path: async () => "/compte-suspendu", status: 200 },
  // An operator (company administrator).
  { what: "l'accueil d'un opérateur", path: async () => "/accueil", status: 200, account: ACCOUNTS.operateur },
  { what: "la liste d'un opérateur", path: async () => "/dossiers", status: 200, account: ACCOUNTS.operateur },
  { what: "les données personnelles d'un opérateur", path: async () => "/espace/donnees", status: 200, account: ACCOUNTS.operateur },
  // The rights desk, as the DGDDI agent who holds it reads it (guichet-droits.spec.ts checks a
  // request's page, which only exists once a test has presented or recorded one).
  { what: "le guichet des droits", path: async () => "/droits", status: 200, account: ACCOUNTS.agentDouane },
  { what: "un dossier d'un opérateur", path: dossier, status: 200, account: ACCOUNTS.operateur },
  { what: "la réservation d'un rendez-vous", path: booking, status: 200, account: ACCOUNTS.operateur },
  { what: "les rendez-vous d'un opérateur", path: async () => "/rendez-vous", status: 200, account: ACCOUNTS.operateur },
  { what: "l'espace d'un administrateur d'entreprise", path: async () => "/espace", status: 200, account: ACCOUNTS.operateur },
  { what: "la messagerie d'un opérateur", path: async () => "/messagerie", status: 200, account: ACCOUNTS.operateur },
  { what: "une nouvelle demande d'un opérateur", path: async () => "/messagerie/nouvelle", status: 200, account: ACCOUNTS.operateur },
  // An agent.
  { what: "l'accueil d'un agent", path: async () => "/accueil", status: 200, account: ACCOUNTS.agentSivep },
  { what: "la liste d'un agent", path: async () => "/dossiers", status: 200, account: ACCOUNTS.agentSivep },
  { what: "un dossier d'un agent", path: dossier, status: 200, account: ACCOUNTS.agentDouane },
  { what: "le planning d'un poste", path: async () => "/planning?semaine=1", status: 200, account: ACCOUNTS.agentSivep },
  { what: "le contrôle à l'arrivée", path: async () => "/controle-arrivee", status: 200, account: ACCOUNTS.agentSivep },
  { what: "le bureau des alertes d'un agent, sur les rapprochements", path: async () => "/alertes?regle=rapprochement", status: 200, account: ACCOUNTS.agentSivep },
  { what: "l'espace d'un agent", path: async () => "/espace", status: 200, account: ACCOUNTS.agentSivep },
  // The queue of new companies: empty, or with the requests inscription-entreprise.spec.ts opens
  // (which checks it with one, and the page of the request that declares the company).
  { what: "les entreprises à vérifier d'un agent", path: async () => "/verifications-entreprises", status: 200, account: ACCOUNTS.agentSivep },
  { what: "la boîte de réception d'un agent", path: async () => "/messagerie?statut=nouvelle", status: 200, account: ACCOUNTS.agentDouane },
  { what: "un échange introuvable", path: async () => "/messagerie/987654", status: 404, account: ACCOUNTS.agentDouane },
  { what: "la recherche d'opérateurs d'un agent", path: async () => "/operateurs?recherche=oc", status: 200, account: ACCOUNTS.agentFos },
  { what: "un opérateur introuvable", path: async () => "/operateurs/987654", status: 404, account: ACCOUNTS.agentFos },
  // A head of service.
  { what: "les habilitations d'un chef de service", path: async () => "/habilitations", status: 200, account: ACCOUNTS.chef },
  { what: "le calendrier d'un poste", path: async () => "/postes/calendrier", status: 200, account: ACCOUNTS.chef },
  { what: "le planning d'un chef de service", path: async () => "/planning", status: 200, account: ACCOUNTS.chef },
  { what: "l'accueil d'un chef de service", path: async () => "/accueil", status: 200, account: ACCOUNTS.chef },
  { what: "les entreprises à vérifier d'un chef de service", path: async () => "/verifications-entreprises", status: 200, account: ACCOUNTS.chef },
  { what: "les seuils des alertes d'un chef de service", path: async () => "/alertes/seuils", status: 200, account: ACCOUNTS.chef },
  { what: "un compte d'agent parmi les comptes que voit son chef de service", path: firstAccountPath("/habilitations"), status: 200, account: ACCOUNTS.chef },
  // A supervisor.
  { what: "l'accueil d'un superviseur", path: async () => "/accueil", status: 200, account: ACCOUNTS.superviseur },
  { what: "la liste des dossiers", path: async () => "/dossiers", status: 200, account: ACCOUNTS.superviseur },
  { what: "une page de dossier", path: firstDossierPath, status: 200, account: ACCOUNTS.superviseur },
  { what: "l'acceptation des CGU", path: async () => "/cgu/acceptation", status: 200, account: ACCOUNTS.superviseur },
  { what: "une page refusée à un superviseur", path: async () => "/planning", status: 403, account: ACCOUNTS.superviseur },
  { what: "la fiche d'identité d'un opérateur", path: async () => "/operateurs/1", status: 200, account: ACCOUNTS.superviseur },
  { what: "un tableau de bord de l'année", path: async () => "/tableaux-de-bord?periode=annee", status: 200, account: ACCOUNTS.superviseur },
  { what: "un tableau de bord mal filtré", path: async () => "/tableaux-de-bord?date=demain", status: 200, account: ACCOUNTS.superviseur },
  { what: "un tableau de bord d'un chef de service", path: async () => "/tableaux-de-bord?periode=semaine", status: 200, account: ACCOUNTS.chef },
  // The DGITM and the administrator, on the live instance.
  { what: "l'accueil de la DGITM", path: async () => "/accueil", status: 200, account: ACCOUNTS.dgitm, baseURL: LIVE },
  { what: "l'espace de la DGITM", path: async () => "/espace", status: 200, account: ACCOUNTS.dgitm, baseURL: LIVE },
  { what: "une page refusée à la DGITM", path: async () => "/dossiers", status: 403, account: ACCOUNTS.dgitm, baseURL: LIVE },
  { what: "les statistiques de la DGITM", path: async () => "/statistiques?indicateur=controles", status: 200, account: ACCOUNTS.dgitm, baseURL: LIVE },
  { what: "l'accueil d'un administrateur", path: async () => "/accueil", status: 200, account: ACCOUNTS.admin, baseURL: LIVE },
  { what: "les clés partenaires", path: async () => "/administration/cles-partenaires", status: 200, account: ACCOUNTS.admin, baseURL: LIVE },
  { what: "les sites et postes", path: async () => "/administration/sites", status: 200, account: ACCOUNTS.admin, baseURL: LIVE },
  { what: "la maintenance et l'état du service", path: async () => "/administration/maintenance", status: 200, account: ACCOUNTS.admin, baseURL: LIVE },
  { what: "les comptes de la plateforme", path: async () => "/administration/comptes", status: 200, account: ACCOUNTS.admin, baseURL: LIVE },
  { what: "un compte parmi les comptes de la plateforme", path: firstAccountPath(`/administration/comptes?recherche=${encodeURIComponent(ACCOUNTS.agentDouane)}`), status: 200, account: ACCOUNTS.admin, baseURL: LIVE },
];

for (const screen of [
  { name: "sur ordinateur", viewport: { width: 1280, height: 800 } },
  { name: "sur téléphone", viewport: PHONE },
]) {
  test.describe(`accessibilité ${screen.name}`, () => {
    test.use({ viewport: screen.viewport });

    for (const { what, path, status, account, baseURL: instance } of PAGES) {
      test.describe(what, () => {
        test.use(instance ? { account, baseURL: instance } : { account });
        test(`${what} n'a pas de défaut d'accessibilité grave`, async ({ page, consoleGuard, baseURL }) => {
          const address = await path(page);
          if (status !== 200) {
            consoleGuard.expectErrorStatusOf(`${baseURL}${address}`, status);
          }
          const response = await open(page, address);
          expect(response.status()).toBe(status);
          await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
          await expectNoSeriousAccessibilityViolation(page, `${what} ${screen.name}`, consoleGuard);
          // No form left to the browser's own validation, whose bubbles speak English: the
          // server answers each mistake in French.
          const bubbling = await page.locator("form:not([novalidate])").evaluateAll((forms) =>
            forms
              .filter((form) =>
                form.querySelector(
                  "[required], [minlength], [pattern], input[min], input[max], input[type=email], input[type=number]",
                ),
              )
              .map((form) => form.getAttribute("action") ?? "(sans action)"),
          );
          expect(bubbling, `formulaires validés par le navigateur sur ${what}`).toEqual([]);
          // Every class of the design system on the page has a rule in the stylesheets the page
          // loads: the site ships only the DSFR parts listed in style/dsfr-parts.txt.
          const unstyled = await page.evaluate(() => {
            const styled = new Set<string>();
            const collect = (rules: CSSRuleList) => {
              for (const rule of Array.from(rules)) {
                if (rule instanceof CSSStyleRule) {
                  for (const match of rule.selectorText.matchAll(/\.(fr-[\w-]+)/g)) styled.add(match[1]);
                }
                if ("cssRules" in rule) collect((rule as CSSGroupingRule).cssRules);
              }
            };
            for (const sheet of Array.from(document.styleSheets)) collect(sheet.cssRules);
            const used = new Set<string>();
            for (const element of Array.from(document.querySelectorAll('[class*="fr-"]'))) {
              for (const name of Array.from(element.classList)) if (name.startsWith("fr-")) used.add(name);
            }
            return [...used].filter((name) => !styled.has(name)).sort();
          });
          const missing = unstyled.filter((name) => FULL_DSFR_CLASSES.has(name));
          expect(missing, `classes du DSFR sans style sur ${what} (partie absente de style/dsfr-parts.txt ?)`).toEqual([]);
        });
      });
    }
  });
}
