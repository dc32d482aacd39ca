//! The documents of a dossier as people use them (the digital import file): the list a page
//! shows, within what the caller may see (the operator never gets the agents' internal
//! documents); adding one, a plain multipart form that works with or without JavaScript; and
//! downloading one once the antivirus found it clean, audited with its hash for the
//! administrations. Every entry asks the one policy.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::document::{Document, DocumentKind};

/// What the dossier page shows of its documents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierDocuments {
    pub dossier_id: i64,
    /// Oldest first; corrected ones stay, marked.
    pub documents: Vec<Document>,
    /// What the caller may add, if they may add documents to this dossier.
    pub adding: Option<Adding>,
}

/// The choices the form of a new document offers the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adding {
    pub kinds: Vec<DocumentKind>,
    /// Agents say whether what they add is internal to the administrations.
    pub internal_choice: bool,
    /// The documents the caller may correct: number and title.
    pub correctable: Vec<(i64, String)>,
    /// The most a document may weigh, in mebibytes.
    pub max_mib: u64,
}

impl DossierDocuments {
    /// Whether some document still waits for the antivirus (the page then asks again shortly).
    pub fn scanning(&self) -> bool {
        self.documents
            .iter()
            .any(|document| document.scan == crate::domain::document::ScanState::Pending)
    }
}

/// The documents of dossier `id` as the caller may see them, or nothing when the dossier is not
/// theirs (the same answer as a dossier that does not exist). Asked again by the page while a
/// document is being scanned: not a consultation of its own (the page's reading was audited).
#[server(endpoint = "documents-dossier")]
pub async fn read_dossier_documents(id: i64) -> Result<Option<DossierDocuments>, ServerFnError> {
    use crate::domain::access::{authorize, EntryPoint, Target};
    let caller = crate::state::caller();
    crate::state::authorize(&caller, EntryPoint::ListDossiers, Target::Nothing)?;
    let store = crate::state::store()?;
    let Some(summary) = store
        .dossier_summary(id)
        .await
        .map_err(crate::state::internal)?
    else {
        return Ok(None);
    };
    let target = Target::Dossier {
        site: &summary.site,
        company_id: summary.company_id,
    };
    if authorize(caller.viewer.as_ref(), EntryPoint::ReadDossier, target).is_err() {
        return Ok(None);
    }
    documents_of(&caller, &store, &summary).await.map(Some)
}

/// The documents of a dossier the caller may read, and what they may add to it.
#[cfg(feature = "ssr")]
pub async fn documents_of(
    caller: &crate::state::Caller,
    store: &crate::store::Store,
    summary: &crate::domain::dossier::DossierSummary,
) -> Result<DossierDocuments, ServerFnError> {
    use crate::domain::access::{authorize, EntryPoint, Target};
    use crate::domain::document::{sees_internal, AuthorKind};
    let Some(viewer) = caller.viewer.as_ref() else {
        return Err(ServerFnError::new(
            crate::domain::access::Refusal::SignInRequired.message(),
        ));
    };
    let internal_too = sees_internal(viewer.role);
    let documents = store
        .documents_of(summary.id, internal_too)
        .await
        .map_err(crate::state::internal)?;
    let target = Target::Dossier {
        site: &summary.site,
        company_id: summary.company_id,
    };
    let adding = authorize(Some(viewer), EntryPoint::AddDocument, target)
        .ok()
        .and_then(|()| AuthorKind::of_role(viewer.role))
        .map(|author| Adding {
            kinds: DocumentKind::added_by(author).to_vec(),
            internal_choice: author == AuthorKind::Agent,
            correctable: documents
                .iter()
                .filter(|document| document.author == author && document.superseded_by.is_none())
                .map(|document| (document.id, document.title.clone()))
                .collect(),
            max_mib: crate::state::document_max_mib(),
        });
    Ok(DossierDocuments {
        dossier_id: summary.id,
        documents,
        adding,
    })
}

#[cfg(feature = "ssr")]
pub use handlers::{archive, archive_refusal, download, summary, upload};

