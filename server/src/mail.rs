//! Outgoing mail, the one way the platform writes to people: plain UTF-8 French text, sent
//! through an SMTP server or, in development, written as `.eml` files into a folder.
//!
//! # Configuration
//!
//! - `mail_from` (`SESAME_MAIL_FROM`): the sender, e.g.
//!   `France Sésame <ne-pas-repondre@sesame.localhost>`.
//! - `smtp_url` (`SESAME_SMTP_URL`): the SMTP server, as a URL
//!   `scheme://user:password@host:port/ehlo-name?tls=…` (user, password, port and EHLO name
//!   optional; user and password percent-encoded):
//!
//!   | URL                                   | connection                              | default port |
//!   | ------------------------------------- | --------------------------------------- | ------------ |
//!   | `smtps://user:password@host`          | TLS from the first byte (implicit TLS)  | 465          |
//!   | `smtp://user:password@host`           | STARTTLS, required                      | 587          |
//!   | `smtp://host?tls=required`            | same as above, spelled out              | 587          |
//!   | `smtp://host?tls=opportunistic`       | STARTTLS when offered, else plain text  | 587          |
//!   | `smtp://host:25?tls=none`             | plain text, for a local relay only      | 25           |
//!
//!   Beware: unlike lettre's own `from_url`, where `smtp://` without `tls` means plain text,
//!   here it means STARTTLS *required*, so that a password never travels in clear by mistake;
//!   plain text must be asked for with `?tls=none`. Certificates are checked against the
//!   Mozilla roots (webpki-roots). Connecting times out after [`SMTP_TIMEOUT`] and a whole
//!   sending after [`SEND_DEADLINE`] (lettre's own timeout covers only connecting with Tokio,
//!   so a server that accepts and then says nothing is caught by the deadline).
//! - `mail_folder` (`SESAME_MAIL_FOLDER`, default `data/mails`): without `smtp_url`, each
//!   message is written there as a complete RFC 5322 file,
//!   `<YYYYmmddTHHMMSS.ffffff>-<uuid>.eml` (UTC, so that names sort by time). In development
//!   (`SESAME_ENVIRONMENT=development`) its links are logged too, so that a developer can follow
//!   them from the console; never in production, where they would hand whoever reads the logs
//!   the single-use links that open accounts.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{Config, Environment};

/// How long connecting to the SMTP server may take.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// How long sending one mail may take in all (connecting, TLS, every command), however slowly
/// the server answers.
pub const SEND_DEADLINE: Duration = Duration::from_secs(20);

pub use app::forms::Mail;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("adresse électronique invalide : « {0} »")]
    InvalidAddress(String),
    #[error("adresse d'expédition invalide (SESAME_MAIL_FROM) : « {0} »")]
    InvalidSender(String),
    /// The reason only: the URL may hold a password.
    #[error("adresse du serveur SMTP invalide (SESAME_SMTP_URL) : {0}")]
    InvalidSmtpUrl(String),
    #[error("courriel impossible à composer : {0}")]
    Compose(#[source] lettre::error::Error),
    #[error("échec de l'envoi du courriel : {0}")]
    Smtp(#[source] lettre::transport::smtp::Error),
    #[error(
        "échec de l'envoi du courriel : le serveur SMTP n'a pas terminé en {} s",
        SEND_DEADLINE.as_secs()
    )]
    Deadline,
    #[error("impossible d'écrire le courriel dans {path} : {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Sends mails, through SMTP or into a folder. Cheap to clone: clones share one connection
/// pool.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp(Arc<Smtp>),
    Folder {
        path: Arc<PathBuf>,
        /// Development only: the mail's links are logged (they grant access).
        log_links: bool,
    },
}

struct Smtp {
    builder: AsyncSmtpTransportBuilder,
    /// Built on first use: the pool spawns a Tokio task, so it needs a running runtime, which
    /// [`Mailer::from_config`] does not.
    transport: Mutex<Option<AsyncSmtpTransport<Tokio1Executor>>>,
}

impl Smtp {
    fn transport(&self) -> AsyncSmtpTransport<Tokio1Executor> {
        let mut transport = self
            .transport
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        transport
            .get_or_insert_with(|| self.builder.clone().build())
            .clone()
    }

