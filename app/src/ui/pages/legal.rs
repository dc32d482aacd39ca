//! The pages every public service links from its footer: terms of use (versioned, with their
//! PDF), personal data, accessibility, legal notice. What a deployment sets (publisher, host,
//! addresses) comes from its [`Publication`].

use crate::branding::Publication;
use crate::domain::cgu;
use crate::ui::components::article::ArticlePage;
use leptos::prelude::*;

/// Where a signed-in person downloads their data and makes a request about them.
pub const PERSONAL_DATA_SPACE: &str = "/espace/donnees";

/// How many pages and states of pages the automated accessibility checks go through (the list
/// of `end2end/tests/accessibilite.spec.ts`, each on a computer's screen and on a phone's); a
/// test keeps the statement true when the list changes.
pub const AUTOMATED_PAGES: usize = 64;

/// What the deployment says of itself, or the defaults, which say what to set.
fn publication() -> Publication {
    use_context::<Publication>().unwrap_or_default()
}

/// A `mailto:` link showing the address, which wraps rather than widen a phone's page.
pub fn mail_link(address: String) -> impl IntoView {
    view! { <a class="sesame-break" href=format!("mailto:{address}")>{address.clone()}</a> }
}

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

/// The information notice on personal data (GDPR art. 13): who is responsible and whom to ask,
/// what for and on which legal basis, who receives what, for how long, the rights, how to use
/// them and where to complain. Shown on its page, and first of all at the first sign-in, before
/// the terms of use; it says what the terms say, in fewer words.
#[component]
pub fn PersonalDataNotice(
    /// The level of its headings (2 on its own page, 3 inside another section).
    heading_level: u8,
) -> impl IntoView {
    let heading = move |text: &'static str| match heading_level {
        2 => view! { <h2>{text}</h2> }.into_any(),
        _ => view! { <h3>{text}</h3> }.into_any(),
    };
    let rights_email = publication().rights_email;
    view! {
        {heading("Responsables du traitement")}
        <p>"La direction générale des douanes et droits indirects (DGDDI) et la direction générale de l'alimentation (DGAL), pour son service d'inspection vétérinaire et phytosanitaire aux frontières (SIVEP), sont responsables conjoints du traitement (article 26 du règlement général sur la protection des données, RGPD) :"</p>
        <ul>
            <li>"la DGDDI, pour les formalités douanières et les contrôles qu'elle mène (dédouanement, denrées d'origine non animale soumises à des contrôles renforcés, normes de commercialisation des fruits et légumes, produits biologiques) ;"</li>
            <li>"la DGAL, par le SIVEP, pour les contrôles vétérinaires et phytosanitaires aux postes de contrôle frontaliers et les décisions sur les DSCE."</li>
        </ul>
        <p>"La DGDDI est votre point de contact unique : son bureau Comint 2 reçoit toutes les demandes relatives à vos données, y compris celles adressées à la DGAL, qui les lui transmet."</p>

        {heading("Finalités et base légale")}
        <p>"France Sésame traite vos données pour vous donner accès au guichet unique du passage frontière : gérer votre compte, vos habilitations et vos mandats, suivre les envois, organiser les contrôles et les rendez-vous, vous notifier, mettre à disposition les documents, tracer les échanges de la messagerie, donner aux agents habilités la fiche d'identité d'un opérateur, produire les indicateurs et les statistiques, et assurer la sécurité et la traçabilité du service. Ce traitement est nécessaire à l'exécution des missions d'intérêt public de contrôle aux frontières dont sont investies la douane et la DGAL (article 6, paragraphe 1, point e, du RGPD). Aucune décision n'est prise sur le seul fondement d'un traitement automatisé : les alertes aident les agents, qui décident."</p>

        {heading("Données traitées")}
        <p>"Votre identité et vos coordonnées professionnelles (nom, adresse électronique), votre entreprise ou votre administration, votre rôle, vos habilitations et vos mandats, vos préférences de notification, vos messages, les documents que vous déposez, vos rendez-vous, vos acceptations des conditions générales d'utilisation, et les données de connexion (date, adresse IP, navigateur). Une adresse électronique valide est obligatoire pour ouvrir un compte."</p>

        {heading("Destinataires")}
        <ul>
            <li>"Les agents de la douane et du SIVEP habilités sur les sites de vos envois, et leurs chefs de service ;"</li>
            <li>"les utilisateurs de votre entreprise et ses représentants mandatés, pour ses envois ;"</li>
            <li>"les superviseurs de la douane et de la DGAL, pour le pilotage ;"</li>
            <li>"la direction générale des infrastructures, des transports et des mobilités (DGITM), uniquement sous forme de statistiques agrégées, sans aucune donnée d'entreprise ni de personne ;"</li>
            <li>"les administrateurs techniques de la plateforme, pour gérer les comptes ;"</li>
            <li>"les autorités habilitées par la loi, sur leur demande."</li>
        </ul>
        <p>"Vos données ne sont ni vendues ni transférées hors de l'Union européenne."</p>

        {heading("Durées de conservation")}
        <ul>
            <li>"Données personnelles : deux ans après votre dernière connexion. Un courriel vous prévient trente jours avant ; vous connecter conserve votre compte. À l'échéance, votre identité est effacée et remplacée par une mention neutre ; ce que vous avez écrit dans les dossiers administratifs y demeure sous cette mention."</li>
            <li>"Données de connexion (sessions, adresses IP, navigateurs) : six mois."</li>
            <li>"Un enregistrement qui fait l'objet d'un litige peut être conservé tant que dure le litige."</li>
        </ul>

        {heading("Vos droits")}
        <p>"Vous disposez, dans les conditions prévues par le RGPD et par les articles 48 à 56 de la loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux libertés, d'un droit d'accès (article 15 du RGPD), de rectification (article 16), d'effacement (article 17, sauf pour les données que la mission d'intérêt public impose de conserver, article 17, paragraphe 3, point b), de limitation (article 18) et d'opposition (article 21). Vous pouvez aussi définir des directives sur le sort de vos données après votre décès."</p>
        <p>"Le droit à la portabilité (article 20 du RGPD) ne s'applique pas à ce traitement, nécessaire à une mission d'intérêt public (article 20, paragraphe 3) ; vous pouvez néanmoins télécharger toutes vos données."</p>

        {heading("Exercer vos droits")}
        <ul>
            <li>
                "Depuis votre espace personnel, rubrique "
                <a href=PERSONAL_DATA_SPACE>"« Mes données personnelles »"</a>
                " : téléchargez toutes vos données (un PDF lisible et un fichier JSON, dans une copie scellée), corrigez ce qui peut l'être, et présentez toute autre demande (rectification, effacement, limitation, opposition) : elle arrive au guichet des droits de la DGDDI, qui vous répond par courriel, et vous la suivez sur la même page ; vous pouvez aussi écrire :"
            </li>
            <li>
                "par courriel au bureau Comint 2 de la DGDDI : "
                {mail_link(rights_email)}
                " ;"
            </li>
            <li>{format!("par courrier : Direction générale des douanes et droits indirects, bureau Comint 2, {}.", cgu::DGDDI_ADDRESS)}</li>
        </ul>
        <p>"La réponse vous est adressée dans un délai d'un mois, qui peut être prolongé de deux mois compte tenu de la complexité ou du nombre des demandes ; vous êtes alors informé de la prolongation et de ses motifs."</p>

        {heading("Contacts et réclamation")}
        <p>"Vous pouvez également joindre le délégué à la protection des données des ministères économiques et financiers, dont relève la DGDDI. Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de l'informatique et des libertés (CNIL), en ligne sur "
            <a href="https://www.cnil.fr/fr/plaintes">"cnil.fr"</a>
            " ou par courrier : CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07."</p>
    }
}

