//! A small but real SMTP server for tests: it accepts every message and hands it to the test.
//!
//! ```ignore
//! let sink = SmtpSink::start().await;
//! config.smtp_url = Some(SecretString::from(sink.url.clone()));
//! // … something sends a mail …
//! let received = sink.next_message(Duration::from_secs(10)).await;
//! assert_eq!(received.to, ["nom@example.fr"]);
//! let mail = received.decoded();
//! assert!(mail.text.contains("https://…"));
//! ```
//!
//! It speaks plain SMTP (RFC 5321) without STARTTLS nor AUTH: greeting, EHLO/HELO, MAIL FROM,
//! RCPT TO (several), DATA (dot-stuffing undone), RSET, NOOP, QUIT; several connections at once
//! and several messages a connection. [`DecodedMail`] reads back what lettre writes: unfolded
//! headers, RFC 2047 subjects, quoted-printable or base64 single-part UTF-8 bodies.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Mutex};
use tokio::task::{JoinHandle, JoinSet};

/// One message as the server got it.
#[derive(Clone, Debug)]
pub struct Received {
    /// The envelope sender (`MAIL FROM`), without angle brackets.
    pub from: String,
    /// The envelope recipients (`RCPT TO`), in order, without angle brackets.
    pub to: Vec<String>,
    /// The raw message (headers, blank line, body), CRLF line endings, dot-stuffing undone.
    pub data: String,
}

impl Received {
    pub fn decoded(&self) -> DecodedMail {
        DecodedMail::parse(&self.data)
    }
}

pub struct SmtpSink {
    /// For `smtp_url`: `smtp://127.0.0.1:<port>?tls=none`.
    pub url: String,
    messages: Mutex<mpsc::UnboundedReceiver<Received>>,
    server: JoinHandle<()>,
}

impl SmtpSink {
    /// Listens on a free port of 127.0.0.1 until dropped.
    pub async fn start() -> SmtpSink {
        SmtpSink::start_on(0).await
    }

