//! The gate on each store: an arrival is recorded only within its post's window around the slot
//! (late, the same day, with a reason that the trail keeps), the planning's counters stay true
//! after a check-in, and the convocation's short code works only on its day, for the agents of
//! its post's site, within a budget of failed codes per agent and day.

use app::domain::appointment::{
    paris_day, paris_instant, AppointmentState, BookingRefusal, Calendar, CheckKind,
};
use app::domain::gate::{
    ArrivalRefusal, CheckInWindow, GateCode, GATE_CODE_BUDGET_SPENT, GATE_CODE_DAILY_FAILURES,
    GATE_CODE_UNKNOWN,
};
use app::domain::references::PostCode;
use app::store::Actor;
use app::store::{Backend, Change, Store, GATE_CODE_FAILURE};
use chrono::{DateTime, Duration, Utc};

use crate::accounts::{Browser, AGENT_SIVEP, HEAD, OPERATOR, PASSWORD};
use crate::appointments::{apply, booking, operator, post, selected_dossiers, slot_ahead, start};

/// Books `dossier`'s identity check at `slot` as if booked `booked_at`, and validates it.
async fn confirmed(
    store: &Store,
    dossier: i64,
    slot: DateTime<Utc>,
    booked_at: DateTime<Utc>,
    user: i64,
    company: i64,
) -> i64 {
    let caller = Actor::ANONYMOUS;
    let id = store
        .book(
            &booking(dossier, CheckKind::Identity, slot, user, company),
            &caller,
            booked_at,
        )
        .await
        .unwrap()
        .unwrap();
    apply(store, id, &Change::Validate, &caller, booked_at)
        .await
        .unwrap()
        .unwrap();
    id
}

fn arrival_refused(
    result: Result<Result<(), BookingRefusal>, app::store::StoreError>,
) -> ArrivalRefusal {
    match result.unwrap() {
        Err(BookingRefusal::Arrival(refusal)) => refusal,
        other => panic!("refus d'arrivée attendu, obtenu {other:?}"),
    }
}

