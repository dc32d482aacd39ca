//! The mail module against a real SMTP peer (the sink) and a real folder.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use server::config::Config;
use server::mail::{Mail, MailError, Mailer};

use crate::smtp_sink::{DecodedMail, SmtpSink};

const SUBJECT: &str = "Réinitialisation de votre mot de passe";
const LINK: &str = "http://127.0.0.1:3000/mot-de-passe/nouveau?jeton=AbC-123_xyz%3D";

fn reset_mail(to: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: SUBJECT.to_owned(),
        text: format!(
            "Bonjour Hélène,\n\n\
             Une réinitialisation de votre mot de passe a été demandée. Pour choisir un \
             nouveau mot de passe, suivez ce lien, valable une heure :\n\n{LINK}\n\n\
             Si vous n'êtes pas à l'origine de cette demande, ignorez ce courriel.\n\n\
             — L'équipe France Sésame\n"
        ),
    }
}

fn smtp_config(url: &str) -> Config {
    let mut config = Config::defaults();
    config.smtp_url = Some(SecretString::from(url.to_owned()));
    config
}

fn temporary_folder() -> PathBuf {
    std::env::temp_dir().join(format!("sesame-mails-{}", uuid::Uuid::new_v4()))
}

fn files_of(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(folder) {
        Ok(entries) => entries
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

fn assert_reset_mail(mail: &DecodedMail, to: &str) {
    assert_eq!(mail.subject, SUBJECT);
    assert!(mail.text.contains(&format!("\n{LINK}\n")), "{}", mail.text);
    assert!(mail.text.starts_with("Bonjour Hélène,"), "{}", mail.text);
    assert!(
        mail.text.contains("— L'équipe France Sésame"),
        "{}",
        mail.text
    );
    let from = mail.header("From").expect("From");
    assert!(
        from.contains("<ne-pas-repondre@sesame.localhost>"),
        "{from}"
    );
    assert_eq!(mail.header("To"), Some(to));
    assert_eq!(mail.header("Auto-Submitted"), Some("auto-generated"));
    let message_id = mail.header("Message-ID").expect("Message-ID");
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@sesame.localhost>"),
        "{message_id}"
    );
    assert!(mail.header("Date").is_some_and(|date| date.len() > 20));
    assert_eq!(mail.header("MIME-Version"), Some("1.0"));
    let content_type = mail
        .header("Content-Type")
        .expect("Content-Type")
        .to_ascii_lowercase();
    assert!(
        content_type.starts_with("text/plain") && content_type.contains("charset=utf-8"),
        "{content_type}"
    );
}

#[tokio::test]
async fn mail_goes_through_smtp_with_accents_and_link_intact() {
    let sink = SmtpSink::start().await;
    let mailer = Mailer::from_config(&smtp_config(&sink.url)).expect("configuration SMTP");

    mailer
        .send(&reset_mail("helene.dupont@example.fr"))
        .await
        .expect("envoi SMTP");
    let received = sink.next_message(Duration::from_secs(10)).await;
    assert_eq!(received.from, "ne-pas-repondre@sesame.localhost");
    assert_eq!(received.to, ["helene.dupont@example.fr"]);
    assert!(
        received.data.is_ascii(),
        "le message transmis doit être encodé en ASCII : {}",
        received.data
    );
    assert_reset_mail(&received.decoded(), "helene.dupont@example.fr");

    // A second mail through the same pooled transport, with a display name this time.
    let mut second = reset_mail("Jérôme Martin <jerome.martin@example.fr>");
    second.subject = "Deuxième courriel".to_owned();
    mailer
        .clone()
        .send(&second)
        .await
        .expect("second envoi SMTP");
    let received = sink.next_message(Duration::from_secs(10)).await;
    assert_eq!(received.to, ["jerome.martin@example.fr"]);
    let decoded = received.decoded();
    assert_eq!(decoded.subject, "Deuxième courriel");
    assert!(decoded.text.contains(LINK), "{}", decoded.text);
}

#[tokio::test]
async fn mail_over_smtp_without_tls_is_refused_unless_asked_for() {
    // `smtp://` alone means STARTTLS required; the sink offers none, so nothing may go out in
    // clear text (a password would travel with it).
    let sink = SmtpSink::start().await;
    let url = sink.url.strip_suffix("?tls=none").expect("URL du puits");
    let mailer = Mailer::from_config(&smtp_config(url)).expect("configuration SMTP");
    let error = mailer
        .send(&reset_mail("helene.dupont@example.fr"))
        .await
        .expect_err("pas d'envoi en clair sans ?tls=none");
    assert!(
        error
            .to_string()
            .starts_with("échec de l'envoi du courriel : "),
        "{error}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(sink.try_next_message().await.is_none());
}

#[tokio::test]
async fn mail_in_folder_is_a_complete_message_file() {
    let folder = temporary_folder().join("sous-dossier");
    let mut config = Config::defaults();
    config.mail_folder = folder.clone();
    let mailer = Mailer::from_config(&config).expect("dossier de courriels");

    mailer
        .send(&reset_mail("helene.dupont@example.fr"))
        .await
        .expect("écriture du courriel");
    let mut second = reset_mail("jerome.martin@example.fr");
    second.subject = "Deuxième courriel".to_owned();
    mailer.send(&second).await.expect("écriture du second");

    let names = files_of(&folder);
    assert_eq!(names.len(), 2, "{names:?}");
    for name in &names {
        // <YYYYmmddTHHMMSS.ffffff>-<uuid>.eml
        let (stamp, rest) = name.split_at(23);
        assert_eq!(&stamp[8..9], "T", "{name}");
        assert_eq!(&stamp[15..16], ".", "{name}");
        assert_eq!(&stamp[22..23], "-", "{name}");
        assert!(stamp[..8].bytes().all(|b| b.is_ascii_digit()), "{name}");
        assert!(stamp[16..22].bytes().all(|b| b.is_ascii_digit()), "{name}");
        assert!(rest.ends_with(".eml") && rest.len() == 36 + 4, "{name}");
    }
    // Names sort by time: the first written comes first.
    let first = DecodedMail::parse(&std::fs::read_to_string(folder.join(&names[0])).unwrap());
    let last = DecodedMail::parse(&std::fs::read_to_string(folder.join(&names[1])).unwrap());
    assert_reset_mail(&first, "helene.dupont@example.fr");
    assert_eq!(last.subject, "Deuxième courriel");
    assert_eq!(last.header("To"), Some("jerome.martin@example.fr"));

    std::fs::remove_dir_all(folder.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn mail_to_an_invalid_address_is_refused_in_french_and_not_written() {
    let folder = temporary_folder();
    let mailer = Mailer::folder(&folder, "France Sésame <ne-pas-repondre@sesame.localhost>")
        .expect("dossier de courriels");
    for to in [
        "pas-une-adresse",
        "helene@",
        "helene.dupont@example.fr\r\nBcc: espion@example.com",
    ] {
        let error = mailer
            .send(&reset_mail(to))
            .await
            .expect_err("adresse refusée");
        assert!(matches!(error, MailError::InvalidAddress(_)), "{error:?}");
        let message = error.to_string();
        assert_eq!(message, format!("adresse électronique invalide : « {to} »"));
    }
    assert!(files_of(&folder).is_empty(), "{:?}", files_of(&folder));

    // A bad sender is refused at configuration time.
    let error = Mailer::folder(&folder, "France Sésame").unwrap_err();
    assert!(error.to_string().contains("« France Sésame »"), "{error}");
}

#[tokio::test]
async fn mail_to_an_smtp_server_that_is_down_fails_instead_of_hanging() {
    // A closed port: refused at once.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let mailer = Mailer::from_config(&smtp_config(&format!("smtp://{closed}?tls=none")))
        .expect("configuration SMTP");
    let started = Instant::now();
    let error = tokio::time::timeout(
        Duration::from_secs(20),
        mailer.send(&reset_mail("helene.dupont@example.fr")),
    )
    .await
    .expect("l'envoi vers un port fermé doit échouer, pas attendre")
    .expect_err("port fermé");
    assert!(
        error
            .to_string()
            .starts_with("échec de l'envoi du courriel : "),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // A server that accepts the connection and never says a word: cut short by the deadline
    // (SEND_DEADLINE, 20 s), as lettre's own timeout only covers connecting.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}?tls=none", silent.local_addr().unwrap());
    let mailer = Mailer::from_config(&smtp_config(&url)).expect("configuration SMTP");
    let started = Instant::now();
    let error = tokio::time::timeout(
        Duration::from_secs(40),
        mailer.send(&reset_mail("helene.dupont@example.fr")),
    )
    .await
    .expect("l'envoi vers un serveur muet doit échouer, pas attendre")
    .expect_err("serveur muet");
    assert!(
        error
            .to_string()
            .starts_with("échec de l'envoi du courriel : "),
        "{error}"
    );
    assert!(
        started.elapsed() <= server::mail::SEND_DEADLINE + Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop(silent);
}
