/**
 * Mandates of representation, end to end: the importer's administrator (Claire, of Océane Import
 * SAS) gives a representative company (Transitaire Normand SARL, Karim's) a mandate for one site
 * from « Mon espace »; Karim, at another computer, then sees the importer's dossiers of that site
 * in his list, and none of its other sites; he opens one, books its identity check for the
 * importer, and cancels it; Claire revokes the mandate, and Karim's next page no longer lists
 * them: the dossier's address answers as an unknown dossier does. With JavaScript, the pages he
 * has open when she revokes it (the dossier, and the list of that site in another tab) load
 * themselves again within seconds, without a click: the dossier reads « Dossier introuvable », the
 * list has none of the importer's rows left. The space with its mandates is checked with axe and
 * on a phone.
 *
 * On the main instance, whose dossiers no test adds to: its counts hold. Both projects run at
 * once, each at a site of its own (Marseille-Fos with JavaScript, Le Havre without), so neither
 * run sees the other's mandate; but each mandate given or revoked makes every open page of
 * Karim's company load itself again, so the run with JavaScript checks what his pages show, not
 * how many times they were loaded. The one other test that signs Karim in there
 * (premier-chargement.spec.ts) opens the first dossier of his list, which stays one of his own
 * company's; no other test books the identity checks of Océane's dossiers. The mandate is revoked, and the appointment
 * cancelled, whatever happens: other tests find the demo as it was.
 */
import type { APIRequestContext, APIResponse, Page } from "@playwright/test";
import {
  ACCOUNTS,
  anotherPerson,
  dossierTable,
  expect,
  expectNoSeriousAccessibilityViolation,
  fitsOnAPhone,
  hasJavaScript,
  mainNavigation,
  open,
  resultCount,
  signIn,
  test,
  waitUntilInteractive,
} from "./helpers";

/** The demo's companies: Claire's (the importer) and Karim's (the representative). */
const IMPORTER = "Océane Import SAS";
const REPRESENTATIVE = "Transitaire Normand SARL";

type Site = { code: string; name: string };

/** The site of this project's mandate, and the other project's. */
function sites(): { ours: Site; theirs: Site } {
  const fos = { code: "FRFOS", name: "Marseille-Fos" };
  const leHavre = { code: "FRLEH", name: "Le Havre" };
  return hasJavaScript() ? { ours: fos, theirs: leHavre } : { ours: leHavre, theirs: fos };
}

/** The sites neither project's mandate covers. */
const NEVER_MANDATED = ["FRDKK", "FRNTE", "FRCDG", "FRORY"];

/** A day from today in France, as a date field takes it (`YYYY-MM-DD`) and as the page shows it. */
function dayFromToday(days: number): { field: string; shown: string } {
  const field = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Paris" }).format(Date.now() + days * 86_400_000);
  const [year, month, day] = field.split("-");
  return { field, shown: `${day}/${month}/${year}` };
}

/**
 * Every dossier address of a list, page after page, as the server renders it for whoever
 * `request` is signed in as.
 */
async function listedDossiers(request: APIRequestContext, query = ""): Promise<Set<string>> {
  const found = new Set<string>();
  let next: string | undefined = `/dossiers${query}`;
  for (let pages = 0; next !== undefined; pages++) {
    expect(pages, `trop de pages pour /dossiers${query}`).toBeLessThan(30);
    const response: APIResponse = await request.get(next);
    expect(response.status(), next).toBe(200);
    const html: string = await response.text();
    for (const [, path] of html.matchAll(/href="(\/dossiers\/\d+)"/g)) {
      found.add(path);
    }
    next = /<a href="([^"]+)" class="fr-pagination__link fr-pagination__link--next/.exec(html)?.[1]?.replace(/&amp;/g, "&");
  }
  return found;
}

function intersection(a: Set<string>, b: Set<string>): string[] {
  return [...a].filter((path) => b.has(path));
}

/** The mandates section of « Mon espace ». */
function mandatesSection(page: Page) {
  return page.getByRole("region", { name: "Mandats de représentation" });
}

/**
 * The revocation addresses of the mandates to `representative` at `site` alone that the signed-in
 * administrator's company gave and may still revoke, read from the server-rendered space.
 */
async function revocableAt(request: APIRequestContext, representative: string, site: string): Promise<string[]> {
  const response = await request.get("/espace");
  expect(response.status()).toBe(200);
  return (await response.text())
    .split("<tr")
    .filter((row) => row.includes(representative) && row.includes(`>${site}<`))
    .flatMap((row) => [...row.matchAll(/action="(\/espace\/mandats\/\d+\/revocation)"/g)].map((match) => match[1]));
}

