//! Operators come in through their customs account, on the real server, both stores and a real
//! OpenID provider: the first sign-in through the provider that opens operators' accounts
//! creates the account from the verified identity, in the company the provider asserts under
//! the configured claim names — created when new, its first member becoming its administrator,
//! joined otherwise. Without a readable company no account is opened: the person is told why.

use reqwest::StatusCode;
use serde_json::json;

use crate::accounts::{begin_oidc, Browser};
use crate::helpers::{
    config, container, count, fresh_database, on_both_stores, Running, DEMO_API_KEY,
};
use crate::oidc::OidcProvider;
use app::domain::directory::{Administration, Role};
use app::domain::references::{Siren, Siret};
use app::store::Backend;

on_both_stores!(
    the_customs_account_opens_the_operator_s_account,
    an_agents_provider_opens_the_state_accounts_it_asserts,
);

/// Signs in through the provider with `login` in a new browser: where the callback sends it.
pub(crate) async fn through_customs(
    server: &Running,
    provider: &OidcProvider,
    callback: &str,
    login: &str,
) -> (Browser, String) {
    let browser = Browser::new(server);
    let started = begin_oidc(&browser).await;
    let returned = provider.sign_in_anew(&started, login, callback).await;
    let answer = browser
        .get(&format!(
            "{}?{}",
            returned.path(),
            returned.query().unwrap()
        ))
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{login}");
    (browser, answer.location)
}

async fn the_customs_account_opens_the_operator_s_account(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let port = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let callback = format!("{base}/connexion/oidc/test/retour");
    // The claim names are the deployment's: here not the defaults.
    let provider = OidcProvider::start_asserting(
        0,
        &[&callback],
        &[],
        &[
            ("--siret-claim", "urn:douane:siret"),
            ("--company-claim", "urn:douane:raison_sociale"),
        ],
    )
    .await;
    let mut config = config(url);
    config.site_addr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut customs = provider.config("test");
    customs.roles = vec!["operateur".into()];
    customs.opens_operator_accounts = true;
    customs.siret_claim = "urn:douane:siret".into();
    customs.company_claim = "urn:douane:raison_sociale".into();
    config.oidc = vec![customs];
    let server = Running::start(&config).await;
    let store = &server.store;

    let siret = Siret::from_siren_nic(&Siren::parse("552100554").unwrap(), 17).to_string();
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM company WHERE siret = '{siret}'")
        )
        .await,
        0
    );

    // The first of a new company: their account, the company, its administrator.
    let (alice, location) = through_customs(
        &server,
        &provider,
        &callback,
        &format!("alice.martin@importsud.fr|siret={siret}|entreprise=Import Sud"),
    )
    .await;
    assert!(!location.contains("erreur"), "{location}");
    let account = store
        .user_by_email("alice.martin@importsud.fr")
        .await
        .unwrap()
        .expect("le compte est ouvert");
    assert_eq!(account.role, Role::Operateur);
    assert!(
        account.company_admin,
        "le premier membre administre l'entreprise"
    );
    assert!(account.email_verified);
    let company = store
        .company(account.company_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(company.name, "Import Sud");
    assert_eq!(company.siret.to_string(), siret);
    assert_eq!(
        count(store, &format!("SELECT COUNT(*) FROM audit_entry WHERE action = 'compte_ouvert_fournisseur' AND object = 'utilisateur:{}'", account.id)).await,
        1
    );
    // The terms of use come first, then the operator's pages.
    let gate = alice.get("/dossiers").await;
    assert!(
        gate.location.starts_with("/cgu/acceptation"),
        "{}",
        gate.location
    );
    alice
        .post("/cgu/acceptation", &[("accepte", "oui"), ("retour", "")])
        .await;

    // A partner event for that SIRET opens a dossier the new company sees.
    let box_number = container("IMS", 1);
    let sent = reqwest::Client::new()
        .post(server.url("/api/v1/events"))
        .bearer_auth(DEMO_API_KEY)
        .json(&json!({ "events": [{
            "id": "import-sud-1",
            "source": "traces",
            "type": "ched_lodged",
            "occurred_at": chrono::Utc::now().to_rfc3339(),
            "site": "FRLEH",
            "post": "FRLEH1",
            "references": { "container": box_number, "ched": "CHEDP.FR.2026.7700001" },
            "goods": { "category": "animal_products", "description": "Crevettes congelées" },
            "operator": { "siret": siret },
            "data": { "ched_type": "P" },
        }]}))
        .send()
        .await
        .unwrap();
    assert!(sent.status().is_success());
    let (status, page) = alice.page("/dossiers").await;
    assert_eq!(status, 200);
    assert!(page.contains(&box_number), "{page}");

    // A colleague asserted in the same company joins it, not as its administrator; one known by
    // an EORI made of FR and the SIRET likewise.
    let (_, location) = through_customs(
        &server,
        &provider,
        &callback,
        &format!("bruno.petit@importsud.fr|siret={siret}"),
    )
    .await;
    assert!(!location.contains("erreur"), "{location}");
    let (_, location) = through_customs(
        &server,
        &provider,
        &callback,
        &format!("chloe.roux@importsud.fr|eori=FR{siret}"),
    )
    .await;
    assert!(!location.contains("erreur"), "{location}");
    for email in ["bruno.petit@importsud.fr", "chloe.roux@importsud.fr"] {
        let colleague = store.user_by_email(email).await.unwrap().unwrap();
        assert_eq!(colleague.company_id, account.company_id, "{email}");
        assert!(!colleague.company_admin, "{email}");
        // Nobody invited them: the company's administrator is told, once.
        assert_eq!(
            count(store, &format!("SELECT COUNT(*) FROM notification WHERE user_id = {} AND kind = 'membre_entreprise' AND body LIKE '%{email}%'", account.id)).await,
            1,
            "{email}"
        );
    }
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM company WHERE siret = '{siret}'")
        )
        .await,
        1
    );

    // Without a readable company, no account is opened: the person is told why, and asked for
    // the SIRET of their establishment (see `access_requests`).
    for login in [
        "denis.blanc@ailleurs.fr".to_owned(),
        "emma.noir@ailleurs.fr|siret=12345678901234".to_owned(),
        "farid.vert@ailleurs.fr|eori=FR552100554".to_owned(),
    ] {
        let (browser, location) = through_customs(&server, &provider, &callback, &login).await;
        assert_eq!(location, "/demande-acces", "{login}");
        let email = login.split('|').next().unwrap();
        assert!(
            store.user_by_email(email).await.unwrap().is_none(),
            "{login}"
        );
        let (_, said) = browser.page(&location).await;
        assert!(said.contains("ne dit pas de quelle entreprise"), "{said}");
        assert!(said.contains("SIRET de l'établissement"), "{said}");
    }
    server.stop().await;
}

