//! The bytes of the documents of dossiers, and the antivirus they pass through before anyone can
//! download them. What the platform needs of them is written here as traits the host implements
//! (a local folder or object storage, clamd); the receiving of a file — spooled to a temporary
//! file while it is hashed, measured and recognised, never held whole in memory — is written
//! once, for people's uploads and partners' documents alike.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Bytes;
use futures::Stream;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::domain::document::{sniff, MediaType, ScanState, SNIFF_BYTES};
use crate::forms::Pending;

/// A file read chunk by chunk.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// Where the bytes of documents are kept: named by their SHA-256 (see [`storage_key`]), so that
/// keeping the same file twice costs nothing and changes nothing.
pub trait FileStore: Send + Sync {
    /// A folder on this machine where files are spooled while they are received.
    fn spool_folder(&self) -> &Path;
    /// Keeps the spooled file at `spooled` under `key`; the spooled file is consumed.
    fn keep<'a>(&'a self, spooled: &'a Path, key: &'a str) -> Pending<'a, Result<(), String>>;
    /// The file kept under `key`, as a stream.
    fn read<'a>(&'a self, key: &'a str) -> Pending<'a, Result<ByteStream, String>>;
    /// Forgets the file kept under `key` (nothing to do if there is none).
    fn remove<'a>(&'a self, key: &'a str) -> Pending<'a, Result<(), String>>;
    /// What it is, for the log (no secret).
    fn describe(&self) -> String;
}

/// What an antivirus found in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// The threat's name, as the antivirus gives it.
    Infected(String),
}

/// The antivirus daemon documents pass through.
pub trait Antivirus: Send + Sync {
    /// Whether one is configured at all.
    fn configured(&self) -> bool;
    /// Whether it answers now.
    fn ready(&self) -> Pending<'_, bool>;
    /// Scans a file; the error (a French sentence for the log) when it could not be scanned.
    fn scan(&self, file: ByteStream) -> Pending<'_, Result<Verdict, String>>;
}

/// No antivirus: development only (production refuses documents rather than keep them
/// unscanned).
pub struct NoAntivirus;

impl Antivirus for NoAntivirus {
    fn configured(&self) -> bool {
        false
    }
    fn ready(&self) -> Pending<'_, bool> {
        Box::pin(async { false })
    }
    fn scan(&self, _file: ByteStream) -> Pending<'_, Result<Verdict, String>> {
        Box::pin(async { Err("aucun antivirus n'est configuré".to_owned()) })
    }
}

/// What receiving documents needs: where they are kept, the antivirus, the size limit, and
/// whether a missing antivirus refuses them (production) or leaves them unscanned
/// (development).
#[derive(Clone)]
pub struct DocumentServices {
    pub files: Arc<dyn FileStore>,
    pub antivirus: Arc<dyn Antivirus>,
    pub max_bytes: u64,
    pub scan_required: bool,
}

/// Why documents cannot be received now, in French.
pub const SCANNER_UNAVAILABLE: &str = "L'analyse antivirus des documents est momentanément indisponible : aucun document ne peut être déposé pour l'instant. Réessayez dans quelques minutes.";

impl DocumentServices {
    /// The scan state a new document starts in, or the refusal when none may be received now: in
    /// production, a document is refused while no antivirus answers, rather than kept unscanned.
    pub async fn intake(&self) -> Result<ScanState, &'static str> {
        if self.antivirus.configured() {
            if self.antivirus.ready().await || !self.scan_required {
                return Ok(ScanState::Pending);
            }
            return Err(SCANNER_UNAVAILABLE);
        }
        if self.scan_required {
            Err(SCANNER_UNAVAILABLE)
        } else {
            Ok(ScanState::NotScanned)
        }
    }
}

/// The key the bytes of a file are kept under: its SHA-256, spread over 256 folders.
pub fn storage_key(sha256: &str) -> String {
    format!("sha256/{}/{sha256}", &sha256[..2.min(sha256.len())])
}

/// A file received into the spool folder: removed when dropped, unless kept.
#[derive(Debug)]
pub struct Spooled {
    pub path: PathBuf,
    pub size: u64,
    /// Lower-case hexadecimal.
    pub sha256: String,
    /// What its content is, if one of the accepted types.
    pub media: Option<MediaType>,
}

