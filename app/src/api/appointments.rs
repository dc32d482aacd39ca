//! Rendez-vous, read: a dossier's appointments and what may be booked for it, a post's free
//! places, an operator's appointments, a post's planning, and the gate's look-up. Booking and
//! every change go through plain forms ([`bookings`], [`calendars`]); the gate without network
//! through [`offline`].

#[cfg(feature = "ssr")]
pub mod bookings;
#[cfg(feature = "ssr")]
pub mod calendars;
#[cfg(feature = "ssr")]
pub mod offline;

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::appointment::{Appointment, CheckKind, CheckNeed, SlotAvailability};
use crate::domain::directory::Post;
use crate::domain::references::PostCode;

/// A dossier's appointments, and what the reader may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierAppointments {
    pub appointments: Vec<Appointment>,
    /// Where the dossier stands for each check, with the state of its appointment in course.
    pub checks: Vec<CheckLine>,
    /// Which checks were selected, in French.
    pub selection: String,
    /// The checks the dossier awaits that have no appointment in course, when the reader may
    /// book and the post takes appointments.
    pub bookable: Vec<CheckKind>,
    /// Why nothing is bookable, for a reader who may book.
    pub why_not: Option<String>,
    pub may_book: bool,
    pub may_decide: bool,
    /// Whether the appointments name their operator: not for operators, whose own company it is.
    pub show_company: bool,
}

/// One check of a dossier, as its appointments section shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckLine {
    pub check: CheckKind,
    pub need: CheckNeed,
    /// The state of its appointment in course, if it has one.
    pub appointment: Option<crate::domain::appointment::AppointmentState>,
}

/// One day of a post's free places.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayAvailability {
    pub day: NaiveDate,
    /// Why the post is closed that day, if it is.
    pub closed: Option<String>,
    /// The slots still bookable, with their free places.
    pub slots: Vec<SlotAvailability>,
}

/// A week of a post's slots for a dossier and a check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    pub dossier_id: i64,
    pub dossier_headline: String,
    pub check: CheckKind,
    pub post: PostCode,
    pub post_name: String,
    pub requires_validation: bool,
    pub min_notice_hours: u32,
    pub cutoff_hours: u32,
    pub first_day: NaiveDate,
    pub days: Vec<DayAvailability>,
}

/// A post's planning over some days, with its counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planning {
    /// The requests awaiting validation across the posts of the sites where the reader decides
    /// appointments; `None` for a reader who decides nowhere.
    pub pending: Option<PendingRequests>,
    /// The posts of the reader's sites.
    pub posts: Vec<Post>,
    pub post: Option<PostCode>,
    pub first_day: NaiveDate,
    pub days: u32,
    pub appointments: Vec<Appointment>,
    pub counts: PlanningCounts,
    /// Whether the reader may decide on these appointments (the inspection's agents), or only
    /// read them.
    pub may_decide: bool,
    /// The server's clock when it was read (the browser's WASM has none to trust): slots begun
    /// before it may be marked absent.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// The requests awaiting an agent's validation, soonest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequests {
    pub requests: Vec<Appointment>,
    /// Whether more are waiting than the list shows.
    pub more: bool,
}

/// How many requests awaiting validation the planning lists at most.
pub const PENDING_SHOWN: usize = 200;

/// The requests awaiting validation at the posts of the sites where the reader decides
/// appointments (need to know: their own sites only), read in one indexed statement, and the
/// consultation recorded; `None` for a reader who decides nowhere.
#[cfg(feature = "ssr")]
async fn pending_requests(
    caller: &crate::state::Caller,
    viewer: &crate::domain::access::Viewer,
    store: &crate::store::Store,
) -> Result<Option<PendingRequests>, ServerFnError> {
    use crate::domain::access::{authorize, EntryPoint, Target};
    let decides = |site: &crate::domain::references::Locode, company_id: Option<i64>| {
        authorize(
            Some(viewer),
            EntryPoint::DecideAppointment,
            Target::Dossier { site, company_id },
        )
        .is_ok()
    };
    let sites: Vec<_> = viewer
        .sites
        .iter()
        .filter(|site| decides(site, None))
        .cloned()
        .collect();
    if sites.is_empty() {
        return Ok(None);
    }
    let mut requests = store
        .pending_appointments(&sites, PENDING_SHOWN as u32 + 1)
        .await
        .map_err(crate::state::internal)?;
    requests.retain(|a| decides(&a.site, a.company_id));
    let more = requests.len() > PENDING_SHOWN;
    requests.truncate(PENDING_SHOWN);
    let codes: Vec<&str> = sites.iter().map(|site| site.as_str()).collect();
    let ids: Vec<String> = requests.iter().map(|a| a.id.to_string()).collect();
    caller
        .audit_consultation(
            store,
            "consultation_demandes_a_valider",
            &format!("sites:{}", codes.join(",")),
            &format!("rendez-vous : {}", ids.join(",")),
        )
        .await?;
    Ok(Some(PendingRequests { requests, more }))
}

