//! Where the bytes of documents are kept: a local folder by default (nothing to install).

use std::path::{Path, PathBuf};

use app::documents::files::{ByteStream, FileStore};
use app::forms::Pending;
use futures::StreamExt;

/// A folder of this machine: files under `kept/<key>`, uploads spooled in `reception/` (the same
/// file system, so that keeping a received file is a rename).
pub struct LocalFolder {
    root: PathBuf,
    spool: PathBuf,
}

impl LocalFolder {
    pub fn new(root: &Path) -> LocalFolder {
        LocalFolder {
            root: root.join("kept"),
            spool: root.join("reception"),
        }
    }

    /// The path of `key`, which [`app::documents::files::storage_key`] makes of hexadecimal
    /// digits and slashes only; anything else is refused rather than followed.
    fn path(&self, key: &str) -> Result<PathBuf, String> {
        let safe = !key.is_empty()
            && key
                .split('/')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
        if safe {
            Ok(self.root.join(key))
        } else {
            Err(format!("clé de fichier invalide : « {key} »"))
        }
    }
}

impl FileStore for LocalFolder {
    fn spool_folder(&self) -> &Path {
        &self.spool
    }

    fn keep<'a>(&'a self, spooled: &'a Path, key: &'a str) -> Pending<'a, Result<(), String>> {
        Box::pin(async move {
            let target = self.path(key)?;
            if tokio::fs::try_exists(&target).await.unwrap_or(false) {
                // The same bytes are already kept (the key is their hash).
                tokio::fs::remove_file(spooled).await.ok();
                return Ok(());
            }
            if let Some(folder) = target.parent() {
                tokio::fs::create_dir_all(folder)
                    .await
                    .map_err(|error| format!("{}: {error}", folder.display()))?;
            }
            tokio::fs::rename(spooled, &target)
                .await
                .map_err(|error| format!("{} → {}: {error}", spooled.display(), target.display()))
        })
    }

    fn read<'a>(&'a self, key: &'a str) -> Pending<'a, Result<ByteStream, String>> {
        Box::pin(async move {
            let path = self.path(key)?;
            let file = tokio::fs::File::open(&path)
                .await
                .map_err(|error| format!("{}: {error}", path.display()))?;
            let stream = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024);
            Ok(stream.boxed())
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> Pending<'a, Result<(), String>> {
        Box::pin(async move {
            let path = self.path(key)?;
            match tokio::fs::remove_file(&path).await {
                Ok(()) => Ok(()),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(error) => Err(format!("{}: {error}", path.display())),
            }
        })
    }

    fn describe(&self) -> String {
        format!("dossier local {}", self.root.display())
    }
}
