//! What every HTTP handler of the platform speaks: redirections after a form, queries, the
//! session cookie and its tokens, the way back after signing in, and plain French refusals.
//! Server side only; the session middleware that reads the cookie is the host's.

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Duration;

use crate::state::{set_cookie, set_cookie_until_closed, token_hash};

/// The session cookie's name over plain HTTP (development); over HTTPS it takes the `__Host-`
/// prefix, which makes browsers refuse it unless it is Secure, host-only and for the whole site.
pub const COOKIE: &str = "sesame_session";
pub const SECURE_COOKIE: &str = "__Host-sesame_session";

/// Whether the client reached the platform over HTTPS: directly, when the platform terminates TLS
/// itself, or through a trusted reverse proxy that says so (`X-Forwarded-Proto: https`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverHttps(pub bool);

/// How sessions last.
#[derive(Clone, Copy, Debug)]
pub struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
}

/// The session of the current request, with what signing out needs.
#[derive(Clone, Debug)]
pub struct CurrentSession {
    pub id: i64,
    pub user_id: i64,
    pub method: String,
    pub id_token: Option<String>,
}

/// A new random session or link token, and the hash that is stored.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the system's random source answers");
    let token = crate::domain::hex(&bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// The `Set-Cookie` value that opens a session in the browser: a cookie the browser forgets
/// when it closes; the server ends the session after the idle and absolute limits whatever the
/// browser keeps.
pub fn session_cookie(token: &str, over_https: bool) -> HeaderValue {
    set_cookie_until_closed(COOKIE, token, over_https)
}

/// The `Set-Cookie` value that removes it.
pub fn clear_cookie(over_https: bool) -> HeaderValue {
    set_cookie(COOKIE, "", over_https, Duration::zero())
}

/// A redirection after a form or to sign-in (303: the browser follows with GET).
pub fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
        Err(_) => (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response(),
    }
}

/// `path?name=value&…`, values encoded; empty values are left out.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, value)| !value.is_empty())
        .collect();
    if pairs.is_empty() {
        return path.to_owned();
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    // The query goes before a fragment (`/espace#demandes`), which the browser keeps to itself.
    let (path, fragment) = path.split_at(path.find('#').unwrap_or(path.len()));
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}{query}{fragment}")
}

/// Where to go back to after signing in: only a path of this site, never another site
/// (`//evil.example`) nor the sign-in pages themselves.
pub fn safe_return(path: &str) -> Option<String> {
    let path = path.trim();
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= 500
        && !path.chars().any(|c| c.is_control())
        && !path.starts_with("/connexion")
        && !path.starts_with("/deconnexion");
    ok.then(|| path.to_owned())
}

/// A file someone downloads from their space (a document, a summary, an archive, a
/// convocation): saved under `file_name` (in full Unicode, with an ASCII fallback), never kept by
/// a cache along the way.
pub fn attachment(
    content_type: &str,
    file_name: &str,
    length: Option<u64>,
    body: impl Into<Body>,
) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                crate::domain::document::content_disposition(file_name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body.into(),
    )
        .into_response();
    if let Some(length) = length {
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    response
}

/// A refusal the perimeter answers before any handler: a status and one French sentence.
pub fn refusal(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from(message.into()),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (one, hash) = new_token();
        let (two, _) = new_token();
        assert_ne!(one, two);
        assert_eq!(one.len(), 64);
        assert_eq!(token_hash(&one), hash);
        assert_ne!(one, hash);
    }

    #[test]
    fn cookies_are_hardened_over_https() {
        let plain = session_cookie(&"b".repeat(64), false);
        let plain = plain.to_str().unwrap();
        assert!(plain.starts_with("sesame_session="));
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax"));
        assert!(!plain.contains("Secure"));
        let secure = session_cookie(&"b".repeat(64), true);
        let secure = secure.to_str().unwrap();
        assert!(secure.starts_with("__Host-sesame_session="));
        assert!(secure.contains("; Secure") && secure.contains("Path=/"));
        assert!(!secure.contains("Domain"));
    }

    #[test]
    fn only_paths_of_this_site_are_returned_to() {
        assert_eq!(
            safe_return("/dossiers?page=2"),
            Some("/dossiers?page=2".into())
        );
        assert_eq!(safe_return("//malveillant.example/x"), None);
        assert_eq!(safe_return("https://malveillant.example"), None);
        assert_eq!(safe_return("/\\malveillant.example"), None);
        assert_eq!(safe_return("/connexion"), None);
    }

    #[test]
    fn queries_are_encoded() {
        assert_eq!(
            with_query(
                "/connexion",
                &[("retour", "/dossiers?page=2&site=FRLEH"), ("erreur", "")]
            ),
            "/connexion?retour=%2Fdossiers%3Fpage%3D2%26site%3DFRLEH"
        );
        // Before a fragment, which the browser would otherwise keep the query in.
        assert_eq!(
            with_query("/espace#demandes", &[("erreur", "demande-introuvable")]),
            "/espace?erreur=demande-introuvable#demandes"
        );
        assert_eq!(
            with_query("/espace?a=1#demandes", &[("b", "2")]),
            "/espace?a=1&b=2#demandes"
        );
        assert_eq!(with_query("/espace#demandes", &[]), "/espace#demandes");
    }
}
