//! The partner interface, version 1 (`shared/PARTNER_API.md`): systems of record push what
//! happens to consignments. Keys are per partner system, limited to sources and sites, stored as
//! hashes; every answer that is not a success is an RFC 9457 problem document in French naming
//! every faulty field.

mod documents;

use std::sync::Arc;

use app::domain::partner::{
    scope_errors, time_error, validate, FieldError, KnownPlaces, PartnerEvent, MAX_BATCH,
};
use app::state::AppState;
use app::store::{Ingested, PartnerKey, Store};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Router};
use chrono::Utc;
use serde::Serialize;
use serde_json::{json, Value};

use crate::perimeter::ClientIp;
use crate::rate_limit::RateLimiter;

/// What the partner interface needs.
#[derive(Clone)]
pub struct Partners {
    pub store: Store,
    /// Events per key: a batch costs its number of events.
    pub limiter: Arc<RateLimiter>,
    /// Requests per client address, counted before the key is looked up.
    pub addresses: Arc<RateLimiter>,
    /// Tells the live streams.
    pub live: crate::live::Live,
    /// Where documents are kept, and their antivirus.
    pub documents: app::documents::files::DocumentServices,
    /// Wakes the antivirus when a document was received.
    pub scanner: Arc<tokio::sync::Notify>,
    /// Counts what the events came to.
    pub metrics: Arc<crate::metrics::Metrics>,
}

pub fn routes(partners: Partners) -> Router<AppState> {
    Router::new()
        .route("/api/v1/events", post(submit))
        // The body's size is held by the perimeter (`perimeter::cap_bodies`), not by axum's
        // default for multipart bodies.
        .route(
            "/api/v1/documents",
            post(documents::submit).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(crate::openapi::serve),
        )
        .with_state(partners)
}

/// An RFC 9457 problem document.
pub fn problem(
    status: StatusCode,
    title: &str,
    detail: impl Into<String>,
    errors: &[FieldError],
) -> Response {
    let mut body = json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail.into(),
    });
    if !errors.is_empty() {
        body["errors"] = json!(errors);
    }
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

/// Refusals the perimeter answers before the handler (body too large) read, on this interface,
/// as problem documents too.
#[tracing::instrument(skip_all)]
pub async fn problems_for_refusals(
    State(document_bytes): State<usize>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    if !path.starts_with("/api/v1/") || response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    // A handler's own refusal already says what is wrong.
    let problem_already = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if problem_already {
        return response;
    }
    let detail = if path == "/api/v1/documents" {
        format!(
            "L'envoi dépasse la taille admise : un document pèse au plus {} Mio.",
            document_bytes / (1024 * 1024)
        )
    } else {
        format!(
            "Le corps de la requête dépasse {} Kio : envoyez les événements en plusieurs lots.",
            crate::perimeter::MAX_BODY_BYTES / 1024
        )
    };
    problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Envoi trop volumineux",
        detail,
        &[],
    )
}

/// The key of the request, or the problem to answer.
/// The caller's address pays first, before any lookup (guessing keys costs the guesser), then
/// the key is checked: the partner calling, or the answer that refuses it. `advice` ends the
/// sentence of a spent budget.
async fn admit(
    partners: &Partners,
    client: &ClientIp,
    headers: &HeaderMap,
    advice: &str,
) -> Result<PartnerKey, Response> {
    if let Err(wait) = partners
        .addresses
        .check_key(&format!("partenaire:{}", client.budget_key()))
    {
        return Err(too_many(wait, |seconds| {
            format!(
                "Trop de requêtes depuis votre adresse en peu de temps. Réessayez dans {}{advice}.",
                seconds_text(seconds)
            )
        }));
    }
    authenticate(partners, headers).await
}

async fn authenticate(partners: &Partners, headers: &HeaderMap) -> Result<PartnerKey, Response> {
    let unauthorised = |detail: &str| {
        let mut response = problem(StatusCode::UNAUTHORIZED, "Clé d'API requise", detail, &[]);
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    };
    let Some(key) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|key| !key.is_empty())
    else {
        return Err(unauthorised(
            "Indiquez la clé d'API de votre système dans l'en-tête « Authorization: Bearer <clé> ».",
        ));
    };
    match partners
        .store
        .partner_key(&app::state::token_hash(key))
        .await
    {
        Ok(Some(key)) => Ok(key),
        Ok(None) => Err(unauthorised("Clé d'API inconnue ou révoquée.")),
        Err(error) => {
            tracing::error!(%error, "interface partenaire : base indisponible");
            Err(problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service indisponible",
                "Le service est momentanément indisponible. Réessayez dans quelques instants.",
                &[],
            ))
        }
    }
}

