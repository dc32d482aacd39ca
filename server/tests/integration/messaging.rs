//! The messaging on the real server and both stores, as its users and its attackers would use
//! it: an operator writes about a dossier to « je ne sais pas », both administrations of the site
//! see it, customs takes it, adds an internal note the operator never sees (pages, server
//! functions, stream, notifications), replies and transfers it; another company, another site's
//! agent and the DGITM get nothing, answered as for an exchange that does not exist; messages are
//! never changed nor deleted; an agent's « demande de compléments » reaches the operator by mail;
//! the budget of new exchanges refuses in French.

use std::time::Duration;

use app::store::{Backend, Store};
use reqwest::StatusCode;
use serde_json::Value;

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::dossier_documents::{archival, operator_dossier, unzip};
use crate::helpers::{
    as_role, config, container, execute, fresh_database, on_both_stores, Running, OWNER_ROLE,
    PURGE_ROLE,
};
use crate::live::{session_of, Stream};
use crate::notifications::mails;
use crate::partner_documents::pdf;
use crate::smtp_sink::SmtpSink;

on_both_stores!(
    an_operator_s_request_is_triaged_answered_and_transferred,
    strangers_read_and_change_nothing,
    messages_are_never_changed_nor_deleted,
    agents_ask_for_complements_by_mail,
    streams_tell_each_side_only_what_it_may_see,
    exports_carry_what_each_reader_may_read,
);

/// A form's text fields, and its files, as owned values.
type Fields = Vec<(String, String)>;
type Files = Vec<(String, Vec<u8>)>;

const AGENT_DOUANE: &str = "agent.douane@demo.sesame.test";
const SUPERVISOR: &str = "superviseur@demo.sesame.test";
const DGITM: &str = "dgitm@demo.sesame.test";
const SECRET_NOTE: &str = "Note réservée : vérifier le CHED avec le SIVEP (NOTE-7731)";

async fn signed_in(server: &Running, email: &str) -> Browser {
    let browser = Browser::new(server);
    browser.sign_in(email, PASSWORD).await;
    browser
}

