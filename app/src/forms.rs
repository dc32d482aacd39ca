//! The platform's forms: each is a plain HTML form posted to the server, which works with or
//! without JavaScript, and answers with a redirection (303) to a page that shows the outcome
//! (`?message=…` or `?erreur=…`, typed in [`crate::ui::notices`]). The handlers live with their
//! concern, next to its server functions (`api::account`, `api::appointments`, `api::alerts`,
//! `api::partner_keys`); this module holds what they share: what they need from the host
//! ([`Forms`], with the mail transport, the identity providers and the rate budget behind small
//! traits the host implements), how they refuse and answer, and the table of their routes.
//!
//! Every handler asks [`crate::domain::access::authorize`] before doing anything, writes in one
//! transaction with its audit entry, and validates what it receives.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};

use crate::api::{
    account, administration, alerts, appointments, dashboards, documents, exchanges, notifications,
    partner_keys, rights,
};
use crate::domain::access::{authorize, EntryPoint, Refusal, Target, Viewer};
use crate::domain::directory::Role;
use crate::http::{refusal, see_other, with_query, Lifetimes};
use crate::state::{AppState, Caller};
use crate::store::{Store, StoreError};
use crate::ui::notices::{Done, Problem};

/// A future a host's service returns (mail, identity providers).
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One mail to one person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    /// `nom@example.fr` or `Prénom Nom <nom@example.fr>`.
    pub to: String,
    pub subject: String,
    /// Plain UTF-8 text; `\n` line endings are fine.
    pub text: String,
}

/// Where mails go: the host's transport (SMTP, or a folder in development and tests).
pub trait Outbox: Send + Sync {
    /// Sends one mail; the error is a French sentence for the log.
    fn send<'a>(&'a self, mail: &'a Mail) -> Pending<'a, Result<(), String>>;
}

/// A sign-in begun with an identity provider.
pub struct SignInStarted {
    /// Where to send the browser.
    pub url: String,
    /// The state the provider sends back, which finds what was kept.
    pub state: String,
    /// What the host needs back to complete it, kept server-side meanwhile.
    pub kept: String,
}

/// Who signed in, as an identity provider vouches for it.
pub struct Identity {
    pub subject: String,
    /// Verified by the provider; lowercased.
    pub email: String,
    /// The raw ID token, to sign out there too.
    pub id_token: String,
    /// The person's name, as the provider gives it.
    pub name: Option<String>,
    /// For the provider that opens operators' accounts (the customs account): what it asserts
    /// of the person's company. `None` for any other provider, which opens no operator account.
    pub company: Option<AssertedCompany>,
    /// For a provider that opens State accounts (an agents' provider): the role it asserts, and
    /// the administration. `None` for any other.
    pub state_role: Option<AssertedRole>,
}

/// A State account's role as an identity provider asserts it, unchecked: role and
/// administration codes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssertedRole {
    pub role: Option<String>,
    pub administration: Option<String>,
}

/// A company as an identity provider asserts it, unchecked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssertedCompany {
    pub siret: Option<String>,
    pub eori: Option<String>,
    pub name: Option<String>,
}

/// Why a sign-in with an identity provider did not complete.
pub enum ProviderFailure {
    /// What was kept does not go with this provider or cannot be read: begin again.
    Expired,
    /// The provider's answer was refused (the reason, in French, for the audit trail).
    Refused(String),
}

/// The identity providers (OpenID Connect) the host configured.
pub trait IdentityProviders: Send + Sync {
    /// The configured providers: id and label, in configuration order.
    fn list(&self) -> Vec<(String, String)>;
    /// Begins a sign-in with `provider`; the error is a French sentence for the log.
    fn begin<'a>(&'a self, provider: &'a str) -> Pending<'a, Result<SignInStarted, String>>;
    /// Completes it with what the provider sent back.
    fn complete<'a>(
        &'a self,
        provider: &'a str,
        kept: &'a str,
        code: &'a str,
        state: &'a str,
    ) -> Pending<'a, Result<Identity, ProviderFailure>>;
    /// Where to sign out at the provider, then come back to `back`, when it says.
    fn logout_url(&self, provider: &str, id_token: &str, back: &str) -> Option<String>;
}

