//! `GET /messagerie/{id}/export.zip`: an exchange as evidence, for whoever may read it: the
//! exchange as a PDF/A, the documents its messages carry that the antivirus let through, and
//! `manifeste.json` (the platform's evidence format) naming each file with its SHA-256 and each
//! entry with the SHA-256 of its text. An operator's export never holds the internal notes nor
//! their documents. A download by the administrations is in the audit trail.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Extension;
use chrono::Utc;
use sha2::{Digest, Sha256};

use super::target_of;
use crate::documents::archive::{build, Content, Entry};
use crate::domain::access::{authorize, EntryPoint, Target};
use crate::domain::directory::Role;
use crate::domain::document::{
    DocumentKind, Manifest, ManifestDossier, ManifestEntry, ManifestExchange, ManifestFile,
    MANIFEST_FORMAT, MANIFEST_VERSION,
};
use crate::forms::{check_viewer, Failure, Forms, Outcome};
use crate::http::{attachment, refusal};
use crate::state::Caller;

const NOT_FOUND: &str = "Cet échange n'existe pas, ou ne relève pas de vous.";

#[tracing::instrument(skip_all)]
pub async fn export(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::Messaging, Target::Nothing)?.clone();
    let Some(exchange) = forms.store.exchange(id).await? else {
        return Ok(refusal(StatusCode::NOT_FOUND, NOT_FOUND));
    };
    if authorize(
        Some(&viewer),
        EntryPoint::ReadExchange,
        target_of(&exchange),
    )
    .is_err()
    {
        return Ok(refusal(StatusCode::NOT_FOUND, NOT_FOUND));
    }
    let notes_too = viewer.role != Role::Operateur;
    let entries = forms.store.exchange_entries(id, notes_too).await?;
    let now = Utc::now();
    let pdf = crate::documents::exchange::pdf(&exchange, &entries, now, &forms.typeface).map_err(
        |error| {
            tracing::error!(%error, "export d'échange impossible");
            Failure::Store(crate::store::StoreError::Corrupt(error))
        },
    )?;
    let mut files = vec![Entry {
        file: ManifestFile::made(
            crate::documents::exchange::EXCHANGE_NAME.to_owned(),
            DocumentKind::Exchange,
            format!("Échange n° {id} : {}", exchange.title),
            now,
        ),
        content: Content::Made(pdf),
    }];
    // The documents the entries carry, as the dossier's documents record them.
    let mut omitted = Vec::new();
    let mut carried = 0;
    if let Some(dossier_id) = exchange.dossier_id {
        let attached: Vec<i64> = entries
            .iter()
            .flat_map(|entry| entry.attachments.iter().map(|(document, ..)| *document))
            .collect();
        for document in forms
            .store
            .documents_of(dossier_id, notes_too)
            .await?
            .into_iter()
            .filter(|document| attached.contains(&document.id))
        {
            match Entry::of_document(&document) {
                Ok(entry) => {
                    carried += 1;
                    files.push(entry);
                }
                Err(omission) => omitted.push(omission),
            }
        }
    }
    let dossier = match exchange.dossier_id {
        Some(dossier_id) => forms
            .store
            .dossier_summary(dossier_id)
            .await?
            .map(|summary| ManifestDossier::of_summary(&summary)),
        None => None,
    };
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        version: MANIFEST_VERSION,
        generated_at: now,
        platform: forms.base_url.to_string(),
        dossier,
        exchange: Some(ManifestExchange {
            id,
            title: exchange.title.clone(),
            subject: exchange.subject.code().to_owned(),
            site: exchange.site.to_string(),
            company: exchange.company_name.clone(),
            administration: exchange.administration.map(|a| a.code().to_owned()),
            opened_at: exchange.opened_at,
            entries: entries
                .iter()
                .map(|entry| ManifestEntry {
                    id: entry.id,
                    kind: entry.kind.code().to_owned(),
                    side: if entry.from_operator {
                        "operateur"
                    } else {
                        "administration"
                    }
                    .to_owned(),
                    author: entry.author_label.clone(),
                    at: entry.at,
                    text_sha256: crate::domain::hex(&Sha256::digest(entry.text.as_bytes())),
                    documents: entry
                        .attachments
                        .iter()
                        .map(|(document, ..)| *document)
                        .collect(),
                })
                .collect(),
        }),
        files: Vec::new(),
        omitted,
        person: None,
        audit: Vec::new(),
    };
    let archive = match build(forms.documents.files.as_ref(), manifest, files).await {
        Ok(archive) => archive,
        Err(error) => {
            return Ok(crate::api::documents::archive_refusal(
                &error,
                &format!("echange:{id}"),
                "Un document de cet échange ne correspond plus à l'empreinte enregistrée à sa réception : l'export n'a pas été produit. Signalez le problème à l'assistance de France Sésame.",
                "L'échange n'a pas pu être rassemblé pour l'instant. Réessayez dans quelques instants.",
            ))
        }
    };
    if crate::state::audited(&viewer) {
        forms
            .store
            .audit(
                &caller.audit_event(
                    "export_echange",
                    &format!("echange:{id}"),
                    &format!("{} entrée(s), {carried} document(s)", entries.len()),
                ),
                now,
            )
            .await?;
    }
    Ok(attachment(
        "application/zip",
        &format!("echange-{id}.zip"),
        Some(archive.size),
        axum::body::Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
            archive.file,
            64 * 1024,
        )),
    ))
}
