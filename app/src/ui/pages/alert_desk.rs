//! The alerts desk (`/alertes`): the alerts of the reader's sites, live, with filters (a plain
//! GET form: the state lives in the address), the counts under way by rule, each alert's history,
//! and, for the agents and heads of service of its site, « Prendre en charge » and « Clore ».
//! Supervisors read every site and act on none. Heads of service also set the thresholds
//! (`/alertes/seuils`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::alerts::{
    list_alert_thresholds, list_alerts, AlertCard, AlertDesk, PostThresholds, ThresholdLine,
};
use crate::domain::alert::{setting_label, AlertState, Rule, Setting, Unit};
use crate::domain::dossier::GoodsCategory;
use crate::domain::journey::StepKind;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::DataTable;
use crate::ui::format;
use crate::ui::live::{LiveBar, LiveWatch};
use crate::ui::notices::Notice;

const PARAM_SITE: &str = "site";
const PARAM_POST: &str = "poste";
const PARAM_RULE: &str = "regle";
const PARAM_STATE: &str = "etat";

#[component]
pub fn AlertDeskPage() -> impl IntoView {
    let params = use_query_map();
    let filters = Memo::new(move |_| {
        params.with(|p| {
            let get = |name: &str| p.get(name).filter(|value| !value.is_empty());
            (
                get(PARAM_SITE),
                get(PARAM_POST),
                get(PARAM_RULE),
                get(PARAM_STATE),
            )
        })
    });
    let desk = Resource::new(
        move || filters.get(),
        |(site, post, rule, state)| list_alerts(site, post, rule, state),
    );
    view! {
        <Title text="Alertes" />
        <div class="fr-container fr-my-6w">
            <h1>"Bureau des alertes"</h1>
            <div class="sesame-live-bar">
                <LiveBar watch=LiveWatch::AlertDesk pause=false />
            </div>
            <p>
                "France Sésame surveille les passages frontière de vos sites et signale ici, selon les seuils fixés par les chefs de service, "
                "les étapes trop longues, les engorgements, les contrôles sans rendez-vous, les analyses et les suites qui tardent, "
                "les événements hors de l'ordre du parcours et les systèmes partenaires silencieux. "
                "Une alerte se ferme d'elle-même quand sa condition a cessé depuis dix minutes. "
                "Les événements reçus qui désignent plusieurs dossiers, ou envoient des marchandises à un poste "
                "qui n'est pas agréé pour elles, sont enregistrés sans rien fusionner et signalés ici jusqu'à ce qu'un agent les clôture."
            </p>
            <Notice />
            <div id="bureau-alertes" data-direct>
                <Loaded resource=desk loading="Chargement des alertes…" failed="Les alertes n'ont pas pu être chargées" let:desk>
                    <DeskView desk filters=filters.get_untracked() />
                </Loaded>
            </div>
        </div>
    }
}

type Filters = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

