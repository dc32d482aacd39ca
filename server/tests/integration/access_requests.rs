//! Requests to join a company, on the real server, both stores, a real OpenID provider and a
//! real SMTP server: someone the customs account signs in without naming their company declares
//! the SIRET of their establishment; the company's administrators are told and decide. Nobody
//! else can decide (another company's administrator, a member who is not one, an unknown
//! number all answer alike), a request cannot be read without its browser's cookie, and the
//! requester is told by mail. Accepted, they sign in through the customs account.

use reqwest::StatusCode;
use secrecy::SecretString;

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, PASSWORD};
use crate::customs_accounts::through_customs;
use crate::helpers::{config, count, fresh_database, on_both_stores, Running};
use crate::oidc::OidcProvider;
use crate::smtp_sink::{mail_about, SmtpSink};
use app::domain::references::{Siren, Siret};
use app::store::{Backend, Store};
use server::config::Config;

on_both_stores!(
    a_request_to_join_waits_for_the_company_s_administrator,
    without_local_accounts_operators_come_through_customs,
);

async fn request_id(store: &Store, email: &str) -> i64 {
    count(
        store,
        &format!("SELECT MAX(id) FROM access_request WHERE email = '{email}'"),
    )
    .await
}

/// A server on a fresh database with a real SMTP server, whose test provider is the customs
/// account and opens operators' accounts; `shape` adjusts the configuration before it starts.
pub(crate) struct Customs {
    pub(crate) server: Running,
    pub(crate) sink: SmtpSink,
    provider: OidcProvider,
    callback: String,
}

impl Customs {
    pub(crate) async fn start(
        backend: Backend,
        shape: impl FnOnce(&mut Config),
    ) -> Option<Customs> {
        let url = fresh_database(backend).await?;
        let sink = SmtpSink::start().await;
        let port = {
            let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            socket.local_addr().unwrap().port()
        };
        let callback = format!("http://127.0.0.1:{port}/connexion/oidc/test/retour");
        let provider = OidcProvider::start(&[&callback], &[]).await;
        let mut config = config(url);
        config.site_addr = format!("127.0.0.1:{port}").parse().unwrap();
        config.smtp_url = Some(SecretString::from(sink.url.clone()));
        config.submissions_burst = 200;
        config.submissions_per_minute = 600;
        let mut customs = provider.config("test");
        customs.roles = vec!["operateur".into()];
        customs.opens_operator_accounts = true;
        config.oidc = vec![customs];
        shape(&mut config);
        let server = Running::start(&config).await;
        Some(Customs {
            server,
            sink,
            provider,
            callback,
        })
    }

    /// Signs `login` in through the customs account in a new browser: where the callback sends it.
    pub(crate) async fn sign_in(&self, login: &str) -> (Browser, String) {
        through_customs(&self.server, &self.provider, &self.callback, login).await
    }

    /// The same for someone whose account opens: they accept the terms of use.
    pub(crate) async fn enter(&self, login: &str) -> Browser {
        let (browser, _) = self.sign_in(login).await;
        browser
            .post("/cgu/acceptation", &[("accepte", "oui"), ("retour", "")])
            .await;
        browser
    }
}

