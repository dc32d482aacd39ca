//! The pages every public service links from its footer: terms of use (versioned, with their
//! PDF), personal data, accessibility, legal notice.

use crate::domain::cgu;
use crate::ui::components::article::ArticlePage;
use leptos::prelude::*;

/// The terms of use in force, from `domain::cgu`: the same text as the PDF and the acceptance.
#[component]
pub fn CguText(
    /// The level of the section headings (2 on the CGU page).
    heading_level: u8,
) -> impl IntoView {
    cgu::SECTIONS
        .iter()
        .map(|section| {
            let heading = if heading_level <= 2 {
                view! { <h2>{section.heading}</h2> }.into_any()
            } else {
                view! { <h3>{section.heading}</h3> }.into_any()
            };
            view! {
                {heading}
                {section.paragraphs.iter().map(|text| view! { <p>{*text}</p> }).collect_view()}
                {(!section.bullets.is_empty()).then(|| view! {
                    <ul>{section.bullets.iter().map(|text| view! { <li>{*text}</li> }).collect_view()}</ul>
                })}
            }
        })
        .collect_view()
}

#[component]
pub fn Cgu() -> impl IntoView {
    view! {
        <ArticlePage title=cgu::TITLE>
            <p class="fr-text--lead">{format!("En vigueur : {}.", cgu::VERSION_LABEL)}</p>
            <p>
                <a class="fr-link" href="/cgu.pdf" rel="external" download>
                    "Télécharger les conditions générales d'utilisation (PDF)"
                </a>
            </p>
            <CguText heading_level=2 />
        </ArticlePage>
    }
}

#[component]
pub fn PersonalData() -> impl IntoView {
    view! {
        <ArticlePage title="Données personnelles">
            <p>"France Sésame traite les données nécessaires à l'exercice des missions de contrôle aux frontières de la douane (DGDDI) et du SIVEP (DGAL) : identité et coordonnées professionnelles des utilisateurs, données des envois et des opérateurs économiques."</p>
            <h2>"Durées de conservation"</h2>
            <ul>
                <li>"Données personnelles : deux ans après la dernière connexion de l'utilisateur."</li>
                <li>"Journaux de connexion : six mois."</li>
            </ul>
            <h2>"Vos droits"</h2>
            <p>"Vous disposez d'un droit d'accès, de rectification, d'effacement (sauf pour les données nécessaires à la mission de service public), de limitation et d'opposition. Chaque demande est traitée et tracée."</p>
        </ArticlePage>
    }
}

#[component]
pub fn Accessibility() -> impl IntoView {
    view! {
        <ArticlePage title="Accessibilité">
            <p>"France Sésame s'engage à rendre son service accessible, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005."</p>
            <h2>"État de conformité"</h2>
            <p>"Le service n'a pas encore fait l'objet d'un audit de conformité au référentiel général d'amélioration de l'accessibilité (RGAA) : il est donc déclaré non conforme. Chaque page est néanmoins vérifiée automatiquement, utilisable au clavier et sur un écran de téléphone."</p>
            <h2>"Signaler un défaut"</h2>
            <p>"Si vous ne parvenez pas à accéder à un contenu ou à un service, signalez-le au poste de contrôle frontalier de votre site : une alternative accessible vous sera proposée."</p>
        </ArticlePage>
    }
}

#[component]
pub fn LegalNotice() -> impl IntoView {
    view! {
        <ArticlePage title="Mentions légales">
            <h2>"Éditeur"</h2>
            <p>"France Sésame est opéré conjointement par la direction générale des douanes et droits indirects (DGDDI) et la direction générale de l'alimentation (DGAL), par l'intermédiaire de son service d'inspection vétérinaire et phytosanitaire aux frontières (SIVEP)."</p>
            <h2>"Logiciel"</h2>
            <p>"Le code source de France Sésame est publié sous licence libre (EUPL 1.2)."</p>
        </ArticlePage>
    }
}