    /// Forgets the pool after a sending was cut short: the connection it was using may be
    /// left in the middle of a command, and must not be handed to the next mail. Sendings in
    /// progress keep the old pool until they end; its connections are closed with it.
    fn discard_pool(&self) {
        self.transport
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

impl fmt::Debug for Mailer {
    // By hand: the SMTP settings hold the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Mailer");
        debug.field("from", &self.from.to_string());
        match &self.transport {
            Transport::Smtp(_) => debug.field("transport", &"smtp"),
            Transport::Folder { path, .. } => debug.field("folder", path),
        };
        debug.finish()
    }
}

impl Mailer {
    /// SMTP when `smtp_url` is set (a pooled connection, opened at the first mail), else the
    /// folder `mail_folder`. Checks the sender and the URL now, so that a mistake stops the
    /// start rather than the first mail.
    pub fn from_config(config: &Config) -> Result<Mailer, MailError> {
        let Some(url) = &config.smtp_url else {
            return Mailer::writing_into(
                config.mail_folder.clone(),
                &config.mail_from,
                config.environment == Environment::Development,
            );
        };
        let from = sender(&config.mail_from)?;
        let url = lettre_url(url.expose_secret())?;
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|error| MailError::InvalidSmtpUrl(error.to_string()))?
            .timeout(Some(SMTP_TIMEOUT));
        Ok(Mailer {
            from,
            transport: Transport::Smtp(Arc::new(Smtp {
                builder,
                transport: Mutex::new(None),
            })),
        })
    }

    /// Writes mails into `path` (created when needed) instead of sending them, logging none of
    /// their links.
    pub fn folder(path: impl Into<PathBuf>, from: &str) -> Result<Mailer, MailError> {
        Mailer::writing_into(path.into(), from, false)
    }

    fn writing_into(path: PathBuf, from: &str, log_links: bool) -> Result<Mailer, MailError> {
        Ok(Mailer {
            from: sender(from)?,
            transport: Transport::Folder {
                path: Arc::new(path),
                log_links,
            },
        })
    }

    /// Sends one mail, or writes it into the folder. An invalid recipient is refused before
    /// anything happens; an SMTP failure is logged and returned, never retried here.
    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        self.deliver(mail, None).await
    }

    /// Sends one mail whose `Message-ID` is made of `key` (letters, digits and dashes): sent
    /// again after a failure that may have hidden a success, it is the same message, which
    /// mail systems recognise.
    pub async fn send_keyed(&self, mail: &Mail, key: &str) -> Result<(), MailError> {
        self.deliver(mail, Some(key)).await
    }

    async fn deliver(&self, mail: &Mail, key: Option<&str>) -> Result<(), MailError> {
        let message = self.compose(mail, key)?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                let transport = smtp.transport();
                let outcome =
                    match tokio::time::timeout(SEND_DEADLINE, transport.send(message)).await {
                        Ok(Ok(_response)) => Ok(()),
                        Ok(Err(error)) => Err(MailError::Smtp(error)),
                        Err(_elapsed) => {
                            smtp.discard_pool();
                            Err(MailError::Deadline)
                        }
                    };
                match &outcome {
                    Ok(()) => {
                        tracing::info!(to = %mail.to, subject = %mail.subject, "courriel envoyé")
                    }
                    Err(error) => tracing::warn!(to = %mail.to, %error, "courriel non envoyé"),
                }
                outcome
            }
            Transport::Folder { path, log_links } => {
                let path = write_into(path, &message.formatted())
                    .await
                    .map_err(|(path, source)| MailError::Folder { path, source })?;
                tracing::info!(to = %mail.to, "courriel écrit dans {}", path.display());
                if *log_links {
                    for link in links(&mail.text) {
                        tracing::info!(lien = %link, "lien du courriel");
                    }
                }
                Ok(())
            }
        }
    }

    fn compose(&self, mail: &Mail, key: Option<&str>) -> Result<Message, MailError> {
        let to: Mailbox = mail
            .to
            .trim()
            .parse()
            .map_err(|_| MailError::InvalidAddress(mail.to.clone()))?;
        // Folding lines is lettre's business; a line break typed into a subject is not a header.
        let subject: String = mail
            .subject
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let unique = match key {
            Some(key) => key
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect(),
            None => uuid::Uuid::new_v4().simple().to_string(),
        };
        let message_id = format!("<{unique}@{}>", self.from.email.domain());
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .date_now()
            .message_id(Some(message_id))
            // RFC 3834: no vacation replies to a machine.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".to_owned(),
            ))
            .singlepart(SinglePart::plain(mail.text.clone()))
            .map_err(MailError::Compose)
    }
}

fn sender(from: &str) -> Result<Mailbox, MailError> {
    from.trim()
        .parse()
        .map_err(|_| MailError::InvalidSender(from.to_owned()))
}