/// What the planning counts (for the dashboards to come).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanningCounts {
    pub booked: u32,
    pub free: u32,
    pub validated: u32,
    pub no_shows: u32,
}

#[cfg(feature = "ssr")]
fn refusal_status(status: axum::http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}

/// The posts of these sites, and the one asked for if it is among them (else the first).
#[cfg(feature = "ssr")]
async fn posts_of_sites(
    store: &crate::store::Store,
    sites: &[crate::domain::references::Locode],
    asked: Option<PostCode>,
) -> Result<(Vec<Post>, Option<PostCode>), ServerFnError> {
    let posts: Vec<Post> = store
        .posts()
        .await
        .map_err(crate::state::internal)?
        .into_iter()
        .filter(|p| sites.contains(&p.site) && crate::domain::appointment::takes_appointments(p))
        .collect();
    let chosen = asked
        .filter(|code| posts.iter().any(|p| &p.code == code))
        .or_else(|| posts.first().map(|p| p.code.clone()));
    Ok((posts, chosen))
}

/// The store and a dossier the caller may use `entry` on, once they may use `gate` at all
/// (before anything is read). A dossier that does not exist and one outside the caller's
/// perimeter get the same answer, so that ids cannot be probed.
#[cfg(feature = "ssr")]
async fn signed_in_dossier(
    caller: &crate::state::Caller,
    gate: crate::domain::access::EntryPoint,
    entry: crate::domain::access::EntryPoint,
    dossier_id: i64,
) -> Result<(crate::store::Store, crate::domain::dossier::Dossier), ServerFnError> {
    use crate::domain::access::{authorize, Target};
    crate::state::authorize(caller, gate, Target::Nothing)?;
    let store = crate::state::store()?;
    let dossier = store
        .dossier(dossier_id)
        .await
        .map_err(crate::state::internal)?
        .filter(|dossier| {
            let target = Target::Dossier {
                site: &dossier.summary.site,
                company_id: dossier.summary.company_id,
            };
            authorize(caller.viewer.as_ref(), entry, target).is_ok()
        });
    match dossier {
        Some(dossier) => Ok((store, dossier)),
        None => {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(axum::http::StatusCode::NOT_FOUND);
            }
            Err(ServerFnError::new(
                "Ce dossier n'existe pas ou ne relève pas de votre périmètre.",
            ))
        }
    }
}

/// The dossier's appointments (for whoever may read the dossier).
#[server(endpoint = "rendez-vous-du-dossier")]
pub async fn load_dossier_appointments(
    dossier_id: i64,
) -> Result<DossierAppointments, ServerFnError> {
    use crate::domain::access::EntryPoint;
    let caller = crate::state::caller();
    let (store, dossier) = signed_in_dossier(
        &caller,
        EntryPoint::ListDossiers,
        EntryPoint::ReadDossier,
        dossier_id,
    )
    .await?;
    let loaded = appointments_of(&caller, &store, &dossier).await?;
    caller
        .audit_consultation(
            &store,
            "consultation_rendez_vous",
            &format!("dossier:{dossier_id}"),
            "",
        )
        .await?;
    Ok(loaded)
}

