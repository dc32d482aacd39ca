//! The correlation alerts of the reader's sites: a partner event whose references name two
//! dossiers, or that sends goods to a post not approved for them. Each alert shows the event and
//! the dossiers, links to those the reader may open, and lets an agent close it with what they
//! found.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::alerts::{list_correlation_alerts, AlertDossier, AlertView, PostNotApproved};
use crate::ui::components::badges::StatusBadge;
use crate::ui::components::loaded::Loaded;
use crate::ui::format;
use crate::ui::live::{LiveBar, LiveWatch};
use crate::ui::notices::Notice;

#[component]
pub fn CorrelationAlertsPage() -> impl IntoView {
    // A new event may raise an alert: read again on every event of a dossier (those of the
    // agent's sites are the only ones the stream brings).
    let alerts = Resource::new(|| (), |_| list_correlation_alerts());
    view! {
        <Title text="Alertes de rapprochement" />
        <div class="fr-container fr-my-6w">
            <h1>"Alertes de rapprochement"</h1>
            <LiveBar watch=LiveWatch::Alerts pause=false />
            <p>"Deux situations, venues des événements des systèmes partenaires, vous sont soumises ici :"</p>
            <ul>
                <li>
                    "un événement porte des références qui désignent deux dossiers différents : France Sésame ne les fusionne pas, "
                    "l'événement est rattaché au premier dossier, et il vous revient de vérifier ;"
                </li>
                <li>
                    "un événement envoie des marchandises à un poste de contrôle frontalier qui n'est pas agréé pour leur catégorie : "
                    "il est enregistré tel que le système partenaire l'a transmis ; vérifiez le poste et la catégorie avec l'opérateur."
                </li>
            </ul>
            <Notice />
            <div id="alertes-direct" data-direct>
                <Loaded resource=alerts loading="Chargement des alertes…" failed="Les alertes n'ont pas pu être chargées" let:alerts>
                    <OpenAlerts alerts />
                </Loaded>
            </div>
        </div>
    }
}

/// The open alerts, counted, or a sentence when there are none.
#[component]
fn OpenAlerts(alerts: Vec<AlertView>) -> impl IntoView {
    if alerts.is_empty() {
        return view! {
            <p id="aucune-alerte">"Aucune alerte ouverte sur vos sites."</p>
        }
        .into_any();
    }
    view! {
        <h2 class="fr-h4" aria-live="polite">
            {match alerts.len() {
                1 => "1 alerte ouverte".to_owned(),
                n => format!("{n} alertes ouvertes"),
            }}
        </h2>
        <ul class="sesame-alerts">
            {alerts.into_iter().map(|alert| view! { <li><Alert alert /></li> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn Alert(alert: AlertView) -> impl IntoView {
    let title_id = format!("alerte-{}", alert.id);
    let labelled_by = title_id.clone();
    let field_id = format!("constat-{}", alert.id);
    let action = format!("/alertes-correlation/{}/traitement", alert.id);
    let title = match &alert.post_not_approved {
        Some(_) => format!(
            "Alerte n° {} — Poste non agréé pour ces marchandises",
            alert.id
        ),
        None => format!("Alerte n° {} — {}", alert.id, alert.kind),
    };
    let approval = alert.post_not_approved.clone();
    let concerned = approval.is_some();
    view! {
        <article class="fr-card fr-card--no-arrow fr-mb-3w" aria-labelledby=labelled_by>
            <div class="fr-card__body">
                <div class="fr-card__content">
                    <h3 class="fr-card__title" id=title_id>{title}</h3>
                    <p class="fr-card__desc">
                        {format!(
                            "Événement {} de {}, survenu le {}, reçu le {}.",
                            alert.partner_event_id.clone().map(|id| format!("« {id} »")).unwrap_or_default(),
                            alert.source,
                            format::date_time(alert.occurred_at),
                            format::date_time(alert.created_at),
                        )}
                    </p>
                    {approval.map(|approval| view! { <NotApproved approval /> })}
                    <ul>
                        {alert
                            .dossiers
                            .into_iter()
                            .enumerate()
                            .map(|(index, dossier)| {
                                let role = match (concerned, index) {
                                    (true, _) => "dossier concerné",
                                    (false, 0) => "dossier où l'événement est rattaché",
                                    (false, _) => "autre dossier désigné",
                                };
                                view! { <li><NamedDossier dossier role /></li> }
                            })
                            .collect_view()}
                    </ul>
                    {alert.resolvable.then(|| view! {
                        <form method="post" action=action class="sesame-narrow fr-mt-2w" novalidate>
                            <div class="fr-input-group">
                                <label class="fr-label" for=field_id.clone()>
                                    "Votre constat"
                                    <span class="fr-hint-text">"Ce que vous avez vérifié et décidé (5 à 1 000 caractères). Il est conservé au journal d'audit."</span>
                                </label>
                                <textarea class="fr-input" id=field_id name="constat" rows="3" required minlength="5" maxlength="1000"></textarea>
                            </div>
                            <button class="fr-btn fr-btn--secondary" type="submit">"Clore l'alerte"</button>
                        </form>
                    })}
                </div>
            </div>
        </article>
    }
}

/// What an alert about goods sent to a post not approved for them says.
#[component]
fn NotApproved(approval: PostNotApproved) -> impl IntoView {
    let post = if approval.post_name.is_empty() {
        format!("poste {}", approval.post_code)
    } else {
        format!("poste « {} » ({})", approval.post_name, approval.post_code)
    };
    let approvals = if approval.approvals.is_empty() {
        "Ses agréments ne sont plus renseignés.".to_owned()
    } else {
        let labels: Vec<String> = approval
            .approvals
            .iter()
            .map(|label| in_sentence(label))
            .collect();
        format!("Ce poste est agréé pour : {}.", labels.join(", "))
    };
    view! {
        <p class="fr-card__desc">
            <strong>{format!("Marchandises : {}", in_sentence(&approval.goods))}</strong>
            {format!(" — envoyées au {post}, qui n'est pas agréé pour cette catégorie. {approvals}")}
        </p>
    }
}

/// A label inside a sentence: its first letter in lower case.
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[component]
fn NamedDossier(dossier: AlertDossier, role: &'static str) -> impl IntoView {
    match dossier.seen {
        Some(seen) => view! {
            <a href=format!("/dossiers/{}", dossier.id)>{seen.headline}</a>
            {format!(
                " ({role}) — {}{} ",
                seen.site_name,
                seen.company_name.map(|name| format!(", {name}")).unwrap_or_default()
            )}
            <StatusBadge status=seen.status />
        }
        .into_any(),
        None => view! {
            <span>{format!("Dossier n° {} ({role}) : hors de votre périmètre", dossier.id)}</span>
        }
        .into_any(),
    }
}
