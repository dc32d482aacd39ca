//! The personal space and the head of service's habilitation desk: what each person may read
//! about themselves, their company and their habilitations; and, in its folder, the forms of
//! accounts: signing in and out, the terms of use, recovery, the profile and sessions, the
//! password, invitations and habilitations.

#[cfg(feature = "ssr")]
pub mod access_requests;
#[cfg(feature = "ssr")]
pub mod cgu;
#[cfg(feature = "ssr")]
pub mod company_verifications;
#[cfg(feature = "ssr")]
pub mod habilitations;
#[cfg(feature = "ssr")]
pub mod invitations;
#[cfg(feature = "ssr")]
pub mod mandates;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod personal_data;
#[cfg(feature = "ssr")]
pub mod profile;
#[cfg(feature = "ssr")]
pub mod recovery;
#[cfg(feature = "ssr")]
pub mod sign_in;
#[cfg(feature = "ssr")]
pub mod sign_in_link;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::access::Viewer;
use crate::domain::account::{PendingInvitation, SessionInfo};
use crate::domain::directory::{Administration, Company, Habilitation, Site, User};

/// What the page of a request to join a company shows: the request this browser follows, if
/// any; while it is open, the sites a new company may declare, and the largest extract taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRequestSpace {
    pub request: Option<crate::domain::access_request::AccessRequest>,
    pub sites: Vec<Site>,
    pub max_mib: u64,
}

/// Everything the personal space shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSpace {
    pub viewer: Viewer,
    /// Operators: their company and its people.
    pub company: Option<Company>,
    pub colleagues: Vec<User>,
    /// Their company's administrators: the invitations not accepted yet.
    pub invitations: Vec<PendingInvitation>,
    /// Their company's administrators: the requests to join it waiting for a decision.
    pub access_requests: Vec<crate::domain::access_request::WaitingRequest>,
    /// Whether colleagues are invited (operators have local accounts), or only come in through
    /// their requests.
    pub colleagues_invited: bool,
    /// Operators: the mandates of representation their company received; its administrators:
    /// those it gave, and the sites a new one may cover.
    pub mandates_received: Vec<crate::domain::mandate::Mandate>,
    pub mandates_given: Vec<crate::domain::mandate::Mandate>,
    pub mandate_sites: Vec<Site>,
    /// Agents: their habilitations, current and past.
    pub habilitations: Vec<Habilitation>,
    pub sessions: Vec<SessionInfo>,
    pub current_session: Option<i64>,
    /// Agents: the passes of today their devices hold for the gate without network.
    pub gate_passes: Vec<crate::domain::gate::GatePass>,
    /// Whether the account has a password of its own here (one that signs in only through an
    /// identity provider changes it there).
    pub has_password: bool,
    /// The day it is in France, to tell the habilitations in force (the browser has no clock it
    /// may trust, and WASM none at all without JavaScript bindings).
    pub today: chrono::NaiveDate,
}

