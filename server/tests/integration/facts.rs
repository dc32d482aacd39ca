//! Facts stored as facts, on both stores: a timeline is worked out again from the facts ingestion
//! validated, never from stored payloads checked again with today's rules; the events recorded
//! before facts were stored get theirs once, when the server starts.

use app::domain::journey::{StepKind, StepState};
use app::store::{Backend, Engine, Store};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{config, container, fresh_database, Running, DEMO_API_KEY};
use crate::partner::{ched_lodged, event, Partner};

async fn texts(store: &Store, sql: &str) -> Vec<Option<String>> {
    match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
    }
}

/// Sends a consignment whose checks selected the identity check only: the physical check is
/// then « non requis ». Returns the dossier.
async fn identity_check_only(partner: &Partner<'_>, prefix: &str, container: &str) -> i64 {
    let mut dossier = None;
    for body in [
        ched_lodged(
            &format!("{prefix}-1"),
            container,
            "CHEDP.FR.2026.0000040",
            "2026-11-20T08:00:00Z",
        ),
        event(
            &format!("{prefix}-2"),
            "checks_selected",
            container,
            "2026-11-21T12:00:00Z",
            json!({ "identity": true, "physical": false }),
        ),
    ] {
        let (status, body, _) = partner.send(&body).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        dossier = body["dossier_id"].as_i64();
    }
    dossier.unwrap()
}

/// What the selection event of [`identity_check_only`] says, as the store keeps it.
const SELECTION: &str = r#"{"selection":{"identity":true,"physical":false}}"#;

/// The stored fact of that event (prefix `AVANT`).
async fn selection_fact(store: &Store) -> String {
    let mut facts = texts(
        store,
        "SELECT fact FROM event WHERE partner_event_id = 'AVANT-2'",
    )
    .await;
    assert_eq!(facts.len(), 1);
    facts.pop().flatten().unwrap_or_default()
}

async fn physical_check(store: &Store, dossier: i64) -> StepState {
    store
        .dossier(dossier)
        .await
        .unwrap()
        .unwrap()
        .steps
        .iter()
        .find(|step| step.kind == StepKind::PhysicalCheck)
        .unwrap()
        .state
}

/// Another event for the dossier, which makes the store work its timeline out again.
async fn one_more_event(partner: &Partner<'_>, id: &str, container: &str) {
    let (status, body, _) = partner
        .send(&event(
            id,
            "unloaded",
            container,
            "2026-11-21T10:00:00Z",
            json!({}),
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn a_later_rule_leaves_old_timelines_alone(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.to_owned(),
    };
    let container = &container("MSC", 444444);
    let dossier = identity_check_only(&partner, "FAIT", container).await;
    assert_eq!(
        physical_check(&server.store, dossier).await,
        StepState::NonRequis
    );
    // What the input rules of a later version would refuse: the stored payload no longer
    // passes them (here, it is no event at all).
    server
        .as_owner(
            "UPDATE event SET payload = '{\"ancien\":true}' WHERE partner_event_id = 'FAIT-2'",
        )
        .await
        .unwrap();
    one_more_event(&partner, "FAIT-3", container).await;
    assert_eq!(
        physical_check(&server.store, dossier).await,
        StepState::NonRequis,
        "the selection the event made when it was received still holds"
    );
    server.stop().await;
}

async fn events_recorded_before_facts_get_theirs_at_start(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let config = config(url);
    let server = Running::start(&config).await;
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.to_owned(),
    };
    let container = &container("MSC", 555555);
    let dossier = identity_check_only(&partner, "AVANT", container).await;
    assert_eq!(
        selection_fact(&server.store).await,
        SELECTION,
        "ingestion stores the validated fact"
    );
    // As the events were before migration 0017.
    server
        .as_owner("UPDATE event SET fact = NULL")
        .await
        .unwrap();
    server.stop().await;

    let server = Running::start(&config).await;
    assert_eq!(
        texts(&server.store, "SELECT fact FROM event WHERE fact IS NULL").await,
        Vec::<Option<String>>::new(),
        "every event has its fact after the start"
    );
    assert_eq!(selection_fact(&server.store).await, SELECTION,);
    // An event recorded without its fact while the server runs (an instance still on the
    // previous version, during a rolling upgrade) gets it when its timeline is worked out.
    server
        .as_owner("UPDATE event SET fact = NULL WHERE partner_event_id = 'AVANT-2'")
        .await
        .unwrap();
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.to_owned(),
    };
    one_more_event(&partner, "AVANT-3", container).await;
    assert_eq!(
        physical_check(&server.store, dossier).await,
        StepState::NonRequis
    );
    assert_eq!(selection_fact(&server.store).await, SELECTION,);
    server.stop().await;
}

crate::helpers::on_both_stores!(
    a_later_rule_leaves_old_timelines_alone,
    events_recorded_before_facts_get_theirs_at_start,
);
