//! Where the bytes of documents are kept: a local folder by default (nothing to install), or
//! S3-compatible object storage for several instances.

use std::path::{Path, PathBuf};

use app::documents::files::{ByteStream, FileStore};
use app::forms::Pending;
use futures::StreamExt;

/// Where the configuration keeps documents: its object storage, or its folder.
pub fn of_config(config: &crate::config::Config) -> Result<std::sync::Arc<dyn FileStore>, String> {
    use secrecy::ExposeSecret;
    Ok(match &config.documents_storage {
        Some(address) => std::sync::Arc::new(ObjectStorage::from_address(
            address.expose_secret(),
            &config.documents_folder,
        )?),
        None => std::sync::Arc::new(LocalFolder::new(&config.documents_folder)),
    })
}

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

/// S3-compatible object storage, for several instances behind a load balancer: configured by
/// `documents_storage` as `s3://KEY:SECRET@host[:port]/bucket[?region=…][&tls=none]` (HTTPS
/// unless `tls=none`; the key and secret percent-encoded). Files are sent in 5 MiB parts as
/// they are read from the spool folder, which stays on this machine, and read back as a
/// stream: a document is never held whole in memory.
pub struct ObjectStorage {
    store: std::sync::Arc<dyn object_store::ObjectStore>,
    spool: PathBuf,
    description: String,
}

/// The size of the parts a file is sent in (S3's smallest but the last); files no larger go in
/// one request.
const PART_BYTES: usize = 5 * 1024 * 1024;

impl ObjectStorage {
    /// The storage `address` names, spooling uploads under `root/reception`. The error, in
    /// French, never repeats the secret.
    pub fn from_address(address: &str, root: &Path) -> Result<ObjectStorage, String> {
        use object_store::aws::AmazonS3Builder;
        let invalid = |what: &str| {
            format!(
                "SESAME_DOCUMENTS_STORAGE invalide : {what} (attendu s3://CLÉ:SECRET@hôte[:port]/compartiment[?region=…][&tls=none])"
            )
        };
        let url = url::Url::parse(address.trim()).map_err(|error| invalid(&error.to_string()))?;
        if url.scheme() != "s3" {
            return Err(invalid("le schéma doit être s3"));
        }
        let host = url
            .host_str()
            .filter(|host| !host.is_empty())
            .ok_or_else(|| invalid("hôte manquant"))?;
        let bucket = url.path().trim_matches('/');
        if bucket.is_empty() || bucket.contains('/') {
            return Err(invalid("compartiment manquant ou invalide"));
        }
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8()
                .map(|text| text.into_owned())
                .map_err(|_| invalid("identifiants mal encodés"))
        };
        let key = decode(url.username())?;
        let secret = decode(url.password().unwrap_or_default())?;
        if key.is_empty() || secret.is_empty() {
            return Err(invalid("clé d'accès ou secret manquant"));
        }
        let mut region = "us-east-1".to_owned();
        let mut tls = true;
        for (name, value) in url.query_pairs() {
            match name.as_ref() {
                "region" => region = value.into_owned(),
                "tls" if value == "none" => tls = false,
                "tls" => {}
                other => return Err(invalid(&format!("paramètre inconnu « {other} »"))),
            }
        }
        let port = url
            .port()
            .map(|port| format!(":{port}"))
            .unwrap_or_default();
        let endpoint = format!("{}://{host}{port}", if tls { "https" } else { "http" });
        // Not `from_env`: nothing of the machine's AWS settings mixes in.
        let store = AmazonS3Builder::new()
            .with_endpoint(&endpoint)
            .with_allow_http(!tls)
            .with_region(&region)
            .with_bucket_name(bucket)
            .with_access_key_id(key)
            .with_secret_access_key(secret)
            .with_virtual_hosted_style_request(false)
            .with_retry(object_store::RetryConfig {
                max_retries: 3,
                retry_timeout: std::time::Duration::from_secs(30),
                ..Default::default()
            })
            .build()
            .map_err(|error| invalid(&error.to_string()))?;
        Ok(ObjectStorage {
            store: std::sync::Arc::new(store),
            spool: root.join("reception"),
            description: format!("stockage objet {endpoint}, compartiment {bucket}"),
        })
    }

    async fn send(&self, spooled: &Path, path: &object_store::path::Path) -> Result<(), String> {
        use object_store::{ObjectStoreExt, WriteMultipart};
        use tokio::io::AsyncReadExt;
        let mut file = tokio::fs::File::open(spooled)
            .await
            .map_err(|error| format!("{}: {error}", spooled.display()))?;
        let size = file
            .metadata()
            .await
            .map_err(|error| error.to_string())?
            .len();
        if size <= PART_BYTES as u64 {
            let mut bytes = Vec::with_capacity(size as usize);
            file.read_to_end(&mut bytes)
                .await
                .map_err(|error| error.to_string())?;
            self.store
                .put(path, bytes.into())
                .await
                .map_err(|error| error.to_string())?;
            return Ok(());
        }
        let upload = self
            .store
            .put_multipart(path)
            .await
            .map_err(|error| error.to_string())?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut buffer = vec![0u8; 256 * 1024];
        let sent: Result<(), String> = async {
            loop {
                let read = file
                    .read(&mut buffer)
                    .await
                    .map_err(|error| error.to_string())?;
                if read == 0 {
                    return Ok(());
                }
                // One part on its way at most while the next fills: two parts in memory.
                writer
                    .wait_for_capacity(1)
                    .await
                    .map_err(|error| error.to_string())?;
                writer.write(&buffer[..read]);
            }
        }
        .await;
        match sent {
            Ok(()) => writer
                .finish()
                .await
                .map(|_| ())
                .map_err(|error| error.to_string()),
            Err(error) => {
                writer.abort().await.ok();
                Err(error)
            }
        }
    }
}

impl FileStore for ObjectStorage {
    fn spool_folder(&self) -> &Path {
        &self.spool
    }

    fn keep<'a>(&'a self, spooled: &'a Path, key: &'a str) -> Pending<'a, Result<(), String>> {
        Box::pin(async move {
            use object_store::ObjectStoreExt;
            let path = object_store::path::Path::from(key);
            let outcome = match self.store.head(&path).await {
                // The same bytes are already kept (the key is their hash).
                Ok(_) => Ok(()),
                Err(object_store::Error::NotFound { .. }) => self.send(spooled, &path).await,
                Err(error) => Err(error.to_string()),
            };
            tokio::fs::remove_file(spooled).await.ok();
            outcome
        })
    }

    fn read<'a>(&'a self, key: &'a str) -> Pending<'a, Result<ByteStream, String>> {
        Box::pin(async move {
            use object_store::ObjectStoreExt;
            let path = object_store::path::Path::from(key);
            let found = self
                .store
                .get(&path)
                .await
                .map_err(|error| error.to_string())?;
            Ok(found
                .into_stream()
                .map(|chunk| chunk.map_err(std::io::Error::other))
                .boxed())
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> Pending<'a, Result<(), String>> {
        Box::pin(async move {
            use object_store::ObjectStoreExt;
            let path = object_store::path::Path::from(key);
            match self.store.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(error) => Err(error.to_string()),
            }
        })
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}