/// A budget of attempts per key (client address or account), the host's rate limiter.
pub trait Budget: Send + Sync {
    /// Takes one attempt under `key`, or says how long to wait.
    fn take(&self, key: &str) -> Result<(), std::time::Duration>;
}

/// What the form handlers need from the host.
#[derive(Clone)]
pub struct Forms {
    pub store: Store,
    pub outbox: Arc<dyn Outbox>,
    pub providers: Arc<dyn IdentityProviders>,
    /// The address links in mails start with.
    pub base_url: Arc<str>,
    pub lifetimes: Lifetimes,
    /// A tighter budget for sign-in, password recovery and account creation, per client address
    /// and per account.
    pub sensitive: Arc<dyn Budget>,
    /// For each identity provider, the roles whose accounts it may open (empty: every role).
    pub oidc_roles: Arc<HashMap<String, Vec<Role>>>,
    /// For each identity provider that opens State accounts at a first sign-in, which roles it
    /// may open so (never a technical administrator nor a head of service).
    pub oidc_provisions: Arc<HashMap<String, Vec<Role>>>,
    /// What the documents handed out are set in.
    pub typeface: Arc<crate::documents::pdf::Typeface>,
    /// For tests only: webhooks may be registered on `http://` and on the loopback or private
    /// networks.
    pub webhooks_allow_local: bool,
    /// Where documents are kept, and their antivirus.
    pub documents: crate::documents::files::DocumentServices,
    /// Wakes the antivirus when a document was added.
    pub scanner: Arc<tokio::sync::Notify>,
    /// Whether operators may also have accounts of their own here (a password, by invitation):
    /// a State deployment turns them off, operators then coming in through the customs account.
    pub local_operator_accounts: bool,
}

impl Forms {
    /// Whether `provider` may sign in an account of this role.
    pub fn oidc_allows(&self, provider: &str, role: Role) -> bool {
        self.oidc_roles
            .get(provider)
            .is_none_or(|roles| roles.is_empty() || roles.contains(&role))
    }

    /// Whether an account signs in only through an identity provider: tied to one, or an
    /// operator's where operators have no local accounts. It then gets no password and no link.
    pub async fn provider_only(
        &self,
        user: &crate::domain::directory::User,
    ) -> Result<bool, StoreError> {
        Ok(
            (user.role == Role::Operateur && !self.local_operator_accounts)
                || self.store.tied_to_provider(user.id).await?,
        )
    }
}

