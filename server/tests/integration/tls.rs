//! HTTPS served directly (rustls), with a self-signed certificate made for the test by the
//! `openssl` command line.

use std::path::{Path, PathBuf};
use std::process::Command;

use app::store::Backend;
use server::config::{Config, Environment};
use server::Server;
use tokio::sync::oneshot;

use crate::helpers::{config, fresh_database};

const OPENSSL_CONFIG: &str = "\
[req]
distinguished_name = dn
x509_extensions = leaf
prompt = no

[dn]
CN = localhost

[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
";

/// A fresh folder holding `cert.pem` and `key.pem`, valid for 127.0.0.1 and localhost.
fn self_signed_certificate() -> (PathBuf, PathBuf) {
    let folder = std::env::temp_dir().join(format!("sesame-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).unwrap();
    let settings = folder.join("openssl.cnf");
    std::fs::write(&settings, OPENSSL_CONFIG).unwrap();
    let (cert, key) = (folder.join("cert.pem"), folder.join("key.pem"));
    let output = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .arg("ec_paramgen_curve:prime256v1")
        .args(["-nodes", "-days", "2", "-config"])
        .arg(&settings)
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("la commande openssl est nécessaire à ce test");
    assert!(
        output.status.success(),
        "openssl : {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (cert, key)
}

fn client_trusting(cert: &Path) -> reqwest::Client {
    let certificate = reqwest::Certificate::from_pem(&std::fs::read(cert).unwrap()).unwrap();
    reqwest::Client::builder()
        .use_rustls_tls()
        .add_root_certificate(certificate)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn tls_config(cert: &Path, key: &Path) -> Config {
    let url = fresh_database(Backend::Sqlite).await.unwrap();
    Config {
        tls_cert_file: Some(cert.to_owned()),
        tls_key_file: Some(key.to_owned()),
        ..config(url)
    }
}

struct Running {
    base: String,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn start(config: &Config) -> Running {
        let server = Server::build(config).await.expect("le serveur démarre");
        let base = format!("{}://{}", server.scheme(), server.addr);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Running { base, stop, task }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task
            .await
            .expect("tâche du serveur")
            .expect("arrêt propre");
    }
}

fn port(url: &str) -> u16 {
    url.rsplit(':').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn serves_https_directly_with_hsts() {
    let (cert, key) = self_signed_certificate();
    let client = client_trusting(&cert);
    let server = Running::start(&tls_config(&cert, &key).await).await;
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );

    let response = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("'nonce-"), "{policy}");
    assert!(response
        .text()
        .await
        .unwrap()
        .contains(r#"<html lang="fr""#));

    // Also under its name.
    let by_name = client
        .get(format!("https://localhost:{}/healthz", port(&server.base)))
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.status(), 200);

    // Plain HTTP to the same port gets no page.
    let plain_url = server.url("/").replacen("https://", "http://", 1);
    match reqwest::Client::new().get(&plain_url).send().await {
        Err(_) => {}
        Ok(response) => {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            assert!(
                status != 200 && !body.contains("<html"),
                "HTTP en clair servi : {status} {body}"
            );
        }
    }
    // A client that does not trust the certificate is refused by its own TLS check.
    assert!(reqwest::Client::builder()
        .use_rustls_tls()
        .build()
        .unwrap()
        .get(server.url("/"))
        .send()
        .await
        .is_err());
    server.stop().await;
}

#[tokio::test]
async fn production_over_direct_tls_serves_pages() {
    let (cert, key) = self_signed_certificate();
    let client = client_trusting(&cert);
    let server = Running::start(&Config {
        environment: Environment::Production,
        ..tls_config(&cert, &key).await
    })
    .await;
    let response = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(response.status(), 200, "pas de redirection : déjà en HTTPS");
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
    // A page reserved to signed-in people may send to sign-in, never to HTTPS again.
    let reserved = client
        .get(server.url("/dossiers?page=2"))
        .send()
        .await
        .unwrap();
    assert_ne!(reserved.status(), 308);
    assert!(reserved
        .headers()
        .get("location")
        .is_none_or(|location| !location.to_str().unwrap().starts_with("https://")));
    server.stop().await;
}

#[tokio::test]
async fn incomplete_or_invalid_tls_settings_are_refused_in_french() {
    let (cert, key) = self_signed_certificate();
    let config_of = |cert: Option<&Path>, key: Option<&Path>| {
        let (cert, key) = (cert.map(Path::to_owned), key.map(Path::to_owned));
        async move {
            let url = fresh_database(Backend::Sqlite).await.unwrap();
            Config {
                tls_cert_file: cert,
                tls_key_file: key,
                ..config(url)
            }
        }
    };
    let refusal = |config: Config| async move {
        match Server::build(&config).await {
            Ok(_) => panic!("le serveur n'aurait pas dû démarrer"),
            Err(error) => error.to_string(),
        }
    };

    let message = refusal(config_of(Some(&cert), None).await).await;
    assert!(
        message.contains("SESAME_TLS_KEY_FILE") && message.contains("clé privée"),
        "{message}"
    );
    let message = refusal(config_of(None, Some(&key)).await).await;
    assert!(message.contains("SESAME_TLS_CERT_FILE"), "{message}");

    let missing = cert.with_file_name("absent.pem");
    let message = refusal(config_of(Some(&missing), Some(&key)).await).await;
    assert!(
        message.contains("illisible") && message.contains(&missing.display().to_string()),
        "{message}"
    );

    let garbage = cert.with_file_name("garbage.pem");
    std::fs::write(&garbage, "pas un certificat\n").unwrap();
    let message = refusal(config_of(Some(&garbage), Some(&key)).await).await;
    assert!(
        message.contains("certificat") && message.contains(&garbage.display().to_string()),
        "{message}"
    );
    let message = refusal(config_of(Some(&cert), Some(&garbage)).await).await;
    assert!(
        message.contains("clé privée") && message.contains(&garbage.display().to_string()),
        "{message}"
    );

    // A key that does not go with the certificate.
    let (_, other_key) = self_signed_certificate();
    let message = refusal(config_of(Some(&cert), Some(&other_key)).await).await;
    assert!(
        message.contains(&other_key.display().to_string()),
        "{message}"
    );
}