#[server(endpoint = "espace")]
pub async fn load_account_space() -> Result<AccountSpace, ServerFnError> {
    use crate::domain::access::{authorize, EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::PersonalSpace, Target::Nothing)?;
    let store = crate::state::store()?;
    let may = |entry| authorize(Some(&viewer), entry, Target::Nothing).is_ok();
    let (company, colleagues, invitations, access_requests) = match viewer.company_id {
        Some(company_id) if may(EntryPoint::CompanyColleagues) => {
            let company = store
                .company(company_id)
                .await
                .map_err(crate::state::internal)?;
            let colleagues = store
                .company_users(company_id)
                .await
                .map_err(crate::state::internal)?;
            let (invitations, access_requests) = if may(EntryPoint::InviteColleague) {
                (
                    store
                        .pending_invitations(
                            crate::store::InvitationTo::Company(company_id),
                            chrono::Utc::now(),
                        )
                        .await
                        .map_err(crate::state::internal)?,
                    store
                        .waiting_requests(company_id)
                        .await
                        .map_err(crate::state::internal)?,
                )
            } else {
                (Vec::new(), Vec::new())
            };
            (company, colleagues, invitations, access_requests)
        }
        _ => (None, Vec::new(), Vec::new(), Vec::new()),
    };
    let today = crate::domain::access::local_day(chrono::Utc::now());
    let (mandates_received, mandates_given, mandate_sites) = match company.as_ref() {
        Some(company) => {
            let received = store
                .mandates(company.id, false, today, None)
                .await
                .map_err(crate::state::internal)?;
            let gives = authorize(
                Some(&viewer),
                EntryPoint::ManageMandates,
                Target::Mandate { importer_id: None },
            )
            .is_ok();
            if gives {
                (
                    received,
                    store
                        .mandates(company.id, true, today, None)
                        .await
                        .map_err(crate::state::internal)?,
                    store.sites().await.map_err(crate::state::internal)?,
                )
            } else {
                (received, Vec::new(), Vec::new())
            }
        }
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let habilitations = if may(EntryPoint::OwnHabilitations) {
        store
            .habilitations_of(viewer.user_id)
            .await
            .map_err(crate::state::internal)?
    } else {
        Vec::new()
    };
    let idle = use_context::<crate::state::SessionIdle>()
        .map(|idle| idle.0)
        .unwrap_or_else(|| chrono::Duration::minutes(30));
    let sessions = store
        .sessions_of(viewer.user_id, chrono::Utc::now(), idle)
        .await
        .map_err(crate::state::internal)?;
    let gate_passes = if viewer.sites.is_empty() {
        Vec::new()
    } else {
        store
            .gate_passes_of(viewer.user_id, today)
            .await
            .map_err(crate::state::internal)?
    };
    let has_password = store
        .password_hash(&viewer.email)
        .await
        .map_err(crate::state::internal)?
        .is_some();
    Ok(AccountSpace {
        has_password,
        viewer,
        company,
        colleagues,
        invitations,
        access_requests,
        colleagues_invited: use_context::<crate::state::LocalOperatorAccounts>()
            .is_none_or(|local| local.0),
        mandates_received,
        mandates_given,
        mandate_sites,
        habilitations,
        sessions,
        current_session: caller.session_id,
        gate_passes,
        today,
    })
}

/// What a head of service manages: the sites of the posts they head, the agents of their
/// administration and the invitations of agents not accepted yet, and the habilitations in force
/// on those sites.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HabilitationDesk {
    pub administration: Administration,
    pub sites: Vec<Site>,
    pub agents: Vec<User>,
    pub invitations: Vec<PendingInvitation>,
    pub habilitations: Vec<Habilitation>,
    pub today: chrono::NaiveDate,
}

#[server(endpoint = "habilitations")]
pub async fn load_habilitation_desk() -> Result<HabilitationDesk, ServerFnError> {
    use crate::domain::access::{local_day, EntryPoint, Refusal, Target};
    let caller = crate::state::caller();
    let viewer =
        crate::state::signed_in(&caller, EntryPoint::ManageHabilitations, Target::Nothing)?;
    let administration = viewer
        .administration
        .ok_or_else(|| ServerFnError::new(Refusal::Forbidden.message()))?;
    let store = crate::state::store()?;
    let headed = store
        .headed_sites(viewer.user_id)
        .await
        .map_err(crate::state::internal)?;
    let sites = store
        .sites()
        .await
        .map_err(crate::state::internal)?
        .into_iter()
        .filter(|site| headed.contains(&site.code))
        .collect();
    let agents = store
        .agents(administration)
        .await
        .map_err(crate::state::internal)?;
    let invitations = store
        .pending_invitations(
            crate::store::InvitationTo::Administration(administration),
            chrono::Utc::now(),
        )
        .await
        .map_err(crate::state::internal)?;
    let habilitations = store
        .habilitations_on(administration, &headed)
        .await
        .map_err(crate::state::internal)?;
    // The agents' names and addresses are personal data: their consultation is recorded.
    store
        .audit(
            &caller.audit_event("consultation_habilitations", administration.code(), ""),
            chrono::Utc::now(),
        )
        .await
        .map_err(crate::state::internal)?;
    Ok(HabilitationDesk {
        administration,
        sites,
        agents,
        invitations,
        habilitations,
        today: local_day(chrono::Utc::now()),
    })
}

