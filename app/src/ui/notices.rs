//! What a page says after a form: the form handlers redirect with `?message=code` (it worked) or
//! `?erreur=code` (it did not), and the page shows the French sentence for the code. Codes keep
//! addresses short and never carry anything the person did not type.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::domain::account::{parse_email, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::domain::dates::DateUse;

/// The sentence for a success code.
pub fn message(code: &str) -> Option<&'static str> {
    Some(match code {
        "deconnecte" => "Vous êtes déconnecté. À bientôt sur France Sésame.",
        "cgu-acceptees" => "Merci : vous avez accepté les conditions générales d'utilisation.",
        "lien-envoye" => "Si un compte existe pour cette adresse, un courriel vient de lui être envoyé avec un lien pour choisir un nouveau mot de passe. Le lien est valable une heure.",
        "lien-connexion-envoye" => "Si un compte se connectant par mot de passe existe pour cette adresse, un courriel vient de lui être envoyé avec un lien de connexion. Le lien est valable 15 minutes et ne sert qu'une fois.",
        "mot-de-passe-change" => "Votre mot de passe est enregistré. Connectez-vous avec ce nouveau mot de passe ; vos autres sessions ont été fermées.",
        "adresse-verifiee" => "Votre adresse électronique est vérifiée.",
        "profil-enregistre" => "Vos informations sont enregistrées.",
        "verification-envoyee" => "Un courriel de confirmation a été envoyé à la nouvelle adresse. Elle remplacera l'actuelle quand vous aurez ouvert le lien qu'il contient.",
        "session-terminee" => "La session a été fermée.",
        "collegue-invite" => "Votre collègue a reçu un courriel. Son compte sera ouvert quand il aura choisi son mot de passe avec le lien reçu, valable sept jours ; d'ici là, l'invitation figure parmi les invitations en attente.",
        "invitation-retiree" => "L'invitation est retirée : son lien ne permet plus d'ouvrir un compte.",
        "compte-active" => "Votre compte est ouvert. Connectez-vous avec votre adresse électronique et le mot de passe que vous venez de choisir.",
        "collegue-retire" => "Le compte de votre collègue est désactivé et ses sessions sont fermées.",
        "habilitation-accordee" => "L'habilitation est accordée. Elle s'applique dès sa date de début.",
        "habilitation-retiree" => "L'habilitation est retirée : l'agent n'a plus accès à ce site.",
        "alerte-traitee" => "L'alerte est close ; votre constat est enregistré au journal d'audit.",
        "cle-creee" => "La clé est créée. Copiez-la maintenant et transmettez-la au système partenaire par un canal sûr : elle ne sera plus jamais affichée.",
        "cle-revoquee" => "La clé est révoquée : toute requête qui la présente est refusée dès maintenant.",
        "rendez-vous-demande" => "Votre demande de rendez-vous est enregistrée. Sa convocation est disponible ci-dessous ; l'état du rendez-vous s'y met à jour.",
        "rendez-vous-annule" => "Le rendez-vous est annulé et sa place libérée.",
        "rendez-vous-deplace" => "Le rendez-vous est déplacé.",
        "rendez-vous-confirme" => "Le rendez-vous est confirmé ; l'opérateur le voit aussitôt.",
        "rendez-vous-refuse" => "Le rendez-vous est refusé ; l'opérateur voit le motif.",
        "rendez-vous-reporte" => "Le rendez-vous est reporté ; l'opérateur voit le nouvel horaire et le motif.",
        "rendez-vous-honore" => "Présence enregistrée : le rendez-vous est honoré.",
        "rendez-vous-absent" => "Absence enregistrée.",
        "pointage-enregistre" => "Le créneau de pointage du poste est enregistré : il s'applique dès maintenant aux arrivées.",
        "rendez-vous-honore-en-retard" => "Arrivée tardive enregistrée : le rendez-vous est honoré, le motif du retard est inscrit au journal d'audit.",
        "abonnement-cree" => "Votre adresse d'abonnement est créée. Copiez-la dans votre agenda maintenant : elle ne sera plus affichée.",
        "calendrier-enregistre" => "Le calendrier du poste est enregistré ; les créneaux à venir suivent les nouvelles capacités.",
        "fermeture-enregistree" => "La fermeture est enregistrée : aucun rendez-vous ne peut plus être pris ces jours-là.",
        "abonnement-revoque" => "L'abonnement est révoqué : l'adresse ne fonctionne plus.",
        "courriel-non-envoye" => "Votre demande est enregistrée, mais le courriel de confirmation n'a pas pu partir. Réessayez dans quelques minutes.",
        "mot-de-passe-modifie" => "Votre mot de passe est changé. Vos autres sessions ont été fermées ; celle-ci reste ouverte. Un courriel vous le confirme.",
        "agent-invite" => "L'agent a reçu un courriel. Son compte sera ouvert quand il aura choisi son mot de passe avec le lien reçu, valable sept jours ; d'ici là, l'invitation figure parmi les invitations en attente. Une fois son compte ouvert, il n'a accès à aucun site tant que vous ne l'avez pas habilité.",
        "invitation-non-envoyee" => "L'invitation est enregistrée, mais le courriel n'a pas pu partir. Renvoyez-la dans quelques minutes avec le même formulaire : la nouvelle remplacera celle-ci.",
        _ => return None,
    })
}

