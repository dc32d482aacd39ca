//! Notifications on the real server, on both stores: a partner event notifies the operators of
//! its dossier's company (and nobody else) in the app and by mail, once; the bell counts them and
//! the live stream tells their pages; the centre opens them and marks them read, each person
//! their own only. Mails wait for an SMTP server that is down and go once it is back, once; with
//! two server processes on PostgreSQL each mail is sent by one of them.

use std::collections::HashMap;
use std::time::Duration;

use app::store::Backend;
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{json, Value};

use crate::accounts::{OPERATOR, OTHER_OPERATOR};
use crate::helpers::{
    company_and_siret, config, container, execute, fresh_database, no_redirects, on_both_stores,
    page_as, Running,
};
use crate::live::{first_event, post, session_of, sirets, ServerProcess, Stream};
use crate::smtp_sink::{Received, SmtpSink};

const POST: &str = "FRLEH1";

/// The event that selects the consignment of `container` for identity and physical checks.
fn selection(id: &str, container: &str, siret: &str) -> Value {
    json!({
        "id": id,
        "source": "traces",
        "type": "checks_selected",
        "occurred_at": (chrono::Utc::now() - chrono::Duration::minutes(2)).to_rfc3339(),
        "site": "FRLEH",
        "post": POST,
        "references": { "container": container },
        "goods": { "category": "fruit_vegetables", "description": "Avocats" },
        "operator": { "siret": siret },
        "data": { "identity": true, "physical": true }
    })
}

/// The active operators of the company of `email`: (id, address).
async fn company_of(server: &Running, email: &str) -> Vec<(i64, String)> {
    let (company, _) = company_and_siret(&server.store, email).await;
    server
        .store
        .company_users(company)
        .await
        .unwrap()
        .into_iter()
        .map(|user| (user.id, user.email))
        .collect()
}

/// The SIRET of the company of `email`.
async fn siret_of(server: &Running, email: &str) -> String {
    company_and_siret(&server.store, email).await.1
}

async fn user_id(server: &Running, email: &str) -> i64 {
    server.store.user_by_email(email).await.unwrap().unwrap().id
}

/// Every mail received within `wait` after the last one.
pub(crate) async fn mails(sink: &SmtpSink, first_wait: Duration, quiet: Duration) -> Vec<Received> {
    let mut received = Vec::new();
    let deadline = tokio::time::Instant::now() + first_wait;
    loop {
        match sink.try_next_message().await {
            Some(mail) => received.push(mail),
            None => {
                let limit = if received.is_empty() {
                    deadline
                } else {
                    tokio::time::Instant::now() + quiet
                };
                let mut got = None;
                while tokio::time::Instant::now() < limit {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    if let Some(mail) = sink.try_next_message().await {
                        got = Some(mail);
                        break;
                    }
                }
                match got {
                    Some(mail) => received.push(mail),
                    None => return received,
                }
            }
        }
    }
}

/// A server of the demo on `url`, sending its mails to an SMTP server of the test, and looking
/// for mails to send ten times a second.
async fn with_smtp(url: String) -> (SmtpSink, Running) {
    let sink = SmtpSink::start().await;
    let mut config = config(url);
    config.smtp_url = Some(SecretString::from(sink.url.clone()));
    config.notification_poll_millis = 100;
    let server = Running::start(&config).await;
    (sink, server)
}