async fn window_and_late_arrivals(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let caller = Actor::ANONYMOUS;
    let (user, company, own, _) = operator(&server).await;
    // A post created by the directory's path gets the default window (the column defaults).
    let mut created = store.posts().await.unwrap().remove(0);
    created.code = PostCode::parse("FRLEH9").unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.insert_post(&created).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.checkin_window(&created.code).await.unwrap(),
        Some(CheckInWindow::default())
    );
    assert_eq!(
        store.checkin_window(&post()).await.unwrap(),
        Some(CheckInWindow::default())
    );

    let mut calendar = store.calendar(&post()).await.unwrap().unwrap();
    calendar.identity_capacity = 10;
    let mut tx = store.begin().await.unwrap();
    tx.save_calendar(&post(), &calendar, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let now = Utc::now();
    let slot = slot_ahead(&calendar, now);
    let dossiers = selected_dossiers(&server, "GWI", 6_100_000, 7, false, &own).await;
    let mut ids = Vec::new();
    for dossier in &dossiers[..6] {
        ids.push(confirmed(store, *dossier, slot, now, user, company).await);
    }
    let check_in = |id: i64, at: DateTime<Utc>| apply(store, id, &Change::CheckIn, &caller, at);
    let late = |id: i64, at: DateTime<Utc>, reason: &str| {
        let change = Change::LateCheckIn(reason.to_owned());
        let caller = &caller;
        async move { apply(store, id, &change, caller, at).await }
    };

    // Two days early (the arrival the gate used to record): refused, naming the day and time
    // and when check-in opens.
    let refusal = arrival_refused(check_in(ids[0], now).await);
    assert_eq!(
        refusal,
        ArrivalRefusal::TooEarly {
            starts_at: slot,
            opens_at: slot - Duration::hours(2)
        }
    );
    let paris = |at: DateTime<Utc>| at.with_timezone(&chrono_tz::Europe::Paris);
    let text = refusal.to_string();
    assert!(
        text.contains(&paris(slot).format("%d/%m/%Y à %H:%M").to_string())
            && text.contains(&format!(
                "Le pointage ouvre le {}",
                app::domain::appointment::weekday_label(
                    chrono::Datelike::weekday(&paris_day(slot)).number_from_monday() as u8
                )
            ))
            && text.contains(&paris(slot - Duration::hours(2)).format("%H:%M").to_string()),
        "{text}"
    );
    // The window's edges: a second before it opens, refused; as it opens, recorded.
    assert!(matches!(
        arrival_refused(
            check_in(ids[0], slot - Duration::minutes(120) - Duration::seconds(1)).await
        ),
        ArrivalRefusal::TooEarly { .. }
    ));
    check_in(ids[0], slot - Duration::minutes(120))
        .await
        .unwrap()
        .unwrap();
    // As it closes, recorded; a second later, only as a late arrival, with its reason.
    check_in(ids[1], slot + Duration::minutes(240))
        .await
        .unwrap()
        .unwrap();
    let after = slot + Duration::minutes(240) + Duration::seconds(1);
    assert_eq!(
        arrival_refused(check_in(ids[2], after).await),
        ArrivalRefusal::WindowClosed {
            closed_at: slot + Duration::minutes(240)
        }
    );
    // Recording as late what is on time is refused: the trail would say otherwise.
    assert_eq!(
        arrival_refused(late(ids[3], slot, "Camion retenu au port").await),
        ArrivalRefusal::NotLate
    );
    late(ids[2], after, "Camion retenu au port")
        .await
        .unwrap()
        .unwrap();
    let honoured = store.appointment(ids[2]).await.unwrap().unwrap();
    assert_eq!(honoured.state, AppointmentState::Honore);
    assert_eq!(honoured.reason.as_deref(), Some("Camion retenu au port"));
    assert_eq!(honoured.checked_in_at, Some(after));
    let entry = store
        .audit_entries(20)
        .await
        .unwrap()
        .into_iter()
        .find(|entry| entry.action == "rendez_vous_honore_en_retard")
        .expect("l'arrivée tardive est au journal");
    assert_eq!(entry.object, format!("rendez_vous:{}", ids[2]));
    assert_eq!(entry.detail, "Camion retenu au port");
    // The next day: too late for either; the appointment is to be moved or marked absent.
    let next_day = slot + Duration::days(1);
    assert_eq!(
        arrival_refused(check_in(ids[3], next_day).await),
        ArrivalRefusal::PastDay { starts_at: slot }
    );
    assert_eq!(
        arrival_refused(late(ids[3], next_day, "Retard").await),
        ArrivalRefusal::PastDay { starts_at: slot }
    );
    // A request not validated, an appointment already honoured: not active.
    let requested = store
        .book(
            &booking(dossiers[6], CheckKind::Identity, slot, user, company),
            &caller,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        check_in(requested, slot).await.unwrap(),
        Err(BookingRefusal::NotActive)
    );
    assert_eq!(
        check_in(ids[0], slot).await.unwrap(),
        Err(BookingRefusal::NotActive)
    );
    // Each post sets its own window.
    let narrow = CheckInWindow {
        opens_minutes_before: 30,
        closes_minutes_after: 60,
    };
    let mut tx = store.begin().await.unwrap();
    tx.set_checkin_window(&post(), &narrow).await.unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(
        arrival_refused(check_in(ids[4], slot - Duration::minutes(31)).await),
        ArrivalRefusal::TooEarly { .. }
    ));
    assert!(matches!(
        arrival_refused(check_in(ids[4], slot + Duration::minutes(61)).await),
        ArrivalRefusal::WindowClosed { .. }
    ));
    check_in(ids[4], slot - Duration::minutes(30))
        .await
        .unwrap()
        .unwrap();
    // Nothing else changed: the refusals wrote nothing.
    for id in [ids[3], ids[5]] {
        assert_eq!(
            store.appointment(id).await.unwrap().unwrap().state,
            AppointmentState::Confirme
        );
    }
    server.stop().await;
}

