//! `POST /api/v1/documents` (PARTNER_API.md, version 1.2): a partner system sends a document of
//! a dossier, with the same keys, scopes, idempotency and problem documents as events. The file
//! is spooled while it is received (never held whole in memory), recognised by its content,
//! kept under its hash, and held back until the antivirus found it clean.

use std::collections::BTreeMap;

use app::documents::files::{spool, storage_key, SpoolFailure};
use app::domain::document::{
    safe_file_name, size_refusal, AuthorKind, EMPTY_REFUSAL, TYPE_REFUSAL,
};
use app::domain::partner::{
    document_scope_errors, validate_document, FieldError, KnownPlaces, DOCUMENT_PARTS,
};
use app::store::{NewDocument, Received};
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::Utc;
use serde_json::json;

use super::{admit, problem, seconds_text, too_many, Partners};
use crate::perimeter::ClientIp;

/// A text part is a few words or a small JSON object.
const MOST_TEXT_BYTES: usize = 16 * 1024;

fn invalid(errors: &[FieldError]) -> Response {
    problem(
        StatusCode::UNPROCESSABLE_ENTITY,
        "Document invalide",
        "Le document n'a pas été enregistré : corrigez les parties signalées.",
        errors,
    )
}

fn unavailable(detail: &str) -> Response {
    let mut response = problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "Service indisponible",
        detail,
        &[],
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    response
}

fn failed(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "interface partenaire : document non enregistré");
    unavailable(
        "Le document n'a pas pu être enregistré. Réessayez : le renvoyer à l'identique est sans risque.",
    )
}

