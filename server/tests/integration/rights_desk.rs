//! The rights of the persons concerned, on the real server and both stores: a person presents a
//! request from their space and is told its deadline by mail; the DGDDI's rights desk (opened to
//! an account by the technical administrator, and to nobody else) sees it, extends it once with
//! the reason mailed, answers it (mailed and kept); a granted objection stops the person's
//! notifications and takes them off their company's operator card; the desk records a request
//! that came by post, holds the account in dispute (an erasure cannot be granted then), and a
//! granted erasure closes the account at once and lets the next purge erase it. Everyone else is
//! refused and learns nothing; every step is in the audit trail, which still verifies.

use app::domain::rights::{due_on, extended_due_on};
use app::store::{Backend, Store};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use server::config::Config;

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::dossier_documents::operator_dossier;
use crate::helpers::{config, container, count, fresh_database, on_both_stores, Running};
use crate::retention::where_found;
use crate::smtp_sink::{mail_about, SmtpSink};

on_both_stores!(
    a_request_goes_from_the_personal_space_to_the_desk_and_back,
    the_desk_records_requests_from_outside_and_grants_an_erasure,
    a_dossier_in_dispute_keeps_the_names_of_those_who_acted_in_it,
    a_limitation_is_lifted_and_a_sole_trader_recorded,
);

const DESK: &str = "agent.douane@demo.sesame.test";
const ADMIN: &str = "admin@demo.sesame.test";
const SUPERVISOR: &str = "superviseur@demo.sesame.test";

async fn with_mail(backend: Backend) -> Option<(Running, SmtpSink, Config)> {
    let url = fresh_database(backend).await?;
    let sink = SmtpSink::start().await;
    let mut config = config(url);
    config.smtp_url = Some(SecretString::from(sink.url.clone()));
    config.submissions_burst = 200;
    config.submissions_per_minute = 600;
    Some((Running::start(&config).await, sink, config))
}

async fn signed_in(server: &Running, email: &str) -> Browser {
    let browser = Browser::new(server);
    browser.sign_in(email, PASSWORD).await;
    browser
}

async fn user_id(store: &Store, email: &str) -> i64 {
    store.user_by_email(email).await.unwrap().unwrap().id
}

fn day(at: chrono::NaiveDate) -> String {
    at.format("%d/%m/%Y").to_string()
}

