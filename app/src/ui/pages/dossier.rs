//! The dossier page: references, goods, operator, where it crosses, the timeline of its journey
//! and the history of events received. Laid out to read on a phone at the port gate.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::appointments::DossierAppointments;
use crate::api::documents::DossierDocuments;
use crate::api::dossiers::{get_dossier_page, DossierPageLookup};
use crate::domain::dossier::Dossier;
use crate::domain::forecast::Forecast;
use crate::domain::journey::{Step, StepKind, StepState, TimelineEvent};
use crate::ui::components::badges::{StatusBadge, StepBadge};
use crate::ui::components::load_failure::LoadFailure;
use crate::ui::components::table::DataTable;
use crate::ui::format;
use crate::ui::live::{LiveBar, LiveWatch};
use crate::ui::notices::Notice;
use crate::ui::pages::appointments::DossierAppointmentsSection;
use crate::ui::pages::dossier_documents::DossierDocumentsSection;
use crate::ui::pages::not_found::set_not_found_status;
use crate::ui::pages::operators::OperatorName;

#[component]
pub fn DossierPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())));
    let dossier = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_dossier_page(id).await,
                None => Ok(DossierPageLookup::NotFound),
            }
        },
    );

    view! {
        <div class="fr-container fr-my-6w">
            <Transition fallback=|| view! { <Breadcrumb current="Dossier".to_owned() /> }>
                {move || Suspend::new(async move {
                    let current = match dossier.await {
                        Ok(DossierPageLookup::Found { dossier, .. }) => dossier.summary.references.headline(),
                        Ok(DossierPageLookup::NotFound) => "Dossier introuvable".to_owned(),
                        Err(_) => "Dossier".to_owned(),
                    };
                    view! { <Breadcrumb current /> }
                })}
            </Transition>
            // Brought up to date when a live update concerns this dossier (its events, its
            // appointments): see `ui::live`.
            {id.get_untracked().map(|id| view! {
                <div class="sesame-live-bar">
                    <LiveBar watch=LiveWatch::Dossier(id) pause=true />
                </div>
            })}
            <Notice />
            <div id="dossier-direct" data-direct>
            <Transition fallback=|| view! { <p aria-live="polite">"Chargement du dossier…"</p> }>
                {move || Suspend::new(async move {
                    match dossier.await {
                        Ok(DossierPageLookup::Found { dossier, appointments, documents, exchanges }) => {
                            view! { <DossierView dossier=*dossier appointments=*appointments documents=*documents exchanges=*exchanges /> }.into_any()
                        }
                        Ok(DossierPageLookup::NotFound) => {
                            set_not_found_status();
                            view! {
                                <Title text="Dossier introuvable" />
                                <h1>"Dossier introuvable"</h1>
                                <p>"Aucun dossier que vous pouvez consulter ne porte ce numéro : vous voyez les dossiers de votre entreprise et, pendant leur mandat, ceux des entreprises qu'elle représente, ou ceux des sites pour lesquels vous êtes habilité. Retrouvez-les depuis la liste des dossiers."</p>
                                <a class="fr-btn" href="/dossiers">"Voir les dossiers"</a>
                            }
                            .into_any()
                        }
                        Err(error) => view! {
                            <Title text="Dossier indisponible" />
                            <LoadFailure title="Le dossier n'a pas pu être chargé" message=error.to_string() page_heading=true />
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            </div>
        </div>
    }
}

/// Where the page stands: the dossier named by its reference.
#[component]
fn Breadcrumb(current: String) -> impl IntoView {
    view! {
        <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
            <ol class="fr-breadcrumb__list">
                <li><a class="fr-breadcrumb__link" href="/">"Accueil"</a></li>
                <li><a class="fr-breadcrumb__link" href="/dossiers">"Dossiers"</a></li>
                <li><a class="fr-breadcrumb__link" aria-current="page">{current}</a></li>
            </ol>
        </nav>
    }
}

#[component]
fn DossierView(
    dossier: Dossier,
    appointments: DossierAppointments,
    documents: DossierDocuments,
    exchanges: crate::api::exchanges::DossierExchanges,
) -> impl IntoView {
    let summary = dossier.summary;
    let summary_id = summary.id;
    let headline = summary.references.headline();
    let reference_rows: Vec<(&str, String)> = summary
        .references
        .named()
        .into_iter()
        .map(|(_, label, value)| (label, value))
        .collect();
    // The convocations the platform made for this dossier, listed with its documents.
    let convocations: Vec<(i64, String)> = appointments
        .appointments
        .iter()
        .filter(|appointment| appointment.state.holds_place())
        .map(|appointment| {
            (
                appointment.id,
                format!(
                    "Convocation — {} du {}",
                    appointment.check.label(),
                    format::date(crate::domain::appointment::paris_day(appointment.starts_at))
                ),
            )
        })
        .collect();
    let post = match (&summary.post, &dossier.post_name) {
        (Some(code), Some(name)) => format!("{name} ({code})"),
        (Some(code), None) => code.to_string(),
        _ => "Non encore affecté".to_owned(),
    };

    view! {
        <Title text=format!("Dossier {headline}") />
        <div class="sesame-dossier-head">
            <h1>{format!("Dossier {headline}")}</h1>
            <StatusBadge status=summary.status />
        </div>
        <p class="fr-text--lead">
            {summary.current_step.map(|step| format!("Étape en cours : {}", step.label())).unwrap_or_else(|| "Parcours achevé".to_owned())}
        </p>
        <div class="fr-grid-row fr-grid-row--gutters">
            <section class="fr-col-12 fr-col-md-6" aria-labelledby="titre-references">
                <h2 id="titre-references" class="fr-h4">"Références"</h2>
                <dl class="sesame-facts">
                    {reference_rows
                        .into_iter()
                        .map(|(label, value)| view! { <dt>{label}</dt><dd class="sesame-reference">{value}</dd> })
                        .collect_view()}
                </dl>
            </section>
            <section class="fr-col-12 fr-col-md-6" aria-labelledby="titre-envoi">
                <h2 id="titre-envoi" class="fr-h4">"Envoi"</h2>
                <dl class="sesame-facts">
                    <dt>"Marchandises"</dt>
                    <dd>{format!("{} — {}", summary.goods.label(), summary.goods_description)}</dd>
                    <dt>"Flux"</dt>
                    <dd>{summary.flow.label()}</dd>
                    <dt>"Site"</dt>
                    <dd>{format!("{} ({}, {})", summary.site_name, summary.site, summary.site_kind.label().to_lowercase())}</dd>
                    <dt>"Poste de contrôle frontalier"</dt>
                    <dd>{post}</dd>
                    <dt>"Opérateur"</dt>
                    <dd>
                        {match summary.company_name.clone() {
                            Some(name) => view! { <OperatorName company_id=summary.company_id name /> }.into_any(),
                            None => "Non renseigné".into_any(),
                        }}
                    </dd>
                    {dossier.representative.clone().map(|representative| view! {
                        <dt>"Représentant déclaré"</dt>
                        <dd id="representant-declare">{representative}</dd>
                    })}
                    <dt>"Ouvert le"</dt>
                    <dd>{format::date_time(summary.opened_at)}</dd>
                </dl>
            </section>
        </div>
        <section class="fr-mt-4w" aria-labelledby="titre-parcours">
            <h2 id="titre-parcours">"Parcours"</h2>
            {dossier.release.map(|release| view! {
                <p class="fr-callout__text fr-mb-2w" id="mainlevee-estimee">{release_text(&release)}</p>
            })}
            <ol class="sesame-timeline">
                {dossier
                    .steps
                    .into_iter()
                    // The follow-up of a non-conformity is a step only once there is one.
                    .filter(|step| !(step.kind == StepKind::FollowUp && step.state == StepState::AVenir))
                    .map(|step| {
                        let forecast = dossier
                            .forecasts
                            .iter()
                            .find(|(kind, _)| *kind == step.kind)
                            .map(|(_, forecast)| forecast.clone());
                        view! { <StepItem step forecast /> }
                    })
                    .collect_view()}
            </ol>
        </section>
        <DossierAppointmentsSection dossier_id=summary_id loaded=appointments />
        // Type-erased: the page's view type is deep enough already.
        {view! { <DossierDocumentsSection documents convocations /> }.into_any()}
        {view! { <crate::ui::pages::messaging::DossierExchangesSection exchanges /> }.into_any()}
        {if dossier.details_withheld {
            view! {
                <section class="fr-mt-4w" aria-labelledby="titre-historique">
                    <h2 id="titre-historique">"Historique du dossier"</h2>
                    <OperatorHistory events=dossier.events />
                </section>
            }
            .into_any()
        } else {
            view! {
                <section class="fr-mt-4w" aria-labelledby="titre-historique">
                    <h2 id="titre-historique">"Historique des événements"</h2>
                    <EventHistory events=dossier.events />
                </section>
            }
            .into_any()
        }}
    }
}

/// The release forecast, as an estimate.
fn release_text(release: &Forecast) -> String {
    match release {
        Forecast::Estimate { median_minutes, p80_minutes, cases } => format!(
            "Mainlevée estimée : dans {} environ (jusqu'à {} dans 80 % des cas), d'après {} dossiers comparables.",
            format::duration_minutes(*median_minutes),
            format::duration_minutes(*p80_minutes),
            cases
        ),
        Forecast::NotEnoughData { .. } => {
            "Mainlevée estimée : pas assez de données à ce poste pour ces marchandises.".to_owned()
        }
    }
}

#[component]
fn StepItem(step: Step, forecast: Option<Forecast>) -> impl IntoView {
    let timing = match (step.started_at, step.ended_at) {
        (Some(start), Some(end)) => Some(format::span(start, end)),
        (Some(start), None) => Some(format!("Depuis le {}", format::date_time(start))),
        _ => None,
    };
    // What to expect, for the step in course only: the release estimate above covers the rest.
    let expected = matches!(step.state, StepState::EnCours | StepState::Bloque).then(|| match &forecast {
        Some(Forecast::Estimate { median_minutes, p80_minutes, cases }) => format!(
            "Estimation : {} (médiane), {} pour 80 % des dossiers — d'après {} dossiers de ce poste",
            format::duration_minutes(*median_minutes),
            format::duration_minutes(*p80_minutes),
            cases
        ),
        Some(Forecast::NotEnoughData { .. }) => format!(
            "Durée habituelle : {}",
            format::duration_minutes(i64::from(step.expected_minutes))
        ),
        None => format!(
            "Durée habituelle : {}",
            format::duration_minutes(i64::from(step.expected_minutes))
        ),
    });
    view! {
        <li class=format!("sesame-timeline__step sesame-timeline__step--{}", step.state.code())>
            <div class="sesame-timeline__head">
                <h3 class="fr-h6 sesame-timeline__title">{step.kind.label()}</h3>
                <StepBadge state=step.state />
            </div>
            {timing.map(|text| view! { <p class="fr-text--sm fr-mb-0">{text}</p> })}
            {step.actor.map(|actor| view! { <p class="fr-text--sm fr-mb-0">{format!("Par : {}", actor.label())}</p> })}
            {step.outcome.map(|outcome| view! { <p class="fr-text--sm fr-mb-0"><strong>{outcome}</strong></p> })}
            {expected.map(|text| view! { <p class="fr-text--xs fr-mb-0 sesame-muted">{text}</p> })}
        </li>
    }
}

/// The history as an operator reads it: what happened, when, which step of the journey it moved
/// and which system said so; the details of the systems of record stay with the agents.
#[component]
fn OperatorHistory(events: Vec<TimelineEvent>) -> impl IntoView {
    if events.is_empty() {
        return view! { <p>"Rien n'a encore été reçu pour ce dossier."</p> }.into_any();
    }
    view! {
        <DataTable caption="Ce qui s'est passé pour cet envoi, dans l'ordre, d'après les systèmes de la douane, du SIVEP et des ports et aéroports">
            <thead>
                <tr>
                    <th scope="col">"Le"</th>
                    <th scope="col">"Ce qui s'est passé"</th>
                    <th scope="col">"Étape concernée"</th>
                    <th scope="col">"Transmis par"</th>
                </tr>
            </thead>
            <tbody>
                {events
                    .into_iter()
                    .map(|event| view! {
                        <tr>
                            <td><time datetime=format::iso(event.occurred_at)>{format::date_time(event.occurred_at)}</time></td>
                            <td>{event.kind.label()}</td>
                            <td>{event.kind.step().label()}</td>
                            <td>{event.source.label()}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </DataTable>
    }
    .into_any()
}

#[component]
fn EventHistory(events: Vec<TimelineEvent>) -> impl IntoView {
    if events.is_empty() {
        return view! { <p>"Aucun événement reçu pour ce dossier."</p> }.into_any();
    }
    view! {
        <DataTable caption="Événements reçus des systèmes d'information, dans l'ordre où ils sont survenus">
            <thead>
                <tr>
                    <th scope="col">"Survenu le"</th>
                    <th scope="col">"Événement"</th>
                    <th scope="col">"Source"</th>
                </tr>
            </thead>
            <tbody>
                {events
                    .into_iter()
                    .map(|event| view! {
                        <tr>
                            <td><time datetime=format::iso(event.occurred_at)>{format::date_time(event.occurred_at)}</time></td>
                            <td>
                                {event.kind.label()}
                                {event.detail.map(|detail| view! { <br /><span class="fr-text--xs">{detail}</span> })}
                            </td>
                            <td>{event.source.label()}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </DataTable>
    }
    .into_any()
}
