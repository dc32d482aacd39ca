//! The pages every public service links from its footer. Their full texts (versioned CGU with a
//! PDF, GDPR requests) come with the accounts issue; what is here is true of the platform today.

use crate::ui::components::article::ArticlePage;
use leptos::prelude::*;

#[component]
pub fn Cgu() -> impl IntoView {
    view! {
        <ArticlePage title="Conditions générales d'utilisation">
            <p>"France Sésame est le point de contact numérique unique du passage frontière des marchandises soumises aux contrôles sanitaires et phytosanitaires. Son utilisation est gratuite."</p>
            <h2>"Accès au service"</h2>
            <p>"L'accès aux espaces personnels nécessite un compte et une adresse électronique valide. Avant toute utilisation, l'utilisateur accepte la version en vigueur des présentes conditions ; chaque nouvelle version lui est de nouveau soumise."</p>
            <h2>"Usages interdits"</h2>
            <p>"Les soumissions abusives, par leur nombre, leur caractère répétitif ou automatisé, ou parce qu'elles menacent la sécurité du service, sont refusées. L'accès par des réseaux d'anonymisation tels que Tor n'est pas autorisé."</p>
            <h2>"Disponibilité"</h2>
            <p>"Le service est accessible en permanence. En cas de maintenance ou d'incident, les utilisateurs en sont informés et les formalités se poursuivent selon la procédure de secours."</p>
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