/// A fault of a submission that only the server can see (the store's answer, the batch's shape).
fn field(name: &str, message: String) -> FieldError {
    FieldError::new(name, message)
}

/// The sites and posts the platform knows, read once per submission (a batch holds up to a
/// thousand events).
async fn known_places(store: &Store) -> Result<KnownPlaces, app::store::StoreError> {
    Ok(KnownPlaces {
        sites: store.sites().await?,
        posts: store.posts().await?,
    })
}

#[derive(Serialize)]
struct ItemResult {
    id: Option<String>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    dossier_id: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
    /// Added to the contract (additive: clients that ignore it lose nothing): what an accepted
    /// event says that agents will look into.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<FieldError>,
}

/// One item, checked and recorded: its result, and the status a single submission answers.
async fn handle(
    partners: &Partners,
    key: &PartnerKey,
    places: &KnownPlaces,
    value: &Value,
) -> Result<(StatusCode, ItemResult), app::store::StoreError> {
    let now = Utc::now();
    let handled = match check(key, places, value, now) {
        Err(rejected) => rejected,
        Ok(accepted) => {
            let outcome = partners.store.ingest(&accepted.event, key.id, now).await?;
            recorded(accepted, outcome)
        }
    };
    count(partners, &handled.1);
    Ok(handled)
}

/// The items of a batch, checked one by one, then those accepted recorded together (see
/// `Store::ingest_all`): their results, in the batch's order.
async fn handle_batch(
    partners: &Partners,
    key: &PartnerKey,
    places: &KnownPlaces,
    items: &[Value],
) -> Result<Vec<ItemResult>, app::store::StoreError> {
    let now = Utc::now();
    let mut results: Vec<Option<ItemResult>> = Vec::with_capacity(items.len());
    let mut accepted = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match check(key, places, item, now) {
            Ok(event) => {
                accepted.push((index, event));
                results.push(None);
            }
            Err((_, rejected)) => results.push(Some(rejected)),
        }
    }
    let events: Vec<PartnerEvent> = accepted
        .iter()
        .map(|(_, accepted)| accepted.event.clone())
        .collect();
    let outcomes = partners.store.ingest_all(&events, key.id, now).await?;
    for ((index, accepted), outcome) in accepted.into_iter().zip(outcomes) {
        results[index] = Some(recorded(accepted, outcome).1);
    }
    let results: Vec<ItemResult> = results.into_iter().flatten().collect();
    for result in &results {
        count(partners, result);
    }
    Ok(results)
}

/// Counts in the metrics what an item came to.
fn count(partners: &Partners, result: &ItemResult) {
    use crate::metrics::EventOutcome;
    partners.metrics.event(match result.status {
        "created" => EventOutcome::Created,
        "duplicate" => EventOutcome::Duplicate,
        _ => EventOutcome::Refused,
    });
}

/// An event that passed every check, to be recorded.
struct Accepted {
    id: Option<String>,
    event: PartnerEvent,
    warnings: Vec<FieldError>,
}

/// An item rejected, with the status a single submission answers.
fn rejected(
    id: Option<String>,
    status: StatusCode,
    errors: Vec<FieldError>,
) -> (StatusCode, ItemResult) {
    (
        status,
        ItemResult {
            id,
            status: "rejected",
            dossier_id: None,
            errors,
            warnings: Vec::new(),
        },
    )
}

/// Every check an item passes before anything is written: its shape, what its key may send,
/// its time, the places it names.
fn check(
    key: &PartnerKey,
    places: &KnownPlaces,
    value: &Value,
    now: chrono::DateTime<Utc>,
) -> Result<Accepted, (StatusCode, ItemResult)> {
    let id = value.get("id").and_then(Value::as_str).map(str::to_owned);
    let event = match validate(value) {
        Ok(event) => event,
        Err(errors) => return Err(rejected(id, StatusCode::UNPROCESSABLE_ENTITY, errors)),
    };
    let scope = scope_errors(&key.name, &key.scope, &event);
    if !scope.is_empty() {
        return Err(rejected(id, StatusCode::FORBIDDEN, scope));
    }
    if let Some(error) = time_error(&event, now) {
        return Err(rejected(id, StatusCode::UNPROCESSABLE_ENTITY, vec![error]));
    }
    let unknown = places.errors(&event);
    if !unknown.is_empty() {
        return Err(rejected(id, StatusCode::UNPROCESSABLE_ENTITY, unknown));
    }
    let warnings = places.warnings(&event);
    Ok(Accepted {
        id,
        event,
        warnings,
    })
}