/** What an open page shows, read at once; nothing while it is loading itself again. */
type OpenPage = {
  path: string;
  /** Still the document marked before the revocation (not loaded again since). */
  marked: boolean;
  navigation: string | undefined;
  status: number | undefined;
  /** When its document started loading (ms since the epoch). */
  loadedAt: number;
  hydrated: boolean;
  heading: string;
  main: string;
  links: string[];
  count: string;
  live: string;
  announced: string;
  /** The button of the new dossiers is shown. */
  waiting: boolean;
};

async function openPage(page: Page): Promise<OpenPage | undefined> {
  return page
    .evaluate(() => {
      const entry = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      const text = (selector: string) => document.querySelector(selector)?.textContent?.trim() ?? "";
      return {
        path: location.pathname + location.search,
        marked: (window as unknown as { __avantRevocation?: boolean }).__avantRevocation === true,
        navigation: entry?.type,
        status: entry?.responseStatus,
        loadedAt: performance.timeOrigin,
        hydrated: document.body?.dataset.hydrated === "true",
        heading: text("h1"),
        main: document.querySelector<HTMLElement>("main")?.innerText ?? "",
        links: Array.from(document.querySelectorAll('a[href^="/dossiers/"]'), (link) => link.getAttribute("href") ?? ""),
        count: text("h2#resultats"),
        live: text("#etat-direct"),
        announced: text("#annonce-direct"),
        waiting: document.getElementById("nouveaux")?.hidden === false,
      };
    })
    .catch(() => undefined);
}

