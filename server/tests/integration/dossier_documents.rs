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

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::helpers::{
    company_and_siret, config, container, fresh_database, on_both_stores, Running, DEMO_API_KEY,
};
use crate::partner::{ched_lodged, Partner};
use crate::partner_documents::pdf;

on_both_stores!(
    people_add_documents_within_their_perimeter,
    internal_documents_stay_with_the_administrations,
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
    let url = fresh_database(backend).await?;
    let mut config = config(url);
    config.documents_max_mib = 1;
    config.submissions_burst = 10_000;
    let server = Running::start(&config).await;
    let (_, siret) = company_and_siret(&server.store, OPERATOR).await;
    let mut lodged = ched_lodged(
        "EV-DOSSIER-DOC",
        &container("OCE", 700),
        "CHEDP.FR.2026.0000999",
        &(Utc::now() - chrono::Duration::hours(2)).to_rfc3339(),
    );
    lodged["operator"] = json!({ "siret": siret });
    let (status, body, _) = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    }
    .send(&lodged)
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let dossier = body["dossier_id"].as_i64().unwrap();
    Some((server, dossier))
}

async fn signed_in(server: &Running, email: &str) -> Browser {
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