    /// Listens on this port of 127.0.0.1 (0: a free one) until dropped: a test that stops its
    /// server starts another on the same port.
    pub async fn start_on(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("le puits SMTP écoute");
        let addr: SocketAddr = listener.local_addr().expect("adresse du puits SMTP");
        let (sender, messages) = mpsc::unbounded_channel();
        let server = tokio::spawn(async move {
            // Dropped with the accept loop, which aborts every connection.
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => {
                            connections.spawn(converse(stream, sender.clone()));
                        }
                        Err(error) => panic!("puits SMTP : accept a échoué : {error}"),
                    },
                    Some(_) = connections.join_next() => {}
                }
            }
        });
        SmtpSink {
            url: format!("smtp://{addr}?tls=none"),
            messages: Mutex::new(messages),
            server,
        }
    }

    /// The next message received, in the order they were accepted; panics after `timeout`.
    pub async fn next_message(&self, timeout: Duration) -> Received {
        let mut messages = self.messages.lock().await;
        match tokio::time::timeout(timeout, messages.recv()).await {
            Ok(Some(received)) => received,
            Ok(None) => panic!("puits SMTP arrêté"),
            Err(_) => panic!("aucun courriel reçu par le puits SMTP en {timeout:?}"),
        }
    }

    /// The message already received, if any, without waiting.
    pub async fn try_next_message(&self) -> Option<Received> {
        self.messages.lock().await.try_recv().ok()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// One SMTP session. Ends on QUIT, end of stream or an I/O error.
async fn converse(stream: TcpStream, messages: mpsc::UnboundedSender<Received>) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    macro_rules! reply {
        ($text:expr) => {
            if writer.write_all($text.as_bytes()).await.is_err() {
                return;
            }
        };
    }
    reply!("220 puits.localhost ESMTP puits de test\r\n");
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = String::from_utf8_lossy(&line);
        let command = command.trim_end_matches(['\r', '\n']);
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let upper = command.to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                (from, to) = (None, Vec::new());
                reply!("250-puits.localhost\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n");
            }
            "HELO" => {
                (from, to) = (None, Vec::new());
                reply!("250 puits.localhost\r\n");
            }
            "MAIL" if upper.starts_with("MAIL FROM:") => match path(command) {
                Some(sender) => {
                    (from, to) = (Some(sender), Vec::new());
                    reply!("250 2.1.0 OK\r\n");
                }
                None => reply!("501 5.5.4 syntaxe : MAIL FROM:<adresse>\r\n"),
            },
            "RCPT" if upper.starts_with("RCPT TO:") => match (from.is_some(), path(command)) {
                (false, _) => reply!("503 5.5.1 MAIL FROM d'abord\r\n"),
                (true, Some(recipient)) if !recipient.is_empty() => {
                    to.push(recipient);
                    reply!("250 2.1.5 OK\r\n");
                }
                (true, _) => reply!("501 5.5.4 syntaxe : RCPT TO:<adresse>\r\n"),
            },
            "DATA" => {
                if from.is_none() || to.is_empty() {
                    reply!("503 5.5.1 MAIL FROM et RCPT TO d'abord\r\n");
                    continue;
                }
                reply!("354 fin par <CRLF>.<CRLF>\r\n");
                let mut data = Vec::new();
                loop {
                    line.clear();
                    match reader.read_until(b'\n', &mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                    let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
                    data.extend_from_slice(unstuffed);
                }
                let received = Received {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data: String::from_utf8_lossy(&data).into_owned(),
                };
                // Nobody listening any more is the test's business, not the server's.
                let _ = messages.send(received);
                reply!("250 2.0.0 OK message accepté\r\n");
            }
            "RSET" => {
                (from, to) = (None, Vec::new());
                reply!("250 2.0.0 OK\r\n");
            }
            "NOOP" => reply!("250 2.0.0 OK\r\n"),
            "VRFY" => reply!("252 2.1.5 peut-être\r\n"),
            "QUIT" => {
                reply!("221 2.0.0 au revoir\r\n");
                return;
            }
            _ => reply!("500 5.5.2 commande inconnue\r\n"),
        }
    }
}

/// The address between angle brackets of `MAIL FROM:<…> …` or `RCPT TO:<…>`.
fn path(command: &str) -> Option<String> {
    let (_, rest) = command.split_once(':')?;
    let rest = rest.trim_start();
    let inner = rest.strip_prefix('<')?;
    let (address, _) = inner.split_once('>')?;
    Some(address.to_owned())
}

/// A single-part message, decoded enough for tests.
#[derive(Clone, Debug)]
pub struct DecodedMail {
    /// Unfolded, in order, values as written (encoded words left as they are).
    pub headers: Vec<(String, String)>,
    /// RFC 2047 encoded words decoded.
    pub subject: String,
    /// The body, its transfer encoding undone, read as UTF-8, with `\n` line endings.
    pub text: String,
}

