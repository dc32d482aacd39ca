//! The counts of the dossier list kept as dossiers change, on both stores: what the store keeps
//! by site, company and status is at every moment what counting the dossiers gives — after the
//! demo is seeded, when a consignment opens a dossier and when an event changes its status —
//! and the list shows them.

use std::collections::BTreeMap;

use app::store::{Backend, Engine, Store};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{config, container, fresh_database, Running, DEMO_API_KEY};
use crate::partner::{ched_lodged, event, Partner};

/// Site (and company, 0 in the tally by site) and status → dossiers.
type Tallies = BTreeMap<(String, i64, String), i64>;

async fn read(store: &Store, sql: &str) -> Tallies {
    let rows: Vec<(String, i64, String, i64)> = match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        Engine::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    };
    rows.into_iter()
        .map(|(site, company, status, count)| ((site, company, status), count))
        .collect()
}

/// What the store keeps: by site, and by company and site.
async fn kept(store: &Store) -> (Tallies, Tallies) {
    (
        read(
            store,
            "SELECT site_code, CAST(0 AS BIGINT), status, CAST(dossiers AS BIGINT)
             FROM dossier_tally WHERE dossiers <> 0",
        )
        .await,
        read(
            store,
            "SELECT site_code, company_id, status, CAST(dossiers AS BIGINT)
             FROM company_dossier_tally WHERE dossiers <> 0",
        )
        .await,
    )
}

/// The same, counted.
async fn counted(store: &Store) -> (Tallies, Tallies) {
    (
        read(
            store,
            "SELECT site_code, CAST(0 AS BIGINT), status, COUNT(*) FROM dossier
             GROUP BY site_code, status",
        )
        .await,
        read(
            store,
            "SELECT site_code, company_id, status, COUNT(*) FROM dossier
             WHERE company_id IS NOT NULL GROUP BY site_code, company_id, status",
        )
        .await,
    )
}

async fn counts_follow_the_dossiers(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    assert_eq!(
        kept(&server.store).await,
        counted(&server.store).await,
        "after the demo"
    );
    let before = kept(&server.store).await;

    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.to_owned(),
    };
    let container = &container("MSC", 818181);
    let (status, body, _) = partner
        .send(&ched_lodged(
            "TALLY-1",
            container,
            "CHEDP.FR.2026.0081818",
            "2026-11-20T08:00:00Z",
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let opened = kept(&server.store).await;
    assert_ne!(opened, before, "a new dossier counts");
    assert_eq!(
        opened,
        counted(&server.store).await,
        "after a dossier opens"
    );

    // The documentary check finds the consignment not compliant: the dossier changes status.
    let (status, body, _) = partner
        .send(&event(
            "TALLY-2",
            "documentary_check_done",
            container,
            "2026-11-20T10:00:00Z",
            json!({ "result": "not_satisfactory" }),
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let changed = kept(&server.store).await;
    assert_ne!(changed, opened, "the status change counts");
    assert_eq!(
        changed,
        counted(&server.store).await,
        "after a status change"
    );
    server.stop().await;
}

crate::helpers::on_both_stores!(counts_follow_the_dossiers);
