//! The documents of dossiers (the digital import file): recorded with their hash and their
//! author, corrected by newer versions that name them, and held back until the antivirus found
//! them clean. Their bytes are kept apart (see `documents::files`); only their record is here.

use chrono::{DateTime, Utc};

use super::{decode, on_pool, on_tx, AuditEvent, Store, StoreError, Tx};
use crate::domain::document::{AuthorKind, Document, DocumentKind, MediaType, ScanState};
use crate::domain::partner::PartnerDocument;
use crate::domain::references::Locode;

/// A document to record. Its bytes are already kept under `storage_key`.
#[derive(Clone, Debug)]
pub struct NewDocument<'a> {
    pub dossier_id: i64,
    pub kind: DocumentKind,
    pub title: &'a str,
    pub file_name: &'a str,
    pub media: MediaType,
    pub size: i64,
    pub sha256: &'a str,
    pub storage_key: &'a str,
    pub author: AuthorKind,
    pub author_label: &'a str,
    pub author_user_id: Option<i64>,
    /// The company of an operator author: a correction by an operator names only a document
    /// of that company's people.
    pub internal: bool,
    /// The document this one corrects.
    pub supersedes: Option<i64>,
    pub scan: ScanState,
}

/// What became of a document a person added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Added {
    Created {
        document_id: i64,
    },
    /// The same file (same SHA-256) is already in the dossier, among the documents its author
    /// may see: nothing was added.
    SameFile {
        document_id: i64,
        title: String,
    },
    /// The document named as corrected cannot be corrected by this author (the French reason).
    NotCorrectable(&'static str),
}

/// What became of a document a partner system sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    Created {
        dossier_id: i64,
        document_id: i64,
    },
    /// Already received under this id with the same bytes.
    Duplicate {
        dossier_id: i64,
        document_id: i64,
    },
    /// Already received under this id with other bytes: nothing changed.
    Conflict,
    /// No dossier of the site holds the references, and the document names no goods to open
    /// one with.
    NoDossier,
    /// `supersedes` names no document this key sent for the same dossier.
    UnknownSupersedes,
    /// `supersedes` names a document already corrected by another.
    AlreadySuperseded,
}

/// A document awaiting the antivirus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToScan {
    pub sha256: String,
    pub storage_key: String,
}

/// A stored document with where its bytes are and the dossier it belongs to, for the checks of
/// a download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDocument {
    pub document: Document,
    pub storage_key: String,
    pub site: Locode,
    pub company_id: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    dossier_id: i64,
    kind: String,
    title: String,
    file_name: String,
    media_type: String,
    size: i64,
    sha256: String,
    author: String,
    author_label: String,
    added_at: DateTime<Utc>,
    internal: bool,
    scan: String,
    scan_detail: Option<String>,
    supersedes: Option<i64>,
    superseded_by: Option<i64>,
    storage_key: String,
    site_code: String,
    company_id: Option<i64>,
}

impl Row {
    fn stored(self) -> Result<StoredDocument, StoreError> {
        Ok(StoredDocument {
            document: Document {
                id: self.id,
                dossier_id: self.dossier_id,
                kind: decode("type de document", &self.kind, DocumentKind::from_code)?,
                title: self.title,
                file_name: self.file_name,
                media: decode("type de fichier", &self.media_type, MediaType::from_mime)?,
                size: self.size,
                sha256: self.sha256,
                author: decode("auteur", &self.author, AuthorKind::from_code)?,
                author_label: self.author_label,
                added_at: self.added_at,
                internal: self.internal,
                scan: decode("analyse", &self.scan, ScanState::from_code)?,
                scan_detail: self.scan_detail,
                supersedes: self.supersedes,
                superseded_by: self.superseded_by,
            },
            storage_key: self.storage_key,
            site: Locode::parse(&self.site_code)
                .map_err(|error| StoreError::Corrupt(error.to_string()))?,
            company_id: self.company_id,
        })
    }
}

