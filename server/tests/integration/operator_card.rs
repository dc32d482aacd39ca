//! « Fiche d'Identité Opérateur » on the real server and both stores: a company with dossiers at
//! Le Havre and at Fos, an agent habilitated at Le Havre only, a supervisor. The agent's card
//! covers Le Havre (its figures known from the rows written here), the supervisor's every site;
//! operators (of that company or another), the DGITM and an agent of no site where the company
//! works get nothing, answered as for a company that does not exist; each opening is audited
//! once; the search finds by name, SIRET and EORI within the reader's reach.

use app::api::operators::OperatorSearchResult;
use app::domain::dossier::DossierStatus;
use app::domain::operator::OperatorCard;
use app::store::Backend;
use chrono::{Duration, Utc};

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::helpers::{config, execute, fresh_database, on_both_stores, Running};

on_both_stores!(
    an_agent_reads_its_sites_and_a_supervisor_every_site,
    strangers_get_nothing,
    the_search_stays_within_reach,
);

const SUPERVISOR: &str = "superviseur@demo.sesame.test";
const DGITM: &str = "dgitm@demo.sesame.test";
const COMPANY: i64 = 9001;
/// A company present at Fos only.
const FOS_ONLY: i64 = 9002;
const SECRET_AT_FOS: &str = "FOSU7001238";

async fn signed_in(server: &Running, email: &str) -> Browser {
    let browser = Browser::new(server);
    browser.sign_in(email, PASSWORD).await;
    browser
}

/// An instant `days` ago, written as both stores compare it.
fn ago(days: i64) -> String {
    (Utc::now() - Duration::days(days))
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string()
}

/// The demo, two companies of the test, their dossiers, steps and appointments, and the SIVEP
/// agent's habilitation at Fos withdrawn.
async fn start(backend: Backend) -> Option<Running> {
    let url = fresh_database(backend).await?;
    let mut config = config(url);
    config.submissions_burst = 10_000;
    let server = Running::start(&config).await;
    let dossier = |id: i64,
                   company: i64,
                   site: &str,
                   post: &str,
                   container: &str,
                   status: &str,
                   step: &str,
                   opened: i64| {
        format!(
            "INSERT INTO dossier (id, site_code, post_code, company_id, goods_category, goods_description,
                 flow, container, status, current_step, opened_at, updated_at)
             VALUES ({id}, '{site}', '{post}', {company}, 'animal_products', 'Crevettes congelées',
                 'import', '{container}', '{status}', '{step}', '{}', '{}')",
            ago(opened),
            ago(opened)
        )
    };
    let statements = vec![
        format!(
            "INSERT INTO company (id, name, siret, eori, address, created_at)
             VALUES ({COMPANY}, 'Fiche Témoin Import', '73282932000074', 'FR732829320',
                     '1 quai de l''Europe, 76600 Le Havre', '{}')",
            ago(400)
        ),
        format!(
            "INSERT INTO company (id, name, siret, eori, created_at)
             VALUES ({FOS_ONLY}, 'Seulement Fos Négoce', '55210055400013', NULL, '{}')",
            ago(400)
        ),
        format!(
            "INSERT INTO app_user (email, full_name, role, company_id, company_admin, created_at)
             VALUES ('zoe.temoin@fiche.test', 'Zoé Témoin', 'operateur', {COMPANY}, TRUE, '{}')",
            ago(400)
        ),
        // Le Havre: one waiting at its physical check, one refused, one finished.
        dossier(900_101, COMPANY, "FRLEH", "FRLEH1", "FICU1000014", "en_cours", "physical_check", 3),
        dossier(900_102, COMPANY, "FRLEH", "FRLEH1", "FICU1000029", "non_conforme", "follow_up", 20),
        dossier(900_103, COMPANY, "FRLEH", "FRLEH1", "FICU1000035", "termine", "exit", 40),
        // Fos: one blocked, which the Le Havre agent must never see.
        dossier(900_104, COMPANY, "FRFOS", "FRFOS1", SECRET_AT_FOS, "bloque", "lab_analysis", 5),
        dossier(900_105, FOS_ONLY, "FRFOS", "FRFOS1", "FOSU7001243", "en_cours", "arrival", 2),
        format!(
            "INSERT INTO step (dossier_id, kind, position, state, started_at, expected_minutes)
             VALUES (900101, 'physical_check', 5, 'en_cours', '{}', 120)",
            ago(2)
        ),
        format!(
            "INSERT INTO step (dossier_id, kind, position, state, started_at, ended_at, actor, outcome, expected_minutes)
             VALUES (900102, 'decision', 7, 'non_conforme', '{}', '{}', 'dgal', 'Décision défavorable : résidus au-delà des limites', 60)",
            ago(19),
            ago(18)
        ),
        format!(
            "INSERT INTO step (dossier_id, kind, position, state, started_at, expected_minutes)
             VALUES (900102, 'follow_up', 10, 'en_cours', '{}', 600)",
            ago(18)
        ),
        format!(
            "INSERT INTO step (dossier_id, kind, position, state, started_at, ended_at, actor, outcome, expected_minutes)
             VALUES (900104, 'documentary_check', 3, 'non_conforme', '{}', '{}', 'dgal', 'Certificat illisible à Fos', 60)",
            ago(4),
            ago(4)
        ),
        // Four past appointments of the company at FRLEH1: three honoured, one missed.
        format!(
            "INSERT INTO slot (id, post_code, check_kind, starts_at, ends_at, capacity, booked)
             VALUES (900201, 'FRLEH1', 'physical', '{}', '{}', 10, 0)",
            ago(10),
            ago(10)
        ),
    ];
    let mut statements = statements;
    for (index, state) in ["honore", "honore", "honore", "absent"].iter().enumerate() {
        statements.push(format!(
            "INSERT INTO appointment (dossier_id, check_kind, slot_id, state, company_id, checkin_token, created_at, updated_at)
             VALUES (900103, 'physical', 900201, '{state}', {COMPANY}, 'jeton-fiche-{index}', '{}', '{}')",
            ago(12),
            ago(10)
        ));
    }
    statements.push(
        "UPDATE habilitation SET withdrawn_at = '2026-01-01T00:00:00+00:00'
         WHERE site_code = 'FRFOS'
           AND user_id = (SELECT id FROM app_user WHERE email = 'agent.sivep@demo.sesame.test')"
            .to_owned(),
    );
    for statement in statements {
        execute(&server.store, &statement)
            .await
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    }
    Some(server)
}

