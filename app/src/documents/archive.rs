//! A dossier's evidence archive: a ZIP of the documents its reader may have, the platform's
//! summary and convocations, and `manifeste.json` (the platform's evidence format, see
//! [`Manifest`]) naming each file with its SHA-256, who added it and when.
//!
//! The archive is written to a temporary file, never held in memory: each kept document is
//! brought from the file store into the spool folder while its SHA-256 is computed again, and an
//! archive is refused when a file no longer has the hash it was received with, rather than hand
//! out altered evidence.
//!
//! A sealed archive (a dossier's or a person's record) also carries `scellement.json`: the audit
//! entry the platform appended with the manifest's SHA-256 (see [`crate::documents::evidence`]).

use crate::domain::hex;
use std::io::Write;
use std::path::PathBuf;

use chrono::{DateTime, Datelike, Timelike, Utc};
use sha2::{Digest, Sha256};

use super::files::{spool, FileStore, Spooled};
use crate::domain::document::{Manifest, ManifestFile, MANIFEST_NAME, SEAL_NAME};

/// What one file of an archive is made of.
pub enum Content {
    /// A document kept in the file store under this key.
    Kept { key: String },
    /// A file the platform made for the archive (its hash and size are computed here).
    Made(Vec<u8>),
}

/// One file of an archive: its manifest entry (path, hash as recorded, author, date…) and
/// where its bytes come from.
pub struct Entry {
    pub file: ManifestFile,
    pub content: Content,
}

impl Entry {
    /// A document of the dossier as an archive carries it, under `documents/<number>-<name>`,
    /// once the antivirus let it through; otherwise why it is left out.
    pub fn of_document(
        document: &crate::domain::document::Document,
    ) -> Result<Entry, crate::domain::document::ManifestOmission> {
        if !document.scan.downloadable() {
            return Err(crate::domain::document::ManifestOmission::of_document(
                document,
            ));
        }
        Ok(Entry {
            file: ManifestFile::of_document(
                document,
                format!("documents/{}-{}", document.id, document.file_name),
            ),
            content: Content::Kept {
                key: super::files::storage_key(&document.sha256),
            },
        })
    }
}

/// Why an archive could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The file store did not give a document back (the reason, for the log).
    #[error("lecture de « {path} » impossible : {reason}")]
    Unreadable { path: String, reason: String },
    /// A kept file no longer has the hash it was recorded with.
    #[error("« {path} » n'a plus l'empreinte enregistrée (attendue {expected}, lue {found})")]
    Altered {
        path: String,
        expected: String,
        found: String,
    },
    /// This machine could not write the archive.
    #[error("écriture de l'archive impossible : {0}")]
    Disk(String),
}

/// An archive ready to send: an open file already removed from the folder (it disappears once
/// sent), and its size.
pub struct Archive {
    pub file: tokio::fs::File,
    pub size: u64,
}

/// Where a file's bytes are on this machine while the archive is written.
enum Local {
    Spooled(Spooled),
    Bytes(Vec<u8>),
}

/// A time as a ZIP entry keeps it: the wall-clock time of Paris, to the even second.
fn zip_time(at: DateTime<Utc>) -> zip::DateTime {
    let local = at.with_timezone(&chrono_tz::Europe::Paris);
    zip::DateTime::from_date_and_time(
        local.year().clamp(1980, 2107) as u16,
        local.month() as u8,
        local.day() as u8,
        local.hour() as u8,
        local.minute() as u8,
        local.second() as u8,
    )
    .unwrap_or_default()
}

/// Writes the archive of `entries` with its manifest, whose head (`format`, `dossier`,
/// `omitted`…) `manifest` gives and whose `files` are the entries', in their order.
pub async fn build(
    files: &dyn FileStore,
    manifest: Manifest,
    entries: Vec<Entry>,
) -> Result<Archive, ArchiveError> {
    prepare(files, manifest, entries).await?.write(None).await
}

/// An archive whose files are checked and whose manifest is written, but not the archive
/// itself yet: the platform seals the manifest first (see [`Prepared::manifest_sha256`]).
pub struct Prepared {
    folder: PathBuf,
    locals: Vec<(String, DateTime<Utc>, Local)>,
    manifest_json: Vec<u8>,
    generated_at: DateTime<Utc>,
}

impl Prepared {
    /// The SHA-256 of the manifest's bytes as the archive will carry them.
    pub fn manifest_sha256(&self) -> String {
        hex(&Sha256::digest(&self.manifest_json))
    }