/// The appointments of a dossier the caller may read (checked before), and what they may do
/// with them. Nothing is audited here: the caller's reading is.
#[cfg(feature = "ssr")]
pub(crate) async fn appointments_of(
    caller: &crate::state::Caller,
    store: &crate::store::Store,
    dossier: &crate::domain::dossier::Dossier,
) -> Result<DossierAppointments, ServerFnError> {
    use crate::domain::access::{authorize, EntryPoint, Target};
    use crate::domain::appointment::{check_need, offer, selection_sentence, Offer, PostReadiness};
    use crate::store::AppointmentFilter;
    let dossier_id = dossier.summary.id;
    let target = Target::Dossier {
        site: &dossier.summary.site,
        company_id: dossier.summary.company_id,
    };
    let may = |entry| authorize(caller.viewer.as_ref(), entry, target).is_ok();
    let may_book = may(EntryPoint::BookAppointment);
    let appointments = store
        .appointments(AppointmentFilter::Dossier(dossier_id))
        .await
        .map_err(crate::state::internal)?;
    let events: Vec<_> = dossier.events.iter().map(|event| event.kind).collect();
    let checks: Vec<CheckLine> = CheckKind::ALL
        .into_iter()
        .map(|check| CheckLine {
            check,
            need: check_need(check, &dossier.steps, &events),
            appointment: appointments
                .iter()
                .find(|a| a.check == check && a.state.is_active())
                .map(|a| a.state),
        })
        .collect();
    let post = match &dossier.summary.post {
        None => PostReadiness::NoPost,
        Some(_) if !may_book => PostReadiness::Ready,
        Some(post) => match store.calendar(post).await.map_err(crate::state::internal)? {
            Some(_) => PostReadiness::Ready,
            None => PostReadiness::NoCalendar,
        },
    };
    let needs: Vec<_> = checks
        .iter()
        .map(|line| (line.check, line.need, line.appointment.is_some()))
        .collect();
    let Offer { bookable, why_not } = offer(&needs, post, may_book);
    let selection = selection_sentence(
        &checks
            .iter()
            .map(|line| (line.check, line.need))
            .collect::<Vec<_>>(),
    );
    let show_company = caller
        .viewer
        .as_ref()
        .is_some_and(|viewer| viewer.role != crate::domain::directory::Role::Operateur);
    Ok(DossierAppointments {
        appointments,
        checks,
        selection,
        bookable,
        why_not,
        may_book,
        may_decide: may(EntryPoint::DecideAppointment),
        show_company,
    })
}

/// A week of free places at the dossier's post for a check, from `from` (today by default):
/// only the slots still bookable (future, after the notice, not full).
#[server(endpoint = "disponibilites")]
pub async fn load_availability(
    dossier_id: i64,
    check: CheckKind,
    from: Option<NaiveDate>,
) -> Result<Availability, ServerFnError> {
    use crate::domain::access::EntryPoint;
    use crate::domain::appointment::{paris_day, paris_instant, public_holiday};
    let caller = crate::state::caller();
    let (store, dossier) = signed_in_dossier(
        &caller,
        EntryPoint::MyAppointments,
        EntryPoint::BookAppointment,
        dossier_id,
    )
    .await?;
    let Some(post) = dossier.summary.post.clone() else {
        refusal_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        return Err(ServerFnError::new(
            crate::domain::appointment::BookingRefusal::NoPost.to_string(),
        ));
    };
    let Some(calendar) = store
        .calendar(&post)
        .await
        .map_err(crate::state::internal)?
    else {
        refusal_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        return Err(ServerFnError::new(
            crate::domain::appointment::BookingRefusal::NoCalendar.to_string(),
        ));
    };
    let now = chrono::Utc::now();
    let today = paris_day(now);
    // Bounded before any arithmetic: a week on from chrono's last day would panic.
    let from = from
        .map(|day| crate::state::within_bounds(day, crate::domain::dates::DateUse::Planning))
        .transpose()?;
    let first_day = from.filter(|day| *day >= today).unwrap_or(today);
    let last_day = first_day + chrono::Duration::days(6);
    let closures = store
        .closures(&post, first_day)
        .await
        .map_err(crate::state::internal)?;
    let taken = store
        .slots_taken(
            &post,
            check,
            paris_instant(first_day, chrono::NaiveTime::MIN),
            paris_instant(last_day + chrono::Duration::days(1), chrono::NaiveTime::MIN),
        )
        .await
        .map_err(crate::state::internal)?;
    let earliest = now + chrono::Duration::hours(i64::from(calendar.min_notice_hours));
    let days = first_day
        .iter_days()
        .take(7)
        .map(|day| {
            let closed = closures
                .iter()
                .find(|closure| closure.covers(day))
                .map(|closure| closure.reason.clone())
                .or_else(|| {
                    (!calendar.open_on_public_holidays)
                        .then(|| public_holiday(day).map(str::to_owned))
                        .flatten()
                });
            let slots = calendar
                .slots_of_day(day, &closures)
                .into_iter()
                .filter(|(start, _)| *start >= earliest)
                .map(|(starts_at, ends_at)| {
                    let stored = taken.iter().find(|slot| slot.starts_at == starts_at);
                    SlotAvailability {
                        starts_at,
                        ends_at,
                        capacity: stored.map_or(calendar.capacity(check), |slot| slot.capacity),
                        booked: stored.map_or(0, |slot| slot.booked),
                    }
                })
                .filter(|slot| slot.free() > 0)
                .collect();
            DayAvailability { day, closed, slots }
        })
        .collect();
    let post_name = dossier.post_name.clone().unwrap_or_default();
    Ok(Availability {
        dossier_id,
        dossier_headline: dossier.summary.references.headline(),
        check,
        post,
        post_name,
        requires_validation: calendar.requires_validation,
        min_notice_hours: calendar.min_notice_hours,
        cutoff_hours: calendar.cutoff_hours,
        first_day,
        days,
    })
}

