//! Alerts on both stores, with a clock the test controls (the server's own is stopped): each rule opens an alert once, does not flap around its
//! threshold, closes by itself once its condition has cleared for a while, and opens again when
//! it returns; alerts reach the agents of the administration that answers, not the others.

use app::store::{Backend, Engine, Store};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::accounts::{Browser, AGENT_SIVEP, HEAD, OPERATOR, PASSWORD};
use crate::helpers::{config, container, execute, fresh_database, on_both_stores, Running};
use crate::live::{session_of, sirets, Stream};

const AGENT_DOUANE: &str = "agent.douane@demo.sesame.test";
/// A post of Le Havre made for the test: its thresholds are its own, and nothing of the demo
/// waits there.
const POST: &str = "FRLEH9";

/// (id, state, cleared, openings) of the alert of a condition.
async fn alert(store: &Store, key: &str) -> Option<(i64, String, bool, i32)> {
    const SQL: &str =
        "SELECT id, state, cleared_at IS NOT NULL, openings FROM alert WHERE condition_key = $1";
    match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_as(SQL).bind(key).fetch_optional(pool).await,
        Engine::Postgres(pool) => sqlx::query_as(SQL).bind(key).fetch_optional(pool).await,
    }
    .unwrap()
}

/// How many notifications of an alert's openings a person has.
async fn told(store: &Store, email: &str, alert_id: i64) -> i64 {
    const SQL: &str = "SELECT COUNT(*) FROM notification n JOIN app_user u ON u.id = n.user_id
                       WHERE u.email = $1 AND n.cause LIKE $2";
    let cause = format!("alerte:{alert_id}:%");
    match store.engine() {
        Engine::Sqlite(pool) => {
            sqlx::query_scalar(SQL)
                .bind(email)
                .bind(cause)
                .fetch_one(pool)
                .await
        }
        Engine::Postgres(pool) => {
            sqlx::query_scalar(SQL)
                .bind(email)
                .bind(cause)
                .fetch_one(pool)
                .await
        }
    }
    .unwrap()
}

/// Sends events as a partner system would; the dossier of the first.
async fn send(server: &Running, events: Vec<Value>) -> i64 {
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/events"))
        .bearer_auth(crate::helpers::DEMO_API_KEY)
        .json(&json!({ "events": events }))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{body}");
    for result in body["results"].as_array().unwrap() {
        assert!(result["dossier_id"].is_i64(), "{body}");
    }
    body["results"][0]["dossier_id"].as_i64().unwrap()
}

fn event(
    id: &str,
    source: &str,
    kind: &str,
    at: DateTime<Utc>,
    container: &str,
    siret: &str,
    data: Value,
) -> Value {
    json!({
        "id": id,
        "source": source,
        "type": kind,
        "occurred_at": at.to_rfc3339(),
        "site": "FRLEH",
        "post": POST,
        "references": { "container": container },
        "goods": { "category": "fruit_vegetables", "description": "Avocats" },
        "operator": { "siret": siret },
        "data": data,
    })
}

fn arrived(id: &str, container: &str, siret: &str, at: DateTime<Utc>) -> Value {
    event(
        id,
        "port_community",
        "arrived",
        at,
        container,
        siret,
        json!({ "transport_mode": "sea", "means": "CMA CGM Tage" }),
    )
}

fn unloaded(id: &str, container: &str, siret: &str, at: DateTime<Utc>) -> Value {
    event(
        id,
        "port_community",
        "unloaded",
        at,
        container,
        siret,
        json!({}),
    )
}

async fn evaluate(store: &Store, at: DateTime<Utc>) -> app::store::Evaluated {
    store.evaluate_alerts(at).await.unwrap()
}

async fn start(backend: Backend) -> Option<(Running, String)> {
    let url = fresh_database(backend).await?;
    let server = Running::start(&config(url)).await;
    // A post created after the migrations gets the defaults of every post.
    execute(
        &server.store,
        &format!("INSERT INTO post (code, site_code, name, dgal, dgddi) VALUES ('{POST}', 'FRLEH', 'PCF d''essai', TRUE, TRUE)"),
    )
    .await
    .unwrap();
    // The demo's head of service heads it too.
    execute(
        &server.store,
        &format!("INSERT INTO post_head (user_id, post_code) SELECT id, '{POST}' FROM app_user WHERE email = '{HEAD}'"),
    )
    .await
    .unwrap();
    let (own, _) = sirets(&server).await;
    Some((server, own))
}

async fn defaults_are_seeded_for_every_post(backend: Backend) {
    let Some((server, _)) = start(backend).await else {
        return;
    };
    const SQL: &str = "SELECT (SELECT COUNT(*) FROM alert_threshold WHERE post_code = $1),
                              (SELECT COUNT(*) FROM alert_default),
                              (SELECT COUNT(*) FROM step_responsibility WHERE post_code = $1),
                              (SELECT responsible FROM step_responsibility
                               WHERE post_code = $1 AND goods_category = 'plants' AND step_kind = 'customs_clearance')";
    for post in ["FRLEH1", POST] {
        let (thresholds, defaults, responsibilities, customs): (i64, i64, i64, String) =
            match server.store.engine() {
                Engine::Sqlite(pool) => sqlx::query_as(SQL).bind(post).fetch_one(pool).await,
                Engine::Postgres(pool) => sqlx::query_as(SQL).bind(post).fetch_one(pool).await,
            }
            .unwrap();
        assert_eq!(thresholds, defaults, "{post}");
        assert_eq!(responsibilities, 70, "{post}: 7 catégories × 10 étapes");
        assert_eq!(customs, "dgddi");
    }
}

