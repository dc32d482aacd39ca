//! Copies others can verify, on the real server and both stores: a dossier's archive and a
//! person's copy of their data are sealed by an entry of the audit trail; the platform's trail
//! confirms the seal's anchor; `server audit verify-export`, run without any database, accepts
//! the copy as downloaded and refuses it once one byte is changed (in a file, in the manifest,
//! or through a rebuilt archive whose checksums are right), or against another anchor. The
//! person's copy says when their data were consulted, never by which agent.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use app::store::{Actor, Backend};
use chrono::Utc;
use serde_json::Value;

use crate::accounts::{AGENT_SIVEP, OPERATOR};
use crate::dossier_documents::{archival, operator_dossier, signed_in, unzip};
use crate::helpers::{config, container, fresh_database, on_both_stores, Running};

on_both_stores!(
    a_dossier_copy_is_sealed_and_any_change_is_found,
    a_person_gets_their_data_sealed_without_the_agents_names,
);

/// The copy kept in a file, as its holder would keep it.
fn kept(bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("sesame-copie-{}.zip", uuid::Uuid::new_v4()));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// `server audit verify-export FILE [--ancre A]`, with no database to reach: whether it
/// accepted the copy, and what it said.
fn verify_export(file: &Path, anchor: Option<&str>) -> (bool, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .args(["audit", "verify-export"])
        .arg(file)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // An address nothing answers at: the verification must not need it.
        .env("DATABASE_URL", "postgres://personne@127.0.0.1:9/aucune")
        .env("SESAME_DEMO", "false");
    if let Some(anchor) = anchor {
        command.args(["--ancre", anchor]);
    }
    let output = command.output().unwrap();
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

/// The same files in a new archive, with their checksums right: only the hashes can tell.
fn rezipped(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        zip.start_file(name.as_str(), stored).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The copy's manifest.
fn manifest(files: &BTreeMap<String, Vec<u8>>) -> Value {
    serde_json::from_slice(&files["manifeste.json"]).unwrap()
}

/// Checks that the platform's trail has the seal's anchor, and gives it.
async fn confirmed_anchor(server: &Running, path: &Path) -> String {
    let verified = app::documents::evidence::verify(path, &[]).expect("une copie intègre");
    let (seq, hash) = verified.anchor.split_once(':').unwrap();
    assert_eq!(
        server
            .store
            .audit_hash(seq.parse().unwrap())
            .await
            .unwrap()
            .as_deref(),
        Some(hash),
        "le journal de la plateforme confirme l'ancre"
    );
    verified.anchor
}

async fn a_dossier_copy_is_sealed_and_any_change_is_found(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let dossier = operator_dossier(
        &server,
        "EV-SCELLE",
        &container("OCE", 702),
        "CHEDP.FR.2026.0000998",
    )
    .await;
    let archive = format!("/dossiers/{dossier}/archive.zip");
    // An agent of the site consults the dossier.
    let agent = signed_in(&server, AGENT_SIVEP).await;
    let (status, _) = agent.page(&format!("/dossiers/{dossier}")).await;
    assert_eq!(status, 200);

    let operator = signed_in(&server, OPERATOR).await;
    let bytes = operator.bytes(&archive).await;
    let files = unzip(&bytes);
    assert!(files.contains_key("scellement.json"), "{:?}", files.keys());
    let path = kept(&bytes);
    let anchor = confirmed_anchor(&server, &path).await;
    // The operator's copy carries their own people's entries, not the administrations'
    // consultations; the agent's carries them, never naming the agent.
    let audit = manifest(&files)["audit"].clone();
    assert!(
        audit.as_array().is_none_or(|entries| entries
            .iter()
            .all(|e| e["action"] != "consultation_dossier")),
        "{audit:#}"
    );
    let agent_files = unzip(&agent.bytes(&archive).await);
    let agent_audit = manifest(&agent_files)["audit"].clone();
    let consulted = agent_audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "consultation_dossier")
        .unwrap_or_else(|| panic!("{agent_audit:#}"));
    assert_eq!(consulted["by"], "vous");
    assert_eq!(consulted["label"], "Consultation du dossier");
    assert!(!String::from_utf8_lossy(&agent_files["manifeste.json"]).contains(AGENT_SIVEP));

    // The command line, without the database: the copy as downloaded, with its anchor.
    let (ok, said) = verify_export(&path, None);
    assert!(ok, "{said}");
    assert!(said.contains("Copie intègre"), "{said}");
    assert!(said.contains(&anchor), "{said}");
    let (ok, said) = verify_export(&path, Some(&anchor));
    assert!(ok, "{said}");
    assert!(said.contains("Ancre confirmée"), "{said}");
    // Another anchor of the trail (the agent's copy's): refused.
    let agent_path = kept(&rezipped(&agent_files));
    let agent_anchor = confirmed_anchor(&server, &agent_path).await;
    assert_ne!(agent_anchor, anchor);
    let (ok, said) = verify_export(&path, Some(&agent_anchor));
    assert!(!ok, "{said}");
    assert!(said.contains("copie refusée"), "{said}");

    // One byte of the summary changed in the file: refused.
    let mut altered = bytes.clone();
    let at = altered
        .windows(4)
        .position(|window| window == b"%PDF")
        .unwrap()
        + 200;
    altered[at] ^= 0x01;
    let (ok, said) = verify_export(&kept(&altered), None);
    assert!(!ok, "{said}");
    assert!(said.contains("copie refusée"), "{said}");

    // The same change in a rebuilt archive whose checksums are right: the hashes refuse it.
    let mut changed = files.clone();
    changed.get_mut("recapitulatif.pdf").unwrap()[200] ^= 0x01;
    let (ok, said) = verify_export(&kept(&rezipped(&changed)), None);
    assert!(!ok, "{said}");
    assert!(said.contains("recapitulatif.pdf"), "{said}");
    // A manifest rewritten (another dossier number): refused.
    let mut changed = files.clone();
    let text = String::from_utf8(changed["manifeste.json"].clone()).unwrap();
    let text = text.replacen(
        &format!("\"id\": {dossier}"),
        &format!("\"id\": {}", dossier + 1),
        1,
    );
    changed.insert("manifeste.json".into(), text.into_bytes());
    let (ok, said) = verify_export(&kept(&rezipped(&changed)), None);
    assert!(!ok, "{said}");
    assert!(said.contains("manifeste"), "{said}");
    // A file slipped in: refused.
    let mut changed = files.clone();
    changed.insert("ajout.txt".into(), b"ajout".to_vec());
    let (ok, said) = verify_export(&kept(&rezipped(&changed)), None);
    assert!(!ok, "{said}");

    // Sealing wrote to the trail, which still verifies.
    let report = server.store.verify_audit().await.unwrap();
    assert_eq!(report.problem, None);
    server.stop().await;
}

async fn a_person_gets_their_data_sealed_without_the_agents_names(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let store = &server.store;
    let person = store.user_by_email(OPERATOR).await.unwrap().unwrap();
    let agent = store.user_by_email(AGENT_SIVEP).await.unwrap().unwrap();
    let operator = signed_in(&server, OPERATOR).await;
    // An agent consults the person's account, from an address of theirs.
    store
        .audit(
            &Actor {
                user_id: Some(agent.id),
                email: AGENT_SIVEP,
                address: "10.77.1.2",
                client_key: "10.77.1.2",
            }
            .audit_event(
                "consultation_compte",
                &format!("utilisateur:{}", person.id),
                "vérification de l'entreprise",
            ),
            Utc::now(),
        )
        .await
        .unwrap();

    let answer = operator.get("/espace/donnees.zip").await;
    assert_eq!(answer.status, reqwest::StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.headers["content-type"], "application/zip");
    let bytes = operator.bytes("/espace/donnees.zip").await;
    let files = unzip(&bytes);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "donnees-personnelles.json",
            "donnees-personnelles.pdf",
            "manifeste.json",
            "scellement.json"
        ]
    );
    let path = kept(&bytes);
    confirmed_anchor(&server, &path).await;
    let (ok, said) = verify_export(&path, None);
    assert!(ok, "{said}");
    assert!(
        said.contains(&format!("utilisateur:{}", person.id)),
        "{said}"
    );

    let data: Value = serde_json::from_slice(&files["donnees-personnelles.json"]).unwrap();
    assert_eq!(data["compte"]["adresse_electronique"], OPERATOR);
    assert_eq!(data["compte"]["nom"], person.full_name.as_str());
    assert!(
        data["compte"]["entreprise"]["siret"].is_string(),
        "{data:#}"
    );
    assert!(
        data["connexions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|signed| signed["adresse_ip"] == "127.0.0.1"),
        "{data:#}"
    );
    assert!(!data["sessions"].as_array().unwrap().is_empty(), "{data:#}");
    let journal = data["journal"].as_array().unwrap();
    let consulted = journal
        .iter()
        .find(|entry| entry["action"] == "consultation_compte")
        .unwrap_or_else(|| panic!("{data:#}"));
    assert_eq!(consulted["par"], "une personne habilitée");
    assert!(consulted.get("objet").is_none(), "{consulted}");
    assert!(journal
        .iter()
        .any(|entry| entry["action"] == "connexion" && entry["par"] == "vous"));
    // Nothing in the copy says which agent, nor from where.
    let everything = files
        .values()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .collect::<String>();
    for secret in [AGENT_SIVEP, agent.full_name.as_str(), "10.77.1.2"] {
        assert!(!everything.contains(secret), "la copie révèle {secret}");
    }
    assert!(!data
        .to_string()
        .contains(&format!("\"actor_id\":{}", agent.id)));

    // The readable copy: an archival PDF that says the same.
    let pdf = &files["donnees-personnelles.pdf"];
    archival(pdf);
    let text = pdf_text(pdf);
    assert!(text.contains("Vos données personnelles"), "{text}");
    assert!(text.contains(OPERATOR), "{text}");
    assert!(text.contains("une personne habilitée"), "{text}");
    assert!(!text.contains(&agent.full_name), "{text}");

    // A loop asking for copy after copy is slowed, in French.
    let mut slowed = None;
    for _ in 0..12 {
        let answer = operator.get("/espace/donnees.zip").await;
        if answer.status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            slowed = Some(answer);
            break;
        }
    }
    let slowed = slowed.expect("des copies sans fin ne sont pas ralenties");
    assert!(slowed.body.contains("Trop de demandes"), "{}", slowed.body);

    // Each person gets their own data only: the agent's copy is the agent's.
    let agent_browser = signed_in(&server, AGENT_SIVEP).await;
    let theirs = unzip(&agent_browser.bytes("/espace/donnees.zip").await);
    let data: Value = serde_json::from_slice(&theirs["donnees-personnelles.json"]).unwrap();
    assert_eq!(data["compte"]["adresse_electronique"], AGENT_SIVEP);
    assert!(!String::from_utf8_lossy(&theirs["donnees-personnelles.json"]).contains(OPERATOR));
    assert!(
        !data["habilitations"].as_array().unwrap().is_empty(),
        "{data:#}"
    );
    server.stop().await;
}

/// The text of a PDF, as `pdftotext` reads it.
fn pdf_text(pdf: &[u8]) -> String {
    let file = kept(pdf).with_extension("pdf");
    std::fs::write(&file, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("poppler-utils, que la commande de test installe");
    String::from_utf8_lossy(&output.stdout).into_owned()
}
