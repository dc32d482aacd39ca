//! People and the documents of a dossier, on the real server and both stores, as an attacker
//! would try it: the operator adds its commercial documents, an agent of the site an inspection
//! report, internal or not; each refusal comes back as a French message on the page; another
//! company, the DGITM and the supervisor add nothing; the operator never sees, nor downloads,
//! the agents' internal documents (page, server function, download); and every download by the
//! administrations is in the audit trail with the document's hash.

use app::domain::document::{DocumentKind, ScanState};
use app::store::Backend;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::accounts::{Answer, Browser, AGENT_SIVEP, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::helpers::{
    company_and_siret, config, container, fresh_database, on_both_stores, Running, DEMO_API_KEY,
};
use crate::partner::{ched_lodged, Partner};
use crate::partner_documents::pdf;

on_both_stores!(
    people_add_documents_within_their_perimeter,
    internal_documents_stay_with_the_administrations,
    the_dossier_downloads_as_one_archive_with_its_manifest,
);

/// The text fields of a form.
type Fields<'a> = Vec<(&'a str, &'a str)>;
/// A file a form sends: its name and bytes.
type File<'a> = Option<(&'a str, Vec<u8>)>;

const SUPERVISOR: &str = "superviseur@demo.sesame.test";
const DGITM: &str = "dgitm@demo.sesame.test";

/// A server whose documents weigh 1 MiB at most, and a dossier of the operator's company at Le
/// Havre (where the demo's agents are habilitated).
async fn start(backend: Backend) -> Option<(Running, i64)> {
    start_keeping(backend)
        .await
        .map(|(server, dossier, _)| (server, dossier))
}

/// The same, with the folder the server keeps documents in.
async fn start_keeping(backend: Backend) -> Option<(Running, i64, std::path::PathBuf)> {
    let url = fresh_database(backend).await?;
    let mut config = config(url);
    let folder = config.documents_folder.clone();
    config.documents_max_mib = 1;
    config.submissions_burst = 10_000;
    let server = Running::start(&config).await;
    let dossier = operator_dossier(
        &server,
        "EV-DOSSIER-DOC",
        &container("OCE", 700),
        "CHEDP.FR.2026.0000999",
    )
    .await;
    Some((server, dossier, folder))
}

/// A consignment of the demo operator's company at Le Havre, opened by TRACES two hours ago:
/// its dossier.
pub async fn operator_dossier(server: &Running, event: &str, container: &str, ched: &str) -> i64 {
    let (_, siret) = company_and_siret(&server.store, OPERATOR).await;
    let mut lodged = ched_lodged(
        event,
        container,
        ched,
        &(Utc::now() - chrono::Duration::hours(2)).to_rfc3339(),
    );
    lodged["operator"] = json!({ "siret": siret });
    let (status, body, _) = Partner {
        server,
        key: DEMO_API_KEY.into(),
    }
    .send(&lodged)
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["dossier_id"].as_i64().unwrap()
}

pub(crate) async fn signed_in(server: &Running, email: &str) -> Browser {
    let browser = Browser::new(server);
    browser.sign_in(email, PASSWORD).await;
    browser
}

/// The form a person sends: these fields and this file.
fn form(fields: &[(&str, &str)], file: Option<(&str, Vec<u8>)>) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.to_string(), value.to_string());
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "fichier",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    form
}

/// Adds a document; where the answer leads.
async fn add(
    browser: &Browser,
    dossier: i64,
    fields: &[(&str, &str)],
    file: Option<(&str, Vec<u8>)>,
) -> (StatusCode, String) {
    let answer = browser
        .post_multipart(
            &format!("/dossiers/{dossier}/documents"),
            form(fields, file),
        )
        .await;
    (answer.status, answer.location)
}

fn refused_with(location: &str, code: &str) -> bool {
    location.contains(&format!("erreur={code}")) && location.ends_with("#documents")
}

