//! The texts that bind the platform and what the deployment says of itself: a new version of the
//! terms of use is put to everyone who accepted an earlier one, at their next sign-in; the terms
//! cover the clauses of the charter; the contact page, the legal notice, the personal-data page
//! and the accessibility statement show what the deployment configured.

use app::domain::access::local_day;
use app::domain::cgu;
use app::store::Backend;
use reqwest::StatusCode;

use crate::accounts::{Browser, OPERATOR, PASSWORD};
use crate::helpers::{config, fresh_database, on_both_stores, Running};

on_both_stores!(whoever_accepted_the_previous_terms_accepts_the_new_ones_at_the_next_sign_in);

/// The version the terms had before this one.
const PREVIOUS_VERSION: &str = "2026-11-26";

async fn whoever_accepted_the_previous_terms_accepts_the_new_ones_at_the_next_sign_in(
    backend: Backend,
) {
    assert_ne!(
        PREVIOUS_VERSION,
        cgu::VERSION,
        "une nouvelle version est en vigueur"
    );
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let store = &server.store;
    let operator = store.user_by_email(OPERATOR).await.unwrap().unwrap().id;
    let accepted_in = |version: &'static str| async move {
        store
            .viewer(operator, local_day(chrono::Utc::now()), version)
            .await
            .unwrap()
            .unwrap()
            .cgu_accepted
    };
    // The operator accepted the previous terms, as everyone had.
    let mut tx = store.begin().await.unwrap();
    tx.accept_cgu(
        operator,
        PREVIOUS_VERSION,
        "127.0.0.1",
        chrono::Utc::now() - chrono::Duration::days(3),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(accepted_in(PREVIOUS_VERSION).await);
    assert!(!accepted_in(cgu::VERSION).await);

    // At the next sign-in, the new version is put to them before anything else.
    let browser = Browser::new(&server);
    let signed_in = browser.try_sign_in(OPERATOR, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    let gate = browser.get("/espace").await;
    assert_eq!(gate.status, StatusCode::SEE_OTHER);
    assert_eq!(gate.location, "/cgu/acceptation?retour=%2Fespace");
    let page = browser.get("/cgu/acceptation").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(cgu::VERSION_LABEL), "{}", page.body);
    assert!(page.body.contains("Comint 2"));

    let accepted = browser
        .post(
            "/cgu/acceptation",
            &[("accepte", "oui"), ("retour", "/espace")],
        )
        .await;
    assert_eq!(accepted.location, "/espace?message=cgu-acceptees");
    assert!(accepted_in(cgu::VERSION).await);
    assert_eq!(browser.get("/espace").await.status, StatusCode::OK);
    // Recorded against the new version, the earlier acceptance kept.
    let entries = store.audit_entries(200).await.unwrap();
    assert!(entries
        .iter()
        .any(|e| e.action == "cgu_acceptees" && e.detail == cgu::VERSION));
    assert!(accepted_in(PREVIOUS_VERSION).await);

    // The next sign-in goes straight through.
    let again = Browser::new(&server);
    again.try_sign_in(OPERATOR, PASSWORD).await;
    assert_eq!(again.get("/espace").await.status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn the_pages_say_what_the_deployment_configured_and_the_terms_cover_the_charter() {
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let mut config = config(url);
    config.publisher = "Direction de test, 1 rue du Port, 76600 Le Havre".to_owned();
    config.publication_director = "Madame la directrice de test".to_owned();
    config.host_provider =
        "Hébergeur de test, 2 quai Nord, 13002 Marseille, 04 00 00 00 00".to_owned();
    config.contact_email = "incidents@sesame-test.example.fr".to_owned();
    config.rights_email = "comint2@sesame-test.example.fr".to_owned();
    let server = Running::start(&config).await;
    let visitor = Browser::new(&server);
    let page = |path: &'static str| {
        let visitor = &visitor;
        async move {
            let answer = visitor.get(path).await;
            assert_eq!(answer.status, StatusCode::OK, "{path}");
            answer.body
        }
    };

    let contact = page("/contact").await;
    assert!(contact.contains("Le service des incidents et suggestions"));
    assert!(contact.contains("href=\"mailto:incidents@sesame-test.example.fr\""));
    assert!(!contact.contains("prochainement"));

    let notice = page("/mentions-legales").await;
    for configured in [
        "Direction de test, 1 rue du Port, 76600 Le Havre",
        "Madame la directrice de test",
        "Hébergeur de test, 2 quai Nord, 13002 Marseille, 04 00 00 00 00",
        "incidents@sesame-test.example.fr",
    ] {
        assert!(notice.contains(configured), "« {configured} » : {notice}");
    }
    assert!(!notice.contains("SESAME_HOST_PROVIDER"));

    let personal = page("/donnees-personnelles").await;
    for expected in [
        "comint2@sesame-test.example.fr",
        "href=\"/espace/donnees\"",
        "portabilité",
        "article 17, paragraphe 3, point b",
        "CNIL",
        "DGITM",
    ] {
        assert!(personal.contains(expected), "« {expected} » : {personal}");
    }

    let accessibility = page("/accessibilite").await;
    for expected in [
        "non conforme",
        "RGAA",
        "axe-core",
        "incidents@sesame-test.example.fr",
        "Voies de recours",
        "Défenseur des droits",
        "Libre réponse 71120",
    ] {
        assert!(
            accessibility.contains(expected),
            "« {expected} » : {accessibility}"
        );
    }

    let terms = page("/cgu").await;
    for expected in [
        cgu::VERSION_LABEL,
        "CNIL",
        "Comint 2",
        "DGITM",
        "article 17, paragraphe 3, point b",
        "323-1",
        "226-16",
        "articles 48 à 56",
    ] {
        assert!(terms.contains(expected), "« {expected} » : {terms}");
    }

    let regulations = page("/informations-reglementaires").await;
    for expected in [
        "https://eur-lex.europa.eu/eli/reg/2017/625/oj",
        "https://eur-lex.europa.eu/eli/reg_impl/2019/1715/oj",
        "https://eur-lex.europa.eu/eli/reg/2016/2031/oj",
        "https://eur-lex.europa.eu/eli/reg/2013/952/oj",
        "legifrance.gouv.fr",
        "douane.gouv.fr",
        "agriculture.gouv.fr",
    ] {
        assert!(
            regulations.contains(expected),
            "« {expected} » : {regulations}"
        );
    }
    server.stop().await;

    // Without configuration, the legal notice says what a deployment must set.
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let server = Running::start(&crate::helpers::config(url)).await;
    let notice = Browser::new(&server).get("/mentions-legales").await.body;
    assert!(notice.contains("SESAME_HOST_PROVIDER"), "{notice}");
    assert!(notice.contains(cgu::DGDDI_ADDRESS), "{notice}");
    let contact = Browser::new(&server).get("/contact").await.body;
    assert!(contact.contains(app::branding::DEFAULT_CONTACT_EMAIL));
    server.stop().await;
}