    /// Writes the archive: the files, the manifest, then the seal if there is one.
    pub async fn write(self, seal: Option<Vec<u8>>) -> Result<Archive, ArchiveError> {
        let Prepared {
            folder,
            locals,
            manifest_json,
            generated_at,
        } = self;
        let (token, _) = crate::http::new_token();
        let path: PathBuf = folder.join(format!("archive-{}", &token[..24]));
        let written = path.clone();
        let size = tokio::task::spawn_blocking(move || -> Result<u64, String> {
            // Nothing may have been spooled yet (an archive of files made here only).
            std::fs::create_dir_all(&folder).map_err(|error| error.to_string())?;
            let file = std::fs::File::create(&written).map_err(|error| error.to_string())?;
            let mut zip = zip::ZipWriter::new(file);
            let stored = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored)
                .unix_permissions(0o644);
            for (name, at, local) in &locals {
                zip.start_file(name.as_str(), stored.last_modified_time(zip_time(*at)))
                    .map_err(|error| error.to_string())?;
                match local {
                    Local::Spooled(spooled) => {
                        let mut source = std::fs::File::open(&spooled.path)
                            .map_err(|error| error.to_string())?;
                        std::io::copy(&mut source, &mut zip).map_err(|error| error.to_string())?;
                    }
                    Local::Bytes(bytes) => {
                        zip.write_all(bytes).map_err(|error| error.to_string())?
                    }
                }
            }
            let mut last = vec![(MANIFEST_NAME, manifest_json)];
            if let Some(seal) = seal {
                last.push((SEAL_NAME, seal));
            }
            for (name, bytes) in last {
                zip.start_file(name, stored.last_modified_time(zip_time(generated_at)))
                    .map_err(|error| error.to_string())?;
                zip.write_all(&bytes).map_err(|error| error.to_string())?;
            }
            let file = zip.finish().map_err(|error| error.to_string())?;
            file.sync_all().map_err(|error| error.to_string())?;
            // The spooled copies go as soon as they are in the archive.
            drop(locals);
            Ok(file.metadata().map_err(|error| error.to_string())?.len())
        })
        .await
        .map_err(|error| ArchiveError::Disk(error.to_string()))?;
        let size = match size {
            Ok(size) => size,
            Err(error) => {
                tokio::fs::remove_file(&path).await.ok();
                return Err(ArchiveError::Disk(error));
            }
        };
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|error| ArchiveError::Disk(error.to_string()));
        // Opened, it can leave the folder: nothing is left behind, even if the sending breaks off.
        tokio::fs::remove_file(&path).await.ok();
        Ok(Archive { file: file?, size })
    }
}

/// Brings every file of `entries` here, checked against its recorded hash, and writes the
/// manifest, whose head `manifest` gives and whose `files` are the entries', in their order.
pub async fn prepare(
    files: &dyn FileStore,
    mut manifest: Manifest,
    entries: Vec<Entry>,
) -> Result<Prepared, ArchiveError> {
    let folder = files.spool_folder().to_path_buf();
    let mut locals = Vec::with_capacity(entries.len());
    manifest.files.clear();
    for Entry { mut file, content } in entries {
        let local = match content {
            Content::Kept { key } => {
                let unreadable = |reason: String| ArchiveError::Unreadable {
                    path: file.path.clone(),
                    reason,
                };
                let stream = files.read(&key).await.map_err(unreadable)?;
                let spooled = spool(&folder, u64::MAX, stream)
                    .await
                    .map_err(|failure| unreadable(format!("{failure:?}")))?;
                if spooled.sha256 != file.sha256 || spooled.size != file.size {
                    return Err(ArchiveError::Altered {
                        path: file.path,
                        expected: file.sha256,
                        found: spooled.sha256.clone(),
                    });
                }
                Local::Spooled(spooled)
            }
            Content::Made(bytes) => {
                file.sha256 = hex(&Sha256::digest(&bytes));
                file.size = bytes.len() as u64;
                Local::Bytes(bytes)
            }
        };
        locals.push((file.path.clone(), file.added_at, local));
        manifest.files.push(file);
    }
    let manifest_json = serde_json::to_vec_pretty(&manifest)
        .map_err(|error| ArchiveError::Disk(error.to_string()))?;
    Ok(Prepared {
        folder,
        locals,
        manifest_json,
        generated_at: manifest.generated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_keep_the_time_of_paris() {
        let at = DateTime::parse_from_rfc3339("2026-07-14T10:30:08Z")
            .unwrap()
            .with_timezone(&Utc);
        let time = zip_time(at);
        assert_eq!((time.year(), time.month(), time.day()), (2026, 7, 14));
        assert_eq!((time.hour(), time.minute(), time.second()), (12, 30, 8));
    }
}