async fn people_add_documents_within_their_perimeter(backend: Backend) {
    let Some((server, dossier)) = start(backend).await else {
        return;
    };
    let operator = signed_in(&server, OPERATOR).await;
    let (status, page) = operator.page(&format!("/dossiers/{dossier}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Documents du dossier"), "{page}");
    assert!(page.contains("Ajouter un document"));
    assert!(page.contains("Facture commerciale"));
    assert!(!page.contains("Rapport d&#x27;inspection") && !page.contains("Rapport d'inspection"));

    // The operator adds its invoice: kept unscanned in development, downloadable as it was sent.
    let invoice = pdf("facture 118");
    let (status, location) = add(
        &operator,
        dossier,
        &[("type", "commercial_invoice"), ("titre", "Facture 118")],
        Some(("Facture n°118.PDF", invoice.clone())),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        format!("/dossiers/{dossier}?message=document-ajoute#documents")
    );
    let documents = server.store.documents_of(dossier, true).await.unwrap();
    assert_eq!(documents.len(), 1);
    let document = &documents[0];
    assert_eq!(document.kind, DocumentKind::CommercialInvoice);
    assert_eq!(document.scan, ScanState::NotScanned);
    assert_eq!(document.file_name, "Facture n118.pdf");
    assert!(
        document.author_label.contains("Océane Import SAS"),
        "{}",
        document.author_label
    );
    let (_, page) = operator.page(&format!("/dossiers/{dossier}")).await;
    assert!(page.contains("Facture 118"));
    let download = operator
        .get(&format!("/dossiers/{dossier}/documents/{}", document.id))
        .await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.headers["content-type"], "application/pdf");
    assert!(download.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(download.body.as_bytes(), invoice.as_slice());
    assert_eq!(format!("{:x}", Sha256::digest(&invoice)), document.sha256);

    // Each refusal says what is wrong, and nothing is added.
    let refusals: Vec<(Fields, File, &str)> = vec![
        (
            vec![("type", "commercial_invoice"), ("titre", "Encore")],
            Some(("copie.pdf", invoice.clone())),
            "document-deja-joint",
        ),
        (
            vec![("type", "inspection_report"), ("titre", "Faux rapport")],
            Some(("r.pdf", pdf("r"))),
            "document-type",
        ),
        (
            vec![("titre", "Sans type")],
            Some(("r.pdf", pdf("s"))),
            "document-type",
        ),
        (
            vec![("type", "certificate"), ("titre", "  ")],
            Some(("c.pdf", pdf("c"))),
            "document-titre",
        ),
        (
            vec![("type", "certificate"), ("titre", "Sans fichier")],
            Some(("", Vec::new())),
            "document-fichier",
        ),
        (
            vec![("type", "certificate"), ("titre", "Vide")],
            Some(("vide.pdf", Vec::new())),
            "document-vide",
        ),
        (
            vec![("type", "certificate"), ("titre", "Page")],
            Some(("page.pdf", b"<html><script>alert(1)</script>".to_vec())),
            "document-format",
        ),
        (
            vec![("type", "certificate"), ("titre", "Lourd")],
            Some(("lourd.pdf", {
                let mut big = pdf("lourd");
                big.resize(1024 * 1024 + 10, b' ');
                big
            })),
            "document-trop-lourd",
        ),
        (
            vec![
                ("type", "certificate"),
                ("titre", "Correction"),
                ("remplace", "999999"),
            ],
            Some(("k.pdf", pdf("k"))),
            "document-remplacement",
        ),
    ];
    for (fields, file, code) in refusals {
        let (status, location) = add(&operator, dossier, &fields, file).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{code}");
        assert!(refused_with(&location, code), "{code} : {location}");
    }
    assert_eq!(
        server
            .store
            .documents_of(dossier, true)
            .await
            .unwrap()
            .len(),
        1
    );

    // A correction replaces the invoice, which stays listed.
    let (_, location) = add(
        &operator,
        dossier,
        &[
            ("type", "commercial_invoice"),
            ("titre", "Facture 118 corrigée"),
            ("remplace", &document.id.to_string()),
        ],
        Some(("facture.pdf", pdf("facture 118 v2"))),
    )
    .await;
    assert!(location.contains("message=document-ajoute"), "{location}");
    let (_, page) = operator.page(&format!("/dossiers/{dossier}")).await;
    assert!(
        page.contains("Remplacé par « Facture 118 corrigée »"),
        "{page}"
    );

    // Another company, the supervisor and the DGITM add nothing; another company downloads
    // nothing, and is answered as for a document that does not exist.
    for email in [OTHER_OPERATOR, SUPERVISOR, DGITM] {
        let intruder = signed_in(&server, email).await;
        let (status, _) = add(
            &intruder,
            dossier,
            &[("type", "other"), ("titre", "Intrus")],
            Some(("i.pdf", pdf(email))),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
    }
    let other = signed_in(&server, OTHER_OPERATOR).await;
    let theirs = other
        .get(&format!("/dossiers/{dossier}/documents/{}", document.id))
        .await;
    let missing = other
        .get(&format!("/dossiers/{dossier}/documents/987654"))
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(
        (theirs.status, theirs.body.clone()),
        (missing.status, missing.body)
    );
    assert_eq!(
        server
            .store
            .documents_of(dossier, true)
            .await
            .unwrap()
            .len(),
        2
    );

    // The supervisor and the agent download, each in the audit trail with the hash.
    for email in [SUPERVISOR, AGENT_SIVEP] {
        let reader = signed_in(&server, email).await;
        let answer = reader
            .get(&format!("/dossiers/{dossier}/documents/{}", document.id))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{email}");
    }
    let entries = server.store.audit_entries(500).await.unwrap();
    let downloads: Vec<_> = entries
        .iter()
        .filter(|entry| entry.action == "telechargement_document")
        .collect();
    assert_eq!(downloads.len(), 2, "{downloads:?}");
    for entry in downloads {
        assert_eq!(entry.object, format!("document:{}", document.id));
        assert!(entry.detail.contains(&document.sha256), "{}", entry.detail);
    }
    assert!(entries
        .iter()
        .any(|entry| entry.action == "ajout_document" && entry.detail.contains(&document.sha256)));
    server.stop().await;
}

async fn internal_documents_stay_with_the_administrations(backend: Backend) {
    let Some((server, dossier)) = start(backend).await else {
        return;
    };
    let agent = signed_in(&server, AGENT_SIVEP).await;
    let (_, page) = agent.page(&format!("/dossiers/{dossier}")).await;
    assert!(page.contains("Rapport d"), "{page}");
    // The operator's live stream, open while the agent works: it must say nothing of them.
    let cookie = crate::live::session_of(&server, OPERATOR).await;
    let mut stream = crate::live::Stream::open(&server, Some(&cookie), None)
        .await
        .unwrap();
    // The agent must say who may read it.
    let (_, location) = add(
        &agent,
        dossier,
        &[
            ("type", "inspection_report"),
            ("titre", "Rapport d'inspection"),
        ],
        Some(("rapport.pdf", pdf("rapport"))),
    )
    .await;
    assert!(refused_with(&location, "document-visibilite"), "{location}");
    let (_, location) = add(
        &agent,
        dossier,
        &[
            ("type", "inspection_report"),
            ("titre", "Rapport d'inspection"),
            ("interne", "non"),
        ],
        Some(("rapport.pdf", pdf("rapport"))),
    )
    .await;
    assert!(location.contains("message=document-ajoute"), "{location}");
    let (_, location) = add(
        &agent,
        dossier,
        &[
            ("type", "other"),
            ("titre", "Note interne sur l'importateur"),
            ("interne", "oui"),
        ],
        Some(("note.pdf", pdf("note interne"))),
    )
    .await;
    assert!(location.contains("message=document-ajoute"), "{location}");
    let documents = server.store.documents_of(dossier, true).await.unwrap();
    let internal = documents.iter().find(|d| d.internal).unwrap();
    let streamed = stream.drain(std::time::Duration::from_millis(1500)).await;
    for message in &streamed {
        let text = message.data.to_string();
        assert!(!text.contains("Note interne"), "{text}");
        assert!(!text.contains(&internal.sha256), "{text}");
    }

    // The operator: the shared report, never the internal note — page, server function,
    // download, and not even when the same bytes are sent again.
    let operator = signed_in(&server, OPERATOR).await;
    let (_, page) = operator.page(&format!("/dossiers/{dossier}")).await;
    assert!(page.contains("Rapport d"), "{page}");
    assert!(!page.contains("Note interne"), "{page}");
    assert!(!page.contains(&internal.sha256));
    let answer = operator
        .post("/api/documents-dossier", &[("id", &dossier.to_string())])
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("Rapport d"), "{}", answer.body);
    assert!(!answer.body.contains("Note interne"), "{}", answer.body);
    let answer = operator
        .post("/api/page-dossier", &[("id", &dossier.to_string())])
        .await;
    assert!(!answer.body.contains("Note interne"), "{}", answer.body);
    let download = operator
        .get(&format!("/dossiers/{dossier}/documents/{}", internal.id))
        .await;
    assert_eq!(download.status, StatusCode::NOT_FOUND);
    let (_, location) = add(
        &operator,
        dossier,
        &[
            ("type", "other"),
            ("titre", "Même octets"),
            ("remplace", &internal.id.to_string()),
        ],
        Some(("note.pdf", pdf("note interne"))),
    )
    .await;
    assert!(
        refused_with(&location, "document-remplacement"),
        "{location}"
    );
    let (_, location) = add(
        &operator,
        dossier,
        &[("type", "other"), ("titre", "Mêmes octets")],
        Some(("note.pdf", pdf("note interne"))),
    )
    .await;
    // Recognising the file would tell the operator the internal note exists: it is added.
    assert!(location.contains("message=document-ajoute"), "{location}");

    // The supervisor reads the internal note.
    let supervisor = signed_in(&server, SUPERVISOR).await;
    let (_, page) = supervisor.page(&format!("/dossiers/{dossier}")).await;
    assert!(page.contains("Note interne"), "{page}");
    assert!(
        !page.contains("Ajouter un document"),
        "le superviseur lit seulement"
    );
    server.stop().await;
}

