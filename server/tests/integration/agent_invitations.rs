//! Heads of service bring agents in, on the real server and both stores: a head invites by mail
//! into their own administration only (the form cannot name another), the invited agent's
//! account opens with no habilitation until the head grants one, the answer is the same whether
//! the address has an account or not, and nobody else — an operator, an agent, a supervisor, the
//! DGITM — invites agents, or withdraws a head's invitation.

use std::time::Duration;

use app::domain::directory::{Administration, Role};
use app::store::{Backend, Store};
use reqwest::StatusCode;
use secrecy::SecretString;

use crate::accounts::{Browser, AGENT_SIVEP, HEAD, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::helpers::{config, count, execute, fresh_database, Running};
use crate::smtp_sink::{token_in, DecodedMail, SmtpSink};

const INVITED: &str = "/habilitations?message=agent-invite#invitations";
const SUPERVISOR: &str = "superviseur@demo.sesame.test";
const DGITM: &str = "dgitm@demo.sesame.test";

async fn with_mail(backend: Backend) -> Option<(Running, SmtpSink, Browser)> {
    let url = fresh_database(backend).await?;
    let sink = SmtpSink::start().await;
    let mut config = config(url);
    config.smtp_url = Some(SecretString::from(sink.url.clone()));
    let server = Running::start(&config).await;
    let head = Browser::new(&server);
    head.sign_in(HEAD, PASSWORD).await;
    Some((server, sink, head))
}

async fn invite(browser: &Browser, name: &str, email: &str) -> (StatusCode, String) {
    let answer = browser
        .post(
            "/habilitations/invitations",
            &[("nom", name), ("adresse", email)],
        )
        .await;
    (answer.status, answer.location)
}

async fn next_mail(sink: &SmtpSink) -> (String, DecodedMail) {
    let mail = sink.next_message(Duration::from_secs(10)).await;
    (mail.to.join(","), mail.decoded())
}

async fn accept(browser: &Browser, token: &str, password: &str) -> String {
    browser
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", token),
                ("mot_de_passe", password),
                ("confirmation", password),
            ],
        )
        .await
        .location
}

async fn pending_id(store: &Store, email: &str) -> i64 {
    count(
        store,
        &format!(
            "SELECT id FROM invitation WHERE email = '{email}' AND accepted_at IS NULL AND withdrawn_at IS NULL"
        ),
    )
    .await
}

async fn a_head_brings_an_agent_in_and_habilitates_them(backend: Backend) {
    let Some((server, sink, head)) = with_mail(backend).await else {
        return;
    };
    let email = "nouvel.agent@agriculture.gouv.fr";
    // The form cannot choose the administration: a field naming another one is ignored.
    let answer = head
        .post(
            "/habilitations/invitations",
            &[
                ("nom", "Marc Lefebvre"),
                ("adresse", email),
                ("administration", "dgddi"),
                ("company_id", "1"),
            ],
        )
        .await;
    assert_eq!(answer.location, INVITED);
    assert_eq!(
        count(
            &server.store,
            &format!("SELECT COUNT(*) FROM invitation WHERE email = '{email}' AND administration = 'dgal' AND company_id IS NULL")
        )
        .await,
        1
    );
    // Pending on the habilitations page, withdrawable.
    let page = head.get("/habilitations").await.body;
    assert!(page.contains(email), "{page}");
    assert!(
        page.contains("Retirer l&#x27;invitation de Marc Lefebvre")
            || page.contains("Retirer l'invitation de Marc Lefebvre"),
        "{page}"
    );
    // No account before the invitee accepts.
    assert!(server.store.user_by_email(email).await.unwrap().is_none());

    let (to, mail) = next_mail(&sink).await;
    assert_eq!(to, email);
    assert!(mail.text.contains("Isabelle Girard"), "{}", mail.text);
    assert!(mail.text.contains("SIVEP"), "{}", mail.text);
    let token = token_in(&mail);
    let invitee = Browser::new(&server);
    let accepted = accept(&invitee, &token, "des semences sous scellés au poste").await;
    assert!(
        accepted.starts_with("/connexion?message=compte-active"),
        "{accepted}"
    );
    assert!(!accepted.contains("adresse="), "{accepted}");

    // An agent of the head's administration, with no company and no habilitation.
    let agent = server.store.user_by_email(email).await.unwrap().unwrap();
    assert_eq!(agent.role, Role::AgentSivep);
    assert_eq!(agent.administration, Some(Administration::Dgal));
    assert_eq!(agent.company_id, None);
    assert!(server
        .store
        .habilitations_of(agent.id)
        .await
        .unwrap()
        .is_empty());
    invitee
        .sign_in(email, "des semences sous scellés au poste")
        .await;
    let refused = invitee.get("/dossiers").await;
    assert_ne!(
        refused.status,
        StatusCode::OK,
        "aucun dossier sans habilitation"
    );
    // Gone from the pending invitations.
    assert!(!head
        .get("/habilitations")
        .await
        .body
        .contains(&format!(">{email}<")));

    // The head habilitates them as any agent.
    let granted = head
        .post(
            "/habilitations",
            &[
                ("agent", &agent.id.to_string()),
                ("site", "FRLEH"),
                ("debut", &chrono::Utc::now().format("%Y-%m-%d").to_string()),
                ("fin", ""),
            ],
        )
        .await;
    assert_eq!(
        granted.location,
        "/habilitations?message=habilitation-accordee"
    );
    assert_eq!(
        server.store.habilitations_of(agent.id).await.unwrap().len(),
        1
    );
    assert_eq!(invitee.get("/dossiers").await.status, StatusCode::OK);
    server.stop().await;
}

