//! « Mes données personnelles » (`/espace/donnees`): what the platform keeps about the person
//! and for how long, the copy of their data they download (sealed, so that it can serve as
//! evidence), their other rights, and the requests they present to the rights desk.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::notices::Notice;
use crate::ui::pages::rights::MyRightsRequests;

/// The page.
pub const PATH: &str = "/espace/donnees";
/// The copy's address.
pub const COPY_PATH: &str = "/espace/donnees.zip";

#[component]
pub fn PersonalDataPage() -> impl IntoView {
    view! {
        <Title text="Mes données personnelles" />
        <div class="fr-container fr-my-6w">
            <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
                <ol class="fr-breadcrumb__list">
                    <li><a class="fr-breadcrumb__link" href="/espace">"Mon espace"</a></li>
                    <li><a class="fr-breadcrumb__link" aria-current="page">"Mes données personnelles"</a></li>
                </ol>
            </nav>
            <h1>"Mes données personnelles"</h1>
            <Notice />
            <p class="fr-text--lead">
                "France Sésame garde les données de votre compte tant que vous l'utilisez, puis deux ans après votre dernière connexion ; les données de connexion (adresses IP, navigateurs) sont gardées six mois. Le détail figure sur la page "
                <a href="/donnees-personnelles">"Données personnelles"</a>"."
            </p>
            <section class="fr-mb-6w" aria-labelledby="titre-copie">
                <h2 id="titre-copie">"Obtenir une copie de mes données"</h2>
                <p>"La copie rassemble votre compte, les versions des conditions d'utilisation que vous avez acceptées, vos sessions et connexions conservées, vos habilitations, les mandats de votre entreprise, les messages que vous avez écrits, vos demandes au guichet des droits et leurs réponses, et les entrées du journal d'audit qui vous concernent : quand et pourquoi vos données ont été consultées ou modifiées, sans le nom de l'agent."</p>
                <p>"Elle se présente en une archive ZIP contenant un document PDF lisible et un fichier JSON pour un programme. L'archive est scellée : le fichier scellement.json renvoie à une entrée du journal d'audit de la plateforme, si bien que toute modification de la copie, même d'un seul caractère, se détecte. Vous pouvez la produire dans un litige."</p>
                <p>
                    <a class="fr-link" href=COPY_PATH rel="external" download>
                        "Télécharger la copie de mes données (ZIP)"
                    </a>
                </p>
            </section>
            <section class="fr-mb-6w" aria-labelledby="titre-droits">
                <h2 id="titre-droits">"Mes autres droits"</h2>
                <ul>
                    <li>
                        "Rectification : vous corrigez vous-même votre nom et votre adresse électronique dans "
                        <a href="/espace">"Mon espace"</a>
                        " ; pour le reste, présentez une demande ci-dessous (l'entreprise et les habilitations relèvent aussi de l'administrateur de votre entreprise ou de votre chef de service)."
                    </li>
                    <li>"Effacement : les données nécessaires à la mission de contrôle aux frontières (dossiers, échanges, rendez-vous, journal d'audit) sont conservées au titre de l'article 17, paragraphe 3, point b, du RGPD. Si l'effacement est accordé, votre compte est clos et votre identité est remplacée par une mention neutre ; sinon, elle l'est deux ans après votre dernière connexion. Seules les pièces d'un dossier en litige, gelé par le guichet des droits, gardent votre nom le temps du litige."</li>
                    <li>"Limitation et opposition : si elles sont accordées, vos données restent conservées mais ne servent plus à vous notifier ni à vous présenter aux services de contrôle sur la fiche de votre entreprise ; elles ne servent plus qu'à la mission de contrôle en cours et à la constatation ou à la défense de droits en justice."</li>
                    <li>"Portabilité : ce droit ne s'applique pas, le traitement relevant d'une mission d'intérêt public (article 20, paragraphe 3, du RGPD)."</li>
                </ul>
                <p>"Vous présentez ces demandes ci-dessous ; vous pouvez aussi écrire au bureau Comint 2 de la direction générale des douanes et droits indirects, point de contact unique des responsables conjoints du traitement, dont les coordonnées figurent sur la page "<a href="/donnees-personnelles">"Données personnelles"</a>". Une réponse vous est apportée dans le délai d'un mois."</p>
            </section>
            <MyRightsRequests />
        </div>
    }
    .into_any()
}