fn ids(result: &OperatorSearchResult) -> Vec<i64> {
    result.hits.iter().map(|hit| hit.id).collect()
}

/// The card a server function gives `browser`, or `None` (the answer `null`).
async fn card(browser: &Browser, id: i64) -> (u16, Option<OperatorCard>) {
    let answer = browser
        .post("/api/fiche-operateur", &[("id", &id.to_string())])
        .await;
    let status = answer.status.as_u16();
    if status != 200 {
        return (status, None);
    }
    (status, serde_json::from_str(&answer.body).unwrap())
}

fn count(card: &OperatorCard, status: DossierStatus) -> i64 {
    card.by_status
        .iter()
        .find(|(s, _)| *s == status)
        .map_or(0, |(_, n)| *n)
}

async fn an_agent_reads_its_sites_and_a_supervisor_every_site(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let agent = signed_in(&server, AGENT_SIVEP).await;
    let (status, agent_card) = card(&agent, COMPANY).await;
    assert_eq!(status, 200);
    let agent_card = agent_card.expect("l'agent du Havre lit la fiche");

    // The identity is the company's, with its checks and its people.
    assert_eq!(agent_card.identity.name, "Fiche Témoin Import");
    assert!(agent_card.identity.siret_checked());
    assert_eq!(agent_card.identity.eori_checked(), Some(true));
    let people: Vec<(String, String, bool)> = agent_card
        .identity
        .people
        .iter()
        .map(|(_, name, email, admin)| (name.clone(), email.clone(), *admin))
        .collect();
    assert_eq!(
        people,
        vec![(
            "Zoé Témoin".to_owned(),
            "zoe.temoin@fiche.test".to_owned(),
            true
        )]
    );
    // Le Havre only: three dossiers, none blocked, the open one waiting at its physical check
    // for two days, the refusal with its follow-up under way, nothing from Fos.
    assert!(!agent_card.all_sites);
    assert_eq!(agent_card.sites, vec!["Le Havre".to_owned()]);
    assert_eq!(count(&agent_card, DossierStatus::EnCours), 1);
    assert_eq!(count(&agent_card, DossierStatus::NonConforme), 1);
    assert_eq!(count(&agent_card, DossierStatus::Termine), 1);
    assert_eq!(count(&agent_card, DossierStatus::Bloque), 0);
    assert_eq!(agent_card.open.len(), 1);
    assert_eq!(agent_card.open[0].reference, "FICU1000014");
    assert!((2 * 1440 - 5..=2 * 1440 + 5).contains(&agent_card.open[0].waiting_minutes));
    assert_eq!(agent_card.non_conformities.len(), 1);
    assert_eq!(
        agent_card.non_conformities[0].outcome.as_deref(),
        Some("Décision défavorable : résidus au-delà des limites")
    );
    assert_eq!(
        agent_card.non_conformities[0].follow_up,
        Some(app::domain::journey::StepState::EnCours)
    );
    // Three honoured, one missed: a quarter.
    let post = &agent_card.appointments[0];
    assert_eq!(
        (post.post_code.as_str(), post.honoured, post.no_shows),
        ("FRLEH1", 3, 1)
    );
    assert_eq!(post.rate(), Some(25.0));
    assert!(post.post_attended >= 4);
    // The history: three dossiers opened in the last twelve months, one of them refused.
    assert_eq!(agent_card.months.len(), 12);
    assert_eq!(agent_card.months.iter().map(|m| m.opened).sum::<i64>(), 3);
    assert_eq!(
        agent_card
            .months
            .iter()
            .map(|m| m.non_compliant)
            .sum::<i64>(),
        1
    );
    let json = serde_json::to_string(&agent_card).unwrap();
    assert!(!json.contains(SECRET_AT_FOS) && !json.contains("Certificat illisible"));

    // The page says the same, in French, and still nothing of Fos.
    let (status, page) = agent.page(&format!("/operateurs/{COMPANY}")).await;
    assert_eq!(status, 200);
    for expected in [
        "Fiche Témoin Import",
        "Clé de contrôle vérifiée",
        "Europe, 76600 Le Havre",
        "Activité sur vos sites seulement : Le Havre.",
        "25,0 %",
        "Décision défavorable : résidus au-delà des limites",
        "Dossiers ouverts par mois",
    ] {
        assert!(page.contains(expected), "{expected} absent de la fiche");
    }
    assert!(!page.contains(SECRET_AT_FOS));

    // The supervisor reads every site: the blocked dossier at Fos and its non-conformity too.
    let supervisor = signed_in(&server, SUPERVISOR).await;
    let (_, whole) = card(&supervisor, COMPANY).await;
    let whole = whole.expect("le superviseur lit la fiche");
    assert!(whole.all_sites);
    assert_eq!(count(&whole, DossierStatus::Bloque), 1);
    assert_eq!(whole.non_conformities.len(), 2);
    assert!(whole.open.iter().any(|d| d.reference == SECRET_AT_FOS));
    assert_eq!(whole.identity, agent_card.identity);

    // Each opening is in the audit trail once: a reload is the same consultation.
    let _ = card(&agent, COMPANY).await;
    let _ = agent.page(&format!("/operateurs/{COMPANY}")).await;
    let object = format!("entreprise:{COMPANY}");
    let entries = server.store.audit_entries(500).await.unwrap();
    let readings: Vec<_> = entries
        .iter()
        .filter(|entry| entry.action == "consultation_fiche_operateur" && entry.object == object)
        .collect();
    assert_eq!(readings.len(), 2, "une par lecteur : {readings:?}");
    server.stop().await;
}