async fn a_bottleneck_opens_holds_within_its_margin_closes_and_returns(backend: Backend) {
    let Some((server, own)) = start(backend).await else {
        return;
    };
    let store = &server.store;
    // Two dossiers waiting at the arrival of the test post make a bottleneck beyond 2; it closes
    // only at 1 (80 % of 2) or fewer.
    execute(
        store,
        &format!("INSERT INTO alert_threshold (post_code, rule, goods_category, step_kind, value) VALUES ('{POST}', 'engorgement', '*', 'arrival', 2)"),
    )
    .await
    .unwrap();
    let key = format!("engorgement:{POST}:arrival");
    let now = Utc::now();
    let boxes: Vec<String> = (0..4).map(|n| container("ENG", 100 + n)).collect();
    for (n, number) in boxes.iter().take(2).enumerate() {
        send(
            &server,
            vec![arrived(&format!("eng-a-{n}"), number, &own, now)],
        )
        .await;
    }
    assert_eq!(
        alert(store, &key).await,
        None,
        "2 dossiers : pas au-delà du seuil"
    );
    // The third opens it, at once, as the event arrives.
    send(&server, vec![arrived("eng-a-2", &boxes[2], &own, now)]).await;
    let (id, state, cleared, openings) = alert(store, &key).await.expect("alerte ouverte");
    assert_eq!((state.as_str(), cleared, openings), ("ouverte", false, 1));
    // The heads of service of the post's site answer for the port's steps.
    assert_eq!(told(store, HEAD, id).await, 1);
    assert_eq!(told(store, AGENT_SIVEP, id).await, 0);
    // A fourth, and the clock: still one alert, told once.
    send(&server, vec![arrived("eng-a-3", &boxes[3], &own, now)]).await;
    evaluate(store, now + Duration::minutes(1)).await;
    assert_eq!(told(store, HEAD, id).await, 1);

    // Down to 2 then to 2 again: within the margin, it neither clears nor opens again.
    send(&server, vec![unloaded("eng-u-0", &boxes[0], &own, now)]).await;
    send(&server, vec![unloaded("eng-u-1", &boxes[1], &own, now)]).await;
    assert!(!alert(store, &key).await.unwrap().2, "2 > 1 : tient");
    // Down to 1: cleared, but open for ten minutes more; back to 3 meanwhile: it goes on.
    send(&server, vec![unloaded("eng-u-2", &boxes[2], &own, now)]).await;
    let (_, state, cleared, _) = alert(store, &key).await.unwrap();
    assert_eq!((state.as_str(), cleared), ("ouverte", true));
    let back = container("ENG", 200);
    let back2 = container("ENG", 201);
    send(&server, vec![arrived("eng-b-0", &back, &own, now)]).await;
    send(&server, vec![arrived("eng-b-1", &back2, &own, now)]).await;
    let (same, state, cleared, openings) = alert(store, &key).await.unwrap();
    assert_eq!(
        (same, state.as_str(), cleared, openings),
        (id, "ouverte", false, 1)
    );
    assert_eq!(
        told(store, HEAD, id).await,
        1,
        "pas de nouvelle notification"
    );

    // Cleared again; five minutes later still open; eleven minutes later closed by itself.
    send(&server, vec![unloaded("eng-u-3", &boxes[3], &own, now)]).await;
    send(&server, vec![unloaded("eng-u-4", &back, &own, now)]).await;
    let cleared_at = Utc::now();
    evaluate(store, cleared_at + Duration::minutes(5)).await;
    assert_eq!(alert(store, &key).await.unwrap().1, "ouverte");
    let closed = evaluate(store, cleared_at + Duration::minutes(11)).await;
    assert!(closed.closed >= 1);
    assert_eq!(alert(store, &key).await.unwrap().1, "close");

    // It returns: the same alert opens again, and is told again.
    for n in 0..2u32 {
        let number = container("ENG", 300 + n);
        send(
            &server,
            vec![arrived(&format!("eng-c-{n}"), &number, &own, now)],
        )
        .await;
    }
    let (same, state, cleared, openings) = alert(store, &key).await.unwrap();
    assert_eq!(
        (same, state.as_str(), cleared, openings),
        (id, "ouverte", false, 2)
    );
    assert_eq!(told(store, HEAD, id).await, 2);
}

