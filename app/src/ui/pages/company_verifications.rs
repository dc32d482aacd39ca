//! The agents' queue of new companies: who asks to register which company for their sites, the
//! extract of the company registry to check the SIRET and the name against, and the decision —
//! accepting once every check is ticked, or refusing with a reason told to the person.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::load_company_verifications;
use crate::domain::access_request::{CompanyVerification, SOLE_TRADER_FIELD, VERIFICATION_CHECKS};
use crate::ui::components::loaded::Loaded;
use crate::ui::format;
use crate::ui::notices::Notice;
use crate::ui::pages::account::RefusalForm;

/// Where the queue is.
pub const PATH: &str = "/verifications-entreprises";

#[component]
pub fn CompanyVerificationsPage() -> impl IntoView {
    let waiting = Resource::new(|| (), |_| load_company_verifications());
    view! {
        <Title text="Entreprises à vérifier" />
        <div class="fr-container fr-my-6w">
            <h1>"Entreprises à vérifier"</h1>
            <Notice />
            <p>"Les entreprises pas encore inscrites sur France Sésame dont la première personne, connectée avec son compte douane, a déclaré l'un de vos sites. Vérifiez sur l'extrait du registre joint (extrait Kbis ou avis de situation au répertoire SIRENE) que le SIRET et la raison sociale déclarés sont les bons, puis acceptez : l'entreprise est créée et cette personne en devient l'administratrice. Ce que vous avez vérifié est enregistré."</p>
            <Loaded resource=waiting loading="Chargement des entreprises à vérifier…" failed="Les entreprises à vérifier n'ont pas pu être chargées" let:waiting>
                {if waiting.is_empty() {
                    view! { <p>"Aucune entreprise n'attend de vérification pour vos sites."</p> }.into_any()
                } else {
                    let items = waiting
                        .into_iter()
                        .map(|request| view! { <Verification request /> })
                        .collect_view();
                    view! { <ul class="sesame-requests">{items}</ul> }.into_any()
                }}
            </Loaded>
        </div>
    }
}

#[component]
fn Verification(request: CompanyVerification) -> impl IntoView {
    let query = use_query_map();
    let mine = query.with_untracked(|q| q.get("demande")) == Some(request.id.to_string());
    let motif = if mine {
        query.with_untracked(|q| q.get("motif")).unwrap_or_default()
    } else {
        String::new()
    };
    let id = request.id;
    let accept = format!("{PATH}/{id}/acceptation");
    let refuse = format!("{PATH}/{id}/refus");
    let extract = format!("{PATH}/{id}/extrait");
    let heading = format!("{} — SIRET {}", request.company_name, request.siret);
    let scanned = if request.extract_scanned {
        "analysé par l'antivirus"
    } else {
        "non analysé : cette plateforme n'a pas d'antivirus"
    };
    let extract_label = format!(
        "Télécharger l'extrait « {} » ({}, {}, {scanned})",
        request.extract_name,
        media_label(&request.extract_media),
        format::size(request.extract_size)
    );
    let checks = VERIFICATION_CHECKS
        .iter()
        .map(|(field, label)| {
            let input = format!("{field}-{id}");
            view! {
                <div class="fr-fieldset__element">
                    <div class="fr-checkbox-group">
                        <input type="checkbox" id=input.clone() name=*field value="oui" />
                        <label class="fr-label" for=input>{capitalized(label)}</label>
                    </div>
                </div>
            }
        })
        .collect_view();
    let observations = format!("observations-{id}");
    let legend = format!("verifie-{id}");
    let labelled_by = legend.clone();
    let reason = format!("motif-{id}");
    view! {
        <li class="fr-mb-6w">
            <h2 class="fr-h4 fr-mb-1w">{heading}</h2>
            <p class="fr-mb-1w">
                {format!(
                    "Demandée le {} par {} ({}), pour : {}.",
                    format::date_time(request.declared_at),
                    request.full_name,
                    request.email,
                    request.sites.join(", ")
                )}
            </p>
            <p><a class="fr-link" href=extract download>{extract_label}</a></p>
            <form method="post" action=accept class="sesame-narrow fr-mb-3w" novalidate>
                <fieldset class="fr-fieldset" aria-labelledby=labelled_by>
                    <legend class="fr-fieldset__legend" id=legend>{format!("Ce que vous avez vérifié sur l'extrait de {}", request.company_name)}</legend>
                    {checks}
                </fieldset>
                <div class="fr-checkbox-group fr-mb-3w">
                    <input type="checkbox" id=format!("individuelle-{id}") name=SOLE_TRADER_FIELD value="oui" />
                    <label class="fr-label" for=format!("individuelle-{id}")>
                        "Entreprise individuelle : la raison sociale est le nom d'une personne"
                        <span class="fr-hint-text">"Son nom et son adresse suivent alors la conservation des données personnelles : ils sont remplacés par une mention neutre une fois ses comptes supprimés, si aucun de ses dossiers n'a bougé depuis deux ans."</span>
                    </label>
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for=observations.clone()>
                        "Observations (facultatif)"
                        <span class="fr-hint-text">"Par exemple : la date de l'extrait. 1 000 caractères au plus ; enregistrées avec la décision."</span>
                    </label>
                    <textarea class="fr-input" id=observations name="observations" rows="2"></textarea>
                </div>
                <button class="fr-btn fr-btn--sm" type="submit">{format!("Inscrire {}", request.company_name)}</button>
            </form>
            <RefusalForm
                action=refuse
                field=reason
                about=request.company_name.clone()
                typed=motif
                button=("Refuser l'inscription", format!(" de {}", request.company_name))
            />
        </li>
    }
}

/// A file type as people say it.
fn media_label(mime: &str) -> &'static str {
    crate::domain::document::MediaType::from_mime(mime)
        .map(|media| media.label())
        .unwrap_or("fichier")
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
