//! Abusive submissions refused, as a client that sends too many meets it.

use app::store::Backend;
use server::config::Config;

use crate::helpers::{config, fresh_database, Running};

#[tokio::test]
async fn too_many_submissions_get_429_with_a_delay_in_french() {
    let url = fresh_database(Backend::Sqlite).await.unwrap();
    let config = Config {
        submissions_per_minute: 6,
        submissions_burst: 3,
        trusted_proxies: "127.0.0.1/32".to_owned(),
        ..config(url)
    };
    let server = Running::start(&config).await;
    let path = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .find(|path| *path == "/api/sites")
        .unwrap();
    let client = reqwest::Client::new();
    let submit = |forwarded_for: &'static str| {
        client
            .post(server.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", forwarded_for)
            .body("")
            .send()
    };

    for _ in 0..3 {
        assert_eq!(submit("198.51.100.1").await.unwrap().status(), 200);
    }
    let refused = submit("198.51.100.1").await.unwrap();
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=10).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert_eq!(refused.headers()["x-content-type-options"], "nosniff");
    let message = refused.text().await.unwrap();
    assert!(
        message.contains("Trop de demandes") && message.contains("Réessayez dans"),
        "{message}"
    );

    // Another client keeps its own budget, and reading is not limited.
    assert_eq!(submit("198.51.100.2").await.unwrap().status(), 200);
    for _ in 0..10 {
        assert_eq!(server.get("/healthz").await.0, 200);
    }
    server.stop().await;
}