test.describe("un mandat de représentation", () => {
  test.use({ account: ACCOUNTS.operateur });

  test("ouvre au représentant les dossiers de l'importateur sur le site choisi, et plus rien dès sa révocation", async ({
    page,
    browser,
    baseURL,
    consoleGuard,
  }) => {
    test.setTimeout(180_000);
    const { ours, theirs } = sites();
    const lastDay = dayFromToday(7);
    const claire = page;
    let karim: Page | undefined;
    // What the test leaves behind until it is undone: the appointment, the mandate.
    let cancellation: string | undefined;
    let revocation: string | undefined;

    try {
      // An earlier run stopped before its end may have left this project's mandate in force.
      for (const leftover of await revocableAt(claire.request, REPRESENTATIVE, ours.name)) {
        await claire.request.post(leftover, { maxRedirects: 0 });
      }

      // The importer's dossiers, as its own people see them: at this site, and at the sites no
      // mandate of this test covers.
      const here = await listedDossiers(claire.request, `?site=${ours.code}`);
      const elsewhere = new Set<string>();
      for (const code of NEVER_MANDATED) {
        for (const path of await listedDossiers(claire.request, `?site=${code}`)) {
          elsewhere.add(path);
        }
      }
      expect(here.size, `des dossiers de ${IMPORTER} à ${ours.name}`).toBeGreaterThan(0);
      expect(elsewhere.size, `des dossiers de ${IMPORTER} ailleurs`).toBeGreaterThan(0);
      // The one the representative will book for: its identity check waits for its appointment.
      const bookable = await listedDossiers(claire.request, `?site=${ours.code}&etape=identity_check`);
      const dossier = [...bookable][0];
      expect(dossier, `un dossier de ${IMPORTER} à ${ours.name}, au contrôle d'identité`).toBeDefined();
      const foreign = [...elsewhere][0];

      let siret = "";
      let ownHere = 0;
      let reference = "";
      await test.step("avant le mandat, le représentant ne voit rien de l'importateur", async () => {
        karim = await anotherPerson(browser, consoleGuard, baseURL!);
        await signIn(karim, ACCOUNTS.operateur2);
        await open(karim, "/espace");
        const company = karim.getByRole("region", { name: "Mon entreprise" });
        await expect(company).toContainText(`${REPRESENTATIVE} — SIRET`);
        siret = /SIRET ([\d ]+)/.exec((await company.textContent())!)![1].trim();

        await open(karim, `/dossiers?site=${ours.code}`);
        ownHere = await resultCount(karim);
        expect(intersection(await listedDossiers(karim.request), here)).toEqual([]);
        expect((await karim.request.get(dossier)).status()).toBe(404);
      });

      await test.step(`l'administratrice de l'importateur donne un mandat pour ${ours.name}`, async () => {
        await open(claire, "/espace");
        const section = mandatesSection(claire);
        await expect(section.getByRole("heading", { level: 3, name: "Donner un mandat" })).toBeVisible();
        await section.getByRole("textbox", { name: /^SIRET de l'établissement du représentant/ }).fill(siret);
        const choices = section.getByRole("group", { name: "Sites où il agit pour votre entreprise" });
        await expect(choices.getByRole("checkbox")).toHaveCount(6);
        // The DSFR draws the box on its label, which is what people press.
        await choices.locator(`label[for="mandat-site-${ours.code}"]`).click();
        await expect(choices.getByRole("checkbox", { name: ours.name, exact: true })).toBeChecked();
        await expect(choices.getByRole("checkbox", { name: theirs.name, exact: true })).not.toBeChecked();
        // The first day left empty: today.
        await section.getByLabel(/^Dernier jour/).fill(lastDay.field);
        await section.getByRole("button", { name: "Donner le mandat", exact: true }).click();
        await claire.waitForURL(/\/espace\?message=mandat-donne/);
        await waitUntilInteractive(claire);
        await expect(claire.getByText(/^Le mandat est enregistré : les administrateurs du représentant en sont prévenus/)).toBeVisible();

        // The newest first: this one.
        const given = mandatesSection(claire).getByRole("table", { name: "Les mandats donnés par votre entreprise" });
        const row = given.getByRole("row").filter({ hasText: ours.name }).first();
        revocation = (await row.locator("form").getAttribute("action")) ?? undefined;
        expect(revocation).toMatch(/^\/espace\/mandats\/\d+\/revocation$/);
        await expect(row.getByRole("cell")).toHaveText([
          `${REPRESENTATIVE} (SIRET ${siret})`,
          ours.name,
          `du ${dayFromToday(0).shown} au ${lastDay.shown}`,
          "En vigueur",
          "Révoquer",
        ]);
      });

      await test.step("« Mon espace » et ses mandats : accessible, et à la largeur d'un téléphone", async () => {
        // The page the form led to, its notice shown, without the anchor to the section: the check
        // without JavaScript serves its copy by the page's exact address, which a fragment never
        // reaches the server with.
        await open(claire, "/espace?message=mandat-donne");
        await expect(mandatesSection(claire).getByRole("row").filter({ hasText: ours.name }).first()).toContainText("En vigueur");
        await expectNoSeriousAccessibilityViolation(claire, "l'espace d'un administrateur avec un mandat donné", consoleGuard);
        await fitsOnAPhone(claire, "l'espace d'un administrateur avec un mandat donné");
      });

      await test.step(`le représentant voit les dossiers de l'importateur à ${ours.name}, et seulement là`, async () => {
        const person = karim!;
        await open(person, "/espace");
        const received = mandatesSection(person).getByRole("table", { name: "Les mandats reçus par votre entreprise" });
        await expect(received.getByRole("row").filter({ hasText: ours.name }).first().getByRole("cell")).toHaveText([
          IMPORTER,
          ours.name,
          `du ${dayFromToday(0).shown} au ${lastDay.shown}`,
          "En vigueur",
        ]);
        // A member, not an administrator: nothing to give, nothing to revoke.
        await expect(mandatesSection(person).getByRole("button")).toHaveCount(0);
        await fitsOnAPhone(person, "l'espace d'un représentant avec un mandat reçu");

        await mainNavigation(person).getByRole("link", { name: "Dossiers", exact: true }).click();
        await person.waitForURL(/\/dossiers$/);
        await waitUntilInteractive(person);
        await open(person, `/dossiers?site=${ours.code}`);
        expect(await resultCount(person), `ses dossiers à ${ours.name}, et les ${here.size} de l'importateur`).toBe(ownHere + here.size);
        const listed = await listedDossiers(person.request);
        expect(intersection(here, listed).sort()).toEqual([...here].sort());
        expect(intersection(elsewhere, listed), "aucun dossier de l'importateur d'un autre site").toEqual([]);
        // Another site's dossier of the importer reads as one that does not exist.
        expect((await person.request.get(foreign)).status()).toBe(404);

        await open(person, `/dossiers?site=${ours.code}&etape=identity_check`);
        const link = dossierTable(person).locator(`a[href="${dossier}"]`);
        await expect(link).toBeVisible();
        reference = (await link.textContent())!.trim();
        await link.click();
        await person.waitForURL(new RegExp(`${dossier}$`));
        await waitUntilInteractive(person);
        await expect(person.getByRole("heading", { level: 1 })).toContainText(reference);
        await expect(person.locator("main")).toContainText(IMPORTER);
        await expect(person.locator("main")).toContainText(`${ours.name} (${ours.code}`);
      });

      await test.step("il prend rendez-vous pour le contrôle d'identité, pour l'importateur, puis l'annule", async () => {
        const person = karim!;
        const section = person.locator("#rendez-vous");
        await section.getByRole("link", { name: "Prendre rendez-vous — contrôle d'identité" }).click();
        await person.waitForURL(/\/rendez-vous\?controle=identity/);
        await waitUntilInteractive(person);
        // From tomorrow: a slot of today could come within the post's notice before the click.
        await open(person, `${person.url()}&semaine=${dayFromToday(1).field}`);
        await person.getByRole("button", { name: / : réserver ce créneau du / }).first().click();
        await person.waitForURL(new RegExp(`${dossier}\\?message=rendez-vous-demande`));
        await waitUntilInteractive(person);
        await expect(person.getByText("Votre demande de rendez-vous est enregistrée")).toBeVisible();
        const card = section.locator(".sesame-appointment").filter({ has: person.getByRole("button", { name: "Annuler ce rendez-vous" }) });
        await expect(card).toHaveCount(1);
        await expect(card).toContainText("Contrôle d'identité");
        cancellation = (await card.locator('form[action$="/annulation"]').getAttribute("action")) ?? undefined;
        expect(cancellation).toMatch(/^\/rendez-vous\/\d+\/annulation$/);

        // The importer's appointment: Claire finds it with her company's.
        await open(claire, "/rendez-vous");
        await expect(claire.locator(".sesame-appointments > li").filter({ hasText: reference })).toContainText("Contrôle d'identité");

        await card.getByRole("button", { name: "Annuler ce rendez-vous" }).click();
        await person.waitForURL(new RegExp(`${dossier}\\?message=rendez-vous-annule`));
        await waitUntilInteractive(person);
        await expect(person.getByText("Le rendez-vous est annulé et sa place libérée.")).toBeVisible();
        cancellation = undefined;
        await expect(section.getByRole("link", { name: "Prendre rendez-vous — contrôle d'identité" })).toBeVisible();
      });

      await test.step("l'importateur révoque le mandat : le représentant ne voit plus ses dossiers, dès la page suivante", async () => {
        // Back to his list, where the importer's dossiers still are.
        await open(karim!, `/dossiers?site=${ours.code}`);
        expect(await resultCount(karim!)).toBe(ownHere + here.size);

        // With JavaScript, the importer's dossier open too, in another tab: both pages live, and
        // marked, so that a page loaded again reads as such.
        let dossierTab: Page | undefined;
        if (hasJavaScript()) {
          dossierTab = await karim!.context().newPage();
          await open(dossierTab, dossier);
          await expect(dossierTab.getByRole("heading", { level: 1 })).toContainText(reference);
          for (const tab of [karim!, dossierTab]) {
            await expect(async () => {
              await expect(tab.locator("#etat-direct")).toHaveText("Mises à jour en direct", { timeout: 1_000 });
              await tab.evaluate(() => ((window as unknown as { __avantRevocation?: boolean }).__avantRevocation = true));
            }).toPass({ timeout: 10_000 });
          }
          // The dossier's tab, loaded again, is refused: the one error its console may show.
          consoleGuard.expectErrorStatusOf(`${baseURL}${dossier}`, 404);
        }

        await open(claire, "/espace");
        const given = mandatesSection(claire).getByRole("table", { name: "Les mandats donnés par votre entreprise" });
        const row = given.getByRole("row").filter({ has: claire.locator(`form[action="${revocation}"]`) });
        const revokedAt = Date.now();
        await row.getByRole("button", { name: `Révoquer le mandat de ${REPRESENTATIVE}`, exact: true }).click();
        await claire.waitForURL(/\/espace\?message=mandat-revoque/);
        await waitUntilInteractive(claire);
        revocation = undefined;
        await expect(claire.getByText(/^Le mandat est révoqué : les personnes du représentant ne voient plus vos dossiers/)).toBeVisible();

        // With JavaScript, what he had open follows by itself, without a click: each page loads
        // itself again, the dossier as an unknown one, the list without the importer's rows.
        let refusedLive: string | undefined;
        if (dossierTab) {
          // (The other project's mandate, given or revoked, loads his pages again too, whenever:
          // what counts is what they show once this one is revoked.)
          const within = () => ({ timeout: Math.max(1_000, 10_000 - (Date.now() - revokedAt)) });

          let refusedTab: OpenPage | undefined;
          await expect
            .poll(async () => {
              refusedTab = await openPage(dossierTab!);
              return refusedTab && { heading: refusedTab.heading, interactive: refusedTab.hydrated, reloaded: !refusedTab.marked };
            }, { ...within(), message: "l'onglet du dossier, de lui-même, dit le dossier introuvable" })
            .toEqual({ heading: "Dossier introuvable", interactive: true, reloaded: true });
          expect(refusedTab!.path).toBe(dossier);
          expect(refusedTab!.navigation).toBe("reload");
          expect(refusedTab!.status).toBe(404);
          expect(refusedTab!.main).not.toContain(reference);
          expect(refusedTab!.main).not.toContain(IMPORTER);
          refusedLive = refusedTab!.main;

          const list = karim!;
          let listTab: OpenPage | undefined;
          await expect
            .poll(async () => {
              listTab = await openPage(list);
              return (
                listTab && {
                  importer: intersection(new Set(listTab.links), here),
                  interactive: listTab.hydrated,
                  live: listTab.live,
                  reloaded: !listTab.marked,
                }
              );
            }, { ...within(), message: "la liste ouverte, d'elle-même, sans les dossiers de l'importateur" })
            .toEqual({ importer: [], interactive: true, live: "Mises à jour en direct", reloaded: true });
          expect(listTab!.path).toBe(`/dossiers?site=${ours.code}`);
          expect(listTab!.navigation).toBe("reload");
          expect(listTab!.status).toBe(200);
          expect(listTab!.count, "le nombre de ses dossiers").toMatch(ownHere === 0 ? /^Aucun dossier/ : new RegExp(`^${ownHere} dossiers?\\b`));
          // His own dossiers are not announced as new ones.
          expect(listTab!.announced).not.toMatch(/nouveaux? dossiers?/);
          expect(listTab!.waiting, "le bouton des nouveaux dossiers").toBe(false);

          for (const [what, tab] of [["dossier", refusedTab!], ["liste", listTab!]] as const) {
            expect(tab.loadedAt - revokedAt, `délai entre la révocation et le chargement de la page (${what}), en ms`).toBeLessThan(10_000);
          }
          test.info().annotations.push({
            type: "pages chargées à nouveau",
            description: `dossier ${Math.round(refusedTab!.loadedAt - revokedAt)} ms, liste ${Math.round(listTab!.loadedAt - revokedAt)} ms après l'envoi de la révocation`,
          });
        }

        // His next page: only his own company's dossiers.
        const person = karim!;
        await open(person, `/dossiers?site=${ours.code}`);
        expect(await resultCount(person)).toBe(ownHere);
        expect(intersection(await listedDossiers(person.request), here)).toEqual([]);

        // The dossier he opened answers as one that never existed.
        const unknown = "/dossiers/987654321";
        for (const path of [dossier, unknown]) {
          consoleGuard.expectErrorStatusOf(`${baseURL}${path}`, 404);
        }
        const refused = await open(person, dossier);
        expect(refused.status()).toBe(404);
        await expect(person.getByRole("heading", { level: 1 })).toHaveText("Dossier introuvable");
        const refusedText = await person.locator("main").innerText();
        const missing = await open(person, unknown);
        expect(missing.status()).toBe(404);
        // The live bar's state (still connecting, or connected) depends on when each text was read.
        const withoutLiveState = (text: string) =>
          text.replace(/^(MISES À JOUR EN DIRECT|CONNEXION AU DIRECT…)$/gim, "");
        expect(withoutLiveState(await person.locator("main").innerText())).toBe(withoutLiveState(refusedText));
        if (refusedLive !== undefined) {
          expect(withoutLiveState(refusedLive), "l'onglet du dossier, rechargé, dit ce que dit un dossier inconnu").toBe(
            withoutLiveState(refusedText),
          );
        }

        await open(person, "/espace");
        const received = mandatesSection(person).getByRole("table", { name: "Les mandats reçus par votre entreprise" });
        await expect(received.getByRole("row").filter({ hasText: ours.name }).first().getByRole("cell").nth(3)).toHaveText("Révoqué");
      });
    } finally {
      // Whatever failed, the demo is left as it was found (his pages closed first: what he had
      // open need not follow).
      await karim?.context().close();
      if (cancellation) {
        const cancelled = await claire.request.post(cancellation, { form: { retour: "" }, maxRedirects: 0 });
        expect.soft(cancelled.headers()["location"] ?? "", "le rendez-vous annulé").toContain("message=rendez-vous-annule");
      }
      if (revocation) {
        const revoked = await claire.request.post(revocation, { maxRedirects: 0 });
        expect.soft(revoked.headers()["location"] ?? "", "le mandat révoqué").toContain("message=mandat-revoque");
      }
    }
  });
});