/// Whether a link received by mail still works, and for which address. A password link may also
/// be an invitation's: accepting it opens the account with that password.
#[server(endpoint = "lien")]
pub async fn link_status(token: String, purpose: String) -> Result<Option<String>, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    use crate::store::TokenPurpose;
    let caller = crate::state::caller();
    crate::state::authorize(&caller, EntryPoint::ResetPassword, Target::Nothing)?;
    let store = crate::state::store()?;
    let hash = crate::state::token_hash(token.trim());
    let now = chrono::Utc::now();
    let purposes: &[TokenPurpose] = match purpose.as_str() {
        "verification" => &[TokenPurpose::Verification],
        "connexion" => &[TokenPurpose::SignIn],
        _ => {
            if let Some(email) = store
                .invitation_email(&hash, now)
                .await
                .map_err(crate::state::internal)?
            {
                return Ok(Some(email));
            }
            &[TokenPurpose::Reset]
        }
    };
    for purpose in purposes {
        if let Some(email) = store
            .token_email(&hash, *purpose, now)
            .await
            .map_err(crate::state::internal)?
        {
            return Ok(Some(email));
        }
    }
    Ok(None)
}

/// Where the request to join a company of this browser stands (its cookie says which), or
/// nothing when it holds none.
#[server(endpoint = "demande-acces")]
pub async fn load_access_request() -> Result<AccessRequestSpace, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    crate::state::authorize(&caller, EntryPoint::RequestAccess, Target::Nothing)?;
    let store = crate::state::store()?;
    let request =
        match crate::state::request_cookie(crate::domain::access_request::ACCESS_REQUEST_COOKIE) {
            Some(token) => store
                .access_request_by_token(&crate::state::token_hash(&token))
                .await
                .map_err(crate::state::internal)?,
            None => None,
        };
    // The sites a new company declares, only to someone whose request is still open.
    let sites = match &request {
        Some(request)
            if matches!(
                request.state,
                crate::domain::access_request::AccessRequestState::ToComplete
                    | crate::domain::access_request::AccessRequestState::Waiting
            ) =>
        {
            store.sites().await.map_err(crate::state::internal)?
        }
        _ => Vec::new(),
    };
    Ok(AccessRequestSpace {
        request,
        sites,
        max_mib: crate::state::document_max_mib(),
    })
}

/// The new companies waiting for verification at the reader's sites (agents and heads of
/// service), the oldest first; the consultation of the requesters' names and addresses is
/// audited.
#[server(endpoint = "verifications-entreprises")]
pub async fn load_company_verifications(
) -> Result<Vec<crate::domain::access_request::CompanyVerification>, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::VerifyCompanies, Target::Nothing)?;
    let store = crate::state::store()?;
    let waiting = store
        .company_verifications(&viewer.sites)
        .await
        .map_err(crate::state::internal)?;
    if !waiting.is_empty() {
        let ids = waiting
            .iter()
            .map(|request| format!("demande:{}", request.id))
            .collect::<Vec<_>>()
            .join(",");
        caller
            .audit_consultation(&store, "consultation_inscriptions", &ids, "")
            .await?;
    }
    Ok(waiting)
}