async fn a_step_too_long_opens_with_time_alone_once_and_closes_after_it_ends(backend: Backend) {
    let Some((server, own)) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let number = container("LNG", 10);
    let started = Utc::now() - Duration::minutes(5);
    let dossier = send(&server, vec![arrived("long-0", &number, &own, started)]).await;
    let key = format!("etape_longue:{dossier}:arrival");
    // The default for the arrival: 24 hours.
    let limit = started + Duration::minutes(1440);
    evaluate(store, limit - Duration::minutes(1)).await;
    assert_eq!(alert(store, &key).await, None);
    evaluate(store, limit + Duration::minutes(1)).await;
    let (id, state, _, _) = alert(store, &key)
        .await
        .expect("alerte ouverte avec le temps");
    assert_eq!(state, "ouverte");
    assert_eq!(told(store, HEAD, id).await, 1);
    evaluate(store, limit + Duration::minutes(2)).await;
    evaluate(store, limit + Duration::hours(3)).await;
    assert_eq!(told(store, HEAD, id).await, 1, "une alerte par condition");

    // The goods are unloaded: the condition clears, the alert closes ten minutes later.
    send(&server, vec![unloaded("long-1", &number, &own, Utc::now())]).await;
    let (_, state, cleared, _) = alert(store, &key).await.unwrap();
    assert_eq!((state.as_str(), cleared), ("ouverte", true));
    let after = Utc::now();
    evaluate(store, after + Duration::minutes(9)).await;
    assert_eq!(alert(store, &key).await.unwrap().1, "ouverte");
    evaluate(store, after + Duration::minutes(11)).await;
    assert_eq!(alert(store, &key).await.unwrap().1, "close");
}

async fn the_inspection_is_told_of_its_steps_and_customs_is_not(backend: Backend) {
    let Some((server, own)) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let now = Utc::now();
    // Samples taken at the physical check: the laboratory's result is awaited.
    let number = container("LAB", 20);
    let dossier = send(
        &server,
        vec![
            event(
                "lab-0",
                "traces",
                "checks_selected",
                now - Duration::hours(2),
                &number,
                &own,
                json!({ "identity": false, "physical": true }),
            ),
            event(
                "lab-1",
                "traces",
                "physical_check_done",
                now - Duration::hours(1),
                &number,
                &own,
                json!({ "result": "satisfactory", "samples_taken": true }),
            ),
        ],
    )
    .await;
    let key = format!("analyse_en_attente:{dossier}:lab_analysis");
    evaluate(store, now + Duration::days(4)).await;
    assert_eq!(alert(store, &key).await, None);
    evaluate(store, now + Duration::days(5)).await;
    let (id, _, _, _) = alert(store, &key)
        .await
        .expect("résultat attendu au-delà de 5 jours");
    assert_eq!(told(store, AGENT_SIVEP, id).await, 1);
    assert_eq!(
        told(store, AGENT_DOUANE, id).await,
        0,
        "la douane n'en répond pas"
    );
    // The result arrives: cleared.
    send(
        &server,
        vec![event(
            "lab-2",
            "traces",
            "lab_result",
            Utc::now(),
            &number,
            &own,
            json!({ "conclusion": "satisfactory" }),
        )],
    )
    .await;
    assert!(alert(store, &key).await.unwrap().2);

    // Released by customs with no decision on the DSCE: out of order, at once; customs answers.
    let number = container("ORD", 30);
    let dossier = send(
        &server,
        vec![event(
            "ord-0",
            "customs",
            "customs_released",
            now,
            &number,
            &own,
            json!({}),
        )],
    )
    .await;
    let key = format!("ordre_anormal:{dossier}");
    let (id, state, _, _) = alert(store, &key)
        .await
        .expect("hors de l'ordre du parcours");
    assert_eq!(state, "ouverte");
    assert_eq!(told(store, AGENT_DOUANE, id).await, 1);
    assert_eq!(told(store, AGENT_SIVEP, id).await, 0);
    // The clock does not undo what only the events tell.
    evaluate(store, now + Duration::minutes(30)).await;
    assert!(!alert(store, &key).await.unwrap().2);
    // The decision, made before the release, arrives late: back in order.
    send(
        &server,
        vec![event(
            "ord-1",
            "traces",
            "ched_decision",
            now - Duration::hours(1),
            &number,
            &own,
            json!({ "acceptable": true }),
        )],
    )
    .await;
    assert!(alert(store, &key).await.unwrap().2);
}

