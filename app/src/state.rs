//! What the server hands to every server function and to server-side rendering, and the small
//! helpers that fetch it from the reactive context without panicking.

use axum::extract::FromRef;
use leptos::prelude::*;

use crate::branding::{Branding, Publication};
use crate::store::Store;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub branding: Branding,
    /// Who publishes the deployment and whom people write to (legal notice, contact). Shared:
    /// the state is cloned at every layer a request goes through.
    pub publication: std::sync::Arc<Publication>,
    /// The most a document may weigh, in bytes (the forms say it).
    pub document_max_bytes: u64,
}

/// The store of the running server.
pub fn store() -> Result<Store, ServerFnError> {
    use_context::<AppState>()
        .map(|state| state.store)
        .ok_or_else(|| ServerFnError::new("état du serveur indisponible"))
}

/// The most a file may weigh, in mebibytes, as the forms say it.
pub fn document_max_mib() -> u64 {
    use_context::<AppState>()
        .map(|state| state.document_max_bytes)
        .unwrap_or(crate::domain::document::DEFAULT_MAX_BYTES)
        / (1024 * 1024)
}

/// Turns a server-side failure into an opaque French message for the browser, after logging its
/// whole cause chain.
pub fn internal(error: impl std::error::Error) -> ServerFnError {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(error = %chain, "échec d'une fonction serveur");
    ServerFnError::new(
        "Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.",
    )
}

/// Who is asking, as the server's perimeter established it for this request (from the session
/// cookie and the client's address). Put in the request's extensions before any handler runs.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    pub viewer: Option<crate::domain::access::Viewer>,
    /// The session the request came with.
    pub session_id: Option<i64>,
    /// The client's IP address, for the audit trail.
    pub ip: String,
    /// The key the client's budgets count under: the address, or the /64 of an IPv6 client.
    pub client_key: String,
    /// Whether the request came over HTTPS (directly or through a trusted proxy): cookies are
    /// then `__Host-` prefixed and Secure.
    pub over_https: bool,
    /// The session the request came with was ended because its account was suspended or
    /// closed since: what to tell instead of « connectez-vous ».
    pub access_ended: Option<crate::domain::account::AccountState>,
}

impl Caller {
    /// Who acts, as the store records them: the signed-in person (or `anonyme`) and the client.
    pub fn actor(&self) -> crate::store::Actor<'_> {
        crate::store::Actor {
            user_id: self.viewer.as_ref().map(|viewer| viewer.user_id),
            email: self
                .viewer
                .as_ref()
                .map(|viewer| viewer.email.as_str())
                .unwrap_or("anonyme"),
            address: &self.ip,
            client_key: &self.client_key,
        }
    }

    /// An audit entry of this caller.
    pub fn audit_event<'a>(
        &'a self,
        action: &'a str,
        object: &'a str,
        detail: &'a str,
    ) -> crate::store::AuditEvent<'a> {
        self.actor().audit_event(action, object, detail)
    }
}

impl Caller {
    /// Records that the caller consulted `object`, when consultations by them are audited
    /// (agents, heads of service and supervisors, who see other people's data), once per
    /// consultation: a live refresh or a reload of the same reading is not a new one.
    pub async fn audit_consultation(
        &self,
        store: &Store,
        action: &str,
        object: &str,
        detail: &str,
    ) -> Result<(), ServerFnError> {
        if !self.viewer.as_ref().is_some_and(audited) {
            return Ok(());
        }
        store
            .audit_consultation(
                &self.audit_event(action, object, detail),
                chrono::Utc::now(),
            )
            .await
            .map(|_| ())
            .map_err(internal)
    }
}

/// Whether consultations by this viewer are recorded: people of the administrations, who see
/// other people's dossiers.
pub fn audited(viewer: &crate::domain::access::Viewer) -> bool {
    use crate::domain::directory::Role;
    matches!(
        viewer.role,
        Role::AgentDgddi | Role::AgentSivep | Role::ChefService | Role::Superviseur
    )
}

/// The caller of the current server function or page.
pub fn caller() -> Caller {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Caller>().cloned())
        .unwrap_or_default()
}

/// Asks the access policy whether the caller may use `entry` on `target`; a refusal sets the HTTP
/// status (401 or 403) and becomes a French error.
pub fn authorize(
    caller: &Caller,
    entry: crate::domain::access::EntryPoint,
    target: crate::domain::access::Target,
) -> Result<(), ServerFnError> {
    crate::domain::access::authorize(caller.viewer.as_ref(), entry, target).map_err(|refusal| {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(
                axum::http::StatusCode::from_u16(refusal.status())
                    .unwrap_or(axum::http::StatusCode::FORBIDDEN),
            );
        }
        match (refusal, caller.access_ended.and_then(ended_message)) {
            (crate::domain::access::Refusal::SignInRequired, Some(message)) => {
                ServerFnError::new(message)
            }
            _ => ServerFnError::new(refusal.message()),
        }
    })
}

/// What a person whose account was suspended or closed is told, instead of signing in again.
pub fn ended_message(state: crate::domain::account::AccountState) -> Option<&'static str> {
    use crate::domain::account::AccountState;
    match state {
        AccountState::Active => None,
        AccountState::Suspended => Some(
            "Votre compte France Sésame est suspendu : vous ne pouvez plus l'utiliser pour l'instant. \
             Le motif vous a été envoyé par courriel ; pour le contester, écrivez à l'assistance \
             depuis la page « Contact ».",
        ),
        AccountState::Closed => Some(
            "Votre compte France Sésame est clos. Le motif vous a été envoyé par courriel ; \
             pour le contester, écrivez à l'assistance depuis la page « Contact ».",
        ),
    }
}