async fn strangers_get_nothing(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    // An operator, of another company or of this one's kind, and the DGITM: refused outright,
    // the page and the function alike, nothing of the company in the answer.
    for email in [OPERATOR, OTHER_OPERATOR, DGITM] {
        let browser = signed_in(&server, email).await;
        let (status, body) = card(&browser, COMPANY).await;
        assert_eq!((status, body), (403, None), "{email}");
        let (status, page) = browser.page(&format!("/operateurs/{COMPANY}")).await;
        assert_eq!(status, 403, "{email}");
        assert!(
            !page.contains("Fiche Témoin") && !page.contains("73282932000074"),
            "{email}"
        );
        let search = browser
            .post("/api/operateurs", &[("recherche", "Témoin")])
            .await;
        assert_eq!(search.status.as_u16(), 403, "{email}");
    }
    // An agent of no site where the company works: as for a company that does not exist.
    let agent = signed_in(&server, AGENT_SIVEP).await;
    assert_eq!(card(&agent, FOS_ONLY).await, (200, None));
    assert_eq!(card(&agent, 987_654).await, (200, None));
    let (status, page) = agent.page(&format!("/operateurs/{FOS_ONLY}")).await;
    let (missing_status, missing) = agent.page("/operateurs/987654").await;
    assert_eq!((status, missing_status), (404, 404));
    assert!(page.contains("Opérateur introuvable") && missing.contains("Opérateur introuvable"));
    assert!(!page.contains("Seulement Fos"));
    // Nothing was recorded as read.
    let entries = server.store.audit_entries(500).await.unwrap();
    assert!(!entries
        .iter()
        .any(|entry| entry.object == format!("entreprise:{FOS_ONLY}")));
    server.stop().await;
}

/// What a search gives `browser`.
async fn search(browser: &Browser, text: &str) -> OperatorSearchResult {
    let answer = browser
        .post("/api/operateurs", &[("recherche", text)])
        .await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.body);
    serde_json::from_str(&answer.body).unwrap()
}

async fn the_search_stays_within_reach(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let agent = signed_in(&server, AGENT_SIVEP).await;
    let supervisor = signed_in(&server, SUPERVISOR).await;
    for text in ["témoin", "732 829 320 00074", "fr732829320"] {
        let found = search(&agent, text).await;
        assert_eq!(ids(&found), vec![COMPANY], "{text}");
    }
    // Present at Fos only: beyond the Le Havre agent's reach, within the supervisor's.
    assert!(ids(&search(&agent, "Seulement Fos").await).is_empty());
    assert!(ids(&search(&agent, "55210055400013").await).is_empty());
    assert_eq!(
        ids(&search(&supervisor, "55210055400013").await),
        vec![FOS_ONLY]
    );
    // A search that means nothing says so in French.
    let vague = search(&agent, "x").await;
    assert!(vague.problem.unwrap().contains("au moins deux lettres"));
    server.stop().await;
}
