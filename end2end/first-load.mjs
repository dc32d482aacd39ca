// The first load of the pages people open most, as a phone at the port gate pays for it: every
// byte Chromium receives (headers included) on a cold cache, from the request for the page until
// the network has been idle for a second, the live stream aside. Each page is loaded twice, in
// the same run: as browsers ask for it (brotli, gzip) and without compression, the baseline.
//
// Usage: node first-load.mjs <address of a running instance with the demo data>
// (`scripts/first-load` builds, starts one and runs this.)
import { chromium } from "@playwright/test";

const BASE = process.argv[2] ?? "http://127.0.0.1:3000";
const BUDGET = 250_000;
const STREAM = "/api/v1/stream";
const PASSWORD = process.env.SESAME_DEMO_PASSWORD ?? "sesame-demo-2026";
const OPERATOR = "operateur@demo.sesame.test";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"],
});

/** A signed-in session (cookies only: nothing cached), and the first dossier it lists. */
async function signedIn() {
  const context = await browser.newContext({ baseURL: BASE });
  const form = (fields) => ({ form: fields, maxRedirects: 0, headers: { origin: BASE } });
  const signIn = await context.request.post("/connexion", form({ adresse: OPERATOR, mot_de_passe: PASSWORD, retour: "" }));
  if (signIn.status() !== 303) throw new Error(`connexion refusée (${signIn.status()}) : les données de démonstration sont-elles là ?`);
  await context.request.post("/cgu/acceptation", form({ accepte: "oui", retour: "" }));
  const list = await (await context.request.get("/dossiers")).text();
  const dossier = list.match(/href="(\/dossiers\/[^"?#/]+)"/)?.[1];
  if (!dossier) throw new Error("aucun dossier dans la liste de l'opérateur de démonstration");
  const state = await context.storageState();
  await context.close();
  return { state, dossier };
}

const kindOf = (url, mime, type) => {
  if (type === "Document") return "document";
  if (url.endsWith(".wasm") || mime === "application/wasm") return "wasm";
  if (type === "Stylesheet") return "styles";
  if (type === "Script") return "scripts";
  if (type === "Font") return "polices";
  return "autres";
};

/**
 * Loads `path` in a fresh context (cold cache) and counts what arrives until the network rests;
 * then loads it again in the same context (a later visit: what the browser kept is not fetched).
 */
async function measure(path, state, compressed) {
  const context = await browser.newContext({ baseURL: BASE, storageState: state, viewport: { width: 360, height: 780 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  if (!compressed) await cdp.send("Network.setExtraHTTPHeaders", { headers: { "Accept-Encoding": "identity" } });
  const inflight = new Map();
  let bytes = {};
  const encodings = new Set();
  let lastActivity = Date.now();
  cdp.on("Network.requestWillBeSent", ({ requestId, request, type }) => {
    if (new URL(request.url).pathname === STREAM) return;
    inflight.set(requestId, { url: request.url, type, mime: "" });
    lastActivity = Date.now();
  });
  cdp.on("Network.responseReceived", ({ requestId, response }) => {
    const entry = inflight.get(requestId);
    if (!entry) return;
    entry.mime = response.mimeType;
    const encoding = Object.entries(response.headers).find(([name]) => name.toLowerCase() === "content-encoding");
    if (encoding) encodings.add(encoding[1]);
  });
  cdp.on("Network.loadingFinished", ({ requestId, encodedDataLength }) => {
    const entry = inflight.get(requestId);
    if (!entry) return;
    const kind = kindOf(entry.url, entry.mime, entry.type);
    bytes[kind] = (bytes[kind] ?? 0) + encodedDataLength;
    inflight.delete(requestId);
    lastActivity = Date.now();
  });
  cdp.on("Network.loadingFailed", ({ requestId }) => {
    inflight.delete(requestId);
    lastActivity = Date.now();
  });
  const load = async () => {
    bytes = { document: 0, styles: 0, scripts: 0, wasm: 0, polices: 0, autres: 0 };
    const response = await page.goto(path, { waitUntil: "load" });
    if (!response || response.status() !== 200) throw new Error(`${path} : réponse ${response?.status()}`);
    const deadline = Date.now() + 60_000;
    while (inflight.size > 0 || Date.now() - lastActivity < 1_000) {
      if (Date.now() > deadline) throw new Error(`${path} : le réseau ne s'est pas reposé en 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const hydrated = (await page.locator("body").getAttribute("data-hydrated")) === "true";
    const total = Object.values(bytes).reduce((sum, value) => sum + value, 0);
    return { bytes, total, hydrated };
  };
  const first = await load();
  const later = await load();
  await context.close();
  return { ...first, later: later.total, encodings: [...encodings].sort().join(",") || "aucune" };
}

const { state, dossier } = await signedIn();
const signedOut = { cookies: [], origins: [] };
const pages = [
  ["accueil (/)", "/", signedOut],
  ["connexion (/connexion)", "/connexion", signedOut],
  ["liste (/dossiers)", "/dossiers", state],
  ["dossier (/dossiers/…)", dossier, state],
];

const ko = (value) => (value / 1000).toFixed(1);
const rows = [];
for (const [name, path, session] of pages) {
  const sent = await measure(path, session, true);
  const plain = await measure(path, session, false);
  if (!sent.hydrated) throw new Error(`${path} : la page ne s'est pas hydratée`);
  rows.push({ name, sent, plain });
}
await browser.close();

const header = ["page", "transféré", "document", "styles", "scripts", "WASM", "polices", "autres", "sans compression", "rapport", "budget 250 ko", "visite suivante"];
const table = [header, header.map(() => "---")];
for (const { name, sent, plain } of rows) {
  table.push([
    name,
    ko(sent.total),
    ko(sent.bytes.document),
    ko(sent.bytes.styles),
    ko(sent.bytes.scripts),
    ko(sent.bytes.wasm),
    ko(sent.bytes.polices),
    ko(sent.bytes.autres),
    ko(plain.total),
    (sent.total / plain.total).toFixed(2),
    sent.total <= BUDGET ? "tenu" : `dépassé de ${ko(sent.total - BUDGET)}`,
    ko(sent.later),
  ]);
}
console.log(`Premier chargement sur ${BASE}, cache vide, 360 px, jusqu'au repos du réseau (flux en direct exclu).`);
console.log("En kilo-octets (1 ko = 1 000 octets), en-têtes compris ; « rapport » = transféré / sans compression (même exécution) ;");
console.log("« visite suivante » = la même page rechargée avec ce que le navigateur a gardé.");
console.log(`Encodages reçus : ${[...new Set(rows.map((row) => row.sent.encodings))].join(" ; ")} ; sans compression : ${[...new Set(rows.map((row) => row.plain.encodings))].join(" ; ")}.`);
for (const line of table) console.log(`| ${line.join(" | ")} |`);
const over = rows.filter(({ sent }) => sent.total > BUDGET);
if (over.length > 0) {
  console.error(
    `Budget dépassé : ${over.map(({ name, sent }) => `${name} transfère ${ko(sent.total)} ko`).join(", ")} ` +
      `(au plus ${ko(BUDGET)} ko). Regardez la colonne qui a grandi : le WASM (twiggy top sur target/site/pkg), les styles (style/dsfr-parts.txt) ou le document.`,
  );
  process.exitCode = 1;
}