/// The routes of every form, and of the documents their pages link to.
pub fn routes(forms: Forms) -> Router<AppState> {
    Router::new()
        .route("/connexion", post(account::sign_in::sign_in))
        .route("/connexion/lien", post(account::sign_in_link::request_link))
        .route(
            "/connexion/lien/utilisation",
            post(account::sign_in_link::use_link),
        )
        .route("/deconnexion", post(account::sign_in::sign_out))
        .route("/cgu/acceptation", post(account::sign_in::accept_cgu))
        .route(
            "/connexion/oidc/{provider}",
            get(account::sign_in::oidc_begin),
        )
        .route(
            "/connexion/oidc/{provider}/retour",
            get(account::sign_in::oidc_callback),
        )
        .route(
            "/mot-de-passe-oublie",
            post(account::recovery::request_reset),
        )
        .route(
            "/mot-de-passe/nouveau",
            post(account::recovery::reset_password),
        )
        .route("/verification", post(account::recovery::verify_email))
        .route("/espace/profil", post(account::profile::update_profile))
        .route("/espace/donnees.zip", get(account::personal_data::copy))
        .route(
            "/espace/mot-de-passe",
            post(account::password::change_password),
        )
        .route(
            "/espace/sessions/{id}/fin",
            post(account::profile::end_session),
        )
        .route(
            "/espace/acces-hors-ligne/{id}/revocation",
            post(appointments::offline::revoke),
        )
        .route(
            "/api/arrivee-hors-ligne/acces",
            get(appointments::offline::pass),
        )
        .route(
            "/api/arrivee-hors-ligne/pointages",
            post(appointments::offline::send),
        )
        .route(
            "/espace/collegues",
            post(account::invitations::invite_colleague),
        )
        .route(
            "/espace/invitations/{id}/retrait",
            post(account::invitations::withdraw_invitation),
        )
        .route(
            "/espace/collegues/{id}/retrait",
            post(account::profile::remove_colleague),
        )
        .route(
            "/espace/demandes/{id}/{decision}",
            post(account::access_requests::decide),
        )
        .route(
            crate::ui::pages::access_request::PATH,
            post(account::access_requests::declare),
        )
        .route("/espace/mandats", post(account::mandates::give))
        .route("/espace/donnees/demandes", post(rights::present))
        .route("/droits/demandes", post(rights::record))
        .route("/droits/gels", post(rights::hold_dossier))
        .route("/droits/gels/{hold}/levee", post(rights::lift_dossier))
        .route("/droits/{id}/prolongation", post(rights::extend))
        .route("/droits/{id}/reponse", post(rights::answer))
        .route("/droits/{id}/renvoi", post(rights::resend))
        .route("/droits/{id}/gel", post(rights::hold))
        .route("/droits/{id}/gels/{hold}/levee", post(rights::lift))
        .route(
            "/droits/{id}/limitation/levee",
            post(rights::lift_limitation),
        )
        .route(
            "/droits/{id}/entreprise-individuelle",
            post(rights::sole_trader),
        )
        .route("/comptes/{id}/guichet-droits", post(rights::grant_desk))
        .route(
            "/comptes/{id}/guichet-droits/retrait",
            post(rights::withdraw_desk),
        )
        .route(
            "/espace/mandats/{id}/revocation",
            post(account::mandates::revoke),
        )
        .route(
            "/demande-acces/entreprise",
            post(account::access_requests::declare_company)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/verifications-entreprises/{id}/extrait",
            get(account::company_verifications::extract),
        )
        .route(
            "/verifications-entreprises/{id}/{decision}",
            post(account::company_verifications::decide),
        )
        // The body's size is held by the host's perimeter, not by axum's default for multipart.
        .route(
            "/dossiers/{id}/documents",
            post(documents::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/dossiers/{id}/archive.zip", get(documents::archive))
        .route("/dossiers/{id}/recapitulatif.pdf", get(documents::summary))
        .route(
            "/dossiers/{id}/documents/{document}",
            get(documents::download),
        )
        // Messages carry files: their size is held by the host's perimeter, as documents'.
        .route(
            "/messagerie/nouvelle",
            post(exchanges::forms::open).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/messagerie/{id}/messages",
            post(exchanges::forms::write).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/messagerie/{id}/attribution",
            post(exchanges::forms::assign),
        )
        .route("/messagerie/{id}/statut", post(exchanges::forms::status))
        .route(
            "/messagerie/{id}/export.zip",
            get(exchanges::export::export),
        )
        .route(
            "/messagerie/{id}/transfert",
            post(exchanges::forms::transfer),
        )
        .route("/habilitations", post(account::habilitations::grant))
        .route(
            "/habilitations/{id}/retrait",
            post(account::habilitations::withdraw),
        )
        .route(
            "/habilitations/invitations",
            post(account::invitations::invite_agent),
        )
        .route(
            "/habilitations/invitations/{id}/retrait",
            post(account::invitations::withdraw_agent_invitation),
        )
        // The correlation alerts are on the desk now: where their page was, the desk shows them.
        .route(
            "/alertes-correlation",
            get(alerts::desk::correlation_alerts),
        )
        .route("/alertes/{id}/prise", post(alerts::desk::take))
        .route("/alertes/{id}/cloture", post(alerts::desk::close))
        .route("/alertes/seuils", post(alerts::desk::set_threshold))
        .route(
            "/administration/cles-partenaires",
            post(partner_keys::manage::create),
        )
        .route(
            "/administration/cles-partenaires/{id}/revocation",
            post(partner_keys::manage::revoke),
        )
        .route("/administration/sites", post(administration::manage::site))
        .route("/administration/postes", post(administration::manage::post))
        .route(
            "/administration/maintenance",
            post(crate::api::service::maintenance),
        )
        .route(
            "/administration/maintenance/{id}/fin",
            post(crate::api::service::end),
        )
        .route(
            "/administration/incidents",
            post(crate::api::service::incident),
        )
        .route(
            "/administration/procedures",
            post(crate::api::service::procedure),
        )
        .route(
            "/administration/invitations",
            post(account::invitations::invite_state_account),
        )
        .route(
            "/administration/invitations/{id}/retrait",
            post(account::invitations::withdraw_state_invitation),
        )
        .route(
            "/comptes/{id}/{decision}",
            post(administration::accounts::decide),
        )
        .route(
            "/comptes/{id}/postes",
            post(administration::accounts::name_head),
        )
        .route(
            "/comptes/{id}/postes/{code}/retrait",
            post(administration::accounts::withdraw_head),
        )
        .route(
            "/dossiers/{id}/rendez-vous",
            post(appointments::bookings::book),
        )
        .route(
            "/rendez-vous/{id}/{action}",
            post(appointments::bookings::change).get(appointments::bookings::document),
        )
        .route("/calendrier/{file}", get(appointments::bookings::feed))
        .route(
            "/postes/{code}/calendrier",
            post(appointments::calendars::save),
        )
        .route(
            "/postes/{code}/fermetures",
            post(appointments::calendars::close),
        )
        .route(
            "/postes/{code}/pointage",
            post(appointments::calendars::checkin_window),
        )
        .route(
            "/abonnement-calendrier",
            post(appointments::bookings::subscribe),
        )
        .route(
            "/abonnement-calendrier/revocation",
            post(appointments::bookings::unsubscribe),
        )
        .route(
            "/notifications/preferences",
            post(notifications::preferences::save),
        )
        .route(
            "/notifications/destinataires",
            post(notifications::recipients::add),
        )
        .route(
            "/notifications/destinataires/{id}/retrait",
            post(notifications::recipients::remove),
        )
        .route(
            "/confirmation-destinataire",
            post(notifications::recipients::confirm),
        )
        .route(
            "/notifications/webhooks",
            post(notifications::webhooks::add),
        )
        .route(
            "/notifications/webhooks/{id}/{action}",
            post(notifications::webhooks::act),
        )
        .route(
            "/notifications/livraisons/{id}/renvoi",
            post(notifications::webhooks::resend),
        )
        .route("/notifications/{id}", get(notifications::read::open))
        .route(
            "/notifications/{id}/lue",
            post(notifications::read::mark_read),
        )
        .route(
            "/notifications/tout-lu",
            post(notifications::read::mark_all_read),
        )
        .route("/cgu.pdf", get(account::cgu::cgu_pdf))
        .route(
            "/tableaux-de-bord/{format}",
            get(dashboards::server::dashboard_export),
        )
        .route(
            "/statistiques/{format}",
            get(dashboards::server::statistics_export),
        )
        .with_state(forms)
}

/// Every form route with the entry point it answers for, for the permission matrix: kept next to
/// [`routes`]; a test checks that the server serves each one and that none does anything for a
/// stranger when it is not public (`server/tests/integration/form_routes.rs`).
pub const FORM_ROUTES: [(&str, EntryPoint); 92] = [
    ("GET /tableaux-de-bord/{format}", EntryPoint::Dashboards),
    ("GET /statistiques/{format}", EntryPoint::Statistics),
    ("POST /connexion", EntryPoint::SignIn),
    ("POST /connexion/lien", EntryPoint::SignIn),
    ("POST /connexion/lien/utilisation", EntryPoint::SignIn),
    ("POST /deconnexion", EntryPoint::SignOut),
    ("POST /cgu/acceptation", EntryPoint::AcceptCgu),
    ("GET /connexion/oidc/{provider}", EntryPoint::OidcSignIn),
    (
        "GET /connexion/oidc/{provider}/retour",
        EntryPoint::OidcSignIn,
    ),
    (
        "POST /mot-de-passe-oublie",
        EntryPoint::RequestPasswordReset,
    ),
    ("POST /mot-de-passe/nouveau", EntryPoint::ResetPassword),
    ("POST /verification", EntryPoint::VerifyEmail),
    ("POST /espace/profil", EntryPoint::UpdateProfile),
    ("GET /espace/donnees.zip", EntryPoint::PersonalSpace),
    ("POST /espace/mot-de-passe", EntryPoint::ChangePassword),
    ("POST /espace/sessions/{id}/fin", EntryPoint::EndSession),
    (
        "POST /espace/acces-hors-ligne/{id}/revocation",
        EntryPoint::EndSession,
    ),
    // The gate without network: the device's pass of the day (with the web session), and the
    // presences and absences a device sends (with the session, or the pass: see
    // `appointments::offline`).
    ("GET /api/arrivee-hors-ligne/acces", EntryPoint::Planning),
    (
        "POST /api/arrivee-hors-ligne/pointages",
        EntryPoint::DecideAppointment,
    ),
    ("POST /espace/collegues", EntryPoint::InviteColleague),
    (
        "POST /espace/collegues/{id}/retrait",
        EntryPoint::RemoveColleague,
    ),
    (
        "POST /espace/demandes/{id}/{decision}",
        EntryPoint::DecideAccessRequest,
    ),
    ("POST /demande-acces", EntryPoint::RequestAccess),
    ("POST /demande-acces/entreprise", EntryPoint::RequestAccess),
    ("POST /espace/mandats", EntryPoint::ManageMandates),
    (
        "POST /espace/mandats/{id}/revocation",
        EntryPoint::ManageMandates,
    ),
    (
        "GET /verifications-entreprises/{id}/extrait",
        EntryPoint::VerifyCompany,
    ),
    (
        "POST /verifications-entreprises/{id}/{decision}",
        EntryPoint::VerifyCompany,
    ),
    (
        "POST /espace/invitations/{id}/retrait",
        EntryPoint::RemoveColleague,
    ),
    ("POST /habilitations", EntryPoint::GrantHabilitation),
    (
        "POST /habilitations/{id}/retrait",
        EntryPoint::WithdrawHabilitation,
    ),
    ("POST /habilitations/invitations", EntryPoint::InviteAgent),
    (
        "POST /habilitations/invitations/{id}/retrait",
        EntryPoint::InviteAgent,
    ),
    ("GET /cgu.pdf", EntryPoint::CguDocument),
    ("GET /notifications/{id}", EntryPoint::Notifications),
    ("POST /notifications/{id}/lue", EntryPoint::Notifications),
    ("POST /notifications/tout-lu", EntryPoint::Notifications),
    ("POST /notifications/preferences", EntryPoint::Notifications),
    (
        "POST /notifications/destinataires",
        EntryPoint::ManageExtraRecipients,
    ),
    (
        "POST /notifications/destinataires/{id}/retrait",
        EntryPoint::ManageExtraRecipients,
    ),
    (
        "POST /confirmation-destinataire",
        EntryPoint::ConfirmExtraRecipient,
    ),
    ("POST /notifications/webhooks", EntryPoint::ManageWebhooks),
    (
        "POST /notifications/webhooks/{id}/{action}",
        EntryPoint::ManageWebhooks,
    ),
    (
        "POST /notifications/livraisons/{id}/renvoi",
        EntryPoint::ManageWebhooks,
    ),
    ("POST /alertes/{id}/prise", EntryPoint::HandleAlert),
    ("POST /alertes/{id}/cloture", EntryPoint::HandleAlert),
    ("POST /alertes/seuils", EntryPoint::ManageAlertThresholds),
    (
        "POST /administration/cles-partenaires",
        EntryPoint::ManagePartnerKeys,
    ),
    (
        "POST /administration/cles-partenaires/{id}/revocation",
        EntryPoint::ManagePartnerKeys,
    ),
    ("POST /administration/sites", EntryPoint::ManageSites),
    ("POST /administration/postes", EntryPoint::ManageSites),
    (
        "POST /administration/maintenance",
        EntryPoint::ManageService,
    ),
    (
        "POST /administration/maintenance/{id}/fin",
        EntryPoint::ManageService,
    ),
    ("POST /administration/incidents", EntryPoint::ManageService),
    ("POST /administration/procedures", EntryPoint::ManageService),
    (
        "POST /administration/invitations",
        EntryPoint::ManageAccounts,
    ),
    (
        "POST /administration/invitations/{id}/retrait",
        EntryPoint::ManageAccounts,
    ),
    // Suspension, réactivation and clôture: the account checked in the handler.
    ("POST /comptes/{id}/{decision}", EntryPoint::DecideAccount),
    ("POST /comptes/{id}/postes", EntryPoint::ManageAccounts),
    (
        "POST /comptes/{id}/guichet-droits",
        EntryPoint::ManageAccounts,
    ),
    (
        "POST /comptes/{id}/guichet-droits/retrait",
        EntryPoint::ManageAccounts,
    ),
    ("POST /espace/donnees/demandes", EntryPoint::PersonalSpace),
    ("POST /droits/demandes", EntryPoint::RightsDesk),
    ("POST /droits/gels", EntryPoint::RightsDesk),
    ("POST /droits/gels/{hold}/levee", EntryPoint::RightsDesk),
    ("POST /droits/{id}/prolongation", EntryPoint::RightsDesk),
    ("POST /droits/{id}/reponse", EntryPoint::RightsDesk),
    ("POST /droits/{id}/renvoi", EntryPoint::RightsDesk),
    ("POST /droits/{id}/gel", EntryPoint::RightsDesk),
    (
        "POST /droits/{id}/gels/{hold}/levee",
        EntryPoint::RightsDesk,
    ),
    ("POST /droits/{id}/limitation/levee", EntryPoint::RightsDesk),
    (
        "POST /droits/{id}/entreprise-individuelle",
        EntryPoint::RightsDesk,
    ),
    (
        "POST /comptes/{id}/postes/{code}/retrait",
        EntryPoint::ManageAccounts,
    ),
    (
        "POST /dossiers/{id}/rendez-vous",
        EntryPoint::BookAppointment,
    ),
    // Annulation and déplacement by the operator; validation, refus, report, presence and
    // absence by agents: each checked against its own entry point in the handler.
    (
        "POST /rendez-vous/{id}/{action}",
        EntryPoint::DecideAppointment,
    ),
    // The convocation and its calendar file: for whoever may read the dossier.
    ("GET /rendez-vous/{id}/{action}", EntryPoint::ReadDossier),
    // The secret address is the credential (see `appointments::feed`).
    ("GET /calendrier/{file}", EntryPoint::CalendarFeed),
    (
        "POST /postes/{code}/calendrier",
        EntryPoint::ManageCalendars,
    ),
    (
        "POST /postes/{code}/fermetures",
        EntryPoint::ManageCalendars,
    ),
    ("POST /postes/{code}/pointage", EntryPoint::ManageCalendars),
    ("POST /abonnement-calendrier", EntryPoint::MyAppointments),
    // The digital import file: adding a document, downloading one (each checked against the
    // document itself in the handler).
    ("POST /dossiers/{id}/documents", EntryPoint::AddDocument),
    (
        "GET /dossiers/{id}/documents/{document}",
        EntryPoint::ReadDocument,
    ),
    // The whole dossier as a ZIP, and its summary: for whoever may read the dossier, with what
    // they may read of it.
    ("GET /dossiers/{id}/archive.zip", EntryPoint::ReadDossier),
    (
        "GET /dossiers/{id}/recapitulatif.pdf",
        EntryPoint::ReadDossier,
    ),
    (
        "POST /abonnement-calendrier/revocation",
        EntryPoint::MyAppointments,
    ),
    // The messaging: each checked against the exchange (or the dossier) in the handler.
    ("POST /messagerie/nouvelle", EntryPoint::OpenExchange),
    ("POST /messagerie/{id}/messages", EntryPoint::ReplyExchange),
    (
        "POST /messagerie/{id}/attribution",
        EntryPoint::HandleExchange,
    ),
    ("POST /messagerie/{id}/statut", EntryPoint::HandleExchange),
    (
        "POST /messagerie/{id}/transfert",
        EntryPoint::HandleExchange,
    ),
    // An exchange as evidence: for whoever may read it, with what they may read of it.
    ("GET /messagerie/{id}/export.zip", EntryPoint::ReadExchange),
];

/// A handler's failure: a redirection with a message, or a plain refusal.
pub enum Failure {
    /// Back to a page with `?erreur=code` (and other fields to refill).
    Back(String),
    /// Back to a page, with a cookie that carries what the person typed (see
    /// [`crate::domain::account::TYPED_ADDRESS_COOKIE`]), kept out of the URL.
    BackKeeping {
        location: String,
        cookie: HeaderValue,
    },
    /// Refused by the access policy.
    Refused(Refusal),
    /// Too many attempts: 429 with `Retry-After`.
    TooMany { seconds: u64, message: String },
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Store(error)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Back(location) => see_other(&location),
            Failure::BackKeeping { location, cookie } => {
                let mut response = see_other(&location);
                response.headers_mut().append(header::SET_COOKIE, cookie);
                response
            }
            Failure::Refused(Refusal::SignInRequired) => see_other("/connexion"),
            Failure::Refused(Refusal::CguRequired) => see_other("/cgu/acceptation"),
            Failure::Refused(refused) => refusal(
                StatusCode::from_u16(refused.status()).unwrap_or(StatusCode::FORBIDDEN),
                refused.message(),
            ),
            Failure::TooMany { seconds, message } => too_many(seconds, message),
            Failure::Store(error) => {
                tracing::error!(%error, "formulaire : échec de la base de données");
                refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.",
                )
            }
        }
    }
}

