//! The copy of one's personal data, from the personal space (« Mes données personnelles »):
//! `GET /espace/donnees.zip` gives the person a ZIP of their data as a PDF/A and as JSON (see
//! [`crate::documents::personal`]), with its manifest and the seal that lets anyone check it
//! (`server audit verify-export`). Only one's own data: there is no number to change in the
//! address.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Extension;
use chrono::Utc;

use crate::documents::archive::{prepare, Content, Entry};
use crate::documents::evidence::{manifest_audit, seal, SEAL_ACTION};
use crate::documents::personal::{self, PersonalRecord, JSON_NAME, PDF_NAME};
use crate::domain::access::{authorize, local_day, EntryPoint, Target};
use crate::domain::document::{
    seal_detail, DocumentKind, Manifest, ManifestFile, ManifestPerson, MANIFEST_FORMAT,
    MANIFEST_VERSION,
};
use crate::forms::{check_viewer, sensitive_budget, Failure, Forms, Outcome};
use crate::http::{attachment, refusal};
use crate::state::Caller;

/// Said when the copy cannot be made right now.
const UNAVAILABLE: &str = "La copie de vos données n'a pas pu être préparée pour l'instant. Réessayez dans quelques instants ; si le problème persiste, écrivez à l'assistance de France Sésame.";

/// `GET /espace/donnees.zip`: the signed-in person's data, sealed.
#[tracing::instrument(skip_all)]
pub async fn copy(State(forms): State<Forms>, Extension(caller): Extension<Caller>) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::PersonalSpace, Target::Nothing)?;
    // Each copy is rendered and sealed in the trail: a loop asking for it again is slowed.
    sensitive_budget(&forms, &[&format!("copie-donnees:{}", viewer.user_id)])?;
    let store = &forms.store;
    let now = Utc::now();
    let user_id = viewer.user_id;
    let (Some(user), Some(rows)) = (
        store.user(user_id).await?,
        store.personal_rows(user_id).await?,
    ) else {
        return Err(Failure::Refused(
            crate::domain::access::Refusal::SignInRequired,
        ));
    };
    let company = match user.company_id {
        Some(id) => store.company(id).await?,
        None => None,
    };
    let today = local_day(now);
    let (mandates_given, mandates_received) = match &company {
        Some(company) => (
            store.mandates(company.id, true, today, None).await?,
            store.mandates(company.id, false, today, None).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let habilitations =
        if authorize(Some(viewer), EntryPoint::OwnHabilitations, Target::Nothing).is_ok() {
            store.habilitations_of(user_id).await?
        } else {
            Vec::new()
        };
    let sessions = store
        .sessions_of(user_id, now, forms.lifetimes.idle)
        .await?;
    let trail = store.audit_of_person(user_id).await?;
    let rights_requests = store.rights_requests_of(user_id).await?;
    let record = PersonalRecord {
        user,
        company,
        rows,
        sessions,
        habilitations,
        mandates_given,
        mandates_received,
        rights_requests,
        trail,
    };
    let pdf = match personal::pdf(&record, now, &forms.typeface) {
        Ok(pdf) => pdf,
        Err(error) => {
            tracing::error!(%error, "copie des données personnelles impossible");
            return Ok(refusal(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE));
        }
    };
    let made = |path: &str, title: &str, media: &str| {
        let mut file =
            ManifestFile::made(path.to_owned(), DocumentKind::Other, title.to_owned(), now);
        file.media_type = media.to_owned();
        file
    };
    let entries = vec![
        Entry {
            file: made(
                PDF_NAME,
                "Vos données personnelles (lisible)",
                "application/pdf",
            ),
            content: Content::Made(pdf),
        },
        Entry {
            file: made(
                JSON_NAME,
                "Vos données personnelles (pour un programme)",
                "application/json",
            ),
            content: Content::Made(personal::json(&record, now)),
        },
    ];
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        version: MANIFEST_VERSION,
        generated_at: now,
        platform: forms.base_url.to_string(),
        dossier: None,
        exchange: None,
        files: Vec::new(),
        omitted: Vec::new(),
        person: Some(ManifestPerson {
            id: user_id,
            name: record.user.full_name.clone(),
        }),
        audit: manifest_audit(&record.trail, |entry| record.by(entry)),
    };
    let unavailable = |error: crate::documents::archive::ArchiveError| {
        tracing::error!(%error, "copie des données personnelles impossible");
        refusal(StatusCode::SERVICE_UNAVAILABLE, UNAVAILABLE)
    };
    let prepared = match prepare(forms.documents.files.as_ref(), manifest, entries).await {
        Ok(prepared) => prepared,
        Err(error) => return Ok(unavailable(error)),
    };
    let manifest_sha256 = prepared.manifest_sha256();
    let object = format!("utilisateur:{user_id}");
    let detail = seal_detail(&manifest_sha256);
    let mut tx = store.begin().await?;
    let sealed = tx
        .seal(&caller.audit_event(SEAL_ACTION, &object, &detail), now)
        .await?;
    tx.commit().await?;
    let archive = match prepared.write(Some(seal(manifest_sha256, sealed))).await {
        Ok(archive) => archive,
        Err(error) => return Ok(unavailable(error)),
    };
    Ok(attachment(
        "application/zip",
        &format!("donnees-personnelles-{}.zip", today.format("%Y-%m-%d")),
        Some(archive.size),
        axum::body::Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
            archive.file,
            64 * 1024,
        )),
    ))
}
