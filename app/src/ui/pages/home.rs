//! The public home page: what France Sésame is and the services it brings together.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::access::EntryPoint;
use crate::ui::components::layout::INFORMATION;
use crate::ui::CurrentUser;

/// The pages where an open service is used, in order of preference: (path, its entry point).
type Openings = &'static [(&'static str, EntryPoint)];

/// (title, what it does for people, where it is used once open — empty while it is to come).
const SERVICES: [(&str, &str, Openings); 9] = [
    (
        "Suivi en temps réel",
        "Chaque étape de vos envois, du dépôt du DSCE à la sortie du terminal : contrôles, analyses, décision, dédouanement.",
        &[("/dossiers", EntryPoint::ListDossiers)],
    ),
    (
        "Alertes",
        "Les retards et les blocages sont détectés automatiquement et signalés aux agents concernés pour qu'ils agissent.",
        &[("/alertes", EntryPoint::AlertDesk)],
    ),
    (
        "Rendez-vous",
        "Réservez en ligne les créneaux des contrôles d'identité et physiques au poste de contrôle frontalier ; les agents valident et enregistrent les arrivées.",
        &[
            ("/rendez-vous", EntryPoint::MyAppointments),
            ("/planning", EntryPoint::Planning),
        ],
    ),
    (
        "Espace personnel",
        "Votre espace, et toute l'information réglementaire et pratique sur le passage de la frontière.",
        &[("/espace", EntryPoint::PersonalSpace)],
    ),
    (
        "Notifications",
        "Soyez prévenu dès qu'un envoi avance ou qu'une action de votre part est attendue.",
        &[("/notifications", EntryPoint::Notifications)],
    ),
    (
        "Dossier d'import numérique",
        "Consultez et téléchargez les formalités administratives de chaque envoi.",
        &[("/dossiers", EntryPoint::ListDossiers)],
    ),
    (
        "Messagerie",
        "Un seul canal pour écrire à la douane et au SIVEP ; chaque échange est tracé.",
        &[("/messagerie", EntryPoint::Messaging)],
    ),
    (
        "Fiche d'identité opérateur",
        "Une vue d'ensemble d'un opérateur économique pour les agents habilités.",
        &[("/operateurs", EntryPoint::OperatorCards)],
    ),
    (
        "Tableaux de bord",
        "Des indicateurs pour les superviseurs de la DGDDI et de la DGAL, et des statistiques pour la DGITM.",
        &[
            ("/tableaux-de-bord", EntryPoint::Dashboards),
            ("/statistiques", EntryPoint::Statistics),
        ],
    ),
];

#[component]
pub fn HomePage() -> impl IntoView {
    let user = use_context::<CurrentUser>().unwrap_or_default().0;
    // Where each service takes this visitor: signed out, to the first page (sign-in comes
    // first); signed in, to the first one they may open, and nowhere if none.
    let link = move |openings: Openings| match &user {
        None => openings.first().map(|(path, _)| *path),
        Some(user) => openings
            .iter()
            .find(|(_, entry)| user.may_open(*entry))
            .map(|(path, _)| *path),
    };
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
                    .map(|(title, description, openings)| {
                        let open = !openings.is_empty();
                        let link = link(openings);
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
                                            <div class="fr-card__start">
                                                {if open {
                                                    view! { <p class="fr-badge fr-badge--sm fr-badge--success">"Disponible"</p> }.into_any()
                                                } else {
                                                    view! { <p class="fr-badge fr-badge--sm fr-badge--new">"Bientôt disponible"</p> }.into_any()
                                                }}
                                            </div>
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
                <p class="fr-callout__text">
                    <a class="fr-link" href=crate::ui::pages::service::PATH>"État du service, maintenances prévues et procédure de secours de chaque site"</a>
                </p>
            </div>
        </div>
    }
}
