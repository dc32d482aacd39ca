//! The gate without network, on each store: opening the gate online gives the device today's
//! appointments of the agent's posts and a pass for the day; presences and absences recorded
//! offline are sent later with the pass alone (the web session idled out), each recorded once at
//! the time of its scan; what the server did not keep is said (moved, cancelled, already
//! recorded, not one of the agent's). The pass is refused once revoked, the next day, after a
//! withdrawn habilitation, a suspended account or a sign-out, and opens nothing else; strangers,
//! operators and agents of another site get nothing.

use app::domain::appointment::{paris_day, AppointmentState, Calendar, CheckKind};
use app::domain::gate::{CheckinOutcome, GateDay};
use app::store::{Actor, Backend, Change, Store};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::accounts::{Browser, AGENT_SIVEP, HEAD, OPERATOR, PASSWORD};
use crate::appointments::{apply, booking, operator, post, selected_dossiers, start};
use crate::helpers::Running;

/// The device's pass of the day.
const PASS: &str = "/api/arrivee-hors-ligne/acces";
/// The day's appointments, as the gate page reads them (a server function).
const DAY: &str = "/api/journee-arrivee";
const SEND: &str = "/api/arrivee-hors-ligne/pointages";
const AGENT_FOS: &str = "agent.fos@demo.sesame.test";

