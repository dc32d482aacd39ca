//! Delay forecasts kept up to date as steps finish, on both stores: what the store keeps is, at
//! every moment, what working the forecasts out again from every finished step would give —
//! after the demo is seeded, after events finish steps, and when the server starts with none
//! kept (the first start after the migration that brought them).

use std::collections::BTreeMap;

use app::store::{Backend, Engine, Store};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{config, container, fresh_database, Running, DEMO_API_KEY};
use crate::partner::{ched_lodged, event, Partner};

/// (place, goods, kind).
type Key = (String, String, String);
/// Key → (median, 80th percentile, cases).
type Bases = BTreeMap<Key, (Option<i64>, Option<i64>, i64)>;
/// A row of `forecast_basis`.
type BasisRow = (String, String, String, Option<i64>, Option<i64>, i64);

async fn kept(store: &Store) -> Bases {
    let sql = "SELECT place, goods_category, kind, median_minutes, p80_minutes, cases FROM forecast_basis";
    let rows: Vec<BasisRow> = match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        Engine::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    };
    rows.into_iter()
        .map(|(place, goods, kind, median, p80, cases)| {
            ((place, goods, kind), (median, p80, cases))
        })
        .collect()
}

/// The forecasts worked out from scratch from every finished step, as the rule says: for each
/// post (or site without one), goods and kind of step, the last 1,000 durations that are not
/// negative, their nearest-rank median and 80th percentile from 5 cases.
async fn from_scratch(store: &Store) -> Bases {
    type Row = (
        Option<String>,
        String,
        String,
        String,
        DateTime<Utc>,
        DateTime<Utc>,
    );
    let sql = "SELECT d.post_code, d.site_code, d.goods_category, s.kind, s.started_at, s.ended_at
               FROM step s JOIN dossier d ON d.id = s.dossier_id
               WHERE s.state = 'termine' AND s.started_at IS NOT NULL AND s.ended_at IS NOT NULL";
    let rows: Vec<Row> = match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
        Engine::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    };
    let mut observed: BTreeMap<Key, Vec<(DateTime<Utc>, i64)>> = BTreeMap::new();
    for (post, site, goods, kind, started, ended) in rows {
        let place = match post {
            Some(post) => format!("poste:{post}"),
            None => format!("site:{site}"),
        };
        let minutes = (ended - started).num_minutes();
        if minutes >= 0 {
            observed
                .entry((place, goods, kind))
                .or_default()
                .push((ended, minutes));
        }
    }
    observed
        .into_iter()
        .map(|(key, mut cases)| {
            cases.sort_by_key(|case| std::cmp::Reverse(case.0));
            let mut minutes: Vec<i64> = cases.into_iter().take(1000).map(|(_, m)| m).collect();
            minutes.sort_unstable();
            let n = minutes.len();
            let rank = |percent: usize| minutes[(percent * n).div_ceil(100).max(1) - 1];
            let value = if n >= 5 {
                (Some(rank(50)), Some(rank(80)), n as i64)
            } else {
                (None, None, n as i64)
            };
            (key, value)
        })
        .collect()
}

async fn forecasts_follow_the_finished_steps(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let config = config(url);
    let server = Running::start(&config).await;
    let seeded = kept(&server.store).await;
    assert!(
        seeded.values().any(|(median, ..)| median.is_some()),
        "the demo's history makes forecasts"
    );
    assert_eq!(seeded, from_scratch(&server.store).await, "after the demo");

    // A consignment at Le Havre's first post goes through arrival and its documentary check:
    // its first steps finish, and the forecasts of that post for its goods take them in.
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.to_owned(),
    };
    let container = &container("MSC", 727272);
    for body in [
        ched_lodged(
            "PREV-1",
            container,
            "CHEDP.FR.2026.0072727",
            "2026-11-20T08:00:00Z",
        ),
        event(
            "PREV-2",
            "arrived",
            container,
            "2026-11-20T11:00:00Z",
            json!({ "transport_mode": "sea", "means": "MSC Aurora" }),
        ),
        event(
            "PREV-3",
            "unloaded",
            container,
            "2026-11-20T13:30:00Z",
            json!({}),
        ),
    ] {
        let (status, body, _) = partner.send(&body).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let after = kept(&server.store).await;
    assert_ne!(after, seeded, "the finished steps count");
    let key = (
        "poste:FRLEH1".to_owned(),
        "animal_products".to_owned(),
        "ched_lodged".to_owned(),
    );
    assert_eq!(
        after.get(&key).map(|basis| basis.2),
        Some(seeded.get(&key).map_or(0, |basis| basis.2) + 1),
        "one more lodging observed at that post"
    );
    assert_eq!(after, from_scratch(&server.store).await, "after the events");

    // As before the migration that brought them: no forecast kept. The next start works
    // them all out.
    server.as_owner("DELETE FROM forecast_basis").await.unwrap();
    server.stop().await;
    let server = Running::start(&config).await;
    assert_eq!(
        kept(&server.store).await,
        after,
        "the start worked them out again"
    );
    server.stop().await;
}

