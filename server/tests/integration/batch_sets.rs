//! A batch is recorded as sets (one statement a table, the dossiers it changed worked out once
//! at the end): what it leaves is what sending its events one at a time leaves — the same
//! dossiers, references, timelines, correlation alerts, notifications, alerts, durations and
//! dashboard counts — on both stores, but for the alerts of states between two of its events,
//! which no commit ever showed.

use app::store::{Backend, Engine, Store};
use serde_json::{json, Value};

use crate::accounts::OPERATOR;
use crate::helpers::{company_and_siret, container};
use crate::partner::{start, Partner};

/// A consignment's dossier by what names it, as the queries below spell it.
const KEY: &str = "COALESCE(d.container, d.awb, d.ched, d.mrn, '') || '@' || d.site_code";

/// Every row a user would notice, dossier ids replaced by what names the dossier (they are
/// drawn differently by one statement a chunk), each as one line, sorted.
async fn snapshot(store: &Store) -> Vec<String> {
    let queries = [
        format!(
            "SELECT 'dossier ' || {KEY} || ' ' || COALESCE(d.container, '-') || ' ' || COALESCE(d.awb, '-')
                 || ' ' || COALESCE(d.ched, '-') || ' ' || COALESCE(d.mrn, '-') || ' ' || COALESCE(d.post_code, '-')
                 || ' ' || d.status || ' ' || COALESCE(d.current_step, '-') || ' ' || d.opened_at || ' '
                 || d.updated_at || ' ' || COALESCE(d.representative, '-') || ' '
                 || COALESCE(CAST(d.company_id AS TEXT), '-') || ' ' || d.goods_category
             FROM dossier d WHERE d.goods_description = 'Lot témoin'"
        ),
        format!(
            "SELECT 'step ' || {KEY} || ' ' || s.position || ' ' || s.kind || ' ' || s.state || ' '
                 || COALESCE(CAST(s.started_at AS TEXT), '-') || ' ' || COALESCE(CAST(s.ended_at AS TEXT), '-')
             FROM step s JOIN dossier d ON d.id = s.dossier_id WHERE d.goods_description = 'Lot témoin'"
        ),
        format!(
            "SELECT 'event ' || e.partner_event_id || ' ' || {KEY}
             FROM event e JOIN dossier d ON d.id = e.dossier_id WHERE d.goods_description = 'Lot témoin'"
        ),
        format!(
            "SELECT 'correlation ' || e.partner_event_id || ' ' || c.cause || ' ' || {KEY}
             FROM correlation_alert c JOIN event e ON e.id = c.event_id JOIN dossier d ON d.id = e.dossier_id
             WHERE d.goods_description = 'Lot témoin'"
        ),
        "SELECT 'alert ' || a.rule || ' ' || a.state || ' '
             || CASE WHEN a.cleared_at IS NULL THEN 'tient' ELSE 'levee' END || ' ' || a.title FROM alert a
         WHERE a.dossier_id IN (SELECT id FROM dossier WHERE goods_description = 'Lot témoin')"
            .to_owned(),
        format!(
            "SELECT 'notification ' || n.user_id || ' ' || n.kind || ' ' || n.title || ' ' || n.body
                 || ' ' || {KEY}
             FROM notification n JOIN dossier d ON d.id = n.dossier_id WHERE d.goods_description = 'Lot témoin'"
        ),
        format!(
            "SELECT 'duration ' || {KEY} || ' ' || o.place || ' ' || o.kind || ' ' || o.minutes
             FROM observed_duration o JOIN dossier d ON d.id = o.dossier_id WHERE d.goods_description = 'Lot témoin'"
        ),
        format!(
            "SELECT 'indicator ' || {KEY} || ' ' || i.measure || ' ' || i.day || ' ' || i.bucket
             FROM dossier_indicator i JOIN dossier d ON d.id = i.dossier_id
             WHERE d.goods_description = 'Lot témoin'"
        ),
        "SELECT 'day ' || day || ' ' || site_code || ' ' || post_code || ' ' || measure || ' ' || bucket
             || ' ' || dossiers FROM indicator_day WHERE dossiers <> 0"
            .to_owned(),
        "SELECT 'basis ' || place || ' ' || goods_category || ' ' || kind || ' ' || cases FROM forecast_basis"
            .to_owned(),
    ];
    let mut lines = Vec::new();
    for sql in &queries {
        let rows: Vec<String> = match store.engine() {
            Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
            Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        };
        lines.extend(rows);
    }
    // Texts name dossiers by number too.
    let mut lines: Vec<String> = lines.iter().map(|line| without_numbers(line)).collect();
    lines.sort();
    lines
}