async fn a_request_goes_from_the_personal_space_to_the_desk_and_back(backend: Backend) {
    let Some((server, sink, _)) = with_mail(backend).await else {
        return;
    };
    let store = &server.store;
    // The request's day and its due date are read after it is sent: the same day.
    crate::helpers::clear_of_paris_midnight(chrono::Duration::minutes(2)).await;
    let claire_id = user_id(store, OPERATOR).await;
    let claire = signed_in(&server, OPERATOR).await;
    let requests = "SELECT COUNT(*) FROM rights_request";

    // A request without its kind or with too short a text: nothing written, the form says why.
    let refused = claire
        .post(
            "/espace/donnees/demandes",
            &[("nature", "opposition"), ("texte", "non")],
        )
        .await;
    assert!(
        refused.location.contains("erreur=demande-droits-invalide"),
        "{}",
        refused.location
    );
    let (_, page) = claire.page(&refused.location).await;
    assert!(
        page.contains("trop court"),
        "le formulaire dit ce qui ne va pas"
    );
    let refused = claire
        .post(
            "/espace/donnees/demandes",
            &[("texte", "Je m'oppose aux notifications.")],
        )
        .await;
    assert!(refused.location.contains("erreur=demande-droits-invalide"));
    assert_eq!(count(store, requests).await, 0);

    // Claire objects; the same form sent twice makes one request.
    let text = "Je m'oppose à l'utilisation de mes données pour les notifications.";
    for _ in 0..2 {
        let sent = claire
            .post(
                "/espace/donnees/demandes",
                &[("nature", "opposition"), ("texte", text)],
            )
            .await;
        assert!(
            sent.location.contains("message=demande-droits-envoyee"),
            "{}",
            sent.location
        );
    }
    assert_eq!(count(store, requests).await, 1);
    let id = count(store, "SELECT MAX(id) FROM rights_request").await;
    let today = app::domain::access::local_day(Utc::now());
    let receipt = mail_about(&sink, OPERATOR, "bien été reçue").await;
    assert!(
        receipt.text.contains(&day(due_on(today))),
        "{}",
        receipt.text
    );
    // The desk is told a request waits, and nothing of who asked.
    let told = mail_about(&sink, DESK, "Nouvelle demande").await;
    assert!(
        told.text.contains(&format!("/droits/{id}")),
        "{}",
        told.text
    );
    assert!(!told.text.contains(OPERATOR) && !told.text.contains("Claire"));
    let (_, space) = claire.page("/espace/donnees").await;
    assert!(
        space.contains(&format!("Demande n° {id}")),
        "sa demande est listée"
    );
    assert!(space.contains("En cours"));

    // Nobody but the desk reaches it, and none learns anything: another operator, an agent of
    // the SIVEP, the supervisor, the administrator; a form sent by them changes nothing.
    for email in [OTHER_OPERATOR, AGENT_SIVEP, SUPERVISOR, ADMIN] {
        let other = signed_in(&server, email).await;
        for path in ["/droits".to_owned(), format!("/droits/{id}")] {
            let (status, page) = other.page(&path).await;
            assert_eq!(status, 403, "{email} sur {path}");
            assert!(
                !page.contains(text) && !page.contains(OPERATOR),
                "{email} sur {path}"
            );
        }
        let (_, theirs) = other.page("/espace/donnees").await;
        assert!(
            !theirs.contains(text),
            "{email} voit la demande d'une autre"
        );
        let answer = other
            .post(
                &format!("/droits/{id}/reponse"),
                &[
                    ("decision", "refusee"),
                    ("reponse", "Refus pour voir ce qui arrive."),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{email}");
        let extended = other
            .post(
                &format!("/droits/{id}/prolongation"),
                &[("motif", "Prolongation par quelqu'un d'autre.")],
            )
            .await;
        assert_eq!(extended.status, StatusCode::FORBIDDEN, "{email}");
    }
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM rights_request WHERE answered_at IS NULL AND extended_at IS NULL"
        )
        .await,
        1
    );

    // The desk reads the list and the request: each reading is a consultation of her data.
    let desk = signed_in(&server, DESK).await;
    let (status, list) = desk.page("/droits").await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("n° {id}")) && list.contains("Claire Martin"));
    let (status, page) = desk.page(&format!("/droits/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(text) && page.contains(&day(due_on(today))));
    assert_eq!(
        count(
            store,
            &format!(
                "SELECT COUNT(*) FROM audit_entry WHERE action = 'consultation_demande_droits'
                 AND object = 'utilisateur:{claire_id}'"
            ),
        )
        .await,
        1
    );

    // The deadline is extended once, with a reason the person receives.
    let short = desk
        .post(&format!("/droits/{id}/prolongation"), &[("motif", "court")])
        .await;
    assert!(short.location.contains("erreur=prolongation-invalide"));
    let reason = "Vérification des notifications auprès de chaque poste concerné.";
    let extended = desk
        .post(&format!("/droits/{id}/prolongation"), &[("motif", reason)])
        .await;
    assert!(
        extended
            .location
            .contains("message=demande-droits-prolongee"),
        "{}",
        extended.location
    );
    let mail = mail_about(&sink, OPERATOR, "prolongé").await;
    assert!(mail.text.contains(reason), "{}", mail.text);
    assert!(
        mail.text.contains(&day(extended_due_on(today))),
        "{}",
        mail.text
    );
    let again = desk
        .post(&format!("/droits/{id}/prolongation"), &[("motif", reason)])
        .await;
    assert!(again.location.contains("erreur=prolongation-invalide"));

    // Before the answer, a new dossier of her company is notified to her, and her card names her.
    let sophie = signed_in(&server, AGENT_SIVEP).await;
    let company = store
        .user_by_email(OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .company_id
        .unwrap();
    let (_, card) = sophie.page(&format!("/operateurs/{company}")).await;
    assert!(card.contains("Claire Martin"), "la fiche nomme Claire");
    let notified = |dossier: i64| {
        format!("SELECT COUNT(*) FROM notification WHERE user_id = {claire_id} AND dossier_id = {dossier}")
    };
    let before = operator_dossier(
        &server,
        "DR-AVANT",
        &container("OCE", 811),
        "CHEDP.FR.2026.0000811",
    )
    .await;
    assert!(
        count(store, &notified(before)).await > 0,
        "Claire est notifiée avant"
    );

    // The answer: an invalid one is refused, a granted objection is mailed and kept, and it
    // takes effect at once.
    let invalid = desk
        .post(
            &format!("/droits/{id}/reponse"),
            &[
                ("decision", "peut-etre"),
                ("reponse", "Une réponse assez longue."),
            ],
        )
        .await;
    assert!(invalid.location.contains("erreur=reponse-invalide"));
    let answer = "Votre opposition est accordée : vous ne recevrez plus de notifications.";
    let answered = desk
        .post(
            &format!("/droits/{id}/reponse"),
            &[("decision", "accordee"), ("reponse", answer)],
        )
        .await;
    assert!(
        answered
            .location
            .contains("message=demande-droits-repondue"),
        "{}",
        answered.location
    );
    let mail = mail_about(&sink, OPERATOR, "Réponse à votre demande").await;
    assert!(
        mail.text.contains(answer) && mail.text.contains("Accordée"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("CNIL"));
    let twice = desk
        .post(
            &format!("/droits/{id}/reponse"),
            &[
                ("decision", "refusee"),
                ("reponse", "Une seconde réponse, qui ne doit pas partir."),
            ],
        )
        .await;
    assert!(twice.location.contains("erreur=demande-droits-introuvable"));
    let after = operator_dossier(
        &server,
        "DR-APRES",
        &container("OCE", 812),
        "CHEDP.FR.2026.0000812",
    )
    .await;
    assert_eq!(
        count(store, &notified(after)).await,
        0,
        "plus de notification"
    );
    let (_, card) = sophie.page(&format!("/operateurs/{company}")).await;
    assert!(
        !card.contains("Claire Martin"),
        "la fiche ne la présente plus"
    );
    // She still signs in and sees her answer.
    let (_, space) = claire.page("/espace/donnees").await;
    assert!(space.contains(answer) && space.contains("Accordée"));
    // Her copy of her data carries the request and its answer.
    let copy = crate::dossier_documents::unzip(&claire.bytes("/espace/donnees.zip").await);
    let data: serde_json::Value =
        serde_json::from_slice(&copy["donnees-personnelles.json"]).unwrap();
    let asked = &data["demandes_droits"][0];
    assert_eq!(asked["numero"], id, "{data:#}");
    assert_eq!(asked["decision"], "Accordée");
    assert_eq!(asked["reponse"], answer);
    assert_eq!(asked["prolongation"], reason);

    // A head of service, who decides about accounts of their sites, neither opens nor closes the
    // desk: only the technical administrator does.
    let desk_id = user_id(store, DESK).await;
    let sophie_id = user_id(store, AGENT_SIVEP).await;
    let head = signed_in(&server, crate::accounts::HEAD).await;
    for path in [
        format!("/comptes/{desk_id}/guichet-droits/retrait"),
        format!("/comptes/{sophie_id}/guichet-droits"),
    ] {
        let tried = head.post(&path, &[]).await;
        assert_eq!(tried.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM rights_desk_member").await,
        1,
        "le guichet n'a pas changé de mains"
    );
    let (status, _) = desk.page("/droits").await;
    assert_eq!(status, 200);

    // The administrator closes the desk to the agent, who is refused at once; and cannot open
    // it to an agent of the SIVEP.
    let admin = signed_in(&server, ADMIN).await;
    let withdrawn = admin
        .post(&format!("/comptes/{desk_id}/guichet-droits/retrait"), &[])
        .await;
    assert!(
        withdrawn.location.contains("message=guichet-retire"),
        "{}",
        withdrawn.location
    );
    let (status, _) = desk.page("/droits").await;
    assert_eq!(status, 403);
    let refused = admin
        .post(&format!("/comptes/{sophie_id}/guichet-droits"), &[])
        .await;
    assert!(
        refused.location.contains("erreur=guichet-impossible"),
        "{}",
        refused.location
    );
    let (status, _) = sophie.page("/droits").await;
    assert_eq!(status, 403);
    let granted = admin
        .post(&format!("/comptes/{desk_id}/guichet-droits"), &[])
        .await;
    assert!(
        granted.location.contains("message=guichet-confie"),
        "{}",
        granted.location
    );
    mail_about(&sink, DESK, "guichet des droits vous est confié").await;
    let (status, _) = desk.page("/droits").await;
    assert_eq!(status, 200);

    for action in [
        "demande_droits_recue",
        "demande_droits_prolongee",
        "demande_droits_repondue",
        "guichet_droits_retire",
        "guichet_droits_ouvert",
    ] {
        assert!(
            count(
                store,
                &format!("SELECT COUNT(*) FROM audit_entry WHERE action = '{action}'")
            )
            .await
                >= 1,
            "{action} absent du journal"
        );
    }
    assert_eq!(store.verify_audit().await.unwrap().problem, None);
    server.stop().await;
}

async fn the_desk_records_requests_from_outside_and_grants_an_erasure(backend: Backend) {
    let Some((server, sink, config)) = with_mail(backend).await else {
        return;
    };
    let store = &server.store;
    let karim_id = user_id(store, OTHER_OPERATOR).await;
    let karim = signed_in(&server, OTHER_OPERATOR).await;
    let desk = signed_in(&server, DESK).await;
    let today = app::domain::access::local_day(Utc::now());
    let received = today - Duration::days(3);
    let requests = "SELECT COUNT(*) FROM rights_request";

    // A request received tomorrow, or through the personal space, is not the desk's to record.
    let record = |received: String, channel: &'static str| {
        let desk = &desk;
        async move {
            desk.post(
                "/droits/demandes",
                &[
                    ("nom", "Karim Benali"),
                    ("adresse", OTHER_OPERATOR),
                    ("nature", "effacement"),
                    ("canal", channel),
                    ("recue", &received),
                    (
                        "texte",
                        "Lettre du 2 décembre : demande l'effacement de son compte.",
                    ),
                ],
            )
            .await
        }
    };
    let future = record(day(today + Duration::days(1)), "courrier").await;
    assert!(future.location.contains("erreur=demande-droits-invalide"));
    let (_, page) = desk.page(&future.location).await;
    assert!(
        page.contains("ne peut pas être dans le futur"),
        "le jour est refusé en français"
    );
    let espace = record(day(received), "espace").await;
    assert!(espace.location.contains("erreur=demande-droits-invalide"));
    assert_eq!(count(store, requests).await, 0);

    // Recorded from the letter: linked to his account, due a month after receipt.
    let recorded = record(day(received), "courrier").await;
    assert!(
        recorded
            .location
            .contains("message=demande-droits-enregistree"),
        "{}",
        recorded.location
    );
    let id = count(store, "SELECT MAX(id) FROM rights_request").await;
    assert!(recorded.location.starts_with(&format!("/droits/{id}")));
    assert_eq!(
        count(
            store,
            &format!(
                "SELECT COUNT(*) FROM rights_request WHERE id = {id} AND user_id = {karim_id}"
            )
        )
        .await,
        1
    );
    let receipt = mail_about(&sink, OTHER_OPERATOR, "bien été reçue").await;
    assert!(
        receipt.text.contains(&day(due_on(received))),
        "{}",
        receipt.text
    );

    // A hold for a dispute: the erasure cannot be granted while it lasts.
    let hold = desk
        .post(
            &format!("/droits/{id}/gel"),
            &[("gel", "Contentieux douanier n° 2026-118 en cours")],
        )
        .await;
    assert!(
        hold.location.contains("message=gel-pose"),
        "{}",
        hold.location
    );
    let hold_id = count(store, "SELECT MAX(id) FROM legal_hold").await;
    let grant = [
        ("decision", "accordee"),
        (
            "reponse",
            "Votre compte est clos et votre identité effacée de France Sésame.",
        ),
    ];
    let held = desk.post(&format!("/droits/{id}/reponse"), &grant).await;
    assert!(
        held.location.contains("erreur=effacement-gele"),
        "{}",
        held.location
    );
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM rights_request WHERE id = {id} AND answered_at IS NULL")
        )
        .await,
        1
    );
    // Another request's page cannot lift it.
    let other = desk
        .post(
            "/droits/demandes",
            &[
                ("nom", "Jeanne Petit"),
                ("adresse", "jeanne.petit@example.org"),
                ("nature", "opposition"),
                ("canal", "dgal"),
                ("recue", &day(today)),
                (
                    "texte",
                    "Transmise par la DGAL : s'oppose à tout traitement.",
                ),
            ],
        )
        .await;
    let jeanne = count(store, "SELECT MAX(id) FROM rights_request").await;
    assert!(other.location.starts_with(&format!("/droits/{jeanne}")));
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM rights_request WHERE id = {jeanne} AND user_id IS NULL")
        )
        .await,
        1
    );
    // Past its month, a deadline can no longer be extended: the request is late.
    crate::helpers::execute(
        store,
        &format!("UPDATE rights_request SET due_on = '2026-01-05' WHERE id = {jeanne}"),
    )
    .await
    .unwrap();
    let late = desk
        .post(
            &format!("/droits/{jeanne}/prolongation"),
            &[(
                "motif",
                "Prolongation demandée trop tard, après l'échéance.",
            )],
        )
        .await;
    assert!(
        late.location.contains("erreur=prolongation-invalide"),
        "{}",
        late.location
    );
    let (_, page) = desk.page("/droits").await;
    assert!(page.contains("En retard"));
    let wrong = desk
        .post(&format!("/droits/{jeanne}/gels/{hold_id}/levee"), &[])
        .await;
    assert!(wrong.location.contains("erreur=gel-invalide"));
    let lifted = desk
        .post(&format!("/droits/{id}/gels/{hold_id}/levee"), &[])
        .await;
    assert!(
        lifted.location.contains("message=gel-leve"),
        "{}",
        lifted.location
    );

    // Granted: the account closes at once (his page sends him away), the answer leaves.
    let granted = desk.post(&format!("/droits/{id}/reponse"), &grant).await;
    assert!(
        granted.location.contains("message=demande-droits-repondue"),
        "{}",
        granted.location
    );
    let mail = mail_about(&sink, OTHER_OPERATOR, "Réponse à votre demande").await;
    assert!(mail.text.contains("identité effacée"), "{}", mail.text);
    let (status, _) = karim.page("/espace").await;
    assert_ne!(status, 200, "le compte est clos");
    assert!(store.user_by_email(OTHER_OPERATOR).await.unwrap().is_none());
    // Closed but not yet erased: a letter from him is still his account's.
    let letter = desk
        .post(
            "/droits/demandes",
            &[
                ("nom", "Karim Benali"),
                ("adresse", OTHER_OPERATOR),
                ("nature", "acces"),
                ("canal", "courriel"),
                ("recue", &day(today)),
                ("texte", "Courriel : demande une copie de ses échanges."),
            ],
        )
        .await;
    assert!(letter
        .location
        .contains("message=demande-droits-enregistree"));
    let letter_id = count(store, "SELECT MAX(id) FROM rights_request").await;
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM rights_request WHERE id = {letter_id} AND user_id = {karim_id}")
        )
        .await,
        1
    );

    // The desk does not close or limit an account it must not decide about: the administrator's,
    // its own members' (the recording agent's included).
    for (who, email) in [("Julien Fontaine", ADMIN), ("Thomas Moreau", DESK)] {
        let recorded = desk
            .post(
                "/droits/demandes",
                &[
                    ("nom", who),
                    ("adresse", email),
                    ("nature", "effacement"),
                    ("canal", "courrier"),
                    ("recue", &day(today)),
                    ("texte", "Lettre : demande l'effacement de son compte."),
                ],
            )
            .await;
        let protected = count(store, "SELECT MAX(id) FROM rights_request").await;
        assert!(recorded
            .location
            .starts_with(&format!("/droits/{protected}")));
        let refused = desk
            .post(&format!("/droits/{protected}/reponse"), &grant)
            .await;
        assert!(
            refused.location.contains("erreur=reponse-protegee"),
            "{email} : {}",
            refused.location
        );
        assert!(
            store.user_by_email(email).await.unwrap().is_some(),
            "{email} reste ouvert"
        );
    }

    // The outside person's refusal changes no account.
    let refused = desk
        .post(
            &format!("/droits/{jeanne}/reponse"),
            &[
                ("decision", "refusee"),
                (
                    "reponse",
                    "Le traitement est nécessaire à la mission de contrôle.",
                ),
            ],
        )
        .await;
    assert!(refused.location.contains("message=demande-droits-repondue"));
    mail_about(&sink, "jeanne.petit@example.org", "Réponse à votre demande").await;

    // The next purge erases him, though he signed in today; nobody else.
    let purge = match &config.purge_database_url {
        Some(url) => Store::connect(url.expose_secret()).await.unwrap(),
        None => store.clone(),
    };
    let files = server::files::LocalFolder::new(&config.documents_folder);
    // While the answer has not left by mail, the purge waits: he must hear of it first. The
    // desk sends it again, and the purge goes on.
    crate::helpers::execute(
        store,
        &format!("UPDATE rights_request SET answer_mailed_at = NULL WHERE id = {id}"),
    )
    .await
    .unwrap();
    server::retention::run(store, &purge, &files, Utc::now())
        .await
        .unwrap();
    assert!(
        !where_found(store, OTHER_OPERATOR).await.is_empty(),
        "effacé avant d'avoir reçu la réponse"
    );
    let (_, page) = desk.page(&format!("/droits/{id}")).await;
    assert!(page.contains("Le courriel de la réponse n'est pas parti."));
    let resent = desk.post(&format!("/droits/{id}/renvoi"), &[]).await;
    assert!(
        resent.location.contains("message=demande-droits-repondue"),
        "{}",
        resent.location
    );
    server::retention::run(store, &purge, &files, Utc::now())
        .await
        .unwrap();
    assert!(
        where_found(store, OTHER_OPERATOR).await.is_empty(),
        "{:?}",
        where_found(store, OTHER_OPERATOR).await
    );
    assert!(where_found(store, "Karim Benali").await.is_empty());
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM app_user WHERE erased_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count(store, &format!("SELECT COUNT(*) FROM audit_entry WHERE action = 'compte_supprime' AND object = 'utilisateur:{karim_id}'")).await,
        1
    );
    // Two years after their answer, the requests keep what was decided, not who asked.
    server::retention::run(store, &purge, &files, Utc::now() + Duration::days(745))
        .await
        .unwrap();
    assert!(where_found(store, "jeanne.petit@example.org")
        .await
        .is_empty());
    // Karim's own words went too, though his address had gone with his account.
    for text in ["Lettre du 2 décembre", "identité effacée de France Sésame"] {
        assert!(
            where_found(store, text).await.is_empty(),
            "{text} : {:?}",
            where_found(store, text).await
        );
    }
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM rights_request WHERE decision IS NOT NULL"
        )
        .await,
        2
    );
    assert_eq!(store.verify_audit().await.unwrap().problem, None);
    server.stop().await;
}