#[component]
fn DeskView(desk: AlertDesk, filters: Filters) -> impl IntoView {
    let (site, post, rule, state) = filters;
    let under_way: i64 = desk.counts.iter().map(|c| c.open + c.taken).sum();
    let counted: Vec<_> = desk
        .counts
        .iter()
        .filter(|count| count.open + count.taken > 0)
        .cloned()
        .collect();
    let empty = desk.alerts.is_empty();
    let read_only = desk.read_only;
    let selected = |current: &Option<String>, value: &str| current.as_deref() == Some(value);
    view! {
        {read_only.then(|| view! {
            <div class="fr-notice fr-notice--info fr-mb-3w">
                <div class="fr-container"><div class="fr-notice__body">
                    <p class="fr-notice__title">"Lecture seule : vous suivez les alertes de tous les sites, les agents des sites les traitent."</p>
                </div></div>
            </div>
        })}
        {desk.sets_thresholds.then(|| view! {
            <p><a class="fr-link" href="/alertes/seuils">"Fixer les seuils des alertes de vos postes"</a></p>
        })}
        <h2 class="fr-h4" id="comptes-alertes" aria-live="polite">
            {match under_way {
                0 => "Aucune alerte en cours".to_owned(),
                1 => "1 alerte en cours".to_owned(),
                n => format!("{n} alertes en cours"),
            }}
        </h2>
        {(!counted.is_empty()).then(|| view! {
            <div class="fr-table fr-table--no-caption">
                <table>
                    <caption>"Alertes en cours par règle"</caption>
                    <thead><tr><th scope="col">"Règle"</th><th scope="col">"Ouvertes"</th><th scope="col">"Prises en charge"</th></tr></thead>
                    <tbody>
                        {counted.into_iter().map(|count| view! {
                            <tr><th scope="row">{count.label}</th><td>{count.open}</td><td>{count.taken}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        <form method="get" action="/alertes" class="sesame-filters" aria-label="Filtrer les alertes">
            <div class="fr-select-group">
                <label class="fr-label" for="alertes-site">"Site"</label>
                <select class="fr-select" id="alertes-site" name=PARAM_SITE>
                    <option value="" selected=site.is_none()>"Tous vos sites"</option>
                    {desk.sites.iter().map(|(code, name)| view! {
                        <option value=code.clone() selected=selected(&site, code)>{name.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="fr-select-group">
                <label class="fr-label" for="alertes-poste">"Poste de contrôle"</label>
                <select class="fr-select" id="alertes-poste" name=PARAM_POST>
                    <option value="" selected=post.is_none()>"Tous les postes"</option>
                    {desk.posts.iter().map(|(code, name)| view! {
                        <option value=code.clone() selected=selected(&post, code)>{format!("{name} ({code})")}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="fr-select-group">
                <label class="fr-label" for="alertes-regle">"Règle"</label>
                <select class="fr-select" id="alertes-regle" name=PARAM_RULE>
                    <option value="" selected=rule.is_none()>"Toutes les règles"</option>
                    {Rule::ALL.into_iter().map(|known| view! {
                        <option value=known.code() selected=selected(&rule, known.code())>{known.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="fr-select-group">
                <label class="fr-label" for="alertes-etat">"État"</label>
                <select class="fr-select" id="alertes-etat" name=PARAM_STATE>
                    <option value="" selected=state.is_none()>"En cours (ouvertes et prises en charge)"</option>
                    {AlertState::ALL.into_iter().map(|known| view! {
                        <option value=known.code() selected=selected(&state, known.code())>{known.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="sesame-filters__actions">
                <button class="fr-btn" type="submit">"Afficher"</button>
            </div>
        </form>
        {empty.then(|| view! { <p id="aucune-alerte-bureau">"Aucune alerte ne correspond à ces critères."</p> })}
        <ul class="sesame-alerts">
            {desk
                .alerts
                .into_iter()
                .map(|alert| {
                    let key = alert.id.to_string();
                    view! { <li data-cle=key><Card alert /></li> }
                })
                .collect_view()}
        </ul>
        {desk.more.then(|| view! {
            <p>"Seules les 100 alertes ouvertes le plus récemment sont affichées : précisez les critères pour voir les autres."</p>
        })}
    }
}

/// The first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[component]
fn Card(alert: AlertCard) -> impl IntoView {
    let title_id = format!("alerte-{}-titre", alert.id);
    let labelled_by = title_id.clone();
    let note_id = format!("alerte-{}-note", alert.id);
    let tone = match alert.state {
        AlertState::Ouverte => "fr-badge--warning",
        AlertState::Prise => "fr-badge--info",
        AlertState::Close => "fr-badge--success",
    };
    let state_label = match (alert.state, &alert.closed_at, &alert.closed_by) {
        (AlertState::Close, Some(_), None) => "Résolue automatiquement".to_owned(),
        (state, _, _) => state.label().to_owned(),
    };
    let place = match &alert.post {
        Some(post) => format!("{}, poste {post}", alert.site_name),
        None => alert.site_name.clone(),
    };
    let opened = if alert.openings > 1 {
        format!(
            "Ouverte le {} (ouverte {} fois).",
            format::date_time(alert.opened_at),
            alert.openings
        )
    } else {
        format!("Ouverte le {}.", format::date_time(alert.opened_at))
    };
    let take = format!("/alertes/{}/prise", alert.id);
    let close = format!("/alertes/{}/cloture", alert.id);
    let may_take = alert.actionable && alert.state == AlertState::Ouverte;
    let history = alert.history.clone();
    view! {
        <article class="fr-card fr-card--no-arrow fr-mb-3w sesame-alert" id=format!("alerte-{}", alert.id) aria-labelledby=labelled_by>
            <div class="fr-card__body">
                <div class="fr-card__content">
                    <h3 class="fr-card__title" id=title_id>{capitalised(&alert.title)}</h3>
                    <p class="fr-card__desc">
                        <span class=format!("fr-badge fr-badge--sm {tone}")>{state_label}</span>
                        " "
                        <span class="fr-badge fr-badge--sm">{alert.rule_label.clone()}</span>
                    </p>
                    <p class="fr-card__desc">{alert.detail.clone()}</p>
                    <p class="fr-card__desc">
                        {format!("{place}. {opened} Responsable : {}.", alert.responsible)}
                        {alert.dossier_id.map(|id| view! {
                            " " <a href=format!("/dossiers/{id}")>"Voir le dossier"</a>
                        })}
                    </p>
                    {(alert.state != AlertState::Close).then(|| alert.closes_at.map(|at| view! {
                        <p class="fr-card__desc">
                            {format!("La condition a cessé : l'alerte se fermera d'elle-même le {} si elle ne revient pas.", format::date_time(at))}
                        </p>
                    })).flatten()}
                    {alert.taken_by.clone().map(|who| view! {
                        <p class="fr-card__desc">
                            {format!("Prise en charge par {who}{}.", alert.taken_at.map(|at| format!(" le {}", format::date_time(at))).unwrap_or_default())}
                        </p>
                    })}
                    {alert.closing_note.clone().filter(|_| alert.closed_by.is_some()).map(|note| view! {
                        <p class="fr-card__desc">{format!("Close par {} : « {note} »", alert.closed_by.clone().unwrap_or_default())}</p>
                    })}
                    {(!history.is_empty()).then(|| view! {
                        <details class="fr-mt-1w">
                            <summary>"Historique"</summary>
                            <ul>
                                {history.into_iter().map(|item| view! {
                                    <li>{format!("{} — {}", format::date_time(item.at), item.text)}</li>
                                }).collect_view()}
                            </ul>
                        </details>
                    })}
                    {may_take.then(|| view! {
                        <form method="post" action=take class="fr-mt-2w">
                            <button class="fr-btn" type="submit">"Prendre en charge"</button>
                        </form>
                    })}
                    {(alert.actionable && alert.state != AlertState::Close).then(|| view! {
                        <form method="post" action=close class="sesame-narrow fr-mt-2w" novalidate>
                            <div class="fr-input-group">
                                <label class="fr-label" for=note_id.clone()>
                                    "Note de clôture"
                                    <span class="fr-hint-text">"Ce qui a été fait ou constaté (5 à 1 000 caractères). Elle est conservée au journal d'audit."</span>
                                </label>
                                <textarea class="fr-input" id=note_id name="note" rows="2" required minlength="5" maxlength="1000"></textarea>
                            </div>
                            <button class="fr-btn fr-btn--secondary" type="submit">"Clore l'alerte"</button>
                        </form>
                    })}
                </div>
            </div>
        </article>
    }
}

/// The thresholds of the alerts of the posts a head of service heads (`/alertes/seuils`).
#[component]
pub fn AlertThresholdsPage() -> impl IntoView {
    let posts = Resource::new(|| (), |_| list_alert_thresholds());
    view! {
        <Title text="Seuils des alertes" />
        <div class="fr-container fr-my-6w">
            <h1>"Seuils des alertes"</h1>
            <p>
                "Chaque poste a un seuil général par règle (et, pour les durées d'étape et les engorgements, par étape), "
                "repris des valeurs nationales à sa création. Vous pouvez les modifier et ajouter des seuils particuliers "
                "à une catégorie de marchandises ou à une étape : le plus précis s'applique. Les alertes sont évaluées à chaque événement et chaque minute."
            </p>
            <p><a class="fr-link" href="/alertes">"Retour au bureau des alertes"</a></p>
            <Notice />
            <Loaded resource=posts loading="Chargement des seuils…" failed="Les seuils n'ont pas pu être chargés" let:posts>
                {if posts.is_empty() {
                    view! { <p>"Vous n'êtes chef de service d'aucun poste."</p> }.into_any()
                } else {
                    posts.into_iter().map(|post| view! { <PostSettings post /> }).collect_view().into_any()
                }}
            </Loaded>
        </div>
    }
}

fn unit_hint(setting: Setting) -> &'static str {
    match setting.unit() {
        Unit::Minutes => "en minutes",
        Unit::Percent => "en pourcentage",
        Unit::Dossiers => "en nombre de dossiers",
        Unit::OnOff => "1 activée, 0 désactivée",
    }
}

#[component]
fn PostSettings(post: PostThresholds) -> impl IntoView {
    let heading_id = format!("poste-{}", post.post_code);
    let labelled_by = heading_id.clone();
    let prefix = post.post_code.to_lowercase();
    let code = post.post_code.clone();
    view! {
        <section class="fr-mt-6w" aria-labelledby=labelled_by>
            <h2 id=heading_id>{format!("{} ({})", post.post_name, post.post_code)}</h2>
            <h3 class="fr-h5">"Qui répond de chaque étape"</h3>
            <DataTable caption=format!("Responsabilité des étapes au poste {}", post.post_code)>
                <thead><tr><th scope="col">"Étape"</th><th scope="col">"Administration ou service"</th></tr></thead>
                <tbody>
                    {post.responsibilities.into_iter().map(|(step, who)| view! {
                        <tr><th scope="row">{step}</th><td>{who}</td></tr>
                    }).collect_view()}
                </tbody>
            </DataTable>
            <h3 class="fr-h5">"Seuils"</h3>
            <DataTable caption=format!("Seuils des alertes du poste {}", post.post_code)>
                <thead><tr>
                    <th scope="col">"Règle"</th><th scope="col">"Catégorie"</th><th scope="col">"Étape"</th>
                    <th scope="col">"Seuil"</th><th scope="col">"Retirer"</th>
                </tr></thead>
                <tbody>
                    {post.lines.into_iter().map(|line| view! { <Line line post=code.clone() /> }).collect_view()}
                </tbody>
            </DataTable>
            <form method="post" action="/alertes/seuils" class="sesame-narrow" aria-label=format!("Fixer un seuil du poste {}", post.post_code) novalidate>
                <input type="hidden" name="poste" value=post.post_code.clone() />
                <div class="fr-select-group">
                    <label class="fr-label" for=format!("{prefix}-regle")>"Règle"</label>
                    <select class="fr-select" id=format!("{prefix}-regle") name="regle">
                        {Setting::ALL.into_iter().map(|setting| view! {
                            <option value=setting.code()>{format!("{} ({})", setting_label(setting), unit_hint(setting))}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for=format!("{prefix}-categorie")>"Catégorie de marchandises"</label>
                    <select class="fr-select" id=format!("{prefix}-categorie") name="categorie">
                        <option value="*">"Toutes catégories"</option>
                        {GoodsCategory::ALL.into_iter().map(|goods| view! {
                            <option value=goods.code()>{goods.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for=format!("{prefix}-etape")>"Étape"</label>
                    <select class="fr-select" id=format!("{prefix}-etape") name="etape">
                        <option value="*">"Toutes étapes"</option>
                        {StepKind::ALL.into_iter().map(|step| view! {
                            <option value=step.code()>{step.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for=format!("{prefix}-valeur")>
                        "Valeur"
                        <span class="fr-hint-text">"Durées en minutes (1 440 pour un jour), pourcentage du 80e centile (300 pour trois fois), nombre de dossiers, ou 1/0 pour activer ou désactiver une règle."</span>
                    </label>
                    <input class="fr-input" type="number" inputmode="numeric" min="0" id=format!("{prefix}-valeur") name="valeur" required />
                </div>
                <button class="fr-btn" type="submit">"Enregistrer le seuil"</button>
            </form>
        </section>
    }
}

#[component]
fn Line(line: ThresholdLine, post: String) -> impl IntoView {
    let label = format!(
        "Retirer le seuil particulier : {}, {}, {}",
        line.setting_label, line.goods_label, line.step_label
    );
    view! {
        <tr>
            <th scope="row">{line.setting_label.clone()}</th>
            <td>{line.goods_label.clone()}</td>
            <td>{line.step_label.clone()}</td>
            <td>{line.value_label.clone()}</td>
            <td>
                {if line.base {
                    view! { <span>"Seuil général"</span> }.into_any()
                } else {
                    view! {
                        <form method="post" action="/alertes/seuils">
                            <input type="hidden" name="poste" value=post />
                            <input type="hidden" name="regle" value=line.setting.clone() />
                            <input type="hidden" name="categorie" value=line.goods.clone() />
                            <input type="hidden" name="etape" value=line.step.clone() />
                            <input type="hidden" name="action" value="retirer" />
                            <button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit" aria-label=label>"Retirer"</button>
                        </form>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}
