//! A crash during ingestion, on both stores: a partner sends journeys of events in batches, and
//! retries each batch (same ids) until it is answered, while the real `server` process is killed
//! with SIGKILL in the middle of batches and started again. Afterwards every event is stored
//! exactly once, none refused as a conflict, and every dossier's timeline equals the one a server
//! that never crashed computes from the same events. The suite sends 40 journeys (200 events)
//! and kills the process three times; `SESAME_CRASH_JOURNEYS=2000` sends 10,000 events.

use std::collections::BTreeMap;
use std::time::Duration;

use app::store::{Backend, Store};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    config, container, count, fresh_database, on_both_stores, Running, DEMO_API_KEY,
};
use crate::live::ServerProcess;
use crate::partner::{ched_lodged, event};

on_both_stores!(killed_while_ingesting_it_loses_nothing_and_doubles_nothing);

/// The five events of journey `n`, in their own order.
fn journey(n: u32) -> Vec<Value> {
    let container = container("CRS", 100 + 10 * n);
    let ched = format!("CHEDP.FR.2026.{:07}", 500_000 + n);
    let id = |step: u32| format!("crash-{n}-{step}");
    vec![
        ched_lodged(&id(1), &container, &ched, "2026-11-20T08:00:00Z"),
        event(
            &id(2),
            "arrived",
            &container,
            "2026-11-21T06:00:00Z",
            json!({ "transport_mode": "sea", "means": "CMA CGM Rhône" }),
        ),
        event(
            &id(3),
            "unloaded",
            &container,
            "2026-11-21T10:00:00Z",
            json!({}),
        ),
        event(
            &id(4),
            "documentary_check_done",
            &container,
            "2026-11-21T12:00:00Z",
            json!({ "result": "satisfactory" }),
        ),
        event(
            &id(5),
            "checks_selected",
            &container,
            "2026-11-21T12:00:00Z",
            json!({ "identity": n.is_multiple_of(2), "physical": n.is_multiple_of(3) }),
        ),
    ]
}

/// The journeys' events mixed as gateways send them: each journey's events in any order
/// (a fixed pseudo-random one).
fn shuffled(journeys: u32) -> Vec<Value> {
    let mut events: Vec<Value> = (0..journeys).flat_map(journey).collect();
    let mut seed: u64 = 2026;
    for i in (1..events.len()).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        events.swap(i, (seed >> 33) as usize % (i + 1));
    }
    events
}

/// Sends a batch once: its results by event id, or nothing if it was not answered.
async fn send(url: &str, batch: &[Value]) -> Option<BTreeMap<String, (String, i64)>> {
    let response = reqwest::Client::new()
        .post(format!("{url}/api/v1/events"))
        .bearer_auth(DEMO_API_KEY)
        .json(&json!({ "events": batch }))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .ok()?;
    if response.status() != StatusCode::OK {
        return None;
    }
    let body: Value = response.json().await.ok()?;
    Some(
        body["results"]
            .as_array()?
            .iter()
            .map(|result| {
                (
                    result["id"].as_str().unwrap_or_default().to_owned(),
                    (
                        result["status"].as_str().unwrap_or_default().to_owned(),
                        result["dossier_id"].as_i64().unwrap_or(-1),
                    ),
                )
            })
            .collect(),
    )
}

/// Each dossier's steps as (kind, state, start, end), by the id of its journey's first event.
async fn timelines(
    store: &Store,
    dossiers: &BTreeMap<String, i64>,
) -> BTreeMap<String, Vec<String>> {
    let mut all = BTreeMap::new();
    for (journey, id) in dossiers {
        let dossier = store.dossier(*id).await.unwrap().expect("dossier");
        all.insert(
            journey.clone(),
            dossier
                .steps
                .iter()
                .map(|s| {
                    format!(
                        "{:?} {:?} {:?} {:?}",
                        s.kind, s.state, s.started_at, s.ended_at
                    )
                })
                .collect(),
        );
    }
    all
}

/// The journey of an event id `crash-<n>-<step>`.
fn journey_of(id: &str) -> String {
    id.rsplit_once('-')
        .map(|(journey, _)| journey.to_owned())
        .unwrap_or_default()
}

async fn killed_while_ingesting_it_loses_nothing_and_doubles_nothing(backend: Backend) {
    let journeys: u32 = std::env::var("SESAME_CRASH_JOURNEYS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(40);
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let events = shuffled(journeys);
    let batches: Vec<&[Value]> = events.chunks(25).collect();
    let kills = [1, batches.len() / 2, batches.len() - 2];
    let mut process = ServerProcess::start(&url).await;
    let mut dossiers: BTreeMap<String, i64> = BTreeMap::new();
    for (number, batch) in batches.iter().enumerate() {
        if kills.contains(&number) {
            // Killed while the batch is on its way: it may be written, in part or not at all.
            let in_flight = tokio::spawn({
                let (url, batch) = (process.url(""), batch.to_vec());
                async move { send(&url, &batch).await }
            });
            tokio::time::sleep(Duration::from_millis(5 + 7 * number as u64 % 40)).await;
            drop(process);
            let _ = in_flight.await;
            process = ServerProcess::start(&url).await;
        }
        // The partner sends it again until it is answered: the same ids, the same contents.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        let results = loop {
            if let Some(results) = send(&process.url(""), batch).await {
                break results;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "lot {number} jamais reçu"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        for (id, (status, dossier)) in results {
            assert!(
                status == "created" || status == "duplicate",
                "{id} : {status} (lot {number})"
            );
            let previous = dossiers.insert(journey_of(&id), dossier);
            assert!(
                previous.is_none_or(|previous| previous == dossier),
                "{id} : deux dossiers pour un parcours ({previous:?} puis {dossier}, {status}, lot {number})"
            );
        }
    }
    let store = Store::connect(&url).await.unwrap();
    let total = events.len() as i64;
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM event WHERE partner_event_id LIKE 'crash-%'"
        )
        .await,
        total,
        "chaque événement une fois"
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(DISTINCT partner_event_id) FROM event WHERE partner_event_id LIKE 'crash-%'"
        )
        .await,
        total
    );
    assert_eq!(dossiers.len(), journeys as usize);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(DISTINCT dossier_id) FROM event WHERE partner_event_id LIKE 'crash-%'"
        )
        .await,
        i64::from(journeys),
        "un dossier par parcours"
    );
    let crashed = timelines(&store, &dossiers).await;
    drop(process);

    // The same events, on a server that never crashed, each journey in its order.
    let reference_url = fresh_database(backend).await.unwrap();
    let reference = Running::start(&config(reference_url)).await;
    let base = reference.url("");
    let mut reference_dossiers = BTreeMap::new();
    for n in 0..journeys {
        let results = send(&base, &journey(n)).await.expect("lot de référence");
        for (id, (status, dossier)) in results {
            assert_eq!(status, "created", "{id}");
            reference_dossiers.insert(journey_of(&id), dossier);
        }
    }
    assert_eq!(
        crashed,
        timelines(&reference.store, &reference_dossiers).await,
        "les parcours sont ceux que les événements disent"
    );
    reference.stop().await;
    store.close().await;
}
