//! The antivirus every document passes through before anyone can download it: ClamAV's daemon,
//! `clamd`, reached over TCP or a Unix socket, and the scanner that hands it the documents
//! awaiting it. With several instances, the one holding the scanner's lease scans; a verdict is
//! recorded for every document of the same bytes at once, and an infected file is destroyed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use app::documents::files::{Antivirus, ByteStream, DocumentServices, Verdict};
use app::forms::Pending;
use app::store::Store;
use chrono::Utc;
use futures::StreamExt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

/// The name of the scanner's lease.
pub const JOB: &str = "antivirus";

/// How long clamd may take to answer a ping.
const PING_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one file may take, sending included.
const SCAN_TIMEOUT: Duration = Duration::from_secs(120);
/// Chunks of the `INSTREAM` command.
const CHUNK: usize = 64 * 1024;

/// Where clamd listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clamd {
    Tcp(String),
    Unix(PathBuf),
}

trait Connection: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Connection for T {}

impl Clamd {
    /// `tcp://host:port` or `unix:/path/to/clamd.ctl`.
    pub fn parse(address: &str) -> Result<Clamd, String> {
        let address = address.trim();
        if let Some(rest) = address.strip_prefix("tcp://") {
            let valid = rest
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            if valid {
                return Ok(Clamd::Tcp(rest.to_owned()));
            }
        }
        if let Some(rest) = address.strip_prefix("unix:") {
            let path = rest.trim_start_matches("//");
            if path.starts_with('/') {
                return Ok(Clamd::Unix(PathBuf::from(path)));
            }
        }
        Err(format!(
            "adresse de l'antivirus « {address} » non reconnue (attendu : tcp://hôte:port ou unix:/chemin/clamd.ctl)"
        ))
    }

    async fn connect(&self) -> Result<Box<dyn Connection>, String> {
        match self {
            Clamd::Tcp(address) => tokio::net::TcpStream::connect(address)
                .await
                .map(|stream| Box::new(stream) as Box<dyn Connection>)
                .map_err(|error| format!("clamd ({address}) injoignable : {error}")),
            Clamd::Unix(path) => tokio::net::UnixStream::connect(path)
                .await
                .map(|stream| Box::new(stream) as Box<dyn Connection>)
                .map_err(|error| format!("clamd ({}) injoignable : {error}", path.display())),
        }
    }

    /// clamd's answer to one command, up to its closing NUL.
    async fn answer(connection: &mut Box<dyn Connection>) -> Result<String, String> {
        let mut answer = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            match connection.read(&mut byte).await {
                Ok(0) => break,
                Ok(_) if byte[0] == 0 => break,
                Ok(_) => answer.push(byte[0]),
                Err(error) => return Err(format!("réponse de clamd illisible : {error}")),
            }
            if answer.len() > 4096 {
                return Err("réponse de clamd trop longue".into());
            }
        }
        Ok(String::from_utf8_lossy(&answer).trim().to_owned())
    }

    async fn ping(&self) -> Result<(), String> {
        let mut connection = self.connect().await?;
        connection
            .write_all(b"zPING\0")
            .await
            .map_err(|error| format!("clamd : {error}"))?;
        match Clamd::answer(&mut connection).await?.as_str() {
            "PONG" => Ok(()),
            other => Err(format!("clamd répond « {other} » au lieu de PONG")),
        }
    }

    async fn instream(&self, mut file: ByteStream) -> Result<Verdict, String> {
        let mut connection = self.connect().await?;
        let write = |error: std::io::Error| format!("envoi à clamd interrompu : {error}");
        connection.write_all(b"zINSTREAM\0").await.map_err(write)?;
        while let Some(chunk) = file.next().await {
            let chunk = chunk.map_err(|error| format!("fichier illisible : {error}"))?;
            for part in chunk.chunks(CHUNK) {
                connection
                    .write_all(&(part.len() as u32).to_be_bytes())
                    .await
                    .map_err(write)?;
                connection.write_all(part).await.map_err(write)?;
            }
        }
        connection
            .write_all(&0u32.to_be_bytes())
            .await
            .map_err(write)?;
        let answer = Clamd::answer(&mut connection).await?;
        verdict(&answer)
    }
}

/// Reads clamd's answer to `INSTREAM`: `stream: OK`, `stream: <threat> FOUND`, or an error.
fn verdict(answer: &str) -> Result<Verdict, String> {
    let body = answer.strip_prefix("stream:").unwrap_or(answer).trim();
    if body == "OK" {
        return Ok(Verdict::Clean);
    }
    if let Some(threat) = body.strip_suffix(" FOUND") {
        return Ok(Verdict::Infected(threat.trim().to_owned()));
    }
    Err(format!(
        "clamd n'a pas pu analyser le fichier : « {answer} »"
    ))
}

impl Antivirus for Clamd {
    fn configured(&self) -> bool {
        true
    }

