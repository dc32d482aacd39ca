//! What a partner key may reach, as an attacker holding one would try it (PARTNER_API.md 1.1):
//! a key limited to sites neither changes nor learns anything of a dossier elsewhere, event ids
//! are the key's own, a source reports only what it is the authority for, budgets are counted in
//! events and per client address before any lookup, and event times stay within written bounds.
//! The matrix at the end writes out every cell: key (sources × sites) × event (source, type,
//! site) × the site of the dossier its references lead to, as the one policy module decides it.

use app::domain::access::{authorize_event, PartnerScope};
use app::domain::journey::{EventKind, EventSource};
use app::domain::references::Locode;
use app::store::Backend;
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{config, container, fresh_database, on_both_stores, Running, DEMO_API_KEY};
use crate::partner::{ched_lodged, event, problem_fields, start, Partner};

on_both_stores!(
    a_site_key_neither_changes_nor_learns_another_site,
    event_ids_belong_to_the_key_that_sent_them,
    a_source_reports_only_what_it_is_the_authority_for,
    budgets_count_events_and_addresses_before_keys,
    event_times_stay_within_bounds,
    the_partner_matrix,
);

/// A key for one partner system, as the administrator would create it.
async fn add_key(server: &Running, name: &str, key: &str, sources: &str, sites: &str) {
    let mut tx = server.store.begin().await.unwrap();
    tx.insert_partner_key(
        name,
        &app::state::token_hash(key),
        sources,
        sites,
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn recently(hours: i64) -> String {
    (Utc::now() - Duration::hours(hours)).to_rfc3339()
}

fn arrived(id: &str, container: &str, site: &str) -> Value {
    let mut arrived = event(
        id,
        "arrived",
        container,
        &recently(3),
        json!({ "transport_mode": "sea", "means": "CMA CGM Tage" }),
    );
    arrived["site"] = json!(site);
    arrived
}

/// The first event of a consignment at Fos-sur-Mer.
fn lodged_at_fos(id: &str, box_number: &str) -> Value {
    let mut lodged = ched_lodged(id, box_number, "CHEDP.FR.2026.0000501", &recently(5));
    lodged["site"] = json!("FRFOS");
    lodged["post"] = json!("FRFOS1");
    lodged
}

/// A consignment at Fos-sur-Mer, opened by the all-sites key: its dossier.
async fn dossier_at_fos(server: &Running, box_number: &str, id: &str) -> i64 {
    let (status, body, _) = Partner {
        server,
        key: DEMO_API_KEY.into(),
    }
    .send(&lodged_at_fos(id, box_number))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["dossier_id"].as_i64().unwrap()
}

async fn a_site_key_neither_changes_nor_learns_another_site(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    add_key(
        &server,
        "Port du Havre",
        "cle-havre",
        "port_community",
        "FRLEH",
    )
    .await;
    let havre = Partner {
        server: &server,
        key: "cle-havre".into(),
    };
    let at_fos = container("FOS", 424242);
    let fos_id = dossier_at_fos(&server, &at_fos, "F-1").await;
    let before = server.store.dossier(fos_id).await.unwrap().unwrap();

    // The Le Havre key names the container of the dossier at Fos, at its own site.
    let (status, answer, _) = havre.send(&arrived("H-1", &at_fos, "FRLEH")).await;
    // The same message for a container nobody knows: the two answers must not differ.
    let (control_status, control, _) = havre
        .send(&arrived("H-2", &container("NEW", 515151), "FRLEH"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(status, control_status);
    assert_eq!(answer["status"], control["status"]);
    let keys = |value: &Value| {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&answer), keys(&control));
    let joined = answer["dossier_id"].as_i64().unwrap();
    assert_ne!(joined, fos_id, "the event must not join the dossier at Fos");
    let opened = server.store.dossier(joined).await.unwrap().unwrap();
    assert_eq!(opened.summary.site.as_str(), "FRLEH");

    // Nothing changed at Fos.
    let after = server.store.dossier(fos_id).await.unwrap().unwrap();
    assert_eq!(after.events.len(), before.events.len());
    assert_eq!(after.summary.status, before.summary.status);
    assert_eq!(after.summary.current_step, before.summary.current_step);

    // The coincidence is for the agents of both sites to look at: one alert each, naming the
    // dossier of its site and only saying that another site holds one.
    let alerts = crate::helpers::correlation_alerts(&server.store, "rapprochement").await;
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    for (site, own, other) in [("FRLEH", joined, fos_id), ("FRFOS", fos_id, joined)] {
        let alert = alerts
            .iter()
            .find(|alert| alert.site_code == site)
            .unwrap_or_else(|| panic!("{site} : {alerts:?}"));
        assert_eq!(alert.dossier_id, Some(own));
        assert!(
            alert.detail.contains(&format!("le dossier n° {own} ("))
                && alert.detail.contains("un dossier d'un autre site")
                && !alert.detail.contains(&format!("n° {other}")),
            "{site} : {}",
            alert.detail
        );
    }
    let told = |site: &str| {
        alerts
            .iter()
            .find(|alert| alert.site_code == site)
            .map(|alert| alert.detail.clone())
            .unwrap_or_default()
    };
    assert!(
        told("FRLEH").contains(&format!("enregistré dans le dossier n° {joined}")),
        "{}",
        told("FRLEH")
    );
    assert!(
        told("FRFOS").contains("les vôtres n'ont pas changé"),
        "{}",
        told("FRFOS")
    );

    // A later event at Le Havre for that container goes on in the Le Havre dossier.
    let mut unloaded = event("H-3", "unloaded", &at_fos, &recently(2), json!({}));
    unloaded["site"] = json!("FRLEH");
    let (status, body, _) = havre.send(&unloaded).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["dossier_id"], joined);
    let after = server.store.dossier(fos_id).await.unwrap().unwrap();
    assert_eq!(after.events.len(), before.events.len());
    server.stop().await;
}

async fn event_ids_belong_to_the_key_that_sent_them(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    add_key(&server, "TRACES Le Havre", "cle-havre", "traces", "FRLEH").await;
    let havre = Partner {
        server: &server,
        key: "cle-havre".into(),
    };
    let everywhere = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    };
    // Another partner's event "F-1", at Fos.
    let theirs = lodged_at_fos("F-1", &container("FOS", 424242));
    let (status, body, _) = everywhere.send(&theirs).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // "F-1" from the Le Havre key is its own event: not a conflict that would reveal the other.
    let mine = ched_lodged(
        "F-1",
        &container("NEW", 515151),
        "CHEDP.FR.2026.0000777",
        &recently(4),
    );
    let (status, body, _) = havre.send(&mine).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "created");
    // Idempotency still holds within a key: the same again is a duplicate, other content a
    // conflict.
    let (status, body, _) = havre.send(&mine).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "duplicate");
    let mut changed = mine.clone();
    changed["occurred_at"] = json!(recently(1));
    let (status, body, _) = havre.send(&changed).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body, _) = everywhere.send(&theirs).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "duplicate");
    server.stop().await;
}

