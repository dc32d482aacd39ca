//! The account forms: signing in and out (password, single-use link or identity provider), accepting the terms of
//! use, recovering a password, verifying an address, the personal space (profile, sessions,
//! password, colleagues, invitations), the head of service's habilitations and agent invitations, and the desks of correlation alerts and
//! partner keys. Each is a plain HTML form posted here,
//! which works with or without JavaScript; each answers with a redirection (303) to a page that
//! shows the outcome (`?message=…` or `?erreur=…`, see `app::ui::notices`).
//!
//! Every handler asks `app::domain::access::authorize` before doing anything, writes in one
//! transaction with its audit entry, and validates what it receives.

mod appointments;
mod calendars;
mod desks;
mod habilitations;
mod invitations;
mod password;
mod profile;
mod recovery;
mod sign_in;
mod sign_in_link;

pub use sign_in::ACCOUNT_FAILURES_PER_DAY;
pub use sign_in_link::SIGN_IN_LINK_LIFETIME;

use std::sync::Arc;

use app::domain::access::{authorize, EntryPoint, Refusal, Target, Viewer};
use app::domain::directory::Role;
use app::state::{AppState, Caller};
use app::store::{Store, StoreError};
use app::ui::notices::{Done, Problem};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};

use crate::mail::{Mail, Mailer};
use crate::oidc::Providers;
use crate::rate_limit::RateLimiter;
use app::http::{see_other, with_query, Lifetimes};

/// What the account forms need.
#[derive(Clone)]
pub struct Accounts {
    pub store: Store,
    pub mailer: Mailer,
    pub providers: Arc<Providers>,
    /// The address links in mails start with.
    pub base_url: String,
    pub lifetimes: Lifetimes,
    /// A tighter budget for sign-in, password recovery and account creation, per client address
    /// and per account.
    pub sensitive: Arc<RateLimiter>,
    /// For each identity provider, the roles whose accounts it may open (empty: every role).
    pub oidc_roles: Arc<std::collections::HashMap<String, Vec<Role>>>,
}

impl Accounts {
    /// Whether `provider` may sign in an account of this role.
    pub fn oidc_allows(&self, provider: &str, role: Role) -> bool {
        self.oidc_roles
            .get(provider)
            .is_none_or(|roles| roles.is_empty() || roles.contains(&role))
    }
}

/// The routes of the account forms, and of the CGU document.
pub fn routes(accounts: Accounts) -> Router<AppState> {
    Router::new()
        .route("/connexion", post(sign_in::sign_in))
        .route("/connexion/lien", post(sign_in_link::request_link))
        .route("/connexion/lien/utilisation", post(sign_in_link::use_link))
        .route("/deconnexion", post(sign_in::sign_out))
        .route("/cgu/acceptation", post(sign_in::accept_cgu))
        .route("/connexion/oidc/{provider}", get(sign_in::oidc_begin))
        .route(
            "/connexion/oidc/{provider}/retour",
            get(sign_in::oidc_callback),
        )
        .route("/mot-de-passe-oublie", post(recovery::request_reset))
        .route("/mot-de-passe/nouveau", post(recovery::reset_password))
        .route("/verification", post(recovery::verify_email))
        .route("/espace/profil", post(profile::update_profile))
        .route("/espace/mot-de-passe", post(password::change_password))
        .route("/espace/sessions/{id}/fin", post(profile::end_session))
        .route("/espace/collegues", post(invitations::invite_colleague))
        .route(
            "/espace/invitations/{id}/retrait",
            post(invitations::withdraw_invitation),
        )
        .route(
            "/espace/collegues/{id}/retrait",
            post(profile::remove_colleague),
        )
        .route("/habilitations", post(habilitations::grant))
        .route("/habilitations/{id}/retrait", post(habilitations::withdraw))
        .route(
            "/habilitations/invitations",
            post(invitations::invite_agent),
        )
        .route(
            "/habilitations/invitations/{id}/retrait",
            post(invitations::withdraw_agent_invitation),
        )
        .route(
            "/alertes-correlation/{id}/traitement",
            post(desks::resolve_alert),
        )
        .route("/administration/cles-partenaires", post(desks::create_key))
        .route(
            "/administration/cles-partenaires/{id}/revocation",
            post(desks::revoke_key),
        )
        .route("/dossiers/{id}/rendez-vous", post(appointments::book))
        .route(
            "/rendez-vous/{id}/{action}",
            post(appointments::change).get(appointments::document),
        )
        .route("/calendrier/{file}", get(appointments::feed))
        .route("/postes/{code}/calendrier", post(calendars::save))
        .route("/postes/{code}/fermetures", post(calendars::close))
        .route("/postes/{code}/pointage", post(calendars::checkin_window))
        .route("/abonnement-calendrier", post(appointments::subscribe))
        .route(
            "/abonnement-calendrier/revocation",
            post(appointments::unsubscribe),
        )
        .route("/cgu.pdf", get(cgu_pdf))
        .with_state(accounts)
}