async fn a_check_without_appointment_and_a_silent_source_are_told(backend: Backend) {
    let Some((server, own)) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let now = Utc::now();
    // Selected for a physical check at a post that takes appointments, and nothing booked.
    let number = container("RDV", 40);
    let mut selection = event(
        "rdv-0",
        "traces",
        "checks_selected",
        now,
        &number,
        &own,
        json!({ "identity": false, "physical": true }),
    );
    selection["post"] = json!("FRLEH1");
    let dossier = send(&server, vec![selection]).await;
    let key = format!("rendez_vous_non_pris:{dossier}:physical_check");
    evaluate(store, now + Duration::minutes(1439)).await;
    assert_eq!(alert(store, &key).await, None);
    evaluate(store, now + Duration::minutes(1441)).await;
    let (id, _, _, _) = alert(store, &key).await.expect("contrôle sans rendez-vous");
    assert_eq!(told(store, AGENT_SIVEP, id).await, 1);
    assert_eq!(told(store, AGENT_DOUANE, id).await, 0);
    // The goods reach the post for their check: no appointment is awaited any more.
    let mut positioned = event(
        "rdv-1",
        "port_community",
        "positioned_at_post",
        Utc::now(),
        &number,
        &own,
        json!({}),
    );
    positioned["post"] = json!("FRLEH1");
    send(&server, vec![positioned]).await;
    assert!(alert(store, &key).await.unwrap().2, "condition levée");

    // Customs sends twice, a minute apart as far as it is concerned, then nothing.
    for n in 0..2 {
        let number = container("SIL", 50 + n);
        let mut lodged = event(
            &format!("sil-{n}"),
            "customs",
            "customs_declaration_lodged",
            Utc::now(),
            &number,
            &own,
            json!({}),
        );
        lodged["post"] = json!("FRLEH1");
        lodged["references"]["mrn"] = json!(mrn(&format!("{:012}", 50 + n)));
        send(&server, vec![lodged]).await;
    }
    let key = "source_silencieuse:FRLEH:customs";
    // The first moment more than two hours later when a post of Le Havre is open.
    let mut calendars = Vec::new();
    for post in ["FRLEH1", "FRLEH2"] {
        let code = app::domain::references::PostCode::parse(post).unwrap();
        let calendar = store.calendar(&code).await.unwrap().unwrap();
        calendars.push((calendar.openings, calendar.open_on_public_holidays));
    }
    let mut at = Utc::now() + Duration::minutes(125);
    while !app::domain::alert::site_open(&calendars, at) {
        at += Duration::minutes(15);
    }
    evaluate(store, at).await;
    let (id, state, _, _) = alert(store, key).await.expect("système silencieux");
    assert_eq!(state, "ouverte");
    assert_eq!(told(store, HEAD, id).await, 1, "les chefs de service");
    assert_eq!(told(store, AGENT_DOUANE, id).await, 0);
    // It speaks again: cleared at once.
    let mut lodged = event(
        "sil-2",
        "customs",
        "customs_declaration_lodged",
        Utc::now(),
        &container("SIL", 60),
        &own,
        json!({}),
    );
    lodged["post"] = json!("FRLEH1");
    lodged["references"]["mrn"] = json!(mrn("000000000060"));
    send(&server, vec![lodged]).await;
    assert!(alert(store, key).await.unwrap().2);
}

async fn an_alert_closed_while_it_holds_stays_closed(backend: Backend) {
    let Some((server, own)) = start(backend).await else {
        return;
    };
    let store = &server.store;
    // An unfavourable decision, and no follow-up ten days later.
    let number = container("SUI", 70);
    let decided = Utc::now() - Duration::minutes(1);
    let dossier = send(
        &server,
        vec![event(
            "sui-0",
            "traces",
            "ched_decision",
            decided,
            &number,
            &own,
            json!({ "acceptable": false }),
        )],
    )
    .await;
    let key = format!("suite_defavorable:{dossier}:follow_up");
    let limit = decided + Duration::days(10);
    evaluate(store, limit - Duration::minutes(1)).await;
    assert_eq!(alert(store, &key).await, None);
    evaluate(store, limit + Duration::minutes(1)).await;
    let (id, _, _, _) = alert(store, &key).await.expect("suites attendues");
    assert_eq!(told(store, AGENT_SIVEP, id).await, 1);
    // An agent closes it while the follow-up is still awaited: it stays closed, told once.
    let sivep = store.user_by_email(AGENT_SIVEP).await.unwrap().unwrap().id;
    let mut tx = store.begin().await.unwrap();
    assert!(tx
        .close_alert(
            id,
            Some(sivep),
            "Suites confiées au poste, en cours.",
            Utc::now()
        )
        .await
        .unwrap());
    tx.commit().await.unwrap();
    evaluate(store, limit + Duration::hours(1)).await;
    evaluate(store, limit + Duration::days(1)).await;
    let (_, state, cleared, openings) = alert(store, &key).await.unwrap();
    assert_eq!((state.as_str(), cleared, openings), ("close", false, 1));
    assert_eq!(told(store, AGENT_SIVEP, id).await, 1);
    // The follow-up is done: the condition has cleared, nothing opens.
    send(
        &server,
        vec![event(
            "sui-1",
            "traces",
            "follow_up_done",
            Utc::now(),
            &number,
            &own,
            json!({ "action": "destruction" }),
        )],
    )
    .await;
    let (_, state, cleared, _) = alert(store, &key).await.unwrap();
    assert_eq!((state.as_str(), cleared), ("close", true));
}

/// A movement reference number of this body (its check character computed).
fn mrn(body: &str) -> String {
    app::domain::references::Mrn::from_parts(26, "FR", body, 'A')
        .unwrap()
        .to_string()
}

/// A person signed in, as their browser.
async fn browser(server: &Running, email: &str) -> Browser {
    let browser = Browser::new(server);
    browser.sign_in(email, PASSWORD).await;
    browser
}

