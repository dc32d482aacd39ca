//! « Bloqué » as time passes, on both stores, with a clock the test controls: the step a dossier
//! is at becomes blocked once it has lasted three times its expected duration, without any event,
//! and its dossier with it; not a minute before; once; an event arriving afterwards takes over.

use app::store::{Backend, Engine, Store};
use chrono::{DateTime, Duration, Utc};

use crate::helpers::{config, container, fresh_database, on_both_stores, Running};
use crate::live::{first_event, post, sirets};

async fn row(store: &Store, dossier: i64) -> (String, String, DateTime<Utc>, i32, String) {
    const SQL: &str = "SELECT s.kind, s.state, s.started_at, s.expected_minutes, d.status
                       FROM step s JOIN dossier d ON d.id = s.dossier_id
                       WHERE s.dossier_id = $1 AND s.kind = d.current_step";
    match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_as(SQL).bind(dossier).fetch_one(pool).await,
        Engine::Postgres(pool) => sqlx::query_as(SQL).bind(dossier).fetch_one(pool).await,
    }
    .unwrap()
}

async fn tally(store: &Store, status: &str) -> i64 {
    const SQL: &str = "SELECT CAST(COALESCE(SUM(dossiers), 0) AS BIGINT) FROM dossier_tally
                       WHERE site_code = 'FRLEH' AND status = $1";
    match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_scalar(SQL).bind(status).fetch_one(pool).await,
        Engine::Postgres(pool) => sqlx::query_scalar(SQL).bind(status).fetch_one(pool).await,
    }
    .unwrap()
}

async fn steps_become_blocked_with_time_alone(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    // What the demo holds already, as the clock finds it when the server starts.
    let demo = server.store.refresh_blocked(Utc::now()).await.unwrap();
    eprintln!("étapes de la démonstration bloquées au démarrage : {demo}");
    let soon = server
        .store
        .refresh_blocked(Utc::now() + Duration::minutes(40))
        .await
        .unwrap();
    eprintln!("dans les 40 minutes : {soon}");
    let (own, _) = sirets(&server).await;
    let reference = container("BLQ", 10);
    let dossier = post(&server, &first_event("bloque-1", &reference, &own)).await;
    let (kind, state, started, expected, status) = row(&server.store, dossier).await;
    assert_eq!(
        (state.as_str(), status.as_str()),
        ("en_cours", "en_cours"),
        "{kind}"
    );
    let limit = started + Duration::minutes(i64::from(expected) * 3);

    // Not a minute before its limit (other dossiers of the demo may be blocked by then).
    server
        .store
        .refresh_blocked(limit - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(row(&server.store, dossier).await.1, "en_cours");
    let blocked_before = tally(&server.store, "bloque").await;

    // Past it: blocked, the dossier too, counted as such; once.
    let changed = server
        .store
        .refresh_blocked(limit + Duration::minutes(1))
        .await
        .unwrap();
    assert!(changed >= 1);
    let (_, state, _, _, status) = row(&server.store, dossier).await;
    assert_eq!((state.as_str(), status.as_str()), ("bloque", "bloque"));
    let blocked_after = tally(&server.store, "bloque").await;
    assert!(
        blocked_after > blocked_before && blocked_after - blocked_before <= changed as i64,
        "{blocked_before} → {blocked_after} ({changed})"
    );
    assert_eq!(
        server
            .store
            .refresh_blocked(limit + Duration::minutes(1))
            .await
            .unwrap(),
        0,
        "une seule fois"
    );

    // An event arriving afterwards takes over: the dossier moves on, as ingestion works it out.
    let mut documentary = first_event("bloque-2", &reference, &own);
    documentary["source"] = "traces".into();
    documentary["type"] = "ched_lodged".into();
    documentary["references"]["ched"] = "CHEDP.FR.2026.0000777".into();
    documentary["data"] = serde_json::json!({ "ched_type": "P" });
    post(&server, &documentary).await;
    let (_, _, _, _, status) = row(&server.store, dossier).await;
    assert_ne!(status, "bloque", "l'événement fait avancer le dossier");
}

on_both_stores!(steps_become_blocked_with_time_alone);
