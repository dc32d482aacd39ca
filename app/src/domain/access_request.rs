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
}
