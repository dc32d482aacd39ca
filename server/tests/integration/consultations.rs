//! Every consultation by an agent is in the audit trail, once: the planning, a dossier (its page
//! with its appointments, or its appointments alone), the correlation alerts desk, the notification centre, the gate
//! lookup, convocation and `.ics` downloads and the dossier list; a live refresh or a reload of the same reading writes nothing more (it
//! flooded the evidence trail), and the gate's code, which opens the check-in, is never written.

use app::store::Backend;

use crate::accounts::{Browser, AGENT_SIVEP, PASSWORD};
use crate::helpers::{config, fresh_database, on_both_stores, Running};

on_both_stores!(consultations_are_audited_once);

/// The consultation entries of the trail, oldest first: (action, object, detail).
async fn consultations(server: &Running) -> Vec<(String, String, String)> {
    let mut entries: Vec<_> = server
        .store
        .audit_entries(10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("consultation") || e.action.starts_with("telechargement"))
        .map(|e| (e.action, e.object, e.detail))
        .collect();
    entries.reverse();
    entries
}

fn count(entries: &[(String, String, String)], action: &str) -> usize {
    entries.iter().filter(|(a, ..)| a == action).count()
}

async fn consultations_are_audited_once(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;

    // The list, read, then read again as the live stream makes the page do: one entry.
    for _ in 0..3 {
        assert_eq!(agent.get("/dossiers").await.status.as_u16(), 200);
    }
    let entries = consultations(&server).await;
    assert_eq!(count(&entries, "consultation_dossiers"), 1, "{entries:?}");
    // Another query is another consultation.
    assert_eq!(agent.get("/dossiers?site=FRLEH").await.status.as_u16(), 200);
    assert_eq!(
        count(&consultations(&server).await, "consultation_dossiers"),
        2
    );

    // A dossier's page, read twice: one entry, which covers the appointments the page shows.
    let dossier = server
        .store
        .dossiers(
            &app::domain::dossier::DossierQuery {
                site: Some(app::domain::references::Locode::parse("FRLEH").unwrap()),
                ..Default::default()
            },
            &app::domain::access::DossierScope::All,
        )
        .await
        .unwrap()
        .dossiers[0]
        .id;
    for _ in 0..2 {
        assert_eq!(
            agent
                .get(&format!("/dossiers/{dossier}"))
                .await
                .status
                .as_u16(),
            200
        );
    }
    let entries = consultations(&server).await;
    assert_eq!(count(&entries, "consultation_dossier"), 1, "{entries:?}");
    assert_eq!(
        count(&entries, "consultation_rendez_vous"),
        0,
        "the page's appointments are part of its reading: {entries:?}"
    );
    // Its appointments asked for alone, twice: one entry of their own.
    for _ in 0..2 {
        let answer = agent
            .post(
                "/api/rendez-vous-du-dossier",
                &[("dossier_id", &dossier.to_string())],
            )
            .await;
        assert_eq!(answer.status.as_u16(), 200, "{}", answer.body);
    }
    let entries = consultations(&server).await;
    assert_eq!(
        count(&entries, "consultation_rendez_vous"),
        1,
        "{entries:?}"
    );
    assert_eq!(count(&entries, "consultation_dossier"), 1, "{entries:?}");

    // The planning, the alerts desk and the notification centre (whose notifications name
    // dossiers of the agent's sites).
    for _ in 0..2 {
        assert_eq!(agent.get("/planning").await.status.as_u16(), 200);
        assert_eq!(agent.post("/api/alertes", &[]).await.status.as_u16(), 200);
        assert_eq!(agent.get("/notifications").await.status.as_u16(), 200);
    }
    let entries = consultations(&server).await;
    assert_eq!(count(&entries, "consultation_planning"), 1, "{entries:?}");
    assert_eq!(count(&entries, "consultation_alertes"), 1, "{entries:?}");
    assert_eq!(
        count(&entries, "consultation_notifications"),
        1,
        "{entries:?}"
    );

    // The gate: by a code (never written), and by a container.
    let secret = "code-de-convocation-inconnu-0123456789";
    let answer = agent
        .get(&format!("/controle-arrivee?jeton={secret}"))
        .await;
    assert_eq!(answer.status.as_u16(), 200);
    let answer = agent.get("/controle-arrivee?conteneur=MSKU1234565").await;
    assert_eq!(answer.status.as_u16(), 200);
    let entries = consultations(&server).await;
    assert_eq!(
        count(&entries, "consultation_controle_arrivee"),
        1,
        "an unknown code finds nothing to consult; a container search is a consultation: {entries:?}"
    );
    let trail = format!("{:?}", server.store.audit_entries(10_000).await.unwrap());
    assert!(
        !trail.contains(secret),
        "the gate's code must not be written"
    );
    server.stop().await;
}