/// The appointments of the operator's company, and of the dossiers it represents today,
/// soonest first.
#[server(endpoint = "mes-rendez-vous")]
pub async fn company_appointments() -> Result<Vec<Appointment>, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::MyAppointments, Target::Nothing)?;
    let Some(company) = viewer.company_id else {
        return Ok(Vec::new());
    };
    let store = crate::state::store()?;
    store
        .appointments(crate::store::AppointmentFilter::Company {
            id: company,
            represented: &viewer.represented,
        })
        .await
        .map_err(crate::state::internal)
}

/// A post's planning from `from` (today by default) over one day or a week.
#[server(endpoint = "planning")]
pub async fn load_planning(
    post: Option<PostCode>,
    from: Option<NaiveDate>,
    week: bool,
) -> Result<Planning, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    use crate::domain::appointment::{paris_day, paris_instant, AppointmentState};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::Planning, Target::Nothing)?;
    let store = crate::state::store()?;
    let (mut posts, _) = posts_of_sites(&store, &viewer.sites, None).await?;
    posts.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
    let pending = pending_requests(&caller, &viewer, &store).await?;
    // The post asked for; else the one of the soonest request awaiting validation; else the
    // first by name.
    let post = post
        .filter(|code| posts.iter().any(|p| &p.code == code))
        .or_else(|| {
            pending
                .as_ref()
                .and_then(|pending| pending.requests.first())
                .map(|a| a.post.clone())
                .filter(|code| posts.iter().any(|p| &p.code == code))
        })
        .or_else(|| posts.first().map(|p| p.code.clone()));
    // Bounded before any arithmetic: a week on from chrono's last day would panic.
    let first_day = match from {
        Some(day) => crate::state::within_bounds(day, crate::domain::dates::DateUse::Planning)?,
        None => paris_day(chrono::Utc::now()),
    };
    let days: u32 = if week { 7 } else { 1 };
    let mut appointments = Vec::new();
    let mut counts = PlanningCounts::default();
    if let Some(post) = &post {
        let start = paris_instant(first_day, chrono::NaiveTime::MIN);
        let end = paris_instant(
            first_day + chrono::Duration::days(i64::from(days)),
            chrono::NaiveTime::MIN,
        );
        appointments = store
            .appointments(crate::store::AppointmentFilter::Post {
                post,
                from: start,
                to: end,
            })
            .await
            .map_err(crate::state::internal)?;
        if let Some(calendar) = store.calendar(post).await.map_err(crate::state::internal)? {
            let closures = store
                .closures(post, first_day)
                .await
                .map_err(crate::state::internal)?;
            let places: u32 = first_day
                .iter_days()
                .take(days as usize)
                .map(|day| {
                    calendar.slots_of_day(day, &closures).len() as u32
                        * (calendar.identity_capacity + calendar.physical_capacity)
                })
                .sum();
            counts.free = places;
        }
        // A place stays taken once the goods came (honoured) or did not (absent): only a
        // cancellation or a refusal gives it back. Free places are what booked ones leave.
        counts.booked = appointments
            .iter()
            .filter(|a| a.state.holds_place())
            .count() as u32;
        counts.free = counts.free.saturating_sub(counts.booked);
        counts.validated = appointments
            .iter()
            .filter(|a| {
                matches!(
                    a.state,
                    AppointmentState::Confirme
                        | AppointmentState::Reporte
                        | AppointmentState::Honore
                )
            })
            .count() as u32;
        counts.no_shows = appointments
            .iter()
            .filter(|a| a.state == AppointmentState::Absent)
            .count() as u32;
    }
    if let Some(post) = &post {
        caller
            .audit_consultation(
                &store,
                "consultation_planning",
                &format!("poste:{post}"),
                &format!(
                    "{first_day}, {}",
                    crate::ui::format::count(days, "jour", "jours")
                ),
            )
            .await?;
    }
    let may_decide = post
        .as_ref()
        .and_then(|code| posts.iter().find(|p| &p.code == code))
        .is_some_and(|post| {
            crate::domain::access::authorize(
                Some(&viewer),
                EntryPoint::DecideAppointment,
                Target::Dossier {
                    site: &post.site,
                    company_id: None,
                },
            )
            .is_ok()
        });
    Ok(Planning {
        pending,
        posts,
        post,
        first_day,
        days,
        appointments,
        counts,
        may_decide,
        now: chrono::Utc::now(),
    })
}

