//! What the pages offer around appointments, on each store, through the server functions the
//! pages call: a dossier's appointments section offers exactly what its state allows to the
//! reader (operator, agent, supervisor, another company), and the planning's list of requests
//! awaiting validation across an agent's posts is need to know (the agent's own sites, agents who
//! decide only; operators refused).

use app::domain::appointment::{paris_day, Calendar, CheckKind};
use app::domain::references::PostCode;
use app::store::Actor;
use app::store::{Backend, Booking, Engine, Store};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::accounts::{Browser, AGENT_SIVEP, HEAD, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::helpers::{config, container, fresh_database, Running, DEMO_API_KEY};

const POST: &str = "FRLEH1";
const SUPERVISOR: &str = "superviseur@demo.sesame.test";
const DGITM: &str = "dgitm@demo.sesame.test";
const CUSTOMS_AGENT: &str = "agent.douane@demo.sesame.test";

async fn start(backend: Backend) -> Option<Running> {
    let url = fresh_database(backend).await?;
    Some(Running::start(&config(url)).await)
}

/// The SIRET of the operator's company.
async fn siret_of(store: &Store, email: &str) -> (i64, i64, String) {
    let user = store.user_by_email(email).await.unwrap().unwrap();
    let company = user.company_id.unwrap();
    let siret = store
        .companies()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == company)
        .unwrap()
        .siret
        .to_string();
    (user.id, company, siret)
}

