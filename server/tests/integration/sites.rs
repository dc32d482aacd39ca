//! The technical administrator opens sites and border control posts, from the page's forms and
//! from the command line, and a post opened so works at once: its calendar, its alert
//! thresholds and step responsibilities, its approvals. Nobody else can open one, nor read the
//! administration's list; a refused form says exactly what to correct and creates nothing.

use reqwest::StatusCode;

use crate::accounts::{Browser, AGENT_SIVEP, HEAD, OPERATOR, PASSWORD};
use crate::helpers::{config, count, fresh_database, on_both_stores, Running};
use app::domain::appointment::Calendar;
use app::domain::dossier::GoodsCategory;
use app::domain::references::PostCode;
use app::store::Backend;

on_both_stores!(
    the_administrator_opens_a_site_and_a_post_that_work_at_once,
    nobody_else_opens_a_site_or_a_post,
);

const ADMIN: &str = "admin@demo.sesame.test";

const SITE: [(&str, &str); 4] = [
    ("code", "frlrh"),
    ("nom", "La Rochelle — La Pallice"),
    ("type", "port"),
    ("fuseau", "Europe/Paris"),
];

const POST: [(&str, &str); 6] = [
    ("code", "FRLRH1"),
    ("nom", "PCF de La Pallice"),
    ("dgal", "oui"),
    ("validation", "oui"),
    ("marchandise-plants", "oui"),
    ("marchandise-fruit_vegetables", "oui"),
];