impl DecodedMail {
    /// Reads a raw message (as received by the sink, or an `.eml` file).
    pub fn parse(raw: &str) -> DecodedMail {
        let raw = raw.replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some((_, value)) = headers.last_mut() {
                    value.push_str(line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        let mut mail = DecodedMail {
            headers,
            subject: String::new(),
            text: String::new(),
        };
        mail.subject = decode_words(mail.header("Subject").unwrap_or(""));
        let encoding = mail
            .header("Content-Transfer-Encoding")
            .unwrap_or("7bit")
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "quoted-printable" => quoted_printable(body, false),
            "base64" => base64(body),
            _ => body.as_bytes().to_vec(),
        };
        mail.text = String::from_utf8(bytes)
            .expect("corps du courriel en UTF-8")
            .replace("\r\n", "\n");
        mail
    }

    /// The first header of that name (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(candidate, _)| candidate.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// The token of the invitation link a mail carries (`/mot-de-passe/nouveau?jeton=…`).
pub fn token_in(mail: &DecodedMail) -> String {
    mail.text
        .split_whitespace()
        .find(|word| word.contains("/mot-de-passe/nouveau?jeton="))
        .unwrap_or_else(|| panic!("pas de lien d'invitation dans :\n{}", mail.text))
        .split("jeton=")
        .nth(1)
        .unwrap()
        .to_owned()
}

/// The next mail to `to` whose subject holds `about`, the others (notifications going out
/// meanwhile) passed over.
pub async fn mail_about(sink: &SmtpSink, to: &str, about: &str) -> DecodedMail {
    for _ in 0..20 {
        let mail = sink.next_message(std::time::Duration::from_secs(10)).await;
        let decoded = mail.decoded();
        if mail.to.iter().any(|address| address == to) && decoded.subject.contains(about) {
            return decoded;
        }
    }
    panic!("aucun courriel « {about} » pour {to}");
}

/// Decodes the RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) of a header value;
/// the blanks between two encoded words go, as the RFC says.
fn decode_words(value: &str) -> String {
    let mut out = Vec::new();
    let mut rest = value;
    let mut after_word = false;
    while !rest.is_empty() {
        let start = rest.find("=?").unwrap_or(rest.len());
        let (text, from_word) = rest.split_at(start);
        let word = from_word.strip_prefix("=?").and_then(|inner| {
            let mut parts = inner.splitn(3, '?');
            let (_charset, encoding, tail) = (parts.next()?, parts.next()?, parts.next()?);
            let (encoded, after) = tail.split_once("?=")?;
            let bytes = match encoding {
                "b" | "B" => base64(encoded),
                "q" | "Q" => quoted_printable(encoded, true),
                _ => return None,
            };
            Some((bytes, after))
        });
        match word {
            Some((bytes, after)) => {
                if !(after_word && text.trim().is_empty()) {
                    out.extend_from_slice(text.as_bytes());
                }
                out.extend(bytes);
                rest = after;
                after_word = true;
            }
            None => {
                // Not an encoded word after all: keep the "=?" as text and go on.
                let keep = (start + 2).min(rest.len());
                out.extend_from_slice(&rest.as_bytes()[..keep]);
                rest = &rest[keep..];
                after_word = false;
            }
        }
    }
    String::from_utf8(out).expect("en-tête encodé en UTF-8")
}

/// Quoted-printable (RFC 2045), or its RFC 2047 "Q" variant where `_` is a space.
fn quoted_printable(text: &str, q: bool) -> Vec<u8> {
    let text = text.replace("\r\n", "\n");
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2, // soft line break
            b'=' => match bytes.get(i + 1..i + 3) {
                Some(&[high, low]) if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() => {
                    let hex = [high, low];
                    let hex = std::str::from_utf8(&hex).expect("ASCII");
                    out.push(u8::from_str_radix(hex, 16).expect("hexadécimal"));
                    i += 3;
                }
                _ => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b'_' if q => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Standard base64, blanks and line breaks ignored.
fn base64(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ if byte.is_ascii_whitespace() => continue,
            other => panic!("caractère base64 inattendu : {:?}", other as char),
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn decoded_mail_reads_what_lettre_writes() {
    let raw = "Subject: =?utf-8?b?UsOpaW5pdGlhbGlzYXRpb24gZGUgdm90cmU=?=\r\n \
               =?utf-8?q?_mot_de_passe?=\r\n\
               Content-Transfer-Encoding: quoted-printable\r\n\
               \r\n\
               Cliquez ici : https://x.fr/r?jeton=3D=\r\nabc, d=C3=A9j=C3=A0.\r\n";
    let mail = DecodedMail::parse(raw);
    assert_eq!(mail.subject, "Réinitialisation de votre mot de passe");
    assert_eq!(mail.text, "Cliquez ici : https://x.fr/r?jeton=abc, déjà.\n");
    assert_eq!(base64("w6nDqA=="), "éè".as_bytes());
    assert_eq!(decode_words("Bonjour"), "Bonjour");
}
