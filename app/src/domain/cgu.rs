//! The terms of use (conditions générales d'utilisation), versioned. The page `/cgu`, the PDF
//! `/cgu.pdf` and the acceptance gate all read this one text. Publishing a new version means
//! changing [`VERSION`] and the text: every user is then asked to accept it again.
//!
//! Articles are cited as numbered today: the loi n° 78-17 du 6 janvier 1978 as renumbered by the
//! ordonnance n° 2018-1125 du 12 décembre 2018 (in force since 1 June 2019), whose rights of the
//! persons concerned under the GDPR are its articles 48 to 56 and the CNIL's missions its
//! article 8. The text promises only what the platform does: each promise is kept by code that
//! says so (retention, rights, copies of records, maintenance, perimeter).

/// The version in force. Acceptances are recorded against it.
pub const VERSION: &str = "2026-12-05";

/// How the version is shown to people.
pub const VERSION_LABEL: &str = "version du 5 décembre 2026";

pub const TITLE: &str = "Conditions générales d'utilisation";

/// The DGDDI's postal address, where the bureau Comint 2 receives requests about personal data
/// (also the legal notice's default publisher).
pub const DGDDI_ADDRESS: &str = "11 rue des Deux Communes, 93558 Montreuil Cedex";

/// One section: a heading, paragraphs, then bullet points.
pub struct Section {
    pub heading: &'static str,
    pub paragraphs: &'static [&'static str],
    pub bullets: &'static [&'static str],
}

