//! The public home page: what France Sésame is and the services it brings together.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::components::layout::INFORMATION;

/// (title, what it does for people, link when the service is open).
const SERVICES: [(&str, &str, Option<&str>); 9] = [
    (
        "Suivi en temps réel",
        "Chaque étape de vos envois, du dépôt du DSCE à la sortie du terminal : contrôles, analyses, décision, dédouanement.",
        Some("/dossiers"),
    ),
    (
        "Alertes",
        "Les retards et les blocages sont détectés automatiquement et signalés aux agents concernés pour qu'ils agissent.",
        None,
    ),
    (
        "Rendez-vous",
        "Réservez en ligne les créneaux des contrôles d'identité et physiques au poste de contrôle frontalier.",
        None,
    ),
    (
        "Espace personnel",
        "Votre espace, et toute l'information réglementaire et pratique sur le passage de la frontière.",
        None,
    ),
    (
        "Notifications",
        "Soyez prévenu dès qu'un envoi avance ou qu'une action de votre part est attendue.",
        None,
    ),
    (
        "Dossier d'import numérique",
        "Consultez et téléchargez les formalités administratives de chaque envoi.",
        None,
    ),
    (
        "Messagerie",
        "Un seul canal pour écrire à la douane et au SIVEP ; chaque échange est tracé.",
        None,
    ),
    (
        "Fiche d'identité opérateur",
        "Une vue d'ensemble d'un opérateur économique pour les agents habilités.",
        None,
    ),
    (
        "Tableaux de bord",
        "Des indicateurs pour les superviseurs de la DGDDI et de la DGAL, et des statistiques pour la DGITM.",
        None,
    ),
];

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Accueil" />
        <div class="fr-container fr-my-6w">
            <h1>"France Sésame"</h1>
            <p class="fr-text--lead">
                "Le point de contact numérique unique de l'État pour le passage frontière des marchandises soumises aux contrôles sanitaires et phytosanitaires, dans les ports et aéroports français."
            </p>
            <p>
                "Importateurs, représentants en douane et transitaires y suivent leurs envois en direct ; les agents de la douane (DGDDI) et du SIVEP (DGAL) y orchestrent les contrôles."
            </p>
            <h2 class="fr-mt-6w">"Les services"</h2>
            <ul class="fr-grid-row fr-grid-row--gutters sesame-services">
                {SERVICES
                    .into_iter()
                    .map(|(title, description, link)| {
                        view! {
                            <li class="fr-col-12 fr-col-md-6 fr-col-lg-4">
                                <div class="fr-card" class:fr-enlarge-link=link.is_some()>
                                    <div class="fr-card__body">
                                        <div class="fr-card__content">
                                            <h3 class="fr-card__title">
                                                {match link {
                                                    Some(href) => view! { <a href=href>{title}</a> }.into_any(),
                                                    None => view! { <span>{title}</span> }.into_any(),
                                                }}
                                            </h3>
                                            <p class="fr-card__desc">{description}</p>
                                            {link.is_none().then(|| view! {
                                                <div class="fr-card__start">
                                                    <p class="fr-badge fr-badge--sm fr-badge--new">"Bientôt disponible"</p>
                                                </div>
                                            })}
                                        </div>
                                    </div>
                                </div>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <h2 class="fr-mt-6w">"S'informer"</h2>
            <ul class="sesame-links">
                {INFORMATION
                    .into_iter()
                    .map(|(label, path)| view! { <li><a class="fr-link" href=path>{label}</a></li> })
                    .collect_view()}
            </ul>
            <div class="fr-callout fr-mt-6w">
                <h2 class="fr-callout__title">"En cas d'indisponibilité"</h2>
                <p class="fr-callout__text">
                    "Si France Sésame est indisponible, les formalités continuent selon la procédure de secours : adressez-vous directement au poste de contrôle frontalier et au bureau de douane de votre site."
                </p>
            </div>
        </div>
    }
}
