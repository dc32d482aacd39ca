// France Sésame — the service worker of the gate (« Contrôle à l'arrivée »), for its scope only
// (`/controle-arrivee`). It keeps the gate's page and what the page loads (styles, script,
// WebAssembly, fonts, icons) so that the page opens without network, on the day it was kept;
// today's appointments and the presences recorded offline are kept by the page itself (see
// `app/src/ui/pages/gate_day.rs`). Nothing else of the platform goes through it. Sign-out
// removes it with everything it kept (`Clear-Site-Data`), and a page kept another day is never
// served.

const CACHE = "sesame-arrivee-v1";
const PAGE = "/controle-arrivee";
const DAY_HEADER = "x-sesame-jour";

/** Today in Paris, `AAAA-MM-JJ`. */
function today() {
  return new Intl.DateTimeFormat("fr-CA", { timeZone: "Europe/Paris" }).format(new Date());
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

/** The page asks to keep what it loaded, or to forget everything (the day is over). */
self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "garder" && Array.isArray(message.adresses)) {
    event.waitUntil(keep(message.adresses));
  } else if (message.type === "oublier") {
    event.waitUntil(caches.delete(CACHE));
  }
});

/** Keeps the page and the files it loaded (same origin, never an API answer). */
async function keep(addresses) {
  const cache = await caches.open(CACHE);
  for (const address of addresses) {
    const url = new URL(address, self.location.origin);
    if (url.origin !== self.location.origin) continue;
    if (url.pathname === PAGE && url.search === "") {
      try {
        await keepPage(await fetch(PAGE, { credentials: "same-origin", redirect: "manual" }));
      } catch (_) {
        // Kept at the next opening.
      }
      continue;
    }
    if (!isFile(url.pathname)) continue;
    if (await cache.match(url.pathname + url.search)) continue;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) continue;
      // A stylesheet's icons are shown offline too (an alert drawn only once offline, say).
      if (url.pathname.endsWith(".css")) {
        const text = await response.clone().text();
        for (const [, reference] of text.matchAll(/url\(["']?([^"')]+)["']?\)/g)) {
          if (reference.endsWith(".svg")) addresses.push(new URL(reference, url).href);
        }
      }
      await cache.put(url.pathname + url.search, response);
    } catch (_) {
      // Kept at the next opening.
    }
  }
}

function isFile(path) {
  return (
    path.startsWith("/pkg/") ||
    path.startsWith("/dsfr/") ||
    path.startsWith("/icones/") ||
    path === "/favicon.svg" ||
    path === "/arrivee.webmanifest"
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && (url.pathname === PAGE || url.pathname.startsWith(PAGE + "/"))) {
    event.respondWith(page(request, url));
  } else if (isFile(url.pathname)) {
    event.respondWith(file(request, url));
  }
});

/** The gate's page: from the network, kept when it is the page itself; without network, the page
 * kept today, which reads the code or reference asked for against the day the device holds. */
async function page(request, url) {
  try {
    const response = await fetch(request);
    if (url.search === "") await keepPage(response.clone());
    return response;
  } catch (_) {
    const cache = await caches.open(CACHE);
    const kept = await cache.match(PAGE);
    if (kept && kept.headers.get(DAY_HEADER) === today()) return kept;
    if (kept) await caches.delete(CACHE);
    return offline();
  }
}

/** Keeps the gate's page as a signed-in agent got it (not a redirection to sign in), marked
 * with its day. */
async function keepPage(response) {
  if (response.status !== 200 || response.redirected || response.type === "opaqueredirect") return;
  const body = await response.arrayBuffer();
  const headers = new Headers(response.headers);
  // The body read is the page itself, whatever compression carried it.
  headers.delete("content-encoding");
  headers.delete("content-length");
  headers.set(DAY_HEADER, today());
  const cache = await caches.open(CACHE);
  await cache.put(PAGE, new Response(body, { status: 200, headers }));
}

/** A file: the copy kept, else the network (and it is kept). */
async function file(request, url) {
  const cache = await caches.open(CACHE);
  // Kept whatever encoding carried it (its `Vary` names the request's accepted encodings).
  const kept = await cache.match(url.pathname + url.search, { ignoreVary: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(url.pathname + url.search, response.clone());
  return response;
}

/** Without network and without today's page on this device. */
function offline() {
  const html = `<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hors ligne — Contrôle à l'arrivée — France Sésame</title></head>
<body style="font-family: sans-serif; margin: 1.5rem; max-width: 40rem">
<main><h1>Contrôle à l'arrivée : hors ligne</h1>
<p>Cet appareil n'a pas de réseau et ne garde pas les rendez-vous d'aujourd'hui : ils ne sont gardés que le jour où le contrôle à l'arrivée a été ouvert avec du réseau, et jusqu'à la déconnexion.</p>
<p>Retrouvez du réseau, puis ouvrez à nouveau le contrôle à l'arrivée.</p>
<p><a href="${PAGE}">Réessayer</a></p></main></body></html>`;
  return new Response(html, {
    status: 503,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}
