//! Rendez-vous on each store: the booking rules (each refusal precise, nothing written), the days
//! the clocks change, the life of an appointment, and the race on the last places of a slot.

use std::sync::Arc;

use app::domain::appointment::{paris_day, AppointmentState, BookingRefusal, Calendar, CheckKind};
use app::domain::references::PostCode;
use app::store::Actor;
use app::store::{AppointmentFilter, Backend, Booking, Change, Store};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::accounts::OPERATOR;
use crate::helpers::{config, container, fresh_database, Running, DEMO_API_KEY};

pub(crate) const POST: &str = "FRLEH1";

pub(crate) async fn start(backend: Backend) -> Option<Running> {
    let url = fresh_database(backend).await?;
    let mut config = config(url);
    config.partner_events_burst = 1_000_000;
    config.partner_requests_burst = 100_000;
    Some(Running::start(&config).await)
}

pub(crate) fn post() -> PostCode {
    PostCode::parse(POST).unwrap()
}

/// The operator's user id and company, and another company's SIRET.
pub(crate) async fn operator(server: &Running) -> (i64, i64, String, String) {
    let user = server.store.user_by_email(OPERATOR).await.unwrap().unwrap();
    let company = user.company_id.unwrap();
    let companies = server.store.companies().await.unwrap();
    let own = companies.iter().find(|c| c.id == company).unwrap();
    let other = companies.iter().find(|c| c.id != company).unwrap();
    (
        user.id,
        company,
        own.siret.to_string(),
        other.siret.to_string(),
    )
}

/// `count` new dossiers at the post, of the company with `siret`, whose documentary check is
/// done and which are selected (or not) for the physical check: sent as a partner system would.
pub(crate) async fn selected_dossiers(
    server: &Running,
    owner: &str,
    base: u32,
    count: u32,
    physical: bool,
    siret: &str,
) -> Vec<i64> {
    let at = |hours: i64| (Utc::now() - Duration::hours(hours)).to_rfc3339();
    let mut ids = Vec::new();
    let numbers: Vec<u32> = (1..=count).collect();
    for chunk in numbers.chunks(300) {
        let mut events = Vec::new();
        for n in chunk {
            let box_number = container(owner, *n);
            let ched = format!("CHEDP.FR.2026.{:07}", base + n);
            let base = |id: String, kind: &str, when: String, data: Value| {
                json!({
                    "id": id,
                    "source": "traces",
                    "type": kind,
                    "occurred_at": when,
                    "site": "FRLEH",
                    "post": POST,
                    "references": { "container": box_number, "ched": ched },
                    "goods": { "category": "animal_products", "description": "Crevettes congelées" },
                    "operator": { "siret": siret },
                    "data": data,
                })
            };
            events.push(base(
                format!("{owner}-{n}-a"),
                "ched_lodged",
                at(5),
                json!({ "ched_type": "P" }),
            ));
            events.push(base(
                format!("{owner}-{n}-b"),
                "documentary_check_done",
                at(4),
                json!({ "result": "satisfactory" }),
            ));
            events.push(base(
                format!("{owner}-{n}-c"),
                "checks_selected",
                at(4),
                json!({ "identity": true, "physical": physical }),
            ));
        }
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
        for (index, result) in body["results"].as_array().unwrap().iter().enumerate() {
            assert_eq!(result["status"], "created", "{result}");
            if index % 3 == 0 {
                ids.push(result["dossier_id"].as_i64().unwrap());
            }
        }
    }
    ids
}

/// The first slot of the calendar at least two days ahead.
pub(crate) fn slot_ahead(calendar: &Calendar, now: DateTime<Utc>) -> DateTime<Utc> {
    let mut day = paris_day(now + Duration::days(2));
    loop {
        if let Some((start, _)) = calendar.slots_of_day(day, &[]).first() {
            return *start;
        }
        day = day.succ_opt().unwrap();
    }
}

pub(crate) fn booking(
    dossier_id: i64,
    check: CheckKind,
    starts_at: DateTime<Utc>,
    user: i64,
    company: i64,
) -> Booking<'static> {
    Booking {
        dossier_id,
        // Bookings read in no page: they all wait in one line per check and start.
        post: None,
        check,
        starts_at,
        user_id: user,
        company_id: Some(company),
        checkin_token: Box::leak(uuid::Uuid::new_v4().simple().to_string().into_boxed_str()),
    }
}

