//! The state of the service: the public page « État du service » (`/etat-du-service`), the
//! banner every page shows before a maintenance, and the technical administrator's page
//! (`/administration/maintenance`) where maintenances are scheduled, started, cancelled or ended,
//! incidents recorded, and each site's procédure de secours written.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::service::load_service_state;
use crate::domain::dates::MOMENT_PLACEHOLDER;
use crate::domain::service::{
    parse_interruption, Interruption, ServiceNotice, ServiceState, SiteProcedure, HISTORY_DAYS,
    PROCEDURE_MAX,
};
use crate::ui::components::loaded::Loaded;
use crate::ui::notices::Notice;

/// The public page.
pub const PATH: &str = "/etat-du-service";

/// A text as paragraphs, one per line written.
fn paragraphs(text: &str) -> impl IntoView {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| view! { <p class="fr-mb-1w">{line.to_owned()}</p> })
        .collect_view()
}

/// The banner under the header: the maintenance announced (within a week), or, for the
/// administrator who still works during one, the one under way. Rendered on the server from
/// what it knows of the service at this request.
#[component]
pub fn MaintenanceBanner() -> impl IntoView {
    let notice = use_context::<ServiceNotice>().unwrap_or_default();
    notice.0.map(|(interruption, under_way)| {
        let title = if under_way {
            format!(
                "Maintenance en cours jusqu'au {} : la plateforme n'est ouverte qu'aux administrateurs techniques.",
                crate::ui::format::date_time(interruption.ends_at)
            )
        } else {
            format!(
                "Maintenance prévue {} : la plateforme sera indisponible pendant ce temps.",
                interruption.period()
            )
        };
        view! {
            <div class="fr-notice fr-notice--info" id="annonce-maintenance">
                <div class="fr-container">
                    <div class="fr-notice__body">
                        <p class="fr-notice__title">
                            {title} " " {interruption.message.clone()} " "
                            <a href=PATH>"État du service et procédure de secours"</a>
                        </p>
                    </div>
                </div>
            </div>
        }
    })
}

#[component]
pub fn ServiceStatusPage() -> impl IntoView {
    let state = Resource::new(|| (), |_| load_service_state());
    view! {
        <Title text="État du service" />
        <div class="fr-container fr-my-6w">
            <h1>"État du service"</h1>
            <p class="fr-text--lead">
                "La disponibilité de France Sésame : ce qui se passe maintenant, les maintenances prévues, "
                "ce que vous faites si la plateforme ne répond pas, et les interruptions passées."
            </p>
            <Loaded resource=state loading="Chargement de l'état du service…" failed="L'état du service n'a pas pu être chargé" let:state>
                <Status state />
            </Loaded>
        </div>
    }
}

