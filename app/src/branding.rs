//! How the deployment presents itself. Read by the server's state and by the page header alike,
//! so it lives apart from both.

use serde::{Deserialize, Serialize};

/// How the deployment presents itself: with the State's brand block (Marianne, "République
/// Française") only when it is run by the State; otherwise a neutral header naming France Sésame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub state: bool,
}

/// The publisher of the legal notice when the deployment names none: the DGDDI, which runs the
/// platform with the DGAL.
pub const DEFAULT_PUBLISHER: &str = "Direction générale des douanes et droits indirects (DGDDI), 11 rue des Deux Communes, 93558 Montreuil Cedex";
/// The publication director when the deployment names none: the DGDDI's head.
pub const DEFAULT_PUBLICATION_DIRECTOR: &str =
    "Le directeur général des douanes et droits indirects";
/// The host when the deployment names none: a sentence saying what it must set, since no
/// default can be true.
pub const DEFAULT_HOST_PROVIDER: &str = "Non renseigné : chaque déploiement indique ici le nom, l'adresse et le numéro de téléphone de son hébergeur (variable SESAME_HOST_PROVIDER).";
/// The incident and suggestion service's address when the deployment names none (it receives
/// nothing: a deployment sets its own).
pub const DEFAULT_CONTACT_EMAIL: &str = "contact@france-sesame.example";
/// The address of the DGDDI's bureau Comint 2 for requests about personal data, when the
/// deployment names none (it receives nothing: a deployment sets its own).
pub const DEFAULT_RIGHTS_EMAIL: &str = "donnees-personnelles@france-sesame.example";

/// Who publishes the deployment and whom people write to, as the legal notice, the contact page,
/// the personal-data page and the accessibility statement say it. Each deployment sets its own
/// (`SESAME_PUBLISHER`, `SESAME_PUBLICATION_DIRECTOR`, `SESAME_HOST_PROVIDER`,
/// `SESAME_CONTACT_EMAIL`, `SESAME_RIGHTS_EMAIL`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// The publisher: its name and postal address.
    pub publisher: String,
    pub publication_director: String,
    /// The host: its name, address and telephone number.
    pub host_provider: String,
    /// The incident and suggestion service: problems, questions on the platform, accessibility.
    pub contact_email: String,
    /// Requests about personal data, by e-mail (the DGDDI's bureau Comint 2).
    pub rights_email: String,
}

impl Default for Publication {
    fn default() -> Publication {
        Publication {
            publisher: DEFAULT_PUBLISHER.to_owned(),
            publication_director: DEFAULT_PUBLICATION_DIRECTOR.to_owned(),
            host_provider: DEFAULT_HOST_PROVIDER.to_owned(),
            contact_email: DEFAULT_CONTACT_EMAIL.to_owned(),
            rights_email: DEFAULT_RIGHTS_EMAIL.to_owned(),
        }
    }
}