impl Drop for Spooled {
    fn drop(&mut self) {
        // Kept files were moved away: nothing is there any more.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Why a file could not be received.
#[derive(Debug)]
pub enum SpoolFailure {
    /// Larger than the limit: reading stopped there.
    TooLarge,
    /// The client's request broke off or could not be read (the reason, for the log).
    Request(String),
    /// This machine could not write the spooled file (the reason, for the log).
    Disk(String),
}

/// Receives a file chunk by chunk into the spool folder, hashing, measuring and recognising it
/// on the way; at most `limit` bytes.
pub async fn spool<S, E>(folder: &Path, limit: u64, chunks: S) -> Result<Spooled, SpoolFailure>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: std::fmt::Display,
{
    use futures::StreamExt;
    let mut chunks = std::pin::pin!(chunks);
    tokio::fs::create_dir_all(folder)
        .await
        .map_err(|error| SpoolFailure::Disk(format!("{}: {error}", folder.display())))?;
    let (token, _) = crate::http::new_token();
    let path = folder.join(format!("reception-{}", &token[..24]));
    let mut file = tokio::fs::File::create(&path)
        .await
        .map_err(|error| SpoolFailure::Disk(format!("{}: {error}", path.display())))?;
    // From here on, a failure leaves no file behind.
    let mut spooled = Spooled {
        path,
        size: 0,
        sha256: String::new(),
        media: None,
    };
    let mut hasher = Sha256::new();
    let mut head: Vec<u8> = Vec::with_capacity(SNIFF_BYTES);
    loop {
        let chunk = match chunks.next().await {
            Some(Ok(chunk)) => chunk,
            None => break,
            Some(Err(error)) => return Err(SpoolFailure::Request(error.to_string())),
        };
        spooled.size += chunk.len() as u64;
        if spooled.size > limit {
            return Err(SpoolFailure::TooLarge);
        }
        if head.len() < SNIFF_BYTES {
            let wanted = (SNIFF_BYTES - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..wanted]);
        }
        hasher.update(&chunk);
        file.write_all(&chunk)
            .await
            .map_err(|error| SpoolFailure::Disk(error.to_string()))?;
    }
    file.flush()
        .await
        .map_err(|error| SpoolFailure::Disk(error.to_string()))?;
    file.sync_all()
        .await
        .map_err(|error| SpoolFailure::Disk(error.to_string()))?;
    spooled.sha256 = crate::domain::hex(&hasher.finalize());
    spooled.media = sniff(&head);
    Ok(spooled)
}

/// Reads a whole stream into memory: for generated documents and tests only, never for a
/// received file.
pub async fn collect(mut stream: ByteStream) -> Result<Vec<u8>, std::io::Error> {
    use futures::StreamExt;
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk?);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_is_hashed_measured_and_recognised_on_the_way() {
        let folder = std::env::temp_dir().join(format!("sesame-spool-{}", std::process::id()));
        let chunks = futures::stream::iter([
            Ok::<_, String>(Bytes::from_static(b"%PDF-1.7\n")),
            Ok(Bytes::from_static(b"rest")),
        ]);
        let spooled = spool(&folder, 100, chunks).await.unwrap();
        assert_eq!(spooled.size, 13);
        assert_eq!(spooled.media, Some(MediaType::Pdf));
        assert_eq!(
            spooled.sha256,
            // sha256("%PDF-1.7\nrest")
            format!("{:x}", Sha256::digest(b"%PDF-1.7\nrest"))
        );
        assert_eq!(std::fs::read(&spooled.path).unwrap(), b"%PDF-1.7\nrest");
        let path = spooled.path.clone();
        drop(spooled);
        assert!(!path.exists(), "a spooled file not kept is removed");

        let big = futures::stream::iter(std::iter::repeat_n(
            Ok::<_, String>(Bytes::from(vec![0u8; 64])),
            3,
        ));
        let refused = spool(&folder, 100, big).await;
        assert!(matches!(refused, Err(SpoolFailure::TooLarge)));
        assert_eq!(
            std::fs::read_dir(&folder).unwrap().count(),
            0,
            "nothing is left of a refused file"
        );
        std::fs::remove_dir_all(&folder).ok();
    }

    #[test]
    fn files_are_kept_under_their_hash() {
        assert_eq!(storage_key("abcdef"), "sha256/ab/abcdef");
    }
}