/// The files of a ZIP, by path, as any unzip tool reads them.
pub(crate) fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("une archive ZIP");
    (0..archive.len())
        .map(|index| {
            let mut file = archive.by_index(index).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().unwrap().into_owned(), content)
        })
        .collect()
}

async fn archive_of(browser: &Browser, dossier: i64) -> (Answer, Vec<u8>) {
    let path = format!("/dossiers/{dossier}/archive.zip");
    let bytes = browser.bytes(&path).await;
    (browser.get(&path).await, bytes)
}

/// Checks a PDF as an archive would: qpdf finds nothing wrong, every font is embedded and
/// subset, and its metadata declare PDF/A.
pub(crate) fn archival(pdf: &[u8]) {
    let file = std::env::temp_dir().join(format!("sesame-recap-{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&file, pdf).unwrap();
    let run = |tool: &str, arguments: &[&str]| {
        let output = std::process::Command::new(tool)
            .args(arguments)
            .arg(&file)
            .output()
            .expect("poppler-utils et qpdf, que la commande de test installe");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (ok, report) = run("qpdf", &["--check"]);
    assert!(ok, "{report}");
    let (ok, fonts) = run("pdffonts", &[]);
    assert!(ok, "{fonts}");
    for font in fonts.lines().skip(2) {
        let columns: Vec<&str> = font.split_whitespace().collect();
        assert_eq!(
            &columns[columns.len() - 5..columns.len() - 2],
            ["yes", "yes", "yes"],
            "{font}"
        );
    }
    let (_, metadata) = run("pdfinfo", &["-meta"]);
    assert!(metadata.contains("pdfaid:part"), "{metadata}");
    std::fs::remove_file(&file).ok();
}

/// Checks an archive against its manifest: every file but the manifest is listed, with the
/// SHA-256 and size of its bytes; gives the manifest.
fn checked_manifest(files: &std::collections::BTreeMap<String, Vec<u8>>) -> serde_json::Value {
    let manifest: serde_json::Value =
        serde_json::from_slice(files.get("manifeste.json").expect("manifeste.json")).unwrap();
    assert_eq!(manifest["format"], "france-sesame/preuve");
    assert_eq!(manifest["version"], 1);
    // Every file but the manifest and its seal (see `sealed_copies.rs`).
    assert!(files.contains_key("scellement.json"), "{:?}", files.keys());
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), files.len() - 2, "{manifest:#}");
    for entry in listed {
        let path = entry["path"].as_str().unwrap();
        let bytes = files.get(path).unwrap_or_else(|| panic!("{path} absent"));
        assert_eq!(
            entry["sha256"].as_str().unwrap(),
            format!("{:x}", Sha256::digest(bytes)),
            "{path}"
        );
        assert_eq!(
            entry["size"].as_u64().unwrap(),
            bytes.len() as u64,
            "{path}"
        );
    }
    manifest
}

async fn the_dossier_downloads_as_one_archive_with_its_manifest(backend: Backend) {
    let Some((server, dossier, folder)) = start_keeping(backend).await else {
        return;
    };
    let agent = signed_in(&server, AGENT_SIVEP).await;
    for (title, internal, mark) in [
        ("Rapport d'inspection", "non", "rapport"),
        ("Note interne sur l'importateur", "oui", "note interne"),
    ] {
        let (_, location) = add(
            &agent,
            dossier,
            &[
                (
                    "type",
                    if internal == "non" {
                        "inspection_report"
                    } else {
                        "other"
                    },
                ),
                ("titre", title),
                ("interne", internal),
            ],
            Some(("piece.pdf", pdf(mark))),
        )
        .await;
        assert!(location.contains("message=document-ajoute"), "{location}");
    }
    let operator = signed_in(&server, OPERATOR).await;
    let invoice = pdf("facture 2026-118");
    let (_, location) = add(
        &operator,
        dossier,
        &[
            ("type", "commercial_invoice"),
            ("titre", "Facture n° 2026-118"),
        ],
        Some(("facture été.pdf", invoice.clone())),
    )
    .await;
    assert!(location.contains("message=document-ajoute"), "{location}");
    // A document still waiting for the antivirus is named, never carried.
    let waiting = pdf("en attente");
    let waiting_sha = format!("{:x}", Sha256::digest(&waiting));
    server
        .store
        .add_document(
            &app::store::NewDocument {
                dossier_id: dossier,
                kind: DocumentKind::Certificate,
                title: "Certificat en cours d'analyse",
                file_name: "certificat.pdf",
                media: app::domain::document::MediaType::Pdf,
                size: waiting.len() as i64,
                sha256: &waiting_sha,
                storage_key: &app::documents::files::storage_key(&waiting_sha),
                author: app::domain::document::AuthorKind::Operator,
                author_label: "Opérateur de démonstration",
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
            Utc::now(),
        )
        .await
        .unwrap();

    // The operator's archive: the summary, the shared report and its invoice, each with its
    // hash; the internal note nowhere, not even in the summary.
    let (answer, bytes) = archive_of(&operator, dossier).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["content-type"], "application/zip");
    assert!(
        answer.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("dossier-OCEU"),
        "{:?}",
        answer.headers
    );
    let files = unzip(&bytes);
    let manifest = checked_manifest(&files);
    let paths: Vec<&String> = files.keys().collect();
    assert_eq!(paths.len(), 5, "{paths:?}");
    assert!(files.contains_key("recapitulatif.pdf"));
    let invoice_path = paths
        .iter()
        .find(|path| path.starts_with("documents/") && path.ends_with("facture été.pdf"))
        .unwrap_or_else(|| panic!("{paths:?}"));
    assert_eq!(files[invoice_path.as_str()], invoice);
    let listed = manifest["files"].as_array().unwrap();
    let invoice_entry = listed
        .iter()
        .find(|entry| entry["kind"] == "commercial_invoice")
        .unwrap();
    assert_eq!(invoice_entry["added_by"], "operator");
    assert_eq!(invoice_entry["title"], "Facture n° 2026-118");
    assert!(invoice_entry["document_id"].as_i64().is_some());
    assert_eq!(manifest["dossier"]["id"], dossier);
    assert!(manifest["dossier"]["references"]["container"]
        .as_str()
        .unwrap()
        .starts_with("OCEU"));
    let omitted = manifest["omitted"].as_array().unwrap();
    assert_eq!(omitted.len(), 1, "{manifest:#}");
    assert_eq!(omitted[0]["scan"], "en_attente");
    assert_eq!(omitted[0]["sha256"], waiting_sha.as_str());
    let everything = String::from_utf8_lossy(&bytes);
    assert!(
        !everything.contains("Note interne"),
        "la note interne est dans l'archive"
    );
    let summary = operator
        .pdf_text(&format!("/dossiers/{dossier}/recapitulatif.pdf"))
        .await;
    assert!(summary.contains("Récapitulatif du dossier"), "{summary}");
    assert!(summary.contains("Facture n° 2026-118"), "{summary}");
    assert!(
        summary.contains(&format!("{:x}", Sha256::digest(&invoice))),
        "{summary}"
    );
    assert!(!summary.contains("Note interne"), "{summary}");
    archival(
        &operator
            .bytes(&format!("/dossiers/{dossier}/recapitulatif.pdf"))
            .await,
    );

    // The agent's archive carries the internal note too, and is in the audit trail with each
    // document's hash; the operator's is not.
    let (answer, bytes) = archive_of(&agent, dossier).await;
    assert_eq!(answer.status, StatusCode::OK);
    let files = unzip(&bytes);
    checked_manifest(&files);
    assert_eq!(files.len(), 6, "{:?}", files.keys());
    let entries = server.store.audit_entries(500).await.unwrap();
    let archives: Vec<_> = entries
        .iter()
        .filter(|entry| entry.action == "telechargement_dossier")
        .collect();
    // `archive_of` asks twice: once for the bytes, once for the headers.
    assert_eq!(archives.len(), 2, "{archives:?}");
    assert!(archives
        .iter()
        .all(|entry| entry.object == format!("dossier:{dossier}") && entry.actor == AGENT_SIVEP));
    let documents = server.store.documents_of(dossier, true).await.unwrap();
    for document in documents.iter().filter(|d| d.scan != ScanState::Pending) {
        assert!(
            entries
                .iter()
                .any(|entry| entry.action == "telechargement_document"
                    && entry.object == format!("document:{}", document.id)
                    && entry.detail.contains(&document.sha256)),
            "{}",
            document.title
        );
    }

    // Another company, the DGITM, a dossier that does not exist: the same refusal, nothing
    // revealed.
    let other = signed_in(&server, OTHER_OPERATOR).await;
    let theirs = other.get(&format!("/dossiers/{dossier}/archive.zip")).await;
    let missing = other.get("/dossiers/987654/archive.zip").await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(
        (theirs.status, theirs.body.clone()),
        (missing.status, missing.body)
    );
    let summary = other
        .get(&format!("/dossiers/{dossier}/recapitulatif.pdf"))
        .await;
    assert_eq!(summary.status, StatusCode::NOT_FOUND);
    let dgitm = signed_in(&server, DGITM).await;
    let refused = dgitm.get(&format!("/dossiers/{dossier}/archive.zip")).await;
    assert!(
        matches!(
            refused.status,
            StatusCode::NOT_FOUND | StatusCode::FORBIDDEN
        ),
        "{}",
        refused.status
    );
    assert!(!refused.body.contains("OCEU"));

    // A kept file altered on the disk: no archive (never altered evidence), a French sentence.
    let invoice_sha = format!("{:x}", Sha256::digest(&invoice));
    let kept = folder
        .join("kept")
        .join(app::documents::files::storage_key(&invoice_sha));
    std::fs::write(&kept, pdf("facture falsifiée")).unwrap();
    let answer = operator
        .get(&format!("/dossiers/{dossier}/archive.zip"))
        .await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        answer.body.contains("empreinte enregistrée"),
        "{}",
        answer.body
    );
    server.stop().await;
}
