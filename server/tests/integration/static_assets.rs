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
