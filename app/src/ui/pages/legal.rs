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

/// The information notice on personal data (GDPR art. 13): who is responsible, what for, on
/// which legal basis, who receives what, for how long, the rights and whom to ask. Shown on its
/// page, and first of all at the first sign-in, before the terms of use.
#[component]
pub fn PersonalDataNotice(
    /// The level of its headings (2 on its own page, 3 inside another section).
    heading_level: u8,
) -> impl IntoView {
    let heading = move |text: &'static str| match heading_level {
        2 => view! { <h2>{text}</h2> }.into_any(),
        _ => view! { <h3>{text}</h3> }.into_any(),
    };
    view! {
        {heading("Responsables du traitement")}
        <p>"La direction générale des douanes et droits indirects (DGDDI) et la direction générale de l'alimentation (DGAL), pour son service d'inspection vétérinaire et phytosanitaire aux frontières (SIVEP), sont responsables conjoints du traitement : chacune pour les contrôles qu'elle mène."</p>
        {heading("Finalités et base légale")}
        <p>"France Sésame traite vos données pour vous donner accès au guichet unique du passage frontière : suivre les envois de votre entreprise, prendre rendez-vous aux contrôles, recevoir les notifications, consulter les documents, échanger par la messagerie avec les administrations, et permettre aux agents d'organiser les contrôles. Ce traitement est nécessaire à l'exécution d'une mission d'intérêt public dont sont investies la douane et la DGAL (article 6, paragraphe 1, point e, du règlement général sur la protection des données)."</p>
        {heading("Données traitées")}
        <p>"Votre identité et vos coordonnées professionnelles (nom, adresse électronique), votre entreprise ou votre administration, vos habilitations, vos préférences de notification, vos messages, les documents que vous déposez, et les journaux de connexion (date, adresse IP, navigateur)."</p>
        {heading("Destinataires")}
        <ul>
            <li>"Les agents de la douane et du SIVEP habilités sur les sites de vos envois, et leurs chefs de service ;"</li>
            <li>"les utilisateurs de votre entreprise, pour ses envois ;"</li>
            <li>"les superviseurs de la douane et de la DGAL, pour le pilotage ;"</li>
            <li>"la DGITM, uniquement sous forme de statistiques agrégées, sans aucune donnée individuelle ;"</li>
            <li>"les administrateurs techniques de la plateforme, uniquement vos nom et adresse pour gérer les comptes."</li>
        </ul>
        {heading("Durées de conservation")}
        <ul>
            <li>"Données personnelles : deux ans après votre dernière connexion."</li>
            <li>"Journaux de connexion : six mois."</li>
        </ul>
        {heading("Vos droits")}
        <p>"Vous disposez d'un droit d'accès, de rectification, d'effacement (sauf pour les données nécessaires à la mission de service public), de limitation et d'opposition. Chaque demande est traitée et tracée. Pour les exercer, écrivez depuis la page « Contact » : votre demande est transmise au délégué à la protection des données des ministères économiques et financiers pour la douane, ou à celui du ministère chargé de l'agriculture pour la DGAL. Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de l'informatique et des libertés (CNIL)."</p>
    }
}

#[component]
pub fn PersonalData() -> impl IntoView {
    view! {
        <ArticlePage title="Données personnelles">
            <PersonalDataNotice heading_level=2 />
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
