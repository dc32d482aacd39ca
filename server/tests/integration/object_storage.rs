//! The documents' bytes on S3-compatible object storage, against a real S3-compatible server
//! the tests start (`moto` in server mode, from PyPI, which the test command installs): a file
//! larger than a part goes up in parts and comes back whole; the platform configured with it
//! keeps uploads there, hands them out and puts them in the dossier's archive, with nothing
//! left on the instance's disk; cut from it, it says so in French, writes nothing half, and works
//! again once the storage answers. Without moto, the tests are skipped loudly (a failure under CI).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use app::documents::files::{collect, spool, storage_key, FileStore};
use app::store::Backend;
use axum::body::Bytes;
use sha2::{Digest, Sha256};

use crate::accounts::{Browser, OPERATOR, PASSWORD};
use crate::helpers::{config, container, fresh_database, Running};
use crate::partner_documents::pdf;

/// A moto server on a port of its own, stopped when dropped.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// Starts moto (`SESAME_TEST_MOTO_SERVER`, else `moto_server` on the path) once it answers;
    /// `None` when it is not installed outside CI.
    pub async fn start() -> Option<Moto> {
        let program =
            std::env::var("SESAME_TEST_MOTO_SERVER").unwrap_or_else(|_| "moto_server".to_owned());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = match Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => child,
            Err(error) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("{program} introuvable ({error}) : sous CI, les tests du stockage objet ne peuvent pas être sautés (pip install 'moto[server]')");
                }
                eprintln!("!!! moto absent ({error}) : test du stockage objet SAUTÉ");
                return None;
            }
        };
        let moto = Moto { child, port };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(answer) = client
                .get(format!("http://127.0.0.1:{port}/moto-api/"))
                .send()
                .await
            {
                if answer.status().is_success() {
                    return Some(moto);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("moto ne répond pas sur le port {port}");
    }

    /// Creates a bucket; the platform's address for it.
    pub async fn bucket(&self, name: &str) -> String {
        let answer = reqwest::Client::new()
            .put(format!("http://127.0.0.1:{}/{name}", self.port))
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
        format!(
            "s3://cle-test:secret%2Fde%2Btest@127.0.0.1:{}/{name}?region=eu-west-3&tls=none",
            self.port
        )
    }

    /// The size of the object `key` as the S3 server lists it (an anonymous listing, which moto
    /// answers), if it holds one.
    pub async fn size(&self, bucket: &str, key: &str) -> Option<u64> {
        let listing = reqwest::Client::new()
            .get(format!(
                "http://127.0.0.1:{}/{bucket}?list-type=2&prefix={key}",
                self.port
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let entry = listing
            .split("<Contents>")
            .skip(1)
            .find(|entry| entry.contains(&format!("<Key>{key}</Key>")))?;
        let size = entry.split("<Size>").nth(1)?.split("</Size>").next()?;
        Some(size.parse().unwrap())
    }
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[tokio::test]
async fn a_file_goes_up_in_parts_and_comes_back_whole() {
    let Some(moto) = Moto::start().await else {
        return;
    };
    let address = moto.bucket("documents").await;
    let root = std::env::temp_dir().join(format!("sesame-s3-{}", uuid::Uuid::new_v4()));
    let storage = server::files::ObjectStorage::from_address(&address, &root).unwrap();
    assert!(
        !storage.describe().contains("secret"),
        "{}",
        storage.describe()
    );

    // 12 MiB of varied bytes: three parts.
    let content: Vec<u8> = (0..12 * 1024 * 1024u32)
        .map(|index| (index.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let chunks = futures::stream::iter(
        content
            .chunks(64 * 1024)
            .map(|chunk| Ok::<_, String>(Bytes::copy_from_slice(chunk)))
            .collect::<Vec<_>>(),
    );
    let spooled = spool(storage.spool_folder(), u64::MAX, chunks)
        .await
        .unwrap();
    assert_eq!(spooled.sha256, sha256(&content));
    let key = storage_key(&spooled.sha256);
    storage.keep(&spooled.path, &key).await.unwrap();
    assert!(!spooled.path.exists(), "le fichier reçu quitte le disque");
    assert_eq!(
        moto.size("documents", &key).await,
        Some(content.len() as u64),
        "le serveur S3 garde le fichier entier"
    );
    // Read back by another instance of the platform.
    let other = server::files::ObjectStorage::from_address(&address, &root).unwrap();
    let read = collect(other.read(&key).await.unwrap()).await.unwrap();
    assert!(read == content, "relu à l'identique");

    // The same bytes again: nothing to send; the spooled copy goes all the same.
    let again = spool(
        storage.spool_folder(),
        u64::MAX,
        futures::stream::iter([Ok::<_, String>(Bytes::from(content.clone()))]),
    )
    .await
    .unwrap();
    storage.keep(&again.path, &key).await.unwrap();
    assert!(!again.path.exists());

    // A small file goes in one request.
    let small = pdf("petit");
    let spooled = spool(
        storage.spool_folder(),
        u64::MAX,
        futures::stream::iter([Ok::<_, String>(Bytes::from(small.clone()))]),
    )
    .await
    .unwrap();
    let small_key = storage_key(&spooled.sha256);
    storage.keep(&spooled.path, &small_key).await.unwrap();
    assert_eq!(
        moto.size("documents", &small_key).await,
        Some(small.len() as u64)
    );
    assert_eq!(
        collect(storage.read(&small_key).await.unwrap())
            .await
            .unwrap(),
        small
    );

    // Removed, it is gone; removing it again is no fault.
    storage.remove(&key).await.unwrap();
    assert_eq!(moto.size("documents", &key).await, None);
    assert!(storage.read(&key).await.is_err());
    storage.remove(&key).await.unwrap();
    std::fs::remove_dir_all(&root).ok();
}

#[test]
fn a_wrong_address_is_refused_in_french_without_its_secret() {
    let root = std::env::temp_dir();
    for address in [
        "https://cle:TRES-SECRET@stockage.example/documents",
        "s3://cle:TRES-SECRET@stockage.example/",
        "s3://cle@stockage.example/documents",
        "s3://cle:TRES-SECRET@stockage.example/documents?regoin=eu-west-3",
    ] {
        let Err(error) = server::files::ObjectStorage::from_address(address, &root) else {
            panic!("{address} accepté");
        };
        assert!(
            error.starts_with("SESAME_DOCUMENTS_STORAGE invalide"),
            "{error}"
        );
        assert!(!error.contains("TRES-SECRET"), "{error}");
    }
}

/// The platform configured with object storage: an operator's upload is kept there (not on the
/// instance's disk), downloads whole, and the dossier's archive carries it with its hash.
#[tokio::test]
async fn the_platform_keeps_documents_in_object_storage() {
    let Some(moto) = Moto::start().await else {
        return;
    };
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let address = moto.bucket("dossiers").await;
    let mut config = config(url);
    config.documents_storage = Some(address.into());
    config.submissions_burst = 10_000;
    let folder = config.documents_folder.clone();
    let server = Running::start(&config).await;
    let dossier = crate::dossier_documents::operator_dossier(
        &server,
        "EV-DOSSIER-S3",
        &container("OCE", 710),
        "CHEDP.FR.2026.0000710",
    )
    .await;

    let operator = Browser::new(&server);
    operator.sign_in(OPERATOR, PASSWORD).await;
    let invoice = pdf("facture sur stockage objet");
    let form = reqwest::multipart::Form::new()
        .text("type", "commercial_invoice")
        .text("titre", "Facture n° S3-1")
        .part(
            "fichier",
            reqwest::multipart::Part::bytes(invoice.clone()).file_name("facture.pdf"),
        );
    let answer = operator
        .post_multipart(&format!("/dossiers/{dossier}/documents"), form)
        .await;
    assert!(
        answer.location.contains("message=document-ajoute"),
        "{}",
        answer.location
    );
    let key = storage_key(&sha256(&invoice));
    assert_eq!(
        moto.size("dossiers", &key).await,
        Some(invoice.len() as u64)
    );
    assert!(
        !folder.join("kept").exists(),
        "rien n'est gardé sur le disque de l'instance"
    );

    let document = server.store.documents_of(dossier, false).await.unwrap()[0].clone();
    let downloaded = operator
        .bytes(&format!("/dossiers/{dossier}/documents/{}", document.id))
        .await;
    assert_eq!(downloaded, invoice);
    let archive = operator
        .bytes(&format!("/dossiers/{dossier}/archive.zip"))
        .await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
    let manifest: serde_json::Value = {
        use std::io::Read;
        let mut text = String::new();
        zip.by_name("manifeste.json")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let entry = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["document_id"] == document.id)
        .unwrap()
        .clone();
    assert_eq!(entry["sha256"], sha256(&invoice).as_str());
    let mut carried = Vec::new();
    {
        use std::io::Read;
        zip.by_name(entry["path"].as_str().unwrap())
            .unwrap()
            .read_to_end(&mut carried)
            .unwrap();
    }
    assert_eq!(carried, invoice);
    server.stop().await;
}

/// A network path to a server that the test cuts and restores: while cut, connections (the
/// open ones included) end at once, as when the storage's network goes down.
struct Cable {
    port: u16,
    up: tokio::sync::watch::Sender<bool>,
}

impl Cable {
    async fn to(target: u16) -> Cable {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (up, watching) = tokio::sync::watch::channel(true);
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                let mut watching = watching.clone();
                if !*watching.borrow() {
                    continue;
                }
                tokio::spawn(async move {
                    let Ok(mut server) =
                        tokio::net::TcpStream::connect(("127.0.0.1", target)).await
                    else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = watching.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Cable { port, up }
    }

    fn cut(&self) {
        self.up.send_replace(false);
    }

    fn restore(&self) {
        self.up.send_replace(true);
    }
}

/// The object storage unreachable, then back: a person's document is refused meanwhile with a
/// French sentence and nothing half-written (no document without its bytes), an existing one is
/// not served but said unavailable (503, `Retry-After`); once the storage answers again, the same
/// upload goes through and the document is served, the platform not restarted.
#[tokio::test]
async fn the_object_storage_down_then_up() {
    let Some(moto) = Moto::start().await else {
        return;
    };
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    moto.bucket("dossiers").await;
    let cable = Cable::to(moto.port).await;
    let mut config = config(url);
    config.documents_storage = Some(
        format!(
            "s3://cle-test:secret%2Fde%2Btest@127.0.0.1:{}/dossiers?region=eu-west-3&tls=none",
            cable.port
        )
        .into(),
    );
    config.submissions_burst = 10_000;
    let server = Running::start(&config).await;
    let dossier = crate::dossier_documents::operator_dossier(
        &server,
        "EV-S3-PANNE",
        &container("OCE", 720),
        "CHEDP.FR.2026.0000720",
    )
    .await;
    let operator = Browser::new(&server);
    operator.sign_in(OPERATOR, PASSWORD).await;
    let upload = |title: &str, bytes: Vec<u8>| {
        reqwest::multipart::Form::new()
            .text("type", "commercial_invoice")
            .text("titre", title.to_owned())
            .part(
                "fichier",
                reqwest::multipart::Part::bytes(bytes).file_name("facture.pdf"),
            )
    };
    let before = pdf("avant la panne");
    let answer = operator
        .post_multipart(
            &format!("/dossiers/{dossier}/documents"),
            upload("Facture avant", before.clone()),
        )
        .await;
    assert!(
        answer.location.contains("message=document-ajoute"),
        "{}",
        answer.location
    );
    let kept = server.store.documents_of(dossier, false).await.unwrap()[0].clone();

    cable.cut();
    let during = operator
        .post_multipart(
            &format!("/dossiers/{dossier}/documents"),
            upload("Facture pendant", pdf("pendant la panne")),
        )
        .await;
    assert!(
        during.location.contains("erreur=document-non-enregistre"),
        "{} {}",
        during.status,
        during.location
    );
    let (_, page) = operator.page(&during.location).await;
    assert!(
        page.contains("Le document n'a pas pu être enregistré. Réessayez dans quelques instants.")
    );
    assert_eq!(
        server
            .store
            .documents_of(dossier, true)
            .await
            .unwrap()
            .len(),
        1,
        "aucun document sans ses octets"
    );
    let read = operator
        .get(&format!("/dossiers/{dossier}/documents/{}", kept.id))
        .await;
    assert_eq!(read.status, reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert!(read.headers.contains_key("retry-after"));
    assert!(
        read.body.contains("momentanément indisponible"),
        "{}",
        read.body
    );

    // Back: the same upload goes through, the existing document is served again.
    cable.restore();
    let read = operator
        .bytes(&format!("/dossiers/{dossier}/documents/{}", kept.id))
        .await;
    assert_eq!(read, before);
    let after = pdf("pendant la panne");
    let answer = operator
        .post_multipart(
            &format!("/dossiers/{dossier}/documents"),
            upload("Facture pendant", after.clone()),
        )
        .await;
    assert!(
        answer.location.contains("message=document-ajoute"),
        "{}",
        answer.location
    );
    assert_eq!(
        moto.size("dossiers", &storage_key(&sha256(&after))).await,
        Some(after.len() as u64)
    );
    server.stop().await;
}