/// An appointment found at the gate, with what may be done with it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateAppointment {
    pub appointment: Appointment,
    /// Whether its arrival may be recorded now, as on time or late, or why not.
    pub arrival: crate::domain::gate::Arrival,
    /// Its post's check-in window.
    pub window: crate::domain::gate::CheckInWindow,
}

/// At the gate: the appointment a convocation's QR code (`token`) or short code (`code`) names,
/// or those of a container, among the reader's sites, each with what may be done now. A short
/// code works only on its appointment's day (Paris), for agents of its post's site, and each
/// agent may type [`crate::domain::gate::GATE_CODE_DAILY_FAILURES`] wrong ones a day.
#[server(endpoint = "controle-arrivee")]
pub async fn gate_lookup(
    token: Option<String>,
    container: Option<String>,
    code: Option<String>,
) -> Result<Vec<GateAppointment>, ServerFnError> {
    use crate::domain::access::{authorize, EntryPoint, Target};
    use crate::domain::appointment::{paris_day, paris_instant};
    use crate::domain::dossier::DossierQuery;
    use crate::domain::gate::{
        arrival, GateCode, GATE_CODE_BUDGET_SPENT, GATE_CODE_DAILY_FAILURES, GATE_CODE_UNKNOWN,
    };
    use crate::domain::references::AnyReference;
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::Planning, Target::Nothing)?;
    let store = crate::state::store()?;
    let now = chrono::Utc::now();
    let today = paris_day(now);
    let may_act = |appointment: &Appointment| {
        authorize(
            Some(&viewer),
            EntryPoint::DecideAppointment,
            Target::Dossier {
                site: &appointment.site,
                company_id: appointment.company_id,
            },
        )
        .is_ok()
    };
    let mut found = Vec::new();
    let by_token = token.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let by_code = code.filter(|c| !c.trim().is_empty());
    // What was looked for, for the audit trail: never a code itself, which opens the check-in.
    let mut sought = String::new();
    if let Some(token) = &by_token {
        sought = "convocation".into();
        found.extend(
            store
                .appointment_by_token(token)
                .await
                .map_err(crate::state::internal)?,
        );
        found.retain(|appointment| may_act(appointment));
        // A code of another post's convocation is answered as an unknown one: codes cannot be
        // probed.
        if found.is_empty() {
            return Err(ServerFnError::new(
                "Ce code ne correspond à aucune convocation : vérifiez-le, ou cherchez par le numéro de conteneur.",
            ));
        }
    } else if let Some(text) = &by_code {
        let Ok(code) = GateCode::parse(text) else {
            return Err(ServerFnError::new(
                crate::domain::gate::GateCodeError.to_string(),
            ));
        };
        sought = "code de convocation".into();
        found = store
            .appointments_by_gate_code(&code)
            .await
            .map_err(crate::state::internal)?;
        // Only on its day, and only for the agents of its post's site; anything else is
        // answered as an unknown code.
        found.retain(|appointment| {
            paris_day(appointment.starts_at) == today && may_act(appointment)
        });
        let since = paris_instant(today, chrono::NaiveTime::MIN);
        let counted = store
            .gate_code_attempt(
                &caller.actor(),
                !found.is_empty(),
                since,
                GATE_CODE_DAILY_FAILURES,
                now,
            )
            .await
            .map_err(crate::state::internal)?;
        if !counted {
            return Err(ServerFnError::new(GATE_CODE_BUDGET_SPENT));
        }
        if found.is_empty() {
            return Err(ServerFnError::new(GATE_CODE_UNKNOWN));
        }
    } else if let Some(text) = container.filter(|t| !t.trim().is_empty()) {
        let reference =
            AnyReference::recognise(&text).map_err(|e| ServerFnError::new(e.to_string()))?;
        sought = format!("référence:{reference}");
        let page = store
            .dossiers(
                &DossierQuery {
                    reference: Some(reference),
                    ..DossierQuery::default()
                },
                &crate::domain::access::dossier_scope(&viewer),
            )
            .await
            .map_err(crate::state::internal)?;
        for dossier in page.dossiers {
            found.extend(
                store
                    .appointments(crate::store::AppointmentFilter::Dossier(dossier.id))
                    .await
                    .map_err(crate::state::internal)?,
            );
        }
        // Only what this agent may act on.
        found.retain(|appointment| may_act(appointment));
    }
    if !sought.is_empty() {
        let ids: Vec<String> = found.iter().map(|a| a.id.to_string()).collect();
        caller
            .audit_consultation(
                &store,
                "consultation_controle_arrivee",
                &sought,
                &format!("rendez-vous : {}", ids.join(",")),
            )
            .await?;
    }
    let mut answer = Vec::with_capacity(found.len());
    for appointment in found {
        let window = store
            .checkin_window(&appointment.post)
            .await
            .map_err(crate::state::internal)?
            .unwrap_or_default();
        answer.push(GateAppointment {
            arrival: arrival(&appointment, &window, now),
            window,
            appointment,
        });
    }
    Ok(answer)
}

