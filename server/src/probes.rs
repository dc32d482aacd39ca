//! Health probes for load balancers and orchestrators; they need no authentication.

use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};

/// The process is alive.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: its database answers.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok" }))),
        Err(error) => {
            tracing::warn!(%error, "base de données injoignable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({ "status": "indisponible", "detail": "la base de données ne répond pas" }),
                ),
            )
        }
    }
}

/// How long a client waits before trying again when the platform cannot serve for the moment
/// (its database restarting, a peer down): short, the pool reconnects by itself.
pub const RETRY_SECONDS: u32 = 5;

/// Every answer that the platform cannot serve now says when to try again: a 503 without
/// `Retry-After` gets one, and a server function that failed on its database (its error, in
/// French, already says to try again) answers 503 rather than 500, so that neither a browser nor
/// a load balancer takes it for a fault of the request.
pub async fn say_when_to_retry(request: Request, next: Next) -> Response {
    let server_function = request.uri().path().starts_with(SERVER_FUNCTIONS);
    let mut response = next.run(request).await;
    if server_function && response.status() == StatusCode::INTERNAL_SERVER_ERROR {
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    }
    if response.status() == StatusCode::SERVICE_UNAVAILABLE
        && !response.headers().contains_key(header::RETRY_AFTER)
    {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_SECONDS));
    }
    response
}

/// Where the server functions answer (Leptos's prefix).
const SERVER_FUNCTIONS: &str = "/api/";
