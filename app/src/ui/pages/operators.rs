//! « Fiche d'Identité Opérateur »: `/operateurs`, finding a company by its name, SIRET or EORI,
//! and `/operateurs/{id}`, its card. The identity block is common; the rest covers the sites the
//! reader may see, and says which.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::operators::{read_operator_card, search_operators, OperatorSearchResult};
use crate::domain::mandate::Mandate;
use crate::domain::operator::{
    CardAlert, CardDossier, CardExchange, CardMonth, CardNonConformity, CardPostAppointments,
    Identity, OperatorCard, CARD_LINES, MAX_SEARCH_CHARS,
};
use crate::ui::components::chart::{Bar, BarChart};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::DataTable;
use crate::ui::format;
use crate::ui::pages::not_found::set_not_found_status;

#[component]
pub fn OperatorsPage() -> impl IntoView {
    let query = use_query_map();
    let typed = Memo::new(move |_| query.with(|q| q.get("recherche").unwrap_or_default()));
    let result = Resource::new(move || typed.get(), search_operators);
    view! {
        <Title text="Opérateurs" />
        <div class="fr-container fr-my-6w">
            <h1>"Opérateurs"</h1>
            <p>
                "La fiche d'un opérateur rassemble son identité et son activité sur vos sites : ses dossiers, "
                "ses rendez-vous, ses non-conformités, ses échanges avec les administrations et les alertes qui le concernent. "
                "Chaque consultation d'une fiche est tracée."
            </p>
            <form method="get" action="/operateurs" class="sesame-narrow" role="search" aria-label="Rechercher un opérateur" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="operateur-recherche">
                        "Nom, SIRET ou EORI"
                        <span class="fr-hint-text">"Par exemple : Océane, 732 829 320 00074 ou FR732829320"</span>
                    </label>
                    <input
                        class="fr-input"
                        id="operateur-recherche"
                        name="recherche"
                        type="search"
                        maxlength=MAX_SEARCH_CHARS.to_string()
                        value=typed.get_untracked()
                    />
                </div>
                <button class="fr-btn" type="submit">"Rechercher"</button>
            </form>
            <Loaded resource=result loading="Recherche des opérateurs…" failed="La recherche n'a pas pu aboutir" let:result>
                <SearchResult result typed=typed.get_untracked() />
            </Loaded>
        </div>
    }
}

#[component]
fn SearchResult(result: OperatorSearchResult, typed: String) -> impl IntoView {
    if let Some(problem) = result.problem {
        return view! {
            <div class="fr-alert fr-alert--error fr-alert--sm fr-mt-3w" role="alert">
                <p>{problem}</p>
            </div>
        }
        .into_any();
    }
    if typed.trim().is_empty() {
        return ().into_any();
    }
    let reach = if result.all_sites {
        "parmi tous les opérateurs"
    } else {
        "parmi les opérateurs qui ont des dossiers sur vos sites"
    };
    if result.hits.is_empty() {
        return view! {
            <p class="fr-mt-3w" role="status">{format!("Aucun opérateur ne correspond à « {} » {reach}.", typed.trim())}</p>
        }
        .into_any();
    }
    let count = result.hits.len();
    view! {
        <section class="fr-mt-4w" aria-labelledby="operateurs-trouves">
            <h2 class="fr-h4" id="operateurs-trouves">
                {format!("{} {reach}", format::count(count as i64, "opérateur trouvé", "opérateurs trouvés"))}
            </h2>
            {(count as i64 >= CARD_LINES).then(|| view! {
                <p class="fr-hint-text">"Seuls les premiers sont montrés : précisez la recherche."</p>
            })}
            <ul class="fr-raw-list">
                {result.hits.into_iter().map(|hit| view! {
                    <li class="fr-mb-2w">
                        <a class="fr-link" href=format!("/operateurs/{}", hit.id)>{hit.name.clone()}</a>
                        <br />
                        <span class="fr-text--sm">
                            {format!("SIRET {}", hit.siret)}
                            {hit.eori.map(|eori| format!(" · EORI {eori}"))}
                        </span>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
pub fn OperatorCardPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())));
    let card = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => read_operator_card(id).await,
                None => Ok(None),
            }
        },
    );
    view! {
        <div class="fr-container fr-my-6w">
            <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
                <ol class="fr-breadcrumb__list">
                    <li><a class="fr-breadcrumb__link" href="/">"Accueil"</a></li>
                    <li><a class="fr-breadcrumb__link" href="/operateurs">"Opérateurs"</a></li>
                    <li><a class="fr-breadcrumb__link" aria-current="page">"Fiche d'identité"</a></li>
                </ol>
            </nav>
            <Loaded resource=card loading="Chargement de la fiche…" failed="La fiche n'a pas pu être chargée" page_heading=true let:card>
                {match card {
                    Some(card) => view! { <CardView card /> }.into_any(),
                    None => {
                        set_not_found_status();
                        view! {
                            <Title text="Opérateur introuvable" />
                            <h1>"Opérateur introuvable"</h1>
                            <p>"Aucun opérateur dont vous pouvez consulter la fiche ne porte ce numéro : vous voyez les opérateurs qui ont des dossiers, ou un mandat de représentation, sur les sites pour lesquels vous êtes habilité."</p>
                            <a class="fr-btn" href="/operateurs">"Rechercher un opérateur"</a>
                        }.into_any()
                    }
                }}
            </Loaded>
        </div>
    }
}