/// The gate's day for the reader: today's appointments of the posts of their sites, which the
/// gate page shows and the device keeps for working offline; `None` for whoever does not record
/// arrivals (customs agents). A consultation, audited once (a reload or a live refresh within
/// ten minutes is the same one).
#[server(endpoint = "journee-arrivee")]
pub async fn load_gate_day() -> Result<Option<crate::domain::gate::GateDay>, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::Planning, Target::Nothing)?;
    if !offline::records_arrivals(&viewer) {
        return Ok(None);
    }
    let store = crate::state::store()?;
    let day = offline::day_of(&store, &viewer, chrono::Utc::now())
        .await
        .map_err(crate::state::internal)?;
    offline::audit_day(&caller, &store, &day).await?;
    Ok(Some(day))
}

/// The cookie that carries a calendar address just created to the page that shows it, once.
pub const FRESH_FEED_COOKIE: &str = "sesame_abonnement";

/// The operator's calendar subscription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSubscription {
    pub active: bool,
    /// The address just created: shown this once (only its hash is kept).
    pub fresh_address: Option<String>,
}

#[server(endpoint = "abonnement-calendrier")]
pub async fn load_calendar_subscription() -> Result<CalendarSubscription, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::MyAppointments, Target::Nothing)?;
    let store = crate::state::store()?;
    let active = store
        .has_calendar_feed(viewer.user_id)
        .await
        .map_err(crate::state::internal)?;
    Ok(CalendarSubscription {
        active,
        fresh_address: crate::state::take_fresh_secret(FRESH_FEED_COOKIE),
    })
}

/// A head of service's desk for a post's calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDesk {
    /// The posts of the head's sites.
    pub posts: Vec<Post>,
    pub post: Option<PostCode>,
    pub calendar: Option<crate::domain::appointment::Calendar>,
    /// Closures from today on.
    pub closures: Vec<crate::domain::appointment::Closure>,
    /// When the post's gate records arrivals as on time.
    pub checkin_window: Option<crate::domain::gate::CheckInWindow>,
}

#[server(endpoint = "calendriers")]
pub async fn load_calendar_desk(post: Option<PostCode>) -> Result<CalendarDesk, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::ManageCalendars, Target::Nothing)?;
    let store = crate::state::store()?;
    let (posts, post) = posts_of_sites(&store, &viewer.calendar_sites, post).await?;
    let checkin_window = match &post {
        Some(post) => store
            .checkin_window(post)
            .await
            .map_err(crate::state::internal)?,
        None => None,
    };
    let (calendar, closures) = match &post {
        Some(post) => (
            store.calendar(post).await.map_err(crate::state::internal)?,
            store
                .closures(
                    post,
                    crate::domain::appointment::paris_day(chrono::Utc::now()),
                )
                .await
                .map_err(crate::state::internal)?,
        ),
        None => (None, Vec::new()),
    };
    Ok(CalendarDesk {
        posts,
        post,
        calendar,
        closures,
        checkin_window,
    })
}