/// An alert opened at once by an event out of order (a release without a decision) at `site`.
async fn out_of_order(server: &Running, own: &str, site: &str, post: &str, serial: u32) -> i64 {
    let number = container("DSK", serial);
    let mut released = event(
        &format!("desk-{serial}"),
        "customs",
        "customs_released",
        Utc::now(),
        &number,
        own,
        json!({}),
    );
    released["site"] = json!(site);
    released["post"] = json!(post);
    let dossier = send(server, vec![released]).await;
    alert(&server.store, &format!("ordre_anormal:{dossier}"))
        .await
        .expect("alerte ouverte")
        .0
}

/// The customs agent of the demo no longer works at Fos (their habilitation there withdrawn).
async fn customs_agent_leaves_fos(server: &Running) {
    execute(
        &server.store,
        &format!(
            "UPDATE habilitation SET withdrawn_at = '2026-01-01 00:00:00+00:00'
             WHERE site_code = 'FRFOS' AND user_id = (SELECT id FROM app_user WHERE email = '{AGENT_DOUANE}')"
        ),
    )
    .await
    .unwrap();
}

/// The ids of the alerts a desk lists.
fn listed(body: &str) -> Vec<i64> {
    let desk: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("{body}"));
    desk["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|alert| alert["id"].as_i64().unwrap())
        .collect()
}

async fn each_site_sees_its_alerts_and_only_its_agents_act(backend: Backend) {
    let Some((server, own)) = start(backend).await else {
        return;
    };
    let here = out_of_order(&server, &own, "FRLEH", "FRLEH1", 1).await;
    let there = out_of_order(&server, &own, "FRFOS", "FRFOS1", 2).await;
    customs_agent_leaves_fos(&server).await;
    let agent = browser(&server, AGENT_DOUANE).await;
    let desk = agent.post("/api/alertes", &[]).await;
    assert_eq!(desk.status, reqwest::StatusCode::OK, "{}", desk.body);
    let ids = listed(&desk.body);
    assert!(ids.contains(&here) && !ids.contains(&there), "{ids:?}");
    // Filtered on the other site: nothing of it.
    let filtered = agent.post("/api/alertes", &[("site", "FRFOS")]).await;
    assert!(listed(&filtered.body).is_empty());

    // Another site's alert and an alert that does not exist answer alike, and nothing changes.
    let refused = agent.post(&format!("/alertes/{there}/prise"), &[]).await;
    let unknown = agent.post("/alertes/987654321/prise", &[]).await;
    assert_eq!(refused.location, unknown.location);
    assert!(
        refused.location.contains("erreur=alerte-introuvable"),
        "{}",
        refused.location
    );
    let closed_elsewhere = agent
        .post(
            &format!("/alertes/{there}/cloture"),
            &[("note", "Vu sur place, rien à signaler.")],
        )
        .await;
    assert_eq!(closed_elsewhere.location, unknown.location);
    let state_there: String = {
        const SQL: &str = "SELECT state FROM alert WHERE id = $1";
        match server.store.engine() {
            Engine::Sqlite(pool) => sqlx::query_scalar(SQL).bind(there).fetch_one(pool).await,
            Engine::Postgres(pool) => sqlx::query_scalar(SQL).bind(there).fetch_one(pool).await,
        }
        .unwrap()
    };
    assert_eq!(state_there, "ouverte");

    // Its own: taken once, then closed with a note of at least five characters.
    let taken = agent.post(&format!("/alertes/{here}/prise"), &[]).await;
    assert!(
        taken.location.contains("message=alerte-prise"),
        "{}",
        taken.location
    );
    let again = agent.post(&format!("/alertes/{here}/prise"), &[]).await;
    assert!(
        again.location.contains("erreur=alerte-deja-prise"),
        "{}",
        again.location
    );
    let short = agent
        .post(&format!("/alertes/{here}/cloture"), &[("note", "ok")])
        .await;
    assert!(
        short.location.contains("erreur=alerte-note"),
        "{}",
        short.location
    );
    let closed = agent
        .post(
            &format!("/alertes/{here}/cloture"),
            &[("note", "Décision demandée au SIVEP, mainlevée suspendue.")],
        )
        .await;
    assert!(
        closed.location.contains("message=alerte-close"),
        "{}",
        closed.location
    );
    const AUDITED: &str = "SELECT COUNT(*) FROM audit_entry WHERE action IN ('alerte_prise', 'alerte_close') AND object = $1";
    let object = format!("alerte:{here}");
    let audited: i64 = match server.store.engine() {
        Engine::Sqlite(pool) => {
            sqlx::query_scalar(AUDITED)
                .bind(&object)
                .fetch_one(pool)
                .await
        }
        Engine::Postgres(pool) => {
            sqlx::query_scalar(AUDITED)
                .bind(&object)
                .fetch_one(pool)
                .await
        }
    }
    .unwrap();
    assert_eq!(audited, 2);
    let history = agent.post("/api/alertes", &[("state", "close")]).await;
    assert!(
        history.body.contains("Décision demandée au SIVEP"),
        "{}",
        history.body
    );

    // Supervisors read every site and act on none.
    let supervisor = browser(&server, "superviseur@demo.sesame.test").await;
    let ids = listed(&supervisor.post("/api/alertes", &[]).await.body);
    assert!(ids.contains(&there));
    let refused = supervisor
        .post(&format!("/alertes/{there}/prise"), &[])
        .await;
    assert!(
        refused.location.contains("erreur=alerte-introuvable"),
        "{}",
        refused.location
    );
    // Operators and the DGITM have no desk.
    for email in [OPERATOR, "dgitm@demo.sesame.test"] {
        let someone = browser(&server, email).await;
        let answer = someone.post("/api/alertes", &[]).await;
        assert_ne!(answer.status, reqwest::StatusCode::OK, "{email}");
        assert!(!answer.body.contains("hors de l'ordre"), "{email}");
        let take = someone.post(&format!("/alertes/{there}/prise"), &[]).await;
        assert_eq!(take.status, reqwest::StatusCode::FORBIDDEN, "{email}");
    }
}