/// A password as the store keeps it: Argon2id with a random salt (the PHC string).
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    use argon2::password_hash::{rand_core::OsRng, SaltString};
    use argon2::{Argon2, PasswordHasher};
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| {
            StoreError::Corrupt(format!("hachage du mot de passe impossible : {error}"))
        })
}

/// 429 with `Retry-After` and a French sentence.
pub fn too_many(seconds: u64, message: String) -> Response {
    let mut response = refusal(StatusCode::TOO_MANY_REQUESTS, message);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    response
}

pub type Outcome = Result<Response, Failure>;

/// Asks the policy; a refusal ends the handler. Whoever's account was suspended or closed
/// since their page opened is sent to the page that says so, not asked to sign in again.
pub(crate) fn check(caller: &Caller, entry: EntryPoint, target: Target) -> Result<(), Failure> {
    authorize(caller.viewer.as_ref(), entry, target).map_err(|refusal| match refusal {
        Refusal::SignInRequired if caller.access_ended.is_some() => {
            Failure::Back(crate::ui::pages::suspended::PATH.to_owned())
        }
        refusal => Failure::Refused(refusal),
    })
}

/// Like [`check`], for a target looked up by an id the caller sent: refused exactly as if it did
/// not exist (`unknown`), so that ids cannot be probed ("not found" and "not yours" answer alike).
pub(crate) fn check_known(
    caller: &Caller,
    entry: EntryPoint,
    target: Target,
    unknown: impl FnOnce() -> Failure,
) -> Result<(), Failure> {
    match check(caller, entry, target) {
        Err(Failure::Refused(Refusal::Forbidden)) => Err(unknown()),
        other => other,
    }
}