async fn operators_are_told_what_happens_to_their_dossiers(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let (sink, server) = with_smtp(url).await;
    let own = siret_of(&server, OPERATOR).await;
    let other = siret_of(&server, OTHER_OPERATOR).await;
    let colleagues = company_of(&server, OPERATOR).await;
    let strangers = company_of(&server, OTHER_OPERATOR).await;
    assert!(!strangers
        .iter()
        .any(|(id, _)| colleagues.iter().any(|(c, _)| c == id)));
    let operator = session_of(&server, OPERATOR).await;
    let stranger = session_of(&server, OTHER_OPERATOR).await;
    let mut stream = Stream::open(&server, Some(&operator), None).await.unwrap();

    // A new consignment of the operator's company: a dossier opened.
    let reference = container("NOT", 10);
    let dossier = post(&server, &first_event("notif-1", &reference, &own)).await;
    let received = mails(&sink, Duration::from_secs(10), Duration::from_millis(800)).await;
    let mut to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    let mut expected: Vec<String> = colleagues.iter().map(|(_, e)| e.clone()).collect();
    expected.sort();
    assert_eq!(
        to, expected,
        "un courriel par opérateur de l'entreprise, pas d'autre"
    );
    let mail = received[0].decoded();
    let subject = mail.header("subject").unwrap().to_owned();
    assert!(subject.contains(&reference), "{subject}");
    assert!(subject.contains("dossier ouvert"), "{subject}");
    assert!(
        mail.text.contains(&format!("/dossiers/{dossier}")),
        "{}",
        mail.text
    );
    // The live stream tells the operator's pages that their notifications changed.
    let told = stream.drain(Duration::from_millis(800)).await;
    assert!(told.iter().any(|m| m.event == "notification"), "{told:?}");

    // A colleague disabled in between gets nothing more; the stranger's company nothing at all.
    let (disabled, kept): (Vec<_>, Vec<_>) = colleagues
        .iter()
        .cloned()
        .partition(|(_, email)| email != OPERATOR);
    for (id, _) in &disabled {
        execute(
            &server.store,
            &format!("UPDATE app_user SET disabled_at = CURRENT_TIMESTAMP WHERE id = {id}"),
        )
        .await
        .unwrap();
    }
    let selected_event = selection("notif-2", &reference, &own);
    post(&server, &selected_event).await;
    let received = mails(&sink, Duration::from_secs(10), Duration::from_millis(800)).await;
    let to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(
        to,
        kept.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>(),
        "seuls les opérateurs actifs"
    );
    let mail = received[0].decoded();
    let subject = mail.header("subject").unwrap().to_owned();
    assert!(subject.contains("prenez rendez-vous"), "{subject}");
    assert!(
        mail.text
            .contains(&format!("/dossiers/{dossier}/rendez-vous")),
        "{}",
        mail.text
    );
    // Sent again, the same event notifies nobody twice.
    let again = reqwest::Client::new()
        .post(server.url("/api/v1/events"))
        .bearer_auth(crate::helpers::DEMO_API_KEY)
        .json(&selected_event)
        .send()
        .await
        .unwrap();
    assert!(again.status().is_success(), "{}", again.status());
    // Another company's consignment: nothing for this company.
    post(
        &server,
        &first_event("notif-3", &container("NOT", 20), &other),
    )
    .await;
    let received = mails(&sink, Duration::from_secs(10), Duration::from_millis(800)).await;
    let mut to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    let mut expected: Vec<String> = strangers.iter().map(|(_, e)| e.clone()).collect();
    expected.sort();
    assert_eq!(to, expected);

    // The bell counts the operator's two; the centre lists them, newest first.
    let (status, html) = page_as(&server, &operator, "/notifications").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Notifications (2)"), "la cloche compte 2");
    assert!(html.contains("2 notifications non lues"));
    let action = html
        .find("prenez rendez-vous")
        .expect("le contrôle à planifier");
    let opened = html.find("dossier ouvert à").expect("le dossier ouvert");
    assert!(action < opened, "la plus récente d'abord");
    assert!(html.contains("Action requise"));
    let mine = server
        .store
        .notifications(user_id(&server, OPERATOR).await, None, false, None)
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    let selected = &mine[0];
    assert_eq!(selected.kind, "controle_a_planifier");

    // Another operator cannot open it, nor mark it read: answered as a notification that does
    // not exist, and it stays unread.
    for (method, path) in [
        ("GET", format!("/notifications/{}", selected.id)),
        ("POST", format!("/notifications/{}/lue", selected.id)),
        ("GET", "/notifications/999999".to_owned()),
    ] {
        let request = match method {
            "GET" => no_redirects().get(server.url(&path)),
            _ => no_redirects().post(server.url(&path)),
        };
        let answer = request.header("cookie", &stranger).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{method} {path}");
        assert_eq!(
            answer.headers()["location"],
            "/notifications?erreur=notification-introuvable",
            "{method} {path}"
        );
    }
    let (_, html) = page_as(&server, &stranger, "/notifications").await;
    assert!(
        !html.contains(&reference),
        "rien du dossier d'une autre entreprise"
    );
    // The server functions straight over HTTP: the centre is each person's own, nobody's
    // without a session; the other recipients are the company administrators' only.
    let call = |path: &'static str, cookie: Option<&str>| {
        let mut request = no_redirects()
            .post(server.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("unread_only=false");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie.to_owned());
        }
        request.send()
    };
    let theirs = call("/api/notifications", Some(&stranger)).await.unwrap();
    assert_eq!(theirs.status(), StatusCode::OK);
    assert!(!theirs.text().await.unwrap().contains(&reference));
    let anonymous = call("/api/notifications", None).await.unwrap();
    assert!(
        anonymous.status().is_client_error(),
        "{}",
        anonymous.status()
    );
    assert!(!anonymous.text().await.unwrap().contains(&reference));
    let not_admin = call("/api/destinataires", Some(&stranger)).await.unwrap();
    assert!(
        not_admin.status().is_client_error(),
        "{}",
        not_admin.status()
    );
    // Nobody signed in: nothing.
    let answer = no_redirects()
        .get(server.url(&format!("/notifications/{}", selected.id)))
        .send()
        .await
        .unwrap();
    assert_ne!(answer.status(), StatusCode::OK);
    assert_ne!(
        answer
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned()),
        Some(selected.link.clone())
    );
    let (_, html) = page_as(&server, &operator, "/notifications").await;
    assert!(html.contains("Notifications (2)"));

    // The operator opens it: marked read, and on to where to act.
    let answer = no_redirects()
        .get(server.url(&format!("/notifications/{}", selected.id)))
        .header("cookie", &operator)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        answer.headers()["location"],
        format!("/dossiers/{dossier}/rendez-vous")
    );
    let (_, html) = page_as(&server, &operator, "/notifications").await;
    assert!(html.contains("Notifications (1)"), "la cloche compte 1");
    let (_, html) = page_as(&server, &operator, "/notifications?non_lues=1").await;
    assert!(!html.contains("prenez rendez-vous"), "filtrée : non lues");
    assert!(html.contains("dossier ouvert à"));
    let (_, html) = page_as(
        &server,
        &operator,
        "/notifications?type=controle_a_planifier",
    )
    .await;
    assert!(html.contains("prenez rendez-vous"));
    assert!(!html.contains("dossier ouvert à"), "filtrée : un type");

    // Everything read.
    let answer = no_redirects()
        .post(server.url("/notifications/tout-lu"))
        .header("cookie", &operator)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let (_, html) = page_as(&server, &operator, "/notifications").await;
    assert!(html.contains("Aucune notification non lue"));
    assert!(
        !html.contains("Notifications ("),
        "la cloche ne compte plus"
    );
    server.stop().await;
}