/// Our URL conventions (see the module documentation) in lettre's: `smtp://` without `tls`
/// becomes `tls=required`, and `tls=none` is dropped, which lettre reads as plain text.
fn lettre_url(url: &str) -> Result<String, MailError> {
    let url = url.trim();
    let (scheme, _) = url
        .split_once("://")
        .ok_or_else(|| MailError::InvalidSmtpUrl("attendu smtp://… ou smtps://…".to_owned()))?;
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, query),
        None => (url, ""),
    };
    let mut tls = None;
    let mut others = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        match pair.split_once('=') {
            Some(("tls", value)) => tls = Some(value),
            _ => others.push(pair),
        }
    }
    let tls = match (scheme, tls) {
        ("smtps", None) => None,
        ("smtps", Some(value)) => {
            return Err(MailError::InvalidSmtpUrl(format!(
                "« tls={value} » ne s'emploie pas avec smtps://, chiffré d'office"
            )))
        }
        ("smtp", None | Some("required")) => Some("required"),
        ("smtp", Some("opportunistic")) => Some("opportunistic"),
        ("smtp", Some("none")) => None,
        ("smtp", Some(value)) => {
            return Err(MailError::InvalidSmtpUrl(format!(
                "« tls={value} » inconnu : attendu required, opportunistic ou none"
            )))
        }
        (scheme, _) => {
            return Err(MailError::InvalidSmtpUrl(format!(
                "protocole « {scheme} » inconnu : attendu smtp ou smtps"
            )))
        }
    };
    others.extend(tls.map(|value| {
        if value == "required" {
            "tls=required"
        } else {
            "tls=opportunistic"
        }
    }));
    Ok(if others.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", others.join("&"))
    })
}

/// Writes `bytes` as a new `.eml` file of `folder`, through a temporary name so that a reader
/// never sees half a message. Returns the file's path, or the path that failed.
async fn write_into(folder: &Path, bytes: &[u8]) -> Result<PathBuf, (PathBuf, std::io::Error)> {
    tokio::fs::create_dir_all(folder)
        .await
        .map_err(|error| (folder.to_owned(), error))?;
    let name = format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"),
        uuid::Uuid::new_v4()
    );
    let temporary = folder.join(format!(".{name}.tmp"));
    let path = folder.join(format!("{name}.eml"));
    if let Err(error) = tokio::fs::write(&temporary, bytes).await {
        let _ = tokio::fs::remove_file(&temporary).await;
        return Err((temporary, error));
    }
    if let Err(error) = tokio::fs::rename(&temporary, &path).await {
        let _ = tokio::fs::remove_file(&temporary).await;
        return Err((path, error));
    }
    Ok(path)
}

/// The `http://` and `https://` links of a text, without the punctuation that ends a sentence.
fn links(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = [rest.find("https://"), rest.find("http://")]
        .into_iter()
        .flatten()
        .min()
    {
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '«' | '»'))
            .unwrap_or(candidate.len());
        let link = candidate[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
        if link.len() > "https://".len() {
            found.push(link);
        }
        rest = &candidate[end..];
    }
    found
}

/// The form handlers send through the configured transport.
impl app::forms::Outbox for Mailer {
    fn send<'a>(&'a self, mail: &'a Mail) -> app::forms::Pending<'a, Result<(), String>> {
        Box::pin(async move {
            Mailer::send(self, mail)
                .await
                .map_err(|error| error.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_url_conventions_become_lettre_s() {
        let cases = [
            (
                "smtp://u:p@mail.example.fr:587",
                "smtp://u:p@mail.example.fr:587?tls=required",
            ),
            (
                "smtp://mail.example.fr?tls=required",
                "smtp://mail.example.fr?tls=required",
            ),
            (
                "smtp://mail.example.fr?tls=opportunistic",
                "smtp://mail.example.fr?tls=opportunistic",
            ),
            ("smtp://127.0.0.1:2525?tls=none", "smtp://127.0.0.1:2525"),
            ("smtps://u:p@mail.example.fr", "smtps://u:p@mail.example.fr"),
        ];
        for (ours, lettre) in cases {
            assert_eq!(lettre_url(ours).unwrap(), lettre, "{ours}");
        }
        for bad in [
            "mail.example.fr",
            "http://x",
            "smtp://x?tls=oui",
            "smtps://x?tls=none",
        ] {
            assert!(
                matches!(lettre_url(bad), Err(MailError::InvalidSmtpUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_bad_url_never_prints_its_password() {
        let config = Config {
            smtp_url: Some("smtp://u:motdepasse@[::1".into()),
            ..Config::defaults()
        };
        let error = Mailer::from_config(&config).unwrap_err().to_string();
        assert!(error.contains("SESAME_SMTP_URL"), "{error}");
        assert!(!error.contains("motdepasse"), "{error}");
    }

    #[test]
    fn links_are_found_without_trailing_punctuation() {
        let text = "Suivez https://sesame.example.fr/reinitialiser?jeton=abc.\n\
                    Ou (http://localhost:3000/a) ; sinon « https://x.fr/b ».";
        assert_eq!(
            links(text),
            [
                "https://sesame.example.fr/reinitialiser?jeton=abc",
                "http://localhost:3000/a",
                "https://x.fr/b",
            ]
        );
    }
}