/// What the store made of an accepted event, as its result.
fn recorded(accepted: Accepted, outcome: Ingested) -> (StatusCode, ItemResult) {
    let Accepted {
        id,
        event,
        warnings,
    } = accepted;
    match outcome {
        Ingested::Created { dossier_id, .. } => (
            StatusCode::CREATED,
            ItemResult { id, status: "created", dossier_id: Some(dossier_id), errors: Vec::new(), warnings },
        ),
        Ingested::Duplicate { dossier_id } => (
            StatusCode::OK,
            ItemResult { id, status: "duplicate", dossier_id: Some(dossier_id), errors: Vec::new(), warnings },
        ),
        Ingested::Conflict { .. } => rejected(
            id,
            StatusCode::CONFLICT,
            vec![field(
                "id",
                format!(
                    "l'événement « {} » a déjà été reçu avec un autre contenu : un identifiant ne sert qu'à un événement",
                    event.id
                ),
            )],
        ),
    }
}

/// 429 with `Retry-After`, as a problem document.
fn too_many(wait: std::time::Duration, detail: impl FnOnce(u64) -> String) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut response = problem(
        StatusCode::TOO_MANY_REQUESTS,
        "Trop d'envois",
        detail(seconds),
        &[],
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

fn seconds_text(seconds: u64) -> String {
    format!("{seconds} seconde{}", if seconds > 1 { "s" } else { "" })
}

/// `POST /api/v1/events`: one event, or `{"events": [...]}`.
#[tracing::instrument(skip_all)]
async fn submit(
    State(partners): State<Partners>,
    Extension(client): Extension<ClientIp>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match admit(
        &partners,
        &client,
        &headers,
        ", ou regroupez les événements en lots",
    )
    .await
    {
        Ok(key) => key,
        Err(response) => return response,
    };
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(error) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "JSON mal formé",
                format!(
                    "Le corps n'est pas du JSON valide (ligne {}, colonne {}) : {error}",
                    error.line(),
                    error.column()
                ),
                &[],
            )
        }
    };
    let failed = |error: app::store::StoreError| {
        tracing::error!(%error, "interface partenaire : échec de l'enregistrement");
        problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service indisponible",
            "L'événement n'a pas pu être enregistré. Réessayez : le renvoyer à l'identique est sans risque.",
            &[],
        )
    };
    // The key pays by event: a batch of a thousand costs a thousand.
    let cost = match value.get("events").and_then(Value::as_array) {
        Some(events) => events.len().clamp(1, MAX_BATCH),
        None => 1,
    };
    if let Err(wait) = partners
        .limiter
        .take(&format!("partenaire:{}", key.id), cost)
    {
        return too_many(wait, |seconds| {
            format!(
                "Trop d'événements en peu de temps pour la clé « {} » ({cost} dans cet envoi). Réessayez dans {}.",
                key.name,
                seconds_text(seconds)
            )
        });
    }
    let places = match known_places(&partners.store).await {
        Ok(places) => places,
        Err(error) => return failed(error),
    };

    if let Some(events) = value.get("events") {
        let Some(events) = events.as_array() else {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Lot invalide",
                "« events » doit être une liste d'événements.",
                &[field("events", "doit être une liste".into())],
            );
        };
        if events.len() > MAX_BATCH {
            return problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "Lot trop grand",
                format!(
                    "Un lot compte au plus {MAX_BATCH} événements (celui-ci en compte {}).",
                    events.len()
                ),
                &[],
            );
        }
        let results = match handle_batch(&partners, &key, &places, events).await {
            Ok(results) => results,
            Err(error) => return failed(error),
        };
        return (StatusCode::OK, axum::Json(json!({ "results": results }))).into_response();
    }

    match handle(&partners, &key, &places, &value).await {
        Err(error) => failed(error),
        Ok((status, result)) if result.status == "rejected" => {
            let (title, detail) = match status {
                StatusCode::FORBIDDEN => ("Événement non autorisé", "Cet événement sort de ce que la clé ou sa source peut envoyer : voir les champs signalés."),
                StatusCode::CONFLICT => ("Identifiant déjà utilisé", "Un événement de même identifiant a déjà été reçu avec un autre contenu ; rien n'a été modifié."),
                _ => ("Événement invalide", "L'événement n'a pas été enregistré : corrigez les champs signalés."),
            };
            problem(status, title, detail, &result.errors)
        }
        Ok((status, result)) => (status, axum::Json(result)).into_response(),
    }
}