async fn a_request_to_join_waits_for_the_company_s_administrator(backend: Backend) {
    let Some(customs) = Customs::start(backend, |_| {}).await else {
        return;
    };
    let (server, sink) = (&customs.server, &customs.sink);
    let store = &server.store;

    // Two companies, each opened by its first member through the customs account.
    let siret = Siret::from_siren_nic(&Siren::parse("552100554").unwrap(), 23).to_string();
    let other = Siret::from_siren_nic(&Siren::parse("552100554").unwrap(), 31).to_string();
    let alice = customs
        .enter(&format!(
            "alice.martin@portsud.fr|siret={siret}|entreprise=Port Sud"
        ))
        .await;
    let bob = customs
        .enter(&format!(
            "bob.durand@autre.fr|siret={other}|entreprise=Autre Transit"
        ))
        .await;
    let chloe = customs
        .enter(&format!("chloe.roux@portsud.fr|siret={siret}"))
        .await;
    let alice_id = store
        .user_by_email("alice.martin@portsud.fr")
        .await
        .unwrap()
        .unwrap()
        .id;

    // Denis's customs account names no company: he is asked for the SIRET.
    let (denis, location) = customs.sign_in("denis.blanc@portsud.fr").await;
    assert_eq!(location, "/demande-acces");
    let (status, page) = denis.page("/demande-acces").await;
    assert_eq!(status, 200);
    assert!(page.contains("Bonjour Denis Blanc."), "{page}");
    assert!(page.contains("SIRET de l'établissement"), "{page}");
    let id = request_id(store, "denis.blanc@portsud.fr").await;

    // Without the cookie, nothing is read nor declared.
    let stranger = Browser::new(server);
    let (_, page) = stranger.page("/demande-acces").await;
    assert!(
        page.contains("Aucune demande d'accès n'est ouverte"),
        "{page}"
    );
    assert!(!page.contains("Denis"), "{page}");
    let refused = stranger
        .post("/demande-acces", &[("siret", siret.as_str())])
        .await;
    assert!(
        refused.location.contains("erreur=demande-fermee"),
        "{}",
        refused.location
    );

    // A wrong number, or one no company is registered under, is said precisely; nothing moves.
    let wrong = denis
        .post("/demande-acces", &[("siret", "55210055400024")])
        .await;
    assert!(
        wrong.location.contains("erreur=siret-declare-invalide"),
        "{}",
        wrong.location
    );
    let (_, said) = denis.page(&wrong.location).await;
    assert!(said.contains("Ce SIRET n'est pas valable"), "{said}");
    assert!(said.contains("55210055400024"), "le numéro saisi revient");
    let unknown_company =
        Siret::from_siren_nic(&Siren::parse("552100554").unwrap(), 47).to_string();
    let nowhere = denis
        .post("/demande-acces", &[("siret", unknown_company.as_str())])
        .await;
    assert!(
        nowhere.location.contains("erreur=entreprise-non-inscrite"),
        "{}",
        nowhere.location
    );
    assert_eq!(
        count(
            store,
            &format!(
                "SELECT COUNT(*) FROM access_request WHERE id = {id} AND state = 'a_completer'"
            )
        )
        .await,
        1
    );

    // Declared: it waits for Port Sud's administrator, who is told.
    let declared = denis
        .post("/demande-acces", &[("siret", siret.as_str())])
        .await;
    assert!(
        declared.location.contains("message=demande-envoyee"),
        "{}",
        declared.location
    );
    let (_, page) = denis.page("/demande-acces").await;
    assert!(
        page.contains("attend la décision de l'entreprise Port Sud"),
        "{page}"
    );
    assert_eq!(
        count(store, &format!("SELECT COUNT(*) FROM notification WHERE user_id = {alice_id} AND kind = 'demande_acces'")).await,
        1
    );
    let told = mail_about(
        sink,
        "alice.martin@portsud.fr",
        "Demande d'accès de Denis Blanc",
    )
    .await;
    assert!(
        told.text.contains("denis.blanc@portsud.fr"),
        "{}",
        told.text
    );
    // Declaring the same company again tells nobody twice.
    denis
        .post("/demande-acces", &[("siret", siret.as_str())])
        .await;
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM notification WHERE kind = 'demande_acces'"
        )
        .await,
        1
    );
    let (_, space) = alice.page("/espace").await;
    assert!(space.contains("Demandes d'accès"), "{space}");
    assert!(space.contains("denis.blanc@portsud.fr"), "{space}");
    let (_, space) = bob.page("/espace").await;
    assert!(
        !space.contains("denis.blanc"),
        "une autre entreprise ne voit rien"
    );

    // Nobody but Port Sud's administrator decides: another company's administrator, a member,
    // and an unknown number are answered alike, and nothing changes.
    let accept = format!("/espace/demandes/{id}/acceptation");
    let answers = [
        bob.post(&accept, &[]).await.location,
        chloe.post(&accept, &[]).await.location,
        alice
            .post("/espace/demandes/999999/acceptation", &[])
            .await
            .location,
    ];
    for location in &answers {
        assert_eq!(location, "/espace?erreur=demande-introuvable#demandes");
    }
    let (_, said) = alice.page(&answers[2]).await;
    assert!(
        said.contains("Cette demande d'accès n'existe pas"),
        "{said}"
    );
    assert!(denis
        .get("/dossiers")
        .await
        .location
        .starts_with("/connexion"));
    assert!(store
        .user_by_email("denis.blanc@portsud.fr")
        .await
        .unwrap()
        .is_none());

    // Accepted: the account is open in Port Sud, not as its administrator; Denis is told and
    // signs in through the customs account.
    let accepted = alice.post(&accept, &[]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert!(
        accepted.location.contains("message=demande-acceptee"),
        "{}",
        accepted.location
    );
    let account = store
        .user_by_email("denis.blanc@portsud.fr")
        .await
        .unwrap()
        .expect("le compte est ouvert");
    let alice_company = store.user(alice_id).await.unwrap().unwrap().company_id;
    assert_eq!(account.company_id, alice_company);
    assert!(!account.company_admin);
    let mail = mail_about(sink, "denis.blanc@portsud.fr", "est ouvert").await;
    assert!(mail.text.contains("Port Sud"), "{}", mail.text);
    // A second click finds it decided, and opens nothing more.
    let again = alice.post(&accept, &[]).await;
    assert_eq!(
        again.location,
        "/espace?erreur=demande-introuvable#demandes"
    );
    let (denis, location) = customs.sign_in("denis.blanc@portsud.fr").await;
    assert_eq!(location, "/dossiers", "une session s'ouvre");
    assert!(denis
        .get("/dossiers")
        .await
        .location
        .starts_with("/cgu/acceptation"));
    // Removed by the company, he does not come back by asking again.
    let removed = alice
        .post(&format!("/espace/collegues/{}/retrait", account.id), &[])
        .await;
    assert!(
        removed.location.contains("message="),
        "{}",
        removed.location
    );
    let (_, location) = customs.sign_in("denis.blanc@portsud.fr").await;
    assert!(
        location.contains("erreur=oidc-compte-inconnu"),
        "{location}"
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM access_request WHERE email = 'denis.blanc@portsud.fr'"
        )
        .await,
        1
    );

    // Refused: with a reason (a short one is refused), told by mail and on the page.
    let (emma, _) = customs.sign_in("emma.noir@ailleurs.fr").await;
    emma.post("/demande-acces", &[("siret", siret.as_str())])
        .await;
    let emma_id = request_id(store, "emma.noir@ailleurs.fr").await;
    let refuse = format!("/espace/demandes/{emma_id}/refus");
    let short = alice.post(&refuse, &[("motif", "non")]).await;
    assert_eq!(
        short.location,
        format!("/espace?erreur=demande-motif-invalide&demande={emma_id}&motif=non#demandes")
    );
    let (_, said) = alice.page(&short.location).await;
    assert!(said.contains("trop court (3 caractères)"), "{said}");
    let reason = "Personne inconnue de notre entreprise.";
    let refused = alice.post(&refuse, &[("motif", reason)]).await;
    assert!(
        refused.location.contains("message=demande-refusee"),
        "{}",
        refused.location
    );
    let mail = mail_about(sink, "emma.noir@ailleurs.fr", "refusée").await;
    assert!(mail.text.contains(reason), "{}", mail.text);
    let (_, page) = emma.page("/demande-acces").await;
    assert!(page.contains("a refusé votre demande"), "{page}");
    assert!(page.contains(reason), "{page}");
    assert!(store
        .user_by_email("emma.noir@ailleurs.fr")
        .await
        .unwrap()
        .is_none());

    // Every step is in the audit trail.
    for (action, expected) in [
        ("demande_acces_ouverte", 2),
        ("demande_acces_declaree", 3),
        ("demande_acces_acceptee", 1),
        ("demande_acces_refusee", 1),
    ] {
        assert_eq!(
            count(
                store,
                &format!("SELECT COUNT(*) FROM audit_entry WHERE action = '{action}'")
            )
            .await,
            expected,
            "{action}"
        );
    }
    customs.server.stop().await;
}