/// Every form route with the entry point it answers for, so that the permission matrix covers
/// them (checked by a test against [`routes`]).
pub const FORM_ROUTES: [(&str, EntryPoint); 33] = [
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
    ("POST /espace/mot-de-passe", EntryPoint::ChangePassword),
    ("POST /espace/sessions/{id}/fin", EntryPoint::EndSession),
    ("POST /espace/collegues", EntryPoint::InviteColleague),
    (
        "POST /espace/collegues/{id}/retrait",
        EntryPoint::RemoveColleague,
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
    (
        "POST /alertes-correlation/{id}/traitement",
        EntryPoint::ResolveCorrelationAlert,
    ),
    (
        "POST /administration/cles-partenaires",
        EntryPoint::ManagePartnerKeys,
    ),
    (
        "POST /administration/cles-partenaires/{id}/revocation",
        EntryPoint::ManagePartnerKeys,
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
    (
        "POST /abonnement-calendrier/revocation",
        EntryPoint::MyAppointments,
    ),
];

/// A handler's failure: a redirection with a message, or a plain refusal.
pub enum Failure {
    /// Back to a page with `?erreur=code` (and other fields to refill).
    Back(String),
    /// Back to a page, with a cookie that carries what the person typed (see
    /// [`app::domain::account::TYPED_ADDRESS_COOKIE`]), kept out of the URL.
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
            Failure::Refused(refusal) => app::http::refusal(
                StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::FORBIDDEN),
                refusal.message(),
            ),
            Failure::TooMany { seconds, message } => too_many(seconds, message),
            Failure::Store(error) => {
                tracing::error!(%error, "formulaire : échec de la base de données");
                app::http::refusal(
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
    let mut response = app::http::refusal(StatusCode::TOO_MANY_REQUESTS, message);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    response
}

pub type Outcome = Result<Response, Failure>;

/// Asks the policy; a refusal ends the handler.
fn check(caller: &Caller, entry: EntryPoint, target: Target) -> Result<(), Failure> {
    authorize(caller.viewer.as_ref(), entry, target).map_err(Failure::Refused)
}

/// Like [`check`], for a target looked up by an id the caller sent: refused exactly as if it did
/// not exist (`unknown`), so that ids cannot be probed ("not found" and "not yours" answer alike).
fn check_known(
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
fn check_viewer<'a>(
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
fn back(path: &str, problem: Problem, fields: &[(&str, &str)]) -> Failure {
    let mut pairs = vec![("erreur", problem.code())];
    pairs.extend_from_slice(fields);
    Failure::Back(with_query(path, &pairs))
}

/// The sign-in page's address, with `?message=` (`Ok`) or `?erreur=` (`Err`) then `fields`
/// (`?retour=`), and the address the person typed in a short-lived cookie instead of the query:
/// nothing personal in the URL.
fn to_sign_in(
    said: Result<Done, Problem>,
    fields: &[(&str, &str)],
    typed: &str,
    over_https: bool,
) -> Failure {
    use app::domain::account::{encode_typed, TYPED_ADDRESS_COOKIE};
    let mut pairs = vec![match said {
        Ok(done) => ("message", done.code()),
        Err(problem) => ("erreur", problem.code()),
    }];
    pairs.extend_from_slice(fields);
    Failure::BackKeeping {
        location: with_query("/connexion", &pairs),
        cookie: app::state::set_cookie(
            TYPED_ADDRESS_COOKIE,
            &encode_typed(typed.trim()),
            over_https,
            chrono::Duration::minutes(5),
        ),
    }
}

/// To `path` (which may end with a `#fragment`) with a success message code.
fn done(path: &str, done: Done) -> Outcome {
    let (path, fragment) = match path.split_once('#') {
        Some((path, fragment)) => (path, format!("#{fragment}")),
        None => (path, String::new()),
    };
    Ok(see_other(&format!(
        "{}{fragment}",
        with_query(path, &[("message", done.code())])
    )))
}

/// Takes one token of the tighter budget for each of `keys` (`<purpose>:<caller.client_key>`,
/// which counts an IPv6 client by its /64, or `<purpose>:<account>`).
fn sensitive_budget(accounts: &Accounts, keys: &[&str]) -> Result<(), Failure> {
    for key in keys {
        if let Err(wait) = accounts.sensitive.check_key(key) {
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
async fn send_mail(accounts: &Accounts, to: &str, subject: &str, text: String) -> bool {
    let mail = Mail {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
    };
    match accounts.mailer.send(&mail).await {
        Ok(()) => true,
        Err(error) => {
            tracing::error!(%error, "courriel non envoyé");
            false
        }
    }
}

/// The French date and time of a link's expiry, for mails.
fn expiry_text(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Paris)
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}

/// The terms of use as a PDF the platform generates from the text in force.
async fn cgu_pdf() -> Response {
    use crate::pdf::{render, Block, Document};
    use app::domain::cgu;
    let mut blocks = Vec::new();
    for section in cgu::SECTIONS {
        blocks.push(Block::Heading(section.heading.to_owned()));
        for paragraph in section.paragraphs {
            blocks.push(Block::Paragraph((*paragraph).to_owned()));
        }
        for bullet in section.bullets {
            blocks.push(Block::Bullet((*bullet).to_owned()));
        }
    }
    let subtitle = format!("France Sésame — {}", cgu::VERSION_LABEL);
    let bytes = render(&Document {
        title: cgu::TITLE,
        subtitle: Some(&subtitle),
        blocks: &blocks,
    });
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"cgu-france-sesame-{}.pdf\"",
                    cgu::VERSION
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}