/// A new dossier at the post, of the company with `siret`, whose timeline went as far as these
/// events say (each `(type, hours ago, data)`), sent as a partner system would.
async fn dossier(
    server: &Running,
    serial: u32,
    siret: &str,
    events: &[(&str, i64, Value)],
) -> (i64, String) {
    let box_number = container("PGS", serial);
    let ched = format!("CHEDP.FR.2026.{:07}", 6_100_000 + serial);
    let events: Vec<Value> = events
        .iter()
        .enumerate()
        .map(|(n, (kind, hours, data))| {
            json!({
                "id": format!("pages-{serial}-{n}"),
                "source": "traces",
                "type": kind,
                "occurred_at": (Utc::now() - Duration::hours(*hours)).to_rfc3339(),
                "site": "FRLEH",
                "post": POST,
                "references": { "container": box_number, "ched": ched },
                "goods": { "category": "animal_products", "description": "Crevettes congelées" },
                "operator": { "siret": siret },
                "data": data,
            })
        })
        .collect();
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/events"))
        .bearer_auth(DEMO_API_KEY)
        .json(&json!({ "events": events }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{body}");
    (body["results"][0]["dossier_id"].as_i64().unwrap(), ched)
}

/// Lodged, documentary check done `hours` ago, and selected as said.
fn selected(hours: i64, identity: bool, physical: bool) -> Vec<(&'static str, i64, Value)> {
    vec![
        ("ched_lodged", hours + 1, json!({ "ched_type": "P" })),
        (
            "documentary_check_done",
            hours,
            json!({ "result": "satisfactory" }),
        ),
        (
            "checks_selected",
            hours,
            json!({ "identity": identity, "physical": physical }),
        ),
    ]
}

/// The first slot of the calendar at least two days ahead.
fn slot_ahead(calendar: &Calendar, now: DateTime<Utc>) -> DateTime<Utc> {
    let mut day = paris_day(now + Duration::days(2));
    loop {
        if let Some((start, _)) = calendar.slots_of_day(day, &[]).first() {
            return *start;
        }
        day = day.succ_opt().unwrap();
    }
}

/// Books the physical check of a dossier as the operator would, and returns the appointment.
async fn book_physical(store: &Store, dossier_id: i64, user: i64, company: i64) -> i64 {
    let post = PostCode::parse(POST).unwrap();
    let calendar = store.calendar(&post).await.unwrap().unwrap();
    let token = uuid::Uuid::new_v4().simple().to_string();
    store
        .book(
            &Booking {
                dossier_id,
                post: Some(&post),
                check: CheckKind::Physical,
                starts_at: slot_ahead(&calendar, Utc::now()),
                user_id: user,
                company_id: Some(company),
                checkin_token: &token,
            },
            &Actor::ANONYMOUS,
            Utc::now(),
        )
        .await
        .unwrap()
        .expect("réservation acceptée")
}

/// The dossier's appointments section as the reader's page loads it: the status and the answer.
async fn offered(browser: &Browser, dossier_id: i64) -> (StatusCode, Value, String) {
    let answer = browser
        .post(
            "/api/rendez-vous-du-dossier",
            &[("dossier_id", &dossier_id.to_string())],
        )
        .await;
    let value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    (answer.status, value, answer.body)
}

fn bookable(value: &Value) -> Vec<String> {
    value["bookable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| check.as_str().unwrap().to_owned())
        .collect()
}

async fn signed_in(server: &Running, email: &str) -> Browser {
    let browser = Browser::new(server);
    browser.sign_in(email, PASSWORD).await;
    browser
}

async fn a_dossier_offers_what_its_state_allows(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let (user, company, siret) = siret_of(store, OPERATOR).await;
    let operator = signed_in(&server, OPERATOR).await;

    // Selected for the physical check only: only that one is offered.
    let (physical_only, _) = dossier(&server, 1, &siret, &selected(4, false, true)).await;
    let (status, value, body) = offered(&operator, physical_only).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(bookable(&value), vec!["physical"]);
    assert_eq!(value["why_not"], Value::Null);
    assert_eq!(value["selection"], "Contrôles sélectionnés : physique.");
    assert_eq!(value["show_company"], false);

    // A check stalled for want of its appointment (« rendez-vous à prendre »: the step is
    // blocked, 30 hours after the selection) is still offered.
    let (stalled, _) = dossier(&server, 2, &siret, &selected(30, true, false)).await;
    let steps = store.dossier(stalled).await.unwrap().unwrap().steps;
    assert!(
        steps
            .iter()
            .any(|step| step.kind == CheckKind::Identity.step()
                && step.state == app::domain::journey::StepState::Bloque),
        "{steps:?}"
    );
    let (_, value, _) = offered(&operator, stalled).await;
    assert_eq!(bookable(&value), vec!["identity"]);

    // Before the selection: nothing, and why.
    let (unknown, _) = dossier(
        &server,
        3,
        &siret,
        &[("ched_lodged", 2, json!({ "ched_type": "P" }))],
    )
    .await;
    let (_, value, _) = offered(&operator, unknown).await;
    assert!(bookable(&value).is_empty());
    assert!(value["why_not"]
        .as_str()
        .unwrap()
        .contains("suit le contrôle documentaire"));

    // Selected for nothing: nothing, and why.
    let (none, _) = dossier(&server, 4, &siret, &selected(4, false, false)).await;
    let (_, value, _) = offered(&operator, none).await;
    assert!(bookable(&value).is_empty());
    assert!(value["why_not"]
        .as_str()
        .unwrap()
        .contains("n'est sélectionné ni pour un contrôle d'identité ni pour un contrôle physique"));

    // Booked: no longer offered, and why.
    book_physical(store, physical_only, user, company).await;
    let (_, value, _) = offered(&operator, physical_only).await;
    assert!(bookable(&value).is_empty());
    assert!(value["why_not"]
        .as_str()
        .unwrap()
        .contains("a son rendez-vous en cours"));
    assert_eq!(value["appointments"].as_array().unwrap().len(), 1);

    // The inspection's agent sees what they may decide, nothing to book; the operator's name.
    let agent = signed_in(&server, AGENT_SIVEP).await;
    let (status, value, _) = offered(&agent, stalled).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bookable(&value).is_empty());
    assert_eq!(value["may_book"], false);
    assert_eq!(value["may_decide"], true);
    assert_eq!(value["why_not"], Value::Null);
    assert_eq!(value["show_company"], true);
    // The supervisor reads, decides nothing, books nothing.
    let supervisor = signed_in(&server, SUPERVISOR).await;
    let (status, value, _) = offered(&supervisor, stalled).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bookable(&value).is_empty());
    assert_eq!(value["may_decide"], false);
    // Another company gets the same answer as for a dossier that does not exist.
    let other = signed_in(&server, OTHER_OPERATOR).await;
    let (status, _, body) = offered(&other, physical_only).await;
    let (missing_status, _, missing_body) = offered(&other, 99_999_999).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!((status, body), (missing_status, missing_body));
    server.stop().await;
}

/// The planning as the reader's page loads it, on the post asked for (or the default).
async fn planning(browser: &Browser, post: Option<&str>) -> (StatusCode, Value, String) {
    let mut form = vec![("week", "false")];
    if let Some(post) = post {
        form.push(("post", post));
    }
    let answer = browser.post("/api/planning", &form).await;
    let value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
    (answer.status, value, answer.body)
}

fn pending_ids(value: &Value) -> Vec<i64> {
    value["pending"]["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

async fn the_requests_to_validate_are_need_to_know(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let (user, company, siret) = siret_of(store, OPERATOR).await;
    let (id, ched) = dossier(&server, 11, &siret, &selected(4, false, true)).await;
    let appointment = book_physical(store, id, user, company).await;

    // The inspection's agent of the site: the request is listed, and the planning opens on its
    // post (not the first by name, the Orly post).
    let agent = signed_in(&server, AGENT_SIVEP).await;
    let (status, value, body) = planning(&agent, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(pending_ids(&value), vec![appointment]);
    assert_eq!(value["pending"]["more"], false);
    assert_eq!(value["post"], POST);
    let first_by_name = value["posts"][0]["code"].as_str().unwrap().to_owned();
    assert_ne!(first_by_name, POST);
    // Asked for another post, the list is still there (it spans every post of the sites).
    let (_, value, _) = planning(&agent, Some(&first_by_name)).await;
    assert_eq!(value["post"], first_by_name.as_str());
    assert_eq!(pending_ids(&value), vec![appointment]);
    // The consultation is in the audit trail.
    let actions: Vec<String> = store
        .audit_entries(50)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    assert!(
        actions
            .iter()
            .any(|a| a == "consultation_demandes_a_valider"),
        "{actions:?}"
    );

    // A customs agent may read the planning but decides nothing: no list.
    let customs = signed_in(&server, CUSTOMS_AGENT).await;
    let (status, value, body) = planning(&customs, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(value["pending"], Value::Null);
    assert!(!body.contains(&ched));

    // Operators, the supervisor and the DGITM are refused, and learn nothing.
    for email in [OPERATOR, OTHER_OPERATOR, SUPERVISOR, DGITM] {
        let browser = signed_in(&server, email).await;
        let (status, _, body) = planning(&browser, None).await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED,
            "{email} : {status}"
        );
        assert!(!body.contains(&ched), "{email}");
    }

    // Once the agent is no longer habilitated on the site, the agent of the other sites sees
    // none of it.
    let agent_user = store.user_by_email(AGENT_SIVEP).await.unwrap().unwrap();
    let habilitation = store
        .habilitations_of(agent_user.id)
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.site.as_str() == "FRLEH")
        .unwrap();
    let head = signed_in(&server, HEAD).await;
    let withdrawn = head
        .post(&format!("/habilitations/{}/retrait", habilitation.id), &[])
        .await;
    assert!(withdrawn.location.contains("habilitation-retiree"));
    let elsewhere = signed_in(&server, AGENT_SIVEP).await;
    let (status, value, body) = planning(&elsewhere, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(pending_ids(&value).is_empty());
    assert!(!body.contains(&ched));
    assert!(value["posts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|post| post["site"] != "FRLEH"));
    server.stop().await;
}

/// The list reads the requests through the partial index, on both engines, whatever the size of
/// the history: no scan of the appointments.
async fn the_requests_are_read_through_their_index(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let select = "SELECT a.id FROM appointment a JOIN slot s ON s.id = a.slot_id \
                  JOIN post p ON p.code = s.post_code \
                  WHERE a.state = 'demande' AND p.site_code IN ('FRLEH') ORDER BY s.starts_at";
    let plan: Vec<String> = match server.store.engine() {
        Engine::Sqlite(pool) => {
            sqlx::query_as::<_, (i64, i64, i64, String)>(&format!("EXPLAIN QUERY PLAN {select}"))
                .fetch_all(pool)
                .await
                .unwrap()
                .into_iter()
                .map(|row| row.3)
                .collect()
        }
        Engine::Postgres(pool) => {
            let mut tx = pool.begin().await.unwrap();
            // The demo's tables are small enough for a scan to cost less: forbid it, so that
            // the plan shows whether an index can answer.
            sqlx::query("SET LOCAL enable_seqscan = off")
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query_scalar::<_, String>(&format!("EXPLAIN {select}"))
                .fetch_all(&mut *tx)
                .await
                .unwrap()
        }
    };
    let plan = plan.join("\n");
    assert!(plan.contains("appointment_pending"), "{plan}");
    assert!(
        !plan.contains("SCAN a\n") && !plan.ends_with("SCAN a") && !plan.contains("Seq Scan"),
        "{plan}"
    );
    server.stop().await;
}

crate::helpers::on_both_stores!(
    a_dossier_offers_what_its_state_allows,
    the_requests_to_validate_are_need_to_know,
    the_requests_are_read_through_their_index,
);
