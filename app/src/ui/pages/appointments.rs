//! Rendez-vous pages: the appointments of a dossier (on its page), booking a slot, an operator's
//! appointments, a post's planning, and the check-in at the gate. Every action is a plain form, so
//! that each works without JavaScript; with it, the pages follow the live stream.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::appointments::{
    company_appointments, gate_lookup, load_availability, load_calendar_desk,
    load_calendar_subscription, load_gate_day, load_planning, Availability, CalendarDesk,
    CalendarSubscription, CheckLine, DossierAppointments, GateAppointment, PendingRequests,
    Planning,
};
use crate::domain::appointment::{
    weekday_label, Appointment, AppointmentState, Calendar, CheckKind, CheckNeed,
};
use crate::domain::gate::CheckInWindow;
use crate::domain::references::PostCode;
use crate::ui::components::load_failure::LoadFailure;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::DataTable;
use crate::ui::format;
use crate::ui::live::{LiveBar, LiveWatch};
use crate::ui::notices::Notice;
use crate::ui::pages::operators::OperatorName;

/// The state of an appointment, as a DSFR badge.
#[component]
pub fn AppointmentStateBadge(state: AppointmentState) -> impl IntoView {
    let class = match state {
        AppointmentState::Confirme | AppointmentState::Honore => "fr-badge fr-badge--success",
        AppointmentState::Demande => "fr-badge fr-badge--info",
        AppointmentState::Reporte => "fr-badge fr-badge--warning",
        AppointmentState::Refuse | AppointmentState::Absent => "fr-badge fr-badge--error",
        AppointmentState::Annule => "fr-badge",
    };
    view! { <p class=class>{state.label()}</p> }
}

fn when(appointment: &Appointment) -> String {
    format!(
        "{} à {} — {}",
        format::weekday_date(crate::domain::appointment::paris_day(appointment.starts_at)),
        format::time(appointment.starts_at),
        format::time(appointment.ends_at)
    )
}

/// The "Rendez-vous" section of a dossier's page.
#[component]
pub fn DossierAppointmentsSection(dossier_id: i64, loaded: DossierAppointments) -> impl IntoView {
    view! {
        <section class="fr-mt-4w" aria-labelledby="titre-rendez-vous" id="rendez-vous">
            <h2 id="titre-rendez-vous">"Rendez-vous"</h2>
            <DossierAppointmentsView dossier_id loaded />
        </section>
    }
}

/// What a check of the dossier waits for, in French.
fn check_status(line: &CheckLine, may_book: bool) -> String {
    let status = match (line.need, line.appointment) {
        (CheckNeed::Awaited, Some(state)) => {
            format!("rendez-vous {}", state.label().to_lowercase())
        }
        (CheckNeed::Awaited, None) if may_book => "rendez-vous à prendre".to_owned(),
        (CheckNeed::Awaited, None) => "rendez-vous à prendre par l'opérateur du dossier".to_owned(),
        (CheckNeed::Done, _) => "réalisé".to_owned(),
        (CheckNeed::NotSelected, _) => "non sélectionné".to_owned(),
        (CheckNeed::Unknown, _) => "sélection pas encore connue".to_owned(),
    };
    format!("{} : {status}", line.check.label())
}