async fn the_administrator_opens_a_site_and_a_post_that_work_at_once(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let admin = Browser::new(&server);
    admin.sign_in(ADMIN, PASSWORD).await;
    let (status, page) = admin.page("/administration/sites").await;
    assert_eq!(status, 200);
    assert!(page.contains("FRLEH — "), "the demo's sites are listed");

    // A refused site comes back as typed, with what to correct; nothing is created.
    let sites_before = count(&server.store, "SELECT COUNT(*) FROM site").await;
    let wrong = admin
        .post(
            "/administration/sites",
            &[
                ("code", "FRPT"),
                ("nom", "Jarry"),
                ("type", "port"),
                ("fuseau", "Europe/Paris"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::SEE_OTHER);
    assert!(
        wrong.location.contains("erreur=site-invalide"),
        "{}",
        wrong.location
    );
    let (_, page) = admin.page(&wrong.location).await;
    assert!(page.contains("5 caractères"), "the precise mistake");
    assert!(page.contains("value=\"FRPT\""), "what was typed is kept");
    let zone = admin
        .post(
            "/administration/sites",
            &[
                ("code", "FRPTI"),
                ("nom", "Jarry"),
                ("type", "port"),
                ("fuseau", "Europe/Berlin"),
            ],
        )
        .await;
    let (_, page) = admin.page(&zone.location).await;
    assert!(page.contains("fuseau horaire du site parmi ceux des territoires français"));
    // Overseas sites wait for calendars in local time: said, and nothing created.
    let overseas = admin
        .post(
            "/administration/sites",
            &[
                ("code", "FRPTP"),
                ("nom", "Pointe-à-Pitre"),
                ("type", "port"),
                ("fuseau", "America/Guadeloupe"),
            ],
        )
        .await;
    let (_, page) = admin.page(&overseas.location).await;
    assert!(
        page.contains(
            "Un site de Guadeloupe, Saint-Martin, Saint-Barthélemy ne peut pas encore être ouvert"
        ),
        "{page}"
    );
    assert_eq!(
        count(&server.store, "SELECT COUNT(*) FROM site").await,
        sites_before
    );

    // A post before its site: told to open the site first.
    let early = admin.post("/administration/postes", &POST).await;
    assert!(
        early.location.contains("erreur=poste-sans-site"),
        "{}",
        early.location
    );

    let opened = admin.post("/administration/sites", &SITE).await;
    assert_eq!(opened.location, "/administration/sites?message=site-ouvert");
    let again = admin.post("/administration/sites", &SITE).await;
    assert!(
        again.location.contains("erreur=code-pris"),
        "{}",
        again.location
    );
    let no_goods: Vec<(&str, &str)> = POST
        .iter()
        .copied()
        .filter(|(name, _)| !name.starts_with("marchandise-"))
        .collect();
    let wrong = admin.post("/administration/postes", &no_goods).await;
    let (_, page) = admin.page(&wrong.location).await;
    assert!(page.contains("Cochez au moins une catégorie de marchandises"));
    let opened = admin.post("/administration/postes", &POST).await;
    assert_eq!(
        opened.location,
        "/administration/sites?message=poste-ouvert"
    );
    let (_, page) = admin.page("/administration/sites").await;
    assert!(page.contains("FRLRH — La Rochelle — La Pallice"), "{page}");
    assert!(page.contains("France métropolitaine et Corse"));
    assert!(page.contains(
        "FRLRH1 — PCF de La Pallice (DGAL ; chaque demande de rendez-vous validée ; agréé pour : "
    ));

    // The post works like a demo post: its calendar, its approvals, its alert thresholds and
    // step responsibilities are there.
    let code = PostCode::parse("FRLRH1").unwrap();
    assert_eq!(
        server.store.calendar(&code).await.unwrap(),
        Some(Calendar::standard(true))
    );
    let post = server
        .store
        .posts()
        .await
        .unwrap()
        .into_iter()
        .find(|post| post.code == code)
        .unwrap();
    assert_eq!(
        post.approvals,
        vec![GoodsCategory::Plants, GoodsCategory::FruitVegetables]
    );
    assert!(
        count(
            &server.store,
            "SELECT COUNT(*) FROM alert_threshold WHERE post_code = 'FRLRH1'"
        )
        .await
            > 0
    );
    assert!(
        count(
            &server.store,
            "SELECT COUNT(*) FROM step_responsibility WHERE post_code = 'FRLRH1'"
        )
        .await
            > 0
    );
    // The public list of posts (booking, partner documentation) has it.
    let answer = Browser::new(&server).post("/api/postes", &[]).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("FRLRH1"), "{}", answer.body);
    // Audited as the administrator's doing.
    let entries = server.store.audit_entries(200).await.unwrap();
    for (action, object) in [
        ("site_ouvert", "site:FRLRH"),
        ("poste_ouvert", "poste:FRLRH1"),
    ] {
        assert!(
            entries
                .iter()
                .any(|e| e.action == action && e.object == object && e.actor == ADMIN),
            "{action}"
        );
    }
    server.stop().await;
}

async fn nobody_else_opens_a_site_or_a_post(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let sites = count(&server.store, "SELECT COUNT(*) FROM site").await;
    let posts = count(&server.store, "SELECT COUNT(*) FROM post").await;
    for email in [
        OPERATOR,
        AGENT_SIVEP,
        HEAD,
        "superviseur@demo.sesame.test",
        "dgitm@demo.sesame.test",
    ] {
        let person = Browser::new(&server);
        person.sign_in(email, PASSWORD).await;
        assert_eq!(
            person.get("/administration/sites").await.status,
            StatusCode::FORBIDDEN,
            "{email}"
        );
        let answer = person.post("/administration/sites", &SITE).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{email}");
        // A post at an existing site, which would pass every check but the caller's.
        let mut at_le_havre = POST.to_vec();
        at_le_havre[0] = ("code", "FRLEH9");
        let answer = person.post("/administration/postes", &at_le_havre).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{email}");
        let answer = person.post("/api/sites-et-postes", &[]).await;
        assert_ne!(answer.status, StatusCode::OK, "{email}");
        assert!(!answer.body.contains("FRLEH1"), "{email}");
    }
    // Without a session: sent to sign in.
    let stranger = Browser::new(&server);
    let answer = stranger.post("/administration/sites", &SITE).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(
        answer.location.starts_with("/connexion"),
        "{}",
        answer.location
    );
    assert_eq!(
        count(&server.store, "SELECT COUNT(*) FROM site").await,
        sites
    );
    assert_eq!(
        count(&server.store, "SELECT COUNT(*) FROM post").await,
        posts
    );
    server.stop().await;
}