async fn a_source_reports_only_what_it_is_the_authority_for(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    // Even a key allowed every source and site: the port's system does not release goods.
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    };
    let box_number = container("PRT", 101010);
    let (status, body, _) = partner.send(&arrived("P-1", &box_number, "FRLEH")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for kind in ["customs_released", "ched_decision", "lab_result"] {
        let forged = event(
            &format!("P-{kind}"),
            kind,
            &box_number,
            &recently(1),
            json!({ "conclusion": "satisfactory", "acceptable": true, "code": "X" }),
        );
        let mut forged = forged;
        forged["source"] = json!("port_community");
        let (status, body, headers) = partner.send(&forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{kind}: {body}");
        assert_eq!(headers["content-type"], "application/problem+json");
        assert_eq!(problem_fields(&body), ["type"], "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("port_community"),
            "{body}"
        );
    }
    // In a batch, that item alone is rejected.
    let mut release = event(
        "P-B2",
        "customs_released",
        &box_number,
        &recently(1),
        json!({}),
    );
    release["source"] = json!("port_community");
    let batch = json!({ "events": [
        event("P-B1", "unloaded", &box_number, &recently(2), json!({})),
        release,
    ]});
    let (status, body, _) = partner.send(&batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let statuses: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["created", "rejected"]);
    assert_eq!(body["results"][1]["errors"][0]["field"], "type");
    let dossier_id = body["results"][0]["dossier_id"].as_i64().unwrap();
    let dossier = server.store.dossier(dossier_id).await.unwrap().unwrap();
    assert!(
        dossier
            .events
            .iter()
            .all(|e| e.kind != EventKind::CustomsReleased),
        "a release the port's system sent must not be recorded"
    );
    server.stop().await;
}

async fn budgets_count_events_and_addresses_before_keys(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url);
    config.partner_events_per_minute = 60;
    config.partner_events_burst = 50;
    config.partner_requests_per_minute = 60;
    config.partner_requests_burst = 8;
    let server = Running::start(&config).await;
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    };
    let batch = |prefix: &str, count: u32| json!({ "events": (0..count).map(|n| arrived(&format!("{prefix}-{n}"), &container("BGT", 200 + n * 10), "FRLEH")).collect::<Vec<_>>() });
    // A batch of 40 events costs 40 of the 50: a second one does not fit, a single event does.
    let (status, body, _) = partner.send(&batch("A", 40)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body, headers) = partner.send(&batch("B", 40)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "a batch counts its events: {body}"
    );
    assert!(headers.contains_key("retry-after"));
    assert_eq!(headers["content-type"], "application/problem+json");
    assert!(
        body["detail"].as_str().unwrap().contains("événements"),
        "{body}"
    );
    let (status, body, _) = partner
        .send(&arrived("C-1", &container("BGT", 9000), "FRLEH"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Unknown keys from one address: the address's budget runs out before any key is looked up.
    let stranger = Partner {
        server: &server,
        key: "cle-devinee".into(),
    };
    let mut statuses = Vec::new();
    for n in 0..12 {
        let (status, _, _) = stranger
            .send(&arrived(&format!("X-{n}"), &container("BGT", 1), "FRLEH"))
            .await;
        statuses.push(status.as_u16());
    }
    assert!(
        statuses.contains(&429),
        "the address's budget must stop guessing keys: {statuses:?}"
    );
    // The defaults let a partner send full batches, back to back.
    let defaults = server::config::Config::defaults();
    assert!(defaults.partner_events_burst as usize >= 2 * app::domain::partner::MAX_BATCH);
    assert!(defaults.partner_events_per_minute as usize >= app::domain::partner::MAX_BATCH);
    server.stop().await;
}

async fn event_times_stay_within_bounds(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    };
    let box_number = container("TIM", 303030);
    let now = Utc::now();
    let refused = [
        (now - Duration::days(365 * 10 + 5)).to_rfc3339(),
        (now + Duration::hours(26)).to_rfc3339(),
        "9999-12-31T23:59:59Z".to_owned(),
        "0001-01-01T00:00:00+14:00".to_owned(),
    ];
    for (n, at) in refused.iter().enumerate() {
        let mut late = arrived(&format!("T-{n}"), &box_number, "FRLEH");
        late["occurred_at"] = json!(at);
        let (status, body, _) = partner.send(&late).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{at}: {body}");
        assert_eq!(problem_fields(&body), ["occurred_at"], "{body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("dix ans") && message.contains("un jour"),
            "{message}"
        );
    }
    for (n, at) in [
        (now - Duration::days(365 * 9)).to_rfc3339(),
        (now + Duration::hours(20)).to_rfc3339(),
    ]
    .iter()
    .enumerate()
    {
        let mut fine = arrived(&format!("OK-{n}"), &box_number, "FRLEH");
        fine["occurred_at"] = json!(at);
        let (status, body, _) = partner.send(&fine).await;
        assert!(status.is_success(), "{at}: {body}");
    }
    server.stop().await;
}