/// The documents with the correction that replaces each, among those `$internal` allows.
const SELECT: &str =
    "SELECT d.id, d.dossier_id, d.kind, d.title, d.file_name, d.media_type, d.size,
        d.sha256, d.author, d.author_label, d.added_at, d.internal, d.scan, d.scan_detail,
        d.supersedes, n.id AS superseded_by, d.storage_key, o.site_code, o.company_id
 FROM document d
 JOIN dossier o ON o.id = d.dossier_id
 LEFT JOIN document n ON n.supersedes = d.id AND (NOT n.internal OR $1)";

impl Store {
    /// The documents of a dossier, oldest first; the agents' internal ones only when
    /// `internal_too` (the operator never gets them, nor hears of a correction among them).
    #[tracing::instrument(skip_all)]
    pub async fn documents_of(
        &self,
        dossier_id: i64,
        internal_too: bool,
    ) -> Result<Vec<Document>, StoreError> {
        let sql = format!(
            "{SELECT} WHERE d.dossier_id = $2 AND (NOT d.internal OR $1) ORDER BY d.added_at, d.id"
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(internal_too)
                .bind(dossier_id)
                .fetch_all(pool)
                .await
        })?;
        rows.into_iter()
            .map(|row| row.stored().map(|stored| stored.document))
            .collect()
    }

    /// One document, with its dossier's site and company for the access check.
    #[tracing::instrument(skip_all)]
    pub async fn document(
        &self,
        id: i64,
        internal_too: bool,
    ) -> Result<Option<StoredDocument>, StoreError> {
        let sql = format!("{SELECT} WHERE d.id = $2");
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(internal_too)
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        row.map(Row::stored).transpose()
    }

    /// Records a document a person added, with its entry in the audit trail, in one
    /// transaction. The same file already in the dossier (among what the author may see) is not
    /// added again.
    #[tracing::instrument(skip_all)]
    pub async fn add_document(
        &self,
        new: &NewDocument<'_>,
        audit: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<Added, StoreError> {
        let mut tx = self.begin().await?;
        let same: Option<(i64, String)> = on_tx!(&mut tx, conn => {
            sqlx::query_as(
                "SELECT id, title FROM document
                 WHERE dossier_id = $1 AND sha256 = $2 AND scan <> 'infecte' AND (NOT internal OR $3)
                 ORDER BY id LIMIT 1",
            )
            .bind(new.dossier_id)
            .bind(new.sha256)
            .bind(new.author == AuthorKind::Agent)
            .fetch_optional(conn)
            .await
        })?;
        if let Some((document_id, title)) = same {
            return Ok(Added::SameFile { document_id, title });
        }
        if let Some(earlier) = new.supersedes {
            if let Some(reason) = tx.correctable(earlier, new).await? {
                return Ok(Added::NotCorrectable(reason));
            }
        }
        let document_id = tx.insert_document(new, None, now).await?;
        let object = format!("document:{document_id}");
        let detail = format!(
            "dossier:{} sha256:{}{}",
            new.dossier_id,
            new.sha256,
            if new.internal { " interne" } else { "" }
        );
        let mut event = audit.clone();
        event.object = &object;
        event.detail = &detail;
        tx.audit(&event, now).await?;
        tx.commit().await?;
        Ok(Added::Created { document_id })
    }

    /// Records a document a partner system sent, in its own transaction: see
    /// [`Tx::receive_document`].
    #[tracing::instrument(skip_all)]
    pub async fn receive_document(
        &self,
        document: &PartnerDocument,
        file: &NewDocument<'_>,
        sender: i64,
        now: DateTime<Utc>,
    ) -> Result<Received, StoreError> {
        let mut tx = self.begin().await?;
        let received = tx.receive_document(document, file, sender, now).await?;
        if matches!(received, Received::Created { .. }) {
            tx.commit().await?;
        }
        Ok(received)
    }

    /// Whether key `sender` already sent a document under `id`: its dossier, number and hash.
    #[tracing::instrument(skip_all)]
    pub async fn partner_document(
        &self,
        sender: i64,
        id: &str,
    ) -> Result<Option<(i64, i64, String)>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT dossier_id, id, sha256 FROM document
                 WHERE partner_key_id = $1 AND partner_document_id = $2",
            )
            .bind(sender)
            .bind(id)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Files awaiting the antivirus, each once however many documents share it, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn documents_to_scan(&self, limit: i64) -> Result<Vec<ToScan>, StoreError> {
        let rows: Vec<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT sha256, MIN(storage_key) FROM document WHERE scan = 'en_attente'
                 GROUP BY sha256 ORDER BY MIN(id) LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(sha256, storage_key)| ToScan {
                sha256,
                storage_key,
            })
            .collect())
    }

    /// The antivirus's verdict on the file of hash `sha256`, for every document awaiting it:
    /// clean, or infected with `threat`. How many documents it settled.
    #[tracing::instrument(skip_all)]
    pub async fn record_scan(
        &self,
        sha256: &str,
        threat: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let state = if threat.is_some() {
            ScanState::Infected
        } else {
            ScanState::Clean
        };
        Ok(on_pool!(self, pool => {
            sqlx::query(
                "UPDATE document SET scan = $2, scan_detail = $3, scanned_at = $4
                 WHERE sha256 = $1 AND scan = 'en_attente'",
            )
            .bind(sha256)
            .bind(state.code())
            .bind(threat)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?)
    }

    /// Whether any document (awaiting the antivirus or found clean), or the extract of the
    /// company registry of a request, still needs the file of hash `sha256`: an infected file is
    /// removed only when none does.
    #[tracing::instrument(skip_all)]
    pub async fn file_still_needed(&self, sha256: &str) -> Result<bool, StoreError> {
        let count: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM document WHERE sha256 = $1 AND scan <> 'infecte')
                      + (SELECT COUNT(*) FROM access_request WHERE extract_sha256 = $1)",
            )
            .bind(sha256)
            .fetch_one(pool)
            .await
        })?;
        Ok(count > 0)
    }
}