/// The planning's counts, as the page's server function answers them.
async fn planning_counts(agent: &Browser, day: chrono::NaiveDate) -> (u64, u64) {
    let answer = agent
        .post(
            "/api/planning",
            &[
                ("post", crate::appointments::POST),
                ("from", &day.format("%Y-%m-%d").to_string()),
                ("week", "false"),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let planning: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    (
        planning["counts"]["booked"].as_u64().unwrap(),
        planning["counts"]["free"].as_u64().unwrap(),
    )
}

async fn counters_stay_true(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let (user, company, own, _) = operator(&server).await;
    let calendar = store.calendar(&post()).await.unwrap().unwrap();
    let now = Utc::now();
    let slot = slot_ahead(&calendar, now);
    let day = paris_day(slot);
    let places = calendar.slots_of_day(day, &[]).len() as u64
        * u64::from(calendar.identity_capacity + calendar.physical_capacity);
    let dossiers = selected_dossiers(&server, "GCT", 6_200_000, 2, false, &own).await;
    let first = confirmed(store, dossiers[0], slot, now, user, company).await;
    let second = confirmed(store, dossiers[1], slot, now, user, company).await;
    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    assert_eq!(planning_counts(&agent, day).await, (2, places - 2));
    // Honoured and absent appointments keep their place: booked + free is the day's places.
    let caller = Actor::ANONYMOUS;
    apply(store, first, &Change::CheckIn, &caller, slot)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(planning_counts(&agent, day).await, (2, places - 2));
    apply(
        store,
        second,
        &Change::NoShow,
        &caller,
        slot + Duration::hours(1),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(planning_counts(&agent, day).await, (2, places - 2));
    server.stop().await;
}

/// A post open round the clock, every day, in hourly slots: there is a slot now, whatever the
/// time the tests run.
async fn round_the_clock(store: &Store) -> Calendar {
    let calendar = Calendar::round_the_clock(60, 5, true);
    let mut tx = store.begin().await.unwrap();
    tx.save_calendar(&post(), &calendar, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    calendar
}

/// The slot that holds `at`.
fn slot_at(calendar: &Calendar, at: DateTime<Utc>) -> DateTime<Utc> {
    calendar
        .slots_of_day(paris_day(at), &[])
        .into_iter()
        .find(|(start, end)| *start <= at && at < *end)
        .map(|(start, _)| start)
        .expect("un créneau à toute heure")
}

/// Where the gate's failed codes of this person stand: how many the trail counts.
async fn failures_of(store: &Store, email: &str) -> usize {
    store
        .audit_entries(1_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|entry| entry.action == GATE_CODE_FAILURE && entry.actor == email)
        .count()
}

/// A code of the right form that no appointment has (the chance that one has it is 10^-12).
fn unknown_code(n: usize) -> String {
    GateCode::of_token(&format!("aucun-rendez-vous-{n}")).display()
}

async fn short_codes(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let (user, company, own, _) = operator(&server).await;
    let calendar = round_the_clock(store).await;
    // One day throughout: the late arrival and the day's budget of codes are today's.
    crate::helpers::clear_of_paris_midnight(Duration::minutes(2)).await;
    let now = Utc::now();
    let today = slot_at(&calendar, now);
    // Noon of the next Paris day (24 hours on may be the same day when the clocks go back).
    let tomorrow = slot_at(
        &calendar,
        paris_instant(
            paris_day(now).succ_opt().unwrap(),
            chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        ),
    );
    let dossiers = selected_dossiers(&server, "GSC", 6_300_000, 3, false, &own).await;
    // Booked the day before, as operators do.
    let booked_at = now - Duration::days(2);
    let on_time = confirmed(store, dossiers[0], today, booked_at, user, company).await;
    let late = confirmed(store, dossiers[1], today, booked_at, user, company).await;
    let next_day = confirmed(store, dossiers[2], tomorrow, booked_at, user, company).await;
    let appointment = store.appointment(on_time).await.unwrap().unwrap();
    let code = appointment.gate_code.clone().expect("un code d'arrivée");
    assert_eq!(code.len(), 11, "{code}");
    let tomorrow_code = store
        .appointment(next_day)
        .await
        .unwrap()
        .unwrap()
        .gate_code
        .unwrap();
    // The store keeps a digest, never the code.
    assert!(store
        .appointments_by_gate_code(&GateCode::parse(&code).unwrap())
        .await
        .unwrap()
        .iter()
        .any(|a| a.id == on_time));

    // Operators and the DGITM have no business at the gate: refused, nothing shown or counted.
    for email in [OPERATOR, "dgitm@demo.sesame.test"] {
        let outsider = Browser::new(&server);
        outsider.sign_in(email, PASSWORD).await;
        let (status, page) = outsider
            .page(&format!("/controle-arrivee?code={code}"))
            .await;
        assert!(status == 403 || status == 404, "{email}: {status}");
        assert!(!page.contains(&appointment.dossier_headline), "{page}");
        assert_eq!(failures_of(store, email).await, 0);
    }

    // Typed in lower case without the hyphen, on its day, by an agent of the post's site.
    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    let typed = code.replace('-', "").to_lowercase();
    let (status, page) = agent.page(&format!("/controle-arrivee?code={typed}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&appointment.dossier_headline), "{page}");
    assert!(
        page.contains("L&#x27;arrivée peut être enregistrée maintenant.")
            || page.contains("L'arrivée peut être enregistrée maintenant."),
        "{page}"
    );
    let recorded = agent
        .post(
            &format!("/rendez-vous/{on_time}/presence"),
            &[("retour", "/controle-arrivee")],
        )
        .await;
    assert_eq!(
        recorded.location,
        "/controle-arrivee?message=rendez-vous-honore"
    );

    // The late arrival, through the form: without a reason, refused; with one, recorded. The
    // head of service closes the post's window at the slot's start; an agent may not.
    let head = Browser::new(&server);
    head.sign_in(HEAD, PASSWORD).await;
    let window_form = [("avant", "120"), ("apres", "0")];
    let window_path = format!("/postes/{}/pointage", crate::appointments::POST);
    assert_eq!(
        agent.post(&window_path, &window_form).await.status,
        reqwest::StatusCode::FORBIDDEN
    );
    assert!(head
        .post(&window_path, &[("avant", "120"), ("apres", "1441")])
        .await
        .location
        .ends_with("erreur=pointage-minutes"));
    assert!(head
        .post(&window_path, &window_form)
        .await
        .location
        .ends_with("message=pointage-enregistre"));
    assert_eq!(
        store.checkin_window(&post()).await.unwrap(),
        Some(CheckInWindow {
            opens_minutes_before: 120,
            closes_minutes_after: 0
        })
    );
    let late_path = format!("/rendez-vous/{late}/presence-tardive");
    let no_reason = agent
        .post(
            &late_path,
            &[("retour", "/controle-arrivee"), ("motif", " a ")],
        )
        .await;
    assert_eq!(
        no_reason.location,
        "/controle-arrivee?erreur=motif-retard-manquant"
    );
    let on_time_form = agent
        .post(
            &format!("/rendez-vous/{late}/presence"),
            &[("retour", "/controle-arrivee")],
        )
        .await;
    assert_eq!(
        on_time_form.location,
        "/controle-arrivee?erreur=arrivee-tardive"
    );
    assert_eq!(
        store.appointment(late).await.unwrap().unwrap().state,
        AppointmentState::Confirme
    );
    let with_reason = agent
        .post(
            &late_path,
            &[
                ("retour", "/controle-arrivee"),
                ("motif", "Camion retenu au port"),
            ],
        )
        .await;
    assert_eq!(
        with_reason.location,
        "/controle-arrivee?message=rendez-vous-honore-en-retard"
    );
    let entry = store
        .audit_entries(50)
        .await
        .unwrap()
        .into_iter()
        .find(|entry| entry.action == "rendez_vous_honore_en_retard")
        .expect("au journal");
    assert_eq!(
        (entry.actor.as_str(), entry.detail.as_str()),
        (AGENT_SIVEP, "Camion retenu au port")
    );

    // Another day's code, an unknown code: the same answer, each counted.
    let (_, unknown) = agent
        .page(&format!("/controle-arrivee?code={}", unknown_code(0)))
        .await;
    let (_, other_day) = agent
        .page(&format!("/controle-arrivee?code={tomorrow_code}"))
        .await;
    for page in [&unknown, &other_day] {
        assert!(
            page.contains(&GATE_CODE_UNKNOWN.replace('\'', "&#x27;"))
                || page.contains(GATE_CODE_UNKNOWN),
            "{page}"
        );
    }
    assert_eq!(failures_of(store, AGENT_SIVEP).await, 2);
    // A code that cannot be one says so, and is not counted.
    let (_, malformed) = agent.page("/controle-arrivee?code=ABC").await;
    assert!(malformed.contains("compte 10 caractères"), "{malformed}");
    assert_eq!(failures_of(store, AGENT_SIVEP).await, 2);

    // An agent without the post's site gets the answer of an unknown code.
    let agent_id = store.user_by_email(AGENT_SIVEP).await.unwrap().unwrap().id;
    let habilitation = store
        .habilitations_of(agent_id)
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.site.as_str() == "FRLEH")
        .unwrap();
    head.post(&format!("/habilitations/{}/retrait", habilitation.id), &[])
        .await;
    let (_, elsewhere) = agent.page(&format!("/controle-arrivee?code={code}")).await;
    assert!(!elsewhere.contains(&appointment.dossier_headline));
    let answer = |page: &str| {
        page.contains(&GATE_CODE_UNKNOWN.replace('\'', "&#x27;"))
            || page.contains(GATE_CODE_UNKNOWN)
    };
    assert!(answer(&elsewhere), "{elsewhere}");
    assert_eq!(failures_of(store, AGENT_SIVEP).await, 3);
    let start_day = app::domain::access::local_day(Utc::now())
        .format("%Y-%m-%d")
        .to_string();
    let granted = head
        .post(
            "/habilitations",
            &[
                ("agent", &agent_id.to_string()),
                ("site", "FRLEH"),
                ("debut", &start_day),
                ("fin", ""),
            ],
        )
        .await;
    assert_eq!(
        granted.location,
        "/habilitations?message=habilitation-accordee"
    );

    // The day's budget: the failures up to it are answered as unknown codes; beyond it, every
    // code is refused, the right one too, until the next day.
    for n in 3..GATE_CODE_DAILY_FAILURES as usize {
        let (_, page) = agent
            .page(&format!("/controle-arrivee?code={}", unknown_code(n)))
            .await;
        assert!(answer(&page), "essai {n} : {page}");
    }
    assert_eq!(
        failures_of(store, AGENT_SIVEP).await,
        GATE_CODE_DAILY_FAILURES as usize
    );
    let spent = |page: &str| {
        page.contains(&GATE_CODE_BUDGET_SPENT.replace('\'', "&#x27;"))
            || page.contains(GATE_CODE_BUDGET_SPENT)
    };
    let (_, page) = agent
        .page(&format!("/controle-arrivee?code={}", unknown_code(99)))
        .await;
    assert!(spent(&page), "{page}");
    let (_, page) = agent.page(&format!("/controle-arrivee?code={code}")).await;
    // What the code found (the day's own list, further down, shows every appointment of the
    // agent's sites today, whatever was typed).
    let found = page.split("id=\"journee\"").next().unwrap_or(&page);
    assert!(
        spent(&page) && !found.contains(&appointment.dossier_headline),
        "{page}"
    );
    assert_eq!(
        failures_of(store, AGENT_SIVEP).await,
        GATE_CODE_DAILY_FAILURES as usize
    );
    // The QR code's address still works.
    let token = store.checkin_token(on_time).await.unwrap().unwrap();
    let (_, page) = agent
        .page(&format!("/controle-arrivee?jeton={token}"))
        .await;
    assert!(page.contains(&appointment.dossier_headline), "{page}");
    // The trail never holds a code.
    let plain = code.replace('-', "");
    for entry in store.audit_entries(1_000).await.unwrap() {
        let written = format!("{} {} {}", entry.object, entry.detail, entry.action);
        assert!(
            !written.contains(&code) && !written.contains(&plain),
            "{written}"
        );
    }
    server.stop().await;
}

crate::helpers::on_both_stores!(window_and_late_arrivals, counters_stay_true, short_codes);