/// How a person is named beside what they add or write: « Prénom Nom (Entreprise) » for the
/// people of a company, « Prénom Nom (Administration) » for the agents; a representative's
/// people acting on a dossier or an exchange of another company `importer` (id and name, their
/// mandate checked by the caller) are « Prénom Nom (Représentant), pour le compte de Importateur ».
#[cfg(feature = "ssr")]
pub async fn author_label(
    store: &crate::store::Store,
    viewer: &crate::domain::access::Viewer,
    importer: Option<(i64, &str)>,
) -> Result<String, crate::store::StoreError> {
    use crate::domain::document::AuthorKind;
    if let (Some(administration), Some(AuthorKind::Agent)) =
        (&viewer.administration, AuthorKind::of_role(viewer.role))
    {
        return Ok(format!("{} ({})", viewer.full_name, administration.label()));
    }
    let Some(own) = viewer.company_id else {
        return Ok(viewer.full_name.clone());
    };
    let label = match store.company(own).await? {
        Some(company) => format!("{} ({})", viewer.full_name, company.name),
        None => viewer.full_name.clone(),
    };
    Ok(match importer.filter(|(company, _)| *company != own) {
        Some((_, name)) => format!("{label}, pour le compte de {name}"),
        None => label,
    })
}

#[cfg(feature = "ssr")]
mod handlers {
    use axum::extract::multipart::{Multipart, MultipartRejection};
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use axum::Extension;
    use chrono::Utc;

    use crate::documents::files::{spool, storage_key, SpoolFailure};
    use crate::domain::access::{EntryPoint, Refusal, Target};
    use crate::domain::document::{
        check_title, safe_file_name, AuthorKind, DocumentKind, ScanState,
    };
    use crate::forms::{check, check_viewer, Failure, Forms, Outcome};
    use crate::http::{attachment, refusal, see_other, with_query};
    use crate::state::Caller;
    use crate::store::{Added, NewDocument};
    use crate::ui::notices::{Done, Problem};

    /// The page a form goes back to, at its documents.
    fn page(dossier_id: i64, said: Result<Done, Problem>) -> String {
        let pair = match said {
            Ok(done) => ("message", done.code()),
            Err(problem) => ("erreur", problem.code()),
        };
        format!(
            "{}#documents",
            with_query(&format!("/dossiers/{dossier_id}"), &[pair])
        )
    }

    fn back(dossier_id: i64, problem: Problem) -> Failure {
        Failure::Back(page(dossier_id, Err(problem)))
    }

    /// What the form sends besides the file.
    #[derive(Default)]
    struct Parts {
        kind: String,
        title: String,
        replaces: String,
        internal: String,
    }