async fn a_dossier_in_dispute_keeps_the_names_of_those_who_acted_in_it(backend: Backend) {
    let Some((server, _sink, config)) = with_mail(backend).await else {
        return;
    };
    let store = &server.store;
    let dossier = operator_dossier(
        &server,
        "DR-LITIGE",
        &container("OCE", 813),
        "CHEDP.FR.2026.0000813",
    )
    .await;
    // Claire writes to the SIVEP about the dossier.
    let claire = signed_in(&server, OPERATOR).await;
    let form = reqwest::multipart::Form::new()
        .text("dossier", dossier.to_string())
        .text("destinataire", "dgal")
        .text("objet", "autre")
        .text("titre", "Contestation du contrôle")
        .text(
            "texte",
            "Nous contestons le résultat du contrôle de ce lot.",
        );
    let opened = claire.post_multipart("/messagerie/nouvelle", form).await;
    assert!(!opened.location.contains("erreur"), "{}", opened.location);
    let claire_id = user_id(store, OPERATOR).await;

    // Only the desk holds a dossier, an existing one, with a reason.
    let holds = "SELECT COUNT(*) FROM legal_hold WHERE dossier_id IS NOT NULL";
    let reason = "Recours contentieux n° 2026-77 contre la décision de refoulement";
    for email in [OPERATOR, AGENT_SIVEP, ADMIN] {
        let other = signed_in(&server, email).await;
        let tried = other
            .post(
                "/droits/gels",
                &[("dossier", &dossier.to_string()), ("motif", reason)],
            )
            .await;
        assert_eq!(tried.status, StatusCode::FORBIDDEN, "{email}");
    }
    let desk = signed_in(&server, DESK).await;
    for (number, motif) in [
        ("999999", reason),
        ("douze", reason),
        (&*dossier.to_string(), "court"),
    ] {
        let refused = desk
            .post("/droits/gels", &[("dossier", number), ("motif", motif)])
            .await;
        assert!(
            refused.location.contains("erreur=gel-dossier-invalide"),
            "{number} {motif}"
        );
    }
    assert_eq!(count(store, holds).await, 0);
    let held = desk
        .post(
            "/droits/gels",
            &[("dossier", &dossier.to_string()), ("motif", reason)],
        )
        .await;
    assert!(
        held.location.contains("message=dossier-gele"),
        "{}",
        held.location
    );
    let (_, page) = desk.page("/droits").await;
    assert!(page.contains(&format!("Dossier n° {dossier}")) && page.contains(reason));
    // While the dossier is held, Claire's erasure cannot be granted: she acted in it.
    let asked = claire
        .post(
            "/espace/donnees/demandes",
            &[
                ("nature", "effacement"),
                ("texte", "Je demande l'effacement de mon compte."),
            ],
        )
        .await;
    assert!(asked.location.contains("message=demande-droits-envoyee"));
    let request = count(store, "SELECT MAX(id) FROM rights_request").await;
    let held = desk
        .post(
            &format!("/droits/{request}/reponse"),
            &[
                ("decision", "accordee"),
                ("reponse", "Votre compte sera effacé sous un jour."),
            ],
        )
        .await;
    assert!(
        held.location.contains("erreur=effacement-gele"),
        "{}",
        held.location
    );
    assert_eq!(
        count(store, &format!("SELECT COUNT(*) FROM app_user WHERE id = {claire_id} AND disabled_at IS NULL AND erasure_granted_at IS NULL")).await,
        1
    );
    let hold = count(store, "SELECT MAX(id) FROM legal_hold").await;
    // The form sent again places no second hold.
    desk.post(
        "/droits/gels",
        &[("dossier", &dossier.to_string()), ("motif", reason)],
    )
    .await;
    assert_eq!(count(store, holds).await, 1);

    // Two years on, Claire would go; the dossier she wrote in keeps her while it is held.
    let later = Utc::now() + Duration::days(745);
    crate::helpers::execute(
        store,
        &format!(
            "UPDATE app_user SET last_sign_in_at = '{}' WHERE id <> {claire_id}",
            (later - Duration::days(1)).format("%Y-%m-%dT%H:%M:%S+00:00")
        ),
    )
    .await
    .unwrap();
    let purge = match &config.purge_database_url {
        Some(url) => Store::connect(url.expose_secret()).await.unwrap(),
        None => store.clone(),
    };
    let files = server::files::LocalFolder::new(&config.documents_folder);
    server::retention::run(store, &purge, &files, later)
        .await
        .unwrap();
    assert!(
        !where_found(store, OPERATOR).await.is_empty(),
        "le gel la garde"
    );
    // The run ended every session (their connection data were past six months): sign in again.
    // Nobody but the desk lifts the hold.
    let desk = signed_in(&server, DESK).await;
    let other = signed_in(&server, AGENT_SIVEP).await;
    let tried = other.post(&format!("/droits/gels/{hold}/levee"), &[]).await;
    assert_eq!(tried.status, StatusCode::FORBIDDEN);
    let lifted = desk.post(&format!("/droits/gels/{hold}/levee"), &[]).await;
    assert!(
        lifted.location.contains("message=dossier-degele"),
        "{}",
        lifted.location
    );
    let again = desk.post(&format!("/droits/gels/{hold}/levee"), &[]).await;
    assert!(again.location.contains("erreur=gel-dossier-invalide"));
    server::retention::run(store, &purge, &files, later)
        .await
        .unwrap();
    assert!(
        where_found(store, OPERATOR).await.is_empty(),
        "{:?}",
        where_found(store, OPERATOR).await
    );
    assert_eq!(store.verify_audit().await.unwrap().problem, None);
    server.stop().await;
}