/// `line` with each dossier number (`n° 301`) replaced by `n° #`.
fn without_numbers(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("n° ") {
        let (before, after) = rest.split_at(at + "n° ".len());
        out.push_str(before);
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 {
            out.push('#');
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// A consignment's event at `site`, from the source that is the authority for its type.
fn sent(id: &str, kind: &str, site: &str, at: &str, references: Value, data: Value) -> Value {
    let mut event = crate::partner::event(id, kind, "", at, data);
    event["site"] = json!(site);
    event["references"] = references;
    event["goods"]["description"] = json!("Lot témoin");
    event
}

/// The MRN the second consignment's declaration brings.
fn mrn() -> String {
    app::domain::references::Mrn::from_parts(26, "FR", "000000000777", 'A')
        .unwrap()
        .to_string()
}

/// Events that open, join, complete, repeat and cross dossiers, several in one batch.
fn events(siret: &str) -> Vec<Value> {
    let a = container("BTA", 100001);
    let b = container("BTB", 100002);
    let mrn = mrn();
    let mut opened = sent(
        "L-1",
        "ched_lodged",
        "FRLEH",
        "2026-11-20T08:00:00Z",
        json!({ "container": a, "ched": "CHEDP.FR.2026.0000701" }),
        json!({ "ched_type": "P" }),
    );
    opened["post"] = json!("FRLEH1");
    opened["operator"] = json!({ "siret": siret });
    let mut declared = sent(
        "L-4",
        "customs_declaration_lodged",
        "FRLEH",
        "2026-11-21T09:00:00Z",
        json!({ "container": b }),
        json!({}),
    );
    declared["source"] = json!("customs");
    declared["references"]["mrn"] = json!(mrn);
    vec![
        opened.clone(),
        sent(
            "L-2",
            "arrived",
            "FRLEH",
            "2026-11-21T06:00:00Z",
            json!({ "container": a }),
            json!({ "transport_mode": "sea", "means": "CMA CGM Rhône" }),
        ),
        // The same id again, same content: a duplicate, whatever batch it is in.
        opened,
        sent(
            "L-3",
            "unloaded",
            "FRLEH",
            "2026-11-21T10:00:00Z",
            json!({ "container": b }),
            json!({}),
        ),
        // Completes the second dossier with an MRN.
        declared,
        sent(
            "L-5",
            "documentary_check_done",
            "FRLEH",
            "2026-11-21T12:00:00Z",
            json!({ "container": a }),
            json!({ "result": "satisfactory" }),
        ),
        // The first container at another site: a dossier there, both sites' agents alerted.
        sent(
            "L-6",
            "arrived",
            "FRCDG",
            "2026-11-22T06:00:00Z",
            json!({ "container": a }),
            json!({ "transport_mode": "air", "means": "AF 123" }),
        ),
        // The first dossier's container with the second's MRN: two dossiers, reported.
        sent(
            "L-7",
            "unloaded",
            "FRLEH",
            "2026-11-21T11:00:00Z",
            json!({ "container": a, "mrn": mrn }),
            json!({}),
        ),
        sent(
            "L-8",
            "checks_selected",
            "FRLEH",
            "2026-11-21T12:00:00Z",
            json!({ "container": a }),
            json!({ "identity": true, "physical": false }),
        ),
    ]
}

async fn a_batch_leaves_what_one_at_a_time_leaves(backend: Backend) {
    let mut snapshots = Vec::new();
    let mut outcomes = Vec::new();
    for batched in [false, true] {
        let Some(server) = start(backend).await else {
            return;
        };
        let (_, siret) = company_and_siret(&server.store, OPERATOR).await;
        let partner = Partner {
            server: &server,
            key: crate::helpers::DEMO_API_KEY.into(),
        };
        let events = events(&siret);
        let mut statuses = Vec::new();
        if batched {
            let (status, body, _) = partner.send(&json!({ "events": events })).await;
            assert_eq!(status, reqwest::StatusCode::OK, "{body}");
            for result in body["results"].as_array().unwrap() {
                statuses.push(result["status"].as_str().unwrap().to_owned());
            }
        } else {
            for event in &events {
                let (status, body, _) = partner.send(event).await;
                assert!(status.is_success(), "{body}");
                statuses.push(body["status"].as_str().unwrap().to_owned());
            }
        }
        outcomes.push(statuses);
        snapshots.push(snapshot(&server.store).await);
        server.stop().await;
    }
    assert_eq!(outcomes[0], outcomes[1], "each event answers alike");
    assert_eq!(
        outcomes[1].iter().filter(|s| *s == "created").count(),
        8,
        "{:?}",
        outcomes[1]
    );
    let (alone, batch) = (&snapshots[0], &snapshots[1]);
    // What must be there for the comparison to mean anything.
    for expected in [
        "correlation L-6 reference",
        "correlation L-7 reference",
        "notification ",
        "duration ",
        "indicator ",
    ] {
        assert!(
            batch.iter().any(|line| line.starts_with(expected)),
            "« {expected} » absent :\n{}",
            batch.join("\n")
        );
    }
    assert!(
        batch
            .iter()
            .any(|line| line.starts_with("dossier BTBU") && line.contains(&mrn())),
        "the second dossier holds the MRN:\n{}",
        batch.join("\n")
    );
    // One at a time, each event is a commit and every state between them is one people saw:
    // a step already overdue when reported opens its alert, cleared by the next event. A batch
    // is one commit: its alerts are those of the state it leaves, so it has only those.
    let cleared: Vec<&str> = alone
        .iter()
        .filter(|line| line.starts_with("alert ") && line.contains(" levee "))
        .filter_map(|line| line.split(" levee ").nth(1))
        .collect();
    let transient = |line: &String| {
        (line.starts_with("alert ") && line.contains(" levee "))
            || (line.starts_with("notification ")
                && cleared.iter().any(|title| line.contains(title)))
    };
    assert!(
        batch.iter().all(|line| !line.contains(" levee ")),
        "{}",
        batch.join("\n")
    );
    let only_alone: Vec<&String> = alone
        .iter()
        .filter(|l| !batch.contains(l) && !transient(l))
        .collect();
    let only_batch: Vec<&String> = batch.iter().filter(|l| !alone.contains(l)).collect();
    assert!(
        only_alone.is_empty() && only_batch.is_empty(),
        "un à un seulement :\n{}\n\nen lot seulement :\n{}",
        only_alone
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        only_batch
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

crate::helpers::on_both_stores!(a_batch_leaves_what_one_at_a_time_leaves);