    fn ready(&self) -> Pending<'_, bool> {
        Box::pin(async move {
            match tokio::time::timeout(PING_TIMEOUT, self.ping()).await {
                Ok(Ok(())) => true,
                Ok(Err(error)) => {
                    tracing::warn!(%error, "antivirus indisponible");
                    false
                }
                Err(_) => {
                    tracing::warn!("antivirus indisponible : pas de réponse de clamd");
                    false
                }
            }
        })
    }

    fn scan(&self, file: ByteStream) -> Pending<'_, Result<Verdict, String>> {
        Box::pin(async move {
            tokio::time::timeout(SCAN_TIMEOUT, self.instream(file))
                .await
                .unwrap_or_else(|_| Err("clamd n'a pas répondu à temps".into()))
        })
    }
}

/// Starts the scanner of this instance: it looks for documents awaiting the antivirus when woken
/// (a document was received) and every `poll` in any case, as long as the store's pool is open.
pub fn start(
    store: Store,
    services: DocumentServices,
    instance: String,
    wake: Arc<Notify>,
    poll: Duration,
) {
    if !services.antivirus.configured() {
        return;
    }
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
            if store.is_closed() {
                return;
            }
            scan_pending(&store, &services, &instance).await;
        }
    });
}

/// Scans what awaits the antivirus, if this instance holds the scanner's lease; how many files
/// got a verdict. A file that cannot be scanned now stays waiting for the next round.
pub async fn scan_pending(store: &Store, services: &DocumentServices, instance: &str) -> usize {
    let now = Utc::now();
    let lease = chrono::Duration::seconds(SCAN_TIMEOUT.as_secs() as i64 * 2);
    match store.take_job(JOB, instance, now, now + lease).await {
        Ok(true) => {}
        Ok(false) => return 0,
        Err(error) => {
            tracing::warn!(%error, "antivirus : bail non obtenu, nouvel essai au prochain tour");
            return 0;
        }
    }
    let mut settled = 0;
    loop {
        let batch = match store.documents_to_scan(20).await {
            Ok(batch) => batch,
            Err(error) => {
                tracing::warn!(%error, "antivirus : documents en attente illisibles");
                return settled;
            }
        };
        if batch.is_empty() {
            return settled;
        }
        let before = settled;
        for item in batch {
            // A file the store cannot give back stays waiting (nobody may have it), without
            // holding up the files behind it.
            let file = match services.files.read(&item.storage_key).await {
                Ok(file) => file,
                Err(error) => {
                    tracing::error!(%error, sha256 = %item.sha256, "antivirus : fichier introuvable");
                    continue;
                }
            };
            let verdict = match services.antivirus.scan(file).await {
                Ok(verdict) => verdict,
                Err(error) => {
                    tracing::warn!(%error, sha256 = %item.sha256, "antivirus : analyse impossible, nouvel essai au prochain tour");
                    return settled;
                }
            };
            let threat = match &verdict {
                Verdict::Clean => None,
                Verdict::Infected(threat) => Some(threat.as_str()),
            };
            if let Err(error) = store.record_scan(&item.sha256, threat, Utc::now()).await {
                tracing::warn!(%error, "antivirus : verdict non enregistré");
                return settled;
            }
            settled += 1;
            if let Some(threat) = threat {
                tracing::warn!(%threat, sha256 = %item.sha256, "antivirus : menace détectée, fichier détruit");
                match store.file_still_needed(&item.sha256).await {
                    Ok(false) => {
                        if let Err(error) = services.files.remove(&item.storage_key).await {
                            tracing::error!(%error, "antivirus : fichier infecté non détruit");
                        }
                    }
                    Ok(true) => {}
                    Err(error) => tracing::warn!(%error, "antivirus : fichier infecté gardé"),
                }
            }
        }
        // Only unreadable files were left: they wait for the next round.
        if settled == before {
            return settled;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read() {
        assert_eq!(
            Clamd::parse("tcp://127.0.0.1:3310"),
            Ok(Clamd::Tcp("127.0.0.1:3310".into()))
        );
        assert_eq!(
            Clamd::parse("unix:/run/clamav/clamd.ctl"),
            Ok(Clamd::Unix("/run/clamav/clamd.ctl".into()))
        );
        assert_eq!(
            Clamd::parse("unix:///run/clamav/clamd.ctl"),
            Ok(Clamd::Unix("/run/clamav/clamd.ctl".into()))
        );
        assert!(Clamd::parse("127.0.0.1:3310").is_err());
        assert!(Clamd::parse("tcp://hote").is_err());
    }

    #[test]
    fn answers_are_read() {
        assert_eq!(verdict("stream: OK"), Ok(Verdict::Clean));
        assert_eq!(
            verdict("stream: Eicar-Test-Signature FOUND"),
            Ok(Verdict::Infected("Eicar-Test-Signature".into()))
        );
        assert!(verdict("INSTREAM size limit exceeded. ERROR").is_err());
    }
}