impl Tx {
    /// Why `new` may not correct document `earlier`, if it may not: the earlier one must be of
    /// the same dossier, of the same side (an operator corrects its company's documents, an
    /// agent the agents'), and not corrected yet.
    async fn correctable(
        &mut self,
        earlier: i64,
        new: &NewDocument<'_>,
    ) -> Result<Option<&'static str>, StoreError> {
        let found: Option<(i64, String, bool, Option<i64>)> = on_tx!(self, conn => {
            sqlx::query_as(
                "SELECT d.dossier_id, d.author, d.internal,
                        (SELECT n.id FROM document n WHERE n.supersedes = d.id)
                 FROM document d WHERE d.id = $1",
            )
            .bind(earlier)
            .fetch_optional(conn)
            .await
        })?;
        let Some((dossier_id, author, internal, corrected)) = found else {
            return Ok(Some("le document à remplacer n'existe pas dans ce dossier"));
        };
        // An internal document is not named to someone who may not see it.
        if dossier_id != new.dossier_id || (internal && new.author != AuthorKind::Agent) {
            return Ok(Some("le document à remplacer n'existe pas dans ce dossier"));
        }
        if author != new.author.code() {
            return Ok(Some(
                "seul un document ajouté par votre côté (entreprise ou services de contrôle) peut être remplacé par vous",
            ));
        }
        if corrected.is_some() {
            return Ok(Some(
                "ce document a déjà été remplacé : remplacez plutôt sa version la plus récente",
            ));
        }
        Ok(None)
    }

    pub(super) async fn insert_document(
        &mut self,
        new: &NewDocument<'_>,
        partner: Option<(i64, &str, &str)>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO document (dossier_id, kind, title, file_name, media_type, size, sha256,
                     storage_key, author, author_label, author_user_id, partner_key_id,
                     partner_document_id, source, internal, supersedes, scan, added_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
                 RETURNING id",
            )
            .bind(new.dossier_id)
            .bind(new.kind.code())
            .bind(new.title)
            .bind(new.file_name)
            .bind(new.media.mime())
            .bind(new.size)
            .bind(new.sha256)
            .bind(new.storage_key)
            .bind(new.author.code())
            .bind(new.author_label)
            .bind(new.author_user_id)
            .bind(partner.map(|(key, _, _)| key))
            .bind(partner.map(|(_, id, _)| id))
            .bind(partner.map(|(_, _, source)| source))
            .bind(new.internal)
            .bind(new.supersedes)
            .bind(new.scan.code())
            .bind(now)
            .fetch_one(conn)
            .await
        })?)
    }

    /// Records a document sent with partner key `sender`: idempotent by the key's document id
    /// (same bytes: a duplicate; other bytes: a conflict, nothing changed). It joins the dossier
    /// of its site that holds any of its references, or opens one there as an event would
    /// (with the goods it names); a dossier of another site is never joined nor revealed.
    /// `file.dossier_id` is ignored: the references decide.
    #[tracing::instrument(skip_all)]
    pub async fn receive_document(
        &mut self,
        document: &PartnerDocument,
        file: &NewDocument<'_>,
        sender: i64,
        now: DateTime<Utc>,
    ) -> Result<Received, StoreError> {
        self.lock_site_ingestion(&document.site).await?;
        let known: Option<(i64, i64, String)> = on_tx!(self, conn => {
            sqlx::query_as(
                "SELECT dossier_id, id, sha256 FROM document
                 WHERE partner_key_id = $1 AND partner_document_id = $2",
            )
            .bind(sender)
            .bind(&document.id)
            .fetch_optional(conn)
            .await
        })?;
        if let Some((dossier_id, document_id, sha256)) = known {
            return Ok(if sha256 == file.sha256 {
                Received::Duplicate {
                    dossier_id,
                    document_id,
                }
            } else {
                Received::Conflict
            });
        }
        let matching = self
            .holding_references(&document.references, &document.site, true)
            .await?;
        let (dossier_id, opened) = match (matching.first(), &document.goods) {
            (Some(first), _) => (*first, false),
            (None, Some((goods, description))) => {
                let opening = super::ingest::Opening {
                    site: &document.site,
                    post: document.post.as_ref(),
                    references: &document.references,
                    goods: *goods,
                    goods_description: description,
                    operator: document.operator.as_ref(),
                    representative: None,
                    opened_at: now,
                };
                (self.open_dossier(&opening).await?, true)
            }
            (None, None) => return Ok(Received::NoDossier),
        };
        let supersedes = match &document.supersedes {
            None => None,
            Some(earlier) => {
                let found: Option<(i64, Option<i64>)> = on_tx!(self, conn => {
                    sqlx::query_as(
                        "SELECT d.id, (SELECT n.id FROM document n WHERE n.supersedes = d.id)
                         FROM document d
                         WHERE d.partner_key_id = $1 AND d.partner_document_id = $2 AND d.dossier_id = $3",
                    )
                    .bind(sender)
                    .bind(earlier)
                    .bind(dossier_id)
                    .fetch_optional(conn)
                    .await
                })?;
                match found {
                    Some((id, None)) => Some(id),
                    Some((_, Some(_))) => return Ok(Received::AlreadySuperseded),
                    None => return Ok(Received::UnknownSupersedes),
                }
            }
        };
        if opened {
            // A dossier opened by a document has its journey ahead of it, as one opened by an
            // event has.
            self.recompute(dossier_id, now, true).await?;
            self.evaluate_dossier_alerts(dossier_id, None, now).await?;
        }
        let new = NewDocument {
            dossier_id,
            supersedes,
            ..file.clone()
        };
        let document_id = self
            .insert_document(
                &new,
                Some((sender, &document.id, document.source.code())),
                now,
            )
            .await?;
        Ok(Received::Created {
            dossier_id,
            document_id,
        })
    }
}
