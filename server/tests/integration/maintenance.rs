//! Maintenance and the state of the service: only the technical administrator schedules one
//! (a refused form says what to correct and records nothing); before it every page shows a
//! banner and the operators whose appointment falls in it are notified; during it pages answer
//! 503 in French with each site's procédure de secours, the partner interface 503 with
//! `Retry-After`, `/readyz` stays ready, and the administrator keeps the platform to end it; the
//! page « État du service » tells all of it, and the history keeps incidents.

use chrono::{Duration, Utc};
use reqwest::StatusCode;

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, PASSWORD};
use crate::helpers::{config, count, execute, fresh_database, on_both_stores, Running};
use app::store::Backend;

on_both_stores!(
    nobody_but_the_administrator_schedules_a_maintenance,
    a_maintenance_is_announced_then_closes_the_platform_but_for_its_administrator,
);

const ADMIN: &str = "admin@demo.sesame.test";

fn moment(at: chrono::DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Paris)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

async fn start(backend: Backend) -> Option<Running> {
    let url = fresh_database(backend).await?;
    let mut config = config(url);
    config.maintenance_poll_millis = 100;
    Some(Running::start(&config).await)
}

/// Waits (10 s at most) until `path` answers `status` to `browser`.
async fn until_status(browser: &Browser, path: &str, status: StatusCode) -> String {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (now, page) = browser.page(path).await;
        if now == status {
            return page;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{path} : attendu {status}, reçu {now}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn nobody_but_the_administrator_schedules_a_maintenance(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let end = moment(Utc::now() + Duration::hours(2));
    let fields = [
        ("debut", ""),
        ("fin", end.as_str()),
        ("motif", "Mise à jour"),
    ];
    for email in [
        OPERATOR,
        AGENT_SIVEP,
        "chef@demo.sesame.test",
        "dgitm@demo.sesame.test",
    ] {
        let browser = Browser::new(&server);
        browser.sign_in(email, PASSWORD).await;
        let answer = browser.post("/administration/maintenance", &fields).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{email}");
        let (status, _) = browser.page("/administration/maintenance").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        let answer = browser
            .post(
                "/administration/procedures",
                &[("site", "FRLEH"), ("texte", "x")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{email}");
    }
    let stranger = Browser::new(&server)
        .post("/administration/maintenance", &fields)
        .await;
    assert!(
        !stranger.location.contains("message="),
        "{}",
        stranger.location
    );
    assert_eq!(
        count(&server.store, "SELECT COUNT(*) FROM service_interruption").await,
        0
    );
    assert_eq!(
        count(
            &server.store,
            "SELECT COUNT(*) FROM site WHERE fallback_procedure <> ''"
        )
        .await,
        0
    );

    // The administrator's refused form says what to correct, keeps what was typed, records
    // nothing.
    let admin = Browser::new(&server);
    admin.sign_in(ADMIN, PASSWORD).await;
    let wrong = admin
        .post(
            "/administration/maintenance",
            &[
                ("debut", "demain"),
                ("fin", end.as_str()),
                ("motif", "Mise à jour"),
            ],
        )
        .await;
    assert!(
        wrong.location.contains("erreur=interruption-invalide"),
        "{}",
        wrong.location
    );
    let (_, page) = admin.page(&wrong.location).await;
    assert!(page.contains("Début : date et heure illisibles"), "{page}");
    assert!(page.contains("value=\"demain\""), "{page}");
    assert_eq!(
        count(&server.store, "SELECT COUNT(*) FROM service_interruption").await,
        0
    );
    server.stop().await;
}

async fn a_maintenance_is_announced_then_closes_the_platform_but_for_its_administrator(
    backend: Backend,
) {
    let Some(server) = start(backend).await else {
        return;
    };
    let store = &server.store;
    let admin = Browser::new(&server);
    admin.sign_in(ADMIN, PASSWORD).await;
    let claire = Browser::new(&server);
    claire.sign_in(OPERATOR, PASSWORD).await;

    // A booked appointment of Claire's company falls in the maintenance.
    let (user, company, own, _) = crate::appointments::operator(&server).await;
    let calendar = store
        .calendar(&crate::appointments::post())
        .await
        .unwrap()
        .expect("calendrier de démonstration");
    let slot_at = crate::appointments::slot_ahead(&calendar, Utc::now());
    let dossier =
        crate::appointments::selected_dossiers(&server, "MNT", 6_100_000, 1, true, &own).await[0];
    store
        .book(
            &crate::appointments::booking(
                dossier,
                app::domain::appointment::CheckKind::Physical,
                slot_at,
                user,
                company,
            ),
            &app::store::Actor::ANONYMOUS,
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();

    // The procedure of Le Havre, written by the administrator.
    let written = admin
        .post(
            "/administration/procedures",
            &[
                ("site", "FRLEH"),
                (
                    "texte",
                    "Appelez l'accueil du PCF au 02 35 00 00 00.\nApportez vos documents au guichet.",
                ),
            ],
        )
        .await;
    assert!(
        written.location.contains("message=procedure-enregistree"),
        "{}",
        written.location
    );

    let (from, to) = (
        slot_at - Duration::minutes(30),
        slot_at + Duration::hours(1),
    );
    let scheduled = admin
        .post(
            "/administration/maintenance",
            &[
                ("debut", moment(from).as_str()),
                ("fin", moment(to).as_str()),
                ("motif", "Mise à jour de la base de données."),
            ],
        )
        .await;
    assert!(
        scheduled.location.contains("message=maintenance-prevue"),
        "{}",
        scheduled.location
    );
    // Claire's company is told about its appointment.
    let told = count(
        store,
        &format!(
            "SELECT COUNT(*) FROM notification n JOIN app_user u ON u.id = n.user_id
             WHERE n.kind = 'maintenance_rendez_vous' AND n.dossier_id = {dossier}
               AND u.company_id = {company}"
        ),
    )
    .await;
    assert!(told > 0);
    // Nobody of another company hears of it.
    assert_eq!(
        count(
            store,
            &format!(
                "SELECT COUNT(*) FROM notification n JOIN app_user u ON u.id = n.user_id
                 WHERE n.kind = 'maintenance_rendez_vous' AND u.company_id <> {company}"
            ),
        )
        .await,
        0
    );
    // Before it, a banner on every page, and the page « État du service » announces it.
    let (status, home) = claire.page("/").await;
    assert_eq!(status, 200);
    let home = if home.contains("annonce-maintenance") {
        home
    } else {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        claire.page("/").await.1
    };
    assert!(home.contains("Maintenance prévue"), "{home}");
    assert!(
        home.contains("Mise à jour de la base de données."),
        "{home}"
    );
    let (status, state) = Browser::new(&server).page("/etat-du-service").await;
    assert_eq!(status, 200);
    assert!(
        state.contains("Le service fonctionne normalement"),
        "{state}"
    );
    assert!(
        state.contains("Apportez vos documents au guichet."),
        "{state}"
    );

    // It starts (moved to now): pages answer 503 in French, with the procedures.
    execute(
        store,
        &format!(
            "UPDATE service_interruption SET starts_at = '{}'",
            (Utc::now() - Duration::minutes(1)).format("%Y-%m-%dT%H:%M:%S+00:00")
        ),
    )
    .await
    .unwrap();
    let closed = until_status(&claire, "/dossiers", StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(
        closed.contains("France Sésame est en maintenance"),
        "{closed}"
    );
    assert!(
        closed.contains("Mise à jour de la base de données."),
        "{closed}"
    );
    assert!(
        closed.contains("Appelez l&#x27;accueil") || closed.contains("Appelez l'accueil"),
        "{closed}"
    );
    let anonymous = Browser::new(&server);
    let (status, _) = anonymous.page("/").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    // The partner interface: 503, a problem document, Retry-After.
    let partner = reqwest::Client::new()
        .post(server.url("/api/v1/events"))
        .bearer_auth(crate::helpers::DEMO_API_KEY)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(partner.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry: i64 = partner.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // Until its end.
    let until_end = (to - Utc::now()).num_seconds();
    assert!((retry - until_end).abs() <= 60, "{retry} ≠ {until_end}");
    assert_eq!(
        partner.headers()["content-type"],
        "application/problem+json"
    );
    // Load balancers keep sending people to the page that explains.
    assert_eq!(server.get("/readyz").await.0, 200);
    let (status, state) = anonymous.page("/etat-du-service").await;
    assert_eq!(status, 200);
    assert!(state.contains("Maintenance en cours jusqu"), "{state}");
    // The administrator works on, and ends it.
    let (status, page) = admin.page("/administration/maintenance").await;
    assert_eq!(status, 200);
    assert!(page.contains("Terminer maintenant"), "{page}");
    let id = count(store, "SELECT MAX(id) FROM service_interruption").await;
    let ended = admin
        .post(&format!("/administration/maintenance/{id}/fin"), &[])
        .await;
    assert!(
        ended.location.contains("message=maintenance-terminee"),
        "{}",
        ended.location
    );
    until_status(&claire, "/dossiers", StatusCode::OK).await;
    // Ended, it is history; so is an incident recorded afterwards.
    let incident = admin
        .post(
            "/administration/incidents",
            &[
                ("debut", moment(Utc::now() - Duration::hours(5)).as_str()),
                ("fin", moment(Utc::now() - Duration::hours(4)).as_str()),
                ("motif", "Panne du réseau de l'hébergeur."),
            ],
        )
        .await;
    assert!(
        incident.location.contains("message=incident-enregistre"),
        "{}",
        incident.location
    );
    let (_, state) = anonymous.page("/etat-du-service").await;
    assert!(
        state.contains("Le service fonctionne normalement"),
        "{state}"
    );
    assert!(
        state.contains("Panne du réseau de l&#x27;hébergeur.")
            || state.contains("Panne du réseau de l'hébergeur."),
        "{state}"
    );
    assert!(
        state.contains("Mise à jour de la base de données."),
        "{state}"
    );
    // Audited.
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM audit_entry WHERE action IN ('maintenance_prevue', 'maintenance_terminee', 'incident_enregistre', 'procedure_secours_modifiee')"
        )
        .await,
        4
    );
    server.stop().await;
}
