//! The perimeter as a browser meets it: security headers on every response, scripts allowed only
//! by the response's nonce, cross-site writes refused, oversized bodies refused.

use app::store::Backend;
use server::config::Config;

use crate::helpers::{config, fresh_database, Running};

async fn start() -> Running {
    let url = fresh_database(Backend::Sqlite)
        .await
        .expect("SQLite est toujours là");
    Running::start(&Config {
        demo: true,
        ..config(url)
    })
    .await
}

/// The path of a registered server function, e.g. `/api/sites`.
fn server_fn(path: &str) -> &'static str {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(registered, _)| registered)
        .find(|registered| *registered == path)
        .expect("fonction serveur enregistrée")
}

#[tokio::test]
async fn pages_run_only_the_scripts_carrying_their_nonce() {
    let server = start().await;
    let client = reqwest::Client::new();
    let mut nonces = Vec::new();
    for path in ["/", "/dossiers", "/dossiers/1", "/nulle-part"] {
        let response = client.get(server.url(path)).send().await.unwrap();
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path} : pas de nonce dans {policy}"))
            .to_owned();
        let html = response.text().await.unwrap();
        let scripts = html.matches("<script").count();
        assert!(scripts > 0, "{path} : la page hydrate par un script");
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "{path} : chaque script porte le nonce de la réponse"
        );
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 4, "un nonce neuf par réponse");
    server.stop().await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = start().await;
    for path in ["/", "/healthz", "/readyz", "/dossiers/999999"] {
        let response = reqwest::get(server.url(path)).await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(
            headers["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(
            headers["permissions-policy"]
                .to_str()
                .unwrap()
                .contains("microphone=()"),
            "{path}"
        );
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
    }
    let probe = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(
        probe.headers()["content-security-policy"],
        app::security::DEFAULT_POLICY
    );
    server.stop().await;
}

#[tokio::test]
async fn writes_sent_from_another_site_are_refused() {
    let server = start().await;
    let client = reqwest::Client::new();
    let path = server_fn("/api/sites");
    let post = |headers: &[(&'static str, String)]| {
        let mut request = client
            .post(server.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.send()
    };

    let refused = post(&[("sec-fetch-site", "cross-site".into())])
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.headers()["x-content-type-options"],
        "nosniff",
        "même un refus porte les en-têtes"
    );
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("autre site que France Sésame"));
    let refused = post(&[("origin", "https://malveillant.example".into())])
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    let allowed = post(&[("sec-fetch-site", "same-origin".into())])
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    let allowed = post(&[("origin", format!("http://{}", server.addr))])
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    // Reading stays open to links from elsewhere.
    let read = client
        .get(server.url("/dossiers"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let server = start().await;
    let body = format!("bourrage={}", "x".repeat(server::perimeter::MAX_BODY_BYTES));
    let response = reqwest::Client::new()
        .post(server.url(server_fn("/api/sites")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    server.stop().await;
}

#[tokio::test]
async fn production_serves_pages_only_over_https() {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let production = |trusted_proxies: &str| {
        let trusted_proxies = trusted_proxies.to_owned();
        async move {
            let url = fresh_database(Backend::Sqlite).await.unwrap();
            Running::start(&Config {
                environment: server::config::Environment::Production,
                trusted_proxies,
                ..config(url)
            })
            .await
        }
    };

    let behind_proxy = production("127.0.0.1/32").await;
    let plain = client
        .get(behind_proxy.url("/dossiers?page=2"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 308);
    assert_eq!(
        plain.headers()["location"],
        format!("https://{}/dossiers?page=2", behind_proxy.addr).as_str()
    );
    let secure = client
        .get(behind_proxy.url("/"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(secure.status(), 200);
    assert_eq!(
        secure.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    let probe = client
        .get(behind_proxy.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(probe.status(), 200, "les sondes restent joignables en HTTP");
    assert!(probe.headers().get("strict-transport-security").is_none());
    behind_proxy.stop().await;

    // A client that claims HTTPS without being a trusted proxy is not believed.
    let direct = production("").await;
    let spoofed = client
        .get(direct.url("/"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), 308);
    direct.stop().await;

    // In development, plain HTTP serves, without HSTS.
    let development = start().await;
    let page = client.get(development.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers().get("strict-transport-security").is_none());
    development.stop().await;
}

/// The redirect to HTTPS names the configured public address, never what the request's `Host`
/// says: otherwise anyone able to send a forged `Host` (a cache, a link through a misconfigured
/// proxy) would send people to their own site.
#[tokio::test]
async fn the_redirect_to_https_goes_to_the_public_address_whatever_the_host_says() {
    let url = fresh_database(Backend::Sqlite).await.unwrap();
    let server = Running::start(&Config {
        environment: server::config::Environment::Production,
        public_url: Some("https://sesame.example.gouv.fr/".to_owned()),
        ..config(url)
    })
    .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let forged = client
        .get(server.url("/dossiers?page=2&site=FRLEH"))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 308);
    assert_eq!(
        forged.headers()["location"],
        "https://sesame.example.gouv.fr/dossiers?page=2&site=FRLEH"
    );
    server.stop().await;
}