/// `day` if it is within the written bounds of its use (see `domain::dates`); else the HTTP
/// status is 422 and the error is the French sentence naming the bounds.
pub fn within_bounds(
    day: chrono::NaiveDate,
    use_: crate::domain::dates::DateUse,
) -> Result<chrono::NaiveDate, ServerFnError> {
    let today = crate::domain::appointment::paris_day(chrono::Utc::now());
    crate::domain::dates::within(day, use_, today).map_err(|refusal| {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        }
        ServerFnError::new(refusal.to_string())
    })
}

/// Like [`authorize`], for entry points only signed-in people use: gives their [`Viewer`].
pub fn signed_in(
    caller: &Caller,
    entry: crate::domain::access::EntryPoint,
    target: crate::domain::access::Target,
) -> Result<crate::domain::access::Viewer, ServerFnError> {
    authorize(caller, entry, target)?;
    caller
        .viewer
        .clone()
        .ok_or_else(|| ServerFnError::new(crate::domain::access::Refusal::SignInRequired.message()))
}

/// Whether operators may have local accounts (a password, by invitation): without them, a
/// company's administrator lets colleagues in through their requests instead of inviting them.
#[derive(Clone, Copy, Debug)]
pub struct LocalOperatorAccounts(pub bool);

/// How long a session may stay unused, for listing the open ones.
#[derive(Clone, Copy, Debug)]
pub struct SessionIdle(pub chrono::Duration);

/// The stored form of a session or link token: its SHA-256, in hex.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::domain::hex(&Sha256::digest(token.as_bytes()))
}

/// Where the browser sends one of the platform's cookies.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CookieScope {
    /// Every address of the site, `SameSite=Lax`; `__Host-` prefixed over HTTPS.
    Site,
    /// Only the addresses under this path, `SameSite=Strict`; `__Secure-` prefixed over HTTPS
    /// (`__Host-` requires the whole site).
    Under(&'static str),
}

/// A cookie's name for the transport: prefixed over HTTPS.
fn cookie_name(base: &str, scope: CookieScope, over_https: bool) -> String {
    match (over_https, scope) {
        (false, _) => base.to_owned(),
        (true, CookieScope::Site) => format!("__Host-{base}"),
        (true, CookieScope::Under(_)) => format!("__Secure-{base}"),
    }
}

/// The value of the platform's cookie `base` the browser sent, under the one name that counts for
/// the transport: over HTTPS a plain cookie could have been planted by a sibling site or over
/// plain HTTP, so only the prefixed one is read.
pub fn read_cookie(
    headers: &axum::http::HeaderMap,
    base: &str,
    over_https: bool,
) -> Option<String> {
    read_cookie_in(headers, base, CookieScope::Site, over_https)
}

/// The same, for a cookie of another scope than the whole site.
pub fn read_cookie_in(
    headers: &axum::http::HeaderMap,
    base: &str,
    scope: CookieScope,
    over_https: bool,
) -> Option<String> {
    let wanted = cookie_name(base, scope, over_https);
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.to_owned())
}

/// The `Set-Cookie` value for one of the platform's cookies: HttpOnly, SameSite=Lax, for the whole
/// site, Secure over HTTPS; `max_age` 0 removes it. `value` is hex or empty.
pub fn set_cookie(
    base: &str,
    value: &str,
    over_https: bool,
    max_age: chrono::Duration,
) -> axum::http::HeaderValue {
    cookie_header(base, value, CookieScope::Site, over_https, Some(max_age))
}

/// The same, for a cookie of another scope than the whole site.
pub fn set_cookie_in(
    base: &str,
    value: &str,
    scope: CookieScope,
    over_https: bool,
    max_age: chrono::Duration,
) -> axum::http::HeaderValue {
    cookie_header(base, value, scope, over_https, Some(max_age))
}

/// The same, for a cookie the browser forgets when it closes (no `Max-Age`): the session cookie,
/// whose lifetime the server enforces on its side.
pub fn set_cookie_until_closed(
    base: &str,
    value: &str,
    over_https: bool,
) -> axum::http::HeaderValue {
    cookie_header(base, value, CookieScope::Site, over_https, None)
}

fn cookie_header(
    base: &str,
    value: &str,
    scope: CookieScope,
    over_https: bool,
    max_age: Option<chrono::Duration>,
) -> axum::http::HeaderValue {
    let secure = if over_https { "; Secure" } else { "" };
    let max_age = max_age
        .map(|age| format!("; Max-Age={}", age.num_seconds().max(0)))
        .unwrap_or_default();
    let (path, same_site) = match scope {
        CookieScope::Site => ("/", "Lax"),
        CookieScope::Under(path) => (path, "Strict"),
    };
    axum::http::HeaderValue::from_str(&format!(
        "{}={value}; Path={path}; HttpOnly; SameSite={same_site}{max_age}{secure}",
        cookie_name(base, scope, over_https),
    ))
    .expect("cookie values are hex, or a key number and key")
}

/// The value of the platform's cookie `base` on the current request.
pub fn request_cookie(base: &str) -> Option<String> {
    let over_https = caller().over_https;
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| read_cookie(&parts.headers, base, over_https))
}

/// A secret handed to the next page once, in a short-lived cookie (a partner key, a calendar
/// address): read, and the cookie removed by the same response.
pub fn take_fresh_secret(base: &str) -> Option<String> {
    let value = request_cookie(base)?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.append_header(
            axum::http::header::SET_COOKIE,
            set_cookie(base, "", caller().over_https, chrono::Duration::zero()),
        );
    }
    Some(value)
}