#[component]
fn DossierAppointmentsView(dossier_id: i64, loaded: DossierAppointments) -> impl IntoView {
    let back = format!("/dossiers/{dossier_id}#rendez-vous");
    let empty = loaded.appointments.is_empty();
    let may_book = loaded.may_book;
    let may_decide = loaded.may_decide;
    let show_company = loaded.show_company;
    let selected: Vec<String> = loaded
        .checks
        .iter()
        .filter(|line| line.need.is_selected())
        .map(|line| check_status(line, may_book))
        .collect();
    view! {
        <p id="controles-selectionnes">{loaded.selection}</p>
        {(!selected.is_empty()).then(|| view! {
            <ul id="controles-etat">
                {selected.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
            </ul>
        })}
        {loaded
            .bookable
            .into_iter()
            .map(|check| view! {
                <p>
                    <a class="fr-btn" href=format!("/dossiers/{dossier_id}/rendez-vous?controle={}", check.code())>
                        {format!("Prendre rendez-vous — {}", check.label().to_lowercase())}
                    </a>
                </p>
            })
            .collect_view()}
        {loaded.why_not.map(|why| view! { <p id="rendez-vous-pourquoi">{why}</p> })}
        {empty.then(|| view! { <p>"Aucun rendez-vous pour ce dossier."</p> })}
        <ul class="sesame-appointments">
            {loaded
                .appointments
                .into_iter()
                .map(|appointment| {
                    let back = back.clone();
                    view! { <li><AppointmentCard appointment may_book may_decide show_company link_dossier=false back /></li> }
                })
                .collect_view()}
        </ul>
    }
}

/// One appointment with what the reader may do to it.
#[component]
fn AppointmentCard(
    appointment: Appointment,
    may_book: bool,
    may_decide: bool,
    /// Whether to name the operator: not for operators, whose own company it always is.
    show_company: bool,
    /// Whether to link to the dossier: not on the dossier's own page.
    link_dossier: bool,
    back: String,
) -> impl IntoView {
    let id = appointment.id;
    let active = appointment.state.is_active();
    let action = move |name: &str| format!("/rendez-vous/{id}/{name}");
    let title = format!("{} — {}", appointment.check.label(), when(&appointment));
    let reason_id = format!("motif-{id}");
    view! {
        <div class="sesame-appointment">
            <div>
                <div>
                    <h3 class="fr-h6 fr-mb-1w">{title}</h3>
                    <AppointmentStateBadge state=appointment.state />
                    <p class="fr-mt-1w fr-mb-1w">
                        {format!("{} ({}) — dossier ", appointment.post_name, appointment.post)}
                        {if link_dossier {
                            view! { <a href=format!("/dossiers/{}", appointment.dossier_id)>{appointment.dossier_headline.clone()}</a> }.into_any()
                        } else {
                            appointment.dossier_headline.clone().into_any()
                        }}
                        {appointment.company_name.clone().filter(|_| show_company).map(|name| view! {
                            " — "<OperatorName company_id=appointment.company_id name />
                        })}
                    </p>
                    {appointment.reason.clone().map(|reason| view! { <p>{format!("Motif : {reason}")}</p> })}
                    {appointment.gate_code.clone().filter(|_| active).map(|code| view! {
                        <p class="fr-mb-1w">"Code d'arrivée, à donner au poste si le QR code ne se lit pas : "<strong class="sesame-gate-code">{code}</strong></p>
                    })}
                    {active.then(|| view! {
                        <ul class="fr-links-group">
                            <li><a class="fr-link fr-link--download" href=format!("/rendez-vous/{id}/convocation.pdf")>"Télécharger la convocation"<span class="fr-link__detail">"PDF, avec le code de pointage"</span></a></li>
                            <li><a class="fr-link fr-link--download" href=format!("/rendez-vous/{id}/rendez-vous.ics")>"Ajouter à mon agenda"<span class="fr-link__detail">"fichier .ics"</span></a></li>
                        </ul>
                    }.into_any())}
                    {(may_book && active).then(|| view! {
                        <p class="fr-mb-1w">
                            <a class="fr-link" href=format!("/dossiers/{}/rendez-vous?controle={}&deplacer={id}", appointment.dossier_id, appointment.check.code())>
                                "Déplacer ce rendez-vous"
                            </a>
                        </p>
                    }.into_any())}
                    {(may_book && active).then(|| view! {
                        <form method="post" action=action("annulation")>
                            <input type="hidden" name="retour" value=back.clone() />
                            <button class="fr-btn fr-btn--secondary fr-btn--sm" type="submit">"Annuler ce rendez-vous"</button>
                        </form>
                    }.into_any())}
                    {(may_decide && appointment.state == AppointmentState::Demande).then(|| view! {
                        <form method="post" action=action("validation")>
                            <input type="hidden" name="retour" value=back.clone() />
                            <button class="fr-btn fr-btn--sm" type="submit">"Valider le rendez-vous"</button>
                        </form>
                    }.into_any())}
                    {(may_decide && active).then(|| view! {
                        <form method="post" action=action("refus") class="fr-mt-1w" novalidate>
                            <input type="hidden" name="retour" value=back.clone() />
                            <div class="fr-input-group">
                                <label class="fr-label" for=reason_id.clone()>"Motif du refus"</label>
                                <input class="fr-input" id=reason_id.clone() name="motif" required minlength="3" maxlength="500" />
                            </div>
                            <button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit">"Refuser le rendez-vous"</button>
                        </form>
                    }.into_any())}
                </div>
            </div>
        </div>
    }
}

/// `/dossiers/{id}/rendez-vous?controle=…&semaine=…`: a week of free places to book from.
#[component]
pub fn BookingPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let asked = Memo::new(move |_| {
        let id = params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
        let check = query
            .with(|q| q.get("controle"))
            .and_then(|code| CheckKind::from_code(&code))
            .unwrap_or(CheckKind::Physical);
        let from = query
            .with(|q| q.get("semaine"))
            .and_then(|day| crate::domain::dates::parse_day(&day));
        (id, check, from)
    });
    // Moving an appointment: the slots post to it rather than booking anew.
    let moving = Memo::new(move |_| {
        query
            .with(|q| q.get("deplacer"))
            .and_then(|id| id.parse::<i64>().ok())
    });
    let availability = Resource::new(
        move || asked.get(),
        |(id, check, from)| async move {
            match id {
                Some(id) => load_availability(id, check, from).await,
                None => Err(ServerFnError::new("Ce dossier n'existe pas.")),
            }
        },
    );
    view! {
        <Title text="Prendre rendez-vous" />
        <div class="fr-container fr-my-6w">
            <h1>"Prendre rendez-vous"</h1>
            // A place of this check taken or given back, or an appointment of this dossier
            // changed: the free places are read again.
            {
                let (dossier, check, _) = asked.get_untracked();
                view! { <LiveBar watch=LiveWatch::Booking { dossier, check } pause=false /> }
            }
            <Notice />
            <div id="creneaux-direct" data-direct>
                <Loaded resource=availability loading="Chargement des créneaux…" failed="Les créneaux n'ont pas pu être chargés" let:availability>
                    <Week availability moving=moving.get_untracked() />
                </Loaded>
            </div>
        </div>
    }
}