/// `POST /api/v1/documents`.
#[tracing::instrument(skip_all)]
pub(super) async fn submit(
    State(partners): State<Partners>,
    Extension(client): Extension<ClientIp>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let key = match admit(&partners, &client, &headers, "").await {
        Ok(key) => key,
        Err(response) => return response,
    };
    if let Err(wait) = partners.limiter.take(&format!("partenaire:{}", key.id), 1) {
        return too_many(wait, |seconds| {
            format!(
                "Trop d'envois en peu de temps pour la clé « {} ». Réessayez dans {}.",
                key.name,
                seconds_text(seconds)
            )
        });
    }
    let mut multipart = match multipart {
        Ok(multipart) => multipart,
        Err(_) => {
            return problem(
                StatusCode::BAD_REQUEST,
                "Envoi mal formé",
                "Un document s'envoie en multipart/form-data, avec les parties id, source, site, references, kind, title et file.",
                &[],
            )
        }
    };
    let scan = match partners.documents.intake().await {
        Ok(scan) => scan,
        Err(message) => return unavailable(message),
    };
    let services = &partners.documents;

    // The parts, in whatever order they come; the file is spooled as it arrives.
    let mut parts: BTreeMap<String, String> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut file = None;
    let mut given_name = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return problem(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Envoi trop volumineux",
                    size_refusal(u64::MAX, services.max_bytes).unwrap_or_default(),
                    &[],
                )
            }
            Err(error) => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "Envoi mal formé",
                    format!(
                        "Le corps multipart/form-data est illisible : {}",
                        error.body_text()
                    ),
                    &[],
                )
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if file.is_some() {
                errors.push(FieldError::new("file", "une seule partie file par envoi"));
                continue;
            }
            given_name = field.file_name().map(str::to_owned);
            match spool(services.files.spool_folder(), services.max_bytes, field).await {
                Ok(spooled) => file = Some(spooled),
                Err(SpoolFailure::TooLarge) => {
                    return problem(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "Document trop volumineux",
                        size_refusal(u64::MAX, services.max_bytes).unwrap_or_default(),
                        &[FieldError::new(
                            "file",
                            size_refusal(u64::MAX, services.max_bytes).unwrap_or_default(),
                        )],
                    )
                }
                Err(SpoolFailure::Request(error)) => {
                    return problem(
                        StatusCode::BAD_REQUEST,
                        "Envoi interrompu",
                        format!("Le fichier n'a pas été reçu en entier : {error}"),
                        &[],
                    )
                }
                Err(SpoolFailure::Disk(error)) => return failed(error),
            }
        } else if DOCUMENT_PARTS.contains(&name.as_str()) {
            if parts.contains_key(&name) {
                errors.push(FieldError::new(name.as_str(), "partie présente deux fois"));
                continue;
            }
            match field.text().await {
                Ok(text) if text.len() <= MOST_TEXT_BYTES => {
                    parts.insert(name, text);
                }
                Ok(_) => errors.push(FieldError::new(
                    name.as_str(),
                    format!(
                        "partie trop longue (au plus {} Kio)",
                        MOST_TEXT_BYTES / 1024
                    ),
                )),
                Err(error) => errors.push(FieldError::new(
                    name.as_str(),
                    format!("partie illisible : {}", error.body_text()),
                )),
            }
        }
        // Parts the contract does not name are ignored, for what later versions add.
    }

    let document = validate_document(&parts);
    if let Err(faults) = &document {
        errors.extend(faults.iter().cloned());
    }
    let media = match &file {
        None => {
            errors.push(FieldError::new(
                "file",
                "partie obligatoire manquante : le document lui-même",
            ));
            None
        }
        Some(spooled) if spooled.size == 0 => {
            errors.push(FieldError::new("file", EMPTY_REFUSAL));
            None
        }
        Some(spooled) => spooled.media,
    };
    if !errors.is_empty() {
        return invalid(&errors);
    }
    let (Ok(document), Some(spooled)) = (document, file) else {
        return invalid(&errors);
    };
    let Some(media) = media else {
        return problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Type de fichier non accepté",
            TYPE_REFUSAL,
            &[FieldError::new("file", TYPE_REFUSAL)],
        );
    };
    let scope = document_scope_errors(&key.name, &key.scope, &document);
    if !scope.is_empty() {
        return problem(
            StatusCode::FORBIDDEN,
            "Document non autorisé",
            "Ce document sort de ce que la clé ou sa source peut envoyer : voir les parties signalées.",
            &scope,
        );
    }
    let places = match (partners.store.sites().await, partners.store.posts().await) {
        (Ok(sites), Ok(posts)) => KnownPlaces { sites, posts },
        (Err(error), _) | (_, Err(error)) => return failed(error),
    };
    let unknown = places.place_errors(&document.site, document.post.as_ref());
    if !unknown.is_empty() {
        return invalid(&unknown);
    }
    let conflict = || {
        problem(
            StatusCode::CONFLICT,
            "Identifiant déjà utilisé",
            "Un document de même identifiant a déjà été reçu avec un autre fichier ; rien n'a été modifié.",
            &[FieldError::new(
                "id",
                format!(
                    "le document « {} » a déjà été reçu avec d'autres octets : un identifiant ne sert qu'à un document",
                    document.id
                ),
            )],
        )
    };
    let answer = |status: StatusCode, dossier_id: i64, document_id: i64, state: &str| {
        (
            status,
            axum::Json(json!({
                "id": document.id,
                "dossier_id": dossier_id,
                "document_id": document_id,
                "sha256": spooled.sha256,
                "status": state,
            })),
        )
            .into_response()
    };
    // Already received: answered before anything is kept.
    match partners.store.partner_document(key.id, &document.id).await {
        Ok(Some((dossier_id, document_id, sha256))) if sha256 == spooled.sha256 => {
            return answer(StatusCode::OK, dossier_id, document_id, "duplicate")
        }
        Ok(Some(_)) => return conflict(),
        Ok(None) => {}
        Err(error) => return failed(error),
    }
    let key_of_file = storage_key(&spooled.sha256);
    if let Err(error) = services.files.keep(&spooled.path, &key_of_file).await {
        return failed(error);
    }
    let file_name = safe_file_name(given_name.as_deref().unwrap_or(&document.title), media);
    let new = NewDocument {
        dossier_id: 0,
        kind: document.kind,
        title: &document.title,
        file_name: &file_name,
        media,
        size: spooled.size as i64,
        sha256: &spooled.sha256,
        storage_key: &key_of_file,
        author: AuthorKind::Partner,
        author_label: document.source.label(),
        author_user_id: None,
        internal: false,
        supersedes: None,
        scan,
    };
    match partners
        .store
        .receive_document(&document, &new, key.id, Utc::now())
        .await
    {
        Err(error) => failed(error),
        Ok(Received::Created {
            dossier_id,
            document_id,
        }) => {
            partners.scanner.notify_one();
            answer(StatusCode::CREATED, dossier_id, document_id, "created")
        }
        Ok(Received::Duplicate {
            dossier_id,
            document_id,
        }) => answer(StatusCode::OK, dossier_id, document_id, "duplicate"),
        Ok(Received::Conflict) => conflict(),
        Ok(Received::NoDossier) => invalid(&[FieldError::new(
            "goods",
            format!(
                "aucun dossier du site {} ne porte ces références : pour ouvrir le dossier avec ce document, indiquez aussi la partie goods (catégorie et description), comme pour un événement",
                document.site
            ),
        )]),
        Ok(Received::UnknownSupersedes) => invalid(&[FieldError::new(
            "supersedes",
            format!(
                "aucun document « {} » n'a été envoyé avec cette clé pour ce dossier",
                document.supersedes.as_deref().unwrap_or_default()
            ),
        )]),
        Ok(Received::AlreadySuperseded) => invalid(&[FieldError::new(
            "supersedes",
            format!(
                "le document « {} » a déjà été remplacé : remplacez sa version la plus récente",
                document.supersedes.as_deref().unwrap_or_default()
            ),
        )]),
    }
}
