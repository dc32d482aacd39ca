//! Mandates of representation, on the real server and both stores: an importer's
//! administrator gives a representative company a mandate for some sites and days; while it is
//! in force — not before its first day, not after its last, not once revoked — the
//! representative's people read the importer's dossiers at those sites (never at the others),
//! act on them and are told of them; nobody else gives or revokes it ("not found" and "not
//! yours" answer alike), and everything is audited.

use reqwest::StatusCode;

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::helpers::{
    company_and_siret, config, count, execute, fresh_database, on_both_stores, Running,
};
use app::store::Backend;

on_both_stores!(
    a_mandate_opens_the_importer_s_dossiers_at_its_sites_while_in_force,
    a_mandate_s_representative_sites_and_days_are_checked,
    a_representative_named_by_a_partner_is_shown_and_acts_for_the_importer_only_with_a_mandate,
);

async fn start(backend: Backend) -> Option<Running> {
    let url = fresh_database(backend).await?;
    Some(Running::start(&config(url)).await)
}

async fn signed_in(server: &Running, email: &str) -> Browser {
    let browser = Browser::new(server);
    browser.sign_in(email, PASSWORD).await;
    browser
}

/// A dossier of `company`, at FRLEH (`true`) or at another site.
async fn dossier_of(server: &Running, company: i64, at_le_havre: bool) -> i64 {
    count(
        &server.store,
        &format!(
            "SELECT MIN(id) FROM dossier WHERE company_id = {company} AND site_code {} 'FRLEH'",
            if at_le_havre { "=" } else { "<>" }
        ),
    )
    .await
}

/// `browser`, an importer's administrator, gives the company of `siret` a mandate for Le Havre
/// from today, until revoked.
async fn give_at_le_havre(browser: &Browser, siret: &str) {
    let given = browser
        .post(
            "/espace/mandats",
            &[
                ("siret", siret),
                ("site-FRLEH", "oui"),
                ("debut", ""),
                ("fin", ""),
            ],
        )
        .await;
    assert_eq!(given.location, "/espace?message=mandat-donne#mandats");
}