async fn alerts_reach_the_streams_of_their_site_only(backend: Backend) {
    let Some((server, own)) = start(backend).await else {
        return;
    };
    customs_agent_leaves_fos(&server).await;
    let agent = session_of(&server, AGENT_DOUANE).await;
    let operator = session_of(&server, OPERATOR).await;
    let mut agent_stream = Stream::open(&server, Some(&agent), None).await.unwrap();
    let mut operator_stream = Stream::open(&server, Some(&operator), None).await.unwrap();
    let here = out_of_order(&server, &own, "FRLEH", "FRLEH1", 3).await;
    let there = out_of_order(&server, &own, "FRFOS", "FRFOS1", 4).await;
    let alerts = |messages: Vec<crate::live::Message>| -> Vec<i64> {
        messages
            .into_iter()
            .filter(|m| m.event == "alerte")
            .map(|m| m.data["alert_id"].as_i64().unwrap())
            .collect()
    };
    let seen = alerts(
        agent_stream
            .drain(std::time::Duration::from_millis(1500))
            .await,
    );
    assert!(seen.contains(&here) && !seen.contains(&there), "{seen:?}");
    let operator_saw = alerts(
        operator_stream
            .drain(std::time::Duration::from_millis(1500))
            .await,
    );
    assert!(operator_saw.is_empty(), "{operator_saw:?}");
}

async fn heads_of_service_set_the_thresholds_of_their_posts(backend: Backend) {
    let Some((server, _)) = start(backend).await else {
        return;
    };
    execute(
        &server.store,
        "INSERT INTO post (code, site_code, name, dgal, dgddi) VALUES ('FRLEH8', 'FRLEH', 'PCF sans chef', TRUE, TRUE)",
    )
    .await
    .unwrap();
    let head = browser(&server, HEAD).await;
    let set = |post: &'static str, rule: &'static str, step: &'static str, value: &'static str| {
        vec![
            ("poste", post),
            ("regle", rule),
            ("categorie", "*"),
            ("etape", step),
            ("valeur", value),
        ]
    };
    let saved = head
        .post("/alertes/seuils", &set(POST, "engorgement", "arrival", "3"))
        .await;
    assert!(
        saved.location.contains("message=seuil-enregistre"),
        "{}",
        saved.location
    );
    let value = |rule: &'static str, step: &'static str| {
        let store = server.store.clone();
        async move {
            const SQL: &str = "SELECT value FROM alert_threshold WHERE post_code = $1 AND rule = $2 AND goods_category = '*' AND step_kind = $3";
            match store.engine() {
                Engine::Sqlite(pool) => {
                    sqlx::query_scalar::<_, i64>(SQL)
                        .bind(POST)
                        .bind(rule)
                        .bind(step)
                        .fetch_optional(pool)
                        .await
                }
                Engine::Postgres(pool) => {
                    sqlx::query_scalar::<_, i64>(SQL)
                        .bind(POST)
                        .bind(rule)
                        .bind(step)
                        .fetch_optional(pool)
                        .await
                }
            }
            .unwrap()
        }
    };
    assert_eq!(value("engorgement", "arrival").await, Some(3));
    for (form, problem) in [
        (set("FRLEH8", "engorgement", "arrival", "3"), "seuil-poste"),
        (set(POST, "inconnue", "arrival", "3"), "seuil-regle"),
        (set(POST, "engorgement", "quai", "3"), "seuil-etape"),
        (set(POST, "engorgement", "arrival", "trois"), "seuil-nombre"),
        (set(POST, "etape_longue", "arrival", "0"), "seuil-minutes"),
        (
            set(POST, "etape_longue_p80", "*", "50"),
            "seuil-pourcentage",
        ),
    ] {
        let refused = head.post("/alertes/seuils", &form).await;
        assert!(
            refused.location.contains(&format!("erreur={problem}")),
            "{problem}: {}",
            refused.location
        );
    }
    // The general threshold stays; the particular one goes.
    let mut base = set(POST, "engorgement", "documentary_check", "");
    base.push(("action", "retirer"));
    let kept = head.post("/alertes/seuils", &base).await;
    assert!(
        kept.location.contains("erreur=seuil-non-retirable"),
        "{}",
        kept.location
    );
    assert_eq!(value("engorgement", "documentary_check").await, Some(30));
    let mut particular = set(POST, "engorgement", "arrival", "");
    particular.push(("action", "retirer"));
    let removed = head.post("/alertes/seuils", &particular).await;
    assert!(
        removed.location.contains("message=seuil-retire"),
        "{}",
        removed.location
    );
    assert_eq!(value("engorgement", "arrival").await, None);
    // Agents do not set thresholds.
    let agent = browser(&server, AGENT_SIVEP).await;
    let refused = agent
        .post("/alertes/seuils", &set(POST, "engorgement", "arrival", "1"))
        .await;
    assert_eq!(refused.status, reqwest::StatusCode::FORBIDDEN);
    assert_eq!(value("engorgement", "arrival").await, None);
    let page = head.get("/alertes/seuils").await;
    assert!(
        page.body.contains("PCF d&#x27;essai") || page.body.contains("PCF d'essai"),
        "{}",
        page.status
    );
}