/// The SMTP server is down when the notifications are written: nothing is lost, and once it is
/// back every mail goes, once.
async fn mails_wait_for_the_smtp_server(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let port = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().port()
    };
    let mut config = config(url);
    config.smtp_url = Some(SecretString::from(format!(
        "smtp://127.0.0.1:{port}?tls=none"
    )));
    config.notification_poll_millis = 100;
    config.notification_retry_millis = 200;
    let server = Running::start(&config).await;
    let (own, _) = sirets(&server).await;
    let colleagues = company_of(&server, OPERATOR).await;
    for n in 0..3 {
        post(
            &server,
            &first_event(&format!("panne-{n}"), &container("PAN", 10 * n + 1), &own),
        )
        .await;
    }
    // Tried, failed, kept.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let failed = attempts_without_sending(&server).await;
        if failed >= 3 * colleagues.len() as i64 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "les courriels sont essayés pendant la panne"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The server comes back on its address.
    let sink = SmtpSink::start_on(port).await;
    let received = mails(&sink, Duration::from_secs(20), Duration::from_secs(2)).await;
    assert_eq!(
        received.len(),
        3 * colleagues.len(),
        "chaque courriel une fois"
    );
    let mut ids: Vec<String> = received
        .iter()
        .map(|m| m.decoded().header("message-id").unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), received.len(), "aucun courriel en double");
    server.stop().await;
}

