//! What a page says after a form: the form handlers redirect with `?message=code` (it worked) or
//! `?erreur=code` (it did not), and the page shows the French sentence for the code. Codes keep
//! addresses short and never carry anything the person did not type.
//!
//! The codes and their sentences are one typed list, [`Done`] and [`Problem`], which the server's
//! handlers and the pages share: a handler names a variant, never a string, so a code cannot be
//! misspelt on one side and silently show nothing on the other.

use std::borrow::Cow;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::domain::account::{parse_email, PasswordError, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::domain::dates::DateUse;

/// Writes an enum of notices, each variant once with its code and its French sentence (a literal,
/// or a `format!` when it depends on a constant), with `code`, `from_code`, `text` and `ALL`.
macro_rules! notices {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($variant:ident = $code:literal => $text:expr,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
        }

        impl $name {
            /// Every variant, in the order of the list.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The code the address carries.
            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// The variant for a code read from the address, if it is one.
            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// The French sentence the page shows.
            pub fn text(self) -> Cow<'static, str> {
                match self {
                    $(Self::$variant => Cow::from($text),)+
                }
            }
        }
    };
}

notices! {
    /// What went well: a form's success, carried as `?message=code`.
    pub enum Done {
        SignedOut = "deconnecte" => "Vous êtes déconnecté. À bientôt sur France Sésame.",
        CguAccepted = "cgu-acceptees" => "Merci : vous avez accepté les conditions générales d'utilisation.",
        ResetLinkSent = "lien-envoye" => "Si un compte existe pour cette adresse, un courriel vient de lui être envoyé avec un lien pour choisir un nouveau mot de passe. Le lien est valable une heure.",
        SignInLinkSent = "lien-connexion-envoye" => "Si un compte se connectant par mot de passe existe pour cette adresse, un courriel vient de lui être envoyé avec un lien de connexion. Le lien est valable 15 minutes et ne sert qu'une fois.",
        PasswordReset = "mot-de-passe-change" => "Votre mot de passe est enregistré. Connectez-vous avec ce nouveau mot de passe ; vos autres sessions ont été fermées.",
        AddressVerified = "adresse-verifiee" => "Votre adresse électronique est vérifiée.",
        ProfileSaved = "profil-enregistre" => "Vos informations sont enregistrées.",
        VerificationSent = "verification-envoyee" => "Un courriel de confirmation a été envoyé à la nouvelle adresse. Elle remplacera l'actuelle quand vous aurez ouvert le lien qu'il contient.",
        SessionEnded = "session-terminee" => "La session a été fermée.",
        ColleagueInvited = "collegue-invite" => "Votre collègue a reçu un courriel. Son compte sera ouvert quand il aura choisi son mot de passe avec le lien reçu, valable sept jours ; d'ici là, l'invitation figure parmi les invitations en attente.",
        InvitationWithdrawn = "invitation-retiree" => "L'invitation est retirée : son lien ne permet plus d'ouvrir un compte.",
        AccountOpened = "compte-active" => "Votre compte est ouvert. Connectez-vous avec votre adresse électronique et le mot de passe que vous venez de choisir.",
        ColleagueRemoved = "collegue-retire" => "Le compte de votre collègue est désactivé et ses sessions sont fermées.",
        HabilitationGranted = "habilitation-accordee" => "L'habilitation est accordée. Elle s'applique dès sa date de début.",
        HabilitationWithdrawn = "habilitation-retiree" => "L'habilitation est retirée : l'agent n'a plus accès à ce site.",
        AlertTaken = "alerte-prise" => "Vous avez pris l'alerte en charge : vos collègues le voient sur le bureau des alertes.",
        AlertClosed = "alerte-close" => "L'alerte est close avec votre note. Si sa condition cesse puis revient, elle s'ouvrira de nouveau.",
        ThresholdSaved = "seuil-enregistre" => "Le seuil est enregistré : il s'applique dès la prochaine évaluation (dans la minute).",
        ThresholdRemoved = "seuil-retire" => "Le seuil particulier est retiré : le seuil général du poste s'applique de nouveau.",
        NotificationRead = "notification-lue" => "La notification est marquée comme lue.",
        NotificationsAllRead = "notifications-lues" => "Toutes vos notifications sont marquées comme lues.",
        ExtraRecipientAdded = "destinataire-ajoute" => "L'adresse est inscrite. Elle ne recevra rien avant d'avoir confirmé par le lien que nous venons de lui envoyer.",
        ExtraRecipientRemoved = "destinataire-retire" => "L'adresse est retirée : elle ne reçoit plus rien, pas même ce qui n'était pas encore parti.",
        ExtraRecipientConfirmed = "destinataire-confirme" => "Votre adresse est confirmée : vous recevrez les informations choisies par l'entreprise qui vous a inscrit.",
        WebhookAdded = "webhook-ajoute" => "Le webhook est inscrit. Copiez son secret maintenant : il ne sera plus jamais affiché. Envoyez ensuite une livraison de test pour vérifier la signature.",
        WebhookRemoved = "webhook-retire" => "Le webhook est retiré : il ne reçoit plus rien, pas même ce qui n'était pas encore parti.",
        WebhookResumed = "webhook-reactive" => "Le webhook est réactivé : il reçoit de nouveau ce qui arrive à partir de maintenant. Renvoyez une à une les livraisons manquées dont vous avez besoin.",
        WebhookTestQueued = "webhook-test" => "La livraison de test part dans quelques secondes ; son résultat s'affichera dans les derniers essais (rechargez la page).",
        DeliveryResent = "livraison-renvoyee" => "La livraison part de nouveau dans quelques secondes, avec le même contenu et sa date d'origine.",
        NotificationPreferencesSaved = "preferences-enregistrees" => "Vos préférences de notification sont enregistrées. Elles s'appliquent aux prochaines notifications.",
        KeyCreated = "cle-creee" => "La clé est créée. Copiez-la maintenant et transmettez-la au système partenaire par un canal sûr : elle ne sera plus jamais affichée.",
        SiteOpened = "site-ouvert" => "Le site est ouvert. Ouvrez maintenant ses postes de contrôle frontaliers.",
        MaintenanceScheduled = "maintenance-prevue" => "La maintenance est enregistrée. Avant son début, toutes les pages l'annoncent ; les opérateurs dont un rendez-vous tombe pendant la maintenance en sont notifiés. Pendant la maintenance, vous seul gardez l'accès à la plateforme.",
        IncidentRecorded = "incident-enregistre" => "L'incident est enregistré : il figure dans l'historique de la page « État du service ».",
        MaintenanceCancelled = "maintenance-annulee" => "La maintenance est annulée : les pages ne l'annoncent plus.",
        MaintenanceEnded = "maintenance-terminee" => "La maintenance est terminée : la plateforme répond de nouveau à tous, dans quelques secondes sur chaque serveur.",
        ProcedureSaved = "procedure-enregistree" => "La procédure de secours du site est enregistrée : elle s'affiche sur la page « État du service » et pendant les maintenances.",
        StateAccountInvited = "compte-invite" => "La personne a reçu un courriel. Son compte sera ouvert quand elle aura choisi son mot de passe avec le lien reçu, valable sept jours ; d'ici là, l'invitation figure parmi les invitations en attente.",
        AccountSuspended = "compte-suspendu" => "Le compte est suspendu : ses sessions sont fermées, ses pages ouvertes ne reçoivent plus rien, ses rendez-vous à venir sont annulés et leurs postes prévenus. Son titulaire a reçu le motif par courriel.",
        AccountReactivated = "compte-reactive" => "Le compte est réactivé : son titulaire peut de nouveau se connecter. Il en a été prévenu par courriel.",
        AccountClosed = "compte-clos" => "Le compte est clos : ses sessions sont fermées, ses rendez-vous à venir annulés et leurs postes prévenus ; ses données sont conservées. Son titulaire a reçu le motif par courriel.",
        DecisionMailNotSent = "decision-courriel-non-envoye" => "La décision est enregistrée et appliquée, mais le courriel à son titulaire n'a pas pu partir : prévenez-le par un autre moyen.",
        HeadNamed = "chef-nomme" => "Le chef de service dirige désormais aussi ce poste ; il en est prévenu par courriel, et ses pages ouvertes le suivent aussitôt.",
        RightsRequestSent = "demande-droits-envoyee" => "Votre demande est envoyée au guichet des droits de la DGDDI. Un courriel vous en confirme la réception ; la réponse vous parviendra dans le délai d'un mois, et vous la retrouverez ci-dessous.",
        RightsRequestRecorded = "demande-droits-enregistree" => "La demande est enregistrée avec son échéance d'un mois, et la personne a reçu un accusé de réception par courriel.",
        RightsRequestExtended = "demande-droits-prolongee" => "Le délai de réponse est prolongé de deux mois ; la personne a reçu le motif par courriel.",
        RightsRequestAnswered = "demande-droits-repondue" => "La réponse est envoyée par courriel à la personne et conservée avec la demande.",
        RightsMailNotSent = "demande-droits-courriel-non-envoye" => "C'est enregistré, mais le courriel à la personne n'a pas pu partir : renvoyez-le depuis cette page plus tard, ou prévenez-la par un autre moyen.",
        RightsHoldPlaced = "gel-pose" => "Le gel est posé : les données de ce compte ne seront pas purgées tant qu'il dure.",
        RightsHoldLifted = "gel-leve" => "Le gel est levé : la conservation ordinaire reprend pour ce compte.",
        RightsDossierHoldPlaced = "dossier-gele" => "Le dossier est gelé : les personnes qui y ont agi gardent leur identité dans ses pièces tant que le gel dure.",
        RightsDossierHoldLifted = "dossier-degele" => "Le gel du dossier est levé : la conservation ordinaire reprend pour les personnes qui y ont agi.",
        RightsLimitationLifted = "limitation-levee" => "La limitation est levée et la personne en est informée par courriel : elle reçoit de nouveau les notifications et figure de nouveau sur la fiche de son entreprise.",
        RightsSoleTraderMarked = "entreprise-individuelle" => "L'entreprise est traitée comme une entreprise individuelle : son nom et son adresse seront effacés avec les données de ses personnes, deux ans après leur dernière activité.",
        RightsSoleTraderUnmarked = "entreprise-non-individuelle" => "L'entreprise n'est plus traitée comme une entreprise individuelle : son nom et son adresse restent avec ses dossiers.",
        RightsDeskGranted = "guichet-confie" => "Le compte tient désormais le guichet des droits ; son titulaire en est prévenu par courriel.",
        RightsDeskWithdrawn = "guichet-retire" => "Le compte ne tient plus le guichet des droits : ses pages ne montrent plus les demandes.",
        HeadWithdrawn = "chef-retire" => "Le chef de service ne dirige plus ce poste : ses pages ouvertes n'en reçoivent plus rien.",
        AccessRequestSent = "demande-envoyee" => "Votre demande est envoyée aux administrateurs du compte de votre entreprise sur France Sésame. Vous recevrez un courriel dès qu'ils l'auront acceptée ou refusée.",
        AccessRequestAccepted = "demande-acceptee" => "La demande est acceptée : le compte est ouvert dans votre entreprise, et la personne en est prévenue par courriel. Elle se connecte avec son compte douane.",
        AccessRequestRefused = "demande-refusee" => "La demande est refusée : la personne en est prévenue par courriel, avec le motif.",
        MandateGiven = "mandat-donne" => "Le mandat est enregistré : les administrateurs du représentant en sont prévenus, et ses personnes voient vos dossiers des sites choisis pendant sa durée.",
        MandateRevoked = "mandat-revoque" => "Le mandat est révoqué : les personnes du représentant ne voient plus vos dossiers, dès maintenant. Ses administrateurs en sont prévenus.",
        CompanyRequestSent = "inscription-envoyee" => "Votre demande d'inscription est envoyée aux services de contrôle des sites indiqués : un agent vérifie le SIRET et la raison sociale sur l'extrait joint. Vous recevrez un courriel dès qu'il aura décidé.",
        CompanyVerified = "entreprise-inscrite" => "L'entreprise est inscrite : son compte est ouvert, la personne qui l'a demandé en est l'administratrice et en est prévenue par courriel.",
        CompanyRefused = "inscription-refusee" => "L'inscription est refusée : la personne en est prévenue par courriel, avec le motif.",
        RequestMailNotSent = "demande-courriel-non-envoye" => "La décision est enregistrée, mais le courriel à la personne qui a fait la demande n'a pas pu partir : prévenez-la par un autre moyen.",
        PostOpened = "poste-ouvert" => "Le poste est ouvert, avec un calendrier de rendez-vous, des seuils d'alerte et des responsabilités d'étapes par défaut que ses chefs de service pourront ajuster.",
        KeyRevoked = "cle-revoquee" => "La clé est révoquée : toute requête qui la présente est refusée dès maintenant.",
        AppointmentRequested = "rendez-vous-demande" => "Votre demande de rendez-vous est enregistrée. Sa convocation est disponible ci-dessous ; l'état du rendez-vous s'y met à jour.",
        AppointmentCancelled = "rendez-vous-annule" => "Le rendez-vous est annulé et sa place libérée.",
        AppointmentRescheduled = "rendez-vous-deplace" => "Le rendez-vous est déplacé.",
        AppointmentConfirmed = "rendez-vous-confirme" => "Le rendez-vous est confirmé ; l'opérateur le voit aussitôt.",
        AppointmentRefused = "rendez-vous-refuse" => "Le rendez-vous est refusé ; l'opérateur voit le motif.",
        AppointmentMoved = "rendez-vous-reporte" => "Le rendez-vous est reporté ; l'opérateur voit le nouvel horaire et le motif.",
        AppointmentHonoured = "rendez-vous-honore" => "Présence enregistrée : le rendez-vous est honoré.",
        GatePassRevoked = "acces-hors-ligne-revoque" => "Accès hors ligne révoqué : cet appareil ne peut plus envoyer de pointages.",
        NoShowRecorded = "rendez-vous-absent" => "Absence enregistrée.",
        CheckInWindowSaved = "pointage-enregistre" => "Le créneau de pointage du poste est enregistré : il s'applique dès maintenant aux arrivées.",
        LateArrivalRecorded = "rendez-vous-honore-en-retard" => "Arrivée tardive enregistrée : le rendez-vous est honoré, le motif du retard est inscrit au journal d'audit.",
        FeedCreated = "abonnement-cree" => "Votre adresse d'abonnement est créée. Copiez-la dans votre agenda maintenant : elle ne sera plus affichée.",
        CalendarSaved = "calendrier-enregistre" => "Le calendrier du poste est enregistré ; les créneaux à venir suivent les nouvelles capacités.",
        ClosureSaved = "fermeture-enregistree" => "La fermeture est enregistrée : aucun rendez-vous ne peut plus être pris ces jours-là.",
        FeedRevoked = "abonnement-revoque" => "L'abonnement est révoqué : l'adresse ne fonctionne plus.",
        ConfirmationMailNotSent = "courriel-non-envoye" => "Votre demande est enregistrée, mais le courriel de confirmation n'a pas pu partir. Réessayez dans quelques minutes.",
        PasswordChanged = "mot-de-passe-modifie" => "Votre mot de passe est changé. Vos autres sessions ont été fermées ; celle-ci reste ouverte. Un courriel vous le confirme.",
        AgentInvited = "agent-invite" => "L'agent a reçu un courriel. Son compte sera ouvert quand il aura choisi son mot de passe avec le lien reçu, valable sept jours ; d'ici là, l'invitation figure parmi les invitations en attente. Une fois son compte ouvert, il n'a accès à aucun site tant que vous ne l'avez pas habilité.",
        DocumentAdded = "document-ajoute" => "Le document est ajouté au dossier. Il sera téléchargeable dès que l'antivirus l'aura analysé, dans quelques secondes.",
        ExchangeOpened = "echange-ouvert" => "Votre demande est envoyée. Vous serez notifié de la réponse ; elle s'affichera aussi ici.",
        ComplementsRequested = "complements-demandes" => "La demande de compléments est envoyée : l'opérateur la reçoit par courriel et dans sa messagerie.",
        MessageSent = "message-envoye" => "Votre message est envoyé.",
        NoteAdded = "note-ajoutee" => "La note interne est ajoutée : seuls les agents des administrations la voient.",
        ExchangeAssigned = "echange-attribue" => "L'échange est attribué.",
        ExchangeStatusSet = "echange-statut" => "Le statut de l'échange est changé.",
        ExchangeTransferred = "echange-transfere" => "L'échange est transféré à l'autre administration avec votre note.",
        InvitationMailNotSent = "invitation-non-envoyee" => "L'invitation est enregistrée, mais le courriel n'a pas pu partir. Renvoyez-la dans quelques minutes avec le même formulaire : la nouvelle remplacera celle-ci.",
    }
}