pub const SECTIONS: &[Section] = &[
    Section {
        heading: "Objet du service",
        paragraphs: &[
            "France Sésame est le point de contact numérique unique de l'État pour le passage frontière des marchandises soumises aux contrôles sanitaires et phytosanitaires (animaux vivants, produits d'origine animale, végétaux et produits végétaux, aliments pour animaux, denrées d'origine non animale soumises à des contrôles renforcés, fruits et légumes soumis aux normes de commercialisation, produits biologiques), dans les ports et aéroports français qui y sont raccordés.",
            "Il permet aux importateurs, aux représentants en douane et aux transitaires de suivre en temps réel les formalités et les contrôles de leurs envois, de prendre rendez-vous pour les contrôles d'identité et physiques, d'être notifiés de l'avancement, de consulter et télécharger les documents de chaque envoi et d'écrire à la douane et au SIVEP par une messagerie unique. Il permet aux agents de ces administrations d'organiser les contrôles, d'être alertés des retards et des blocages et, s'ils y sont habilités, de consulter la fiche d'identité d'un opérateur ; il fournit des tableaux de bord aux superviseurs et des statistiques à la DGITM.",
            "France Sésame ne remplace ni TRACES NT, ni le système de dédouanement, ni les systèmes des communautés portuaires et aéroportuaires : les formalités continuent d'y être accomplies, et les informations qu'ils transmettent sont rassemblées en un dossier par envoi. Les textes qui encadrent le passage de ces marchandises sont présentés sur la page « Informations réglementaires ».",
        ],
        bullets: &[],
    },
    Section {
        heading: "Gratuité",
        paragraphs: &[
            "L'utilisation de France Sésame est gratuite. Elle ne modifie ni les redevances des contrôles officiels, ni les frais de manutention, de stockage ou d'analyse, qui restent dus selon les règles habituelles.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Accès au service et compte",
        paragraphs: &[
            "Les pages d'information sont publiques. Les autres services nécessitent un compte nominatif associé à une adresse électronique valide, qui est obligatoire. Dans un déploiement de l'État, les opérateurs se connectent avec leur compte du portail de la douane. Le compte d'un opérateur est rattaché à son entreprise ; l'administrateur de l'entreprise fait entrer et retire ses collègues. Les habilitations des agents (site, administration, dates de début et de fin) sont accordées et retirées par leur chef de service.",
            "Avant toute utilisation, l'utilisateur prend connaissance de l'information sur ses données personnelles et accepte la version en vigueur des présentes conditions ; l'acceptation (personne, date, version et adresse IP) est enregistrée. Chaque nouvelle version est soumise à acceptation à la connexion suivante ; sans acceptation, le service n'est pas accessible. La version en vigueur et sa date figurent en tête de ces conditions, téléchargeables en PDF.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Engagements de l'utilisateur",
        paragraphs: &["L'utilisateur s'engage à :"],
        bullets: &[
            "utiliser France Sésame pour les seules formalités et missions auxquelles il prend part ;",
            "garder confidentiels ses moyens de connexion, ne pas les prêter et signaler sans délai tout usage de son compte qu'il n'a pas fait ;",
            "ne consulter que les informations nécessaires à ses missions (principe du besoin d'en connaître) et ne pas les communiquer à qui n'a pas à en connaître ;",
            "fournir des informations exactes et les rectifier depuis son espace personnel ;",
            "ne pas tenter d'accéder à des données ou à des fonctions auxquelles il n'est pas habilité, ni d'entraver le fonctionnement du service.",
        ],
    },
    Section {
        heading: "Responsabilité de l'utilisateur et sanctions",
        paragraphs: &[
            "L'utilisateur est responsable de l'usage fait de son compte et des informations qu'il saisit, dépose ou transmet. Un usage contraire aux présentes conditions peut conduire à la suspension du compte, sans préjudice des poursuites.",
            "Le fait d'accéder ou de se maintenir frauduleusement dans tout ou partie d'un système de traitement automatisé de données, d'en entraver ou d'en fausser le fonctionnement, ou d'y introduire, d'en extraire, d'en modifier ou d'en supprimer frauduleusement des données est puni par les articles 323-1 à 323-7 du code pénal, y compris la tentative ; les peines sont aggravées lorsque le système, tel France Sésame, traite des données à caractère personnel et est mis en œuvre par l'État. Les atteintes aux droits des personnes résultant des fichiers ou des traitements informatiques, notamment la collecte déloyale, le détournement de finalité ou la divulgation de données personnelles, sont punies par les articles 226-16 à 226-24 du même code.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Soumissions abusives et réseaux d'anonymisation",
        paragraphs: &[
            "Les soumissions abusives sont refusées, qu'elles le soient par leur nombre, leur caractère répétitif ou automatisé, ou parce qu'elles menacent la sécurité du service : au-delà d'un certain nombre de demandes, le service répond de réessayer plus tard, et les tentatives de connexion répétées sont ralenties. Les systèmes partenaires transmettent leurs informations par l'interface qui leur est réservée, avec une clé, et non par les pages.",
            "L'accès par des réseaux d'anonymisation tels que Tor n'est pas autorisé : le service refuse les connexions qui en proviennent.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Navigateurs, sécurité et cookies",
        paragraphs: &[
            "France Sésame s'utilise avec les versions récentes des principaux navigateurs (Firefox, Chrome, Edge, Safari), sur ordinateur, tablette et téléphone. JavaScript n'est pas nécessaire aux parcours essentiels : consulter un dossier, prendre rendez-vous, écrire à l'administration, télécharger un document ; il ajoute les mises à jour en direct.",
            "Le service n'est accessible qu'en HTTPS. Les sessions expirent après une période d'inactivité et, en tout état de cause, au bout d'une durée maximale ; l'utilisateur consulte ses sessions ouvertes et y met fin depuis son espace personnel.",
            "France Sésame n'utilise que des cookies strictement nécessaires au service : le cookie de session, qui disparaît à la fermeture du navigateur, et quelques cookies techniques de courte durée (le suivi d'une connexion par un fournisseur d'identité, la saisie d'un formulaire refusé). Aucun cookie de mesure d'audience, de publicité ou de suivi n'est déposé ; c'est pourquoi aucun consentement n'est demandé (article 82 de la loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux libertés).",
        ],
        bullets: &[],
    },
    Section {
        heading: "Disponibilité et procédure de secours",
        paragraphs: &[
            "Le service est accessible en permanence, 24 heures sur 24 et 7 jours sur 7, sauf maintenance ou incident. Une maintenance prévue est annoncée à l'avance par un bandeau sur chaque page et sur la page « État du service » (/etat-du-service), qui présente aussi l'état courant et les incidents passés ; les opérateurs qui ont un rendez-vous pendant la maintenance en sont notifiés.",
            "Pendant une indisponibilité, les pages le disent, indiquent jusqu'à quand et présentent la procédure de secours de chaque site (contacts et démarches) : les formalités se poursuivent dans TRACES NT et le système de dédouanement, auprès du poste de contrôle frontalier et du bureau de douane du site. L'indisponibilité de France Sésame ne suspend aucune formalité. Au retour du service, les dossiers sont mis à jour à partir des informations transmises par ces systèmes.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Traçabilité et copies des enregistrements",
        paragraphs: &[
            "Chaque connexion, chaque modification et chaque consultation d'un dossier ou de données personnelles par un agent est inscrite dans un journal d'audit chaîné : chaque entrée est liée à la précédente par une empreinte, si bien que toute modification, suppression ou insertion est décelable, et des empreintes de contrôle sont conservées hors de la base de données.",
            "Toute personne peut obtenir une copie des enregistrements qui la concernent, depuis son espace personnel ou sur demande. La copie d'un dossier ou d'une personne est accompagnée des éléments qui permettent à un tiers, sans accès à la plateforme, de vérifier son intégrité ; elle peut servir de preuve dans un litige. La copie des consultations dit quand et pourquoi des données ont été consultées, sans nommer l'agent qui les a consultées. Un enregistrement qui fait l'objet d'un litige peut être conservé le temps nécessaire, à titre conservatoire, au-delà des durées indiquées plus bas.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Données personnelles : responsables conjoints du traitement",
        paragraphs: &[
            "La direction générale des douanes et droits indirects (DGDDI) et la direction générale de l'alimentation (DGAL), par son service d'inspection vétérinaire et phytosanitaire aux frontières (SIVEP), sont responsables conjoints du traitement au sens de l'article 26 du règlement (UE) 2016/679 (RGPD). L'accord qui les lie répartit leurs rôles ; en voici l'essentiel :",
        ],
        bullets: &[
            "la DGDDI répond des traitements liés aux formalités douanières et aux contrôles qu'elle mène (dédouanement, denrées d'origine non animale soumises à des contrôles renforcés, normes de commercialisation des fruits et légumes, produits biologiques) ;",
            "la DGAL répond, par le SIVEP, des traitements liés aux contrôles vétérinaires et phytosanitaires aux postes de contrôle frontaliers et aux décisions sur les DSCE ;",
            "la DGDDI est le point de contact unique des personnes concernées : son bureau Comint 2 reçoit et instruit les demandes d'exercice des droits, y compris celles qui parviennent à la DGAL, qui les lui transmet ; chacune des deux directions reste tenue de répondre de ses traitements.",
        ],
    },
    Section {
        heading: "Données personnelles : finalités et bases légales",
        paragraphs: &[
            "Les données personnelles sont traitées pour l'exécution des missions d'intérêt public de contrôle aux frontières dont sont investies la DGDDI et la DGAL (article 6, paragraphe 1, point e, du RGPD), afin de :",
        ],
        bullets: &[
            "gérer les comptes, les habilitations et les mandats de représentation ;",
            "suivre les envois, organiser les contrôles et les rendez-vous, notifier l'avancement et signaler les retards aux agents ;",
            "mettre à disposition les documents des envois et tracer les échanges de la messagerie ;",
            "donner aux agents habilités une vue d'ensemble d'un opérateur économique ;",
            "produire les indicateurs des superviseurs et les statistiques de la DGITM ;",
            "assurer la sécurité du service, la traçabilité des accès et la preuve des enregistrements.",
        ],
    },
    Section {
        heading: "Données personnelles : données traitées et destinataires",
        paragraphs: &[
            "Sont traitées l'identité et les coordonnées professionnelles (nom, adresse électronique), l'entreprise ou l'administration, le rôle, les habilitations et les mandats, les préférences de notification, les messages et les documents déposés, les rendez-vous, les acceptations des présentes conditions et les données de connexion (date, adresse IP, navigateur). Aucune décision n'est prise sur le seul fondement d'un traitement automatisé : les alertes aident les agents, qui décident.",
            "Les données ne sont communiquées qu'à ceux qui ont à en connaître :",
        ],
        bullets: &[
            "les agents de la douane et du SIVEP habilités sur les sites des envois, et leurs chefs de service ;",
            "les utilisateurs de l'entreprise de l'opérateur et ses représentants mandatés, pour ses envois ;",
            "les superviseurs de la DGDDI et de la DGAL, pour le pilotage ;",
            "la direction générale des infrastructures, des transports et des mobilités (DGITM), qui ne reçoit que des statistiques agrégées, sans aucune donnée d'entreprise ni de personne ;",
            "les administrateurs techniques de la plateforme, pour la gestion des comptes ;",
            "les autorités habilitées par la loi, sur leur demande.",
        ],
    },
    Section {
        heading: "Données personnelles : durées de conservation",
        paragraphs: &[
            "Les données personnelles d'un utilisateur sont conservées deux ans après sa dernière connexion. Trente jours avant cette échéance, un courriel le prévient : se connecter conserve le compte. À l'échéance, son identité est effacée et remplacée par une mention neutre ; ce qu'il a écrit dans les dossiers administratifs (échanges, rendez-vous, décisions) y demeure sous cette mention, pour les besoins de la mission de service public.",
            "Les données de connexion (sessions, adresses IP, navigateurs, traces de connexion) sont conservées six mois. Le journal d'audit perd ses données personnelles aux mêmes échéances et reste vérifiable. Un enregistrement qui fait l'objet d'un litige peut être conservé tant que dure le litige.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Données personnelles : vos droits",
        paragraphs: &[
            "Toute personne concernée dispose, dans les conditions prévues par le RGPD et par les articles 48 à 56 de la loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux libertés, des droits suivants :",
        ],
        bullets: &[
            "le droit d'accès à ses données et d'en obtenir une copie (article 15 du RGPD) ;",
            "le droit de rectification (article 16) ;",
            "le droit à l'effacement (article 17), sauf pour les données que l'exécution de la mission d'intérêt public impose de conserver (article 17, paragraphe 3, point b) ;",
            "le droit à la limitation du traitement (article 18) ;",
            "le droit d'opposition, pour des raisons tenant à sa situation particulière (article 21) ;",
            "le droit de définir des directives relatives au sort de ses données après son décès (articles 84 à 86 de la loi n° 78-17).",
        ],
    },
    Section {
        heading: "Données personnelles : exercer vos droits",
        paragraphs: &[
            "Le droit à la portabilité (article 20 du RGPD) ne s'applique pas : le traitement est nécessaire à l'exécution d'une mission d'intérêt public (article 20, paragraphe 3). Chacun peut néanmoins télécharger toutes ses données depuis son espace personnel.",
            "Les droits s'exercent depuis l'espace personnel, rubrique « Mes données personnelles » (/espace/donnees), qui permet de télécharger ses données et de corriger ce qui peut l'être ; les autres demandes (rectification de ce que la personne ne peut corriger elle-même, effacement, limitation, opposition) s'adressent par courrier à à la direction générale des douanes et droits indirects, bureau Comint 2, 11 rue des Deux Communes, 93558 Montreuil Cedex, ou par courriel à l'adresse indiquée sur la page « Données personnelles ». La DGDDI est le point de contact unique : une demande adressée à la DGAL lui est transmise. Une réponse est apportée à chaque demande dans un délai d'un mois, qui peut être prolongé de deux mois compte tenu de la complexité ou du nombre des demandes, la personne étant informée de la prolongation et de ses motifs (article 12, paragraphe 3, du RGPD). En cas de doute raisonnable sur l'identité du demandeur, des informations complémentaires peuvent lui être demandées.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Données personnelles : contacts et réclamation",
        paragraphs: &[
            "Pour toute question sur le traitement de ses données, chacun peut s'adresser au bureau Comint 2 de la DGDDI, aux coordonnées ci-dessus, ou au délégué à la protection des données des ministères économiques et financiers, dont relève la DGDDI.",
            "Si elle estime que ses droits ne sont pas respectés, toute personne peut adresser une réclamation à la Commission nationale de l'informatique et des libertés (CNIL), autorité de contrôle chargée notamment de traiter les réclamations (article 77 du RGPD et article 8 de la loi n° 78-17 du 6 janvier 1978) : en ligne sur cnil.fr, ou par courrier à la CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Évolution des conditions et droit applicable",
        paragraphs: &[
            "Les présentes conditions peuvent évoluer avec le service et la réglementation. Chaque version est datée ; une nouvelle version est soumise à l'acceptation de chacun à sa connexion suivante, et les acceptations des versions précédentes restent enregistrées. Les présentes conditions sont régies par le droit français.",
        ],
        bullets: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole text, headings and all, as one string.
    fn text() -> String {
        SECTIONS
            .iter()
            .flat_map(|section| {
                std::iter::once(section.heading)
                    .chain(section.paragraphs.iter().copied())
                    .chain(section.bullets.iter().copied())
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_terms_cover_every_clause_of_the_charter() {
        let text = text();
        for expected in [
            // Joint controllers, their roles, the point of contact.
            "responsables conjoints du traitement",
            "article 26",
            "Comint 2",
            "transmet",
            // Purposes and legal basis.
            "article 6, paragraphe 1, point e",
            // Recipients: the DGITM sees statistics only.
            "DGITM",
            "statistiques agrégées",
            // Retention.
            "deux ans après sa dernière connexion",
            "Trente jours avant",
            "six mois",
            "litige",
            // Rights, the public mission's exception, portability.
            "article 15",
            "article 17, paragraphe 3, point b",
            "article 18",
            "article 21",
            "portabilité",
            "article 20, paragraphe 3",
            "/espace/donnees",
            "un mois",
            // Contacts and the complaint, with the loi's current numbering.
            "délégué à la protection des données des ministères économiques et financiers",
            "CNIL",
            "articles 48 à 56 de la loi n° 78-17",
            "article 8 de la loi n° 78-17",
            // Users' responsibility and the penal code.
            "articles 323-1 à 323-7 du code pénal",
            "articles 226-16 à 226-24",
            // Abusive submissions, anonymisation networks.
            "nombre",
            "répétitif ou automatisé",
            "sécurité du service",
            "Tor",
            // Browsers, HTTPS, cookies.
            "versions récentes des principaux navigateurs",
            "JavaScript n'est pas nécessaire",
            "HTTPS",
            "cookie de session",
            "aucun consentement",
            // Availability and the procédure de secours.
            "24 heures sur 24",
            "État du service",
            "procédure de secours",
            // Free of charge; audit trail and copies.
            "gratuite",
            "journal d'audit",
            "vérifier son intégrité",
        ] {
            assert!(text.contains(expected), "« {expected} » manque aux CGU");
        }
    }

    #[test]
    fn the_terms_cite_no_article_of_the_loi_as_numbered_before_2018() {
        // Before the ordonnance n° 2018-1125, access, objection and rectification were articles
        // 38 to 40 of the loi, and its rights chapter started at 32; those numbers now name other
        // things.
        let text = text();
        for stale in [
            "article 32",
            "article 38",
            "article 39",
            "article 40",
            "article 34 de la loi",
        ] {
            assert!(
                !text.contains(stale),
                "« {stale} » : numérotation d'avant 2018"
            );
        }
    }

    #[test]
    fn the_rights_desk_s_address_is_the_dgddi_s() {
        let text = text();
        assert!(text.contains(DGDDI_ADDRESS));
        assert!(crate::branding::DEFAULT_PUBLISHER.ends_with(DGDDI_ADDRESS));
    }

    #[test]
    fn the_version_is_a_date_and_its_label_says_it() {
        let date = chrono::NaiveDate::parse_from_str(VERSION, "%Y-%m-%d").expect("une date");
        assert!(VERSION_LABEL.contains(&date.format("%Y").to_string()));
    }
}
