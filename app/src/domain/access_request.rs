//! An operator's request to join their company: someone the customs account signed in without
//! saying which company they belong to declares its SIRET, and the company's administrator
//! accepts (the account opens, tied to the customs account) or refuses with a reason. The
//! requester's browser follows the request with a cookie; the requester is told by mail.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The cookie through which the requester's browser reads where its request stands (a random
/// token; its hash is kept with the request).
pub const ACCESS_REQUEST_COOKIE: &str = "sesame_demande";

/// How long the cookie lasts: signing in again with the customs account renews it.
pub const ACCESS_REQUEST_COOKIE_DAYS: i64 = 30;

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessRequestState {
    /// The company's SIRET is still to be declared.
    ToComplete,
    /// Declared: the company's administrator decides.
    Waiting,
    Accepted,
    Refused,
}

impl AccessRequestState {
    pub fn code(self) -> &'static str {
        match self {
            AccessRequestState::ToComplete => "a_completer",
            AccessRequestState::Waiting => "en_attente",
            AccessRequestState::Accepted => "acceptee",
            AccessRequestState::Refused => "refusee",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            AccessRequestState::ToComplete,
            AccessRequestState::Waiting,
            AccessRequestState::Accepted,
            AccessRequestState::Refused,
        ]
        .into_iter()
        .find(|state| state.code() == code)
    }
}

/// A request as its requester reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequest {
    pub id: i64,
    pub full_name: String,
    pub email: String,
    pub state: AccessRequestState,
    /// The declared SIRET, once declared.
    pub siret: Option<String>,
    /// The company of that SIRET.
    pub company_name: Option<String>,
    /// Why it was refused.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Whether it declares a company not yet registered, which an agent verifies.
    pub new_company: bool,
    /// The sites it declares, by name (a new company only).
    pub sites: Vec<String>,
}

/// A new company waiting for an agent of one of the sites it declares to verify it, as the
/// agents' queue shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyVerification {
    pub id: i64,
    /// The company's name, as declared.
    pub company_name: String,
    pub siret: String,
    /// The person asking, as the customs account vouched for them.
    pub full_name: String,
    pub email: String,
    /// The sites it declares, by name.
    pub sites: Vec<String>,
    /// The extract of the company registry: its file's name, type and size.
    pub extract_name: String,
    pub extract_media: String,
    pub extract_size: i64,
    /// Whether the antivirus scanned it (a development deployment has none).
    pub extract_scanned: bool,
    pub declared_at: DateTime<Utc>,
}

/// What the agent checks on the extract before accepting a new company: each a form field
/// (`oui` when ticked) and what it records.
pub const VERIFICATION_CHECKS: [(&str, &str); 3] = [
    (
        "siret_conforme",
        "le SIRET déclaré est celui d'un établissement de l'entreprise sur l'extrait",
    ),
    (
        "raison_sociale_conforme",
        "la raison sociale déclarée est celle de l'extrait",
    ),
    (
        "extrait_recent",
        "l'extrait date de moins de trois mois et ne mentionne ni radiation ni cessation",
    ),
];

/// Why a verification cannot be recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerificationMissing {
    /// A check is not ticked: what it says.
    Check(&'static str),
    /// The observations are longer than 1,000 characters.
    TooLong,
}

/// What the agent records of their verification: every check, then their observations (at most
/// 1,000 characters, white space collapsed).
/// The box the verifying agent ticks when the extract shows an entreprise individuelle: a company
/// that is a person, whose name and address are then kept as personal data are.
pub const SOLE_TRADER_FIELD: &str = "entreprise_individuelle";

pub fn parse_verification(
    ticked: impl Fn(&str) -> bool,
    observations: &str,
) -> Result<String, VerificationMissing> {
    if let Some((_, missing)) = VERIFICATION_CHECKS.iter().find(|(field, _)| !ticked(field)) {
        return Err(VerificationMissing::Check(missing));
    }
    let observations = observations
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if observations.chars().count() > 1000 {
        return Err(VerificationMissing::TooLong);
    }
    let mut record = VERIFICATION_CHECKS
        .iter()
        .map(|(_, check)| *check)
        .collect::<Vec<_>>()
        .join(" ; ");
    if !observations.is_empty() {
        record.push_str(" — observations : ");
        record.push_str(&observations);
    }
    Ok(record)
}

/// A company's name as declared (its white space collapsed): 2 to 200 characters, none a
/// control character.
pub fn parse_company_name(typed: &str) -> Result<String, String> {
    let name = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    if !(2..=200).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(
            "Indiquez la raison sociale de l'entreprise, comme sur l'extrait du registre (2 à 200 caractères)."
                .into(),
        );
    }
    Ok(name)
}

/// A request waiting for a company's administrator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingRequest {
    pub id: i64,
    pub full_name: String,
    pub email: String,
    pub declared_at: DateTime<Utc>,
}

/// What the company's administrator decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestDecision {
    Acceptance,
    Refusal,
}

impl RequestDecision {
    /// As the form's address says it (`/espace/demandes/{id}/{code}`).
    pub fn code(self) -> &'static str {
        match self {
            RequestDecision::Acceptance => "acceptation",
            RequestDecision::Refusal => "refus",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [RequestDecision::Acceptance, RequestDecision::Refusal]
            .into_iter()
            .find(|decision| decision.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for state in [
            AccessRequestState::ToComplete,
            AccessRequestState::Waiting,
            AccessRequestState::Accepted,
            AccessRequestState::Refused,
        ] {
            assert_eq!(AccessRequestState::from_code(state.code()), Some(state));
        }
        assert_eq!(AccessRequestState::from_code("close"), None);
        assert_eq!(
            RequestDecision::from_code("acceptation"),
            Some(RequestDecision::Acceptance)
        );
        assert_eq!(
            RequestDecision::from_code("refus"),
            Some(RequestDecision::Refusal)
        );
        assert_eq!(RequestDecision::from_code("suspension"), None);
    }

    #[test]
    fn a_new_company_is_accepted_only_with_every_check_recorded() {
        let all = |_: &str| true;
        let record = parse_verification(all, "  Kbis du 02/11/2026,\n vu  ").unwrap();
        for (_, check) in VERIFICATION_CHECKS {
            assert!(record.contains(check), "{record}");
        }
        assert!(record.ends_with("— observations : Kbis du 02/11/2026, vu"));
        assert!(!parse_verification(all, "")
            .unwrap()
            .contains("observations"));
        assert_eq!(
            parse_verification(|field| field != "raison_sociale_conforme", ""),
            Err(VerificationMissing::Check(VERIFICATION_CHECKS[1].1))
        );
        assert_eq!(
            parse_verification(all, &"x".repeat(1001)),
            Err(VerificationMissing::TooLong)
        );
    }

    #[test]
    fn a_company_name_is_trimmed_and_bounded() {
        assert_eq!(
            parse_company_name("  Neuf   Import\tSAS ").unwrap(),
            "Neuf Import SAS"
        );
        assert!(parse_company_name(" A ").is_err());
        assert!(parse_company_name(&"a".repeat(201)).is_err());
        assert!(parse_company_name("").is_err());
    }
}