notices! {
    /// What went wrong: a form's failure, carried as `?erreur=code`.
    pub enum Problem {
        // The page explains an invalid address precisely from the address itself (see
        // [`Notice`]); this sentence is only the last resort.
        AddressInvalid = "adresse-invalide" => "Adresse électronique invalide.",
        WrongCredentials = "identifiants" => "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie, ou demandez un nouveau mot de passe.",
        AccountProtected = "compte-protege" => "Pour protéger ce compte, la connexion par mot de passe est suspendue depuis les appareils et réseaux d'où il n'a pas servi ces derniers mois : trop de mots de passe erronés y ont été essayés. Depuis vos appareils habituels, votre mot de passe fonctionne toujours. Ici, recevez par courriel un lien de connexion à usage unique, valable 15 minutes. Si votre compte se connecte par un fournisseur d'identité, utilisez le bouton de ce fournisseur.",
        AddressNotVerified = "adresse-non-verifiee" => "Votre adresse électronique n'est pas encore vérifiée : ouvrez le lien reçu par courriel, ou demandez un nouveau mot de passe pour en recevoir un autre.",
        ProviderUnavailable = "oidc-indisponible" => "Le fournisseur d'identité ne répond pas. Réessayez dans quelques instants, ou connectez-vous avec votre mot de passe.",
        ProviderRefused = "oidc-refusee" => "La connexion par le fournisseur d'identité n'a pas abouti. Réessayez, ou connectez-vous avec votre mot de passe.",
        ProviderExpired = "oidc-expiree" => "La connexion par le fournisseur d'identité a expiré ou a déjà servi. Recommencez.",
        ProviderAlreadyLinked = "oidc-compte-lie" => "Ce compte France Sésame est déjà lié à une autre identité chez ce fournisseur. Connectez-vous avec celle-ci, ou avec votre mot de passe.",
        ProviderRoleNotAllowed = "oidc-role" => "Ce fournisseur d'identité ne permet pas d'ouvrir votre compte. Connectez-vous avec votre mot de passe ou avec le fournisseur prévu pour votre rôle.",
        ProviderAccountUnknown = "oidc-compte-inconnu" => "Aucun compte France Sésame n'est ouvert pour l'adresse vérifiée par le fournisseur d'identité. Si vous avez reçu une invitation par courriel, ouvrez d'abord son lien : votre compte est ouvert quand vous y choisissez votre mot de passe. Sinon, demandez à l'administrateur de votre entreprise ou à votre chef de service de vous inviter.",
        SiretDeclaredInvalid = "siret-declare-invalide" => "Ce SIRET n'est pas valable : il compte 14 chiffres (le SIREN sur 9 chiffres, puis le NIC de l'établissement sur 5) et sa clé de contrôle doit être juste. Recopiez-le depuis l'extrait Kbis ou l'avis de situation au répertoire SIRENE (INSEE) de votre entreprise.",
        CompanyNotRegistered = "entreprise-non-inscrite" => "Aucune entreprise n'est inscrite sous ce SIRET sur France Sésame. Vérifiez le numéro de l'établissement. Si votre entreprise n'utilise pas encore France Sésame, déclarez-la plus bas sur cette page (« Votre entreprise n'est pas encore inscrite sur France Sésame ? »), avec l'extrait de son registre : les services de contrôle de vos sites vérifient l'inscription.",
        AccessRequestGone = "demande-fermee" => "Votre demande d'accès n'est plus ouverte dans ce navigateur : reconnectez-vous avec votre compte douane pour la retrouver.",
        AccessRequestUnknown = "demande-introuvable" => "Cette demande d'accès n'existe pas ou n'attend plus de décision : rechargez la page pour voir les demandes en attente.",
        AccessRequestAddressTaken = "demande-adresse-prise" => "Rien n'a été ouvert : cette adresse a déjà un compte France Sésame. Refusez la demande en indiquant que le compte existe déjà ; la personne se connecte avec lui.",
        MandateInvalid = "mandat-invalide" => "Le mandat n'a pas été enregistré : corrigez ce qui est signalé dans le formulaire.",
        MandateRepresentativeUnknown = "mandat-representant-inconnu" => "Aucune entreprise n'est inscrite sous ce SIRET sur France Sésame : vérifiez le numéro avec votre représentant. Il doit d'abord ouvrir le compte de son entreprise, avec son compte douane.",
        MandateToItself = "mandat-a-soi-meme" => "Ce SIRET est celui de votre propre entreprise : ses personnes voient déjà tous ses dossiers. Indiquez le SIRET de votre représentant.",
        MandateUnknown = "mandat-introuvable" => "Ce mandat n'existe pas ou n'a pas été donné par votre entreprise : rechargez la page pour voir vos mandats.",
        MandateOver = "mandat-termine" => "Ce mandat est déjà révoqué ou échu : il ne donne plus rien au représentant.",
        CompanyAlreadyRegistered = "entreprise-deja-inscrite" => "Une entreprise est déjà inscrite sous ce SIRET sur France Sésame : demandez à la rejoindre avec le premier formulaire de cette page (« SIRET de l'établissement »).",
        CompanyNameInvalid = "raison-sociale-invalide" => "Indiquez la raison sociale de l'entreprise, comme sur l'extrait du registre (2 à 200 caractères).",
        CompanySitesMissing = "sites-manquants" => "Cochez au moins un site où votre entreprise fait contrôler ses marchandises : ce sont les services de contrôle de ces sites qui vérifient l'inscription.",
        RegistryExtractMissing = "extrait-manquant" => "Joignez l'extrait du registre de votre entreprise : un extrait Kbis, ou l'avis de situation au répertoire SIRENE (INSEE), en PDF, JPEG ou PNG.",
        RegistryExtractType = "extrait-format" => "L'extrait doit être un PDF, une image JPEG ou PNG (le type est reconnu au contenu du fichier, pas à son nom) : téléchargez-le ou numérisez-le de nouveau dans l'un de ces formats.",
        RegistryExtractInfected = "extrait-menace" => "L'antivirus a détecté une menace dans le fichier joint : rien n'a été gardé. Joignez un extrait téléchargé de nouveau depuis le site officiel (infogreffe.fr ou avis-situation-sirene.insee.fr).",
        VerificationUnknown = "verification-introuvable" => "Cette inscription n'existe pas, n'attend plus de vérification ou ne relève pas de vos sites : rechargez la page pour voir les entreprises à vérifier.",
        VerificationUnchecked = "verification-incomplete" => "Rien n'a été décidé : une inscription n'est acceptée qu'une fois chaque point vérifié sur l'extrait (le SIRET, la raison sociale, la date et la situation de l'entreprise). Cochez chacun après l'avoir vérifié, ou refusez l'inscription en disant pourquoi.",
        VerificationTooLong = "observations-trop-longues" => "Rien n'a été décidé : les observations dépassent 1 000 caractères ; résumez-les.",
        CompanyRegisteredMeanwhile = "entreprise-inscrite-entre-temps" => "Rien n'a été ouvert : une entreprise est inscrite sous ce SIRET depuis la demande. Refusez l'inscription en invitant la personne à se reconnecter avec son compte douane et à demander à rejoindre cette entreprise.",
        AccessRequestReasonInvalid = "demande-motif-invalide" => "Rien n'a été décidé : indiquez le motif du refus (10 à 500 caractères), il est communiqué à la personne qui a fait la demande.",
        HeadPostInvalid = "chef-poste-invalide" => "Rien n'a changé : choisissez un poste où l'administration de ce chef de service contrôle et qu'il ne dirige pas encore (ou, pour un retrait, un poste qu'il dirige).",
        RightsRequestInvalid = "demande-droits-invalide" => "Rien n'a été envoyé : corrigez ce que signale le formulaire.",
        RightsRequestsTooMany = "demandes-droits-nombreuses" => format!("Rien n'a été envoyé : vous avez déjà {} demandes en cours. Attendez leurs réponses avant d'en présenter une nouvelle, ou écrivez au guichet des droits (page « Données personnelles »).", crate::domain::rights::OPEN_PER_PERSON),
        RightsRequestUnknown = "demande-droits-introuvable" => "Rien n'a changé : cette demande n'existe pas, ou elle a déjà reçu sa réponse. Rechargez la page.",
        RightsExtensionInvalid = "prolongation-invalide" => "Rien n'a changé : le délai d'une demande se prolonge une seule fois, avant la réponse et avant son échéance d'un mois, avec un motif de 10 à 1 000 caractères communiqué à la personne.",
        RightsAnswerProtected = "reponse-protegee" => "Rien n'a été envoyé : ce compte est le vôtre, celui d'un administrateur technique ou d'un membre du guichet, que le guichet n'efface pas et dont il ne limite pas le traitement lui-même. Répondez « accordée en partie » en disant la suite donnée, et transmettez la demande à l'administration technique de la plateforme.",
        RightsAnswerInvalid = "reponse-invalide" => "Rien n'a été envoyé : choisissez la décision et rédigez la réponse (10 à 6 000 caractères).",
        RightsErasureHeld = "effacement-gele" => "Rien n'a été envoyé : un gel est en cours sur ce compte, ses données ne peuvent pas être effacées. Levez le gel, ou répondez par un refus motivé (article 17, paragraphe 3, point e, du RGPD).",
        RightsHoldInvalid = "gel-invalide" => "Rien n'a changé : indiquez le motif du gel (10 à 500 caractères) pour une demande liée à un compte, ou choisissez un gel en cours.",
        RightsLimitationLiftInvalid = "levee-limitation-invalide" => "Rien n'a changé : indiquez le motif de la levée (10 à 500 caractères), dit à la personne ; la limitation doit être en cours sur le compte de la demande.",
        RightsSoleTraderInvalid = "entreprise-individuelle-invalide" => "Rien n'a changé : la demande doit concerner le compte d'une personne rattachée à une entreprise, et l'entreprise ne doit pas être déjà dans cet état.",
        RightsDossierHoldInvalid = "gel-dossier-invalide" => "Rien n'a changé : indiquez le numéro d'un dossier existant (celui de son adresse, /dossiers/123) et le motif du gel (10 à 500 caractères), ou choisissez un gel en cours.",
        RightsDeskNotApplicable = "guichet-impossible" => "Rien n'a changé : le guichet des droits se confie à un compte ouvert de la DGDDI (agent, chef de service ou superviseur), une seule fois.",
        RightsDeskNotHeld = "guichet-non-tenu" => "Rien n'a changé : ce compte ne tient pas le guichet des droits.",
        HeadLastPost = "chef-dernier-poste" => "Rien n'a changé : c'est le seul poste que ce chef de service dirige. Pour mettre fin à ses fonctions, suspendez ou clôturez son compte.",
        PasswordMissing = "mot-de-passe-manquant" => "Saisissez votre mot de passe.",
        CurrentPasswordMissing = "mot-de-passe-actuel-manquant" => "Saisissez votre mot de passe actuel : il confirme que c'est bien vous qui changez le mot de passe.",
        CurrentPasswordWrong = "mot-de-passe-actuel" => "Le mot de passe actuel est incorrect : rien n'a été changé. Vérifiez votre saisie ; après plusieurs erreurs, les essais sont ralentis. Si vous l'avez oublié, déconnectez-vous et utilisez « Mot de passe oublié ? ».",
        PasswordUnchanged = "mot-de-passe-identique" => "Le nouveau mot de passe est identique à l'actuel : choisissez-en un autre.",
        PasswordChangeProtected = "mot-de-passe-protege" => "Trop de mots de passe erronés ont été essayés sur votre compte : pour le protéger, le changement de mot de passe est suspendu depuis cet appareil. Déconnectez-vous et utilisez « Mot de passe oublié ? » : le lien arrive dans votre messagerie.",
        PasswordAtProvider = "mot-de-passe-fournisseur" => "Votre compte se connecte par un fournisseur d'identité : il n'a pas de mot de passe France Sésame. Changez votre mot de passe chez ce fournisseur.",
        CguNotTicked = "cgu-non-cochee" => "Cochez la case pour accepter les conditions générales d'utilisation.",
        LinkInvalid = "lien-invalide" => "Ce lien n'est plus valable : il a déjà servi ou il a expiré. Demandez-en un nouveau.",
        ConfirmationMismatch = "confirmation" => "Les deux mots de passe saisis sont différents.",
        PasswordTooShort = "mot-de-passe-court" => format!("Le mot de passe doit contenir au moins {PASSWORD_MIN_CHARS} caractères."),
        PasswordTooLong = "mot-de-passe-long" => format!("Le mot de passe ne doit pas dépasser {PASSWORD_MAX_CHARS} caractères."),
        PasswordCommon = "mot-de-passe-courant" => "Ce mot de passe fait partie des mots de passe les plus courants : choisissez-en un autre, par exemple une phrase de plusieurs mots.",
        PasswordContainsAddress = "mot-de-passe-adresse" => "Le mot de passe ne doit pas reprendre votre adresse électronique.",
        NameInvalid = "nom-invalide" => "Saisissez le prénom et le nom : 2 à 100 caractères, uniquement des lettres, des espaces, des traits d'union, des apostrophes et des points.",
        AddressTaken = "adresse-prise" => "Cette adresse électronique est déjà celle d'un compte France Sésame.",
        InvitationUnknown = "invitation-introuvable" => "Cette invitation n'existe pas, a déjà été acceptée ou retirée, ou ne relève pas de vous.",
        InvitationAddressTaken = "invitation-adresse-prise" => "Cette adresse électronique a déjà un compte France Sésame : l'invitation n'en ouvre pas un second, et rien n'a été changé. Connectez-vous avec votre compte, ou demandez un nouveau mot de passe si vous l'avez oublié. Un compte ne relève que d'une entreprise : pour rejoindre celle qui vous a invité, prenez contact avec la personne qui vous a invité.",
        ColleagueUnknown = "collegue-introuvable" => "Ce compte n'existe pas, a déjà été désactivé ou n'est pas de votre entreprise.",
        AgentMissing = "agent-manquant" => "Choisissez l'agent à habiliter.",
        SiteMissing = "site-manquant" => "Choisissez le site.",
        StartDateInvalid = "date-debut" => "Indiquez la date de début au format jj/mm/aaaa.",
        EndDateInvalid = "date-fin" => "La date de fin n'est pas une date valide (format jj/mm/aaaa).",
        DatesReversed = "dates-inversees" => "La date de fin doit être postérieure ou égale à la date de début.",
        EndDatePast = "date-fin-passee" => "La date de fin est déjà passée : l'habilitation ne servirait à rien.",
        HabilitationUnknown = "habilitation-introuvable" => "Cette habilitation n'existe pas ou ne relève pas de vos postes.",
        AlertUnknown = "alerte-introuvable" => "Cette alerte n'existe pas, a déjà été close ou ne concerne pas vos sites.",
        NotificationUnknown = "notification-introuvable" => "Cette notification n'existe pas ou ne vous est pas adressée.",
        DigestHourInvalid = "heure-recapitulatif" => "Choisissez l'heure du récapitulatif quotidien dans la liste, de 0 h à 23 h.",
        MailModeInvalid = "mode-courriel" => "Choisissez pour chaque type : immédiatement, dans le récapitulatif quotidien, ou jamais.",
        NotificationKindUnknown = "type-notification" => "Un type de notification envoyé n'existe pas ou ne vous concerne pas : rechargez la page et recommencez.",
        ActionRequiredAlwaysMailed = "action-requise" => "Les notifications qui demandent une action vous sont toujours envoyées immédiatement par courriel : les conditions générales d'utilisation font de votre adresse le canal des demandes de l'administration.",
        ExtraRecipientKindsMissing = "destinataire-types" => "Cochez au moins un type d'information à transmettre à cette adresse.",
        ExtraRecipientTwice = "destinataire-deja-inscrit" => "Cette adresse est déjà inscrite pour votre entreprise : retirez-la d'abord pour changer ce qu'elle reçoit.",
        ExtraRecipientUnknown = "destinataire-introuvable" => "Cette adresse n'est pas inscrite pour votre entreprise, ou en a déjà été retirée.",
        ExtraRecipientLinkInvalid = "lien-destinataire" => "Ce lien de confirmation n'est pas valide, ou l'adresse a été retirée par l'entreprise. Demandez-lui de vous inscrire à nouveau.",
        WebhookUrlEmpty = "webhook-adresse-vide" => "Saisissez l'adresse qui recevra les livraisons.",
        WebhookUrlTooLong = "webhook-adresse-longue" => "Cette adresse est trop longue : 2 000 caractères au plus.",
        WebhookUrlNotHttps = "webhook-https" => "L'adresse doit commencer par https:// : les livraisons ne partent que chiffrées.",
        WebhookUrlCredentials = "webhook-identifiants" => "L'adresse ne doit contenir ni identifiant ni mot de passe : chaque livraison est signée avec le secret du webhook.",
        WebhookUrlHost = "webhook-serveur" => "Le nom du serveur de cette adresse n'est pas valide. Exemple : https://api.mon-entreprise.fr/sesame",
        WebhookUrlPort = "webhook-port" => "Le numéro de port de cette adresse n'est pas accepté : 443 (celui d'https, par défaut), ou de 1024 à 65535.",
        WebhookUrlMalformed = "webhook-adresse" => "Cette adresse n'est pas valide : retirez les espaces et la partie après « # ».",
        WebhookUrlPrivate = "webhook-reseau-prive" => "Cette adresse désigne un réseau privé ou local : seules les adresses publiques sur Internet peuvent recevoir des livraisons.",
        WebhookHostUnknown = "webhook-serveur-introuvable" => "Le nom du serveur de cette adresse est introuvable : vérifiez-le, ou réessayez quand il sera déclaré.",
        WebhookKindsMissing = "webhook-types" => "Cochez au moins un type de notification à livrer à ce webhook.",
        WebhookUnknown = "webhook-introuvable" => "Ce webhook n'est pas inscrit pour votre entreprise, ou en a déjà été retiré.",
        WebhookNotActive = "webhook-inactif" => "Ce webhook est suspendu ou retiré : réactivez-le d'abord.",
        WebhookNotPaused = "webhook-non-suspendu" => "Ce webhook n'est pas suspendu, ou n'est pas inscrit pour votre entreprise.",
        DeliveryUnknown = "livraison-introuvable" => "Cette livraison n'existe pas pour votre entreprise, est encore en cours d'essais, ou son webhook est suspendu ou retiré (réactivez-le d'abord).",
        ExtraRecipientMailFailed = "destinataire-courriel" => "L'adresse est inscrite, mais le courriel de confirmation n'a pas pu partir : retirez-la et inscrivez-la à nouveau dans quelques minutes.",
        NoNotificationKinds = "aucune-notification" => "Aucun type de notification ne vous est adressé pour l'instant.",
        AlertNoteInvalid = "alerte-note" => "Indiquez ce qui a été fait ou constaté pour clore l'alerte, en 5 à 1 000 caractères.",
        AlertNotOpen = "alerte-deja-prise" => "Cette alerte n'est plus ouverte : un collègue l'a prise en charge ou close entre-temps. La liste est à jour.",
        PostNotHeaded = "seuil-poste" => "Choisissez un des postes dont vous êtes chef de service.",
        ThresholdRuleUnknown = "seuil-regle" => "Choisissez la règle dans la liste.",
        ThresholdGoodsUnknown = "seuil-categorie" => "Choisissez la catégorie de marchandises dans la liste, ou toutes les catégories.",
        ThresholdStepUnknown = "seuil-etape" => "Choisissez l'étape dans la liste, ou toutes les étapes.",
        ThresholdMinutesInvalid = "seuil-minutes" => "Indiquez une durée en minutes, nombre entier de 1 à 129 600 (90 jours).",
        ThresholdPercentInvalid = "seuil-pourcentage" => "Indiquez un pourcentage entier de 100 à 1 000 (300 : trois fois le 80e centile observé).",
        ThresholdCountInvalid = "seuil-nombre" => "Indiquez un nombre entier de dossiers, de 1 à 10 000.",
        ThresholdSwitchInvalid = "seuil-activation" => "Indiquez 1 pour activer la règle, 0 pour la désactiver.",
        ThresholdNotRemovable = "seuil-non-retirable" => "Ce seuil est le seuil général du poste : modifiez sa valeur, il ne peut pas être retiré.",
        KeyNameInvalid = "cle-nom" => "Indiquez le nom du système partenaire (1 à 100 caractères).",
        // The page tells exactly what is wrong from the fields it gets back.
        SiteInvalid = "site-invalide" => "Le site n'a pas été ouvert : corrigez ce qui est signalé dans le formulaire.",
        InterruptionInvalid = "interruption-invalide" => "Rien n'a été enregistré : corrigez ce qui est signalé dans le formulaire.",
        InterruptionUnknown = "interruption-introuvable" => "Cette maintenance est déjà terminée ou annulée : rien n'a changé.",
        ProcedureInvalid = "procedure-invalide" => "La procédure n'a pas été enregistrée : choisissez un site de la liste et écrivez au plus 3 000 caractères.",
        PostInvalid = "poste-invalide" => "Le poste n'a pas été ouvert : corrigez ce qui est signalé dans le formulaire.",
        StateAccountInvalid = "compte-etat-invalide" => "L'invitation n'est pas partie : corrigez ce qui est signalé dans le formulaire.",
        AccountUnknown = "compte-introuvable" => "Ce compte n'existe pas, ou aucune décision à son sujet ne vous revient.",
        ReasonInvalid = "motif-invalide" => "Rien n'a été décidé : indiquez le motif de la décision (10 à 500 caractères), il est communiqué au titulaire du compte.",
        DecisionNotApplicable = "decision-sans-objet" => "Rien n'a été décidé : le compte n'est plus dans l'état qui permettait cette décision. Voyez son état actuel ci-dessous.",
        AccountSuspendedSignIn = "connexion-compte-suspendu" => "Ce compte est suspendu : la connexion est refusée. Le motif a été envoyé par courriel à son adresse ; pour le contester, écrivez à l'assistance depuis la page « Contact ».",
        OperatorsUseCustoms = "operateurs-compte-douane" => "Sur France Sésame, les opérateurs se connectent avec leur compte douane : utilisez le bouton de connexion par le compte douane, avec l'adresse de votre compte.",
        ColleaguesThroughCustoms = "collegues-compte-douane" => "Sur France Sésame, les opérateurs n'ont pas de mot de passe : ils se connectent avec leur compte douane. Votre collègue s'y connecte, indique le SIRET de votre entreprise, et vous acceptez sa demande dans « Demandes d'accès ».",
        PlaceTaken = "code-pris" => "Ce code est déjà celui d'un site ou d'un poste de la plateforme : rien n'a été créé.",
        PostWithoutSite = "poste-sans-site" => "Aucun site ne correspond aux cinq premiers caractères du code de ce poste : ouvrez d'abord son site.",
        PlaceNotOpened = "ouverture-impossible" => "L'ouverture n'a pas pu être enregistrée : rien n'a été créé. Réessayez dans quelques instants.",
        KeySourceInvalid = "cle-source" => "Choisissez la source autorisée dans la liste, ou toutes les sources.",
        KeySitesInvalid = "cle-sites" => "Les sites doivent être des codes UN/LOCODE (par exemple FRLEH) séparés par des virgules, ou * pour tous les sites.",
        KeyNotCreated = "cle-non-creee" => "La clé n'a pas pu être créée. Réessayez dans quelques instants.",
        KeyUnknown = "cle-introuvable" => "Cette clé n'existe pas ou est déjà révoquée.",
        SlotFull = "creneau-complet" => "Ce créneau est complet. Choisissez-en un autre.",
        GatePassUnknown = "acces-hors-ligne-inconnu" => "Cet accès hors ligne n'existe pas ou est déjà terminé.",
        SlotPast = "creneau-passe" => "Ce créneau est passé. Choisissez un créneau à venir.",
        SlotTooSoon = "creneau-trop-proche" => "Ce créneau est trop proche : le poste demande de réserver plus tôt (le délai est indiqué en haut de la page).",
        NotASlot = "creneau-inconnu" => "Cet horaire n'est pas un créneau du poste. Choisissez un créneau dans la liste.",
        PostClosed = "poste-ferme" => "Le poste est fermé ce jour-là. Choisissez un autre jour.",
        CheckNotRequired = "controle-non-requis" => "Ce dossier n'est pas sélectionné pour ce contrôle : aucun rendez-vous n'est nécessaire.",
        CheckUnknown = "controle-inconnu" => "Choisissez le contrôle : contrôle d'identité ou contrôle physique.",
        AlreadyBooked = "rendez-vous-existant" => "Ce dossier a déjà un rendez-vous en cours pour ce contrôle : déplacez-le ou annulez-le.",
        CutoffPassed = "delai-depasse" => "Il est trop tard pour modifier ce rendez-vous en ligne : contactez le poste.",
        AppointmentNotActive = "rendez-vous-clos" => "Ce rendez-vous n'existe pas, n'est plus en cours (annulé, refusé ou déjà traité) ou ne relève pas de vous.",
        OtherCompany = "autre-entreprise" => "Ce dossier n'est pas celui de votre entreprise.",
        NoPost = "sans-poste" => "Ce dossier n'a pas encore de poste de contrôle frontalier : le rendez-vous se prend quand le poste est connu.",
        NoCalendar = "sans-calendrier" => "Ce poste ne prend pas de rendez-vous en ligne : contactez-le directement.",
        OpeningsUnreadable = "calendrier-plages" => "Une plage d'ouverture est illisible : écrivez-les comme 08:00-12:00, 13:30-17:30 (24:00 pour minuit).",
        CalendarNumbersInvalid = "calendrier-nombres" => "Indiquez en nombres entiers la durée d'un créneau, les places par créneau et les délais.",
        CalendarInvalid = "calendrier-invalide" => "Ce calendrier n'est pas cohérent : une fermeture précède une ouverture, des plages se chevauchent, ou une valeur dépasse les limites (créneau de 5 à 480 minutes, 500 places, 30 jours de délai).",
        CapacityTaken = "capacite-occupee" => "Impossible de réduire ainsi les places : un créneau à venir compte déjà plus de rendez-vous. Déplacez ou annulez-les d'abord.",
        PeriodTaken = "periode-occupee" => "Impossible de fermer ces plages : des rendez-vous à venir y sont pris. Déplacez ou annulez-les d'abord.",
        DateOutOfBounds = "date-hors-bornes" => format!("Cette date est hors des dates acceptées : choisissez un jour {}.", DateUse::Period.rule()),
        SlotOutOfBounds = "creneau-hors-bornes" => format!("Cet horaire est hors des dates acceptées : choisissez un créneau {}.", DateUse::Planning.rule()),
        ClosureDatesInvalid = "fermeture-dates" => "Indiquez les dates de début et de fin de la fermeture (la fin après le début).",
        ClosureReasonInvalid = "fermeture-motif" => "Indiquez le motif de la fermeture (3 à 200 caractères).",
        ClosureTaken = "fermeture-occupee" => "Impossible de fermer le poste ces jours-là : des rendez-vous y sont pris. Déplacez ou annulez-les d'abord.",
        CheckInMinutesInvalid = "pointage-minutes" => "Indiquez le créneau de pointage en minutes, de 0 à 1440 (une journée) de chaque côté du début du créneau.",
        LateReasonMissing = "motif-retard-manquant" => "Indiquez le motif du retard (3 à 500 caractères) : il est inscrit au journal d'audit et l'opérateur le verra.",
        ArrivalTooEarly = "arrivee-trop-tot" => "Trop tôt pour enregistrer l'arrivée : le pointage de ce rendez-vous n'est pas encore ouvert. Au contrôle à l'arrivée, sa fiche indique son jour, son heure et l'heure d'ouverture du pointage.",
        ArrivalWindowClosed = "arrivee-tardive" => "Le créneau de pointage de ce rendez-vous est fermé : pour accepter l'arrivée, indiquez le motif du retard dans le formulaire d'arrivée tardive.",
        ArrivalNotLate = "arrivee-a-l-heure" => "Ce rendez-vous est dans son créneau de pointage : enregistrez l'arrivée sans motif de retard.",
        ArrivalDayPast = "arrivee-jour-passe" => "Il est trop tard pour enregistrer l'arrivée de ce rendez-vous : son jour est passé. Reportez-le depuis le planning, ou enregistrez l'absence.",
        ReasonMissing = "motif-manquant" => "Indiquez le motif (3 à 500 caractères) : l'opérateur le verra.",
        UnknownAction = "action-inconnue" => "Cette action n'existe pas.",
        DocumentKindMissing = "document-type" => "Choisissez le type de document dans la liste.",
        DocumentTitleInvalid = "document-titre" => "Indiquez le titre du document : 1 à 200 caractères, sur une ligne.",
        DocumentFileMissing = "document-fichier" => "Choisissez le fichier à joindre.",
        DocumentFileEmpty = "document-vide" => "Le fichier choisi est vide : choisissez le document à joindre.",
        DocumentTooLarge = "document-trop-lourd" => "Le fichier dépasse la taille admise, indiquée sous le champ : réduisez-le (numérisation en 200 ppp, PDF compressé) ou envoyez-le en plusieurs parties.",
        DocumentTypeRefused = "document-format" => "Ce type de fichier n'est pas accepté : envoyez un PDF, une image JPEG ou PNG, ou un fichier XML (le type est reconnu au contenu du fichier, pas à son nom).",
        DocumentVisibilityMissing = "document-visibilite" => "Indiquez si le document est visible par l'opérateur ou réservé aux services de contrôle.",
        DocumentNotCorrectable = "document-remplacement" => "Ce document ne peut pas être remplacé par vous : il n'est pas de votre côté (entreprise ou services de contrôle), ou il a déjà été remplacé (remplacez sa version la plus récente).",
        DocumentSameFile = "document-deja-joint" => "Ce fichier est déjà joint au dossier (mêmes octets) : il n'a pas été ajouté une seconde fois.",
        DocumentScannerUnavailable = "document-antivirus" => "L'analyse antivirus des documents est momentanément indisponible : aucun document ne peut être déposé pour l'instant. Réessayez dans quelques minutes.",
        DocumentUploadInterrupted = "document-interrompu" => "L'envoi du fichier a été interrompu avant la fin : vérifiez votre connexion et réessayez.",
        DocumentNotSaved = "document-non-enregistre" => "Le document n'a pas pu être enregistré. Réessayez dans quelques instants.",
        ExchangeUnknown = "echange-inconnu" => "Cet échange ou ce dossier n'existe pas, ou ne relève pas de votre périmètre.",
        ExchangeNotYoursToAnswer = "echange-reponse" => "Seuls l'entreprise concernée et les agents de l'administration responsable de l'échange écrivent dans cet échange. Vous pouvez le lire.",
        ExchangeNotYoursToHandle = "echange-traitement" => "Seuls les agents de l'administration responsable de l'échange, sur ce site, le traitent (note interne, attribution, statut, transfert).",
        MessageEmpty = "message-vide" => "Le message est vide : écrivez votre demande.",
        MessageTooLong = "message-long" => "Le message dépasse 5 000 caractères : raccourcissez-le ou joignez un document.",
        MessageInvalidCharacters = "message-caracteres" => "Le message contient des caractères invisibles non admis : recopiez-le depuis un éditeur de texte simple.",
        ExchangeTitleInvalid = "echange-objet-texte" => "Indiquez l'objet de votre demande en quelques mots (150 caractères au plus).",
        ExchangeSubjectMissing = "echange-sujet" => "Choisissez le sujet de votre demande dans la liste.",
        ExchangeAddresseeMissing = "echange-destinataire" => "Choisissez à qui vous écrivez : la douane, le SIVEP, ou « je ne sais pas ».",
        ExchangeSiteMissing = "echange-site" => "Choisissez le site (port ou aéroport) concerné par votre demande.",
        ExchangeDueDateInvalid = "echange-echeance" => "Indiquez la date à laquelle la réponse est attendue : après aujourd'hui, dans les trois mois.",
        ExchangeFilesNeedDossier = "echange-fichiers-dossier" => "Les fichiers se joignent aux échanges sur un dossier : écrivez depuis la page du dossier pour joindre un document.",
        ExchangeTooManyFiles = "echange-fichiers-nombre" => "Un message porte au plus 5 fichiers : envoyez les autres dans un second message.",
        ExchangeBudgetReached = "echange-quota" => "Vous avez ouvert le nombre maximal d'échanges pour 24 heures. Écrivez dans un échange déjà ouvert, ou réessayez demain ; en cas d'urgence, contactez le poste de contrôle.",
        ExchangeAssigneeUnknown = "echange-agent" => "Cet agent ne peut pas prendre l'échange : choisissez un agent habilité sur ce site pour l'administration responsable.",
        ExchangeStatusUnknown = "echange-statut-inconnu" => "Choisissez le statut dans la liste.",
        ExchangeTransferNoteMissing = "echange-transfert-note" => "Indiquez dans la note pourquoi vous transférez l'échange (5 000 caractères au plus).",
        ExchangeUnchanged = "echange-inchange" => "L'échange est déjà dans cet état : rien n'a changé.",
    }
}