#[component]
fn Week(availability: Availability, moving: Option<i64>) -> impl IntoView {
    let dossier_id = availability.dossier_id;
    let check = availability.check;
    let week = move |day: NaiveDate| {
        format!(
            "/dossiers/{dossier_id}/rendez-vous?controle={}&semaine={}{}",
            check.code(),
            day.format("%Y-%m-%d"),
            moving
                .map(|id| format!("&deplacer={id}"))
                .unwrap_or_default()
        )
    };
    let target = match moving {
        Some(id) => format!("/rendez-vous/{id}/deplacement"),
        None => format!("/dossiers/{dossier_id}/rendez-vous"),
    };
    let back = format!("/dossiers/{dossier_id}#rendez-vous");
    let previous = availability.first_day - chrono::Duration::days(7);
    let next = availability.first_day + chrono::Duration::days(7);
    let total: usize = availability.days.iter().map(|day| day.slots.len()).sum();
    view! {
        <p class="fr-text--lead">
            {format!("{} pour le dossier {}, au {} ({}).", check.label(), availability.dossier_headline, availability.post_name, availability.post)}
        </p>
        {moving.map(|_| view! { <p class="fr-callout">"Choisissez le nouveau créneau : l'ancien sera libéré."</p> })}
        <p>
            {format!(
                "Réservez au moins {} à l'avance ; vous pourrez déplacer ou annuler jusqu'à {} avant. {}",
                format::count(availability.min_notice_hours, "heure", "heures"),
                format::count(availability.cutoff_hours, "heure", "heures"),
                if availability.requires_validation {
                    "Le poste valide chaque demande : vous serez prévenu ici de sa décision."
                } else {
                    "Le rendez-vous est confirmé dès la réservation."
                }
            )}
        </p>
        <nav class="sesame-week-nav" aria-label="Semaines">
            <a class="fr-btn fr-btn--tertiary fr-btn--sm" href=week(previous)>"Semaine précédente"</a>
            <a class="fr-btn fr-btn--tertiary fr-btn--sm" href=week(next)>"Semaine suivante"</a>
        </nav>
        <h2 class="fr-h4" aria-live="polite" id="creneaux-libres">
            {match total {
                0 => "Aucun créneau libre cette semaine".to_owned(),
                1 => "1 créneau libre cette semaine".to_owned(),
                n => format!("{n} créneaux libres cette semaine"),
            }}
        </h2>
        <div class="sesame-week">
            {availability
                .days
                .into_iter()
                .map(|day| {
                    let heading = format::weekday_date(day.day);
                    let heading_id = format!("jour-{}", day.day.format("%Y-%m-%d"));
                    let labelled_by = heading_id.clone();
                    view! {
                        <section class="sesame-week__day" aria-labelledby=labelled_by>
                            <h3 class="fr-h6" id=heading_id>{heading}</h3>
                            {match (&day.closed, day.slots.is_empty()) {
                                (Some(reason), _) => view! { <p>{format!("Fermé : {reason}")}</p> }.into_any(),
                                (None, true) => view! { <p>"Aucun créneau libre"</p> }.into_any(),
                                (None, false) => view! {
                                    <ul class="sesame-week__slots">
                                        {day
                                            .slots
                                            .into_iter()
                                            .map(|slot| {
                                                let plural = if slot.free() > 1 { "s" } else { "" };
                                                // The visible text first, then what it does: the
                                                // accessible name starts with what is seen (WCAG 2.5.3).
                                                let visible = format!("{} — {} libre{plural}", format::time(slot.starts_at), slot.free());
                                                let more = format!(
                                                    " : réserver ce créneau du {} ({} place{plural} libre{plural})",
                                                    format::weekday_date(day.day),
                                                    slot.free()
                                                );
                                                view! {
                                                    <li>
                                                        <form method="post" action=target.clone()>
                                                            <input type="hidden" name="controle" value=check.code() />
                                                            <input type="hidden" name="retour" value=back.clone() />
                                                            <input type="hidden" name="creneau" value=slot.starts_at.to_rfc3339() />
                                                            <button class="fr-btn fr-btn--secondary fr-btn--sm" type="submit">
                                                                {visible}
                                                                <span class="fr-sr-only">{more}</span>
                                                            </button>
                                                        </form>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                .into_any(),
                            }}
                        </section>
                    }
                })
                .collect_view()}
        </div>
        <p><a href=format!("/dossiers/{dossier_id}")>"Retour au dossier"</a></p>
    }
}

/// `/rendez-vous`: the appointments of the operator's company.
#[component]
pub fn MyAppointmentsPage() -> impl IntoView {
    let appointments = Resource::new(|| (), |_| company_appointments());
    let subscription = Resource::new(|| (), |_| load_calendar_subscription());
    view! {
        <Title text="Mes rendez-vous" />
        <div class="fr-container fr-my-6w">
            <h1>"Mes rendez-vous"</h1>
            // Only a change of appointment changes this list.
            <LiveBar watch=LiveWatch::CompanyAppointments pause=false />
            <Notice />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    subscription.await.ok().map(|subscription| view! { <Subscription subscription /> })
                })}
            </Suspense>
            <div id="rendez-vous-direct" data-direct>
                <Loaded resource=appointments loading="Chargement des rendez-vous…" failed="Les rendez-vous n'ont pas pu être chargés" let:list>
                    <CompanyAppointments list />
                </Loaded>
            </div>
        </div>
    }
}

/// The company's appointments, or a sentence saying how one is made when there are none.
#[component]
fn CompanyAppointments(list: Vec<Appointment>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <p>"Aucun rendez-vous. Un rendez-vous se prend depuis la page d'un dossier sélectionné pour un contrôle d'identité ou un contrôle physique."</p>
        }
        .into_any();
    }
    view! {
        <ul class="sesame-appointments">
            {list
                .into_iter()
                .map(|appointment| view! {
                    <li><AppointmentCard appointment may_book=true may_decide=false show_company=false link_dossier=true back="/rendez-vous".to_owned() /></li>
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The personal calendar subscription: a secret address calendar programs follow.
#[component]
fn Subscription(subscription: CalendarSubscription) -> impl IntoView {
    view! {
        <section class="fr-mb-4w" aria-labelledby="titre-abonnement">
            <h2 id="titre-abonnement" class="fr-h5">"Abonnement dans votre agenda"</h2>
            {subscription.fresh_address.map(|address| view! {
                <div class="fr-alert fr-alert--warning fr-mb-2w" role="status" id="abonnement-cree">
                    <p>"Copiez cette adresse dans votre agenda (Outlook, Thunderbird, Google Agenda…) : elle ne sera plus affichée."</p>
                    <label class="fr-label" for="abonnement-adresse">"Adresse d'abonnement"</label>
                    <input class="fr-input" id="abonnement-adresse" readonly value=address />
                </div>
            })}
            <p>
                {if subscription.active {
                    "Un abonnement est actif : votre agenda suit les rendez-vous de votre entreprise et leurs changements. Gardez son adresse secrète."
                } else {
                    "Votre agenda peut suivre les rendez-vous de votre entreprise et leurs changements, par une adresse secrète que vous pouvez révoquer."
                }}
            </p>
            <form method="post" action="/abonnement-calendrier" class="fr-mb-1w">
                <button class="fr-btn fr-btn--secondary fr-btn--sm" type="submit">
                    {if subscription.active { "Créer une nouvelle adresse (l'ancienne cessera de fonctionner)" } else { "Créer une adresse d'abonnement" }}
                </button>
            </form>
            {subscription.active.then(|| view! {
                <form method="post" action="/abonnement-calendrier/revocation">
                    <button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit">"Révoquer l'abonnement"</button>
                </form>
            })}
        </section>
    }
}

/// `/planning?poste=…&jour=…&semaine=1`: a post's appointments, to decide on and print.
#[component]
pub fn PlanningPage() -> impl IntoView {
    let query = use_query_map();
    let asked = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("poste").and_then(|code| PostCode::parse(&code).ok()),
                q.get("jour")
                    .and_then(|day| crate::domain::dates::parse_day(&day)),
                q.get("semaine").is_some_and(|value| value == "1"),
            )
        })
    });
    let planning = Resource::new(
        move || asked.get(),
        |(post, day, week)| load_planning(post, day, week),
    );
    view! {
        <Title text="Planning des rendez-vous" />
        <div class="fr-container fr-my-6w">
            <h1>"Planning des rendez-vous"</h1>
            // A change of appointment (the requests to validate span every post), or of the
            // places of the post shown.
            <LiveBar watch=LiveWatch::Planning { post: asked.get_untracked().0 } pause=false />
            <Notice />
            <div id="planning-direct" data-direct>
                <Loaded resource=planning loading="Chargement du planning…" failed="Le planning n'a pas pu être chargé" let:planning>
                    <PlanningView planning />
                </Loaded>
            </div>
        </div>
    }
}