/// The post open round the clock in 5-minute slots; the slot under way now, and a later one
/// of today that starts at least two minutes from now (still ahead when the test moves an
/// appointment to it, after its sign-ins and bookings).
async fn open_now(store: &Store) -> (DateTime<Utc>, DateTime<Utc>) {
    crate::helpers::clear_of_paris_midnight(Duration::minutes(2)).await;
    let calendar = Calendar::round_the_clock(5, 20, true);
    let mut tx = store.begin().await.unwrap();
    tx.save_calendar(&post(), &calendar, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let now = Utc::now();
    let slots = calendar.slots_of_day(paris_day(now), &[]);
    let current = slots
        .iter()
        .position(|(start, end)| *start <= now && now < *end)
        .expect("un créneau en cours");
    let later = slots
        .iter()
        .map(|(start, _)| *start)
        .find(|start| *start > now + Duration::minutes(2))
        .unwrap_or(slots[current].0);
    (slots[current].0, later)
}

/// `count` appointments of the operator's dossiers at `slot`, booked an hour before it and
/// validated.
async fn confirmed_today(
    server: &Running,
    owner: &str,
    slot: DateTime<Utc>,
    count: u32,
) -> Vec<i64> {
    let store = &server.store;
    let (user, company, own, _) = operator(server).await;
    let dossiers = selected_dossiers(server, owner, 6_400_000, count, false, &own).await;
    let booked_at = slot - Duration::hours(1);
    let mut ids = Vec::new();
    for dossier in dossiers {
        let id = store
            .book(
                &booking(dossier, CheckKind::Identity, slot, user, company),
                &Actor::ANONYMOUS,
                booked_at,
            )
            .await
            .unwrap()
            .unwrap();
        apply(store, id, &Change::Validate, &Actor::ANONYMOUS, booked_at)
            .await
            .unwrap()
            .unwrap();
        ids.push(id);
    }
    ids
}

/// The day's appointments the gate page shows `browser`'s person (none for those who do not
/// record arrivals).
async fn day_of(browser: &Browser) -> Option<GateDay> {
    let answer = browser.post(DAY, &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    serde_json::from_str(&answer.body).unwrap()
}

/// An agent opens the gate online: the day the page shows, and the device's pass (its token,
/// from the cookie).
async fn open_gate(browser: &Browser) -> (GateDay, String) {
    let day = day_of(browser).await.expect("la journée de l'agent");
    let answer = browser.get(PASS).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let pass: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(pass["agent"], json!(day.agent));
    assert_eq!(pass["day"], json!(day.day));
    let cookie = answer
        .set_cookie
        .iter()
        .find(|c| c.starts_with("sesame_pointage="))
        .expect("le passe de l'appareil est posé")
        .clone();
    assert!(
        cookie.contains("Path=/api/arrivee-hors-ligne")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let token = cookie["sesame_pointage=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (day, token)
}

/// Sends presences and absences as a device without a session does: the pass's cookie only.
async fn send(server: &Running, token: &str, checkins: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(server.url(SEND))
        .header("cookie", format!("sesame_pointage={token}"))
        .json(&json!({ "checkins": checkins }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn checkin(
    id: &str,
    appointment: i64,
    kind: &str,
    at: DateTime<Utc>,
    starts_at: DateTime<Utc>,
) -> Value {
    json!({
        "id": id,
        "appointment_id": appointment,
        "kind": if kind == "presence" { "Presence" } else { "Absence" },
        "reason": null,
        "scanned_at": at,
        "starts_at": starts_at,
    })
}

fn outcomes(body: &Value) -> Vec<CheckinOutcome> {
    serde_json::from_value(body["outcomes"].clone()).unwrap()
}

async fn audit_count(store: &Store, action: &str, object: &str) -> usize {
    store
        .audit_entries(10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.action == action && entry.object == object)
        .count()
}

async fn sent_once_with_conflicts(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let (slot, later) = open_now(store).await;
    let ids = confirmed_today(&server, "OFL", slot, 6).await;
    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    let agent_id = store.user_by_email(AGENT_SIVEP).await.unwrap().unwrap().id;

    // Opening the gate: today's appointments of the agent's posts, with what works offline,
    // and a pass; one consultation in the trail, not one per refresh.
    let (day, token) = open_gate(&agent).await;
    assert_eq!(day.day, paris_day(Utc::now()));
    assert_eq!(day.agent, agent_id);
    for id in &ids {
        let found = day
            .appointments
            .iter()
            .find(|a| a.id == *id)
            .expect("le rendez-vous du jour est dans la journée");
        assert_eq!(found.starts_at, slot);
        assert_eq!(found.state, AppointmentState::Confirme);
        assert_eq!(found.token_sha256.len(), 64);
        assert!(found.code_sha256.is_some());
        assert!(found.company_name.is_some());
    }
    let journee = format!("journee:{}", day.day);
    assert_eq!(
        audit_count(store, "consultation_journee_arrivee", &journee).await,
        1
    );
    // The page again (a reload, a live refresh), and its device asking for its pass again:
    // the same pass, the same consultation.
    let again = day_of(&agent).await.expect("la journée de l'agent");
    assert_eq!(again.appointments, day.appointments);
    let renewed = agent.get(PASS).await;
    assert_eq!(renewed.status, 200);
    assert!(
        !renewed
            .set_cookie
            .iter()
            .any(|c| c.starts_with("sesame_pointage=")),
        "the device keeps its pass"
    );
    assert_eq!(
        audit_count(store, "consultation_journee_arrivee", &journee).await,
        1
    );

    // Meanwhile, online: the post refuses one, moves another, and a colleague records a third.
    let head = Actor::ANONYMOUS;
    let now = Utc::now();
    apply(
        store,
        ids[2],
        &Change::Refuse("Marchandise non présentable".into()),
        &head,
        now,
    )
    .await
    .unwrap()
    .unwrap();
    if later != slot {
        apply(
            store,
            ids[4],
            &Change::Move(later, "Quai occupé".into()),
            &head,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    }
    apply(store, ids[3], &Change::CheckIn, &head, now)
        .await
        .unwrap()
        .unwrap();

    // The web session idles out; the device sends with its pass alone. The scans were made
    // during the slot: an absence is only taken once the slot has begun, and the slot may
    // have begun less than 30 seconds ago.
    let scanned = (Utc::now() - Duration::seconds(30)).max(slot);
    let batch = json!([
        checkin("0b3f0c1e-0001", ids[0], "presence", scanned, slot),
        checkin("0b3f0c1e-0002", ids[1], "absence", scanned, slot),
        checkin("0b3f0c1e-0003", ids[2], "presence", scanned, slot),
        checkin("0b3f0c1e-0004", ids[3], "presence", scanned, slot),
        checkin("0b3f0c1e-0005", ids[4], "presence", scanned, slot),
        checkin("0b3f0c1e-0006", 987_654_321, "presence", scanned, slot),
    ]);
    let (status, body) = send(&server, &token, &batch).await;
    assert_eq!(status, 200, "{body}");
    let first = outcomes(&body);
    let codes: Vec<&str> = first.iter().map(|o| o.outcome.as_str()).collect();
    let moved = if later != slot {
        "deplace"
    } else {
        "enregistre"
    };
    assert_eq!(
        codes,
        [
            "enregistre",
            "enregistre",
            "annule",
            "deja_pointe",
            moved,
            "introuvable"
        ]
    );
    assert!(first[0].recorded && first[1].recorded && !first[2].recorded);
    assert!(
        first[3].message.contains("Présence déjà enregistrée"),
        "{}",
        first[3].message
    );
    assert!(first[2].message.contains("refusé"), "{}", first[2].message);
    if later != slot {
        assert!(
            first[4].message.contains("Rendez-vous déplacé"),
            "{}",
            first[4].message
        );
    }
    // The server keeps the scan's time on the appointment, and both times in the trail.
    let honoured = store.appointment(ids[0]).await.unwrap().unwrap();
    assert_eq!(honoured.state, AppointmentState::Honore);
    let kept = honoured.checked_in_at.unwrap();
    assert!(
        (kept - scanned).num_milliseconds().abs() < 1_000,
        "{kept} {scanned}"
    );
    let absent = store.appointment(ids[1]).await.unwrap().unwrap();
    assert_eq!(absent.state, AppointmentState::Absent);
    let entry = store
        .audit_entries(10_000)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.object == format!("rendez_vous:{}", ids[0]) && e.action == "rendez_vous_honore")
        .expect("la présence est au journal");
    assert!(
        entry.detail.starts_with("hors ligne, le ") && entry.detail.contains("(reçu le "),
        "{}",
        entry.detail
    );
    assert_eq!(entry.actor_id, Some(agent_id));
    // Sent again (the answer was lost): the same answers, nothing recorded twice.
    let (status, body) = send(&server, &token, &batch).await;
    assert_eq!(status, 200);
    assert_eq!(outcomes(&body), first);
    assert_eq!(
        audit_count(
            store,
            "rendez_vous_honore",
            &format!("rendez_vous:{}", ids[0])
        )
        .await,
        1
    );
    assert_eq!(
        audit_count(
            store,
            "rendez_vous_absent",
            &format!("rendez_vous:{}", ids[1])
        )
        .await,
        1
    );

    // What a device sends wrong is refused as a whole, in French, with nothing written.
    let ahead = Utc::now() + Duration::hours(1);
    for (wrong, said) in [
        (
            checkin("court", ids[5], "presence", scanned, slot),
            "L'identifiant d'un pointage",
        ),
        (
            checkin(
                "0b3f0c1e-0007",
                ids[5],
                "presence",
                scanned - Duration::days(1),
                slot,
            ),
            "seuls ceux du jour",
        ),
        (
            checkin("0b3f0c1e-0008", ids[5], "presence", ahead, slot),
            // Within the last hour of the day, an hour ahead is tomorrow, and said so.
            if paris_day(ahead) == paris_day(scanned) {
                "daté dans le futur"
            } else {
                "seuls ceux du jour"
            },
        ),
    ] {
        let (status, body) = send(
            &server,
            &token,
            &json!([
                checkin("0b3f0c1e-0009", ids[5], "absence", scanned, slot),
                wrong
            ]),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert!(body["message"].as_str().unwrap().contains(said), "{body}");
    }
    let untouched = store.appointment(ids[5]).await.unwrap().unwrap();
    assert_eq!(untouched.state, AppointmentState::Confirme);
    assert!(store
        .offline_checkin(agent_id, "0b3f0c1e-0009")
        .await
        .unwrap()
        .is_none());
    server.stop().await;
}

async fn the_pass_is_refused(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let (slot, _) = open_now(store).await;
    let ids = confirmed_today(&server, "PAS", slot, 6).await;
    let agent_id = store.user_by_email(AGENT_SIVEP).await.unwrap().unwrap().id;
    let scanned = (Utc::now() - Duration::seconds(10)).max(slot);
    let one = |n: usize, id: &str| json!([checkin(id, ids[n], "presence", scanned, slot)]);
    let refused = |status: u16, body: &Value| {
        status == 401
            && body["message"]
                .as_str()
                .is_some_and(|m| m.contains("n'est plus valable"))
    };

    // Strangers, operators, and an agent of another site.
    let stranger = Browser::new(&server);
    assert_eq!(stranger.get(PASS).await.status, 401);
    let (status, body) = send(&server, &"0".repeat(64), &one(0, "0b3f0c1e-1000")).await;
    assert!(refused(status, &body), "{status} {body}");
    let op = Browser::new(&server);
    op.sign_in(OPERATOR, PASSWORD).await;
    assert_eq!(op.get(PASS).await.status, 403);
    // Customs agents see the planning but do not record arrivals: no day, no pass.
    let customs = Browser::new(&server);
    customs
        .sign_in("agent.douane@demo.sesame.test", PASSWORD)
        .await;
    assert_eq!(day_of(&customs).await, None);
    let answer = customs.get(PASS).await;
    assert_eq!(answer.status, 403);
    assert!(
        answer.body.contains("agents de l'inspection"),
        "{}",
        answer.body
    );
    assert!(!answer
        .set_cookie
        .iter()
        .any(|c| c.starts_with("sesame_pointage=")));
    let fos = Browser::new(&server);
    fos.sign_in(AGENT_FOS, PASSWORD).await;
    let (day, fos_token) = open_gate(&fos).await;
    assert!(
        day.appointments.iter().all(|a| !ids.contains(&a.id)),
        "an agent of Fos sees nothing of Le Havre"
    );
    let (status, body) = send(&server, &fos_token, &one(0, "0b3f0c1e-1001")).await;
    assert_eq!(status, 200);
    assert_eq!(outcomes(&body)[0].outcome, "introuvable");
    assert_eq!(
        store.appointment(ids[0]).await.unwrap().unwrap().state,
        AppointmentState::Confirme
    );

    // The pass opens nothing else: not the day, not a page, not a form.
    let pass_only = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    let (_, token) = open_gate(&agent).await;
    let day_with_pass = pass_only
        .post(server.url(DAY))
        .header("cookie", format!("sesame_pointage={token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_ne!(day_with_pass.status(), 200);
    let renewed_with_pass = pass_only
        .get(server.url(PASS))
        .header("cookie", format!("sesame_pointage={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(renewed_with_pass.status(), 401);
    let page = pass_only
        .get(server.url("/planning"))
        .header("cookie", format!("sesame_pointage={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303);
    let form = pass_only
        .post(server.url(&format!("/rendez-vous/{}/presence", ids[0])))
        .header("cookie", format!("sesame_pointage={token}"))
        .form(&[("retour", "/controle-arrivee")])
        .send()
        .await
        .unwrap();
    assert!(form.status() == 303 || form.status().is_client_error());
    assert_eq!(
        store.appointment(ids[0]).await.unwrap().unwrap().state,
        AppointmentState::Confirme
    );

    // Revoked from the personal space: someone else cannot, the agent can.
    let passes = store
        .gate_passes_of(agent_id, paris_day(Utc::now()))
        .await
        .unwrap();
    let pass = passes.first().expect("le passe est listé").id;
    let head = Browser::new(&server);
    head.sign_in(HEAD, PASSWORD).await;
    let answer = head
        .post(&format!("/espace/acces-hors-ligne/{pass}/revocation"), &[])
        .await;
    assert!(
        answer.location.contains("erreur=acces-hors-ligne-inconnu"),
        "{} {} {}",
        answer.status,
        answer.location,
        answer.body
    );
    let (status, _) = send(&server, &token, &one(0, "0b3f0c1e-1002")).await;
    assert_eq!(status, 200, "still the agent's");
    let answer = agent
        .post(&format!("/espace/acces-hors-ligne/{pass}/revocation"), &[])
        .await;
    assert!(
        answer.location.contains("message=acces-hors-ligne-revoque"),
        "{}",
        answer.location
    );
    let (status, body) = send(&server, &token, &one(1, "0b3f0c1e-1003")).await;
    assert!(refused(status, &body), "{status} {body}");

    // The next day.
    let (_, token) = open_gate(&agent).await;
    let (status, _) = send(&server, &token, &one(1, "0b3f0c1e-1004")).await;
    assert_eq!(status, 200);
    crate::helpers::execute(store, "UPDATE gate_pass SET day = '2000-01-01'")
        .await
        .unwrap();
    let (status, body) = send(&server, &token, &one(2, "0b3f0c1e-1005")).await;
    assert!(refused(status, &body), "{status} {body}");

    // A habilitation withdrawn: its site's appointments are no longer the pass's; all of
    // them withdrawn, the pass is refused.
    let (_, token) = open_gate(&agent).await;
    crate::helpers::execute(store, &format!(
            "UPDATE habilitation SET withdrawn_at = '2001-01-01T00:00:00Z' WHERE user_id = {agent_id} AND site_code = 'FRLEH'"
        )).await.unwrap();
    let (status, body) = send(&server, &token, &one(2, "0b3f0c1e-1006")).await;
    assert_eq!(status, 200);
    assert_eq!(outcomes(&body)[0].outcome, "introuvable");
    crate::helpers::execute(store, &format!(
            "UPDATE habilitation SET withdrawn_at = '2001-01-01T00:00:00Z' WHERE user_id = {agent_id}"
        )).await.unwrap();
    let (status, body) = send(&server, &token, &one(2, "0b3f0c1e-1007")).await;
    assert!(refused(status, &body), "{status} {body}");
    crate::helpers::execute(
        store,
        &format!("UPDATE habilitation SET withdrawn_at = NULL WHERE user_id = {agent_id}"),
    )
    .await
    .unwrap();

    // A suspended account (the device keeps its pass, refused while the account is).
    let (status, _) = send(&server, &token, &one(4, "0b3f0c1e-100a")).await;
    assert_eq!(status, 200, "the habilitations back, the pass sends again");
    crate::helpers::execute(
        store,
        &format!("UPDATE app_user SET suspended_at = '2001-01-01T00:00:00Z' WHERE id = {agent_id}"),
    )
    .await
    .unwrap();
    let (status, body) = send(&server, &token, &one(3, "0b3f0c1e-1008")).await;
    assert!(refused(status, &body), "{status} {body}");
    crate::helpers::execute(
        store,
        &format!("UPDATE app_user SET suspended_at = NULL WHERE id = {agent_id}"),
    )
    .await
    .unwrap();

    // Signing out ends the pass and wipes what the device kept.
    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    let (_, token) = open_gate(&agent).await;
    let out = agent.post("/deconnexion", &[]).await;
    assert_eq!(
        out.headers
            .get("clear-site-data")
            .and_then(|v| v.to_str().ok()),
        Some("\"cache\", \"storage\"")
    );
    assert!(out
        .set_cookie
        .iter()
        .any(|c| c.starts_with("sesame_pointage=;") && c.contains("Max-Age=0")));
    let (status, body) = send(&server, &token, &one(3, "0b3f0c1e-1009")).await;
    assert!(refused(status, &body), "{status} {body}");
    // A page whose session idled out meanwhile signs out all the same: the device is wiped.
    let again = agent.post("/deconnexion", &[]).await;
    assert_eq!(again.status, 303);
    assert!(
        again.location.contains("message=deconnecte"),
        "{}",
        again.location
    );
    assert!(again.headers.contains_key("clear-site-data"));
    assert_eq!(
        store.appointment(ids[3]).await.unwrap().unwrap().state,
        AppointmentState::Confirme
    );
    server.stop().await;
}

crate::helpers::on_both_stores!(sent_once_with_conflicts, the_pass_is_refused);
