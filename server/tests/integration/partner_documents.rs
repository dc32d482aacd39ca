//! Partners send documents (PARTNER_API.md, version 1.2) on the real server, on both stores:
//! each document joins the dossier of its site that holds its references or opens one there,
//! is idempotent by the key's id, is refused with a French problem document for each reason
//! (naming the part at fault), and waits for a real clamd before anyone may have it; an
//! infected file is destroyed.

use std::path::Path;
use std::time::Duration;

use app::domain::document::{DocumentKind, ScanState};
use app::store::{Backend, Store};
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{config, container, fresh_database, on_both_stores, Running, DEMO_API_KEY};
use crate::partner::{ched_lodged, problem_fields, Partner};

on_both_stores!(
    a_partner_document_joins_its_dossier_and_waits_for_the_antivirus,
    partner_documents_are_refused_for_each_reason,
    a_document_of_a_new_consignment_opens_its_dossier_at_its_own_site,
    documents_wait_while_the_antivirus_is_down,
);

/// A small, valid-looking PDF, made unique by `mark`.
pub fn pdf(mark: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {mark}\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Sends a document with these text parts and this file (`None`: no file part).
pub async fn send(
    server: &Running,
    key: &str,
    parts: &[(&str, String)],
    file: Option<(&str, Vec<u8>)>,
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in parts {
        form = form.text(name.to_string(), value.clone());
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/documents"))
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .expect("requête HTTP");
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The parts of a DSCE part I from TRACES about `container` at Le Havre.
fn ched_part_1(id: &str, container: &str) -> Vec<(&'static str, String)> {
    vec![
        ("id", id.to_owned()),
        ("source", "traces".to_owned()),
        ("site", "FRLEH".to_owned()),
        ("kind", "ched_part_1".to_owned()),
        ("title", "DSCE partie I".to_owned()),
        ("references", json!({ "container": container }).to_string()),
    ]
}

/// A consignment at Le Havre opened by an event: its dossier.
async fn dossier(server: &Running, container: &str, id: &str) -> i64 {
    let (status, body, _) = Partner {
        server,
        key: DEMO_API_KEY.into(),
    }
    .send(&ched_lodged(
        id,
        container,
        "CHEDP.FR.2026.0000777",
        &(Utc::now() - chrono::Duration::hours(2)).to_rfc3339(),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["dossier_id"].as_i64().unwrap()
}

/// Waits until document `id` of `dossier` has left the antivirus's queue; its state.
async fn scanned(store: &Store, dossier: i64, id: i64) -> app::domain::document::Document {
    for _ in 0..600 {
        let documents = store.documents_of(dossier, true).await.unwrap();
        let document = documents.into_iter().find(|d| d.id == id).unwrap();
        if document.scan != ScanState::Pending {
            return document;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("le document {id} attend toujours l'antivirus après 30 s");
}

fn kept(folder: &Path, sha256: &str) -> bool {
    folder
        .join("kept")
        .join(app::documents::files::storage_key(sha256))
        .is_file()
}

async fn add_key(server: &Running, name: &str, key: &str, sources: &str, sites: &str) {
    let mut tx = server.store.begin().await.unwrap();
    tx.insert_partner_key(
        name,
        &app::state::token_hash(key),
        sources,
        sites,
        Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn a_partner_document_joins_its_dossier_and_waits_for_the_antivirus(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let Some(clamd) = crate::clamd::start().await else {
        return;
    };
    let mut config = config(url);
    config.antivirus = Some(clamd.address.clone());
    config.antivirus_poll_millis = 50;
    let folder = config.documents_folder.clone();
    let server = Running::start(&config).await;
    let container = container("DOC", 100);
    let dossier = dossier(&server, &container, "EV-DOC-1").await;

    // A clean DSCE part I joins the dossier holding its container, and is found clean.
    let clean = pdf("dsce-1");
    let (status, body) = send(
        &server,
        DEMO_API_KEY,
        &ched_part_1("DOC-1", &container),
        Some(("dsce partie I.pdf", clean.clone())),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["dossier_id"], json!(dossier));
    assert_eq!(body["status"], "created");
    assert_eq!(body["sha256"], json!(sha256(&clean)));
    let document_id = body["document_id"].as_i64().unwrap();
    let document = scanned(&server.store, dossier, document_id).await;
    assert_eq!(document.scan, ScanState::Clean);
    assert_eq!(document.kind, DocumentKind::ChedPart1);
    assert_eq!(document.title, "DSCE partie I");
    assert_eq!(document.file_name, "dsce partie I.pdf");
    assert_eq!(document.author_label, "TRACES NT");
    assert_eq!(document.size, clean.len() as i64);
    assert!(kept(&folder, &sha256(&clean)));

    // The same id with the same bytes is the same document; with other bytes, a conflict that
    // changes nothing.
    let (status, body) = send(
        &server,
        DEMO_API_KEY,
        &ched_part_1("DOC-1", &container),
        Some(("dsce.pdf", clean.clone())),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "duplicate");
    assert_eq!(body["document_id"], json!(document_id));
    let (status, body) = send(
        &server,
        DEMO_API_KEY,
        &ched_part_1("DOC-1", &container),
        Some(("dsce.pdf", pdf("autre"))),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(problem_fields(&body), ["id"]);
    assert_eq!(
        server
            .store
            .documents_of(dossier, true)
            .await
            .unwrap()
            .len(),
        1
    );

    // A PDF carrying the EICAR test string is found infected, and its bytes destroyed.
    let mut infected = pdf("eicar");
    infected.extend_from_slice(crate::clamd::EICAR);
    let (status, body) = send(
        &server,
        DEMO_API_KEY,
        &ched_part_1("DOC-2", &container),
        Some(("analyse.pdf", infected.clone())),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let infected_id = body["document_id"].as_i64().unwrap();
    let document = scanned(&server.store, dossier, infected_id).await;
    assert_eq!(document.scan, ScanState::Infected);
    // ClamAV marks signatures of a database of one's own as unofficial.
    assert!(
        document
            .scan_detail
            .as_deref()
            .is_some_and(|threat| threat.starts_with(crate::clamd::THREAT)),
        "{:?}",
        document.scan_detail
    );
    assert!(!document.scan.downloadable());
    assert!(
        !kept(&folder, &sha256(&infected)),
        "le fichier infecté est détruit"
    );

    // A waiting document whose file the store lost holds up nobody: the next one is scanned.
    let lost = pdf("perdu");
    let lost_sha = sha256(&lost);
    server
        .store
        .add_document(
            &app::store::NewDocument {
                dossier_id: dossier,
                kind: DocumentKind::Other,
                title: "Fichier perdu",
                file_name: "perdu.pdf",
                media: app::domain::document::MediaType::Pdf,
                size: lost.len() as i64,
                sha256: &lost_sha,
                storage_key: &app::documents::files::storage_key(&lost_sha),
                author: app::domain::document::AuthorKind::Agent,
                author_label: "Agent de test",
                author_user_id: None,
                internal: false,
                supersedes: None,
                scan: ScanState::Pending,
            },
            &app::store::AuditEvent {
                actor_id: None,
                actor: "test",
                action: "ajout_document",
                object: "",
                address: "",
                detail: "",
                client_key: "",
                personal_detail: "",
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let after = pdf("après le fichier perdu");
    let (status, body) = send(
        &server,
        DEMO_API_KEY,
        &ched_part_1("DOC-5", &container),
        Some(("dsce.pdf", after)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let document = scanned(
        &server.store,
        dossier,
        body["document_id"].as_i64().unwrap(),
    )
    .await;
    assert_eq!(document.scan, ScanState::Clean);

    // The EICAR file itself is not even one of the accepted types.
    let (status, body) = send(
        &server,
        DEMO_API_KEY,
        &ched_part_1("DOC-3", &container),
        Some(("eicar.pdf", crate::clamd::EICAR.to_vec())),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(problem_fields(&body), ["file"]);

    // The antivirus stops: a document received meanwhile (development) waits, and nobody may
    // have it.
    drop(clamd);
    let (status, body) = send(
        &server,
        DEMO_API_KEY,
        &ched_part_1("DOC-4", &container),
        Some(("dsce.pdf", pdf("pendant la panne"))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let waiting = body["document_id"].as_i64().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let documents = server.store.documents_of(dossier, true).await.unwrap();
    let document = documents.iter().find(|d| d.id == waiting).unwrap();
    assert_eq!(document.scan, ScanState::Pending);
    assert!(!document.scan.downloadable());
    server.stop().await;
}

async fn partner_documents_are_refused_for_each_reason(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url);
    config.documents_max_mib = 1;
    let folder = config.documents_folder.clone();
    let server = Running::start(&config).await;
    let container = container("REF", 200);
    let dossier = dossier(&server, &container, "EV-REF-1").await;
    add_key(&server, "TRACES Fos", "cle-traces-fos", "traces", "FRFOS").await;
    add_key(&server, "Douane", "cle-douane", "customs", "*").await;
    let parts = ched_part_1("R-1", &container);
    let file = || Some(("dsce.pdf", pdf("refus")));

    let (status, body) = send(&server, "cle-inconnue", &parts, file()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // Another site, another authority: 403, naming the part.
    let (status, body) = send(&server, "cle-traces-fos", &parts, file()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(problem_fields(&body), ["site"]);
    let mut from_customs = parts.clone();
    from_customs[1].1 = "customs".into();
    let (status, body) = send(&server, "cle-douane", &from_customs, file()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(problem_fields(&body), ["kind"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("traces et sivep"),
        "{body}"
    );
    let mut from_port = parts.clone();
    from_port[1].1 = "port_community".into();
    let (status, body) = send(&server, DEMO_API_KEY, &from_port, file()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(problem_fields(&body), ["kind"]);

    // Invalid parts: every one named.
    let bad = vec![
        ("id", "R-2".to_owned()),
        ("source", "traces".to_owned()),
        ("site", "FRLEH".to_owned()),
        ("kind", "facture".to_owned()),
        (
            "references",
            json!({ "container": "MSKU1234560" }).to_string(),
        ),
    ];
    let (status, body) = send(&server, DEMO_API_KEY, &bad, file()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields = problem_fields(&body);
    for field in ["kind", "title", "references.container"] {
        assert!(fields.contains(&field.to_owned()), "{field} : {body}");
    }
    let mut not_json = parts.clone();
    not_json[5].1 = "container=MSKU".into();
    let (status, body) = send(&server, DEMO_API_KEY, &not_json, file()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem_fields(&body), ["references"]);

    // No file, an empty one, one of another type, one too large.
    let (status, body) = send(&server, DEMO_API_KEY, &parts, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem_fields(&body), ["file"]);
    let (status, body) = send(
        &server,
        DEMO_API_KEY,
        &parts,
        Some(("vide.pdf", Vec::new())),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem_fields(&body), ["file"]);
    let (status, body) = send(
        &server,
        DEMO_API_KEY,
        &parts,
        Some((
            "page.pdf",
            b"<!DOCTYPE html><html><script>alert(1)</script>".to_vec(),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("PDF"), "{body}");
    let mut large = pdf("grand");
    large.resize(1024 * 1024 + 1, b' ');
    let (status, body) = send(&server, DEMO_API_KEY, &parts, Some(("grand.pdf", large))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("1 Mio"), "{body}");

    // Not multipart at all.
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/documents"))
        .bearer_auth(DEMO_API_KEY)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // References no dossier of the site holds, and no goods to open one with; a correction of
    // a document never sent.
    let mut unknown = parts.clone();
    unknown[5].1 = json!({ "container": crate::helpers::container("NON", 300) }).to_string();
    let (status, body) = send(&server, DEMO_API_KEY, &unknown, file()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem_fields(&body), ["goods"]);
    let mut correcting = parts.clone();
    correcting.push(("supersedes", "JAMAIS-ENVOYE".into()));
    let (status, body) = send(&server, DEMO_API_KEY, &correcting, file()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem_fields(&body), ["supersedes"]);

    // Nothing of all this was recorded, and nothing is left of the refused files.
    assert!(server
        .store
        .documents_of(dossier, true)
        .await
        .unwrap()
        .is_empty());
    let received = folder.join("reception");
    let left = std::fs::read_dir(&received)
        .map(|entries| entries.count())
        .unwrap_or(0);
    assert_eq!(left, 0, "fichiers laissés dans {}", received.display());

    // The OpenAPI document describes the route, with the kinds the server accepts.
    let (status, text) = server.get("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    let openapi: Value = serde_json::from_str(&text).unwrap();
    assert!(openapi["paths"]["/api/v1/documents"]["post"].is_object());
    let kinds: Vec<&str> = DocumentKind::PARTNER
        .iter()
        .map(|kind| kind.code())
        .collect();
    assert_eq!(
        openapi["components"]["schemas"]["Document"]["properties"]["kind"]["enum"],
        json!(kinds)
    );
    server.stop().await;
}

async fn a_document_of_a_new_consignment_opens_its_dossier_at_its_own_site(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    add_key(
        &server,
        "TRACES Le Havre",
        "cle-traces-leh",
        "traces",
        "FRLEH",
    )
    .await;
    // The same container is already a dossier at Fos.
    let shared = container("SHA", 400);
    let mut at_fos = ched_lodged(
        "EV-FOS-1",
        &shared,
        "CHEDP.FR.2026.0000888",
        &(Utc::now() - chrono::Duration::hours(3)).to_rfc3339(),
    );
    at_fos["site"] = json!("FRFOS");
    at_fos["post"] = json!("FRFOS1");
    let (status, body, _) = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    }
    .send(&at_fos)
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let fos = body["dossier_id"].as_i64().unwrap();

    let mut parts = ched_part_1("N-1", &shared);
    parts.push((
        "goods",
        json!({ "category": "fruit_vegetables", "description": "Mangues" }).to_string(),
    ));
    let (status, body) = send(
        &server,
        "cle-traces-leh",
        &parts,
        Some(("dsce.pdf", pdf("n1"))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let opened = body["dossier_id"].as_i64().unwrap();
    assert_ne!(opened, fos, "jamais le dossier d'un autre site");
    let dossier = server.store.dossier(opened).await.unwrap().unwrap();
    assert_eq!(dossier.summary.site.as_str(), "FRLEH");
    assert_eq!(dossier.summary.goods_description, "Mangues");
    assert!(server
        .store
        .documents_of(fos, true)
        .await
        .unwrap()
        .is_empty());
    let first = body["document_id"].as_i64().unwrap();

    // A correction names the document it replaces, which stays listed; it is corrected once.
    let mut correction = ched_part_1("N-2", &shared);
    correction.push(("supersedes", "N-1".into()));
    let (status, body) = send(
        &server,
        "cle-traces-leh",
        &correction,
        Some(("dsce.pdf", pdf("n2"))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["dossier_id"], json!(opened));
    let second = body["document_id"].as_i64().unwrap();
    let documents = server.store.documents_of(opened, true).await.unwrap();
    assert_eq!(documents.len(), 2);
    assert_eq!(documents[0].id, first);
    assert_eq!(documents[0].superseded_by, Some(second));
    assert_eq!(documents[1].supersedes, Some(first));
    // Without an antivirus in development, documents are kept unscanned, and say so.
    assert_eq!(documents[1].scan, ScanState::NotScanned);
    let mut again = ched_part_1("N-3", &shared);
    again.push(("supersedes", "N-1".into()));
    let (status, body) = send(
        &server,
        "cle-traces-leh",
        &again,
        Some(("dsce.pdf", pdf("n3"))),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(problem_fields(&body), ["supersedes"]);
    server.stop().await;
}

/// In production, a document is refused while no antivirus answers, rather than kept unscanned:
/// none configured, or one configured that does not answer.
#[tokio::test]
async fn in_production_documents_are_refused_without_an_antivirus() {
    for antivirus in [None, Some("unix:/nonexistent/clamd.sock")] {
        let Some(url) = fresh_database(Backend::Sqlite).await else {
            return;
        };
        let mut config = config(url);
        config.environment = server::config::Environment::Production;
        config.trusted_proxies = "127.0.0.1/32".into();
        config.public_url = Some("https://sesame.example.test".into());
        config.antivirus = antivirus.map(str::to_owned);
        let server = Running::start(&config).await;
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in ched_part_1("P-1", &container("PRD", 500)) {
            form = form.text(name, value);
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(pdf("prod")).file_name("dsce.pdf"),
        );
        let response = reqwest::Client::new()
            .post(server.url("/api/v1/documents"))
            .header("x-forwarded-proto", "https")
            .bearer_auth(DEMO_API_KEY)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{antivirus:?}"
        );
        assert!(response.headers().contains_key("retry-after"));
        let body: Value = response.json().await.unwrap();
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .contains("analyse antivirus"),
            "{body}"
        );
        server.stop().await;
    }
}

/// The antivirus down, then up again: documents received meanwhile — a partner's, a person's —
/// are kept and wait, not served (the person is told it waits for the antivirus), nothing lost;
/// once the daemon answers again they are scanned, without a restart of the platform.
async fn documents_wait_while_the_antivirus_is_down(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let Some(mut clamd) = crate::clamd::start().await else {
        return;
    };
    let mut config = config(url);
    config.antivirus = Some(clamd.address.clone());
    config.antivirus_poll_millis = 50;
    let server = Running::start(&config).await;
    let container = container("AVD", 300);
    let dossier = crate::dossier_documents::operator_dossier(
        &server,
        "EV-AV-PANNE",
        &container,
        "CHEDP.FR.2026.0000931",
    )
    .await;

    clamd.stop();
    let (status, body) = send(
        &server,
        DEMO_API_KEY,
        &ched_part_1("AV-PANNE-1", &container),
        Some(("dsce.pdf", pdf("pendant la panne"))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let document_id = body["document_id"].as_i64().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let waiting = server.store.documents_of(dossier, true).await.unwrap();
    let waiting = waiting.iter().find(|d| d.id == document_id).unwrap();
    assert_eq!(waiting.scan, ScanState::Pending, "il attend l'antivirus");

    let claire = crate::accounts::Browser::new(&server);
    claire
        .sign_in(crate::accounts::OPERATOR, crate::accounts::PASSWORD)
        .await;
    let form = reqwest::multipart::Form::new()
        .text("type", "commercial_invoice")
        .text("titre", "Facture pendant la panne")
        .part(
            "fichier",
            reqwest::multipart::Part::bytes(pdf("facture")).file_name("facture.pdf"),
        );
    let added = claire
        .post_multipart(&format!("/dossiers/{dossier}/documents"), form)
        .await;
    assert!(
        added.location.contains("message=document-ajoute"),
        "{}",
        added.location
    );
    let (_, page) = claire.page(&added.location).await;
    assert!(
        page.contains("dès que l'antivirus l'aura analysé"),
        "la personne sait qu'il attend l'antivirus"
    );
    let documents = server.store.documents_of(dossier, true).await.unwrap();
    assert_eq!(documents.len(), 2);
    assert!(documents.iter().all(|d| d.scan == ScanState::Pending));
    let hers = documents
        .iter()
        .find(|d| d.id != document_id)
        .map(|d| d.id)
        .unwrap();
    // Not served while unscanned.
    let answer = claire
        .get(&format!("/dossiers/{dossier}/documents/{hers}"))
        .await;
    assert_ne!(
        answer.status,
        reqwest::StatusCode::OK,
        "servi avant l'analyse"
    );

    // Back: both waiting documents are scanned, the platform not restarted, and hers is served.
    clamd.restart().await;
    for id in [document_id, hers] {
        assert_eq!(
            scanned(&server.store, dossier, id).await.scan,
            ScanState::Clean
        );
    }
    let answer = claire
        .get(&format!("/dossiers/{dossier}/documents/{hers}"))
        .await;
    assert_eq!(answer.status, reqwest::StatusCode::OK);
    server.stop().await;
}
