//! "Mon accueil": the page each signed-in person lands on when their role has no list to land
//! on (supervisors, the DGITM, administrators), and that everyone can reach from the navigation.
//! It says plainly who they are here, what they can do today (only the pages they may open), and
//! which services are still to come for them.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::access::EntryPoint;
use crate::domain::directory::Role;
use crate::ui::components::layout::DESTINATIONS;
use crate::ui::{CurrentUser, SignedIn};

/// What this role does on the platform, in one or two sentences.
fn purpose(user: &SignedIn) -> &'static str {
    match user.role {
        Role::Operateur => "Vous suivez les envois de votre entreprise, étape par étape, et vous prenez les rendez-vous de contrôle au poste de contrôle frontalier.",
        Role::AgentDgddi | Role::AgentSivep if !user.may_open(EntryPoint::ListDossiers) => "Vous n'avez pas d'habilitation en cours : vous ne voyez encore aucun dossier. Demandez à votre chef de service de vous habiliter sur vos sites.",
        Role::AgentDgddi | Role::AgentSivep => "Vous suivez les dossiers des sites sur lesquels vous êtes habilité et vous organisez les contrôles de leurs postes : rendez-vous, arrivées, alertes.",
        Role::ChefService => "Vous habilitez les agents de votre administration, vous fixez le calendrier et les seuils d'alerte de vos postes et vous suivez les dossiers et les alertes de vos sites.",
        Role::Superviseur => "Vous consultez en lecture seule les dossiers, les alertes, la fiche d'identité des opérateurs et les tableaux de bord de tous les sites. Vous ne prenez pas de décision sur les dossiers ni sur les rendez-vous.",
        Role::Dgitm => "Votre rôle ne donne accès à aucun dossier ni à aucune donnée d'entreprise : vous consultez les statistiques nationales du passage frontière, sans données nominatives.",
        Role::Administrateur => "Vous administrez la plateforme : ses sites et postes de contrôle, et les clés d'accès des systèmes partenaires. Votre rôle ne donne pas accès aux dossiers.",
    }
}

/// The services still to come for this role: (title, what it will bring).
fn to_come(role: Role) -> &'static [(&'static str, &'static str)] {
    match role {
        Role::Operateur
        | Role::AgentDgddi
        | Role::AgentSivep
        | Role::ChefService
        | Role::Superviseur
        | Role::Dgitm => &[],
        Role::Administrateur => &[(
            "Exploitation",
            "Les chefs de service des postes, les comptes de supervision, la conservation des données et la maintenance.",
        )],
    }
}

#[component]
pub fn WelcomePage() -> impl IntoView {
    let Some(user) = use_context::<CurrentUser>().unwrap_or_default().0 else {
        return ().into_any();
    };
    let offered: Vec<_> = DESTINATIONS
        .iter()
        .filter(|destination| user.may_open(destination.entry))
        .collect();
    view! {
        <Title text="Mon accueil" />
        <div class="fr-container fr-my-6w">
            <h1>"Mon accueil"</h1>
            <p class="fr-text--lead" id="role">
                {format!("Vous êtes connecté en tant que {} : {}", user.role.label().to_lowercase(), user.name)}
            </p>
            <p id="ce-que-vous-faites">{purpose(&user)}</p>
            <h2 class="fr-mt-4w">"Ce que vous pouvez faire"</h2>
            <ul class="fr-grid-row fr-grid-row--gutters sesame-services" id="vos-services">
                {offered
                    .into_iter()
                    .map(|destination| view! {
                        <li class="fr-col-12 fr-col-md-6 fr-col-lg-4">
                            <div class="fr-card fr-enlarge-link">
                                <div class="fr-card__body">
                                    <div class="fr-card__content">
                                        <h3 class="fr-card__title">
                                            <a href=destination.path>{destination.label}</a>
                                        </h3>
                                        <p class="fr-card__desc">{destination.description}</p>
                                    </div>
                                </div>
                            </div>
                        </li>
                    })
                    .collect_view()}
                <li class="fr-col-12 fr-col-md-6 fr-col-lg-4">
                    <div class="fr-card fr-enlarge-link">
                        <div class="fr-card__body">
                            <div class="fr-card__content">
                                <h3 class="fr-card__title"><a href="/espace">"Mon espace"</a></h3>
                                <p class="fr-card__desc">"Votre profil, votre mot de passe et vos sessions ouvertes."</p>
                            </div>
                        </div>
                    </div>
                </li>
                <li class="fr-col-12 fr-col-md-6 fr-col-lg-4">
                    <div class="fr-card fr-enlarge-link">
                        <div class="fr-card__body">
                            <div class="fr-card__content">
                                <h3 class="fr-card__title"><a href="/informations-pratiques">"S'informer"</a></h3>
                                <p class="fr-card__desc">"La réglementation, les sites et les postes de contrôle, le guide et la foire aux questions."</p>
                            </div>
                        </div>
                    </div>
                </li>
            </ul>
            {(!to_come(user.role).is_empty()).then(|| view! {
                <h2 class="fr-mt-4w">"Bientôt pour vous"</h2>
                <ul id="a-venir">
                    {to_come(user.role)
                        .iter()
                        .map(|(title, text)| view! { <li><strong>{*title}</strong>" : "{*text}</li> })
                        .collect_view()}
                </ul>
            })}
        </div>
    }
    .into_any()
}