#[component]
fn PlanningView(planning: Planning) -> impl IntoView {
    let current = planning.post.clone();
    let day = planning.first_day.format("%Y-%m-%d").to_string();
    let week = planning.days > 1;
    let back = format!(
        "/planning?poste={}&jour={day}{}",
        current.as_ref().map(|p| p.to_string()).unwrap_or_default(),
        if week { "&semaine=1" } else { "" }
    );
    let counts = planning.counts.clone();
    let now = planning.now;
    let may_decide = planning.may_decide;
    let empty = planning.appointments.is_empty();
    let pending = planning.pending.clone();
    let pending_back = back.clone();
    view! {
        {pending.map(|pending| view! { <PendingRequestsView pending back=pending_back /> })}
        <h2 class="fr-h4 sesame-no-print" id="titre-planning-poste">"Planning du poste"</h2>
        <form method="get" action="/planning" class="sesame-filters sesame-no-print" aria-label="Choisir le planning">
            <div class="fr-select-group">
                <label class="fr-label" for="planning-poste">"Poste de contrôle"</label>
                <select class="fr-select" id="planning-poste" name="poste">
                    {planning
                        .posts
                        .iter()
                        .map(|post| {
                            let selected = current.as_ref() == Some(&post.code);
                            view! { <option value=post.code.to_string() selected=selected>{format!("{} ({})", post.name, post.code)}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="fr-input-group">
                <label class="fr-label" for="planning-jour">"Jour"</label>
                <input class="fr-input" type="date" placeholder=crate::domain::dates::DAY_PLACEHOLDER id="planning-jour" name="jour" value=day.clone() />
            </div>
            <div class="fr-select-group">
                <label class="fr-label" for="planning-duree">"Période"</label>
                <select class="fr-select" id="planning-duree" name="semaine">
                    <option value="0" selected=!week>"La journée"</option>
                    <option value="1" selected=week>"La semaine"</option>
                </select>
            </div>
            <div class="sesame-filters__actions">
                <button class="fr-btn" type="submit">"Afficher"</button>
            </div>
        </form>
        <p id="comptes-planning">
            {format!(
                "{}, {}, {}, {}.",
                format::count(counts.booked, "rendez-vous réservé", "rendez-vous réservés"),
                format::count(counts.free, "place libre", "places libres"),
                format::count(counts.validated, "validé", "validés"),
                format::count(counts.no_shows, "absence", "absences")
            )}
        </p>
        {empty.then(|| view! { <p>"Aucun rendez-vous sur cette période."</p> })}
        {(!empty).then(|| view! {
            <DataTable caption="Rendez-vous du poste">
                <thead>
                    <tr>
                        <th scope="col">"Horaire"</th>
                        <th scope="col">"Contrôle"</th>
                        <th scope="col">"Dossier"</th>
                        <th scope="col">"Opérateur"</th>
                        <th scope="col">"État"</th>
                        {may_decide.then(|| view! { <th scope="col" class="sesame-no-print">"Actions"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {planning
                        .appointments
                        .into_iter()
                        .map(|appointment| view! { <PlanningRow appointment back=back.clone() now may_decide /> })
                        .collect_view()}
                </tbody>
            </DataTable>
        })}
    }
}

/// The requests awaiting validation across the posts of the agent's sites, with the actions.
#[component]
fn PendingRequestsView(pending: PendingRequests, back: String) -> impl IntoView {
    let count = pending.requests.len();
    view! {
        <section class="fr-mb-4w sesame-no-print" aria-labelledby="titre-demandes" id="demandes-a-valider">
            <h2 id="titre-demandes" class="fr-h4">"Demandes à valider"</h2>
            <p>
                {match (count, pending.more) {
                    (0, _) => "Aucune demande en attente de validation sur les postes de vos sites.".to_owned(),
                    (1, _) => "1 demande en attente de validation sur les postes de vos sites, la plus proche en premier.".to_owned(),
                    (n, false) => format!("{n} demandes en attente de validation sur les postes de vos sites, les plus proches en premier."),
                    (n, true) => format!("Les {n} demandes les plus proches parmi celles en attente sur les postes de vos sites ; les suivantes apparaîtront une fois celles-ci traitées."),
                }}
            </p>
            {(count > 0).then(|| view! {
                <ul class="sesame-appointments">
                    {pending
                        .requests
                        .into_iter()
                        .map(|appointment| view! { <li><PendingRequestCard appointment back=back.clone() /></li> })
                        .collect_view()}
                </ul>
            })}
        </section>
    }
}

#[component]
fn PendingRequestCard(appointment: Appointment, back: String) -> impl IntoView {
    let id = appointment.id;
    let action = move |name: &str| format!("/rendez-vous/{id}/{name}");
    let reason_id = format!("demande-motif-{id}");
    let day = crate::domain::appointment::paris_day(appointment.starts_at).format("%Y-%m-%d");
    let which = format!(" la demande du dossier {}", appointment.dossier_headline);
    view! {
        <div class="sesame-appointment">
            <div>
                <div>
                    <h3 class="fr-h6 fr-mb-1w">
                        <a href=format!("/dossiers/{}", appointment.dossier_id)>{appointment.dossier_headline.clone()}</a>
                        {format!(" — {}", appointment.check.label())}
                    </h3>
                    <p class="fr-mb-1w">{format!("{} ({}) — {}", appointment.post_name, appointment.post, when(&appointment))}</p>
                    {appointment.company_name.clone().map(|name| view! { <p class="fr-mb-1w">{format!("Opérateur : {name}")}</p> })}
                    <p class="fr-mb-1w">
                        <a class="fr-link" href=format!("/planning?poste={}&jour={day}", appointment.post)>
                            "Voir le planning de ce jour"
                            <span class="fr-sr-only">{format!(" au {}", appointment.post_name)}</span>
                        </a>
                    </p>
                    <form method="post" action=action("validation")>
                        <input type="hidden" name="retour" value=back.clone() />
                        <button class="fr-btn fr-btn--sm" type="submit">"Valider"<span class="fr-sr-only">{which.clone()}</span></button>
                    </form>
                    <form method="post" action=action("refus") class="fr-mt-1w" novalidate>
                        <input type="hidden" name="retour" value=back.clone() />
                        <div class="fr-input-group">
                            <label class="fr-label" for=reason_id.clone()>"Motif du refus"</label>
                            <input class="fr-input" id=reason_id.clone() name="motif" required minlength="3" maxlength="500" />
                        </div>
                        <button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit">"Refuser"<span class="fr-sr-only">{which}</span></button>
                    </form>
                </div>
            </div>
        </div>
    }
}

#[component]
fn PlanningRow(
    appointment: Appointment,
    back: String,
    now: chrono::DateTime<chrono::Utc>,
    /// Only the inspection's agents get the actions; the others read.
    may_decide: bool,
) -> impl IntoView {
    let id = appointment.id;
    let action = move |name: &str| format!("/rendez-vous/{id}/{name}");
    let started = appointment.starts_at <= now;
    let state = appointment.state;
    let reason_id = format!("motif-refus-{id}");
    view! {
        <tr>
            <td>{when(&appointment)}</td>
            <td>{appointment.check.label()}</td>
            <td><a href=format!("/dossiers/{}", appointment.dossier_id)>{appointment.dossier_headline.clone()}</a></td>
            <td>{appointment.company_name.clone().unwrap_or_else(|| "—".to_owned())}</td>
            <td>
                <AppointmentStateBadge state />
                {appointment.reason.clone().map(|reason| view! { <span class="fr-text--xs">{format!("Motif : {reason}")}</span> })}
            </td>
            {may_decide.then(|| view! {
            <td class="sesame-no-print">
                {(state == AppointmentState::Demande).then(|| view! {
                    <form method="post" action=action("validation")>
                        <input type="hidden" name="retour" value=back.clone() />
                        <button class="fr-btn fr-btn--sm" type="submit" aria-label=format!("Valider le rendez-vous {}", appointment.dossier_headline)>"Valider"</button>
                    </form>
                }.into_any())}
                {matches!(state, AppointmentState::Confirme | AppointmentState::Reporte).then(|| view! {
                    <form method="post" action=action("presence")>
                        <input type="hidden" name="retour" value=back.clone() />
                        <button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">"Présent"</button>
                    </form>
                }.into_any())}
                {(state.is_active() && started).then(|| view! {
                    <form method="post" action=action("absence")>
                        <input type="hidden" name="retour" value=back.clone() />
                        <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">"Absent"</button>
                    </form>
                }.into_any())}
                {state.is_active().then(|| view! {
                    <form method="post" action=action("report") novalidate>
                        <input type="hidden" name="retour" value=back.clone() />
                        <label class="fr-label" for=format!("report-creneau-{id}")>"Nouvel horaire"</label>
                        <input class="fr-input" type="datetime-local" placeholder=crate::domain::dates::MOMENT_PLACEHOLDER id=format!("report-creneau-{id}") name="creneau" required />
                        <label class="fr-label" for=format!("report-motif-{id}")>"Motif du report"</label>
                        <input class="fr-input" id=format!("report-motif-{id}") name="motif" required minlength="3" maxlength="500" />
                        <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">"Reporter"</button>
                    </form>
                }.into_any())}
                {state.is_active().then(|| view! {
                    <form method="post" action=action("refus") novalidate>
                        <input type="hidden" name="retour" value=back.clone() />
                        <label class="fr-label" for=reason_id.clone()>"Motif du refus"</label>
                        <input class="fr-input" id=reason_id.clone() name="motif" required minlength="3" maxlength="500" />
                        <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">"Refuser"</button>
                    </form>
                }.into_any())}
            </td>
            }.into_any())}
        </tr>
    }
}

/// `/controle-arrivee?jeton=…`: the gate. The convocation's QR code opens this address; without
/// it, the agent types the convocation's short code (`?code=…`) or searches by container number.
#[component]
pub fn GatePage() -> impl IntoView {
    let query = use_query_map();
    let asked =
        Memo::new(move |_| query.with(|q| (q.get("jeton"), q.get("conteneur"), q.get("code"))));
    let found = Resource::new(
        move || asked.get(),
        |(token, container, code)| async move {
            if token.is_none() && container.is_none() && code.is_none() {
                Ok(Vec::new())
            } else {
                gate_lookup(token, container, code).await
            }
        },
    );
    // Today's appointments of the agent's posts, for the day's section (and the device).
    let day = Resource::new(|| (), |()| load_gate_day());
    let default_window = CheckInWindow::default().describe();
    view! {
        <Title text="Contrôle à l'arrivée" />
        // Installs as a web app that opens this page, with or without network.
        {view! {
            <leptos_meta::Link rel="manifest" href="/arrivee.webmanifest" />
            <leptos_meta::Meta name="theme-color" content="#000091" />
        }.into_any()}
        <div class="fr-container fr-my-6w">
            <h1>"Contrôle à l'arrivée"</h1>
            <Notice />
            <p>{format!("L'arrivée s'enregistre dans le créneau de pointage du poste : sauf réglage propre au poste, {default_window}. Plus tard le même jour, vous pouvez l'accepter comme arrivée tardive en indiquant le motif du retard.")}</p>
            <div class="sesame-gate-search">
                <form method="get" action="/controle-arrivee" class="sesame-narrow" aria-label="Chercher par code de convocation">
                    <div class="fr-input-group">
                        <label class="fr-label" for="arrivee-code">
                            "Code de la convocation"
                            <span class="fr-hint-text">"10 caractères imprimés sous le QR code, par exemple 7KQ4M-XW2HD (majuscules ou minuscules, avec ou sans tiret). Valable le jour du rendez-vous."</span>
                        </label>
                        <input class="fr-input" id="arrivee-code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" />
                    </div>
                    <button class="fr-btn" type="submit">"Chercher le code"</button>
                </form>
                <form method="get" action="/controle-arrivee" class="sesame-narrow" aria-label="Chercher par référence">
                    <div class="fr-input-group">
                        <label class="fr-label" for="arrivee-conteneur">
                            "Numéro de conteneur ou autre référence"
                            <span class="fr-hint-text">"LTA, connaissement ou DSCE. Ou scannez le QR code de la convocation avec l'appareil photo : il ouvre cette page."</span>
                        </label>
                        <input class="fr-input" id="arrivee-conteneur" name="conteneur" autocomplete="off" />
                    </div>
                    <button class="fr-btn fr-btn--secondary" type="submit">"Chercher la référence"</button>
                </form>
            </div>
            <Transition fallback=|| view! { <p aria-live="polite">"Recherche…"</p> }>
                {move || Suspend::new(async move {
                    let (token, container, code) = asked.get_untracked();
                    let searched = token.is_some() || container.is_some() || code.is_some();
                    match found.await {
                        Ok(list) if list.is_empty() && searched => view! {
                            <p role="status">"Aucun rendez-vous trouvé sur vos sites."</p>
                        }
                        .into_any(),
                        Ok(list) => view! {
                            <ul class="sesame-appointments fr-mt-3w">
                                {list
                                    .into_iter()
                                    .map(|found| view! { <li><GateCard found /></li> })
                                    .collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(error) => view! {
                            <div class="fr-mt-3w">
                                <LoadFailure title="Aucun rendez-vous à enregistrer" message=error.to_string() />
                            </div>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            {view! {
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match day.await {
                            Ok(Some(day)) => view! { <crate::ui::pages::gate_day::GateDaySection day /> }.into_any(),
                            _ => ().into_any(),
                        }
                    })}
                </Suspense>
            }.into_any()}
        </div>
    }
}

#[component]
fn GateCard(found: GateAppointment) -> impl IntoView {
    let GateAppointment {
        appointment,
        arrival,
        window,
    } = found;
    let id = appointment.id;
    let state = appointment.state;
    // Back to this appointment's card after the form (never the code, which would stay in the
    // browser's history).
    let back = if appointment.dossier_headline == "—" {
        "/controle-arrivee".to_owned()
    } else {
        format!(
            "/controle-arrivee?conteneur={}",
            format::query_value(&appointment.dossier_headline)
        )
    };
    let status_class = if arrival.on_time() {
        "fr-alert fr-alert--success fr-alert--sm fr-my-1w"
    } else if arrival.late() {
        "fr-alert fr-alert--warning fr-alert--sm fr-my-1w"
    } else {
        "fr-alert fr-alert--info fr-alert--sm fr-my-1w"
    };
    let reason_id = format!("retard-motif-{id}");
    let hint_id = format!("retard-aide-{id}");
    view! {
        <div class="sesame-appointment">
            <div>
                <div>
                    <h2 class="fr-h6 fr-mb-1w">{format!("{} — {}", appointment.dossier_headline, appointment.check.label())}</h2>
                    <AppointmentStateBadge state />
                    <p class="fr-mt-1w fr-mb-1w">{format!("{} — {}", when(&appointment), appointment.post_name)}</p>
                    {appointment.company_name.clone().map(|name| view! { <p>{name}</p> })}
                    {appointment.reason.clone().map(|reason| view! { <p>{format!("Motif : {reason}")}</p> })}
                    <div class=status_class>
                        <p>{arrival.explain()}</p>
                    </div>
                    <p class="fr-text--sm">{format!("Pointage à ce poste : {}.", window.describe())}</p>
                    {arrival.on_time().then(|| view! {
                        <form method="post" action=format!("/rendez-vous/{id}/presence")>
                            <input type="hidden" name="retour" value=back.clone() />
                            <button class="fr-btn" type="submit">"Enregistrer l'arrivée"</button>
                        </form>
                    }.into_any())}
                    {arrival.late().then(|| view! {
                        <form method="post" action=format!("/rendez-vous/{id}/presence-tardive") novalidate>
                            <input type="hidden" name="retour" value=back.clone() />
                            <div class="fr-input-group">
                                <label class="fr-label" for=reason_id.clone()>
                                    "Motif du retard"
                                    <span class="fr-hint-text" id=hint_id.clone()>"Obligatoire, 3 à 500 caractères ; inscrit au journal d'audit et visible de l'opérateur."</span>
                                </label>
                                <textarea class="fr-input" id=reason_id.clone() name="motif" rows="2" maxlength="500" aria-describedby=hint_id.clone()></textarea>
                            </div>
                            <button class="fr-btn fr-btn--secondary" type="submit">"Accepter l'arrivée tardive"</button>
                        </form>
                    }.into_any())}
                </div>
            </div>
        </div>
    }
}

/// `/postes/calendrier?poste=…`: a head of service sets a post's calendar and closures.
#[component]
pub fn CalendarsPage() -> impl IntoView {
    let query = use_query_map();
    let asked = Memo::new(move |_| {
        query.with(|q| q.get("poste").and_then(|code| PostCode::parse(&code).ok()))
    });
    let desk = Resource::new(move || asked.get(), load_calendar_desk);
    view! {
        <Title text="Calendriers des postes" />
        <div class="fr-container fr-my-6w">
            <h1>"Calendriers des postes"</h1>
            <Notice />
            <Suspense fallback=|| view! { <p aria-live="polite">"Chargement du calendrier…"</p> }>
                {move || Suspend::new(async move {
                    match desk.await {
                        Ok(desk) => view! { <CalendarDeskView desk /> }.into_any(),
                        Err(error) => view! {
                            <LoadFailure title="Le calendrier n'a pas pu être chargé" message=error.to_string() />
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// A weekday's periods as the form shows them: `08:00-12:00, 13:30-17:30`.
fn periods_text(calendar: Option<&Calendar>, weekday: u8) -> String {
    calendar
        .map(|calendar| {
            calendar
                .openings
                .iter()
                .filter(|opening| opening.weekday == weekday)
                .map(|opening| {
                    let closes = if opening.closes == chrono::NaiveTime::MIN {
                        "24:00".to_owned()
                    } else {
                        opening.closes.format("%H:%M").to_string()
                    };
                    format!("{}-{closes}", opening.opens.format("%H:%M"))
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

#[component]
fn CalendarDeskView(desk: CalendarDesk) -> impl IntoView {
    let Some(post) = desk.post.clone() else {
        return view! { <p>"Aucun poste sur vos sites."</p> }.into_any();
    };
    let calendar = desk.calendar.clone();
    let window = desk.checkin_window.unwrap_or_default();
    let number = move |value: Option<u32>| value.map(|n| n.to_string()).unwrap_or_default();
    let c = calendar.as_ref();
    view! {
        <form method="get" action="/postes/calendrier" class="sesame-filters" aria-label="Choisir le poste">
            <div class="fr-select-group">
                <label class="fr-label" for="calendrier-poste">"Poste de contrôle"</label>
                <select class="fr-select" id="calendrier-poste" name="poste">
                    {desk.posts.iter().map(|p| {
                        let selected = p.code == post;
                        view! { <option value=p.code.to_string() selected=selected>{format!("{} ({})", p.name, p.code)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="sesame-filters__actions">
                <button class="fr-btn" type="submit">"Afficher"</button>
            </div>
        </form>
        <section class="fr-mt-4w" aria-labelledby="titre-calendrier">
            <h2 id="titre-calendrier">"Calendrier"</h2>
            <p>"Heures de Paris. Réduire une capacité ou une plage qui porte déjà des rendez-vous est refusé : déplacez ou annulez-les d'abord."</p>
            <form method="post" action=format!("/postes/{post}/calendrier") class="sesame-narrow" novalidate>
                {(1..=7u8).map(|weekday| {
                    let id = format!("plages-{weekday}");
                    view! {
                        <div class="fr-input-group">
                            <label class="fr-label" for=id.clone()>
                                {format!("Ouverture le {}", weekday_label(weekday))}
                                <span class="fr-hint-text">"Plages séparées par des virgules, par exemple 08:00-12:00, 13:30-17:30 ; vide si fermé"</span>
                            </label>
                            <input class="fr-input" id=id name=format!("plages_{weekday}") value=periods_text(c, weekday) />
                        </div>
                    }
                }).collect_view()}
                <div class="fr-input-group">
                    <label class="fr-label" for="calendrier-duree">"Durée d'un créneau (minutes)"</label>
                    <input class="fr-input" type="number" min="5" max="480" id="calendrier-duree" name="duree" required value=number(c.map(|c| c.slot_minutes)) />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="calendrier-identite">"Places par créneau — contrôle d'identité"</label>
                    <input class="fr-input" type="number" min="0" max="500" id="calendrier-identite" name="capacite_identite" required value=number(c.map(|c| c.identity_capacity)) />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="calendrier-physique">"Places par créneau — contrôle physique"</label>
                    <input class="fr-input" type="number" min="0" max="500" id="calendrier-physique" name="capacite_physique" required value=number(c.map(|c| c.physical_capacity)) />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="calendrier-prevenance">"Délai de réservation (heures avant le créneau)"</label>
                    <input class="fr-input" type="number" min="0" max="720" id="calendrier-prevenance" name="prevenance" required value=number(c.map(|c| c.min_notice_hours)) />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="calendrier-delai">"Modification ou annulation par l'opérateur jusqu'à (heures avant)"</label>
                    <input class="fr-input" type="number" min="0" max="720" id="calendrier-delai" name="delai" required value=number(c.map(|c| c.cutoff_hours)) />
                </div>
                <div class="fr-checkbox-group">
                    <input type="checkbox" id="calendrier-validation" name="validation" value="oui" checked=c.is_none_or(|c| c.requires_validation) />
                    <label class="fr-label" for="calendrier-validation">"Chaque demande attend la validation d'un agent"</label>
                </div>
                <div class="fr-checkbox-group fr-mb-2w">
                    <input type="checkbox" id="calendrier-feries" name="feries" value="oui" checked=c.is_some_and(|c| c.open_on_public_holidays) />
                    <label class="fr-label" for="calendrier-feries">"Ouvert les jours fériés"</label>
                </div>
                <button class="fr-btn" type="submit">"Enregistrer le calendrier"</button>
            </form>
        </section>
        <section class="fr-mt-4w" aria-labelledby="titre-pointage">
            <h2 id="titre-pointage">"Pointage à l'arrivée"</h2>
            <p>{format!("L'arrivée s'enregistre {} ; plus tard le même jour, l'agent peut l'accepter comme arrivée tardive avec un motif. Par défaut : {}.", window.describe(), CheckInWindow::default().describe())}</p>
            <form method="post" action=format!("/postes/{post}/pointage") class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="pointage-avant">"Ouverture du pointage (minutes avant le début du créneau)"</label>
                    <input class="fr-input" type="number" min="0" max="1440" id="pointage-avant" name="avant" required value=window.opens_minutes_before.to_string() />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="pointage-apres">"Fermeture du pointage (minutes après le début du créneau)"</label>
                    <input class="fr-input" type="number" min="0" max="1440" id="pointage-apres" name="apres" required value=window.closes_minutes_after.to_string() />
                </div>
                <button class="fr-btn fr-btn--secondary" type="submit">"Enregistrer le pointage"</button>
            </form>
        </section>
        <section class="fr-mt-4w" aria-labelledby="titre-fermetures">
            <h2 id="titre-fermetures">"Fermetures"</h2>
            {desk.closures.is_empty().then(|| view! { <p>"Aucune fermeture à venir."</p> })}
            <ul>
                {desk.closures.iter().map(|closure| view! {
                    <li>{format!("Du {} au {} : {}", format::date(closure.starts_on), format::date(closure.ends_on), closure.reason)}</li>
                }).collect_view()}
            </ul>
            <form method="post" action=format!("/postes/{post}/fermetures") class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="fermeture-du">"Du (inclus)"</label>
                    <input class="fr-input" type="date" placeholder=crate::domain::dates::DAY_PLACEHOLDER id="fermeture-du" name="du" required />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="fermeture-au">"Au (inclus)"</label>
                    <input class="fr-input" type="date" placeholder=crate::domain::dates::DAY_PLACEHOLDER id="fermeture-au" name="au" required />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="fermeture-motif">"Motif"<span class="fr-hint-text">"Visible des opérateurs (3 à 200 caractères)"</span></label>
                    <input class="fr-input" id="fermeture-motif" name="motif" required minlength="3" maxlength="200" />
                </div>
                <button class="fr-btn fr-btn--secondary" type="submit">"Fermer le poste ces jours-là"</button>
            </form>
        </section>
    }
    .into_any()
}