impl From<PasswordError> for Problem {
    fn from(error: PasswordError) -> Self {
        match error {
            PasswordError::TooShort(_) => Problem::PasswordTooShort,
            PasswordError::TooLong => Problem::PasswordTooLong,
            PasswordError::Common => Problem::PasswordCommon,
            PasswordError::ContainsEmail => Problem::PasswordContainsAddress,
        }
    }
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
                let text = match Problem::from_code(&code) {
                    Some(Problem::AddressInvalid) => {
                        let typed = typed
                            .clone()
                            .filter(|typed| !typed.is_empty())
                            .or_else(|| query.get("adresse"))
                            .or_else(|| query.get("collegue_adresse"))
                            .or_else(|| query.get("invite_adresse"))
                            .or_else(|| query.get("destinataire_adresse"))
                            .unwrap_or_default();
                        let explained = parse_email(&typed).err().map(Cow::Owned);
                        Some(explained.unwrap_or_else(|| Problem::AddressInvalid.text()))
                    }
                    problem => problem.map(Problem::text),
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
                query.get("message").and_then(|code| Done::from_code(&code)).map(|done| {
                    view! {
                        <div class="fr-alert fr-alert--success fr-alert--sm fr-mb-3w" role="status">
                            <p>{done.text()}</p>
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
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_code_reads_back_as_its_variant() {
        for done in Done::ALL {
            assert_eq!(Done::from_code(done.code()), Some(*done), "{done:?}");
        }
        for problem in Problem::ALL {
            assert_eq!(
                Problem::from_code(problem.code()),
                Some(*problem),
                "{problem:?}"
            );
        }
        assert_eq!(Done::from_code("inconnu"), None);
        assert_eq!(Problem::from_code(""), None);
    }

    #[test]
    fn codes_are_unique() {
        let done: HashSet<_> = Done::ALL.iter().map(|done| done.code()).collect();
        assert_eq!(done.len(), Done::ALL.len());
        let problems: HashSet<_> = Problem::ALL.iter().map(|problem| problem.code()).collect();
        assert_eq!(problems.len(), Problem::ALL.len());
    }

    #[test]
    fn every_variant_has_a_sentence() {
        for done in Done::ALL {
            assert!(!done.text().trim().is_empty(), "{done:?}");
        }
        for problem in Problem::ALL {
            assert!(!problem.text().trim().is_empty(), "{problem:?}");
        }
    }

    #[test]
    fn password_rules_have_their_own_problems() {
        assert_eq!(
            Problem::from(PasswordError::TooShort(3)).code(),
            "mot-de-passe-court"
        );
        assert_eq!(
            Problem::from(PasswordError::TooLong).code(),
            "mot-de-passe-long"
        );
        assert_eq!(
            Problem::from(PasswordError::Common).code(),
            "mot-de-passe-courant"
        );
        assert_eq!(
            Problem::from(PasswordError::ContainsEmail).code(),
            "mot-de-passe-adresse"
        );
    }
}