/// Like [`check`], giving the signed-in viewer.
pub(crate) fn check_viewer<'a>(
    caller: &'a Caller,
    entry: EntryPoint,
    target: Target,
) -> Result<&'a Viewer, Failure> {
    check(caller, entry, target)?;
    caller
        .viewer
        .as_ref()
        .ok_or(Failure::Refused(Refusal::SignInRequired))
}

/// Back to `path` with an error code and fields to refill.
pub(crate) fn back(path: &str, problem: Problem, fields: &[(&str, &str)]) -> Failure {
    let mut pairs = vec![("erreur", problem.code())];
    pairs.extend_from_slice(fields);
    Failure::Back(with_query(path, &pairs))
}

/// The sign-in page's address, with `?message=` (`Ok`) or `?erreur=` (`Err`) then `fields`
/// (`?retour=`), and the address the person typed in a short-lived cookie instead of the query:
/// nothing personal in the URL.
pub(crate) fn to_sign_in(
    said: Result<Done, Problem>,
    fields: &[(&str, &str)],
    typed: &str,
    over_https: bool,
) -> Failure {
    use crate::domain::account::{encode_typed, TYPED_ADDRESS_COOKIE};
    let mut pairs = vec![match said {
        Ok(done) => ("message", done.code()),
        Err(problem) => ("erreur", problem.code()),
    }];
    pairs.extend_from_slice(fields);
    Failure::BackKeeping {
        location: with_query("/connexion", &pairs),
        cookie: crate::state::set_cookie(
            TYPED_ADDRESS_COOKIE,
            &encode_typed(typed.trim()),
            over_https,
            chrono::Duration::minutes(5),
        ),
    }
}