/// A change to an appointment as the forms make it: read, then changed.
pub(crate) async fn apply(
    store: &Store,
    id: i64,
    change: &Change,
    caller: &Actor<'_>,
    now: DateTime<Utc>,
) -> Result<Result<(), BookingRefusal>, app::store::StoreError> {
    let appointment = store.appointment(id).await?.expect("le rendez-vous existe");
    store
        .change_appointment(&appointment, change, caller, now)
        .await
}

/// The post's calendar, saved with this many places a slot for physical checks.
async fn with_physical_places(store: &Store, places: u32) -> Calendar {
    let mut calendar = store.calendar(&post()).await.unwrap().unwrap();
    calendar.physical_capacity = places;
    let mut tx = store.begin().await.unwrap();
    tx.save_calendar(&post(), &calendar, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    calendar
}

async fn booked_in(store: &Store, starts_at: DateTime<Utc>) -> u32 {
    store
        .slots_taken(
            &post(),
            CheckKind::Physical,
            starts_at,
            starts_at + Duration::minutes(1),
        )
        .await
        .unwrap()
        .first()
        .map_or(0, |slot| slot.booked)
}

/// The appointments holding a place in the post's slot starting then (neither cancelled nor
/// refused): what the slot's count must equal.
async fn holding(store: &Store, starts_at: DateTime<Utc>) -> u32 {
    store
        .appointments(AppointmentFilter::Post {
            post: &post(),
            from: starts_at,
            to: starts_at + Duration::minutes(1),
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|a| !matches!(a.state, AppointmentState::Annule | AppointmentState::Refuse))
        .count() as u32
}

async fn booking_rules(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let caller = Actor::ANONYMOUS;
    let (user, company, own, other) = operator(&server).await;
    let calendar = store
        .calendar(&post())
        .await
        .unwrap()
        .expect("calendrier de démonstration");
    let now = Utc::now();
    let slot = slot_ahead(&calendar, now);
    let selected = selected_dossiers(&server, "RLS", 5_100_000, 3, true, &own).await;
    let not_selected = selected_dossiers(&server, "RNS", 5_200_000, 1, false, &own).await;
    let foreign = selected_dossiers(&server, "RFO", 5_300_000, 1, true, &other).await;

    let refused = |result: Result<Result<i64, BookingRefusal>, _>| result.unwrap().unwrap_err();
    assert_eq!(
        refused(
            store
                .book(
                    &booking(foreign[0], CheckKind::Physical, slot, user, company),
                    &caller,
                    now
                )
                .await
        ),
        BookingRefusal::OtherCompany
    );
    assert_eq!(
        refused(
            store
                .book(
                    &booking(not_selected[0], CheckKind::Physical, slot, user, company),
                    &caller,
                    now
                )
                .await
        ),
        BookingRefusal::NotSelected(CheckKind::Physical)
    );
    assert_eq!(
        refused(
            store
                .book(
                    &booking(
                        selected[0],
                        CheckKind::Physical,
                        now - Duration::hours(1),
                        user,
                        company
                    ),
                    &caller,
                    now
                )
                .await
        ),
        BookingRefusal::Past
    );
    assert_eq!(
        refused(
            store
                .book(
                    &booking(
                        selected[0],
                        CheckKind::Physical,
                        slot + Duration::minutes(10),
                        user,
                        company
                    ),
                    &caller,
                    now
                )
                .await
        ),
        BookingRefusal::NotASlot
    );
    assert_eq!(
        booked_in(store, slot).await,
        0,
        "rien n'est écrit pour une demande refusée"
    );

    // A closure on that day: refused with its reason.
    let mut tx = store.begin().await.unwrap();
    let closed_day = paris_day(slot) + Duration::days(7);
    tx.add_closure(&post(), closed_day, closed_day, "Inventaire annuel", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        refused(
            store
                .book(
                    &booking(
                        selected[0],
                        CheckKind::Physical,
                        slot + Duration::days(7),
                        user,
                        company
                    ),
                    &caller,
                    now
                )
                .await
        ),
        BookingRefusal::Closed("Inventaire annuel".into())
    );

    // Booked once; a second active appointment for the same check is refused.
    let first = store
        .book(
            &booking(selected[0], CheckKind::Physical, slot, user, company),
            &caller,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        refused(
            store
                .book(
                    &booking(
                        selected[0],
                        CheckKind::Physical,
                        slot + Duration::minutes(30),
                        user,
                        company
                    ),
                    &caller,
                    now
                )
                .await
        ),
        BookingRefusal::AlreadyBooked(CheckKind::Physical)
    );
    // The identity check is another appointment.
    store
        .book(
            &booking(selected[0], CheckKind::Identity, slot, user, company),
            &caller,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let appointment = store.appointment(first).await.unwrap().unwrap();
    assert_eq!(
        appointment.state,
        AppointmentState::Demande,
        "le Havre valide chaque demande"
    );
    assert_eq!(appointment.starts_at, slot);
    assert_eq!(booked_in(store, slot).await, 1);

    // Too late to cancel an hour before; possible the day before, and the place comes back.
    assert_eq!(
        apply(
            store,
            first,
            &Change::Cancel,
            &caller,
            slot - Duration::hours(1)
        )
        .await
        .unwrap(),
        Err(BookingRefusal::CutoffPassed {
            hours: calendar.cutoff_hours
        })
    );
    // Rescheduled to the next slot: the old place is given back, the new one taken.
    let next = slot + Duration::minutes(i64::from(calendar.slot_minutes));
    apply(store, first, &Change::Reschedule(next), &caller, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(booked_in(store, slot).await, 0);
    assert_eq!(booked_in(store, next).await, 1);
    apply(store, first, &Change::Cancel, &caller, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(booked_in(store, next).await, 0);
    assert_eq!(
        apply(store, first, &Change::Cancel, &caller, now)
            .await
            .unwrap(),
        Err(BookingRefusal::NotActive)
    );

    // An agent validates, then the gate checks it in, once.
    let second = store
        .book(
            &booking(selected[1], CheckKind::Physical, slot, user, company),
            &caller,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        apply(store, second, &Change::CheckIn, &caller, now)
            .await
            .unwrap(),
        Err(BookingRefusal::NotActive),
        "une demande non confirmée ne se pointe pas"
    );
    apply(store, second, &Change::Validate, &caller, now)
        .await
        .unwrap()
        .unwrap();
    // At the gate, within the post's window around the slot.
    apply(store, second, &Change::CheckIn, &caller, slot)
        .await
        .unwrap()
        .unwrap();
    let honoured = store.appointment(second).await.unwrap().unwrap();
    assert_eq!(honoured.state, AppointmentState::Honore);
    assert!(honoured.checked_in_at.is_some());
    assert_eq!(
        apply(store, second, &Change::CheckIn, &caller, slot)
            .await
            .unwrap(),
        Err(BookingRefusal::NotActive)
    );
    let listed = store
        .appointments(AppointmentFilter::Company {
            id: company,
            represented: &[],
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    server.stop().await;
}

async fn the_clocks_change(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let caller = Actor::ANONYMOUS;
    let (user, company, own, _) = operator(&server).await;
    // Open all day, every day, in slots of one hour.
    let calendar = Calendar::round_the_clock(60, 1, false);
    let mut tx = store.begin().await.unwrap();
    tx.save_calendar(&post(), &calendar, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let dossiers = selected_dossiers(&server, "DST", 5_400_000, 3, true, &own).await;
    let utc = |text: &str| {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    };
    // Booked as if on a day before both changes of 2027, so that the test does not age.
    let now = utc("2027-01-15T09:00:00Z");
    // 31 October 2027: two slots start at 02:00 in Paris, an hour apart; both are bookable.
    for (dossier, at) in [
        (dossiers[0], "2027-10-31T00:00:00Z"),
        (dossiers[1], "2027-10-31T01:00:00Z"),
    ] {
        let id = store
            .book(
                &booking(dossier, CheckKind::Physical, utc(at), user, company),
                &caller,
                now,
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store.appointment(id).await.unwrap().unwrap().state,
            AppointmentState::Confirme
        );
    }
    // 28 March 2027: no slot at 02:00 in Paris (01:00 UTC is 03:00 there, a slot).
    assert_eq!(
        store
            .book(
                &booking(
                    dossiers[2],
                    CheckKind::Physical,
                    utc("2027-03-28T00:30:00Z"),
                    user,
                    company
                ),
                &caller,
                now
            )
            .await
            .unwrap(),
        Err(BookingRefusal::NotASlot)
    );
    store
        .book(
            &booking(
                dossiers[2],
                CheckKind::Physical,
                utc("2027-03-28T01:00:00Z"),
                user,
                company,
            ),
            &caller,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        calendar
            .slots_of_day(paris_day(utc("2027-03-28T12:00:00Z")), &[])
            .len(),
        23
    );
    assert_eq!(
        calendar
            .slots_of_day(paris_day(utc("2027-10-31T12:00:00Z")), &[])
            .len(),
        25
    );
    server.stop().await;
}

/// Two hundred operators' attempts at once on a slot of three places, through two instances:
/// three accepted, every other told "complet", and nothing half-written. Then a place freed is
/// taken by the next comer, on either instance (those refused were refused for what was seen
/// during their own request, not for later).
async fn never_overbooked(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url.clone())).await;
    let store = server.store.clone();
    // A second instance: its own pool, and its own line for each slot.
    let other_instance = Store::connect(&url).await.unwrap();
    let (user, company, own, _) = operator(&server).await;
    let calendar = with_physical_places(&store, 3).await;
    let mut dossiers = selected_dossiers(&server, "RAC", 5_500_000, 202, true, &own).await;
    assert_eq!(dossiers.len(), 202);
    let late = dossiers.split_off(200);
    let now = Utc::now();
    let slot = slot_ahead(&calendar, now);
    // The operator books the dossier's physical check on that slot through an instance.
    let book = move |instance: &Store, dossier: i64| {
        let instance = instance.clone();
        async move {
            instance
                .book(
                    &booking(dossier, CheckKind::Physical, slot, user, company),
                    &Actor::ANONYMOUS,
                    now,
                )
                .await
                .unwrap()
        }
    };
    let start = Arc::new(tokio::sync::Barrier::new(dossiers.len()));
    let attempts = dossiers.into_iter().enumerate().map(|(n, dossier)| {
        let attempt = book(if n % 2 == 0 { &store } else { &other_instance }, dossier);
        let start = Arc::clone(&start);
        tokio::spawn(async move {
            start.wait().await;
            attempt.await
        })
    });
    let results: Vec<_> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let accepted: Vec<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    assert_eq!(accepted.len(), 3, "{results:?}");
    assert!(results
        .iter()
        .filter_map(|result| result.as_ref().err())
        .all(|refusal| *refusal == BookingRefusal::Full
            && refusal.to_string() == "Ce créneau est complet. Choisissez-en un autre."));
    assert_eq!(booked_in(&store, slot).await, 3);
    assert_eq!(
        holding(&store, slot).await,
        3,
        "autant de rendez-vous que de places prises"
    );
    // Full now, on both instances.
    for instance in [&store, &other_instance] {
        assert_eq!(book(instance, late[0]).await, Err(BookingRefusal::Full));
    }
    // One is cancelled on the first instance: the second takes the place freed, once.
    apply(&store, accepted[0], &Change::Cancel, &Actor::ANONYMOUS, now)
        .await
        .unwrap()
        .expect("annulation acceptée");
    assert!(book(&other_instance, late[0]).await.is_ok());
    assert_eq!(book(&store, late[1]).await, Err(BookingRefusal::Full));
    assert_eq!(booked_in(&store, slot).await, 3);
    assert_eq!(holding(&store, slot).await, 3);
    other_instance.close().await;
    server.stop().await;
}

/// An operator moving an appointment while an agent refuses it, at the same moment, round after
/// round: whichever wins, every slot still counts exactly the appointments holding a place in it.
/// (A place given back twice would let the slot be overbooked later.)
async fn changes_at_once_keep_the_count(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = server.store.clone();
    let (user, company, own, _) = operator(&server).await;
    let calendar = with_physical_places(&store, 40).await;
    let rounds = 15;
    let dossiers = selected_dossiers(&server, "SIM", 5_700_000, rounds + 1, true, &own).await;
    let now = Utc::now();
    let first = slot_ahead(&calendar, now);
    let slots = calendar.slots_of_day(paris_day(first), &[]);
    let (from, to) = (slots[0].0, slots[1].0);
    // Someone else keeps a place in the first slot throughout.
    store
        .book(
            &booking(dossiers[0], CheckKind::Physical, from, user, company),
            &Actor::ANONYMOUS,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    for dossier in dossiers[1..].iter().copied() {
        let id = store
            .book(
                &booking(dossier, CheckKind::Physical, from, user, company),
                &Actor::ANONYMOUS,
                now,
            )
            .await
            .unwrap()
            .unwrap();
        let start = Arc::new(tokio::sync::Barrier::new(2));
        let change = |change: Change| {
            let store = store.clone();
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                apply(&store, id, &change, &Actor::ANONYMOUS, now)
                    .await
                    .unwrap()
            })
        };
        let moving = change(Change::Reschedule(to));
        let refusing = change(Change::Refuse("Certificat illisible".into()));
        let (moved, refused) = (moving.await.unwrap(), refusing.await.unwrap());
        assert!(moved.is_ok() || refused.is_ok(), "{moved:?} {refused:?}");
    }
    for slot in [from, to] {
        let holding = holding(&store, slot).await;
        assert_eq!(booked_in(&store, slot).await, holding, "créneau de {slot}");
    }
    assert!(booked_in(&store, from).await >= 1);
    server.stop().await;
}

/// The same through the forms people post: an operator books for their dossier, the other company
/// cannot, an agent of the site validates, and the operator's page shows it.
async fn through_the_forms(backend: Backend) {
    use crate::accounts::{Browser, AGENT_SIVEP, OTHER_OPERATOR, PASSWORD};
    let Some(server) = start(backend).await else {
        return;
    };
    let (_, _, own, _) = operator(&server).await;
    let dossiers = selected_dossiers(&server, "FRM", 5_600_000, 1, true, &own).await;
    let dossier = dossiers[0];
    let calendar = server.store.calendar(&post()).await.unwrap().unwrap();
    let slot = slot_ahead(&calendar, Utc::now());
    let form = [("controle", "physical"), ("creneau", &slot.to_rfc3339())];
    let booking_page = format!("/dossiers/{dossier}/rendez-vous");

    let other = Browser::new(&server);
    other.sign_in(OTHER_OPERATOR, PASSWORD).await;
    assert_eq!(
        other.post(&booking_page, &form).await.status,
        reqwest::StatusCode::FORBIDDEN
    );

    let operator = Browser::new(&server);
    operator.sign_in(OPERATOR, PASSWORD).await;
    let (status, page) = operator
        .page(&format!("{booking_page}?controle=physical"))
        .await;
    assert_eq!(status, 200);
    // Some free slot this week ("Aucun créneau libre cette semaine" would say otherwise).
    assert!(
        !page.contains("Aucun créneau libre cette semaine")
            && (page.contains("créneaux libres cette semaine")
                || page.contains("créneau libre cette semaine")),
        "{page}"
    );
    assert!(
        page.contains("PCF du Havre — Terminal de France (FRLEH1)"),
        "{page}"
    );
    let booked = operator.post(&booking_page, &form).await;
    assert_eq!(
        booked.location,
        format!("/dossiers/{dossier}?message=rendez-vous-demande#rendez-vous")
    );
    let again = operator.post(&booking_page, &form).await;
    assert_eq!(
        again.location,
        format!("{booking_page}?controle=physical&erreur=rendez-vous-existant")
    );
    let appointment = server
        .store
        .appointments(AppointmentFilter::Dossier(dossier))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(appointment.state, AppointmentState::Demande);
    // Operators do not validate.
    let refused = operator
        .post(&format!("/rendez-vous/{}/validation", appointment.id), &[])
        .await;
    assert_eq!(refused.status, reqwest::StatusCode::FORBIDDEN);

    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    let (status, planning) = agent
        .page(&format!(
            "/planning?poste={POST}&jour={}&semaine=1",
            paris_day(slot).format("%Y-%m-%d")
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        planning.contains(&appointment.dossier_headline),
        "{planning}"
    );
    let validated = agent
        .post(
            &format!("/rendez-vous/{}/validation", appointment.id),
            &[("retour", "/planning")],
        )
        .await;
    assert_eq!(validated.location, "/planning?message=rendez-vous-confirme");
    let (_, page) = operator.page(&format!("/dossiers/{dossier}")).await;
    assert!(page.contains("Confirmé"), "{page}");
    // The agent moves it, with a reason, to the next slot typed as a Paris date and time.
    let next = slot + Duration::minutes(i64::from(calendar.slot_minutes));
    let typed = next
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let moved = agent
        .post(
            &format!("/rendez-vous/{}/report", appointment.id),
            &[
                ("creneau", typed.as_str()),
                ("motif", "Quai indisponible"),
                ("retour", "/planning"),
            ],
        )
        .await;
    assert_eq!(moved.location, "/planning?message=rendez-vous-reporte");
    let after = server
        .store
        .appointment(appointment.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (after.state, after.starts_at),
        (AppointmentState::Reporte, next)
    );
    assert_eq!(after.reason.as_deref(), Some("Quai indisponible"));
    // The operator moves it back, which asks the post again.
    let back = operator
        .post(
            &format!("/rendez-vous/{}/deplacement", appointment.id),
            &[("creneau", slot.to_rfc3339().as_str())],
        )
        .await;
    assert_eq!(
        back.location,
        format!("/dossiers/{dossier}?message=rendez-vous-deplace#rendez-vous")
    );
    let after = server
        .store
        .appointment(appointment.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (after.state, after.starts_at),
        (AppointmentState::Demande, slot)
    );
    // The convocation and its calendar file, for the dossier's people only.
    let pdf = operator
        .get(&format!("/rendez-vous/{}/convocation.pdf", appointment.id))
        .await;
    assert_eq!(pdf.status, reqwest::StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    // The short code to type at the gate is printed, and reads back as text; so does a company
    // name in any script.
    server
        .as_owner(&format!(
            "UPDATE company SET name = 'Œuvre Łódź Çà—€' WHERE id = {}",
            appointment.company_id.expect("un rendez-vous d'opérateur")
        ))
        .await
        .unwrap();
    let code = appointment.gate_code.clone().expect("un code d'arrivée");
    let text = operator
        .pdf_text(&format!("/rendez-vous/{}/convocation.pdf", appointment.id))
        .await;
    assert!(
        text.contains("Convocation") && text.contains(&code),
        "{text}"
    );
    assert!(text.contains("Opérateur : Œuvre Łódź Çà—€"), "{text}");
    let ics = operator
        .get(&format!("/rendez-vous/{}/rendez-vous.ics", appointment.id))
        .await;
    assert_eq!(ics.headers["content-type"], "text/calendar; charset=utf-8");
    assert!(ics.body.starts_with("BEGIN:VCALENDAR\r\n"), "{}", ics.body);
    assert!(ics
        .body
        .contains(&format!("UID:rendez-vous-{}@france-sesame", appointment.id)));
    assert!(ics
        .body
        .contains(&format!("DTSTART:{}", slot.format("%Y%m%dT%H%M%SZ"))));
    assert_eq!(
        other
            .get(&format!("/rendez-vous/{}/convocation.pdf", appointment.id))
            .await
            .status,
        reqwest::StatusCode::FORBIDDEN
    );
    // Another company's operator cannot tell this appointment from one that does not exist.
    let theirs = other
        .post(&format!("/rendez-vous/{}/annulation", appointment.id), &[])
        .await;
    let unknown = other.post("/rendez-vous/999999/annulation", &[]).await;
    assert_eq!(
        (theirs.status, &theirs.location),
        (unknown.status, &unknown.location)
    );
    assert!(
        theirs.location.contains("rendez-vous-clos"),
        "{}",
        theirs.location
    );
    // An agent's download is a consultation, in the trail; the operator's own is not.
    let downloads = |entries: Vec<app::store::AuditEntry>| {
        entries
            .into_iter()
            .filter(|e| e.action == "telechargement_rendez_vous")
            .map(|e| e.actor)
            .collect::<Vec<_>>()
    };
    assert!(downloads(server.store.audit_entries(500).await.unwrap()).is_empty());
    let pdf = agent
        .get(&format!("/rendez-vous/{}/convocation.pdf", appointment.id))
        .await;
    assert_eq!(pdf.status, reqwest::StatusCode::OK);
    assert_eq!(
        downloads(server.store.audit_entries(500).await.unwrap()),
        [AGENT_SIVEP]
    );
    // The personal calendar address: shown once, followed without a session, revocable.
    let subscribed = operator.post("/abonnement-calendrier", &[]).await;
    assert_eq!(subscribed.location, "/rendez-vous?message=abonnement-cree");
    let (_, page) = operator.page(&subscribed.location).await;
    let start = page.find("/calendrier/").expect("l'adresse est affichée");
    let address: String = page[start..].chars().take_while(|c| *c != '"').collect();
    assert!(!operator.page("/rendez-vous").await.1.contains(&address));
    let feed = reqwest::get(server.url(&address)).await.unwrap();
    assert_eq!(feed.status(), reqwest::StatusCode::OK);
    assert!(feed
        .text()
        .await
        .unwrap()
        .contains(&format!("UID:rendez-vous-{}@france-sesame", appointment.id)));
    operator
        .post("/abonnement-calendrier/revocation", &[])
        .await;
    assert_eq!(
        reqwest::get(server.url(&address)).await.unwrap().status(),
        reqwest::StatusCode::NOT_FOUND
    );

    // At the gate: a forged code is refused in words, a real one found.
    let (_, gate) = agent.page("/controle-arrivee?jeton=0123456789abcdef").await;
    assert!(
        gate.contains("Ce code ne correspond à aucune convocation"),
        "{gate}"
    );
    let token = server
        .store
        .checkin_token(appointment.id)
        .await
        .unwrap()
        .unwrap();
    let (_, gate) = agent
        .page(&format!("/controle-arrivee?jeton={token}"))
        .await;
    assert!(gate.contains(&appointment.dossier_headline), "{gate}");

    // A refusal needs its reason.
    let no_reason = agent
        .post(
            &format!("/rendez-vous/{}/refus", appointment.id),
            &[("retour", "//ailleurs.example")],
        )
        .await;
    assert_eq!(
        no_reason.location,
        format!("/planning?poste={POST}&erreur=motif-manquant")
    );
    server.stop().await;
}

/// A head of service sets a post's calendar and closures; what would leave booked appointments
/// without their slot is refused.
async fn heads_set_the_calendars(backend: Backend) {
    use crate::accounts::{Browser, AGENT_SIVEP, HEAD, PASSWORD};
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let (user, company, own, _) = operator(&server).await;
    let calendar = store.calendar(&post()).await.unwrap().unwrap();
    let now = Utc::now();
    let slot = slot_ahead(&calendar, now);
    let dossiers = selected_dossiers(&server, "CAL", 5_700_000, 2, true, &own).await;
    store
        .book(
            &booking(dossiers[0], CheckKind::Physical, slot, user, company),
            &Actor::ANONYMOUS,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    store
        .book(
            &booking(dossiers[1], CheckKind::Physical, slot, user, company),
            &Actor::ANONYMOUS,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let path = format!("/postes/calendrier?poste={POST}");
    let action = format!("/postes/{POST}/calendrier");

    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    assert_eq!(agent.page(&path).await.0, 403);

    let head = Browser::new(&server);
    head.sign_in(HEAD, PASSWORD).await;
    let (status, page) = head.page(&path).await;
    assert_eq!(status, 200);
    assert!(page.contains("08:00-12:00, 13:30-17:30"), "{page}");
    let weekdays = |periods: &str| -> Vec<(String, String)> {
        (1..=7)
            .map(|day| {
                (
                    format!("plages_{day}"),
                    if day <= 5 {
                        periods.to_owned()
                    } else {
                        String::new()
                    },
                )
            })
            .collect()
    };
    let post_calendar = |periods: &str, physical: &str| {
        let mut form = weekdays(periods);
        for (name, value) in [
            ("duree", "30"),
            ("capacite_identite", "4"),
            ("capacite_physique", physical),
            ("prevenance", "2"),
            ("delai", "4"),
            ("validation", "oui"),
        ] {
            form.push((name.to_owned(), value.to_owned()));
        }
        form
    };
    let send = |form: Vec<(String, String)>| {
        let head = &head;
        let action = action.clone();
        async move {
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            head.post(&action, &pairs).await.location
        }
    };
    // Two appointments in the slot: one place is too few.
    assert_eq!(
        send(post_calendar("08:00-12:00, 13:30-17:30", "1")).await,
        format!("{path}&erreur=capacite-occupee")
    );
    // The morning closed, where the appointments are.
    assert_eq!(
        send(post_calendar("13:30-17:30", "2")).await,
        format!("{path}&erreur=periode-occupee")
    );
    assert_eq!(
        send(post_calendar("08:00-midi", "2")).await,
        format!("{path}&erreur=calendrier-plages")
    );
    assert_eq!(
        send(post_calendar("12:00-08:00", "2")).await,
        format!("{path}&erreur=calendrier-invalide")
    );
    assert_eq!(
        store.calendar(&post()).await.unwrap().unwrap(),
        calendar,
        "rien n'a changé"
    );
    // More places: saved, and the slot to come has them too.
    assert_eq!(
        send(post_calendar("08:00-12:00, 13:30-17:30", "5")).await,
        format!("{path}&message=calendrier-enregistre")
    );
    assert_eq!(
        store
            .calendar(&post())
            .await
            .unwrap()
            .unwrap()
            .physical_capacity,
        5
    );
    let taken = store
        .slots_taken(
            &post(),
            CheckKind::Physical,
            slot,
            slot + Duration::minutes(1),
        )
        .await
        .unwrap();
    assert_eq!((taken[0].capacity, taken[0].booked), (5, 2));

    // Closing the day of the appointments is refused; another day is closed, with its reason.
    let day = paris_day(slot);
    let closing = format!("/postes/{POST}/fermetures");
    let text = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let refused = head
        .post(
            &closing,
            &[("du", &text(day)), ("au", &text(day)), ("motif", "Grève")],
        )
        .await;
    assert_eq!(refused.location, format!("{path}&erreur=fermeture-occupee"));
    let later = day + Duration::days(7);
    let closed = head
        .post(
            &closing,
            &[
                ("du", &text(later)),
                ("au", &text(later)),
                ("motif", "Inventaire"),
            ],
        )
        .await;
    assert_eq!(
        closed.location,
        format!("{path}&message=fermeture-enregistree")
    );
    assert!(head.page(&path).await.1.contains("Inventaire"));
    let reversed = head
        .post(
            &closing,
            &[
                ("du", &text(later)),
                ("au", &text(day)),
                ("motif", "Travaux"),
            ],
        )
        .await;
    assert_eq!(reversed.location, format!("{path}&erreur=fermeture-dates"));

    // The head lets the agent set the site's calendars too, with a habilitation.
    let agent_id = store.user_by_email(AGENT_SIVEP).await.unwrap().unwrap().id;
    let agent_text = agent_id.to_string();
    let today = text(paris_day(now));
    let granted = head
        .post(
            "/habilitations",
            &[
                ("agent", agent_text.as_str()),
                ("site", "FRLEH"),
                ("debut", today.as_str()),
                ("fin", ""),
                ("calendriers", "oui"),
            ],
        )
        .await;
    assert!(
        granted.location.contains("message=habilitation-accordee"),
        "{}",
        granted.location
    );
    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    assert_eq!(agent.page(&path).await.0, 200);
    let form = post_calendar("08:00-12:00, 13:30-17:30", "6");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        agent.post(&action, &pairs).await.location,
        format!("{path}&message=calendrier-enregistre")
    );
    assert_eq!(
        store
            .calendar(&post())
            .await
            .unwrap()
            .unwrap()
            .physical_capacity,
        6
    );
    server.stop().await;
}

crate::helpers::on_both_stores!(
    booking_rules,
    the_clocks_change,
    changes_at_once_keep_the_count,
    through_the_forms,
    heads_set_the_calendars
);

/// The rush on the runtime the server runs on (several threads): the booker whose turn it is
/// leaves the runtime's threads for its transaction (`turns::ahead_of_the_crowd`), which a
/// runtime of one thread, the other tests', never does.
mod servers_runtime {
    mod sqlite {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn never_overbooked() {
            super::super::never_overbooked(app::store::Backend::Sqlite).await
        }
    }
    mod postgres {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn never_overbooked() {
            super::super::never_overbooked(app::store::Backend::Postgres).await
        }
    }
}
