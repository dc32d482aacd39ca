//! New companies, on the real server, both stores, a real OpenID provider, a real SMTP server and
//! a real ClamAV daemon: someone the customs account signs in without naming their company
//! declares one not yet registered, with its sites and the extract of the company registry; the
//! file passes through the antivirus before anything is kept. Only the agents and heads of the
//! sites it declares are told, read the extract and decide (an agent of another site, an
//! operator and an unknown number are answered alike, and nothing changes); accepting needs every
//! check ticked, creates the company with its first member as administrator and records what was
//! checked; refusing tells the person why. Both are audited and told by mail.

use reqwest::multipart::{Form, Part};

use crate::access_requests::Customs;
use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, PASSWORD};
use crate::helpers::{company_and_siret, count, on_both_stores};
use crate::smtp_sink::mail_about;
use app::domain::references::{Siren, Siret};
use app::store::Backend;

on_both_stores!(
    a_new_company_is_verified_by_an_agent_of_its_sites,
    a_refused_inscription_creates_nothing_and_says_why,
);

/// The agent of the port of Fos only, in the demo.
const AGENT_FOS: &str = "agent.fos@demo.sesame.test";

/// An extract of the company registry as a PDF would start.
const EXTRACT: &[u8] = b"%PDF-1.4\n% Extrait Kbis de Neuf Import SAS, RCS Le Havre 552 100 554\n";

fn new_siret(nic: u16) -> String {
    Siret::from_siren_nic(&Siren::parse("552100554").unwrap(), nic).to_string()
}

/// The form of a new company: its fields, these sites, and the extract if any.
fn declaration(siret: &str, name: &str, sites: &[&str], extract: Option<&[u8]>) -> Form {
    let mut form = Form::new()
        .text("siret", siret.to_owned())
        .text("raison_sociale", name.to_owned());
    for site in sites {
        form = form.text("sites", (*site).to_owned());
    }
    if let Some(bytes) = extract {
        form = form.part(
            "extrait",
            Part::bytes(bytes.to_vec()).file_name("Kbis Neuf Import.pdf"),
        );
    }
    form
}

async fn request_of(store: &app::store::Store, email: &str) -> i64 {
    count(
        store,
        &format!("SELECT MAX(id) FROM access_request WHERE email = '{email}'"),
    )
    .await
}