/// The server functions and the entry point each one answers for: a test checks that every
/// registered server function is listed here, so that none escapes the permission matrix.
pub const SERVER_FUNCTIONS: [(&str, crate::domain::access::EntryPoint); 40] = [
    // The dashboards and the statistics: figures only, the scope worked out from the reader.
    (
        "/api/tableau-de-bord",
        crate::domain::access::EntryPoint::Dashboards,
    ),
    (
        "/api/statistiques",
        crate::domain::access::EntryPoint::Statistics,
    ),
    // The operator's card: each company checked against the policy in the function, the card
    // limited to the reader's sites.
    (
        "/api/operateurs",
        crate::domain::access::EntryPoint::OperatorCards,
    ),
    (
        "/api/fiche-operateur",
        crate::domain::access::EntryPoint::ReadOperatorCard,
    ),
    // The new companies to verify: the queue of the reader's sites.
    (
        "/api/verifications-entreprises",
        crate::domain::access::EntryPoint::VerifyCompanies,
    ),
    // The messaging: each exchange checked against the policy in the function; internal notes
    // never reach an operator.
    (
        "/api/echanges",
        crate::domain::access::EntryPoint::Messaging,
    ),
    (
        "/api/echange",
        crate::domain::access::EntryPoint::ReadExchange,
    ),
    (
        "/api/nouvel-echange",
        crate::domain::access::EntryPoint::OpenExchange,
    ),
    // The documents of a dossier, as its page shows them (each one checked in the store's
    // reading: the operator never gets internal ones).
    (
        "/api/documents-dossier",
        crate::domain::access::EntryPoint::ReadDossier,
    ),
    (
        "/api/dossiers",
        crate::domain::access::EntryPoint::ListDossiers,
    ),
    // The gate's day: only for whoever records arrivals at their sites (none for others).
    (
        "/api/journee-arrivee",
        crate::domain::access::EntryPoint::Planning,
    ),
    (
        "/api/dossier",
        crate::domain::access::EntryPoint::ReadDossier,
    ),
    (
        "/api/page-dossier",
        crate::domain::access::EntryPoint::ReadDossier,
    ),
    ("/api/sites", crate::domain::access::EntryPoint::ListSites),
    ("/api/postes", crate::domain::access::EntryPoint::ListSites),
    ("/api/alertes", crate::domain::access::EntryPoint::AlertDesk),
    (
        "/api/seuils-alertes",
        crate::domain::access::EntryPoint::ManageAlertThresholds,
    ),
    (
        "/api/cles-partenaires",
        crate::domain::access::EntryPoint::ManagePartnerKeys,
    ),
    (
        "/api/sites-et-postes",
        crate::domain::access::EntryPoint::ManageSites,
    ),
    (
        "/api/etat-du-service",
        crate::domain::access::EntryPoint::PublicPage,
    ),
    // The rights of the persons concerned: one's own requests, and the desk.
    (
        "/api/mes-demandes-droits",
        crate::domain::access::EntryPoint::PersonalSpace,
    ),
    (
        "/api/guichet-droits",
        crate::domain::access::EntryPoint::RightsDesk,
    ),
    (
        "/api/demande-droits",
        crate::domain::access::EntryPoint::RightsDesk,
    ),
    (
        "/api/comptes",
        crate::domain::access::EntryPoint::ManageAccounts,
    ),
    (
        "/api/compte",
        crate::domain::access::EntryPoint::DecideAccount,
    ),
    (
        "/api/rendez-vous-du-dossier",
        crate::domain::access::EntryPoint::ReadDossier,
    ),
    (
        "/api/disponibilites",
        crate::domain::access::EntryPoint::BookAppointment,
    ),
    (
        "/api/mes-rendez-vous",
        crate::domain::access::EntryPoint::MyAppointments,
    ),
    ("/api/planning", crate::domain::access::EntryPoint::Planning),
    (
        "/api/calendriers",
        crate::domain::access::EntryPoint::ManageCalendars,
    ),
    (
        "/api/abonnement-calendrier",
        crate::domain::access::EntryPoint::MyAppointments,
    ),
    (
        "/api/controle-arrivee",
        crate::domain::access::EntryPoint::Planning,
    ),
    (
        "/api/espace",
        crate::domain::access::EntryPoint::PersonalSpace,
    ),
    // The request's cookie is the credential: without it, nothing is read.
    (
        "/api/demande-acces",
        crate::domain::access::EntryPoint::RequestAccess,
    ),
    (
        "/api/habilitations",
        crate::domain::access::EntryPoint::ManageHabilitations,
    ),
    (
        "/api/notifications",
        crate::domain::access::EntryPoint::Notifications,
    ),
    (
        "/api/preferences-notification",
        crate::domain::access::EntryPoint::Notifications,
    ),
    (
        "/api/destinataires",
        crate::domain::access::EntryPoint::ManageExtraRecipients,
    ),
    (
        "/api/webhooks",
        crate::domain::access::EntryPoint::ManageWebhooks,
    ),
    (
        "/api/lien",
        crate::domain::access::EntryPoint::ResetPassword,
    ),
];