#[component]
pub fn PersonalData() -> impl IntoView {
    view! {
        <ArticlePage title="Données personnelles">
            <PersonalDataNotice heading_level=2 />
            <p>
                "Le détail figure dans les "
                <a href="/cgu">"conditions générales d'utilisation"</a>
                "."
            </p>
        </ArticlePage>
    }
}

#[component]
pub fn Accessibility() -> impl IntoView {
    let contact = publication().contact_email;
    view! {
        <ArticlePage title="Accessibilité">
            <p>"La DGDDI et la DGAL s'engagent à rendre France Sésame accessible, conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration d'accessibilité s'applique à l'ensemble de France Sésame."</p>

            <h2>"État de conformité"</h2>
            <p>
                "France Sésame est "
                <strong>"non conforme"</strong>
                " au référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1 : aucun audit de conformité n'a encore été réalisé, et un service qui n'a pas été audité ne peut être déclaré autrement."
            </p>

            <h2>"Résultats des tests"</h2>
            <p>{format!("En l'absence d'audit, aucun taux de conformité aux critères du RGAA ne peut être donné. Des vérifications automatiques sont en revanche faites par la suite de tests du service : elle ouvre {AUTOMATED_PAGES} pages et états de pages (pages publiques, pages de chaque rôle, page d'erreur, page refusée), chacune sur un écran d'ordinateur et sur un écran de téléphone, et les soumet à axe-core (règles WCAG 2.0 et 2.1, niveaux A et AA) ; une seule violation d'impact grave ou critique la fait échouer. La suite entière est jouée deux fois, avec et sans JavaScript ; elle vérifie aussi les liens d'évitement et la navigation au clavier.")}</p>
            <p>"Ces vérifications automatiques ne détectent qu'une partie des défauts possibles : elles ne remplacent pas un audit."</p>

            <h2>"Contenus non accessibles"</h2>
            <p>"Aucun défaut n'est connu à ce jour ; faute d'audit, cette liste ne peut être tenue pour complète. Les documents transmis par les systèmes partenaires ou déposés par les utilisateurs (certificats numérisés, par exemple) sont des contenus de tiers dont l'accessibilité ne dépend pas de France Sésame. Le code QR d'une convocation a toujours pour alternative un code court, et chaque graphique des tableaux de bord un tableau des mêmes chiffres."</p>

            <h2>"Établissement de cette déclaration"</h2>
            <p>"Cette déclaration a été établie le 5 décembre 2026. Les vérifications automatiques utilisent Playwright avec Chromium et axe-core ; le service est construit en HTML et CSS, avec le système de design de l'État (DSFR), JavaScript n'étant pas nécessaire aux parcours essentiels."</p>

            <h2>"Retour d'information et contact"</h2>
            <p>
                "Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez au service des incidents et suggestions de France Sésame : "
                {mail_link(contact)}
                ". Une alternative accessible vous sera proposée, ou l'information vous sera communiquée sous une autre forme. Vous pouvez aussi vous adresser au poste de contrôle frontalier de votre site."
            </p>

            <h2>"Voies de recours"</h2>
            <p>"Si vous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un service et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez saisir le Défenseur des droits :"</p>
            <ul>
                <li>"par le formulaire en ligne : " <a href="https://formulaire.defenseurdesdroits.fr/">"formulaire.defenseurdesdroits.fr"</a> " ;"</li>
                <li>"en vous adressant au délégué du Défenseur des droits de votre région (liste sur " <a href="https://www.defenseurdesdroits.fr/">"defenseurdesdroits.fr"</a> ") ;"</li>
                <li>"par courrier, gratuitement et sans affranchissement : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07."</li>
            </ul>
        </ArticlePage>
    }
}