/// How many mails were tried and not sent (at least once each).
async fn attempts_without_sending(server: &Running) -> i64 {
    const SQL: &str =
        "SELECT COUNT(*) FROM notification_mail WHERE attempts > 0 AND sent_at IS NULL";
    match server.store.engine() {
        app::store::Engine::Sqlite(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await,
        app::store::Engine::Postgres(pool) => sqlx::query_scalar(SQL).fetch_one(pool).await,
    }
    .unwrap()
}

/// The notifications of a person, by kind.
async fn kinds_of(server: &Running, email: &str) -> Vec<String> {
    server
        .store
        .notifications(user_id(server, email).await, None, false, None)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect()
}

/// Each person chooses, per kind, a mail at once, in the daily digest at their hour, or none;
/// what asks for an action is mailed at once whatever they chose. The digest is leased at its
/// hour, not before (the test holds the clock).
async fn preferences_choose_the_mails(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let (sink, server) = with_smtp(url).await;
    let own = siret_of(&server, OPERATOR).await;
    let colleagues = company_of(&server, OPERATOR).await;
    let operator = session_of(&server, OPERATOR).await;
    let form = |pairs: &[(&str, &str)]| {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        no_redirects()
            .post(server.url("/notifications/preferences"))
            .header("cookie", &operator)
            .form(&pairs)
            .send()
    };
    // Bad input: a precise message, nothing saved.
    for (pairs, problem) in [
        (
            vec![("heure", "25"), ("courriel_dossier_ouvert", "jamais")],
            "heure-recapitulatif",
        ),
        (
            vec![("heure", "18"), ("courriel_dossier_ouvert", "parfois")],
            "mode-courriel",
        ),
        (
            vec![("heure", "18"), ("courriel_inconnu", "jamais")],
            "type-notification",
        ),
        (
            vec![("heure", "18"), ("courriel_demande_a_valider", "jamais")],
            "type-notification",
        ),
        (
            vec![("heure", "18"), ("courriel_controle_a_planifier", "jamais")],
            "action-requise",
        ),
    ] {
        let answer = form(&pairs).await.unwrap();
        assert_eq!(
            answer.headers()["location"],
            format!("/notifications/preferences?erreur={problem}"),
            "{pairs:?}"
        );
    }
    let (_, html) = page_as(&server, &operator, "/notifications/preferences").await;
    assert!(
        html.contains("<option value=\"8\" selected"),
        "8 h par défaut"
    );
    let answer = form(&[
        ("heure", "18"),
        ("courriel_dossier_ouvert", "jamais"),
        ("courriel_resultat_laboratoire", "quotidien"),
    ])
    .await
    .unwrap();
    assert_eq!(
        answer.headers()["location"],
        "/notifications/preferences?message=preferences-enregistrees"
    );
    let (_, html) = page_as(&server, &operator, "/notifications/preferences").await;
    assert!(html.contains("<option value=\"18\" selected"));

    // The dossier opened: in the app for everyone, by mail to the colleagues only.
    let reference = container("PRF", 10);
    let dossier = post(&server, &first_event("pref-1", &reference, &own)).await;
    let received = mails(&sink, Duration::from_secs(10), Duration::from_millis(800)).await;
    let to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    assert_eq!(to.len(), colleagues.len() - 1, "{to:?}");
    assert!(!to.contains(&OPERATOR.to_owned()), "jamais par courriel");
    assert_eq!(kinds_of(&server, OPERATOR).await, ["dossier_ouvert"]);

    // Selected for a check: action required, mailed at once whatever was chosen.
    post(&server, &selection("pref-2", &reference, &own)).await;
    let received = mails(&sink, Duration::from_secs(10), Duration::from_millis(800)).await;
    let to: Vec<String> = received.iter().flat_map(|m| m.to.clone()).collect();
    assert!(to.contains(&OPERATOR.to_owned()), "{to:?}");

    // A lab result: in the digest of 18 h (Paris time), not before.
    let mut lab = selection("pref-3", &reference, &own);
    lab["type"] = json!("lab_result");
    lab["data"] = json!({ "conclusion": "satisfactory" });
    // Not in the last minute before 18 h: the result would belong to the next digest, and the
    // digest of today could go while the test waits for mails.
    let mut now = chrono::Utc::now();
    let left = app::domain::notification::next_digest(now, 18) - now;
    if left < chrono::Duration::minutes(1) {
        tokio::time::sleep((left + chrono::Duration::seconds(2)).to_std().unwrap()).await;
        now = chrono::Utc::now();
    }
    post(&server, &lab).await;
    let received = mails(&sink, Duration::from_secs(3), Duration::from_millis(800)).await;
    assert!(
        !received.iter().any(|m| m.to.contains(&OPERATOR.to_owned())),
        "pas de courriel immédiat"
    );
    assert!(kinds_of(&server, OPERATOR)
        .await
        .contains(&"resultat_laboratoire".to_owned()));
    let due = app::domain::notification::next_digest(now, 18);
    let before = server
        .store
        .lease_mails("essai", due - chrono::Duration::minutes(1), due, 100)
        .await
        .unwrap();
    assert!(before.is_empty(), "{before:?}");
    let at_hour = server
        .store
        .lease_mails("essai", due, due + chrono::Duration::minutes(1), 100)
        .await
        .unwrap();
    assert_eq!(at_hour.len(), 1, "{at_hour:?}");
    assert_eq!(at_hour[0].email, OPERATOR);
    assert_eq!(at_hour[0].digest_at, Some(due));
    assert_eq!(at_hour[0].items.len(), 1);
    assert!(at_hour[0].items[0].title.contains("résultat d'analyse"));
    assert!(at_hour[0].items[0]
        .link
        .ends_with(&format!("/dossiers/{dossier}")));
    server.stop().await;
}

/// Appointments: a request tells the inspection of the site (not the customs, not another
/// site's), the post's decision tells the operators, and the reminders go the day before and two
/// hours before, once each, at the times the test sets.
async fn appointments_and_reminders(backend: Backend) {
    use crate::appointments::{booking, operator, selected_dossiers, slot_ahead};
    use app::domain::appointment::CheckKind;
    use app::store::{Actor, Change};
    let Some(server) = crate::appointments::start(backend).await else {
        return;
    };
    let store = &server.store;
    let (user, company, own, _) = operator(&server).await;
    let calendar = store
        .calendar(&crate::appointments::post())
        .await
        .unwrap()
        .unwrap();
    assert!(
        calendar.requires_validation,
        "le poste de démonstration valide"
    );
    let now = chrono::Utc::now();
    let slot = slot_ahead(&calendar, now);
    let selected = selected_dossiers(&server, "RDV", 6_100_000, 1, true, &own).await;
    let agent_before = kinds_of(&server, crate::accounts::AGENT_SIVEP).await.len();
    let head_before = kinds_of(&server, crate::accounts::HEAD).await.len();
    let customs_before = kinds_of(&server, "agent.douane@demo.sesame.test")
        .await
        .len();
    let id = store
        .book(
            &booking(selected[0], CheckKind::Physical, slot, user, company),
            &Actor::ANONYMOUS,
            now,
        )
        .await
        .unwrap()
        .unwrap();
    let agent = kinds_of(&server, crate::accounts::AGENT_SIVEP).await;
    assert_eq!(agent.len(), agent_before + 1);
    assert_eq!(agent[0], "demande_a_valider");
    assert_eq!(
        kinds_of(&server, crate::accounts::HEAD).await.len(),
        head_before + 1
    );
    assert_eq!(
        kinds_of(&server, "agent.douane@demo.sesame.test")
            .await
            .len(),
        customs_before,
        "la douane ne valide pas les rendez-vous"
    );

    crate::appointments::apply(store, id, &Change::Validate, &Actor::ANONYMOUS, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kinds_of(&server, OPERATOR).await[0], "rendez_vous_confirme");

    // The clock runs: nothing a day and a half before, the day-before reminder within 24 hours
    // (once), the two-hour one within two hours (once).
    assert_eq!(
        store
            .send_reminders(slot - chrono::Duration::hours(36))
            .await
            .unwrap(),
        0
    );
    let day_before = slot - chrono::Duration::hours(20);
    assert_eq!(store.send_reminders(day_before).await.unwrap(), 1);
    assert_eq!(store.send_reminders(day_before).await.unwrap(), 0);
    assert_eq!(kinds_of(&server, OPERATOR).await[0], "rappel_veille");
    let soon = slot - chrono::Duration::minutes(90);
    assert_eq!(store.send_reminders(soon).await.unwrap(), 1);
    assert_eq!(store.send_reminders(soon).await.unwrap(), 0);
    let mine = store.notifications(user, None, false, None).await.unwrap();
    assert_eq!(mine[0].kind, "rappel_deux_heures");
    assert!(mine[0].title.contains("rendez-vous dans deux heures"));
    assert_eq!(
        mine[0].link,
        format!("/dossiers/{}/rendez-vous", selected[0])
    );

    // Moved by the post: the operators are told the new time and the reason.
    let later = slot_ahead(&calendar, slot);
    let moved = crate::appointments::apply(
        store,
        id,
        &Change::Move(later, "Quai indisponible".into()),
        &Actor::ANONYMOUS,
        now,
    )
    .await
    .unwrap();
    assert_eq!(moved, Ok(()));
    let mine = store.notifications(user, None, false, None).await.unwrap();
    assert_eq!(mine[0].kind, "rendez_vous_deplace");
    assert!(
        mine[0].body.contains("Quai indisponible"),
        "{}",
        mine[0].body
    );
    assert!(
        mine[0].title.contains(&app::ui::format::date_time(later)),
        "{}",
        mine[0].title
    );
    server.stop().await;
}

/// A step that waits more than half again its forecast's 80th percentile is told to the
/// operators once, at the time the test sets.
async fn late_steps_are_told_once(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url);
    // The worker's own rounds stay out of the way: the test holds the clock.
    config.notification_poll_millis = 3_600_000;
    let server = Running::start(&config).await;
    let own = siret_of(&server, OPERATOR).await;
    execute(
        &server.store,
        "DELETE FROM forecast_basis WHERE place = 'site:FRLEH' AND goods_category = 'fruit_vegetables' AND kind = 'arrival'",
    )
    .await
    .unwrap();
    execute(
        &server.store,
        "INSERT INTO forecast_basis (place, goods_category, kind, median_minutes, p80_minutes, cases)
         VALUES ('site:FRLEH', 'fruit_vegetables', 'arrival', 40, 60, 100)",
    )
    .await
    .unwrap();
    // Arrived five minutes ago: the arrival step is under way.
    let now = chrono::Utc::now();
    let dossier = post(
        &server,
        &first_event("retard-1", &container("RET", 10), &own),
    )
    .await;
    let link = format!("/dossiers/{dossier}");
    let late_for_me = || async {
        server
            .store
            .notifications(
                user_id(&server, OPERATOR).await,
                Some("etape_en_retard"),
                false,
                None,
            )
            .await
            .unwrap()
            .into_iter()
            .filter(|n| n.link == link)
            .collect::<Vec<_>>()
    };
    // 65 minutes in: beyond the 80th percentile, not beyond half again.
    server
        .store
        .notify_late_steps(now + chrono::Duration::minutes(60))
        .await
        .unwrap();
    assert!(late_for_me().await.is_empty());
    // 125 minutes in: told, once.
    server
        .store
        .notify_late_steps(now + chrono::Duration::minutes(120))
        .await
        .unwrap();
    server
        .store
        .notify_late_steps(now + chrono::Duration::minutes(130))
        .await
        .unwrap();
    let told = late_for_me().await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0]
            .title
            .contains("Arrivée et déchargement plus longue que prévu"),
        "{}",
        told[0].title
    );
    assert!(
        told[0].body.contains("8 fois sur 10, moins de 1 h"),
        "{}",
        told[0].body
    );
    // Another company's operator: nothing of it.
    let theirs = server
        .store
        .notifications(user_id(&server, OTHER_OPERATOR).await, None, false, None)
        .await
        .unwrap();
    assert!(!theirs.iter().any(|n| n.link == link));
    server.stop().await;
}