/// A State deployment turns operators' local accounts off: they sign in through the customs
/// account only (no password, no link), and colleagues come in through their requests.
async fn without_local_accounts_operators_come_through_customs(backend: Backend) {
    // Without a provider that opens operators' accounts, nobody could come in: it does not start.
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut lonely = config(url);
    lonely.local_operator_accounts = false;
    let refused = server::Server::build(&lonely)
        .await
        .err()
        .expect("le serveur refuse de démarrer");
    assert!(
        refused
            .to_string()
            .contains("SESAME_LOCAL_OPERATOR_ACCOUNTS=0"),
        "{refused}"
    );
    let Some(customs) =
        Customs::start(backend, |config| config.local_operator_accounts = false).await
    else {
        return;
    };
    let (server, sink) = (&customs.server, &customs.sink);
    let store = &server.store;

    // An operator's password opens nothing; an agent's still does.
    let operator = Browser::new(server);
    let answer = operator.try_sign_in(OPERATOR, PASSWORD).await;
    assert!(
        answer.location.contains("erreur=operateurs-compte-douane"),
        "{}",
        answer.location
    );
    assert!(operator
        .get("/espace")
        .await
        .location
        .starts_with("/connexion"));
    Browser::new(server).sign_in(AGENT_SIVEP, PASSWORD).await;
    // Nor does a sign-in link: the mail says to use the customs account, and carries none.
    operator
        .post("/connexion/lien", &[("adresse", OPERATOR)])
        .await;
    let mail = mail_about(sink, OPERATOR, "fournisseur d'identité").await;
    assert!(!mail.text.contains("jeton="), "{}", mail.text);

    // Colleagues are not invited: they come in through the customs account.
    let siret = Siret::from_siren_nic(&Siren::parse("552100554").unwrap(), 59).to_string();
    let alice = customs
        .enter(&format!(
            "alice.martin@portnord.fr|siret={siret}|entreprise=Port Nord"
        ))
        .await;
    let (_, space) = alice.page("/espace").await;
    assert!(space.contains("Faire entrer un collègue"), "{space}");
    assert!(!space.contains("Inviter un collègue"), "{space}");
    let invited = alice
        .post(
            "/espace/collegues",
            &[
                ("nom", "Bruno Petit"),
                ("adresse", "bruno.petit@portnord.fr"),
            ],
        )
        .await;
    assert!(
        invited.location.contains("erreur=collegues-compte-douane"),
        "{}",
        invited.location
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM invitation WHERE email = 'bruno.petit@portnord.fr'"
        )
        .await,
        0
    );
    customs.server.stop().await;
}