/// A post with a long history: a basis rests on its last 1,000 durations, not on every one ever
/// observed there, and keeping it up to date as a step finishes gives what working every basis
/// out again gives. The history is written straight into the store: 1,100 dossiers whose
/// lodging took 100,000 minutes for the 300 oldest and 10 for the 800 newest. Over the whole
/// history, more than a fifth are long and the 80th percentile would be long; over the last
/// thousand (those, the demo's and the one sent), fewer than a fifth are.
async fn a_basis_rests_on_the_last_thousand_durations(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let (series, ended_at) = match server.store.engine() {
        Engine::Sqlite(_) => (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1100)",
            "strftime('%Y-%m-%dT%H:%M:%SZ', '2026-01-01', '+' || n.i || ' minutes')",
        ),
        Engine::Postgres(_) => (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1100)",
            "TIMESTAMPTZ '2026-01-01 00:00:00+00' + n.i * INTERVAL '1 minute'",
        ),
    };
    server
        .as_owner(&format!(
            "{series}
             INSERT INTO dossier (site_code, post_code, goods_category, goods_description, flow, ched,
                                  status, opened_at, updated_at)
             SELECT 'FRLEH', 'FRLEH1', 'animal_products', 'Historique', 'import',
                    'CHEDP.FR.2025.' || (1000000 + n.i), 'termine', {ended_at}, {ended_at}
             FROM n"
        ))
        .await
        .unwrap();
    server
        .as_owner(&format!(
            "{series}
             INSERT INTO observed_duration (dossier_id, place, goods_category, kind, ended_at, minutes)
             SELECT d.id, 'poste:FRLEH1', 'animal_products', 'ched_lodged', {ended_at},
                    CASE WHEN n.i <= 300 THEN 100000 ELSE 10 END
             FROM n JOIN dossier d ON d.ched = 'CHEDP.FR.2025.' || (1000000 + n.i)"
        ))
        .await
        .unwrap();

    // A consignment at that post is lodged: its basis is worked out again.
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.to_owned(),
    };
    let (status, body, _) = partner
        .send(&ched_lodged(
            "FENETRE-1",
            &container("MSC", 737373),
            "CHEDP.FR.2026.0073737",
            "2026-11-21T08:00:00Z",
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let key = (
        "poste:FRLEH1".to_owned(),
        "animal_products".to_owned(),
        "ched_lodged".to_owned(),
    );
    let kept_then = kept(&server.store).await;
    let (_, p80, cases) = kept_then[&key];
    assert_eq!(cases, 1000, "the last thousand durations, no more");
    assert!(
        p80.is_some_and(|p80| p80 < 100_000),
        "the oldest long lodgings are out of the window: {p80:?}"
    );
    server.store.rebuild_forecasts().await.unwrap();
    assert_eq!(
        kept(&server.store).await,
        kept_then,
        "kept up to date as working every basis out again gives"
    );

    // A batch, one transaction: 80 lodgings slide the window 80 durations on, and the arrivals of
    // half of those consignments write their dossiers' durations again (the lodging's among
    // them) while the batch is under way. The bases kept as it went are still what working
    // every basis out again gives.
    let mut items = Vec::new();
    for n in 0..80u32 {
        let at = |minutes: u32| {
            (DateTime::parse_from_rfc3339("2026-11-22T00:00:00Z").unwrap()
                + chrono::Duration::minutes(i64::from(minutes)))
            .to_rfc3339()
        };
        let box_number = container("MSC", 740000 + n);
        items.push(ched_lodged(
            &format!("LOT-{n}"),
            &box_number,
            &format!("CHEDP.FR.2026.{:07}", 74000 + n),
            &at(n * 7),
        ));
        if n % 2 == 0 {
            items.push(event(
                &format!("LOT-ARRIVEE-{n}"),
                "arrived",
                &box_number,
                &at(n * 7 + 3 + n % 5),
                json!({ "transport_mode": "sea", "means": "MSC Aurora" }),
            ));
        }
    }
    partner.send_new_batch(items).await;
    let kept_after_batch = kept(&server.store).await;
    assert_eq!(kept_after_batch[&key].2, 1000, "still the last thousand");
    server.store.rebuild_forecasts().await.unwrap();
    assert_eq!(
        kept(&server.store).await,
        kept_after_batch,
        "a batch keeps them as working every basis out again gives"
    );
    server.stop().await;
}

crate::helpers::on_both_stores!(
    forecasts_follow_the_finished_steps,
    a_basis_rests_on_the_last_thousand_durations,
);
