//! A page's stylesheet, script and icon are the same for everyone: the session layer does not
//! look them up in the database. Proved by closing the database under a signed-in browser: its
//! pages then answer that the service is unavailable, its assets still arrive.

use app::store::Backend;
use reqwest::StatusCode;

use crate::accounts::Browser;
use crate::helpers::{config, fresh_database, on_both_stores, Running};

on_both_stores!(assets_are_served_without_looking_up_the_session);

async fn assets_are_served_without_looking_up_the_session(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let site = std::env::temp_dir().join(format!("sesame-site-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(
        site.join("favicon.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    std::fs::write(site.join("pkg/sesame.css"), "body { margin: 0 }").unwrap();
    let mut config = config(url);
    config.site_root = site.to_string_lossy().into_owned();
    let server = Running::start(&config).await;

    let browser = Browser::new(&server);
    browser
        .sign_in("operateur@demo.sesame.test", "sesame-demo-2026")
        .await;
    let (status, _) = browser.page("/espace").await;
    assert_eq!(status, 200, "signed in, the personal space opens");
    // What a signed-in person sees is kept from caches; an asset is not theirs, and stays cacheable.
    let css = browser.get("/pkg/sesame.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.headers
            .get("cache-control")
            .is_none_or(|value| value != "no-store, private"),
        "an asset is not marked private: {:?}",
        css.headers.get("cache-control")
    );

    // The database goes away under the signed-in browser.
    server.store.close().await;
    let page = browser.get("/espace").await;
    assert_eq!(
        page.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a page needs the session, so the database"
    );
    assert!(
        page.body.contains("momentanément indisponible"),
        "{}",
        page.body
    );
    for asset in ["/pkg/sesame.css", "/favicon.svg"] {
        let answer = browser.get(asset).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{asset} without the database"
        );
    }
    let css = browser.get("/pkg/sesame.css").await;
    assert_eq!(css.body, "body { margin: 0 }");
    let _ = std::fs::remove_dir_all(site);
}

/// Pages travel compressed to whoever accepts it: brotli first, else gzip, else as they are.
#[tokio::test]
async fn pages_travel_compressed() {
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let client = reqwest::Client::new();
    let mut sizes = Vec::new();
    for (accepted, expected) in [
        ("br, gzip", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let response = client
            .get(server.url("/connexion"))
            .header("accept-encoding", accepted)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response
                .headers()
                .get("content-encoding")
                .map(|value| value.to_str().unwrap()),
            expected,
            "{accepted}"
        );
        sizes.push(response.bytes().await.unwrap().len());
    }
    assert!(
        sizes[0] * 2 < sizes[2] && sizes[1] * 2 < sizes[2],
        "{sizes:?}"
    );
    server.stop().await;
}

/// A release build names the files every page loads after their content and compresses them
/// once (`scripts/assets.mjs`): pages link those names, the server hands over the precompressed
/// copy, and browsers keep it for a year; a name no build wrote is the 404 page, kept nowhere.
/// Marianne's stylesheet is linked by State deployments only.
#[tokio::test]
async fn fingerprinted_files_arrive_precompressed_and_are_kept_a_year() {
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let site = std::env::temp_dir().join(format!("sesame-site-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::create_dir_all(site.join("dsfr/1.15.3/icons")).unwrap();
    std::fs::write(
        site.join("hash.txt"),
        "css: 00112233445566aa\ndsfr: a1b2c3d4e5f60718\nmarianne: 0f0f0f0f0f0f0f0f\n",
    )
    .unwrap();
    let own = "pkg/sesame.00112233445566aa.css";
    std::fs::write(site.join(own), "body { margin: 0 }").unwrap();
    // Not real brotli: what matters is that this copy, and not a fresh compression, is sent.
    std::fs::write(site.join(format!("{own}.br")), "copie brotli").unwrap();
    std::fs::write(site.join("dsfr/dsfr.a1b2c3d4e5f60718.css"), ".fr-btn{}").unwrap();
    std::fs::write(site.join("dsfr/1.15.3/icons/x.svg"), "<svg/>").unwrap();
    std::fs::write(site.join("favicon.svg"), "<svg/>").unwrap();
    let mut config = config(url.clone());
    config.site_root = site.to_string_lossy().into_owned();
    let server = Running::start(&config).await;
    let client = reqwest::Client::new();
    let get = |path: &'static str, encoding: &'static str| {
        client
            .get(server.url(path))
            .header("accept-encoding", encoding)
            .send()
    };

    let page = sign_in_page(&server).await;
    assert!(
        page.contains(r#"href="/dsfr/dsfr.a1b2c3d4e5f60718.css""#),
        "{page}"
    );
    assert!(
        page.contains(r#"href="/pkg/sesame.00112233445566aa.css""#),
        "{page}"
    );
    assert!(
        !page.contains("marianne"),
        "a neutral deployment does not load Marianne"
    );

    let year = "public, max-age=31536000, immutable";
    let css = get("/pkg/sesame.00112233445566aa.css", "br, gzip")
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-encoding"], "br");
    assert_eq!(css.headers()["content-type"], "text/css");
    assert_eq!(css.headers()["cache-control"], year);
    assert_eq!(
        css.headers()["vary"],
        "accept-encoding",
        "a shared cache keeps each encoding apart"
    );
    assert_eq!(css.text().await.unwrap(), "copie brotli");
    let plain = get("/pkg/sesame.00112233445566aa.css", "identity")
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.text().await.unwrap(), "body { margin: 0 }");
    let icon = get("/dsfr/1.15.3/icons/x.svg", "identity").await.unwrap();
    assert_eq!(
        icon.headers()["cache-control"],
        year,
        "under the design system's version"
    );

    let favicon = get("/favicon.svg", "identity").await.unwrap();
    assert_eq!(favicon.status(), StatusCode::OK);
    assert_eq!(
        favicon.headers()["cache-control"],
        "no-cache",
        "same name, new content possible"
    );

    let stale = get("/pkg/sesame.ffffffffffffffff.css", "identity")
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
    assert!(stale
        .headers()
        .get("cache-control")
        .is_none_or(|value| value != year));
    assert!(stale.text().await.unwrap().contains("introuvable"));
    server.stop().await;

    config.state_deployment = true;
    let server = Running::start(&config).await;
    let page = sign_in_page(&server).await;
    assert!(
        page.contains(r#"href="/dsfr/marianne.0f0f0f0f0f0f0f0f.css""#),
        "{page}"
    );
    server.stop().await;
    let _ = std::fs::remove_dir_all(site);
}

/// The sign-in page's HTML, as it travels uncompressed.
async fn sign_in_page(server: &Running) -> String {
    reqwest::Client::new()
        .get(server.url("/connexion"))
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}