/// What « Mes rendez-vous » lists for `browser` (its server function).
async fn appointments_of(browser: &Browser) -> Vec<app::domain::appointment::Appointment> {
    let answer = browser.post("/api/mes-rendez-vous", &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    serde_json::from_str(&answer.body).unwrap()
}

async fn a_mandate_opens_the_importer_s_dossiers_at_its_sites_while_in_force(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let (importer, _) = company_and_siret(store, OPERATOR).await;
    let (representative, representative_siret) = company_and_siret(store, OTHER_OPERATOR).await;
    // Karim administers the representative's account, and hears of its mandates.
    execute(
        store,
        &format!("UPDATE app_user SET company_admin = TRUE WHERE email = '{OTHER_OPERATOR}'"),
    )
    .await
    .unwrap();
    let (here, elsewhere) = (
        dossier_of(&server, importer, true).await,
        dossier_of(&server, importer, false).await,
    );
    assert!(
        here > 0 && elsewhere > 0,
        "la démo a des dossiers sur les deux sites"
    );
    let claire = signed_in(&server, OPERATOR).await;
    let karim = signed_in(&server, OTHER_OPERATOR).await;
    let reads = |id: i64| {
        let karim = &karim;
        async move { karim.get(&format!("/dossiers/{id}")).await.status }
    };
    assert_eq!(reads(here).await, StatusCode::NOT_FOUND, "avant le mandat");

    // Karim cannot give himself a mandate of Claire's company: his own is given, not hers.
    give_at_le_havre(&claire, &representative_siret).await;
    let mandate = count(store, "SELECT MAX(id) FROM mandate").await;
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM mandate WHERE id = {mandate} AND importer_id = {importer} AND representative_id = {representative}")
        )
        .await,
        1
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'mandat_donne'"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM notification n JOIN app_user u ON u.id = n.user_id WHERE u.email = '{OTHER_OPERATOR}' AND n.kind = 'mandat_recu'")
        )
        .await,
        1
    );

    // In force: Le Havre's dossiers of Claire's company, not those of its other sites.
    assert_eq!(reads(here).await, StatusCode::OK);
    assert_eq!(reads(elsewhere).await, StatusCode::NOT_FOUND);
    // Karim books a check of a dossier of Claire's at Le Havre, for her company; « Mes
    // rendez-vous » lists it beside his company's own.
    let (_, importer_siret) = company_and_siret(store, OPERATOR).await;
    let selected =
        crate::appointments::selected_dossiers(&server, "MRV", 5_700_000, 1, true, &importer_siret)
            .await[0];
    let calendar = store
        .calendar(&crate::appointments::post())
        .await
        .unwrap()
        .unwrap();
    let slot = crate::appointments::slot_ahead(&calendar, chrono::Utc::now());
    let booked = karim
        .post(
            &format!("/dossiers/{selected}/rendez-vous"),
            &[("controle", "physical"), ("creneau", &slot.to_rfc3339())],
        )
        .await;
    assert_eq!(
        booked.location,
        format!("/dossiers/{selected}?message=rendez-vous-demande#rendez-vous")
    );
    let shown = appointments_of(&karim).await;
    let theirs: Vec<_> = shown
        .iter()
        .filter(|a| a.company_id == Some(importer))
        .collect();
    assert_eq!(theirs.len(), 1, "{shown:?}");
    assert_eq!(theirs[0].dossier_id, selected);
    let own = count(
        store,
        &format!("SELECT COUNT(*) FROM appointment WHERE company_id = {representative}"),
    )
    .await;
    assert_eq!(shown.len() as i64, own + 1, "rien d'autre");
    let (_, space) = karim.page("/espace").await;
    assert!(
        space.contains("Les entreprises que vous représentez"),
        "{space}"
    );
    assert!(space.contains("En vigueur"), "{space}");
    let (_, space) = claire.page("/espace").await;
    assert!(space.contains("Vos représentants"), "{space}");
    assert!(space.contains(&representative_siret), "{space}");

    // Told of what happens to them: an agent's request for documents reaches Karim too.
    let sivep = signed_in(&server, AGENT_SIVEP).await;
    let due = (chrono::Utc::now() + chrono::Duration::days(4))
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let form = reqwest::multipart::Form::new()
        .text("dossier", here.to_string())
        .text("objet", "documents")
        .text("titre", "Certificat sanitaire original")
        .text(
            "texte",
            "Merci de joindre le certificat sanitaire original.",
        )
        .text("echeance", due);
    let opened = sivep.post_multipart("/messagerie/nouvelle", form).await;
    assert!(!opened.location.contains("erreur"), "{}", opened.location);
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM notification n JOIN app_user u ON u.id = n.user_id WHERE u.email = '{OTHER_OPERATOR}' AND n.kind = 'messagerie_complements'")
        )
        .await,
        1,
        "le représentant est prévenu"
    );
    let exchange = count(store, "SELECT MAX(id) FROM exchange").await;
    let (status, page) = karim.page(&format!("/messagerie/{exchange}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Certificat sanitaire original"), "{page}");
    let (_, inbox) = karim.page("/messagerie").await;
    assert!(inbox.contains("Certificat sanitaire original"), "{inbox}");

    // Only Claire's company's administrators revoke it: Karim gets what an unknown number gets.
    let revoke = format!("/espace/mandats/{mandate}/revocation");
    let theirs = karim.post(&revoke, &[]).await;
    let unknown = claire.post("/espace/mandats/999999/revocation", &[]).await;
    assert_eq!(theirs.location, "/espace?erreur=mandat-introuvable#mandats");
    assert_eq!(theirs.location, unknown.location);
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM mandate WHERE revoked_at IS NOT NULL"
        )
        .await,
        0
    );
    let revoked = claire.post(&revoke, &[]).await;
    assert_eq!(revoked.location, "/espace?message=mandat-revoque#mandats");
    assert_eq!(
        reads(here).await,
        StatusCode::NOT_FOUND,
        "dès la révocation"
    );
    assert!(
        appointments_of(&karim)
            .await
            .iter()
            .all(|a| a.company_id != Some(importer)),
        "ni leurs rendez-vous"
    );
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM notification n JOIN app_user u ON u.id = n.user_id WHERE u.email = '{OTHER_OPERATOR}' AND n.kind = 'mandat_revoque'")
        )
        .await,
        1
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'mandat_revoque'"
        )
        .await,
        1
    );
    let again = claire.post(&revoke, &[]).await;
    assert_eq!(again.location, "/espace?erreur=mandat-termine#mandats");
    server.stop().await;
}

