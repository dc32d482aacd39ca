//! Sessions: the browser holds a random token in a cookie (HttpOnly, SameSite=Lax; Secure and
//! `__Host-` prefixed over HTTPS); the database holds its hash, who it belongs to and when it
//! expires (idle and absolute timeouts). Every request is resolved here into a [`Caller`] that
//! pages, server functions and form handlers read; pages that need a session redirect to sign-in
//! before they render.

use std::sync::Arc;

use app::domain::access::{authorize, route_entry, Refusal};
use app::domain::cgu;
use app::http::{
    clear_cookie, see_other, with_query, CurrentSession, Lifetimes, OverHttps, COOKIE,
};
pub use app::state::token_hash;
use app::state::Caller;
use app::store::{SignedIn, Store};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Extension;
use chrono::{Duration, Utc};

use crate::perimeter::ClientIp;

use app::state::read_cookie;

/// A used session is written back at most this often, to spare the database.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// What the session middleware needs.
#[derive(Clone)]
pub struct Sessions {
    pub store: Store,
    pub lifetimes: Lifetimes,
}

/// The session token the browser sent, if any (see [`read_cookie`]).
fn cookie_token(headers: &HeaderMap, over_https: bool) -> Option<String> {
    read_cookie(headers, COOKIE, over_https)
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The files served as they are from the site folder (the build's `pkg/`, the design system's
/// `dsfr/`, the icon), the same for everyone.
pub fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/dsfr/")
        || path.starts_with("/icones/")
        || path == "/favicon.svg"
        || path == "/arrivee.webmanifest"
        || path == app::security::WORKER_PATH
}

/// Resolves the request's session into a [`Caller`] (and a [`CurrentSession`]) in its
/// extensions. A token that opens nothing (expired, ended) is removed from the browser.
pub async fn resolve(
    State(sessions): State<Arc<Sessions>>,
    Extension(client): Extension<ClientIp>,
    Extension(OverHttps(over_https)): Extension<OverHttps>,
    mut request: Request,
    next: Next,
) -> Response {
    let mut caller = Caller {
        ip: client.0.to_string(),
        client_key: client.budget_key(),
        over_https,
        ..Caller::default()
    };
    // A stylesheet, a script or an icon is the same for everyone: no session to look up, so a
    // page's assets cost the database nothing.
    if is_static_asset(request.uri().path()) {
        request.extensions_mut().insert(caller);
        return next.run(request).await;
    }
    let token = cookie_token(request.headers(), over_https);
    let mut stale = false;
    if let Some(token) = &token {
        let now = Utc::now();
        let today = app::domain::access::local_day(now);
        match sessions
            .store
            .signed_in(
                &token_hash(token),
                now,
                sessions.lifetimes.idle,
                today,
                cgu::VERSION,
            )
            .await
        {
            Ok(SignedIn::Open(open)) => {
                let (session, viewer) = *open;
                // A live stream is not someone using the platform: an open page must not keep
                // a session alive past its idle limit (streams are renewed).
                let in_use = request.uri().path() != app::ui::live::STREAM_PATH;
                if in_use && now - session.info.last_seen_at > TOUCH_EVERY {
                    if let Err(error) = sessions.store.touch_session(session.info.id, now).await {
                        tracing::warn!(%error, "session : date de dernière activité non enregistrée");
                    }
                }
                caller.viewer = Some(viewer);
                caller.session_id = Some(session.info.id);
                request.extensions_mut().insert(CurrentSession {
                    id: session.info.id,
                    user_id: session.info.user_id,
                    method: session.info.method,
                    id_token: session.id_token,
                });
            }
            // Suspended or closed since: every page says so (the browser keeps its cookie until
            // it signs out), rather than asking to sign in.
            Ok(SignedIn::AccountEnded(state)) if app::state::ended_message(state).is_some() => {
                caller.access_ended = Some(state);
            }
            Ok(_) => stale = true,
            Err(error) => return unavailable(error),
        }
    }
    let signed_in = caller.viewer.is_some();
    request.extensions_mut().insert(caller);
    let mut response = next.run(request).await;
    // What a signed-in person sees is theirs: no cache, shared or not, keeps it.
    if signed_in && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, private"),
        );
    }
    if stale && !response.headers().contains_key(header::SET_COOKIE) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, clear_cookie(over_https));
    }
    response
}

fn unavailable(error: app::store::StoreError) -> Response {
    tracing::error!(%error, "session : base de données indisponible");
    app::http::refusal(
        StatusCode::SERVICE_UNAVAILABLE,
        "Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.",
    )
}

/// Before a page renders: nobody signed in goes to `/connexion`, someone who has not accepted
/// the terms of use in force to `/cgu/acceptation`, each with the way back. What the page shows
/// is then decided by its server functions, through the same policy.
pub async fn guard_pages(
    Extension(caller): Extension<Caller>,
    request: Request,
    next: Next,
) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let Some(entry) = route_entry(request.uri().path()) else {
        return next.run(request).await;
    };
    let back = request
        .uri()
        .path_and_query()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    match authorize(
        caller.viewer.as_ref(),
        entry,
        app::domain::access::Target::Nothing,
    ) {
        Err(Refusal::SignInRequired) if caller.access_ended.is_some() => {
            see_other(app::ui::pages::suspended::PATH)
        }
        Err(Refusal::SignInRequired) => see_other(&with_query("/connexion", &[("retour", &back)])),
        Err(Refusal::CguRequired) => {
            see_other(&with_query("/cgu/acceptation", &[("retour", &back)]))
        }
        // Refused pages render their own explanation, with the 403 their server functions set.
        Ok(()) | Err(Refusal::Forbidden) => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::http::SECURE_COOKIE;

    #[test]
    fn the_cookie_is_read_under_its_name_for_the_transport_and_checked() {
        let token = "a".repeat(64);
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("autre=1; {SECURE_COOKIE}={token}")).unwrap(),
        );
        assert_eq!(cookie_token(&headers, true), Some(token.clone()));
        assert_eq!(
            cookie_token(&headers, false),
            None,
            "over HTTP, the plain name only"
        );
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("sesame_session={token}")).unwrap(),
        );
        assert_eq!(
            cookie_token(&headers, true),
            None,
            "a planted plain cookie does not count over HTTPS"
        );
        assert_eq!(cookie_token(&headers, false), Some(token));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("sesame_session=pas-un-jeton"),
        );
        assert_eq!(cookie_token(&headers, false), None);
    }

    #[test]
    fn only_the_site_folder_is_static() {
        assert!(is_static_asset("/pkg/sesame.wasm"));
        assert!(is_static_asset("/dsfr/dsfr.min.css"));
        assert!(is_static_asset("/favicon.svg"));
        assert!(!is_static_asset("/dossiers"));
        assert!(!is_static_asset("/pkgs"));
        assert!(!is_static_asset("/api/v1/events"));
        assert!(!is_static_asset("/"));
    }
}