/// A multipart form: these fields and these files.
fn form(fields: &[(&str, &str)], files: &[(&str, Vec<u8>)]) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    for (name, bytes) in files {
        form = form.part(
            "fichiers",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    form
}

/// Opens an exchange; where the answer leads.
async fn open(
    browser: &Browser,
    fields: &[(&str, &str)],
    files: &[(&str, Vec<u8>)],
) -> (StatusCode, String) {
    let answer = browser
        .post_multipart("/messagerie/nouvelle", form(fields, files))
        .await;
    (answer.status, answer.location)
}

/// Writes in an exchange; where the answer leads.
async fn write(browser: &Browser, id: i64, fields: &[(&str, &str)]) -> String {
    let answer = browser
        .post_multipart(&format!("/messagerie/{id}/messages"), form(fields, &[]))
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    answer.location
}

/// The id an opening led to (`/messagerie/{id}?message=…`).
fn opened(location: &str) -> i64 {
    location
        .strip_prefix("/messagerie/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("pas d'échange ouvert : {location}"))
}

/// A server of the demo with a dossier of the operator's company at Le Havre.
async fn start(backend: Backend) -> Option<(Running, i64)> {
    let url = fresh_database(backend).await?;
    let mut config = config(url);
    config.documents_max_mib = 1;
    config.submissions_burst = 10_000;
    let server = Running::start(&config).await;
    let dossier = operator_dossier(
        &server,
        "EV-MESSAGERIE",
        &container("MSG", 100),
        "CHEDP.FR.2026.0007731",
    )
    .await;
    Some((server, dossier))
}

/// The operator's first request about the dossier, to « je ne sais pas », with a file: its id.
async fn first_request(operator: &Browser, dossier: i64) -> i64 {
    let (status, location) = open(
        operator,
        &[
            ("dossier", &dossier.to_string()),
            ("destinataire", "inconnu"),
            ("objet", "rendez_vous"),
            ("titre", "Horaire de présentation au poste"),
            ("texte", "Bonjour,\nÀ quelle heure présenter le conteneur ?"),
        ],
        &[("bon de livraison.pdf", pdf("bon de livraison"))],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("?message=echange-ouvert"), "{location}");
    opened(&location)
}

/// The exchange as a server function gives it to `browser`.
async fn read(browser: &Browser, id: i64) -> (StatusCode, String) {
    let answer = browser
        .post("/api/echange", &[("id", &id.to_string())])
        .await;
    (answer.status, answer.body)
}

/// The exchanges a list gives `browser`: their ids.
async fn listed(browser: &Browser, filters: &[(&str, &str)]) -> Vec<i64> {
    let mut fields = vec![("filters[mine]", "")];
    fields.extend_from_slice(filters);
    let answer = browser.post("/api/echanges", &fields).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let list: Value = serde_json::from_str(&answer.body).unwrap();
    list["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line["id"].as_i64().unwrap())
        .collect()
}

async fn notification_kinds(server: &Running, email: &str) -> Vec<String> {
    let user = server.store.user_by_email(email).await.unwrap().unwrap().id;
    server
        .store
        .notifications(user, None, false, None)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect()
}

async fn an_operator_s_request_is_triaged_answered_and_transferred(backend: Backend) {
    let Some((server, dossier)) = start(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let id = first_request(&operator, dossier).await;
    let record = server.store.exchange(id).await.unwrap().unwrap();
    assert_eq!(record.administration, None);
    assert_eq!(record.status.code(), "nouvelle");
    let entries = server.store.exchange_entries(id, true).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].attachments.len(), 1, "le fichier joint");
    // The file joined the dossier's documents, through the antivirus's intake.
    let documents = server.store.documents_of(dossier, true).await.unwrap();
    assert_eq!(documents.len(), 1);
    assert!(
        documents[0].title.contains("bon de livraison"),
        "{:?}",
        documents[0]
    );

    // Both inboxes of the site have it, to orient; both administrations' agents are told.
    let customs = signed_in(&server, AGENT_DOUANE).await;
    let sivep = signed_in(&server, AGENT_SIVEP).await;
    for agent in [&customs, &sivep] {
        assert_eq!(
            listed(agent, &[("filters[administration]", "a_orienter")]).await,
            [id]
        );
    }
    assert!(notification_kinds(&server, AGENT_DOUANE)
        .await
        .contains(&"messagerie_demande".to_owned()));
    assert!(notification_kinds(&server, AGENT_SIVEP)
        .await
        .contains(&"messagerie_demande".to_owned()));
    // The dossier's page lists it, for both sides.
    for reader in [&operator, &customs] {
        let (status, page) = reader.page(&format!("/dossiers/{dossier}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Horaire de présentation au poste"), "{page}");
    }

    // Customs takes it: it is theirs now, in progress; the SIVEP agent still reads it, and may
    // neither answer nor handle it.
    let answer = customs
        .post(&format!("/messagerie/{id}/attribution"), &[("agent", "")])
        .await;
    assert_eq!(
        answer.location,
        format!("/messagerie/{id}?message=echange-attribue")
    );
    let record = server.store.exchange(id).await.unwrap().unwrap();
    assert_eq!(record.administration.map(|a| a.code()), Some("dgddi"));
    assert_eq!(record.status.code(), "en_cours");
    assert_eq!(record.assigned_name.as_deref(), Some("Thomas Moreau"));
    assert_eq!(
        listed(&sivep, &[("filters[administration]", "dgddi")]).await,
        [id]
    );
    let location = write(&sivep, id, &[("texte", "Réponse du SIVEP")]).await;
    assert!(location.contains("erreur=echange-reponse"), "{location}");
    let location = write(
        &sivep,
        id,
        &[("texte", "Note du SIVEP"), ("nature", "note")],
    )
    .await;
    assert!(location.contains("erreur=echange-traitement"), "{location}");
    let answer = sivep
        .post(&format!("/messagerie/{id}/statut"), &[("statut", "close")])
        .await;
    assert!(answer.location.contains("erreur=echange-traitement"));

    // An internal note, then the reply: the operator reads the reply, never the note.
    let location = write(&customs, id, &[("texte", SECRET_NOTE), ("nature", "note")]).await;
    assert!(location.contains("message=note-ajoutee"), "{location}");
    let location = write(
        &customs,
        id,
        &[
            ("texte", "Présentez-vous à 14 h au poste."),
            ("attente", "oui"),
        ],
    )
    .await;
    assert!(location.contains("message=message-envoye"), "{location}");
    let record = server.store.exchange(id).await.unwrap().unwrap();
    assert_eq!(record.status.code(), "attente_operateur");
    assert!(notification_kinds(&server, OPERATOR)
        .await
        .contains(&"messagerie_reponse".to_owned()));
    let (status, page) = operator.page(&format!("/messagerie/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Présentez-vous à 14 h au poste."), "{page}");
    for (what, body) in [
        ("page", page),
        ("échange", read(&operator, id).await.1),
        (
            "liste",
            operator
                .post("/api/echanges", &[("filters[text]", "")])
                .await
                .body,
        ),
        (
            "dossier",
            operator
                .post("/api/page-dossier", &[("id", &dossier.to_string())])
                .await
                .body,
        ),
        (
            "notifications",
            format!(
                "{:?}",
                server
                    .store
                    .notifications(
                        server
                            .store
                            .user_by_email(OPERATOR)
                            .await
                            .unwrap()
                            .unwrap()
                            .id,
                        None,
                        false,
                        None
                    )
                    .await
                    .unwrap()
            ),
        ),
    ] {
        assert!(!body.contains("NOTE-7731"), "{what} : {body}");
    }
    // The other administration of the site reads the note.
    assert!(read(&sivep, id).await.1.contains("NOTE-7731"));

    // The operator answers: the exchange comes back to customs.
    let location = write(&operator, id, &[("texte", "Merci, ce sera fait.")]).await;
    assert!(location.contains("message=message-envoye"), "{location}");
    assert_eq!(
        server
            .store
            .exchange(id)
            .await
            .unwrap()
            .unwrap()
            .status
            .code(),
        "en_cours"
    );

    // Customs hands it to the SIVEP with a note; now the SIVEP answers and closes it.
    let answer = customs
        .post(
            &format!("/messagerie/{id}/transfert"),
            &[("note", "Question de contrôle vétérinaire : au SIVEP.")],
        )
        .await;
    assert_eq!(
        answer.location,
        format!("/messagerie/{id}?message=echange-transfere")
    );
    let record = server.store.exchange(id).await.unwrap().unwrap();
    assert_eq!(record.administration.map(|a| a.code()), Some("dgal"));
    assert_eq!(record.assigned_user_id, None);
    assert_eq!(record.status.code(), "nouvelle");
    let location = write(&customs, id, &[("texte", "Encore la douane")]).await;
    assert!(location.contains("erreur=echange-reponse"), "{location}");
    let location = write(&sivep, id, &[("texte", "Le SIVEP vous attend à 14 h.")]).await;
    assert!(location.contains("message=message-envoye"), "{location}");
    let answer = sivep
        .post(&format!("/messagerie/{id}/statut"), &[("statut", "close")])
        .await;
    assert_eq!(
        answer.location,
        format!("/messagerie/{id}?message=echange-statut")
    );
    let answer = sivep
        .post(&format!("/messagerie/{id}/statut"), &[("statut", "close")])
        .await;
    assert!(answer.location.contains("erreur=echange-inchange"));
    let answer = sivep
        .post(
            &format!("/messagerie/{id}/statut"),
            &[("statut", "archivee")],
        )
        .await;
    assert!(answer.location.contains("erreur=echange-statut-inconnu"));

    // Searched by the dossier's reference, by status, by date.
    let reference = container("MSG", 100);
    assert_eq!(
        listed(&operator, &[("filters[text]", &reference)]).await,
        [id]
    );
    assert_eq!(
        listed(&operator, &[("filters[text]", "présentation")]).await,
        [id]
    );
    assert_eq!(
        listed(&operator, &[("filters[text]", "MSCU0000000")]).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        listed(&operator, &[("filters[status]", "close")]).await,
        [id]
    );
    assert!(listed(&operator, &[("filters[status]", "nouvelle")])
        .await
        .is_empty());
    assert!(listed(&operator, &[("filters[from]", "2099-01-01")])
        .await
        .is_empty());

    // Everything is in the audit trail; the agents' readings as consultations.
    let entries = server.store.audit_entries(500).await.unwrap();
    for action in [
        "echange_ouvert",
        "ajout_document",
        "echange_attribue",
        "note_interne",
        "message_envoye",
        "echange_transfere",
        "echange_statut",
        "consultation_echange",
    ] {
        assert!(
            entries.iter().any(|entry| entry.action == action
                && (action == "ajout_document" || entry.object == format!("echange:{id}"))),
            "{action}"
        );
    }
    server.stop().await;
}

async fn strangers_read_and_change_nothing(backend: Backend) {
    let Some((server, dossier)) = start(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let id = first_request(&operator, dossier).await;
    // A question about Fos, where the SIVEP agent no longer works.
    let (_, location) = open(
        &operator,
        &[
            ("site", "FRFOS"),
            ("destinataire", "dgal"),
            ("objet", "autre"),
            ("titre", "Question sur Fos"),
            ("texte", "Bonjour"),
        ],
        &[],
    )
    .await;
    let fos = opened(&location);
    execute(
        &server.store,
        &format!(
            "UPDATE habilitation SET withdrawn_at = '2026-01-01 00:00:00+00:00'
             WHERE site_code = 'FRFOS' AND user_id = (SELECT id FROM app_user WHERE email = '{AGENT_SIVEP}')"
        ),
    )
    .await
    .unwrap();
    let before = server.store.exchange_entries(id, true).await.unwrap();

    // Another company, the DGITM, another site's agent: the exchange is as unknown as one that
    // does not exist, on the page, in the server function and in every form.
    let other = signed_in(&server, OTHER_OPERATOR).await;
    let sivep = signed_in(&server, AGENT_SIVEP).await;
    let dgitm = signed_in(&server, DGITM).await;
    for (who, browser, exchange) in [
        ("autre entreprise", &other, id),
        ("autre site", &sivep, fos),
    ] {
        let (status, page) = browser.page(&format!("/messagerie/{exchange}")).await;
        let (missing_status, missing) = browser.page("/messagerie/987654").await;
        assert_eq!((status, missing_status), (404, 404), "{who}");
        assert!(
            page.contains("Échange introuvable") && missing.contains("Échange introuvable"),
            "{who}"
        );
        assert!(
            !page.contains("Question sur Fos") && !page.contains("Horaire"),
            "{who}"
        );
        assert_eq!(
            read(browser, exchange).await,
            read(browser, 987654).await,
            "{who}"
        );
        assert_eq!(read(browser, exchange).await.1, "null", "{who}");
        assert!(!listed(browser, &[]).await.contains(&exchange), "{who}");
        for path in [
            format!("/messagerie/{exchange}/attribution"),
            format!("/messagerie/{exchange}/statut"),
            format!("/messagerie/{exchange}/transfert"),
        ] {
            let theirs = browser
                .post(&path, &[("statut", "close"), ("note", "intrus")])
                .await;
            let missing = browser
                .post(
                    &path.replace(&exchange.to_string(), "987654"),
                    &[("statut", "close"), ("note", "intrus")],
                )
                .await;
            assert_eq!(
                theirs.location, "/messagerie?erreur=echange-inconnu",
                "{who} {path}"
            );
            assert_eq!(theirs.location, missing.location, "{who} {path}");
        }
        let location = write(browser, exchange, &[("texte", "intrus")]).await;
        assert_eq!(location, "/messagerie?erreur=echange-inconnu", "{who}");
    }
    // Nor may another company write about the dossier.
    let (_, theirs) = open(
        &other,
        &[
            ("dossier", &dossier.to_string()),
            ("destinataire", "dgddi"),
            ("objet", "autre"),
            ("titre", "Intrus"),
            ("texte", "intrus"),
        ],
        &[],
    )
    .await;
    let (_, missing) = open(
        &other,
        &[
            ("dossier", "987654"),
            ("destinataire", "dgddi"),
            ("objet", "autre"),
            ("titre", "Intrus"),
            ("texte", "intrus"),
        ],
        &[],
    )
    .await;
    assert_eq!(theirs, "/messagerie?erreur=echange-inconnu");
    assert_eq!(theirs, missing);
    // The DGITM has no messaging at all.
    let (status, _) = dgitm.page("/messagerie").await;
    assert_eq!(status, 403);
    assert_eq!(
        dgitm
            .post("/api/echanges", &[("filters[text]", "")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(read(&dgitm, id).await.0, StatusCode::FORBIDDEN);
    // The supervisor reads, and neither writes nor handles.
    let supervisor = signed_in(&server, SUPERVISOR).await;
    assert!(read(&supervisor, id).await.1.contains("Horaire"));
    let location = write(&supervisor, id, &[("texte", "Superviseur")]).await;
    assert!(location.contains("erreur=echange-reponse"), "{location}");
    let answer = supervisor
        .post(&format!("/messagerie/{id}/attribution"), &[("agent", "")])
        .await;
    assert!(
        answer.location.contains("erreur=echange-traitement"),
        "{:?} {} {}",
        answer.status,
        answer.location,
        answer.body
    );

    // Nothing changed.
    assert_eq!(
        server.store.exchange_entries(id, true).await.unwrap(),
        before
    );
    let record = server.store.exchange(id).await.unwrap().unwrap();
    assert_eq!(
        (record.status.code(), record.assigned_user_id),
        ("nouvelle", None)
    );

    // Bad input is refused with a precise French message, and nothing is opened.
    let count = listed(&operator, &[]).await.len();
    let base = [
        ("dossier", dossier.to_string()),
        ("destinataire", "dgddi".to_owned()),
        ("objet", "documents".to_owned()),
        ("titre", "Titre".to_owned()),
        ("texte", "Texte".to_owned()),
    ];
    let with = |name: &str, value: &str| -> Vec<(String, String)> {
        base.iter()
            .map(|(n, v)| {
                (
                    n.to_string(),
                    if *n == name {
                        value.to_owned()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect()
    };
    let six: Files = (0..6)
        .map(|n| (format!("f{n}.pdf"), pdf(&format!("f{n}"))))
        .collect();
    let cases: Vec<(Fields, Files, &str)> = vec![
        (with("texte", "   "), vec![], "message-vide"),
        (with("texte", &"é".repeat(5001)), vec![], "message-long"),
        (
            with("destinataire", "prefecture"),
            vec![],
            "echange-destinataire",
        ),
        (with("objet", "plainte"), vec![], "echange-sujet"),
        (with("titre", ""), vec![], "echange-objet-texte"),
        (with("texte", "Texte"), six, "echange-fichiers-nombre"),
        (
            with("texte", "Texte"),
            vec![("page.pdf".into(), b"<html>".to_vec())],
            "document-format",
        ),
    ];
    for (fields, files, code) in cases {
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let files: Vec<(&str, Vec<u8>)> =
            files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
        let (status, location) = open(&operator, &fields, &files).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{code}");
        assert!(
            location.contains(&format!("erreur={code}")),
            "{code} : {location}"
        );
    }
    let (_, location) = open(
        &operator,
        &[
            ("site", "FRLEH"),
            ("destinataire", "dgal"),
            ("objet", "autre"),
            ("titre", "T"),
            ("texte", "T"),
        ],
        &[("f.pdf", pdf("f"))],
    )
    .await;
    assert!(
        location.contains("erreur=echange-fichiers-dossier"),
        "{location}"
    );
    assert_eq!(listed(&operator, &[]).await.len(), count);

    // The budget of new exchanges: refused, not dropped.
    let user = server
        .store
        .user_by_email(OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .id;
    let company = record.company_id;
    for n in 0..app::api::exchanges::OPERATOR_OPENINGS_PER_DAY {
        execute(
            &server.store,
            &format!(
                "INSERT INTO exchange (site_code, company_id, subject, title, status, opened_by, opened_by_user_id, opened_at, updated_at)
                 VALUES ('FRLEH', {company}, 'autre', 'Envoi {n}', 'nouvelle', 'operateur', {user}, '{now}', '{now}')",
                now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S%.6f+00:00")
            ),
        )
        .await
        .unwrap();
    }
    let (_, location) = open(
        &operator,
        &[
            ("site", "FRLEH"),
            ("destinataire", "dgal"),
            ("objet", "autre"),
            ("titre", "Une de trop"),
            ("texte", "T"),
        ],
        &[],
    )
    .await;
    assert!(location.contains("erreur=echange-quota"), "{location}");
    server.stop().await;
}

async fn messages_are_never_changed_nor_deleted(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url.clone());
    config.submissions_burst = 10_000;
    let server = Running::start(&config).await;
    let dossier = operator_dossier(
        &server,
        "EV-IMMUABLE",
        &container("MSG", 300),
        "CHEDP.FR.2026.0007733",
    )
    .await;
    let operator = signed_in(&server, OPERATOR).await;
    let id = first_request(&operator, dossier).await;
    let before = server.store.exchange_entries(id, true).await.unwrap();
    // Neither the application nor, on PostgreSQL, the schema's owner changes a message.
    let mut stores = vec![server.store.clone()];
    if backend == Backend::Postgres {
        stores.push(Store::connect(&as_role(&url, OWNER_ROLE)).await.unwrap());
    }
    for store in &stores {
        for statement in [
            format!("UPDATE exchange_entry SET text = 'réécrit' WHERE exchange_id = {id}"),
            format!("UPDATE exchange_entry SET kind = 'note' WHERE exchange_id = {id}"),
            format!("DELETE FROM exchange_entry WHERE exchange_id = {id}"),
        ] {
            assert!(execute(store, &statement).await.is_err(), "{statement}");
        }
    }
    if let [_, owner] = stores.as_slice() {
        assert!(execute(owner, "TRUNCATE exchange_entry CASCADE")
            .await
            .is_err());
    }
    assert_eq!(
        server.store.exchange_entries(id, true).await.unwrap(),
        before
    );
    // Only the author's name may give way to a neutral label (the retention of personal
    // data): on PostgreSQL by the purge's role alone.
    let erase = format!(
        "UPDATE exchange_entry SET author_label = 'Personne de l''entreprise', author_user_id = NULL WHERE exchange_id = {id}"
    );
    match backend {
        Backend::Sqlite => execute(&server.store, &erase).await.unwrap(),
        Backend::Postgres => {
            assert!(execute(&server.store, &erase).await.is_err());
            let purge = Store::connect(&as_role(&url, PURGE_ROLE)).await.unwrap();
            execute(&purge, &erase).await.unwrap();
        }
    }
    let after = server.store.exchange_entries(id, true).await.unwrap();
    assert_eq!(after[0].author_label, "Personne de l'entreprise");
    assert_eq!(after[0].text, before[0].text);
    server.stop().await;
}

async fn agents_ask_for_complements_by_mail(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let sink = SmtpSink::start().await;
    let mut config = config(url);
    config.smtp_url = Some(secrecy::SecretString::from(sink.url.clone()));
    config.notification_poll_millis = 100;
    config.submissions_burst = 10_000;
    let server = Running::start(&config).await;
    let dossier = operator_dossier(
        &server,
        "EV-COMPLEMENTS",
        &container("CPL", 200),
        "CHEDP.FR.2026.0007732",
    )
    .await;
    // The mail of the dossier's opening goes first.
    mails(&sink, Duration::from_secs(10), Duration::from_millis(800)).await;
    let sivep = signed_in(&server, AGENT_SIVEP).await;
    let due = (chrono::Utc::now() + chrono::Duration::days(4)).date_naive();
    let fields = |due: &str| {
        vec![
            ("dossier".to_owned(), dossier.to_string()),
            ("objet".to_owned(), "documents".to_owned()),
            (
                "titre".to_owned(),
                "Certificat sanitaire original".to_owned(),
            ),
            (
                "texte".to_owned(),
                "Merci de joindre le certificat sanitaire original.".to_owned(),
            ),
            ("echeance".to_owned(), due.to_owned()),
        ]
    };
    for bad in ["", "2020-01-01", "demain"] {
        let fields = fields(bad);
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let (_, location) = open(&sivep, &fields, &[]).await;
        assert!(
            location.contains("erreur=echange-echeance"),
            "{bad} : {location}"
        );
    }
    let fields = fields(&due.format("%Y-%m-%d").to_string());
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let (_, location) = open(&sivep, &fields, &[]).await;
    assert!(
        location.ends_with("?message=complements-demandes"),
        "{location}"
    );
    let id = opened(&location);
    let record = server.store.exchange(id).await.unwrap().unwrap();
    assert_eq!(record.status.code(), "attente_operateur");
    assert_eq!(record.answer_due, Some(due));
    assert!(record.opened_by_administration);

    // The operator gets it by mail at once (it asks for an action), with what to do and by when,
    // never the text of the request.
    let received = mails(&sink, Duration::from_secs(10), Duration::from_millis(800)).await;
    assert_eq!(
        received
            .iter()
            .flat_map(|m| m.to.clone())
            .collect::<Vec<_>>(),
        [OPERATOR]
    );
    let mail = received[0].decoded();
    assert!(
        mail.subject.contains("Demande de compléments"),
        "{}",
        mail.subject
    );
    assert!(
        mail.text.contains("Certificat sanitaire original"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains(&due.format("%d/%m/%Y").to_string()),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains(&format!("/messagerie/{id}")),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("Merci de joindre"), "{}", mail.text);

    // The operator answers from the page the mail leads to.
    let operator = signed_in(&server, OPERATOR).await;
    let (status, page) = operator.page(&format!("/messagerie/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Merci de joindre le certificat sanitaire original."));
    let location = write(&operator, id, &[("texte", "Le voici.")]).await;
    assert!(location.contains("message=message-envoye"), "{location}");
    assert_eq!(
        server
            .store
            .exchange(id)
            .await
            .unwrap()
            .unwrap()
            .status
            .code(),
        "en_cours"
    );
    // Agents write first about a dossier only.
    let (_, location) = open(
        &sivep,
        &[
            ("site", "FRLEH"),
            ("objet", "autre"),
            ("titre", "T"),
            ("texte", "T"),
            ("echeance", "2030-01-01"),
        ],
        &[],
    )
    .await;
    assert_eq!(location, "/messagerie?erreur=echange-inconnu");
    server.stop().await;
}

async fn streams_tell_each_side_only_what_it_may_see(backend: Backend) {
    let Some((server, dossier)) = start(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let id = first_request(&operator, dossier).await;
    let customs = signed_in(&server, AGENT_DOUANE).await;
    customs
        .post(&format!("/messagerie/{id}/attribution"), &[("agent", "")])
        .await;
    let mut operator_stream =
        Stream::open(&server, Some(&session_of(&server, OPERATOR).await), None)
            .await
            .unwrap();
    let mut agent_stream =
        Stream::open(&server, Some(&session_of(&server, AGENT_SIVEP).await), None)
            .await
            .unwrap();
    let mut stranger_stream = Stream::open(
        &server,
        Some(&session_of(&server, OTHER_OPERATOR).await),
        None,
    )
    .await
    .unwrap();

    // A note: the administrations hear that the exchange moved; the operator hears nothing.
    write(&customs, id, &[("texte", SECRET_NOTE), ("nature", "note")]).await;
    let heard = agent_stream
        .next_of("echange", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(heard.data["exchange_id"], id);
    assert_eq!(heard.data["dossier_id"], dossier);
    assert!(!heard.data.to_string().contains("NOTE-7731"));
    assert!(operator_stream
        .drain(Duration::from_millis(1200))
        .await
        .iter()
        .all(|m| m.event != "echange"));

    // A reply: both sides hear it (and the operator's bell); another company nothing.
    write(&customs, id, &[("texte", "Réponse")]).await;
    let heard = operator_stream
        .next_of("echange", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(heard.data["exchange_id"], id);
    assert!(agent_stream
        .next_of("echange", Duration::from_secs(5))
        .await
        .is_some());
    assert!(stranger_stream
        .drain(Duration::from_millis(1200))
        .await
        .iter()
        .all(|m| m.event != "echange" && m.event != "notification"));
    server.stop().await;
}

/// A PDF's text, as pdftotext reads it.
fn pdf_text(pdf: &[u8]) -> String {
    let file = std::env::temp_dir().join(format!("sesame-echange-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&file, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("poppler-utils, que la commande de test installe");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn exports_carry_what_each_reader_may_read(backend: Backend) {
    let Some((server, dossier)) = start(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let id = first_request(&operator, dossier).await;
    let customs = signed_in(&server, AGENT_DOUANE).await;
    customs
        .post(&format!("/messagerie/{id}/attribution"), &[("agent", "")])
        .await;
    write(&customs, id, &[("texte", SECRET_NOTE), ("nature", "note")]).await;
    write(
        &customs,
        id,
        &[("texte", "Présentez-vous à 14 h.\nMunissez-vous du CHED.")],
    )
    .await;
    let path = format!("/messagerie/{id}/export.zip");

    // The operator's export: the PDF/A, the file it sent, the manifest; never the note.
    let answer = operator.get(&path).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["content-type"], "application/zip");
    let files = unzip(&operator.bytes(&path).await);
    let paths: Vec<&String> = files.keys().collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
    let exchange_pdf = &files["echange.pdf"];
    archival(exchange_pdf);
    let text = pdf_text(exchange_pdf);
    assert!(text.contains("Horaire de présentation au poste"), "{text}");
    assert!(text.contains("Munissez-vous du CHED."), "{text}");
    assert!(!text.contains("NOTE-7731"), "{text}");
    let manifest: Value = serde_json::from_slice(&files["manifeste.json"]).unwrap();
    assert_eq!(manifest["format"], "france-sesame/preuve");
    assert_eq!(manifest["dossier"]["id"], dossier);
    let entries = manifest["exchange"]["entries"].as_array().unwrap();
    assert!(
        entries.iter().all(|entry| entry["kind"] != "note"),
        "{manifest:#}"
    );
    assert!(!String::from_utf8_lossy(&files["manifeste.json"]).contains("NOTE-7731"));
    // Each entry's fingerprint is its text's.
    let stored = server.store.exchange_entries(id, false).await.unwrap();
    for (entry, stored) in entries.iter().zip(&stored) {
        use sha2::Digest;
        let expected: String = sha2::Sha256::digest(stored.text.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(entry["text_sha256"], expected.as_str());
    }
    let attached = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|file| file["path"].as_str().unwrap().starts_with("documents/"))
        .unwrap();
    assert_eq!(
        files[attached["path"].as_str().unwrap()],
        pdf("bon de livraison")
    );

    // The administrations' export holds the note, and is in the audit trail.
    let files = unzip(&customs.bytes(&path).await);
    assert!(pdf_text(&files["echange.pdf"]).contains("NOTE-7731"));
    let entries = server.store.audit_entries(200).await.unwrap();
    assert!(entries
        .iter()
        .any(|entry| entry.action == "export_echange" && entry.object == format!("echange:{id}")));

    // Another company: as for an exchange that does not exist.
    let other = signed_in(&server, OTHER_OPERATOR).await;
    let theirs = other.get(&path).await;
    let missing = other.get("/messagerie/987654/export.zip").await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!((theirs.status, theirs.body), (missing.status, missing.body));
    server.stop().await;
}