/// A limited agent is not given work by colleagues (they may still take it themselves); the
/// desk lifts the limitation with a reason the person receives; a person's company is recorded
/// as a sole trader's. Nobody else does either.
async fn a_limitation_is_lifted_and_a_sole_trader_recorded(backend: Backend) {
    let Some((server, sink, _)) = with_mail(backend).await else {
        return;
    };
    let store = &server.store;
    let sophie_id = user_id(store, AGENT_SIVEP).await;
    let dossier = operator_dossier(
        &server,
        "DR-LIMITE",
        &container("OCE", 814),
        "CHEDP.FR.2026.0000814",
    )
    .await;
    let claire = signed_in(&server, OPERATOR).await;
    let form = reqwest::multipart::Form::new()
        .text("dossier", dossier.to_string())
        .text("destinataire", "dgal")
        .text("objet", "autre")
        .text("titre", "Question sur le contrôle")
        .text("texte", "Quand le contrôle de ce lot aura-t-il lieu ?");
    let opened = claire.post_multipart("/messagerie/nouvelle", form).await;
    assert!(!opened.location.contains("erreur"), "{}", opened.location);
    let exchange = count(store, "SELECT MAX(id) FROM exchange").await;
    let head = signed_in(&server, crate::accounts::HEAD).await;
    let (_, page) = head.page(&format!("/messagerie/{exchange}")).await;
    assert!(
        page.contains("Sophie Leroy"),
        "le chef peut confier l'échange à Sophie"
    );

    // Sophie wrote by post to limit the use of her data; the desk records and grants it.
    let desk = signed_in(&server, DESK).await;
    let recorded = desk
        .post(
            "/droits/demandes",
            &[
                ("nom", "Sophie Leroy"),
                ("adresse", AGENT_SIVEP),
                ("nature", "limitation"),
                ("canal", "courrier"),
                ("recue", &day(app::domain::access::local_day(Utc::now()))),
                (
                    "texte",
                    "Je conteste l'exactitude de mes données ; limitez-en l'usage.",
                ),
            ],
        )
        .await;
    assert!(
        recorded
            .location
            .contains("message=demande-droits-enregistree"),
        "{}",
        recorded.location
    );
    let id = count(store, "SELECT MAX(id) FROM rights_request").await;
    let answered = desk
        .post(
            &format!("/droits/{id}/reponse"),
            &[
                ("decision", "accordee"),
                (
                    "reponse",
                    "La limitation est accordée le temps de la vérification.",
                ),
            ],
        )
        .await;
    assert!(
        answered
            .location
            .contains("message=demande-droits-repondue"),
        "{}",
        answered.location
    );
    let limited =
        format!("SELECT COUNT(*) FROM app_user WHERE id = {sophie_id} AND limited_at IS NOT NULL");
    assert_eq!(count(store, &limited).await, 1);

    // Her colleague no longer gives her work; she still takes it herself.
    let (_, page) = head.page(&format!("/messagerie/{exchange}")).await;
    assert!(!page.contains("Sophie Leroy"), "plus proposée au chef");
    let given = head
        .post(
            &format!("/messagerie/{exchange}/attribution"),
            &[("agent", &sophie_id.to_string())],
        )
        .await;
    assert!(
        given.location.contains("erreur=echange-agent"),
        "{}",
        given.location
    );
    let assigned = format!(
        "SELECT COUNT(*) FROM exchange WHERE id = {exchange} AND assigned_user_id = {sophie_id}"
    );
    assert_eq!(count(store, &assigned).await, 0);
    let sophie = signed_in(&server, AGENT_SIVEP).await;
    let taken = sophie
        .post(
            &format!("/messagerie/{exchange}/attribution"),
            &[("agent", "")],
        )
        .await;
    assert!(!taken.location.contains("erreur"), "{}", taken.location);
    assert_eq!(count(store, &assigned).await, 1);

    // Nobody but the desk lifts it or records a sole trader: nothing changes.
    for email in [OPERATOR, AGENT_SIVEP, ADMIN, SUPERVISOR] {
        let other = signed_in(&server, email).await;
        let lift = other
            .post(
                &format!("/droits/{id}/limitation/levee"),
                &[("motif", "Levée par quelqu'un qui ne le peut pas.")],
            )
            .await;
        assert_eq!(lift.status, StatusCode::FORBIDDEN, "{email}");
        let marked = other
            .post(
                &format!("/droits/{id}/entreprise-individuelle"),
                &[("valeur", "oui")],
            )
            .await;
        assert_eq!(marked.status, StatusCode::FORBIDDEN, "{email}");
    }
    assert_eq!(count(store, &limited).await, 1);

    // The desk lifts it, with a reason the person receives; not twice, not without a reason.
    let short = desk
        .post(
            &format!("/droits/{id}/limitation/levee"),
            &[("motif", "fini")],
        )
        .await;
    assert!(
        short.location.contains("erreur=levee-limitation-invalide"),
        "{}",
        short.location
    );
    assert_eq!(count(store, &limited).await, 1);
    let reason = "Vos données ont été vérifiées et sont exactes.";
    let lifted = desk
        .post(
            &format!("/droits/{id}/limitation/levee"),
            &[("motif", reason)],
        )
        .await;
    assert!(
        lifted.location.contains("message=limitation-levee"),
        "{}",
        lifted.location
    );
    assert_eq!(count(store, &limited).await, 0);
    let mail = mail_about(&sink, AGENT_SIVEP, "la limitation est levée").await;
    assert!(mail.text.contains(reason), "{}", mail.text);
    let again = desk
        .post(
            &format!("/droits/{id}/limitation/levee"),
            &[("motif", reason)],
        )
        .await;
    assert!(again.location.contains("erreur=levee-limitation-invalide"));
    let (_, page) = head.page(&format!("/messagerie/{exchange}")).await;
    assert!(page.contains("Sophie Leroy"), "de nouveau proposée");

    // Claire says her company is herself: the desk records it from her request.
    let asked = claire
        .post(
            "/espace/donnees/demandes",
            &[
                ("nature", "acces"),
                (
                    "texte",
                    "Mon entreprise est une entreprise individuelle : c'est moi.",
                ),
            ],
        )
        .await;
    assert!(asked.location.contains("message=demande-droits-envoyee"));
    let hers = count(store, "SELECT MAX(id) FROM rights_request").await;
    let company = store
        .user_by_email(OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .company_id
        .unwrap();
    let sole = format!("SELECT COUNT(*) FROM company WHERE id = {company} AND sole_trader");
    let (_, page) = desk.page(&format!("/droits/{hers}")).await;
    assert!(page.contains("La traiter comme une entreprise individuelle"));
    let marked = desk
        .post(
            &format!("/droits/{hers}/entreprise-individuelle"),
            &[("valeur", "oui")],
        )
        .await;
    assert!(
        marked.location.contains("message=entreprise-individuelle"),
        "{}",
        marked.location
    );
    assert_eq!(count(store, &sole).await, 1);
    let twice = desk
        .post(
            &format!("/droits/{hers}/entreprise-individuelle"),
            &[("valeur", "oui")],
        )
        .await;
    assert!(twice
        .location
        .contains("erreur=entreprise-individuelle-invalide"));
    let nonsense = desk
        .post(
            &format!("/droits/{hers}/entreprise-individuelle"),
            &[("valeur", "peut-etre")],
        )
        .await;
    assert!(nonsense
        .location
        .contains("erreur=entreprise-individuelle-invalide"));
    assert_eq!(count(store, &sole).await, 1);
    let unmarked = desk
        .post(
            &format!("/droits/{hers}/entreprise-individuelle"),
            &[("valeur", "non")],
        )
        .await;
    assert!(
        unmarked
            .location
            .contains("message=entreprise-non-individuelle"),
        "{}",
        unmarked.location
    );
    assert_eq!(count(store, &sole).await, 0);

    for action in ["limitation_levee", "entreprise_individuelle"] {
        assert!(
            count(
                store,
                &format!("SELECT COUNT(*) FROM audit_entry WHERE action = '{action}'")
            )
            .await
                >= 1,
            "{action} absent du journal"
        );
    }
    assert_eq!(store.verify_audit().await.unwrap().problem, None);
    server.stop().await;
}