async fn a_new_company_is_verified_by_an_agent_of_its_sites(backend: Backend) {
    let Some(clamd) = crate::clamd::start().await else {
        return;
    };
    let Some(customs) = Customs::start(backend, |config| {
        config.antivirus = Some(clamd.address.clone());
    })
    .await
    else {
        return;
    };
    let (server, sink) = (&customs.server, &customs.sink);
    let store = &server.store;
    let siret = new_siret(62);

    // Emma's customs account names no company, and hers is not registered yet.
    let (emma, location) = customs.sign_in("emma.petit@neufimport.fr").await;
    assert_eq!(location, "/demande-acces");
    let (_, page) = emma.page("/demande-acces").await;
    assert!(
        page.contains("Votre entreprise n'est pas encore inscrite sur France Sésame ?"),
        "{page}"
    );
    assert!(page.contains("Le Havre"), "les sites à déclarer : {page}");
    let id = request_of(store, "emma.petit@neufimport.fr").await;
    let still_to_complete = || async {
        count(
            store,
            &format!("SELECT COUNT(*) FROM access_request WHERE id = {id} AND state = 'a_completer' AND new_company_name IS NULL"),
        )
        .await
    };

    // Without the request's cookie, nothing is declared.
    let stranger = Browser::new(server)
        .post_multipart(
            "/demande-acces/entreprise",
            declaration(&siret, "Neuf Import", &["FRLEH"], Some(EXTRACT)),
        )
        .await;
    assert!(
        stranger.location.contains("erreur=demande-fermee"),
        "{}",
        stranger.location
    );
    assert_eq!(still_to_complete().await, 1);

    // Each mistake is said precisely, what was typed comes back, and nothing is kept.
    let post = |form| emma.post_multipart("/demande-acces/entreprise", form);
    let cases: [(Form, &str); 6] = [
        (
            declaration("55210055400024", "Neuf Import", &["FRLEH"], Some(EXTRACT)),
            "erreur=siret-declare-invalide",
        ),
        (
            declaration(&siret, " X ", &["FRLEH"], Some(EXTRACT)),
            "erreur=raison-sociale-invalide",
        ),
        (
            declaration(&siret, "Neuf Import", &["XXNOPE"], Some(EXTRACT)),
            "erreur=sites-manquants",
        ),
        (
            declaration(&siret, "Neuf Import", &["FRLEH"], None),
            "erreur=extrait-manquant",
        ),
        (
            declaration(
                &siret,
                "Neuf Import",
                &["FRLEH"],
                Some(b"<html>Kbis</html>"),
            ),
            "erreur=extrait-format",
        ),
        (
            declaration(
                &siret,
                "Neuf Import",
                &["FRLEH"],
                Some(&[b"%PDF-1.4\n".as_slice(), crate::clamd::EICAR].concat()),
            ),
            "erreur=extrait-menace",
        ),
    ];
    for (form, expected) in cases {
        let answer = post(form).await;
        assert!(
            answer.location.contains(expected),
            "{expected} : {}",
            answer.location
        );
        assert_eq!(
            still_to_complete().await,
            1,
            "{expected} : rien n'est écrit"
        );
    }
    let (_, said) = emma
        .page(
            &post(declaration(&siret, "Neuf Import", &["FRLEH"], None))
                .await
                .location,
        )
        .await;
    assert!(said.contains("Joignez l'extrait du registre"), "{said}");
    assert!(said.contains(&siret), "le SIRET saisi revient : {said}");
    // A company already registered is joined, not registered twice.
    let (_, registered) = company_and_siret(store, OPERATOR).await;
    let twice = post(declaration(
        &registered,
        "Neuf Import",
        &["FRLEH"],
        Some(EXTRACT),
    ))
    .await;
    assert!(
        twice.location.contains("erreur=entreprise-deja-inscrite"),
        "{}",
        twice.location
    );
    assert_eq!(still_to_complete().await, 1);

    // Declared for Le Havre: it waits for the inspection services there, who are told.
    let declared = post(declaration(
        &siret,
        "  Neuf   Import SAS ",
        &["FRLEH"],
        Some(EXTRACT),
    ))
    .await;
    assert!(
        declared.location.contains("message=inscription-envoyee"),
        "{}",
        declared.location
    );
    let (_, page) = emma.page("/demande-acces").await;
    assert!(
        page.contains("Votre demande d'inscription de l'entreprise Neuf Import SAS"),
        "{page}"
    );
    assert!(
        page.contains("attend la vérification des services de contrôle de : Le Havre."),
        "{page}"
    );
    let told = |email: &'static str| async move {
        count(
            store,
            &format!(
                "SELECT COUNT(*) FROM notification n JOIN app_user u ON u.id = n.user_id
                 WHERE u.email = '{email}' AND n.kind = 'entreprise_a_verifier'"
            ),
        )
        .await
    };
    assert_eq!(told(AGENT_SIVEP).await, 1, "l'agent du Havre est prévenu");
    assert_eq!(told(AGENT_FOS).await, 0, "l'agent de Fos n'en sait rien");
    assert_eq!(told(OPERATOR).await, 0);

    // The agent of Le Havre finds it in their queue and reads the extract, audited; the agent of
    // Fos and an operator see nothing of it, and get the same answer as for no request at all.
    let sophie = Browser::new(server);
    sophie.sign_in(AGENT_SIVEP, PASSWORD).await;
    let (status, queue) = sophie.page("/verifications-entreprises").await;
    assert_eq!(status, 200);
    assert!(queue.contains("Neuf Import SAS"), "{queue}");
    assert!(queue.contains("emma.petit@neufimport.fr"), "{queue}");
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'consultation_inscriptions'"
        )
        .await,
        1
    );
    let extract = format!("/verifications-entreprises/{id}/extrait");
    let file = sophie.get(&extract).await;
    assert_eq!(file.status, 200);
    assert_eq!(sophie.bytes(&extract).await, EXTRACT);
    assert!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'telechargement_extrait'"
        )
        .await
            >= 1
    );
    let nadia = Browser::new(server);
    nadia.sign_in(AGENT_FOS, PASSWORD).await;
    let (_, queue) = nadia.page("/verifications-entreprises").await;
    assert!(!queue.contains("Neuf Import"), "{queue}");
    assert!(
        queue.contains("Aucune entreprise n'attend de vérification"),
        "{queue}"
    );
    let theirs = nadia.get(&extract).await;
    let nothing = nadia.get("/verifications-entreprises/999999/extrait").await;
    assert_eq!(theirs.status, 404);
    assert_eq!(
        (theirs.status, theirs.body.clone()),
        (nothing.status, nothing.body)
    );
    let operator = Browser::new(server);
    operator.sign_in(OPERATOR, PASSWORD).await;
    let refused = operator.get(&extract).await;
    assert_ne!(refused.status, 200);
    assert!(!refused.body.contains("Kbis"), "{}", refused.body);

    // Nobody but an agent of Le Havre decides; nothing changes.
    let accept = format!("/verifications-entreprises/{id}/acceptation");
    let ticked = [
        ("siret_conforme", "oui"),
        ("raison_sociale_conforme", "oui"),
        ("extrait_recent", "oui"),
        ("observations", "Kbis du 2 novembre 2026, RCS Le Havre"),
    ];
    let elsewhere = nadia.post(&accept, &ticked).await;
    let unknown = sophie
        .post("/verifications-entreprises/999999/acceptation", &ticked)
        .await;
    assert_eq!(
        elsewhere.location,
        "/verifications-entreprises?erreur=verification-introuvable"
    );
    assert_eq!(elsewhere.location, unknown.location);
    let by_operator = operator.post(&accept, &ticked).await;
    assert!(
        !by_operator.location.contains("message="),
        "{}",
        by_operator.location
    );
    let companies = || async {
        count(
            store,
            &format!("SELECT COUNT(*) FROM company WHERE siret = '{siret}'"),
        )
        .await
    };
    assert_eq!(companies().await, 0);

    // Every check is needed.
    let unchecked = sophie
        .post(
            &accept,
            &[("siret_conforme", "oui"), ("extrait_recent", "oui")],
        )
        .await;
    assert!(
        unchecked
            .location
            .contains("erreur=verification-incomplete"),
        "{}",
        unchecked.location
    );
    let (_, said) = sophie.page(&unchecked.location).await;
    assert!(
        said.contains("chaque point vérifié sur l'extrait"),
        "{said}"
    );
    // A sole trader is marked from the extract; this one is a company (box left unticked).
    assert!(said.contains("Entreprise individuelle : la raison sociale est le nom d'une personne"));
    assert_eq!(companies().await, 0);

    // Accepted: the company is created with Emma as its administrator, what was checked is
    // recorded, and she is told.
    let accepted = sophie.post(&accept, &ticked).await;
    assert!(
        accepted.location.contains("message=entreprise-inscrite"),
        "{}",
        accepted.location
    );
    assert_eq!(
        count(
            store,
            &format!(
                "SELECT COUNT(*) FROM company WHERE siret = '{siret}' AND name = 'Neuf Import SAS'
                 AND NOT sole_trader"
            ),
        )
        .await,
        1
    );
    let emma_account = store
        .user_by_email("emma.petit@neufimport.fr")
        .await
        .unwrap()
        .expect("le compte est ouvert");
    assert!(emma_account.company_admin);
    assert_eq!(
        count(
            store,
            &format!(
                "SELECT COUNT(*) FROM access_request WHERE id = {id} AND state = 'acceptee'
                 AND verification LIKE '%raison sociale déclarée%' AND verification LIKE '%Kbis du 2 novembre 2026%'"
            ),
        )
        .await,
        1
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'entreprise_verifiee' AND detail LIKE '%vérifié :%'"
        )
        .await,
        1
    );
    let mail = mail_about(
        sink,
        "emma.petit@neufimport.fr",
        "Votre entreprise est inscrite sur France Sésame",
    )
    .await;
    assert!(mail.text.contains("Neuf Import SAS"), "{}", mail.text);
    // A second click finds it decided.
    let again = sophie.post(&accept, &ticked).await;
    assert!(
        again.location.contains("erreur=verification-introuvable"),
        "{}",
        again.location
    );
    assert_eq!(companies().await, 1);
    let (_, queue) = sophie.page("/verifications-entreprises").await;
    assert!(!queue.contains("Neuf Import"), "{queue}");

    // Emma signs in through the customs account, into her company, as its administrator.
    let (_, page) = emma.page("/demande-acces").await;
    assert!(page.contains("vous êtes l'administrateur"), "{page}");
    let emma = customs.enter("emma.petit@neufimport.fr").await;
    let (status, space) = emma.page("/espace").await;
    assert_eq!(status, 200);
    assert!(space.contains("Neuf Import SAS"), "{space}");
    assert!(
        space.contains("Demandes d'accès"),
        "administratrice : {space}"
    );
}

