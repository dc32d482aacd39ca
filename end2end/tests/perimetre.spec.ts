/**
 * The perimeter, on the release build configured as in production behind a reverse proxy
 * (second instance on port 3102, see playwright.config.ts): security headers, HTTPS only, the
 * deny list read through the trusted proxy's X-Forwarded-For, and the budgets answered with 429.
 *
 * These are HTTP checks, not browser ones: the project without JavaScript leaves this file out
 * (see playwright.config.ts), so that they run once.
 */
import { request as playwrightRequest, type APIRequestContext } from "@playwright/test";
import { expect, test } from "./helpers";

const BASE = "http://127.0.0.1:3102";
/** What the reverse proxy adds once it has terminated TLS. */
const OVER_HTTPS = { "x-forwarded-proto": "https" };

let http: APIRequestContext;

test.beforeAll(async () => {
  http = await playwrightRequest.newContext({ baseURL: BASE, maxRedirects: 0 });
});

test.afterAll(async () => {
  await http.dispose();
});

test("chaque page porte les en-têtes de sécurité, HSTS compris", async () => {
  for (const path of ["/", "/connexion", "/cgu"]) {
    const response = await http.get(path, { headers: { ...OVER_HTTPS, "x-forwarded-for": "192.0.2.10" } });
    expect(response.status(), path).toBe(200);
    const headers = response.headers();
    const policy = headers["content-security-policy"];
    expect(policy, path).toMatch(/script-src 'nonce-[^']+'/);
    expect(policy, path).not.toContain("unsafe-inline");
    expect(policy, path).toContain("frame-ancestors 'none'");
    // The hydration script carries the nonce of the policy.
    const nonce = /'nonce-([^']+)'/.exec(policy)![1];
    expect(await response.text(), path).toContain(`nonce="${nonce}"`);
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(headers["permissions-policy"]).toContain("geolocation=()");
    expect(headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  }
});

test("en production, le HTTP simple ne fait que rediriger vers HTTPS", async () => {
  // A forged Host does not choose where people are sent: the public address does.
  const response = await http.get("/connexion?retour=%2Fdossiers", { headers: { host: "evil.example" } });
  expect(response.status()).toBe(308);
  expect(response.headers()["location"]).toBe("https://sesame.example.fr/connexion?retour=%2Fdossiers");
  // The probes stay reachable over HTTP for the load balancer.
  expect((await http.get("/healthz")).status()).toBe(200);
});

test("une adresse de la liste de refus, derrière le mandataire de confiance, reçoit une page 403 en français", async () => {
  for (const listed of ["203.0.113.66", "198.51.100.200"]) {
    const response = await http.get("/", { headers: { ...OVER_HTTPS, "x-forwarded-for": listed } });
    expect(response.status(), listed).toBe(403);
    const text = await response.text();
    expect(text, listed).toContain("Tor");
    expect(text, listed).toContain("anonymisation");
  }
  // Another address through the same proxy is served.
  const allowed = await http.get("/", { headers: { ...OVER_HTTPS, "x-forwarded-for": "198.51.100.1" } });
  expect(allowed.status()).toBe(200);
});

test("au-delà du budget de soumissions, la réponse est 429 avec Retry-After et un message en français", async () => {
  const client = { ...OVER_HTTPS, "x-forwarded-for": "192.0.2.77" };
  const statuses: number[] = [];
  let refused;
  for (let attempt = 0; attempt < 5; attempt++) {
    const response = await http.post("/api/sites", { headers: client, data: "" });
    statuses.push(response.status());
    if (response.status() === 429) {
      refused = response;
      break;
    }
  }
  expect(statuses.slice(0, 3), "le budget permet trois soumissions d'affilée").toEqual([200, 200, 200]);
  expect(refused, `statuts : ${statuses.join(", ")}`).toBeDefined();
  expect(Number(refused!.headers()["retry-after"])).toBeGreaterThanOrEqual(1);
  expect(await refused!.text()).toContain("Trop de demandes envoyées en peu de temps");
});

test("des échecs de connexion venus d'autres adresses ne bloquent pas un compte (personne ne peut en exclure un autre)", async () => {
  // From four addresses, so that each address's own budget stays out of the way: the failures of
  // others do not slow down the account for the next address (the slowdown per address and the
  // account's daily bound are covered by the integration tests, server/tests/integration/lockout.rs).
  const attempt = (from: string) =>
    http.post("/connexion", {
      headers: { ...OVER_HTTPS, "x-forwarded-for": from },
      form: { adresse: "personne@example.fr", mot_de_passe: "mauvais mot de passe" },
    });
  for (const from of ["192.0.2.81", "192.0.2.82", "192.0.2.83", "192.0.2.84"]) {
    const response = await attempt(from);
    expect(response.status(), `depuis ${from}`).toBe(303);
    expect(response.headers()["location"]).toContain("erreur=identifiants");
  }
});