/// Every cell: key × event × where the references lead. The policy module decides whether the
/// event is taken; when it is, it joins a dossier of its own site and never one elsewhere, and
/// its answer is the same whether or not a dossier elsewhere holds its reference.
async fn the_partner_matrix(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let keys = [
        ("cle-m-traces-leh", "traces", "FRLEH"),
        (
            "cle-m-port-leh",
            "port_community,airport_community",
            "FRLEH",
        ),
        ("cle-m-douane-tous", "customs", "*"),
        ("cle-m-tout", "*", "*"),
    ];
    for (key, sources, sites) in keys {
        add_key(&server, key, key, sources, sites).await;
    }
    let kinds = [
        (
            EventKind::Arrived,
            json!({ "transport_mode": "sea", "means": "MSC Aurora" }),
        ),
        (
            EventKind::DocumentaryCheckDone,
            json!({ "result": "satisfactory" }),
        ),
        (EventKind::CustomsReleased, json!({})),
    ];
    let sources = [
        EventSource::Traces,
        EventSource::PortCommunity,
        EventSource::Customs,
    ];
    let sites = [("FRLEH", Some("FRLEH1")), ("FRFOS", Some("FRFOS1"))];
    let mut serial = 1000;
    let mut cells = 0;
    for (key, key_sources, key_sites) in keys {
        let scope = PartnerScope::parse(key_sources, key_sites);
        let partner = Partner {
            server: &server,
            key: key.into(),
        };
        for (kind, data) in &kinds {
            for source in sources {
                for (site, post) in sites {
                    // Where the references lead: a dossier of the event's site, or of the other.
                    for elsewhere in [false, true] {
                        serial += 1;
                        let box_number = container("MTX", serial * 10);
                        let other_site = if site == "FRLEH" { "FRFOS" } else { "FRLEH" };
                        let held_at = if elsewhere { other_site } else { site };
                        let held = seed_dossier(&server, &box_number, held_at, serial).await;
                        let before = server
                            .store
                            .dossier(held)
                            .await
                            .unwrap()
                            .unwrap()
                            .events
                            .len();
                        let mut sent = event(
                            &format!("M-{serial}"),
                            kind.code(),
                            &box_number,
                            &recently(1),
                            data.clone(),
                        );
                        sent["source"] = json!(source.code());
                        sent["site"] = json!(site);
                        sent["post"] = json!(post);
                        let (status, body, _) = partner.send(&sent).await;
                        let decision =
                            authorize_event(&scope, source, *kind, &Locode::parse(site).unwrap());
                        let cell = format!(
                            "clé {key} ({key_sources} @ {key_sites}) × {} {} @ {site} × dossier @ {held_at}",
                            source.code(),
                            kind.code()
                        );
                        let after = server
                            .store
                            .dossier(held)
                            .await
                            .unwrap()
                            .unwrap()
                            .events
                            .len();
                        match decision {
                            Err(refusals) => {
                                assert_eq!(status, StatusCode::FORBIDDEN, "{cell}: {body}");
                                let mut fields: Vec<&str> =
                                    refusals.iter().map(|r| r.field()).collect();
                                fields.dedup();
                                assert_eq!(problem_fields(&body), fields, "{cell}: {body}");
                                assert_eq!(after, before, "{cell}: rien ne change");
                            }
                            Ok(()) => {
                                assert_eq!(status, StatusCode::CREATED, "{cell}: {body}");
                                let joined = body["dossier_id"].as_i64().unwrap();
                                let dossier = server.store.dossier(joined).await.unwrap().unwrap();
                                assert_eq!(dossier.summary.site.as_str(), site, "{cell}");
                                if elsewhere {
                                    assert_ne!(joined, held, "{cell}");
                                    assert_eq!(after, before, "{cell}: rien ne change ailleurs");
                                } else {
                                    assert_eq!(joined, held, "{cell}");
                                    assert_eq!(after, before + 1, "{cell}");
                                }
                            }
                        }
                        cells += 1;
                    }
                }
            }
        }
    }
    assert_eq!(
        cells,
        keys.len() * kinds.len() * sources.len() * sites.len() * 2
    );
    server.stop().await;
}

/// A dossier holding this container at this site, opened by the all-sites key.
async fn seed_dossier(server: &Running, box_number: &str, site: &str, serial: u32) -> i64 {
    let mut lodged = ched_lodged(
        &format!("S-{serial}"),
        box_number,
        &format!("CHEDP.FR.2026.{:07}", serial),
        &recently(6),
    );
    lodged["site"] = json!(site);
    lodged["post"] = json!(format!("{site}1"));
    let (status, body, _) = Partner {
        server,
        key: DEMO_API_KEY.into(),
    }
    .send(&lodged)
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["dossier_id"].as_i64().unwrap()
}