/// The attack: people who are not heads of service try to bring agents in.
async fn only_heads_of_service_invite_agents(backend: Backend) {
    let Some((server, sink, _head)) = with_mail(backend).await else {
        return;
    };
    for who in [OPERATOR, AGENT_SIVEP, SUPERVISOR, DGITM] {
        let browser = Browser::new(&server);
        browser.sign_in(who, PASSWORD).await;
        let answer = browser
            .post(
                "/habilitations/invitations",
                &[("nom", "Intrus Malin"), ("adresse", "intrus@example.fr")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{who}");
    }
    let anonymous = Browser::new(&server)
        .post(
            "/habilitations/invitations",
            &[("nom", "Intrus Malin"), ("adresse", "intrus@example.fr")],
        )
        .await;
    assert!(anonymous.location.starts_with("/connexion"));
    assert_eq!(
        count(&server.store, "SELECT COUNT(*) FROM invitation").await,
        0
    );
    assert!(sink.try_next_message().await.is_none());
    server.stop().await;
}

/// A head withdraws only their administration's agent invitations; a company's administrator
/// cannot withdraw them, and the head cannot withdraw a company's: all answered as "not found".
async fn withdrawing_stays_within_each_holder(backend: Backend) {
    let Some((server, sink, head)) = with_mail(backend).await else {
        return;
    };
    assert_eq!(
        invite(&head, "Paul Garnier", "paul.garnier@agriculture.gouv.fr")
            .await
            .1,
        INVITED
    );
    let (_, mail) = next_mail(&sink).await;
    let token = token_in(&mail);
    let own = pending_id(&server.store, "paul.garnier@agriculture.gouv.fr").await;
    // Another administration's invitation (a customs head's), written as the platform would.
    execute(
        &server.store,
        "INSERT INTO invitation (administration, email, full_name, token_hash, created_at, expires_at)
         VALUES ('dgddi', 'douanier@douane.gouv.fr', 'Luc Douanier', 'empreinte-douane',
                 '2026-01-01T00:00:00+00:00', '2099-01-01T00:00:00+00:00')",
    )
    .await
    .unwrap();
    let customs = pending_id(&server.store, "douanier@douane.gouv.fr").await;
    // A company's invitation.
    let admin = Browser::new(&server);
    admin.sign_in(OPERATOR, PASSWORD).await;
    admin
        .post(
            "/espace/collegues",
            &[("nom", "Nina Petit"), ("adresse", "nina.petit@example.fr")],
        )
        .await;
    let company = pending_id(&server.store, "nina.petit@example.fr").await;

    let unknown = "/habilitations?erreur=invitation-introuvable";
    for id in [customs, company, 999_999] {
        let answer = head
            .post(&format!("/habilitations/invitations/{id}/retrait"), &[])
            .await;
        assert_eq!(answer.location, unknown, "invitation {id}");
    }
    let answer = admin
        .post(&format!("/espace/invitations/{own}/retrait"), &[])
        .await;
    assert_eq!(answer.location, "/espace?erreur=invitation-introuvable");
    assert_eq!(
        count(
            &server.store,
            "SELECT COUNT(*) FROM invitation WHERE withdrawn_at IS NOT NULL"
        )
        .await,
        0
    );
    // An agent, even of the same administration, cannot either.
    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    let answer = agent
        .post(&format!("/habilitations/invitations/{own}/retrait"), &[])
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    // The head withdraws their own: its link opens nothing any more.
    let answer = head
        .post(&format!("/habilitations/invitations/{own}/retrait"), &[])
        .await;
    assert_eq!(
        answer.location,
        "/habilitations?message=invitation-retiree#invitations"
    );
    let refused = accept(
        &Browser::new(&server),
        &token,
        "un mot de passe bien trop tard",
    )
    .await;
    assert!(refused.contains("erreur=lien-invalide"), "{refused}");
    assert!(server
        .store
        .user_by_email("paul.garnier@agriculture.gouv.fr")
        .await
        .unwrap()
        .is_none());
    server.stop().await;
}

/// The same answer whether the address has an account or not; its owner is told, gets no link,
/// and their account is untouched.
async fn an_existing_address_reveals_and_changes_nothing(backend: Backend) {
    let Some((server, sink, head)) = with_mail(backend).await else {
        return;
    };
    let before = server
        .store
        .user_by_email(OTHER_OPERATOR)
        .await
        .unwrap()
        .unwrap();
    let existing = invite(&head, "Karim Benali", OTHER_OPERATOR).await;
    let new = invite(&head, "Nina Petit", "nina.agent@agriculture.gouv.fr").await;
    assert_eq!(existing, (StatusCode::SEE_OTHER, INVITED.to_owned()));
    assert_eq!(new, existing);
    let page = head.get("/habilitations").await.body;
    assert!(page.contains(OTHER_OPERATOR) && page.contains("nina.agent@agriculture.gouv.fr"));

    let (first, second) = (next_mail(&sink).await, next_mail(&sink).await);
    let (told, _) = if first.0 == OTHER_OPERATOR {
        (first.1, second.1)
    } else {
        (second.1, first.1)
    };
    assert!(told.text.contains("Isabelle Girard"), "{}", told.text);
    assert!(told.text.contains("rien n'a été changé"), "{}", told.text);
    assert!(!told.text.contains("jeton") && !told.text.contains("http"));
    let after = server
        .store
        .user_by_email(OTHER_OPERATOR)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before, after);
    Browser::new(&server)
        .sign_in(OTHER_OPERATOR, PASSWORD)
        .await;
    server.stop().await;
}

crate::helpers::on_both_stores!(
    a_head_brings_an_agent_in_and_habilitates_them,
    only_heads_of_service_invite_agents,
    withdrawing_stays_within_each_holder,
    an_existing_address_reveals_and_changes_nothing,
);
