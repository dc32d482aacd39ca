//! `/metrics` on the real server, on both stores: refused (as a page that does not exist) to
//! a client outside the operations network without the token; scraped with the token, or from
//! the operations network, it counts what happened — requests by route pattern and status with
//! their latency, partner events stored, replayed and refused, live streams open, what waits to
//! be mailed or delivered, the database pool — and names nobody.

use std::time::Duration;

use app::store::Backend;
use reqwest::StatusCode;
use secrecy::SecretString;

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, PASSWORD};
use crate::helpers::{config, container, fresh_database, on_both_stores, Running};
use crate::live::{first_event, session_of, sirets, Stream};

on_both_stores!(
    the_operations_read_what_happened_and_nobody_else,
    the_operations_network_needs_no_token,
);

const TOKEN: &str = "jeton-des-metriques-de-test-2026";

async fn scrape(server: &Running, token: Option<&str>) -> (StatusCode, String, String) {
    let mut request = reqwest::Client::new().get(server.url("/metrics"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, response.text().await.unwrap())
}

/// The value of the sample named `name` whose labels include each of `labels` (`key="value"`).
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.split(['{', ' '])
                .next()
                .is_some_and(|found| found == name)
        })
        .filter(|line| labels.iter().all(|label| line.contains(label)))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .reduce(|a, b| a + b)
}

async fn send(server: &Running, event: &serde_json::Value) -> StatusCode {
    crate::outages::send(server, event).await.0
}

async fn the_operations_read_what_happened_and_nobody_else(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url);
    // The test's own address is not the operations network here: only the token opens.
    config.metrics_networks = "192.0.2.0/24".into();
    config.metrics_token = Some(SecretString::from(TOKEN));
    let server = Running::start(&config).await;

    for token in [None, Some("mauvais-jeton"), Some("")] {
        let (status, _, body) = scrape(&server, token).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{token:?}");
        assert!(!body.contains("sesame_"), "{token:?} : rien ne fuit");
    }

    // What happens: a sign-in, a dossier page, a live stream, events stored, replayed, refused.
    let claire = Browser::new(&server);
    claire.sign_in(OPERATOR, PASSWORD).await;
    let (status, _) = claire.page("/dossiers").await;
    assert_eq!(status, 200);
    let agent = session_of(&server, AGENT_SIVEP).await;
    let mut stream = Stream::open(&server, Some(&agent), None).await.unwrap();
    let (own, _) = sirets(&server).await;
    let event = first_event("metrique-1", &container("MTQ", 10), &own);
    assert_eq!(send(&server, &event).await, StatusCode::CREATED);
    assert_eq!(send(&server, &event).await, StatusCode::OK);
    let mut invalid = event.clone();
    invalid["id"] = "metrique-2".into();
    invalid["type"] = "inconnu".into();
    assert_eq!(
        send(&server, &invalid).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    stream
        .next(Duration::from_secs(5))
        .await
        .expect("l'événement arrive sur le flux");

    let (status, kind, text) = scrape(&server, Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    assert!(text.trim_end().ends_with("# EOF"), "{text}");
    let at_least = |name: &str, labels: &[&str], least: f64| {
        let value = sample(&text, name, labels)
            .unwrap_or_else(|| panic!("{name} {labels:?} absent : {text}"));
        assert!(value >= least, "{name} {labels:?} = {value}");
    };
    at_least(
        "sesame_http_requests_total",
        &["method=\"POST\"", "route=\"/connexion\"", "status=\"303\""],
        1.0,
    );
    at_least(
        "sesame_http_requests_total",
        &["route=\"/dossiers\"", "status=\"200\""],
        1.0,
    );
    at_least(
        "sesame_http_requests_total",
        &["route=\"/api/v1/events\"", "status=\"422\""],
        1.0,
    );
    at_least(
        "sesame_http_request_duration_seconds_count",
        &["route=\"/api/v1/events\""],
        3.0,
    );
    assert_eq!(
        sample(
            &text,
            "sesame_partner_events_total",
            &["outcome=\"enregistre\""]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            "sesame_partner_events_total",
            &["outcome=\"doublon\""]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            "sesame_partner_events_total",
            &["outcome=\"refuse\""]
        ),
        Some(1.0)
    );
    assert_eq!(sample(&text, "sesame_live_streams", &[]), Some(1.0));
    at_least("sesame_database_pool_connections", &[], 1.0);
    for name in [
        "sesame_mails_waiting",
        "sesame_webhook_deliveries_waiting",
        "sesame_alert_evaluations_total",
        "sesame_database_pool_idle_connections",
    ] {
        assert!(sample(&text, name, &[]).is_some(), "{name} absent : {text}");
    }
    // Routes by their patterns; nobody named.
    assert!(!text.contains(OPERATOR) && !text.contains("Claire"));

    // The stream closed, the gauge follows.
    drop(stream);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (_, _, text) = scrape(&server, Some(TOKEN)).await;
        if sample(&text, "sesame_live_streams", &[]) == Some(0.0) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "flux encore compté");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop().await;
}

async fn the_operations_network_needs_no_token(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    // By default the operations network is the machine itself, where the test runs.
    let server = Running::start(&config(url)).await;
    let (status, _, text) = scrape(&server, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        sample(&text, "sesame_live_streams", &[]).is_some(),
        "{text}"
    );
    server.stop().await;
}
