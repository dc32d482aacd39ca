//! The terms of use (conditions générales d'utilisation), versioned. The page `/cgu`, the PDF
//! `/cgu.pdf` and the acceptance gate all read this one text. Publishing a new version means
//! changing [`VERSION`] and the text: every user is then asked to accept it again.

/// The version in force. Acceptances are recorded against it.
pub const VERSION: &str = "2026-11-26";

/// How the version is shown to people.
pub const VERSION_LABEL: &str = "version du 26 novembre 2026";

pub const TITLE: &str = "Conditions générales d'utilisation";

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
            "France Sésame est le point de contact numérique unique du passage frontière des marchandises soumises aux contrôles sanitaires et phytosanitaires dans les ports et aéroports français. Il permet aux importateurs, aux représentants en douane et aux transitaires de suivre leurs envois, de prendre rendez-vous pour les inspections et d'échanger avec la douane (DGDDI) et le SIVEP (DGAL), et permet aux agents de ces administrations d'organiser les contrôles. Son utilisation est gratuite.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Accès au service et compte",
        paragraphs: &[
            "L'accès aux espaces personnels nécessite un compte nominatif et une adresse électronique vérifiée. Le compte d'un opérateur est rattaché à son entreprise ; l'administrateur de l'entreprise invite et retire ses collègues. Les habilitations des agents (site, administration, dates de début et de fin) sont accordées et retirées par leur chef de service.",
            "Avant toute utilisation, l'utilisateur accepte la version en vigueur des présentes conditions ; l'acceptation (personne, date, version et adresse IP) est enregistrée. Chaque nouvelle version est de nouveau soumise à acceptation.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Obligations de l'utilisateur",
        paragraphs: &["L'utilisateur s'engage à :"],
        bullets: &[
            "garder confidentiels ses moyens de connexion et signaler sans délai tout usage qu'il n'a pas fait de son compte ;",
            "ne consulter que les informations nécessaires à ses missions (principe du besoin d'en connaître) ;",
            "fournir des informations exactes et les rectifier depuis son espace personnel ;",
            "ne pas tenter d'accéder à des données ou des fonctions auxquelles il n'est pas habilité.",
        ],
    },
    Section {
        heading: "Usages interdits",
        paragraphs: &[
            "Les soumissions abusives, par leur nombre, leur caractère répétitif ou automatisé, ou parce qu'elles menacent la sécurité du service, sont refusées. Les tentatives de connexion répétées sont ralenties. L'accès par des réseaux d'anonymisation tels que Tor n'est pas autorisé.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Sécurité et traçabilité",
        paragraphs: &[
            "Le service n'est accessible qu'en HTTPS. Les sessions expirent après une période d'inactivité et, en tout état de cause, au bout d'une durée maximale ; l'utilisateur peut consulter ses sessions ouvertes et y mettre fin depuis son espace personnel.",
            "Chaque connexion, chaque modification et chaque consultation d'un dossier ou de données personnelles par un agent est inscrite dans un journal d'audit chaîné, dont l'intégrité est vérifiable et qui peut être produit en justice.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Disponibilité",
        paragraphs: &[
            "Le service est accessible en permanence. En cas de maintenance ou d'incident, les utilisateurs en sont informés et les formalités se poursuivent selon la procédure de secours.",
        ],
        bullets: &[],
    },
    Section {
        heading: "Données personnelles",
        paragraphs: &[
            "Les données personnelles sont traitées pour l'exercice des missions de contrôle aux frontières, dans les conditions décrites sur la page « Données personnelles ».",
        ],
        bullets: &[],
    },
];