/// The sentence for an error code.
pub fn error(code: &str) -> Option<String> {
    let text = match code {
        "identifiants" => "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie, ou demandez un nouveau mot de passe.",
        "compte-protege" => "Pour protéger ce compte, la connexion par mot de passe est suspendue depuis les appareils et réseaux d'où il n'a pas servi ces derniers mois : trop de mots de passe erronés y ont été essayés. Depuis vos appareils habituels, votre mot de passe fonctionne toujours. Ici, recevez par courriel un lien de connexion à usage unique, valable 15 minutes. Si votre compte se connecte par un fournisseur d'identité, utilisez le bouton de ce fournisseur.",
        "adresse-non-verifiee" => "Votre adresse électronique n'est pas encore vérifiée : ouvrez le lien reçu par courriel, ou demandez un nouveau mot de passe pour en recevoir un autre.",
        "oidc-indisponible" => "Le fournisseur d'identité ne répond pas. Réessayez dans quelques instants, ou connectez-vous avec votre mot de passe.",
        "oidc-refusee" => "La connexion par le fournisseur d'identité n'a pas abouti. Réessayez, ou connectez-vous avec votre mot de passe.",
        "oidc-expiree" => "La connexion par le fournisseur d'identité a expiré ou a déjà servi. Recommencez.",
        "oidc-compte-lie" => "Ce compte France Sésame est déjà lié à une autre identité chez ce fournisseur. Connectez-vous avec celle-ci, ou avec votre mot de passe.",
        "oidc-role" => "Ce fournisseur d'identité ne permet pas d'ouvrir votre compte. Connectez-vous avec votre mot de passe ou avec le fournisseur prévu pour votre rôle.",
        "oidc-compte-inconnu" => "Aucun compte France Sésame n'est ouvert pour l'adresse vérifiée par le fournisseur d'identité. Si vous avez reçu une invitation par courriel, ouvrez d'abord son lien : votre compte est ouvert quand vous y choisissez votre mot de passe. Sinon, demandez à l'administrateur de votre entreprise ou à votre chef de service de vous inviter.",
        "mot-de-passe-manquant" => "Saisissez votre mot de passe.",
        "mot-de-passe-actuel-manquant" => "Saisissez votre mot de passe actuel : il confirme que c'est bien vous qui changez le mot de passe.",
        "mot-de-passe-actuel" => "Le mot de passe actuel est incorrect : rien n'a été changé. Vérifiez votre saisie ; après plusieurs erreurs, les essais sont ralentis. Si vous l'avez oublié, déconnectez-vous et utilisez « Mot de passe oublié ? ».",
        "mot-de-passe-identique" => "Le nouveau mot de passe est identique à l'actuel : choisissez-en un autre.",
        "mot-de-passe-protege" => "Trop de mots de passe erronés ont été essayés sur votre compte : pour le protéger, le changement de mot de passe est suspendu depuis cet appareil. Déconnectez-vous et utilisez « Mot de passe oublié ? » : le lien arrive dans votre messagerie.",
        "mot-de-passe-fournisseur" => "Votre compte se connecte par un fournisseur d'identité : il n'a pas de mot de passe France Sésame. Changez votre mot de passe chez ce fournisseur.",
        "cgu-non-cochee" => "Cochez la case pour accepter les conditions générales d'utilisation.",
        "lien-invalide" => "Ce lien n'est plus valable : il a déjà servi ou il a expiré. Demandez-en un nouveau.",
        "confirmation" => "Les deux mots de passe saisis sont différents.",
        "mot-de-passe-court" => return Some(format!("Le mot de passe doit contenir au moins {PASSWORD_MIN_CHARS} caractères.")),
        "mot-de-passe-long" => return Some(format!("Le mot de passe ne doit pas dépasser {PASSWORD_MAX_CHARS} caractères.")),
        "mot-de-passe-courant" => "Ce mot de passe fait partie des mots de passe les plus courants : choisissez-en un autre, par exemple une phrase de plusieurs mots.",
        "mot-de-passe-adresse" => "Le mot de passe ne doit pas reprendre votre adresse électronique.",
        "nom-invalide" => "Saisissez le prénom et le nom : 2 à 100 caractères, uniquement des lettres, des espaces, des traits d'union, des apostrophes et des points.",
        "adresse-prise" => "Cette adresse électronique est déjà celle d'un compte France Sésame.",
        "invitation-introuvable" => "Cette invitation n'existe pas, a déjà été acceptée ou retirée, ou ne relève pas de vous.",
        "invitation-adresse-prise" => "Cette adresse électronique a déjà un compte France Sésame : l'invitation n'en ouvre pas un second, et rien n'a été changé. Connectez-vous avec votre compte, ou demandez un nouveau mot de passe si vous l'avez oublié. Un compte ne relève que d'une entreprise : pour rejoindre celle qui vous a invité, prenez contact avec la personne qui vous a invité.",
        "collegue-introuvable" => "Ce compte n'existe pas, a déjà été désactivé ou n'est pas de votre entreprise.",
        "agent-manquant" => "Choisissez l'agent à habiliter.",
        "site-manquant" => "Choisissez le site.",
        "date-debut" => "Indiquez la date de début au format jj/mm/aaaa.",
        "date-fin" => "La date de fin n'est pas une date valide (format jj/mm/aaaa).",
        "dates-inversees" => "La date de fin doit être postérieure ou égale à la date de début.",
        "date-fin-passee" => "La date de fin est déjà passée : l'habilitation ne servirait à rien.",
        "habilitation-introuvable" => "Cette habilitation n'existe pas ou ne relève pas de vos postes.",
        "alerte-introuvable" => "Cette alerte n'existe pas, a déjà été close ou ne concerne pas vos sites.",
        "alerte-constat" => "Décrivez ce que vous avez constaté, en 5 à 1 000 caractères.",
        "cle-nom" => "Indiquez le nom du système partenaire (1 à 100 caractères).",
        "cle-source" => "Choisissez la source autorisée dans la liste, ou toutes les sources.",
        "cle-sites" => "Les sites doivent être des codes UN/LOCODE (par exemple FRLEH) séparés par des virgules, ou * pour tous les sites.",
        "cle-non-creee" => "La clé n'a pas pu être créée. Réessayez dans quelques instants.",
        "cle-introuvable" => "Cette clé n'existe pas ou est déjà révoquée.",
        "creneau-complet" => "Ce créneau est complet. Choisissez-en un autre.",
        "creneau-passe" => "Ce créneau est passé. Choisissez un créneau à venir.",
        "creneau-trop-proche" => "Ce créneau est trop proche : le poste demande de réserver plus tôt (le délai est indiqué en haut de la page).",
        "creneau-inconnu" => "Cet horaire n'est pas un créneau du poste. Choisissez un créneau dans la liste.",
        "poste-ferme" => "Le poste est fermé ce jour-là. Choisissez un autre jour.",
        "controle-non-requis" => "Ce dossier n'est pas sélectionné pour ce contrôle : aucun rendez-vous n'est nécessaire.",
        "controle-inconnu" => "Choisissez le contrôle : contrôle d'identité ou contrôle physique.",
        "rendez-vous-existant" => "Ce dossier a déjà un rendez-vous en cours pour ce contrôle : déplacez-le ou annulez-le.",
        "delai-depasse" => "Il est trop tard pour modifier ce rendez-vous en ligne : contactez le poste.",
        "rendez-vous-clos" => "Ce rendez-vous n'existe pas, n'est plus en cours (annulé, refusé ou déjà traité) ou ne relève pas de vous.",
        "autre-entreprise" => "Ce dossier n'est pas celui de votre entreprise.",
        "sans-poste" => "Ce dossier n'a pas encore de poste de contrôle frontalier : le rendez-vous se prend quand le poste est connu.",
        "sans-calendrier" => "Ce poste ne prend pas de rendez-vous en ligne : contactez-le directement.",
        "calendrier-plages" => "Une plage d'ouverture est illisible : écrivez-les comme 08:00-12:00, 13:30-17:30 (24:00 pour minuit).",
        "calendrier-nombres" => "Indiquez en nombres entiers la durée d'un créneau, les places par créneau et les délais.",
        "calendrier-invalide" => "Ce calendrier n'est pas cohérent : une fermeture précède une ouverture, des plages se chevauchent, ou une valeur dépasse les limites (créneau de 5 à 480 minutes, 500 places, 30 jours de délai).",
        "capacite-occupee" => "Impossible de réduire ainsi les places : un créneau à venir compte déjà plus de rendez-vous. Déplacez ou annulez-les d'abord.",
        "periode-occupee" => "Impossible de fermer ces plages : des rendez-vous à venir y sont pris. Déplacez ou annulez-les d'abord.",
        "date-hors-bornes" => return Some(format!("Cette date est hors des dates acceptées : choisissez un jour {}.", DateUse::Period.rule())),
        "creneau-hors-bornes" => return Some(format!("Cet horaire est hors des dates acceptées : choisissez un créneau {}.", DateUse::Planning.rule())),
        "fermeture-dates" => "Indiquez les dates de début et de fin de la fermeture (la fin après le début).",
        "fermeture-motif" => "Indiquez le motif de la fermeture (3 à 200 caractères).",
        "fermeture-occupee" => "Impossible de fermer le poste ces jours-là : des rendez-vous y sont pris. Déplacez ou annulez-les d'abord.",
        "pointage-minutes" => "Indiquez le créneau de pointage en minutes, de 0 à 1440 (une journée) de chaque côté du début du créneau.",
        "motif-retard-manquant" => "Indiquez le motif du retard (3 à 500 caractères) : il est inscrit au journal d'audit et l'opérateur le verra.",
        "arrivee-trop-tot" => "Trop tôt pour enregistrer l'arrivée : le pointage de ce rendez-vous n'est pas encore ouvert. Au contrôle à l'arrivée, sa fiche indique son jour, son heure et l'heure d'ouverture du pointage.",
        "arrivee-tardive" => "Le créneau de pointage de ce rendez-vous est fermé : pour accepter l'arrivée, indiquez le motif du retard dans le formulaire d'arrivée tardive.",
        "arrivee-a-l-heure" => "Ce rendez-vous est dans son créneau de pointage : enregistrez l'arrivée sans motif de retard.",
        "arrivee-jour-passe" => "Il est trop tard pour enregistrer l'arrivée de ce rendez-vous : son jour est passé. Reportez-le depuis le planning, ou enregistrez l'absence.",
        "motif-manquant" => "Indiquez le motif (3 à 500 caractères) : l'opérateur le verra.",
        "action-inconnue" => "Cette action n'existe pas.",
        _ => return None,
    };
    Some(text.to_owned())
}