#[component]
pub fn LegalNotice() -> impl IntoView {
    let Publication {
        publisher,
        publication_director,
        host_provider,
        contact_email,
        ..
    } = publication();
    view! {
        <ArticlePage title="Mentions légales">
            <h2>"Éditeur"</h2>
            <p>{publisher}</p>
            <p>"France Sésame est opéré conjointement par la direction générale des douanes et droits indirects (DGDDI) et la direction générale de l'alimentation (DGAL), par l'intermédiaire de son service d'inspection vétérinaire et phytosanitaire aux frontières (SIVEP)."</p>

            <h2>"Directeur de la publication"</h2>
            <p>{publication_director}</p>

            <h2>"Hébergement"</h2>
            <p>{host_provider}</p>

            <h2>"Contact"</h2>
            <p>"Service des incidents et suggestions : " {mail_link(contact_email)}</p>

            <h2>"Données personnelles et accessibilité"</h2>
            <p>
                "Le traitement de vos données est décrit sur la page "
                <a href="/donnees-personnelles">"Données personnelles"</a>
                " ; l'état de conformité du service sur la page "
                <a href="/accessibilite">"Accessibilité"</a>
                "."
            </p>

            <h2>"Logiciel"</h2>
            <p>"Le code source de France Sésame est publié sous licence libre (EUPL 1.2)."</p>
        </ArticlePage>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accessibility_statement_counts_the_pages_the_suite_checks() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../end2end/tests/accessibilite.spec.ts");
        let spec = std::fs::read_to_string(&spec).expect("la liste des pages vérifiées");
        let listed = spec
            .lines()
            .filter(|line| line.trim_start().starts_with("{ what:"))
            .count();
        assert_eq!(
            listed, AUTOMATED_PAGES,
            "accessibilite.spec.ts vérifie {listed} pages : mettez AUTOMATED_PAGES à jour"
        );
    }
}