#[component]
fn CardView(card: OperatorCard) -> impl IntoView {
    let coverage = if card.all_sites {
        "Activité sur tous les sites.".to_owned()
    } else {
        format!(
            "Activité sur vos sites seulement : {}.",
            card.sites.join(", ")
        )
    };
    let open_count = card.open_count();
    let total = card.dossier_count();
    let OperatorCard {
        identity,
        by_status,
        by_step,
        open,
        non_conformities,
        appointments,
        exchanges,
        alerts,
        months,
        mandates_given,
        mandates_received,
        ..
    } = card;
    view! {
        <Title text=format!("{} — fiche d'identité", identity.name) />
        <h1>{identity.name.clone()}</h1>
        <p class="fr-text--lead">{coverage}</p>
        <IdentityBlock identity />
        <CardSection id="fiche-dossiers" title="Dossiers">
            <p>{format!("{} dont {} en cours ou bloqués.", format::count(total, "dossier", "dossiers"), open_count)}</p>
            <DataTable caption="Dossiers par statut">
                <thead><tr><th scope="col">"Statut"</th><th scope="col">"Dossiers"</th></tr></thead>
                <tbody>
                    {by_status.into_iter().map(|(status, count)| view! {
                        <tr><td>{status.label()}</td><td>{format::thousands(count)}</td></tr>
                    }).collect_view()}
                </tbody>
            </DataTable>
            {(!by_step.is_empty()).then(|| view! {
                <DataTable caption="Dossiers en cours ou bloqués, par étape">
                    <thead><tr><th scope="col">"Étape"</th><th scope="col">"Dossiers"</th></tr></thead>
                    <tbody>
                        {by_step.into_iter().map(|(step, count)| view! {
                            <tr>
                                <td>{step.map(|step| step.label()).unwrap_or("Pas encore commencé")}</td>
                                <td>{format::thousands(count)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </DataTable>
            })}
            <OpenDossiers open open_count />
        </CardSection>
        <Appointments appointments />
        <NonConformities non_conformities />
        <Exchanges exchanges />
        <Alerts alerts />
        <Mandates given=mandates_given received=mandates_received />
        <History months />
    }
}

/// The mandates of representation the company gave and received, over the card's sites.
#[component]
fn Mandates(given: Vec<Mandate>, received: Vec<Mandate>) -> impl IntoView {
    let table = |caption: &'static str,
                 counterpart: &'static str,
                 mandates: Vec<Mandate>,
                 given: bool| {
        view! {
            <DataTable caption>
                <thead>
                    <tr>
                        <th scope="col">{counterpart}</th>
                        <th scope="col">"Sites"</th>
                        <th scope="col">"Période"</th>
                        <th scope="col">"État"</th>
                    </tr>
                </thead>
                <tbody>
                    {mandates.into_iter().map(|mandate| view! {
                        <tr>
                            <td>{if given {
                                format!("{} (SIRET {})", mandate.representative, mandate.representative_siret)
                            } else {
                                mandate.importer.clone()
                            }}</td>
                            <td>{mandate.sites.join(", ")}</td>
                            <td>{crate::domain::mandate::period(mandate.starts_on, mandate.ends_on)}</td>
                            <td>{mandate.state.label()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </DataTable>
        }
    };
    view! {
        <CardSection id="fiche-mandats" title="Mandats de représentation">
            {if given.is_empty() && received.is_empty() {
                view! { <p>"Aucun mandat de représentation sur ces sites."</p> }.into_any()
            } else {
                view! {
                    {(!given.is_empty()).then(|| table("Mandats donnés à des représentants", "Représentant", given, true))}
                    {(!received.is_empty()).then(|| table("Mandats reçus : entreprises représentées", "Entreprise représentée", received, false))}
                }.into_any()
            }}
        </CardSection>
    }
}

#[component]
fn IdentityBlock(identity: Identity) -> impl IntoView {
    // Heads of service decide about the accounts of the operators of their sites.
    let decides = use_context::<crate::ui::CurrentUser>()
        .and_then(|user| user.0)
        .is_some_and(|user| user.may_open(crate::domain::access::EntryPoint::DecideAccount));
    let siret_checked = identity.siret_checked();
    let eori_checked = identity.eori_checked();
    view! {
        <CardSection id="fiche-identite" title="Identité">
            <dl class="sesame-facts">
                <dt>"SIRET"</dt>
                <dd>
                    {identity.siret.clone()}" "
                    {if siret_checked {
                        view! { <span class="fr-badge fr-badge--sm fr-badge--success">"Clé de contrôle vérifiée"</span> }.into_any()
                    } else {
                        view! { <span class="fr-badge fr-badge--sm fr-badge--error">"Clé de contrôle fausse"</span> }.into_any()
                    }}
                </dd>
                <dt>"EORI"</dt>
                <dd>
                    {match (identity.eori.clone(), eori_checked) {
                        (Some(eori), Some(true)) => view! {
                            {eori}" "<span class="fr-badge fr-badge--sm fr-badge--success">"Format vérifié"</span>
                        }.into_any(),
                        (Some(eori), _) => view! {
                            {eori}" "<span class="fr-badge fr-badge--sm fr-badge--error">"Format invalide"</span>
                        }.into_any(),
                        (None, _) => view! { "Non renseigné" }.into_any(),
                    }}
                </dd>
                <dt>"Adresse"</dt>
                <dd>{identity.address.clone().unwrap_or_else(|| "Non renseignée".to_owned())}</dd>
            </dl>
            <h3 class="fr-h6">"Utilisateurs de l'entreprise"</h3>
            {if identity.people.is_empty() {
                view! { <p>"Aucun compte n'est rattaché à cette entreprise."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {identity.people.into_iter().map(|(id, name, email, admin)| view! {
                            <li class="sesame-break">
                                // A head of service may suspend or close the account from its page.
                                {if decides {
                                    view! { <a href=format!("/comptes/{id}")>{name}</a> }.into_any()
                                } else {
                                    view! { <span>{name}</span> }.into_any()
                                }}
                                {format!(" — {email}")}
                                {admin.then_some(" (administrateur de l'entreprise)")}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </CardSection>
    }
}

#[component]
fn OpenDossiers(open: Vec<CardDossier>, open_count: i64) -> impl IntoView {
    if open.is_empty() {
        return view! { <p>"Aucun dossier en cours ou bloqué."</p> }.into_any();
    }
    let caption = if open_count > open.len() as i64 {
        format!(
            "Les {} dossiers ouverts qui attendent depuis le plus longtemps (sur {})",
            open.len(),
            open_count
        )
    } else {
        "Dossiers ouverts, ceux qui attendent depuis le plus longtemps d'abord".to_owned()
    };
    view! {
        <DataTable caption multiline=true>
            <thead>
                <tr>
                    <th scope="col">"Référence"</th>
                    <th scope="col">"Site"</th>
                    <th scope="col">"Statut"</th>
                    <th scope="col">"Étape"</th>
                    <th scope="col">"Attente"</th>
                </tr>
            </thead>
            <tbody>
                {open.into_iter().map(|dossier| view! {
                    <tr>
                        <td><a class="fr-link" href=format!("/dossiers/{}", dossier.id)>{dossier.reference.clone()}</a></td>
                        <td>{dossier.site_name.clone()}</td>
                        <td>{dossier.status.label()}</td>
                        <td>{dossier.step.map(|step| step.label()).unwrap_or("Pas encore commencé")}</td>
                        <td>
                            <span title=format!("depuis le {}", format::date_time(dossier.waiting_since))>
                                {format::duration_minutes(dossier.waiting_minutes)}
                            </span>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </DataTable>
    }
    .into_any()
}

fn percent(rate: Option<f64>) -> String {
    rate.map(|rate| format!("{:.1} %", rate).replace('.', ","))
        .unwrap_or_else(|| "—".to_owned())
}

#[component]
fn Appointments(appointments: Vec<CardPostAppointments>) -> impl IntoView {
    view! {
        <CardSection id="fiche-rendez-vous" title="Rendez-vous">
            {if appointments.is_empty() {
                view! { <p>"Aucun rendez-vous de contrôle."</p> }.into_any()
            } else {
                view! {
                    <p>"Le taux d'absence de l'opérateur se compare à celui du poste, tous opérateurs, sur les douze derniers mois."</p>
                    <DataTable caption="Rendez-vous par poste de contrôle" multiline=true>
                        <thead>
                            <tr>
                                <th scope="col">"Poste"</th>
                                <th scope="col">"À venir"</th>
                                <th scope="col">"Honorés"</th>
                                <th scope="col">"Refusés"</th>
                                <th scope="col">"Absences"</th>
                                <th scope="col">"Taux d'absence"</th>
                                <th scope="col">"Taux du poste"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {appointments.into_iter().map(|post| {
                                let rate = percent(post.rate());
                                let post_rate = percent(post.post_rate());
                                view! {
                                    <tr>
                                        <td>{format!("{} ({})", post.post_name, post.post_code)}</td>
                                        <td>{post.upcoming}</td>
                                        <td>{post.honoured}</td>
                                        <td>{post.refused}</td>
                                        <td>{post.no_shows}</td>
                                        <td>{rate}</td>
                                        <td>{post_rate}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </DataTable>
                }.into_any()
            }}
        </CardSection>
    }
}

#[component]
fn NonConformities(non_conformities: Vec<CardNonConformity>) -> impl IntoView {
    view! {
        <CardSection id="fiche-non-conformites" title="Non-conformités et décisions défavorables">
            {if non_conformities.is_empty() {
                view! { <p>"Aucune non-conformité ni décision défavorable."</p> }.into_any()
            } else {
                view! {
                    <DataTable caption="Les plus récentes d'abord" multiline=true>
                        <thead>
                            <tr>
                                <th scope="col">"Dossier"</th>
                                <th scope="col">"Site"</th>
                                <th scope="col">"Étape"</th>
                                <th scope="col">"Constat"</th>
                                <th scope="col">"Le"</th>
                                <th scope="col">"Suites"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {non_conformities.into_iter().map(|line| view! {
                                <tr>
                                    <td><a class="fr-link" href=format!("/dossiers/{}", line.dossier_id)>{line.reference.clone()}</a></td>
                                    <td>{line.site_name.clone()}</td>
                                    <td>{line.step.label()}</td>
                                    <td>{line.outcome.clone().unwrap_or_else(|| "—".to_owned())}</td>
                                    <td>{line.at.map(format::date_time).unwrap_or_else(|| "—".to_owned())}</td>
                                    <td>{line.follow_up.map(|state| state.label()).unwrap_or("Pas de suites enregistrées")}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </DataTable>
                }.into_any()
            }}
        </CardSection>
    }
}

#[component]
fn Exchanges(exchanges: Vec<CardExchange>) -> impl IntoView {
    view! {
        <CardSection id="fiche-echanges" title="Échanges avec les administrations">
            {if exchanges.is_empty() {
                view! { <p>"Aucun échange."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {exchanges.into_iter().map(|exchange| view! {
                            <li class="fr-mb-1w">
                                <a class="fr-link" href=format!("/messagerie/{}", exchange.id)>{exchange.title.clone()}</a>
                                {format!(
                                    " — {} · {}{} · {}",
                                    exchange.status_label,
                                    exchange.site_name,
                                    exchange.reference.map(|reference| format!(" · {reference}")).unwrap_or_default(),
                                    format::date_time(exchange.updated_at)
                                )}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </CardSection>
    }
}

#[component]
fn Alerts(alerts: Vec<CardAlert>) -> impl IntoView {
    view! {
        <CardSection id="fiche-alertes" title="Alertes en cours">
            {if alerts.is_empty() {
                view! { <p>"Aucune alerte en cours sur ses dossiers."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {alerts.into_iter().map(|alert| view! {
                            <li class="fr-mb-1w">
                                {format!(
                                    "{} — {} · {} depuis le {}",
                                    alert.title,
                                    alert.site_name,
                                    if alert.taken { "prise en charge" } else { "ouverte" },
                                    format::date_time(alert.opened_at)
                                )}
                            </li>
                        }).collect_view()}
                    </ul>
                    <p><a class="fr-link" href="/alertes">"Voir le bureau des alertes"</a></p>
                }.into_any()
            }}
        </CardSection>
    }
}

#[component]
fn History(months: Vec<CardMonth>) -> impl IntoView {
    let bars = months
        .iter()
        .map(|month| Bar {
            label: format::month(month.month, true),
            value: month.opened,
        })
        .collect();
    view! {
        <CardSection id="fiche-historique" title="Historique">
            <BarChart id="fiche-mois" title="Dossiers ouverts par mois, sur douze mois" bars />
            <DataTable caption="Dossiers ouverts par mois">
                <thead>
                    <tr>
                        <th scope="col">"Mois"</th>
                        <th scope="col">"Ouverts"</th>
                        <th scope="col">"Dont non conformes"</th>
                    </tr>
                </thead>
                <tbody>
                    {months.into_iter().map(|month| view! {
                        <tr>
                            <td>{format::month(month.month, false)}</td>
                            <td>{format::thousands(month.opened)}</td>
                            <td>{format::thousands(month.non_compliant)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </DataTable>
        </CardSection>
    }
}

/// A part of the card, under its heading.
#[component]
fn CardSection(id: &'static str, title: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="fr-mb-6w" aria-labelledby=id>
            <h2 id=id>{title}</h2>
            {children()}
        </section>
    }
}

/// A company's name, as a link to its card for those who may read cards (the card itself then
/// decides what they see), as text for everyone else.
#[component]
pub fn OperatorName(company_id: Option<i64>, name: String) -> impl IntoView {
    use crate::domain::access::EntryPoint;
    let may_read = use_context::<crate::ui::CurrentUser>()
        .and_then(|user| user.0)
        .is_some_and(|user| user.may_open(EntryPoint::OperatorCards));
    match company_id.filter(|_| may_read) {
        Some(id) => view! {
            <a class="fr-link" href=format!("/operateurs/{id}") title=format!("Fiche d'identité de {name}")>{name.clone()}</a>
        }
        .into_any(),
        None => name.into_any(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates_read_in_french() {
        assert_eq!(super::percent(Some(12.345)), "12,3 %");
        assert_eq!(super::percent(None), "—");
    }
}