/// The alert for the page's `?message=` or `?erreur=`, if any. An invalid address is explained
/// precisely from the address itself (`typed`, kept out of the page's address, or else
/// `?adresse=`). An error takes the focus when the page opens, so that a person using a
/// screen reader or the keyboard lands on what to fix.
#[component]
pub fn Notice(#[prop(optional, into)] typed: Option<String>) -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|query| {
            if let Some(code) = query.get("erreur") {
                let text = if code == "adresse-invalide" {
                    let typed = typed
                        .clone()
                        .filter(|typed| !typed.is_empty())
                        .or_else(|| query.get("adresse"))
                        .or_else(|| query.get("collegue_adresse"))
                        .or_else(|| query.get("invite_adresse"))
                        .unwrap_or_default();
                    Some(parse_email(&typed).err().unwrap_or_else(|| "Adresse électronique invalide.".into()))
                } else {
                    error(&code)
                };
                text.map(|text| {
                    view! {
                        <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-3w" role="alert" id="erreur-formulaire" tabindex="-1" autofocus>
                            <p>{text}</p>
                        </div>
                    }
                    .into_any()
                })
            } else {
                query.get("message").and_then(|code| message(&code)).map(|text| {
                    view! {
                        <div class="fr-alert fr-alert--success fr-alert--sm fr-mb-3w" role="status">
                            <p>{text}</p>
                        </div>
                    }
                    .into_any()
                })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_the_server_sends_has_a_sentence() {
        for code in [
            "deconnecte",
            "cgu-acceptees",
            "lien-envoye",
            "lien-connexion-envoye",
            "mot-de-passe-change",
            "adresse-verifiee",
            "profil-enregistre",
            "verification-envoyee",
            "session-terminee",
            "collegue-invite",
            "collegue-retire",
            "invitation-retiree",
            "invitation-non-envoyee",
            "mot-de-passe-modifie",
            "agent-invite",
            "compte-active",
            "habilitation-accordee",
            "habilitation-retiree",
        ] {
            assert!(message(code).is_some(), "{code}");
        }
        for code in [
            "identifiants",
            "compte-protege",
            "adresse-non-verifiee",
            "oidc-indisponible",
            "oidc-refusee",
            "oidc-expiree",
            "oidc-compte-inconnu",
            "cgu-non-cochee",
            "lien-invalide",
            "confirmation",
            "mot-de-passe-court",
            "mot-de-passe-long",
            "mot-de-passe-courant",
            "mot-de-passe-adresse",
            "mot-de-passe-manquant",
            "mot-de-passe-actuel-manquant",
            "mot-de-passe-actuel",
            "mot-de-passe-identique",
            "mot-de-passe-protege",
            "mot-de-passe-fournisseur",
            "nom-invalide",
            "adresse-prise",
            "collegue-introuvable",
            "invitation-introuvable",
            "invitation-adresse-prise",
            "agent-manquant",
            "site-manquant",
            "date-debut",
            "date-fin",
            "dates-inversees",
            "date-fin-passee",
            "date-hors-bornes",
            "creneau-hors-bornes",
            "habilitation-introuvable",
        ] {
            assert!(error(code).is_some(), "{code}");
        }
    }
}
