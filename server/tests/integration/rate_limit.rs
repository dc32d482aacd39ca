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

/// One subscriber line or host holds a whole IPv6 /64 and may send from any address of it: the
/// budgets count the /64, so that changing address does not buy a fresh budget, while another
/// /64 keeps its own. Through a trusted proxy, as in production.
#[tokio::test]
async fn an_ipv6_client_gets_one_budget_for_its_whole_64() {
    let url = fresh_database(Backend::Sqlite).await.unwrap();
    let config = Config {
        submissions_per_minute: 6,
        submissions_burst: 3,
        sensitive_per_minute: 1,
        sensitive_burst: 2,
        trusted_proxies: "127.0.0.1/32".to_owned(),
        ..config(url)
    };
    let server = Running::start(&config).await;
    let path = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .find(|path| *path == "/api/sites")
        .unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let submit = |forwarded_for: &'static str| {
        client
            .post(server.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", forwarded_for)
            .body("")
            .send()
    };
    // Every step is tried, and the ones that go wrong are told together.
    let mut statuses = Vec::new();
    for address in [
        "2001:db8:1:2::1",
        "2001:db8:1:2::2",
        "2001:db8:1:2:ffff::9",
        "2001:db8:1:2:abcd::1",
        "2001:db8:1:3::1",
    ] {
        statuses.push((address, submit(address).await.unwrap().status().as_u16()));
    }

    // The tighter budget of password recovery likewise (a different address asked about each
    // time, so that only the client's budget is at stake).
    let recover = |forwarded_for: &'static str, n: u32| {
        client
            .post(server.url("/mot-de-passe-oublie"))
            .header("x-forwarded-for", forwarded_for)
            .form(&[("adresse", format!("personne-{n}@example.fr"))])
            .send()
    };
    let mut recoveries = Vec::new();
    for (n, address) in [
        "2001:db8:5:6::1",
        "2001:db8:5:6::2",
        "2001:db8:5:6:7::3",
        "2001:db8:5:7::1",
    ]
    .into_iter()
    .enumerate()
    {
        let status = recover(address, n as u32).await.unwrap().status().as_u16();
        // Refused or not is what counts here (a kept request is redirected back to the page).
        recoveries.push((address, if status == 429 { 429 } else { 303 }));
    }
    server.stop().await;
    assert_eq!(
        (statuses, recoveries),
        (
            vec![
                ("2001:db8:1:2::1", 200),
                ("2001:db8:1:2::2", 200),
                ("2001:db8:1:2:ffff::9", 200),
                // Another address of the same /64 shares its budget.
                ("2001:db8:1:2:abcd::1", 429),
                ("2001:db8:1:3::1", 200),
            ],
            vec![
                ("2001:db8:5:6::1", 303),
                ("2001:db8:5:6::2", 303),
                ("2001:db8:5:6:7::3", 429),
                ("2001:db8:5:7::1", 303),
            ]
        )
    );
}