/// A company administrator sends « contrôle à planifier » to their haulier: nothing before the
/// haulier confirms, then only the reference, the post and what happened; nothing once removed.
/// Others may not add or remove addresses.
async fn extra_recipients_get_only_what_they_confirmed(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let (sink, server) = with_smtp(url).await;
    let own = siret_of(&server, OPERATOR).await;
    let admin = session_of(&server, OPERATOR).await;
    let other = session_of(&server, OTHER_OPERATOR).await;
    const HAULIER: &str = "transport@exemple.fr";
    let add = |cookie: &str, pairs: Vec<(&'static str, &'static str)>| {
        no_redirects()
            .post(server.url("/notifications/destinataires"))
            .header("cookie", cookie)
            .form(&pairs)
            .send()
    };
    // Bad input, each with its message; nothing added.
    for (pairs, problem) in [
        (
            vec![
                ("adresse", "transport@"),
                ("type_controle_a_planifier", "1"),
            ],
            "adresse-invalide",
        ),
        (vec![("adresse", HAULIER)], "destinataire-types"),
        (
            vec![("adresse", HAULIER), ("type_demande_a_valider", "1")],
            "type-notification",
        ),
    ] {
        let answer = add(&admin, pairs.clone()).await.unwrap();
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with(&format!("/notifications/destinataires?erreur={problem}")),
            "{pairs:?} : {location}"
        );
    }
    // Not a company administrator: refused, nothing added.
    let refused = add(
        &other,
        vec![("adresse", HAULIER), ("type_controle_a_planifier", "1")],
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let company = server
        .store
        .user_by_email(OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .company_id
        .unwrap();
    assert!(server
        .store
        .extra_recipients(company)
        .await
        .unwrap()
        .is_empty());

    let answer = add(
        &admin,
        vec![("adresse", HAULIER), ("type_controle_a_planifier", "1")],
    )
    .await
    .unwrap();
    assert_eq!(
        answer.headers()["location"],
        "/notifications/destinataires?message=destinataire-ajoute"
    );
    let twice = add(&admin, vec![("adresse", HAULIER), ("type_sortie", "1")])
        .await
        .unwrap();
    assert_eq!(
        twice.headers()["location"],
        "/notifications/destinataires?erreur=destinataire-deja-inscrit"
    );
    let confirmation = sink.next_message(Duration::from_secs(10)).await;
    assert_eq!(confirmation.to, [HAULIER]);
    let text = confirmation.decoded().text;
    let token = text
        .split("jeton=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("un lien de confirmation")
        .to_owned();

    // Not confirmed yet: the haulier gets nothing.
    let reference = container("TRP", 10);
    post(&server, &first_event("trp-1", &reference, &own)).await;
    post(&server, &selection("trp-2", &reference, &own)).await;
    let received = mails(&sink, Duration::from_secs(10), Duration::from_millis(800)).await;
    assert!(!received.iter().any(|m| m.to.contains(&HAULIER.to_owned())));

    // A wrong link confirms nothing; the right one does.
    let confirm = |token: String| {
        no_redirects()
            .post(server.url("/confirmation-destinataire"))
            .form(&[("jeton", token)])
            .send()
    };
    let wrong = confirm("0".repeat(64)).await.unwrap();
    assert_eq!(
        wrong.headers()["location"],
        "/confirmation-destinataire?erreur=lien-destinataire"
    );
    let right = confirm(token.clone()).await.unwrap();
    assert_eq!(
        right.headers()["location"],
        "/confirmation-destinataire?message=destinataire-confirme"
    );

    // Confirmed: the kind it receives, and only that, with the reference and the post only.
    let second = container("TRP", 20);
    post(&server, &first_event("trp-3", &second, &own)).await;
    post(&server, &selection("trp-4", &second, &own)).await;
    let received = mails(&sink, Duration::from_secs(10), Duration::from_millis(800)).await;
    let theirs: Vec<_> = received
        .iter()
        .filter(|m| m.to.contains(&HAULIER.to_owned()))
        .collect();
    assert_eq!(theirs.len(), 1, "seul le contrôle à planifier");
    let mail = theirs[0].decoded();
    let subject = mail.header("subject").unwrap().to_owned();
    assert!(subject.contains(&second), "{subject}");
    assert!(subject.contains("planifier"), "{subject}");
    assert!(mail.text.contains(&second));
    assert!(mail.text.contains(POST), "{}", mail.text);
    assert!(!mail.text.contains("Avocats"), "rien d'autre du dossier");
    assert!(
        !mail.text.contains("/dossiers/"),
        "aucun lien vers le dossier"
    );

    // Another company cannot remove it; its administrator can, and nothing more goes.
    let id = server.store.extra_recipients(company).await.unwrap()[0].id;
    let path = format!("/notifications/destinataires/{id}/retrait");
    let answer = no_redirects()
        .post(server.url(&path))
        .header("cookie", &other)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    let answer = no_redirects()
        .post(server.url(&path))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.headers()["location"],
        "/notifications/destinataires?message=destinataire-retire"
    );
    let third = container("TRP", 30);
    post(&server, &first_event("trp-5", &third, &own)).await;
    post(&server, &selection("trp-6", &third, &own)).await;
    let received = mails(&sink, Duration::from_secs(10), Duration::from_millis(800)).await;
    assert!(!received.iter().any(|m| m.to.contains(&HAULIER.to_owned())));
    // Its link no longer confirms anything.
    let again = confirm(token).await.unwrap();
    assert_eq!(
        again.headers()["location"],
        "/confirmation-destinataire?erreur=lien-destinataire"
    );
    server.stop().await;
}

on_both_stores!(
    operators_are_told_what_happens_to_their_dossiers,
    mails_wait_for_the_smtp_server,
    preferences_choose_the_mails,
    appointments_and_reminders,
    late_steps_are_told_once,
    extra_recipients_get_only_what_they_confirmed
);

/// Two server processes on one PostgreSQL database, both sending: each mail goes once.
#[tokio::test]
async fn two_server_processes_send_each_mail_once() {
    let Some(url) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let sink = SmtpSink::start().await;
    let env = [
        ("SESAME_SMTP_URL", sink.url.as_str()),
        ("SESAME_NOTIFICATION_POLL_MILLIS", "20"),
    ];
    let first = ServerProcess::start_with(&url, &env).await;
    let second = ServerProcess::start_with(&url, &env).await;
    let store = app::store::Store::connect(&url).await.unwrap();
    let (company, siret) = company_and_siret(&store, OPERATOR).await;
    let operators = store.company_users(company).await.unwrap().len();
    let count = 20;
    for n in 0..count {
        let process = if n % 2 == 0 { &first } else { &second };
        let answer = reqwest::Client::new()
            .post(process.url("/api/v1/events"))
            .bearer_auth(crate::helpers::DEMO_API_KEY)
            .json(&first_event(
                &format!("deux-{n}"),
                &container("DEU", 10 * n + 1),
                &siret,
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::CREATED);
    }
    let received = mails(&sink, Duration::from_secs(30), Duration::from_secs(2)).await;
    let mut per_message: HashMap<String, usize> = HashMap::new();
    for mail in &received {
        *per_message
            .entry(mail.decoded().header("message-id").unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(per_message.len(), count as usize * operators);
    assert!(
        per_message.values().all(|sent| *sent == 1),
        "un seul envoi par courriel : {per_message:?}"
    );
    let app::store::Engine::Postgres(pool) = store.engine() else {
        unreachable!()
    };
    let by: Vec<(Option<String>, i64)> = sqlx::query_as(
        "SELECT leased_by, COUNT(*) FROM notification_mail WHERE sent_at IS NOT NULL GROUP BY leased_by",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        by.iter().map(|(_, n)| n).sum::<i64>(),
        i64::from(count) * operators as i64,
        "{by:?}"
    );
    store.close().await;
    drop((first, second));
}