async fn a_refused_inscription_creates_nothing_and_says_why(backend: Backend) {
    // Without an antivirus (a development deployment), the extract is kept unscanned and the
    // agent is told so.
    let Some(customs) = Customs::start(backend, |_| {}).await else {
        return;
    };
    let (server, sink) = (&customs.server, &customs.sink);
    let store = &server.store;
    let siret = new_siret(70);
    let (louis, _) = customs.sign_in("louis.garnier@fretnord.fr").await;
    let declared = louis
        .post_multipart(
            "/demande-acces/entreprise",
            declaration(&siret, "Fret Nord", &["FRLEH", "FRFOS"], Some(EXTRACT)),
        )
        .await;
    assert!(
        declared.location.contains("message=inscription-envoyee"),
        "{}",
        declared.location
    );
    let id = request_of(store, "louis.garnier@fretnord.fr").await;

    // Declared for both ports: the agent of Fos decides too.
    let nadia = Browser::new(server);
    nadia.sign_in(AGENT_FOS, PASSWORD).await;
    let (_, queue) = nadia.page("/verifications-entreprises").await;
    assert!(queue.contains("Fret Nord"), "{queue}");
    assert!(queue.contains("non analysé"), "{queue}");
    let refuse = format!("/verifications-entreprises/{id}/refus");
    let short = nadia.post(&refuse, &[("motif", "Non")]).await;
    assert!(
        short.location.contains("erreur=demande-motif-invalide"),
        "{}",
        short.location
    );
    let refused = nadia
        .post(
            &refuse,
            &[(
                "motif",
                "L'extrait joint est celui d'une autre entreprise que celle déclarée.",
            )],
        )
        .await;
    assert!(
        refused.location.contains("message=inscription-refusee"),
        "{}",
        refused.location
    );
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM company WHERE siret = '{siret}'"),
        )
        .await,
        0
    );
    assert!(store
        .user_by_email("louis.garnier@fretnord.fr")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM access_request WHERE id = {id} AND state = 'refusee'"),
        )
        .await,
        1
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'entreprise_refusee'"
        )
        .await,
        1
    );
    // The name declared (perhaps a person's, for a sole trader) stays with the request, whose
    // retention erases it: not in the audit trail's hashed detail.
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'entreprise_refusee'
               AND detail LIKE '%Fret Nord%'"
        )
        .await,
        0
    );
    let mail = mail_about(
        sink,
        "louis.garnier@fretnord.fr",
        "Votre demande d'inscription sur France Sésame est refusée",
    )
    .await;
    assert!(
        mail.text.contains("celui d'une autre entreprise"),
        "{}",
        mail.text
    );
    let (_, page) = louis.page("/demande-acces").await;
    assert!(
        page.contains(
            "Les services de contrôle ont refusé l'inscription de l'entreprise Fret Nord."
        ),
        "{page}"
    );
    // The extract is no longer handed out.
    let gone = nadia
        .get(&format!("/verifications-entreprises/{id}/extrait"))
        .await;
    assert_eq!(gone.status, 404);
}