/// The correlation alerts recorded before they joined the desk (migration 0024) are put on it
/// once when the platform starts: an open one opens, a resolved one is closed with what was
/// found; starting again adds nothing, and no one is told of them again.
async fn correlation_alerts_recorded_before_the_desk_are_put_on_it_once(backend: Backend) {
    let Some((server, own)) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let hours_ago = |hours: i64| Utc::now() - Duration::hours(hours);
    let first = send(
        &server,
        vec![arrived("old-1", &container("OLD", 1), &own, hours_ago(3))],
    )
    .await;
    let second = send(
        &server,
        vec![arrived("old-2", &container("OLD", 2), &own, hours_ago(2))],
    )
    .await;
    // As ingestion recorded them before: in `correlation_alert` only.
    execute(
        store,
        &format!(
            "INSERT INTO correlation_alert (event_id, dossier_ids, created_at)
             SELECT MIN(id), '{second},{first}', '2026-11-02 08:00:00+00:00' FROM event WHERE dossier_id = {second}"
        ),
    )
    .await
    .unwrap();
    execute(
        store,
        &format!(
            "INSERT INTO correlation_alert (event_id, dossier_ids, created_at, cause, post_code, goods_category,
                                            resolved_at, resolved_by, resolution)
             SELECT MIN(e.id), '{first}', '2026-11-01 08:00:00+00:00', 'post_approval', '{POST}', 'live_animals',
                    '2026-11-01 09:30:00+00:00', (SELECT id FROM app_user WHERE email = '{AGENT_SIVEP}'),
                    'Destination corrigée par le transitaire.'
             FROM event e WHERE e.dossier_id = {first}"
        ),
    )
    .await
    .unwrap();
    let notified = |store: &Store| {
        let store = store.clone();
        async move {
            const SQL: &str = "SELECT COUNT(*) FROM notification WHERE kind IN ('alerte_rapprochement', 'alerte_poste_non_agree')";
            match store.engine() {
                Engine::Sqlite(pool) => sqlx::query_scalar::<_, i64>(SQL).fetch_one(pool).await,
                Engine::Postgres(pool) => sqlx::query_scalar::<_, i64>(SQL).fetch_one(pool).await,
            }
            .unwrap()
        }
    };
    assert!(crate::helpers::correlation_alerts(store, "rapprochement")
        .await
        .is_empty());

    // The platform starts again: it migrates, as the schema's owner on PostgreSQL.
    let starting = match &server.owner_url {
        Some(owner) => Store::connect(owner).await.unwrap(),
        None => store.clone(),
    };
    starting.migrate().await.unwrap();
    let open = crate::helpers::correlation_alerts(store, "rapprochement").await;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].state, "ouverte");
    assert_eq!(open[0].dossier_id, Some(second));
    assert_eq!(open[0].opened_at.to_rfc3339(), "2026-11-02T08:00:00+00:00");
    assert!(
        open[0]
            .detail
            .contains(&format!("le dossier n° {second} ("))
            && open[0].detail.contains(&format!("le dossier n° {first} (")),
        "{}",
        open[0].detail
    );
    let resolved = store
        .alert_desk(&app::store::DeskQuery {
            rule: Some("poste_non_agree".into()),
            state: Some("close".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert_eq!(resolved[0].dossier_id, Some(first));
    assert_eq!(
        resolved[0].closing_note.as_deref(),
        Some("Destination corrigée par le transitaire.")
    );
    assert!(resolved[0].closed_by.is_some());
    assert_eq!(
        resolved[0].closed_at.map(|at| at.to_rfc3339()).as_deref(),
        Some("2026-11-01T09:30:00+00:00")
    );
    assert_eq!(notified(store).await, 0, "no one is told of them again");

    // Once: starting again, or the clock, changes nothing of them.
    starting.migrate().await.unwrap();
    evaluate(store, Utc::now() + Duration::minutes(30)).await;
    let again = crate::helpers::correlation_alerts(store, "rapprochement").await;
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].id, again[0].state.as_str()),
        (open[0].id, "ouverte")
    );
    let total: i64 = {
        const SQL: &str =
            "SELECT COUNT(*) FROM alert WHERE rule IN ('rapprochement', 'poste_non_agree')";
        match store.engine() {
            Engine::Sqlite(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await,
            Engine::Postgres(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await,
        }
        .unwrap()
    };
    assert_eq!(total, 2);
}

/// The clock evaluates a dossier again only when time can change its alerts; what else can is
/// seen at the next tick all the same: an appointment booked or cancelled, a threshold changed,
/// the forecasts moving a step's observed 80th percentile.
async fn what_moves_a_condition_besides_time_is_seen_at_the_next_tick(backend: Backend) {
    use app::domain::appointment::CheckKind;
    use app::store::{Actor, Change};

    use crate::appointments::{apply, booking, operator, selected_dossiers, slot_ahead};

    let Some((server, own)) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let now = Utc::now();
    evaluate(store, now).await;

    // At the arrival for two hours, against a day allowed.
    let started = Utc::now() - Duration::hours(2);
    let dossier = send(
        &server,
        vec![arrived("tck-0", &container("TCA", 1), &own, started)],
    )
    .await;
    let key = format!("etape_longue:{dossier}:arrival");
    let later = now + Duration::minutes(1);
    evaluate(store, later).await;
    assert_eq!(alert(store, &key).await, None);
    // The forecasts now observe 20 minutes at this arrival (written as they would write it):
    // three times that is an hour.
    execute(
        store,
        &format!(
            "INSERT INTO forecast_basis (place, goods_category, kind, median_minutes, p80_minutes, cases)
             VALUES ('poste:{POST}', 'fruit_vegetables', 'arrival', 15, 20, 40)"
        ),
    )
    .await
    .unwrap();
    evaluate(store, later + Duration::minutes(1)).await;
    let (id, state, cleared, _) = alert(store, &key).await.expect("p80 observé plus court");
    assert_eq!((state.as_str(), cleared), ("ouverte", false));
    execute(
        store,
        &format!("UPDATE forecast_basis SET p80_minutes = 600 WHERE place = 'poste:{POST}'"),
    )
    .await
    .unwrap();
    evaluate(store, later + Duration::minutes(2)).await;
    assert!(
        alert(store, &key).await.unwrap().2,
        "p80 observé plus long : levée"
    );
    // A head of service allows an hour at this post's arrival for these goods.
    execute(
        store,
        &format!("INSERT INTO alert_threshold (post_code, rule, goods_category, step_kind, value) VALUES ('{POST}', 'etape_longue', 'fruit_vegetables', 'arrival', 60)"),
    )
    .await
    .unwrap();
    evaluate(store, later + Duration::minutes(3)).await;
    assert_eq!(
        alert(store, &key).await,
        Some((id, "ouverte".to_owned(), false, 1)),
        "seuil abaissé : la condition revient"
    );

    // Selected four hours ago at a post that takes appointments; the default allows a day.
    let (user, company, _, _) = operator(&server).await;
    let dossier = selected_dossiers(&server, "TCK", 5_900_000, 1, true, &own).await[0];
    let key = format!("rendez_vous_non_pris:{dossier}:physical_check");
    evaluate(store, now + Duration::hours(19)).await;
    assert_eq!(alert(store, &key).await, None);
    evaluate(store, now + Duration::hours(21)).await;
    let (id, state, cleared, _) = alert(store, &key).await.expect("contrôle sans rendez-vous");
    assert_eq!((state.as_str(), cleared), ("ouverte", false));
    let calendar = store
        .calendar(&crate::appointments::post())
        .await
        .unwrap()
        .unwrap();
    let appointment = store
        .book(
            &booking(
                dossier,
                CheckKind::Physical,
                slot_ahead(&calendar, Utc::now()),
                user,
                company,
            ),
            &Actor::ANONYMOUS,
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    evaluate(store, now + Duration::hours(21) + Duration::minutes(1)).await;
    assert!(
        alert(store, &key).await.unwrap().2,
        "rendez-vous pris : condition levée"
    );
    apply(
        store,
        appointment,
        &Change::Cancel,
        &Actor::ANONYMOUS,
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    evaluate(store, now + Duration::hours(21) + Duration::minutes(2)).await;
    assert_eq!(
        alert(store, &key).await,
        Some((id, "ouverte".to_owned(), false, 1)),
        "rendez-vous annulé : la même alerte continue"
    );
}

on_both_stores!(
    correlation_alerts_recorded_before_the_desk_are_put_on_it_once,
    what_moves_a_condition_besides_time_is_seen_at_the_next_tick,
    defaults_are_seeded_for_every_post,
    a_bottleneck_opens_holds_within_its_margin_closes_and_returns,
    a_step_too_long_opens_with_time_alone_once_and_closes_after_it_ends,
    the_inspection_is_told_of_its_steps_and_customs_is_not,
    each_site_sees_its_alerts_and_only_its_agents_act,
    heads_of_service_set_the_thresholds_of_their_posts,
    alerts_reach_the_streams_of_their_site_only,
    a_check_without_appointment_and_a_silent_source_are_told,
    an_alert_closed_while_it_holds_stays_closed,
);