#[component]
fn Status(state: ServiceState) -> impl IntoView {
    let current = match state.current.clone() {
        Some(interruption) => view! {
            <div class="fr-alert fr-alert--warning fr-mb-4w" id="etat-actuel">
                <h2 class="fr-alert__title">
                    {format!(
                        "{} en cours jusqu'au {}",
                        interruption.kind_label(),
                        crate::ui::format::date_time(interruption.ends_at)
                    )}
                </h2>
                <p>{interruption.message.clone()}</p>
                <p>"Pendant ce temps, suivez la procédure de secours de votre site, ci-dessous."</p>
            </div>
        }
        .into_any(),
        None => view! {
            <div class="fr-alert fr-alert--success fr-mb-4w" id="etat-actuel">
                <h2 class="fr-alert__title">"Le service fonctionne normalement"</h2>
                <p>"Aucune maintenance ni aucun incident n'est en cours."</p>
            </div>
        }
        .into_any(),
    };
    view! {
        {current}
        <section class="fr-mb-4w" aria-labelledby="titre-prevues">
            <h2 id="titre-prevues">"Maintenances prévues"</h2>
            {if state.upcoming.is_empty() {
                view! { <p>"Aucune maintenance n'est prévue."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {state.upcoming.iter().map(|interruption| view! {
                            <li>{format!("{} : {}", capitalised(&interruption.period()), interruption.message)}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <Procedures procedures=state.procedures.clone() />
        <section class="fr-mb-4w" aria-labelledby="titre-passees">
            <h2 id="titre-passees">{format!("Interruptions des {HISTORY_DAYS} derniers jours")}</h2>
            {if state.past.is_empty() {
                view! { <p>"Aucune interruption."</p> }.into_any()
            } else {
                view! {
                    <ul id="interruptions-passees">
                        {state.past.iter().map(|interruption| view! {
                            <li>{past_line(interruption)}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// « Du 12/12/2026 … », a period opening a sentence.
fn capitalised(period: &str) -> String {
    let mut chars = period.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn past_line(interruption: &Interruption) -> String {
    format!(
        "{} {}{} : {}",
        interruption.kind_label(),
        interruption.period(),
        if interruption.cancelled {
            " (annulée)"
        } else {
            ""
        },
        interruption.message
    )
}

#[component]
fn Procedures(procedures: Vec<SiteProcedure>) -> impl IntoView {
    view! {
        <section class="fr-mb-4w" aria-labelledby="titre-secours">
            <h2 id="titre-secours">"Procédure de secours"</h2>
            <p>
                "Quand France Sésame ne répond pas, les formalités continuent : TRACES NT et le système de dédouanement restent les références, "
                "et chaque site a sa procédure."
            </p>
            {if procedures.is_empty() {
                view! { <div>{paragraphs(crate::domain::service::GENERAL_PROCEDURE)}</div> }.into_any()
            } else {
                procedures.into_iter().map(|procedure| view! {
                    <h3 class="fr-h6 fr-mb-1w">{procedure.name.clone()}</h3>
                    <div class="fr-mb-2w">{paragraphs(procedure.text())}</div>
                }).collect_view().into_any()
            }}
        </section>
    }
}

/// The administrator's page.
#[component]
pub fn MaintenancePage() -> impl IntoView {
    let state = Resource::new(|| (), |_| load_service_state());
    view! {
        <Title text="Maintenance et état du service" />
        <div class="fr-container fr-my-6w">
            <h1>"Maintenance et état du service"</h1>
            <p>
                "Pendant une maintenance, toutes les pages répondent « service indisponible » avec la procédure de secours de chaque site, "
                "et l'interface des partenaires demande de réessayer plus tard ; vous seul gardez l'accès. Avant son début, chaque page l'annonce "
                "une semaine à l'avance, et les opérateurs dont un rendez-vous tombe pendant la maintenance en sont notifiés."
            </p>
            <Notice />
            <Loaded resource=state loading="Chargement de l'état du service…" failed="L'état du service n'a pas pu être chargé" let:state>
                <Scheduled state=state.clone() />
                <ProcedureForms procedures=state.procedures />
            </Loaded>
            <InterruptionForm planned=true />
            <InterruptionForm planned=false />
        </div>
    }
}

#[component]
fn Scheduled(state: ServiceState) -> impl IntoView {
    let now = chrono::Utc::now();
    let mut listed: Vec<Interruption> = state.current.into_iter().filter(|i| i.planned).collect();
    listed.extend(state.upcoming);
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-maintenances">
            <h2 id="titre-maintenances">"Maintenances en cours et prévues"</h2>
            {if listed.is_empty() {
                view! { <p id="aucune-maintenance">"Aucune maintenance n'est en cours ni prévue."</p> }.into_any()
            } else {
                view! {
                    <ul class="fr-raw-list">
                        {listed.into_iter().map(|interruption| {
                            let under_way = interruption.during(now);
                            let action = if under_way { "Terminer maintenant" } else { "Annuler cette maintenance" };
                            view! {
                                <li class="fr-mb-2w">
                                    <p class="fr-mb-1w">
                                        <strong>{if under_way { "En cours " } else { "Prévue " }}</strong>
                                        {format!("{} : {}", interruption.period(), interruption.message)}
                                    </p>
                                    <form method="post" action=format!("/administration/maintenance/{}/fin", interruption.id)>
                                        <button type="submit" class="fr-btn fr-btn--secondary fr-btn--sm">{action}</button>
                                    </form>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// A form as it came back refused: its fields, and what is wrong.
fn refilled(form: &'static str, planned: bool) -> Option<([String; 3], String)> {
    let query = use_query_map();
    query.with_untracked(|q| {
        (q.get("formulaire").as_deref() == Some(form)).then(|| {
            let fields = ["debut", "fin", "motif"].map(|name| q.get(name).unwrap_or_default());
            let mistake = parse_interruption(
                planned,
                &fields[0],
                &fields[1],
                &fields[2],
                chrono::Utc::now(),
            )
            .err()
            .unwrap_or_default();
            (fields, mistake)
        })
    })
}

#[component]
fn InterruptionForm(planned: bool) -> impl IntoView {
    let (form, title, action, start_hint, submit) = if planned {
        (
            "maintenance",
            "Prévoir une maintenance",
            "/administration/maintenance",
            "Laissez vide pour la commencer maintenant.",
            "Enregistrer la maintenance",
        )
    } else {
        (
            "incident",
            "Enregistrer un incident passé",
            "/administration/incidents",
            "Quand le service a cessé de répondre.",
            "Enregistrer l'incident",
        )
    };
    let (fields, mistake) = refilled(form, planned).unwrap_or_default();
    let [start, end, message] = fields;
    let id = |name: &str| format!("{form}-{name}");
    view! {
        <section class="fr-mb-6w" aria-labelledby=id("titre")>
            <h2 id=id("titre")>{title}</h2>
            {(!mistake.is_empty()).then(|| view! {
                <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert"><p>{mistake}</p></div>
            })}
            <form method="post" action=action novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for=id("debut")>
                        "Début (heure de Paris)"
                        <span class="fr-hint-text">{format!("{MOMENT_PLACEHOLDER}. {start_hint}")}</span>
                    </label>
                    <input class="fr-input" type="text" id=id("debut") name="debut" value=start autocomplete="off" />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for=id("fin")>
                        "Fin (heure de Paris)"
                        <span class="fr-hint-text">{MOMENT_PLACEHOLDER}</span>
                    </label>
                    <input class="fr-input" type="text" id=id("fin") name="fin" value=end required autocomplete="off" />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for=id("motif")>
                        "Motif"
                        <span class="fr-hint-text">"Une phrase, montrée à tous (500 caractères au plus)."</span>
                    </label>
                    <input class="fr-input" type="text" id=id("motif") name="motif" value=message required maxlength="500" />
                </div>
                <button type="submit" class="fr-btn">{submit}</button>
            </form>
        </section>
    }
}

#[component]
fn ProcedureForms(procedures: Vec<SiteProcedure>) -> impl IntoView {
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-procedures">
            <h2 id="titre-procedures">"Procédures de secours des sites"</h2>
            <p>
                "Ce que font les personnes de chaque site quand la plateforme ne répond pas : contacts et étapes. "
                "Sans texte, la procédure générale s'affiche."
            </p>
            {procedures.into_iter().map(|procedure| {
                let field = format!("procedure-{}", procedure.code);
                view! {
                    <form method="post" action="/administration/procedures" class="fr-mb-3w">
                        <input type="hidden" name="site" value=procedure.code.clone() />
                        <div class="fr-input-group">
                            <label class="fr-label" for=field.clone()>
                                {format!("Procédure de secours — {}", procedure.name)}
                            </label>
                            <textarea class="fr-input" id=field name="texte" rows="4" maxlength=PROCEDURE_MAX.to_string()>
                                {procedure.written.clone()}
                            </textarea>
                        </div>
                        <button type="submit" class="fr-btn fr-btn--secondary">
                            {format!("Enregistrer la procédure de {}", procedure.name)}
                        </button>
                    </form>
                }
            }).collect_view()}
        </section>
    }
}