/// To `path` (which may end with a `#fragment`) with a success message code.
pub(crate) fn done(path: &str, done: Done) -> Outcome {
    Ok(see_other(&with_query(path, &[("message", done.code())])))
}

/// Takes one token of the tighter budget for each of `keys` (`<purpose>:<caller.client_key>`,
/// which counts an IPv6 client by its /64, or `<purpose>:<account>`).
pub(crate) fn sensitive_budget(forms: &Forms, keys: &[&str]) -> Result<(), Failure> {
    for key in keys {
        if let Err(wait) = forms.sensitive.take(key) {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            return Err(Failure::TooMany {
                seconds,
                message: format!(
                    "Trop de demandes en peu de temps. Réessayez dans {seconds} seconde{}.",
                    if seconds > 1 { "s" } else { "" }
                ),
            });
        }
    }
    Ok(())
}

/// Sends a mail; a failure is logged and reported, the action it follows stays done.
pub(crate) async fn send_mail(forms: &Forms, to: &str, subject: &str, text: String) -> bool {
    let mail = Mail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
    };
    match forms.outbox.send(&mail).await {
        Ok(()) => true,
        Err(error) => {
            tracing::error!(%error, "courriel non envoyé");
            false
        }
    }
}

/// The French date and time of a link's expiry, for mails.
pub(crate) fn expiry_text(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Paris)
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}