/// An agents' provider opens the State accounts it asserts at their first sign-in, among those
/// it is configured for, under claim names of its own; never a habilitation, a head of service
/// or an administrator, nor a role it may not open.
async fn an_agents_provider_opens_the_state_accounts_it_asserts(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let port = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().port()
    };
    let callback = format!("http://127.0.0.1:{port}/connexion/oidc/test/retour");
    let provider = OidcProvider::start_asserting(
        0,
        &[&callback],
        &[],
        &[
            ("--role-claim", "urn:etat:role"),
            ("--administration-claim", "urn:etat:administration"),
        ],
    )
    .await;
    let mut config = config(url);
    config.site_addr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut agents = provider.config("test");
    agents.provisions = vec!["superviseur".into(), "dgitm".into(), "agent_sivep".into()];
    agents.role_claim = "urn:etat:role".into();
    agents.administration_claim = "urn:etat:administration".into();
    // A provider configured to open a head of service's account does not start.
    let mut wrong = agents.clone();
    wrong.provisions = vec!["chef_service".into()];
    config.oidc = vec![wrong];
    let refused = server::Server::build(&config)
        .await
        .err()
        .expect("le serveur refuse de démarrer");
    assert!(refused.to_string().contains("provisions"), "{refused}");
    config.oidc = vec![agents];
    let server = Running::start(&config).await;
    let store = &server.store;

    for (login, role, administration) in [
        (
            "sophie.lambert@agriculture.gouv.fr|role=superviseur|administration=dgal",
            Role::Superviseur,
            Some(Administration::Dgal),
        ),
        (
            "paul.roche@developpement-durable.gouv.fr|role=dgitm",
            Role::Dgitm,
            None,
        ),
        (
            "nina.faure@agriculture.gouv.fr|role=agent_sivep",
            Role::AgentSivep,
            Some(Administration::Dgal),
        ),
    ] {
        let (browser, location) = through_customs(&server, &provider, &callback, login).await;
        assert!(!location.contains("erreur"), "{login} : {location}");
        let email = login.split('|').next().unwrap();
        let account = store.user_by_email(email).await.unwrap().expect(login);
        assert_eq!(account.role, role, "{login}");
        assert_eq!(account.administration, administration, "{login}");
        assert!(account.email_verified);
        // Signed in: the terms of use come first.
        assert!(browser
            .get("/espace")
            .await
            .location
            .starts_with("/cgu/acceptation"));
        assert_eq!(
            count(
                store,
                &format!(
                    "SELECT COUNT(*) FROM habilitation WHERE user_id = {}",
                    account.id
                )
            )
            .await,
            0,
            "seul un chef de service habilite"
        );
        assert_eq!(
            count(store, &format!("SELECT COUNT(*) FROM audit_entry WHERE action = 'compte_ouvert_fournisseur' AND object = 'utilisateur:{}'", account.id)).await,
            1
        );
    }
    // What it may not open, or cannot read, opens nothing and says so.
    for login in [
        "a.b@agriculture.gouv.fr|role=administrateur",
        "c.d@agriculture.gouv.fr|role=chef_service|administration=dgal",
        "e.f@douane.finances.gouv.fr|role=agent_dgddi",
        "g.h@agriculture.gouv.fi|role=superviseur",
        "i.j@agriculture.gouv.fr",
    ] {
        let (_, location) = through_customs(&server, &provider, &callback, login).await;
        assert!(
            location.contains("erreur=oidc-compte-inconnu"),
            "{login} : {location}"
        );
        let email = login.split('|').next().unwrap();
        assert!(
            store.user_by_email(email).await.unwrap().is_none(),
            "{login}"
        );
    }
    server.stop().await;
}