    /// `POST /dossiers/{id}/documents`: a person adds a document (`type`, `titre`, `fichier`,
    /// and optionally `remplace`; agents say `interne` oui or non). A dossier that does not exist
    /// and one that is not theirs are refused alike.
    #[tracing::instrument(skip_all)]
    pub async fn upload(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(dossier_id): Path<i64>,
        multipart: Result<Multipart, MultipartRejection>,
    ) -> Outcome {
        check_viewer(&caller, EntryPoint::ListDossiers, Target::Nothing)?;
        let Some(summary) = forms.store.dossier_summary(dossier_id).await? else {
            return Err(Failure::Refused(Refusal::Forbidden));
        };
        let viewer = check_viewer(
            &caller,
            EntryPoint::AddDocument,
            Target::Dossier {
                site: &summary.site,
                company_id: summary.company_id,
            },
        )?;
        let author =
            AuthorKind::of_role(viewer.role).ok_or(Failure::Refused(Refusal::Forbidden))?;
        let services = &forms.documents;
        let scan = services
            .intake()
            .await
            .map_err(|_| back(dossier_id, Problem::DocumentScannerUnavailable))?;
        let mut multipart =
            multipart.map_err(|_| back(dossier_id, Problem::DocumentUploadInterrupted))?;
        let mut parts = Parts::default();
        let mut file = None;
        let mut given_name = None;
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(back(dossier_id, Problem::DocumentTooLarge))
                }
                Err(_) => return Err(back(dossier_id, Problem::DocumentUploadInterrupted)),
            };
            let name = field.name().unwrap_or_default().to_owned();
            if name == "fichier" {
                given_name = field.file_name().map(str::to_owned);
                // A browser sends an empty part when no file was chosen.
                match spool(services.files.spool_folder(), services.max_bytes, field).await {
                    Ok(spooled) => file = Some(spooled),
                    Err(SpoolFailure::TooLarge) => {
                        return Err(back(dossier_id, Problem::DocumentTooLarge))
                    }
                    Err(SpoolFailure::Request(_)) => {
                        return Err(back(dossier_id, Problem::DocumentUploadInterrupted))
                    }
                    Err(SpoolFailure::Disk(error)) => {
                        tracing::error!(%error, "document : réception impossible");
                        return Err(back(dossier_id, Problem::DocumentNotSaved));
                    }
                }
                continue;
            }
            let slot = match name.as_str() {
                "type" => &mut parts.kind,
                "titre" => &mut parts.title,
                "remplace" => &mut parts.replaces,
                "interne" => &mut parts.internal,
                _ => continue,
            };
            match field.text().await {
                Ok(text) if text.len() <= 4096 => *slot = text,
                Ok(_) => return Err(back(dossier_id, Problem::DocumentTitleInvalid)),
                Err(_) => return Err(back(dossier_id, Problem::DocumentUploadInterrupted)),
            }
        }

        // Checked in the order of the form, the first fault shown.
        let kind = DocumentKind::from_code(parts.kind.trim())
            .filter(|kind| DocumentKind::added_by(author).contains(kind))
            .ok_or_else(|| back(dossier_id, Problem::DocumentKindMissing))?;
        let title = check_title(&parts.title)
            .map_err(|_| back(dossier_id, Problem::DocumentTitleInvalid))?;
        let spooled = file
            .filter(|spooled| {
                spooled.size > 0 || given_name.as_deref().is_some_and(|n| !n.is_empty())
            })
            .ok_or_else(|| back(dossier_id, Problem::DocumentFileMissing))?;
        if spooled.size == 0 {
            return Err(back(dossier_id, Problem::DocumentFileEmpty));
        }
        let media = spooled
            .media
            .ok_or_else(|| back(dossier_id, Problem::DocumentTypeRefused))?;
        let internal = match (author, parts.internal.trim()) {
            (AuthorKind::Agent, "oui") => true,
            (AuthorKind::Agent, "non") => false,
            (AuthorKind::Agent, _) => {
                return Err(back(dossier_id, Problem::DocumentVisibilityMissing))
            }
            _ => false,
        };
        let supersedes = match parts.replaces.trim() {
            "" => None,
            text => Some(
                text.parse::<i64>()
                    .map_err(|_| back(dossier_id, Problem::DocumentNotCorrectable))?,
            ),
        };

        let key = storage_key(&spooled.sha256);
        if let Err(error) = services.files.keep(&spooled.path, &key).await {
            tracing::error!(%error, "document : conservation impossible");
            return Err(back(dossier_id, Problem::DocumentNotSaved));
        }
        let file_name = safe_file_name(given_name.as_deref().unwrap_or(&title), media);
        let importer = summary.company_id.zip(summary.company_name.as_deref());
        let author_label = super::author_label(&forms.store, viewer, importer).await?;
        let new = NewDocument {
            dossier_id,
            kind,
            title: &title,
            file_name: &file_name,
            media,
            size: spooled.size as i64,
            sha256: &spooled.sha256,
            storage_key: &key,
            author,
            author_label: &author_label,
            author_user_id: Some(viewer.user_id),
            internal,
            supersedes,
            scan,
        };
        let audit = caller.audit_event("ajout_document", "", "");
        match forms.store.add_document(&new, &audit, Utc::now()).await? {
            Added::Created { .. } => {
                forms.scanner.notify_one();
                Ok(see_other(&page(dossier_id, Ok(Done::DocumentAdded))))
            }
            Added::SameFile { .. } => Err(back(dossier_id, Problem::DocumentSameFile)),
            Added::NotCorrectable(_) => Err(back(dossier_id, Problem::DocumentNotCorrectable)),
        }
    }

    /// `GET /dossiers/{id}/documents/{document}`: the file, once the antivirus found it clean,
    /// for whoever may read it; a document that does not exist and one the caller may not have
    /// answer alike (404). A download by the administrations is in the audit trail with the
    /// document's hash.
    #[tracing::instrument(skip_all)]
    pub async fn download(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path((dossier_id, document_id)): Path<(i64, i64)>,
    ) -> Outcome {
        check(&caller, EntryPoint::ListDossiers, Target::Nothing)?;
        let not_found = || {
            Ok(refusal(
                StatusCode::NOT_FOUND,
                "Ce document n'existe pas, ou ne relève pas de vous.",
            ))
        };
        let Some(stored) = forms.store.document(document_id, true).await? else {
            return not_found();
        };
        let target = Target::Document {
            site: &stored.site,
            company_id: stored.company_id,
            internal: stored.document.internal,
        };
        if stored.document.dossier_id != dossier_id
            || crate::domain::access::authorize(
                caller.viewer.as_ref(),
                EntryPoint::ReadDocument,
                target,
            )
            .is_err()
        {
            return not_found();
        }
        let document = stored.document;
        match document.scan {
            ScanState::Pending => {
                return Ok(refusal(
                    StatusCode::CONFLICT,
                    "Ce document est en cours d'analyse antivirus : il sera téléchargeable dans quelques instants. Revenez à la page du dossier.",
                ))
            }
            ScanState::Infected => {
                return Ok(refusal(
                    StatusCode::GONE,
                    "L'antivirus a détecté une menace dans ce document : il a été détruit et ne peut pas être téléchargé. Demandez à son auteur de l'envoyer de nouveau.",
                ))
            }
            ScanState::Clean | ScanState::NotScanned => {}
        }
        let stream = match forms.documents.files.read(&stored.storage_key).await {
            Ok(stream) => stream,
            Err(error) => {
                tracing::error!(%error, document = document.id, "document : fichier illisible");
                return Ok(refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Ce document est momentanément indisponible. Réessayez dans quelques instants.",
                ));
            }
        };
        if caller.viewer.as_ref().is_some_and(crate::state::audited) {
            let object = format!("document:{}", document.id);
            let detail = format!("dossier:{dossier_id} sha256:{}", document.sha256);
            forms
                .store
                .audit(
                    &caller.audit_event("telechargement_document", &object, &detail),
                    Utc::now(),
                )
                .await?;
        }
        Ok(attachment(
            document.media.mime(),
            &document.file_name,
            Some(document.size.max(0) as u64),
            axum::body::Body::from_stream(stream),
        ))
    }

    /// What a dossier's summary and archive are made of, as the caller may see it: the dossier
    /// (operators without the systems' details), its appointments, and the documents they may
    /// read (agents' internal ones for the administrations only).
    struct Gathered {
        dossier: crate::domain::dossier::Dossier,
        appointments: Vec<crate::domain::appointment::Appointment>,
        documents: Vec<crate::domain::document::Document>,
        viewer: crate::domain::access::Viewer,
    }

    /// The dossier and what goes with it, or nothing when it does not exist or is not the
    /// caller's (alike).
    async fn gather(
        forms: &Forms,
        caller: &Caller,
        dossier_id: i64,
    ) -> Result<Option<Gathered>, Failure> {
        use crate::domain::document::sees_internal;
        let viewer = check_viewer(caller, EntryPoint::ListDossiers, Target::Nothing)?.clone();
        let Some(dossier) =
            crate::api::dossiers::dossier_as_seen(caller, &forms.store, dossier_id).await?
        else {
            return Ok(None);
        };
        let (appointments, documents) = tokio::try_join!(
            forms
                .store
                .appointments(crate::store::AppointmentFilter::Dossier(dossier_id)),
            forms
                .store
                .documents_of(dossier_id, sees_internal(viewer.role)),
        )?;
        Ok(Some(Gathered {
            dossier,
            appointments,
            documents,
            viewer,
        }))
    }

    const DOSSIER_NOT_FOUND: &str = "Ce dossier n'existe pas, ou ne relève pas de vous.";

    /// The summary of a dossier, made now, as a PDF/A.
    fn summary_pdf(forms: &Forms, gathered: &Gathered) -> Result<Vec<u8>, Failure> {
        crate::documents::summary::pdf(
            &gathered.dossier,
            &gathered.appointments,
            &gathered.documents,
            Utc::now(),
            &forms.typeface,
        )
        .map_err(|error| {
            tracing::error!(%error, "récapitulatif impossible");
            Failure::Store(crate::store::StoreError::Corrupt(error))
        })
    }

    /// A name for the files of a dossier: its main reference, in letters, digits and dashes.
    fn file_stem(gathered: &Gathered) -> String {
        let headline: String = gathered
            .dossier
            .summary
            .references
            .headline()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        format!("dossier-{}", headline.trim_matches('-'))
    }

    /// `GET /dossiers/{id}/recapitulatif.pdf`: the summary of the dossier, made now, for
    /// whoever may read it; a download by the administrations is in the audit trail.
    #[tracing::instrument(skip_all)]
    pub async fn summary(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(dossier_id): Path<i64>,
    ) -> Outcome {
        let Some(gathered) = gather(&forms, &caller, dossier_id).await? else {
            return Ok(refusal(StatusCode::NOT_FOUND, DOSSIER_NOT_FOUND));
        };
        let bytes = summary_pdf(&forms, &gathered)?;
        if crate::state::audited(&gathered.viewer) {
            forms
                .store
                .audit(
                    &caller.audit_event(
                        "telechargement_recapitulatif",
                        &format!("dossier:{dossier_id}"),
                        "",
                    ),
                    Utc::now(),
                )
                .await?;
        }
        Ok(attachment(
            "application/pdf",
            &format!("{}-recapitulatif.pdf", file_stem(&gathered)),
            None,
            bytes,
        ))
    }

    /// The answer when an archive could not be made, logged with what it was of: `altered`
    /// when a kept file no longer has its recorded hash (nothing altered is handed out),
    /// `unavailable` otherwise.
    pub fn archive_refusal(
        error: &crate::documents::archive::ArchiveError,
        of: &str,
        altered: &'static str,
        unavailable: &'static str,
    ) -> axum::response::Response {
        use crate::documents::archive::ArchiveError;
        if let ArchiveError::Altered { .. } = error {
            tracing::error!(%error, of, "archive refusée : document altéré");
            return refusal(StatusCode::INTERNAL_SERVER_ERROR, altered);
        }
        tracing::error!(%error, of, "archive impossible");
        refusal(StatusCode::SERVICE_UNAVAILABLE, unavailable)
    }

    /// `GET /dossiers/{id}/archive.zip`: the whole dossier as the caller may have it, in one
    /// ZIP: the summary, the convocations, every document the antivirus let through, and
    /// `manifeste.json` with each file's SHA-256 (see [`crate::domain::document::Manifest`]).
    /// Documents still being scanned, or destroyed, are named in the manifest, not carried. A
    /// download by the administrations is in the audit trail, with each document's hash. Every
    /// copy is sealed (`scellement.json`, see [`crate::documents::evidence`]).
    #[tracing::instrument(skip_all)]
    pub async fn archive(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(dossier_id): Path<i64>,
    ) -> Outcome {
        use crate::documents::archive::{prepare, Content, Entry};
        use crate::domain::document::{
            Manifest, ManifestDossier, ManifestFile, MANIFEST_FORMAT, MANIFEST_VERSION,
        };
        let Some(gathered) = gather(&forms, &caller, dossier_id).await? else {
            return Ok(refusal(StatusCode::NOT_FOUND, DOSSIER_NOT_FOUND));
        };
        let now = Utc::now();
        let summary = &gathered.dossier.summary;
        let made = |path: String, kind: DocumentKind, title: String| {
            ManifestFile::made(path, kind, title, now)
        };
        let mut entries = vec![Entry {
            file: made(
                crate::documents::summary::SUMMARY_NAME.to_owned(),
                DocumentKind::Summary,
                DocumentKind::Summary.label().to_owned(),
            ),
            content: Content::Made(summary_pdf(&forms, &gathered)?),
        }];
        // The convocations of the appointments that were not refused or cancelled.
        for appointment in &gathered.appointments {
            if !appointment.state.holds_place() {
                continue;
            }
            let token = forms
                .store
                .checkin_token(appointment.id)
                .await?
                .unwrap_or_default();
            let bytes = crate::documents::convocation::pdf(
                appointment,
                &token,
                &forms.base_url,
                &forms.typeface,
            )
            .map_err(|error| {
                tracing::error!(%error, "convocation impossible");
                Failure::Store(crate::store::StoreError::Corrupt(error))
            })?;
            entries.push(Entry {
                file: made(
                    format!("convocations/convocation-{}.pdf", appointment.id),
                    DocumentKind::Convocation,
                    format!(
                        "Convocation — {} ({})",
                        appointment.check.label(),
                        appointment.state.label()
                    ),
                ),
                content: Content::Made(bytes),
            });
        }
        let mut omitted = Vec::new();
        let mut carried = Vec::new();
        for document in &gathered.documents {
            match Entry::of_document(document) {
                Ok(entry) => {
                    entries.push(entry);
                    carried.push(document);
                }
                Err(omission) => omitted.push(omission),
            }
        }
        // The audit entries about the dossier: all of them in the administrations' copy, those
        // of the operator's own people in theirs (when the administrations consulted it is
        // theirs to know).
        let object = format!("dossier:{dossier_id}");
        let viewer = &gathered.viewer;
        let operator_company = if viewer.role == crate::domain::directory::Role::Operateur {
            Some(viewer.company_id.unwrap_or(0))
        } else {
            None
        };
        let trail = forms.store.audit_about(&object, operator_company).await?;
        let audit = crate::documents::evidence::manifest_audit(&trail, |entry| {
            match entry.actor_id {
                Some(id) if id == viewer.user_id => "vous",
                None => "la plateforme",
                Some(_) if operator_company.is_some() => "votre entreprise",
                Some(_) => "une personne habilitée",
            }
            .to_owned()
        });
        let manifest = Manifest {
            format: MANIFEST_FORMAT.to_owned(),
            version: MANIFEST_VERSION,
            generated_at: now,
            platform: forms.base_url.to_string(),
            dossier: Some(ManifestDossier::of_summary(summary)),
            exchange: None,
            files: Vec::new(),
            omitted,
            person: None,
            audit,
        };
        let refused = |error: &crate::documents::archive::ArchiveError| {
            archive_refusal(
                error,
                &object,
                "Un document de ce dossier ne correspond plus à l'empreinte enregistrée à sa réception : l'archive n'a pas été produite. Téléchargez les documents un par un depuis la page du dossier et signalez le problème à l'assistance de France Sésame.",
                "Le dossier n'a pas pu être rassemblé pour l'instant. Réessayez dans quelques instants.",
            )
        };
        let prepared = match prepare(forms.documents.files.as_ref(), manifest, entries).await {
            Ok(prepared) => prepared,
            Err(error) => return Ok(refused(&error)),
        };
        // The copy is sealed by the entry that records its manifest's hash; for the
        // administrations, with the archive and each document it carries, recorded together.
        let mut tx = forms.store.begin().await?;
        if crate::state::audited(viewer) {
            let detail = format!("archive : {} document(s)", carried.len());
            tx.audit(
                &caller.audit_event("telechargement_dossier", &object, &detail),
                now,
            )
            .await?;
            for document in carried {
                let object = format!("document:{}", document.id);
                let detail = format!("dossier:{dossier_id} sha256:{} archive", document.sha256);
                tx.audit(
                    &caller.audit_event("telechargement_document", &object, &detail),
                    now,
                )
                .await?;
            }
        }
        let manifest_sha256 = prepared.manifest_sha256();
        let detail = crate::domain::document::seal_detail(&manifest_sha256);
        let sealed = tx
            .seal(
                &caller.audit_event(crate::documents::evidence::SEAL_ACTION, &object, &detail),
                now,
            )
            .await?;
        tx.commit().await?;
        let seal = crate::documents::evidence::seal(manifest_sha256, sealed);
        let archive = match prepared.write(Some(seal)).await {
            Ok(archive) => archive,
            Err(error) => return Ok(refused(&error)),
        };
        let stream = tokio_util::io::ReaderStream::with_capacity(archive.file, 64 * 1024);
        Ok(attachment(
            "application/zip",
            &format!("{}.zip", file_stem(&gathered)),
            Some(archive.size),
            axum::body::Body::from_stream(stream),
        ))
    }
}