async fn a_mandate_s_representative_sites_and_days_are_checked(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let (importer, own_siret) = company_and_siret(store, OPERATOR).await;
    let (representative, representative_siret) = company_and_siret(store, OTHER_OPERATOR).await;
    let here = dossier_of(&server, importer, true).await;
    let claire = signed_in(&server, OPERATOR).await;
    let karim = signed_in(&server, OTHER_OPERATOR).await;
    let give = |siret: String, site: &'static str, debut: String, fin: String| {
        let claire = &claire;
        async move {
            claire
                .post(
                    "/espace/mandats",
                    &[
                        ("siret", siret.as_str()),
                        (site, "oui"),
                        ("debut", debut.as_str()),
                        ("fin", fin.as_str()),
                    ],
                )
                .await
                .location
        }
    };
    let today = app::domain::access::local_day(chrono::Utc::now());
    let day = |offset: i64| {
        (today + chrono::Duration::days(offset))
            .format("%Y-%m-%d")
            .to_string()
    };

    // Each mistake is said, and nothing is given.
    let refused = give(
        representative_siret.clone(),
        "site-FRLEH",
        day(-2),
        String::new(),
    )
    .await;
    assert!(refused.contains("erreur=mandat-invalide"), "{refused}");
    let (_, page) = claire.page(&refused).await;
    assert!(
        page.contains("Un mandat ne commence pas dans le passé"),
        "{page}"
    );
    let no_site = give(
        representative_siret.clone(),
        "site-XXNOP",
        String::new(),
        String::new(),
    )
    .await;
    assert!(no_site.contains("erreur=mandat-invalide"), "{no_site}");
    let backwards = give(representative_siret.clone(), "site-FRLEH", day(3), day(1)).await;
    assert!(backwards.contains("erreur=mandat-invalide"), "{backwards}");
    let nobody = give(
        "55210055400062".into(),
        "site-FRLEH",
        String::new(),
        String::new(),
    )
    .await;
    assert!(
        nobody.contains("erreur=mandat-representant-inconnu"),
        "{nobody}"
    );
    let itself = give(own_siret, "site-FRLEH", String::new(), String::new()).await;
    assert!(itself.contains("erreur=mandat-a-soi-meme"), "{itself}");
    // A member who does not administer the company gives nothing.
    let by_member = karim
        .post(
            "/espace/mandats",
            &[
                ("siret", representative_siret.as_str()),
                ("site-FRLEH", "oui"),
            ],
        )
        .await;
    assert!(
        !by_member.location.contains("message="),
        "{}",
        by_member.location
    );
    assert_eq!(count(store, "SELECT COUNT(*) FROM mandate").await, 0);

    // From tomorrow: nothing yet.
    let upcoming = give(representative_siret.clone(), "site-FRLEH", day(1), day(30)).await;
    assert!(upcoming.contains("message=mandat-donne"), "{upcoming}");
    let reads = || async { karim.get(&format!("/dossiers/{here}")).await.status };
    assert_eq!(
        reads().await,
        StatusCode::NOT_FOUND,
        "pas avant son premier jour"
    );
    let (_, space) = karim.page("/espace").await;
    assert!(space.contains("À venir"), "{space}");
    // One whose last day is past gives nothing either.
    execute(
        store,
        &format!(
            "UPDATE mandate SET starts_on = '{}', ends_on = '{}' WHERE representative_id = {representative}",
            day(-10),
            day(-1)
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        reads().await,
        StatusCode::NOT_FOUND,
        "pas après son dernier jour"
    );
    // On its last day, it still does.
    execute(
        store,
        &format!(
            "UPDATE mandate SET ends_on = '{}' WHERE representative_id = {representative}",
            day(0)
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        reads().await,
        StatusCode::OK,
        "jusqu'à son dernier jour inclus"
    );
    server.stop().await;
}

/// A valid SIRET no company of the demo holds.
async fn unregistered_siret(server: &Running) -> String {
    let held: Vec<String> = server
        .store
        .companies()
        .await
        .unwrap()
        .into_iter()
        .map(|company| company.siret.to_string())
        .collect();
    (0..100)
        .map(|nic| format!("55210055400{nic:03}"))
        .find(|candidate| {
            app::domain::references::Siret::parse(candidate).is_ok() && !held.contains(candidate)
        })
        .expect("un SIRET valide libre")
}

/// A partner event names a representative (partner interface 1.3): checked like the operator,
/// shown on the dossier with its company's name (or said unregistered), and granting nothing;
/// with a mandate, the representative's person writes « pour le compte de » the importer, and the
/// agents' cards of both companies show the mandate.
async fn a_representative_named_by_a_partner_is_shown_and_acts_for_the_importer_only_with_a_mandate(
    backend: Backend,
) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let (importer, importer_siret) = company_and_siret(store, OPERATOR).await;
    let (representative, representative_siret) = company_and_siret(store, OTHER_OPERATOR).await;
    let name = |id: i64| async move { store.company(id).await.unwrap().unwrap().name };
    let (importer_name, representative_name) = (name(importer).await, name(representative).await);

    // A malformed representative is refused by name, and nothing is opened.
    let reference = crate::helpers::container("REP", 1);
    let mut event = crate::live::first_event("rep-1", &reference, &importer_siret);
    event["representative"] = serde_json::json!({ "siret": "55210055400001" });
    let refused = reqwest::Client::new()
        .post(server.url("/api/v1/events"))
        .bearer_auth(crate::helpers::DEMO_API_KEY)
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(
        problem["errors"][0]["field"], "representative.siret",
        "{problem}"
    );
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM dossier WHERE container = '{reference}'")
        )
        .await,
        0
    );

    // Named with its SIRET: shown on the dossier to the importer's people, by its name.
    event["representative"] = serde_json::json!({ "siret": representative_siret });
    let dossier = crate::live::post(&server, &event).await;
    let claire = signed_in(&server, OPERATOR).await;
    let (status, page) = claire.page(&format!("/dossiers/{dossier}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!(
            "{representative_name} (SIRET {representative_siret})"
        )),
        "{page}"
    );
    // The field alone grants nothing: no mandate, no dossier, as for an unknown one.
    let karim = signed_in(&server, OTHER_OPERATOR).await;
    let unknown = karim.get("/dossiers/999999").await.status;
    assert_eq!(
        karim.get(&format!("/dossiers/{dossier}")).await.status,
        unknown
    );
    assert_eq!(unknown, StatusCode::NOT_FOUND);

    // A representative not registered is said so; a later event naming none keeps it.
    let stranger = unregistered_siret(&server).await;
    let mut later = crate::live::first_event("rep-2", &reference, &importer_siret);
    later["type"] = "unloaded".into();
    later["data"] = serde_json::json!({});
    later["representative"] = serde_json::json!({ "siret": stranger });
    crate::live::post(&server, &later).await;
    let mut silent = crate::live::first_event("rep-3", &reference, &importer_siret);
    silent["type"] = "exited".into();
    silent["data"] = serde_json::json!({});
    crate::live::post(&server, &silent).await;
    let (_, page) = claire.page(&format!("/dossiers/{dossier}")).await;
    assert!(
        page.contains(&format!(
            "SIRET {stranger}, entreprise non inscrite sur France Sésame"
        )),
        "{page}"
    );

    // With a mandate for Le Havre, Karim writes about the dossier for Claire's company.
    give_at_le_havre(&claire, &representative_siret).await;
    let form = reqwest::multipart::Form::new()
        .text("dossier", dossier.to_string())
        .text("destinataire", "dgal")
        .text("objet", "autre")
        .text("titre", "Question du transitaire")
        .text(
            "texte",
            "Bonjour, le conteneur peut-il être positionné demain ?",
        );
    let opened = karim.post_multipart("/messagerie/nouvelle", form).await;
    assert!(!opened.location.contains("erreur"), "{}", opened.location);
    let exchange = count(store, "SELECT MAX(id) FROM exchange").await;
    assert_eq!(
        count(
            store,
            &format!("SELECT company_id FROM exchange WHERE id = {exchange}")
        )
        .await,
        importer,
        "l'échange est celui de l'importateur"
    );
    let signed = format!("({representative_name}), pour le compte de {importer_name}");
    let sivep = signed_in(&server, AGENT_SIVEP).await;
    let (status, page) = sivep.page(&format!("/messagerie/{exchange}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&signed), "{page}");
    let (_, page) = claire.page(&format!("/messagerie/{exchange}")).await;
    assert!(page.contains(&signed), "{page}");

    // So is a document Karim adds to the dossier, on its page for the agent and the importer.
    let form = reqwest::multipart::Form::new()
        .text("type", "commercial_invoice")
        .text("titre", "Facture du transitaire")
        .part(
            "fichier",
            reqwest::multipart::Part::bytes(crate::partner_documents::pdf("transitaire"))
                .file_name("facture.pdf"),
        );
    let added = karim
        .post_multipart(&format!("/dossiers/{dossier}/documents"), form)
        .await;
    assert!(
        added.location.contains("message=document-ajoute"),
        "{}",
        added.location
    );
    for reader in [&sivep, &claire] {
        let (status, page) = reader.page(&format!("/dossiers/{dossier}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Facture du transitaire"), "{page}");
        assert!(page.contains(&signed), "{page}");
    }

    // The agents' cards: the importer's gave it, the representative's received it.
    let (status, card) = sivep.page(&format!("/operateurs/{importer}")).await;
    assert_eq!(status, 200);
    assert!(
        card.contains("Mandats donnés à des représentants"),
        "{card}"
    );
    assert!(card.contains(&representative_siret), "{card}");
    let (status, card) = sivep.page(&format!("/operateurs/{representative}")).await;
    assert_eq!(status, 200);
    assert!(
        card.contains("Mandats reçus : entreprises représentées"),
        "{card}"
    );
    assert!(card.contains(&importer_name), "{card}");
    server.stop().await;
}
