//! Accounts on the real server, on both stores: signing in and out, the terms-of-use gate, need
//! to know on dossiers, habilitations granted by a head of service, password recovery through
//! a real SMTP peer, sign-in slowdowns, sessions (listing, ending, timeouts, hardened cookies)
//! and the audit trail.

use std::time::Duration;

use app::domain::access::DossierScope;
use app::domain::dossier::DossierQuery;
use app::domain::references::Locode;
use app::store::{Backend, Store};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use secrecy::SecretString;

use crate::helpers::{config, fresh_database, Running};
use crate::smtp_sink::SmtpSink;

pub const PASSWORD: &str = server::config::DEFAULT_DEMO_PASSWORD;
pub const OPERATOR: &str = "operateur@demo.sesame.test";
pub const OTHER_OPERATOR: &str = "operateur2@demo.sesame.test";
pub const AGENT_SIVEP: &str = "agent.sivep@demo.sesame.test";
pub const HEAD: &str = "chef@demo.sesame.test";

/// A browser without JavaScript: keeps its cookies, does not follow redirections (the tests look
/// at them).
pub struct Browser {
    client: reqwest::Client,
    base: String,
}

pub struct Answer {
    pub status: StatusCode,
    pub location: String,
    pub set_cookie: Vec<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Browser {
    pub fn new(server: &Running) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: server.url(""),
        }
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status();
        let headers = response.headers().clone();
        let location = headers
            .get("location")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let set_cookie = headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok().map(str::to_owned))
            .collect();
        let body = response.text().await.unwrap_or_default();
        Answer {
            status,
            location,
            set_cookie,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        Self::answer(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        Self::answer(
            self.client
                .post(format!("{}{path}", self.base))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Sends a body as it is, with its content type: what a broken or hostile client sends.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        Self::answer(
            self.client
                .post(format!("{}{path}", self.base))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Sends a form with files (`multipart/form-data`), as a browser's upload form does.
    pub async fn post_multipart(&self, path: &str, form: reqwest::multipart::Form) -> Answer {
        Self::answer(
            self.client
                .post(format!("{}{path}", self.base))
                .multipart(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// A document's bytes (a PDF), as downloaded.
    pub async fn bytes(&self, path: &str) -> Vec<u8> {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec()
    }

    /// A PDF's text, as `pdftotext` (poppler, installed by the test command) reads it back.
    pub async fn pdf_text(&self, path: &str) -> String {
        let file = std::env::temp_dir().join(format!("sesame-{}.pdf", uuid::Uuid::new_v4()));
        std::fs::write(&file, self.bytes(path).await).unwrap();
        let output = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&file)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils), que la commande de test installe");
        std::fs::remove_file(&file).ok();
        assert!(output.status.success(), "pdftotext {path}");
        String::from_utf8(output.stdout).unwrap()
    }

    /// A page's status and body.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let answer = self.get(path).await;
        (answer.status.as_u16(), answer.body)
    }

    /// Tries to sign in with a password, as the sign-in form posts it: the answer, refused or not.
    pub async fn try_sign_in(&self, email: &str, password: &str) -> Answer {
        self.post(
            "/connexion",
            &[
                ("adresse", email),
                ("mot_de_passe", password),
                ("retour", ""),
            ],
        )
        .await
    }

    /// Signs in with a password; accepts the terms of use when asked.
    pub async fn sign_in(&self, email: &str, password: &str) {
        let answer = self.try_sign_in(email, password).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{email} : {}",
            answer.body
        );
        assert!(
            !answer.location.contains("erreur"),
            "{email} : connexion refusée ({})",
            answer.location
        );
        let gate = self.get("/espace").await;
        if gate.status == StatusCode::SEE_OTHER && gate.location.starts_with("/cgu/acceptation") {
            let accepted = self
                .post("/cgu/acceptation", &[("accepte", "oui"), ("retour", "")])
                .await;
            assert_eq!(accepted.status, StatusCode::SEE_OTHER);
        }
    }
}

/// Ids of a dossier of the company of `email`, and of one of another company.
async fn dossiers_of(store: &Store, email: &str) -> (i64, i64) {
    let user = store.user_by_email(email).await.unwrap().unwrap();
    let company = user.company_id.unwrap();
    let all = store
        .dossiers(&DossierQuery::default(), &DossierScope::All)
        .await
        .unwrap();
    let own = all
        .dossiers
        .iter()
        .find(|d| d.company_id == Some(company))
        .unwrap()
        .id;
    let other = all
        .dossiers
        .iter()
        .find(|d| d.company_id.is_some() && d.company_id != Some(company))
        .unwrap()
        .id;
    (own, other)
}

async fn start(backend: Backend) -> Option<Running> {
    let url = fresh_database(backend).await?;
    Some(Running::start(&config(url)).await)
}

async fn demo_accounts_sign_in_and_out(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let anonymous = Browser::new(&server);
    let refused = anonymous.get("/dossiers?page=2").await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert_eq!(refused.location, "/connexion?retour=%2Fdossiers%3Fpage%3D2");
    let page = anonymous.get("/connexion").await;
    assert!(page.body.contains("Adresse électronique") && page.body.contains("Se connecter"));

    for account in server::tools::demo::ACCOUNTS {
        let browser = Browser::new(&server);
        let answer = browser.try_sign_in(account.email, PASSWORD).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", account.email);
        assert!(
            answer
                .set_cookie
                .iter()
                .any(|cookie| cookie.starts_with("sesame_session=")
                    && cookie.contains("HttpOnly")
                    && cookie.contains("SameSite=Lax")),
            "{} : {:?}",
            account.email,
            answer.set_cookie
        );
        // First the terms of use, whatever was asked for.
        let gate = browser.get("/espace").await;
        assert_eq!(
            gate.location, "/cgu/acceptation?retour=%2Fespace",
            "{}",
            account.email
        );
        let unticked = browser
            .post("/cgu/acceptation", &[("retour", "/espace")])
            .await;
        assert!(unticked.location.contains("erreur=cgu-non-cochee"));
        let accepted = browser
            .post(
                "/cgu/acceptation",
                &[("accepte", "oui"), ("retour", "/espace")],
            )
            .await;
        assert_eq!(accepted.location, "/espace?message=cgu-acceptees");
        let space = browser.get("/espace").await;
        assert_eq!(space.status, StatusCode::OK, "{}", account.email);
        assert!(space.body.contains(account.full_name), "{}", account.email);
        assert!(space.body.contains("Se déconnecter"));

        let out = browser.post("/deconnexion", &[]).await;
        assert_eq!(out.location, "/connexion?message=deconnecte");
        assert!(out
            .set_cookie
            .iter()
            .any(|cookie| cookie.contains("Max-Age=0")));
        assert_eq!(browser.get("/espace").await.status, StatusCode::SEE_OTHER);
    }
    // Acceptances are recorded with who, when, which version and from where.
    let entries = server.store.audit_entries(500).await.unwrap();
    let accepted: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "cgu_acceptees")
        .collect();
    assert_eq!(accepted.len(), server::tools::demo::ACCOUNTS.len());
    assert!(accepted
        .iter()
        .all(|e| e.detail == app::domain::cgu::VERSION && e.address == "127.0.0.1"));
    assert_eq!(
        entries.iter().filter(|e| e.action == "connexion").count(),
        server::tools::demo::ACCOUNTS.len()
    );
    server.stop().await;
}

async fn operators_see_only_their_company(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let (own, other) = dossiers_of(&server.store, OPERATOR).await;
    let browser = Browser::new(&server);
    browser.sign_in(OPERATOR, PASSWORD).await;
    let mine = browser.get(&format!("/dossiers/{own}")).await;
    assert_eq!(mine.status, StatusCode::OK);
    // The timeline and the history in their words; the details of the systems of record are
    // for agents.
    assert!(mine.body.contains("Parcours"));
    assert!(mine.body.contains("Historique du dossier"));
    assert!(!mine.body.contains("Historique des événements"));
    let dossier = server.store.dossier(own).await.unwrap().unwrap();
    assert!(!dossier.events.is_empty());
    let history = mine.body.split("Historique du dossier").nth(1).unwrap();
    let history = history.split("</table>").next().unwrap();
    for event in &dossier.events {
        assert!(history.contains(event.kind.label()));
        assert!(history.contains(event.kind.step().label()));
        if let Some(detail) = &event.detail {
            assert!(
                !history.contains(detail.as_str()),
                "détail réservé aux agents montré à l'opérateur : {detail}"
            );
        }
    }
    let theirs = browser.get(&format!("/dossiers/{other}")).await;
    // Not theirs reads exactly as does not exist: numbers cannot be probed.
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert!(theirs.body.contains("Dossier introuvable"));
    let missing = browser.get("/dossiers/987654321").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for body in [&theirs.body, &missing.body] {
        assert!(body.contains("Aucun dossier que vous pouvez consulter ne porte ce numéro"));
    }
    // The page's server function, straight over HTTP: theirs reads as missing, word for word.
    let theirs = browser
        .post("/api/page-dossier", &[("id", &other.to_string())])
        .await;
    let missing = browser
        .post("/api/page-dossier", &[("id", "987654321")])
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert_eq!(
        (theirs.status, &theirs.body),
        (missing.status, &missing.body)
    );
    assert!(!theirs.body.contains("summary") && !theirs.body.contains("appointments"));
    let mine = browser
        .post("/api/page-dossier", &[("id", &own.to_string())])
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let body: serde_json::Value = serde_json::from_str(&mine.body).unwrap();
    assert_eq!(body["Found"]["dossier"]["summary"]["id"], own);
    assert_eq!(body["Found"]["dossier"]["details_withheld"], true);
    assert!(body["Found"]["appointments"]["checks"].is_array());
    let list = browser.get("/dossiers").await;
    let own_company = server
        .store
        .user_by_email(OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .company_id;
    let company = server
        .store
        .companies()
        .await
        .unwrap()
        .into_iter()
        .find(|c| Some(c.id) == own_company)
        .unwrap();
    let other_names: Vec<String> = server
        .store
        .companies()
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.id != company.id)
        .map(|c| c.name)
        .collect();
    // Every dossier the list shows is the company's own, and it shows some.
    let shown: Vec<i64> = list
        .body
        .split("data-dossier=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect();
    assert!(!shown.is_empty(), "la liste de l'opérateur est vide");
    for id in shown {
        let dossier = server.store.dossier(id).await.unwrap().unwrap();
        assert_eq!(dossier.summary.company_id, Some(company.id), "dossier {id}");
    }
    for name in other_names {
        assert!(!list.body.contains(&format!(">{name}<")), "{name} visible");
    }
    // The DGITM sees no dossier at all.
    let dgitm = Browser::new(&server);
    dgitm.sign_in("dgitm@demo.sesame.test", PASSWORD).await;
    assert_eq!(
        dgitm.get(&format!("/dossiers/{own}")).await.status,
        StatusCode::FORBIDDEN
    );
    server.stop().await;
}

async fn a_head_of_service_grants_and_withdraws(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let orly = Locode::parse("FRORY").unwrap();
    let dossier = server
        .store
        .dossiers(
            &DossierQuery {
                site: Some(orly.clone()),
                ..DossierQuery::default()
            },
            &DossierScope::All,
        )
        .await
        .unwrap()
        .dossiers[0]
        .id;
    let agent_user = server
        .store
        .user_by_email(AGENT_SIVEP)
        .await
        .unwrap()
        .unwrap();
    let habilitation = server
        .store
        .habilitations_of(agent_user.id)
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.site == orly)
        .unwrap();

    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    assert_eq!(
        agent.get(&format!("/dossiers/{dossier}")).await.status,
        StatusCode::OK
    );

    let head = Browser::new(&server);
    head.sign_in(HEAD, PASSWORD).await;
    let desk = head.get("/habilitations").await;
    assert_eq!(desk.status, StatusCode::OK);
    assert!(desk.body.contains("Accorder une habilitation"));
    // Another person may not withdraw it.
    assert_eq!(
        agent
            .post(&format!("/habilitations/{}/retrait", habilitation.id), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let withdrawn = head
        .post(&format!("/habilitations/{}/retrait", habilitation.id), &[])
        .await;
    assert_eq!(
        withdrawn.location,
        "/habilitations?message=habilitation-retiree"
    );
    let refused = agent.get(&format!("/dossiers/{dossier}")).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    // Dates are checked.
    let agent_id = agent_user.id.to_string();
    let today = app::domain::access::local_day(chrono::Utc::now());
    let start_day = today.format("%Y-%m-%d").to_string();
    let before = (today - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let inverted = head
        .post(
            "/habilitations",
            &[
                ("agent", &agent_id),
                ("site", "FRORY"),
                ("debut", &start_day),
                ("fin", &before),
            ],
        )
        .await;
    assert!(
        inverted.location.contains("erreur=dates-inversees"),
        "{}",
        inverted.location
    );
    // A customs agent is not the SIVEP head's to habilitate.
    let customs = server
        .store
        .user_by_email("agent.douane@demo.sesame.test")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let other_administration = head
        .post(
            "/habilitations",
            &[
                ("agent", &customs),
                ("site", "FRORY"),
                ("debut", &start_day),
            ],
        )
        .await;
    assert_eq!(other_administration.status, StatusCode::FORBIDDEN);

    let granted = head
        .post(
            "/habilitations",
            &[
                ("agent", &agent_id),
                ("site", "FRORY"),
                ("debut", &start_day),
                ("fin", ""),
            ],
        )
        .await;
    assert_eq!(
        granted.location,
        "/habilitations?message=habilitation-accordee"
    );
    assert_eq!(
        agent.get(&format!("/dossiers/{dossier}")).await.status,
        StatusCode::OK
    );
    let actions: Vec<String> = server
        .store
        .audit_entries(50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"habilitation_accordee".to_owned()));
    assert!(actions.contains(&"habilitation_retiree".to_owned()));
    assert!(actions.contains(&"consultation_dossier".to_owned()));
    server.stop().await;
}

async fn a_forgotten_password_is_reset_by_mail(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let sink = SmtpSink::start().await;
    let mut config = config(url);
    config.smtp_url = Some(SecretString::from(sink.url.clone()));
    let server = Running::start(&config).await;
    let browser = Browser::new(&server);

    // The same answer for an address without an account, and no mail.
    let unknown = browser
        .post(
            "/mot-de-passe-oublie",
            &[("adresse", "personne@example.fr")],
        )
        .await;
    assert_eq!(unknown.location, "/mot-de-passe-oublie?message=lien-envoye");
    let invalid = browser
        .post("/mot-de-passe-oublie", &[("adresse", "pas-une-adresse")])
        .await;
    assert!(invalid.location.contains("erreur=adresse-invalide"));

    let asked = browser
        .post("/mot-de-passe-oublie", &[("adresse", OTHER_OPERATOR)])
        .await;
    assert_eq!(asked.location, "/mot-de-passe-oublie?message=lien-envoye");
    let mail = sink.next_message(Duration::from_secs(10)).await;
    assert_eq!(mail.to, vec![OTHER_OPERATOR.to_owned()]);
    let decoded = mail.decoded();
    assert_eq!(decoded.subject, "Votre nouveau mot de passe France Sésame");
    let link = decoded
        .text
        .split_whitespace()
        .find(|word| word.contains("/mot-de-passe/nouveau?jeton="))
        .expect("le lien est dans le courriel")
        .to_owned();
    assert!(link.starts_with(&config.base_url()), "{link}");
    let token = link.split("jeton=").nth(1).unwrap().to_owned();
    assert!(sink.try_next_message().await.is_none(), "un seul courriel");

    let form = browser
        .get(&format!("/mot-de-passe/nouveau?jeton={token}"))
        .await;
    assert!(form.body.contains(OTHER_OPERATOR) && form.body.contains("Nouveau mot de passe"));
    let short = browser
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", &token),
                ("mot_de_passe", "court"),
                ("confirmation", "court"),
            ],
        )
        .await;
    assert!(short.location.contains("erreur=mot-de-passe-court"));
    let common = browser
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", &token),
                ("mot_de_passe", "motdepasse123"),
                ("confirmation", "motdepasse123"),
            ],
        )
        .await;
    assert!(common.location.contains("erreur=mot-de-passe-courant"));
    let mismatch = browser
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", &token),
                ("mot_de_passe", "cheval agrafe batterie"),
                ("confirmation", "autre chose encore"),
            ],
        )
        .await;
    assert!(mismatch.location.contains("erreur=confirmation"));
    let new_password = "cheval agrafe batterie";
    let changed = browser
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", &token),
                ("mot_de_passe", new_password),
                ("confirmation", new_password),
            ],
        )
        .await;
    assert!(
        changed
            .location
            .starts_with("/connexion?message=mot-de-passe-change"),
        "{}",
        changed.location
    );
    // Single use.
    let again = browser
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", &token),
                ("mot_de_passe", new_password),
                ("confirmation", new_password),
            ],
        )
        .await;
    assert!(again.location.contains("erreur=lien-invalide"));
    let old = browser
        .post(
            "/connexion",
            &[("adresse", OTHER_OPERATOR), ("mot_de_passe", PASSWORD)],
        )
        .await;
    assert!(old.location.contains("erreur=identifiants"));
    Browser::new(&server)
        .sign_in(OTHER_OPERATOR, new_password)
        .await;
    server.stop().await;
}

/// The link a mail carries, by the start of its path.
fn link_in(text: &str, path: &str) -> String {
    text.split_whitespace()
        .find(|word| word.contains(path))
        .unwrap_or_else(|| panic!("pas de lien {path} dans :\n{text}"))
        .to_owned()
}

async fn an_address_change_is_confirmed_and_told(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let sink = SmtpSink::start().await;
    let mut config = config(url);
    config.smtp_url = Some(SecretString::from(sink.url.clone()));
    let server = Running::start(&config).await;
    let browser = Browser::new(&server);
    browser.sign_in(OTHER_OPERATOR, PASSWORD).await;
    let next_mail = || async { sink.next_message(Duration::from_secs(10)).await.decoded() };

    let asked = browser
        .post(
            "/espace/profil",
            &[
                ("nom", "Karim Benali"),
                ("adresse", "Karim.Nouveau@Example.fr"),
            ],
        )
        .await;
    assert_eq!(asked.location, "/espace?message=verification-envoyee");
    let (first, second) = (next_mail().await, next_mail().await);
    let (confirm, notice) = if first.subject.starts_with("Confirmez") {
        (first, second)
    } else {
        (second, first)
    };
    assert_eq!(confirm.subject, "Confirmez votre adresse électronique");
    assert_eq!(
        notice.subject,
        "Changement d'adresse demandé sur votre compte"
    );
    assert!(notice.text.contains("karim.nouveau@example.fr"));
    // Until confirmed, the old address is the account's.
    assert!(server
        .store
        .user_by_email(OTHER_OPERATOR)
        .await
        .unwrap()
        .is_some());

    // An address that already has an account: the same answer, and its owner is told.
    let taken = browser
        .post(
            "/espace/profil",
            &[("nom", "Karim Benali"), ("adresse", OPERATOR)],
        )
        .await;
    assert_eq!(taken.location, "/espace?message=verification-envoyee");
    let told = next_mail().await;
    assert_eq!(told.subject, "Cette adresse a déjà un compte France Sésame");

    let token = link_in(&confirm.text, "/verification?jeton=")
        .split("jeton=")
        .nth(1)
        .unwrap()
        .to_owned();
    let page = browser.get(&format!("/verification?jeton={token}")).await;
    assert!(
        page.body.contains("karim.nouveau@example.fr")
            && page.body.contains("Confirmer mon adresse")
    );
    let confirmed = browser.post("/verification", &[("jeton", &token)]).await;
    assert_eq!(confirmed.location, "/espace?message=adresse-verifiee");
    assert!(server
        .store
        .user_by_email("karim.nouveau@example.fr")
        .await
        .unwrap()
        .is_some());
    assert!(server
        .store
        .user_by_email(OTHER_OPERATOR)
        .await
        .unwrap()
        .is_none());
    let again = browser.post("/verification", &[("jeton", &token)]).await;
    assert!(again.location.contains("erreur=lien-invalide"));

    // A password reset revokes the links sent before it.
    browser
        .post(
            "/espace/profil",
            &[("nom", "Karim Benali"), ("adresse", "troisieme@example.fr")],
        )
        .await;
    let (first, second) = (next_mail().await, next_mail().await);
    let pending = if first.subject.starts_with("Confirmez") {
        first
    } else {
        second
    };
    let pending = link_in(&pending.text, "/verification?jeton=")
        .split("jeton=")
        .nth(1)
        .unwrap()
        .to_owned();
    Browser::new(&server)
        .post(
            "/mot-de-passe-oublie",
            &[("adresse", "karim.nouveau@example.fr")],
        )
        .await;
    let reset = next_mail().await;
    let reset = link_in(&reset.text, "/mot-de-passe/nouveau?jeton=")
        .split("jeton=")
        .nth(1)
        .unwrap()
        .to_owned();
    let changed = Browser::new(&server)
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", &reset),
                ("mot_de_passe", "six canards en ligne"),
                ("confirmation", "six canards en ligne"),
            ],
        )
        .await;
    assert!(
        changed.location.contains("message=mot-de-passe-change"),
        "{}",
        changed.location
    );
    let revoked = Browser::new(&server)
        .post("/verification", &[("jeton", &pending)])
        .await;
    assert!(
        revoked.location.contains("erreur=lien-invalide"),
        "{}",
        revoked.location
    );
    server.stop().await;
}

async fn failed_sign_ins_slow_down_further_attempts(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let browser = Browser::new(&server);
    for _ in 0..3 {
        let answer = browser
            .post(
                "/connexion",
                &[
                    ("adresse", OPERATOR),
                    ("mot_de_passe", "mauvais mot de passe"),
                ],
            )
            .await;
        assert!(answer.location.contains("erreur=identifiants"));
    }
    // Even the right password waits now, for this account.
    let slowed = browser
        .post(
            "/connexion",
            &[("adresse", OPERATOR), ("mot_de_passe", PASSWORD)],
        )
        .await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(slowed.headers.contains_key("retry-after"));
    assert!(slowed.body.contains("Trop de tentatives de connexion"));
    tokio::time::sleep(Duration::from_millis(2100)).await;
    Browser::new(&server).sign_in(OPERATOR, PASSWORD).await;
    server.stop().await;
}

async fn failures_from_one_address_slow_it_down(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url);
    // Only the slowdown is under test, not the budget of requests.
    config.sensitive_per_minute = 10_000;
    config.sensitive_burst = 10_000;
    config.trusted_proxies = "127.0.0.1/32".into();
    let server = Running::start(&config).await;
    let browser = Browser::new(&server);
    // Thirty different addresses: no single account reaches its own limit…
    for n in 0..30 {
        let email = format!("essai{n}@example.fr");
        let answer = browser
            .post(
                "/connexion",
                &[("adresse", email.as_str()), ("mot_de_passe", "devinette")],
            )
            .await;
        assert!(
            answer.location.contains("erreur=identifiants"),
            "{n} : {}",
            answer.location
        );
    }
    // …but the address sending them does, for every account.
    let slowed = browser
        .post(
            "/connexion",
            &[("adresse", OPERATOR), ("mot_de_passe", PASSWORD)],
        )
        .await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    // Another address (behind the trusted proxy) is not slowed down.
    let elsewhere = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .post(server.url("/connexion"))
        .header("x-forwarded-for", "198.51.100.7")
        .form(&[("adresse", OPERATOR), ("mot_de_passe", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), StatusCode::SEE_OTHER);
    assert!(!elsewhere.headers()["location"]
        .to_str()
        .unwrap()
        .contains("erreur"));
    server.stop().await;
}

/// Starts signing in with the provider `test`: the address of the provider to go to.
pub(crate) async fn begin_oidc(browser: &Browser) -> server::oidc::Url {
    let answer = browser.get("/connexion/oidc/test").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(answer
        .set_cookie
        .iter()
        .any(|c| c.starts_with("sesame_oidc=") && c.contains("HttpOnly")));
    server::oidc::Url::parse(&answer.location).unwrap()
}

/// Signing in through an identity provider, the server's own routes: the callback works only in
/// the browser that began, the account is then tied to the provider's subject, and a provider
/// limited to some roles opens no other account.
async fn identity_provider_sign_in(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let port = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let callback = format!("{base}/connexion/oidc/test/retour");
    let provider = crate::oidc::OidcProvider::start(
        &[&callback],
        &[&format!("{base}/connexion?message=deconnecte")],
    )
    .await;
    let mut config = config(url);
    config.site_addr = format!("127.0.0.1:{port}").parse().unwrap();
    config.oidc = vec![provider.config("test")];
    let server = Running::start(&config).await;
    assert!(Browser::new(&server)
        .get("/connexion")
        .await
        .body
        .contains("Se connecter avec Fournisseur de test"));

    // Begins in one browser; the provider's answer opened in another opens nothing.
    let victim = Browser::new(&server);
    let attacker = Browser::new(&server);
    let started = begin_oidc(&attacker).await;
    let returned = provider.sign_in(&started, HEAD, &callback).await;
    let path = format!("{}?{}", returned.path(), returned.query().unwrap());
    let refused = victim.get(&path).await;
    assert!(
        refused.location.contains("erreur=oidc-expiree"),
        "{}",
        refused.location
    );
    assert!(victim
        .get("/espace")
        .await
        .location
        .starts_with("/connexion"));

    // The same browser: signed in, and the account is now tied to the provider's subject.
    let person = Browser::new(&server);
    let started = begin_oidc(&person).await;
    let returned = provider.sign_in(&started, HEAD, &callback).await;
    let signed_in = person
        .get(&format!(
            "{}?{}",
            returned.path(),
            returned.query().unwrap()
        ))
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert!(
        !signed_in.location.contains("erreur"),
        "{}",
        signed_in.location
    );
    assert!(signed_in
        .set_cookie
        .iter()
        .any(|c| c.starts_with("sesame_session=")));
    let head = server.store.user_by_email(HEAD).await.unwrap().unwrap();
    assert_eq!(
        server.store.oidc_linked_user("test", HEAD).await.unwrap(),
        Some(head.id)
    );

    // Another subject of the provider asserting the same address (a recycled mailbox) is refused.
    crate::helpers::execute(
        &server.store,
        "UPDATE oidc_link SET subject = 'ancien-titulaire'",
    )
    .await
    .unwrap();
    let other = Browser::new(&server);
    let started = begin_oidc(&other).await;
    let returned = provider.sign_in(&started, HEAD, &callback).await;
    let refused = other
        .get(&format!(
            "{}?{}",
            returned.path(),
            returned.query().unwrap()
        ))
        .await;
    assert!(
        refused.location.contains("erreur=oidc-compte-lie"),
        "{}",
        refused.location
    );
    server.stop().await;

    // A provider for operators only opens no head of service's account.
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = crate::helpers::config(url);
    config.site_addr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut limited = provider.config("test");
    limited.roles = vec!["operateur".into()];
    config.oidc = vec![limited];
    let server = Running::start(&config).await;
    let browser = Browser::new(&server);
    let started = begin_oidc(&browser).await;
    let returned = provider.sign_in(&started, HEAD, &callback).await;
    let refused = browser
        .get(&format!(
            "{}?{}",
            returned.path(),
            returned.query().unwrap()
        ))
        .await;
    assert!(
        refused.location.contains("erreur=oidc-role"),
        "{}",
        refused.location
    );
    server.stop().await;
}

async fn sessions_are_listed_ended_and_expire(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let laptop = Browser::new(&server);
    laptop.sign_in(OPERATOR, PASSWORD).await;
    let phone = Browser::new(&server);
    phone.sign_in(OPERATOR, PASSWORD).await;
    let space = laptop.get("/espace").await;
    assert_eq!(
        space.body.matches("/fin\"").count(),
        2,
        "deux sessions listées"
    );
    // The laptop ends the phone's session: the phone is signed out.
    let sessions = server
        .store
        .sessions_of(
            server
                .store
                .user_by_email(OPERATOR)
                .await
                .unwrap()
                .unwrap()
                .id,
            chrono::Utc::now(),
            chrono::Duration::minutes(30),
        )
        .await
        .unwrap();
    let phone_session = sessions.iter().map(|s| s.id).max().unwrap();
    let ended = laptop
        .post(&format!("/espace/sessions/{phone_session}/fin"), &[])
        .await;
    assert_eq!(ended.location, "/espace?message=session-terminee");
    assert_eq!(phone.get("/espace").await.status, StatusCode::SEE_OTHER);
    let still = laptop.get("/espace").await;
    assert_eq!(still.status, StatusCode::OK);
    assert_eq!(
        still.headers["cache-control"], "no-store, private",
        "nothing personal is cached"
    );
    // Nobody ends someone else's session.
    let other = Browser::new(&server);
    other.sign_in(OTHER_OPERATOR, PASSWORD).await;
    let laptop_session = sessions.iter().map(|s| s.id).min().unwrap();
    assert_eq!(
        other
            .post(&format!("/espace/sessions/{laptop_session}/fin"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Idle for longer than the idle timeout: signed out.
    let stale = chrono::Utc::now() - chrono::Duration::hours(2);
    app_set_last_seen(&server.store, laptop_session, stale).await;
    let expired = laptop.get("/espace").await;
    assert_eq!(expired.status, StatusCode::SEE_OTHER);
    assert!(
        expired.set_cookie.iter().any(|c| c.contains("Max-Age=0")),
        "le cookie périmé est effacé"
    );
    server.stop().await;
}

/// Moves a session's last use back in time, as if its owner had left it.
async fn app_set_last_seen(store: &Store, id: i64, at: chrono::DateTime<chrono::Utc>) {
    // The text both stores read as this instant (SQLite keeps it as sqlx writes it).
    let at = at.to_rfc3339();
    crate::helpers::execute(
        store,
        &format!("UPDATE session SET last_seen_at = '{at}' WHERE id = {id}"),
    )
    .await
    .unwrap();
}

async fn cookies_are_hardened_over_https(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url);
    config.trusted_proxies = "127.0.0.1/32".into();
    let server = Running::start(&config).await;
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(server.url("/connexion"))
        .header("x-forwarded-proto", "https")
        .form(&[("adresse", OPERATOR), ("mot_de_passe", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("__Host-sesame_session="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("Path=/")
    );
    server.stop().await;
}

async fn the_audit_trail_detects_tampering(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let browser = Browser::new(&server);
    browser.sign_in(AGENT_SIVEP, PASSWORD).await;
    browser
        .post(
            "/connexion",
            &[("adresse", OPERATOR), ("mot_de_passe", "faux mot de passe")],
        )
        .await;
    let report = server.store.verify_audit().await.unwrap();
    assert_eq!(report.problem, None);
    assert!(report.entries >= 3, "{report:?}");
    let entries = server.store.audit_entries(100).await.unwrap();
    assert!(entries
        .iter()
        .any(|e| e.action == "connexion_refusee" && e.personal_detail == OPERATOR));
    assert!(entries
        .iter()
        .any(|e| e.action == "connexion" && e.actor == AGENT_SIVEP));

    // An entry slipped in without going through the trail (the platform's own role may append)
    // is found…
    let intruder = "INSERT INTO audit_entry (seq, at, actor_id, actor, action, object, address, detail, prev_hash, hash,
             format, identity_salt, identity_digest, connection_salt, connection_digest)
         SELECT seq + 1, at, actor_id, actor, action, object, address, 'ajout', hash, hash,
             format, identity_salt, identity_digest, connection_salt, connection_digest FROM audit_entry
         WHERE seq = (SELECT MAX(seq) FROM audit_entry)";
    crate::helpers::execute(&server.store, intruder)
        .await
        .unwrap();
    let report = server.store.verify_audit().await.unwrap();
    assert!(
        report
            .problem
            .as_deref()
            .unwrap_or_default()
            .contains("ajoutées sans passer par le journal"),
        "{report:?}"
    );
    // The platform's role cannot change or remove an entry, nor lift the protection…
    let update = "UPDATE audit_entry SET detail = 'modifié' WHERE seq = 2";
    for statement in [
        update,
        "DELETE FROM audit_entry WHERE seq = 2",
        "UPDATE audit_entry SET actor = 'autre@example.fr' WHERE seq = 2",
    ] {
        let refused = crate::helpers::execute(&server.store, statement)
            .await
            .is_err();
        assert!(refused, "le journal refuse : {statement}");
    }
    if server.store.backend() == Backend::Postgres {
        for statement in [
            "DROP TRIGGER audit_entry_guard ON audit_entry",
            "TRUNCATE audit_entry",
            "ALTER TABLE audit_entry DISABLE TRIGGER ALL",
        ] {
            let refused = crate::helpers::execute(&server.store, statement)
                .await
                .is_err();
            assert!(
                refused,
                "le rôle de la plateforme ne peut pas : {statement}"
            );
        }
    }
    // …and when someone with the database's keys goes around it, verification finds out.
    let tamper: &[&str] = match server.store.backend() {
        Backend::Sqlite => &[
            "DROP TRIGGER audit_entry_erasure_only",
            "DROP TRIGGER audit_entry_no_delete",
        ],
        Backend::Postgres => &["DROP TRIGGER audit_entry_guard ON audit_entry"],
    };
    for statement in tamper.iter().chain([&update]) {
        server.as_owner(statement).await.unwrap();
    }
    let report = server.store.verify_audit().await.unwrap();
    assert_eq!(report.entries, 1);
    assert!(report.problem.unwrap().contains("entrée n° 2 modifiée"));
    server.stop().await;
}

/// Signing in again in the same browser ends the session it had: a token copied from it before
/// (a shared computer, a stolen cookie) opens nothing afterwards. The cookie lasts until the
/// browser closes; the server keeps enforcing the idle and absolute limits.
async fn signing_in_again_ends_the_browser_s_previous_session(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let browser = Browser::new(&server);
    let token_of = |answer: &Answer| {
        let cookie = answer
            .set_cookie
            .iter()
            .find(|cookie| cookie.starts_with("sesame_session="))
            .unwrap_or_else(|| panic!("pas de cookie de session : {:?}", answer.set_cookie))
            .clone();
        let value = cookie["sesame_session=".len()..]
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        (cookie, value)
    };
    let sign_in = || browser.try_sign_in(OPERATOR, PASSWORD);
    let first = sign_in().await;
    let (cookie, first_token) = token_of(&first);
    let lowered = cookie.to_ascii_lowercase();
    assert!(
        !lowered.contains("max-age") && !lowered.contains("expires"),
        "un cookie de session, sans durée : {cookie}"
    );
    // The copied token works until the browser signs in again…
    let with_token = |token: String| {
        let server_url = server.url("/espace");
        async move {
            reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap()
                .get(server_url)
                .header("cookie", format!("sesame_session={token}"))
                .send()
                .await
                .unwrap()
        }
    };
    let before = with_token(first_token.clone()).await;
    assert!(
        !before
            .headers()
            .get("location")
            .is_some_and(|l| l.to_str().unwrap_or_default().starts_with("/connexion")),
        "le premier jeton ouvre la session"
    );
    let second = sign_in().await;
    let (_, second_token) = token_of(&second);
    assert_ne!(first_token, second_token);
    // …then it opens nothing, and the browser's new session does.
    let after = with_token(first_token).await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    let location = after.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/connexion"),
        "le premier jeton ouvre encore une session : {location}"
    );
    let current = with_token(second_token).await;
    assert!(!current
        .headers()
        .get("location")
        .is_some_and(|l| l.to_str().unwrap_or_default().starts_with("/connexion")));
    let user = server.store.user_by_email(OPERATOR).await.unwrap().unwrap();
    let open = server
        .store
        .sessions_of(user.id, chrono::Utc::now(), chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    server.stop().await;
}

/// An account that signs in through an identity provider limited to some roles stays tied to
/// it: asking for a new password gets the same answer as an unknown address and a mail without a
/// link, and a link sent before the account was tied no longer sets a password.
async fn a_provider_account_gets_no_password(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let sink = SmtpSink::start().await;
    let port = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let callback = format!("{base}/connexion/oidc/test/retour");
    let provider = crate::oidc::OidcProvider::start(&[&callback], &[]).await;
    let mut config = config(url);
    config.site_addr = format!("127.0.0.1:{port}").parse().unwrap();
    config.smtp_url = Some(SecretString::from(sink.url.clone()));
    let mut operators_only = provider.config("test");
    operators_only.roles = vec!["operateur".into()];
    config.oidc = vec![operators_only];
    let server = Running::start(&config).await;
    let browser = Browser::new(&server);

    // A link asked while the account still signed in with its password…
    browser
        .post("/mot-de-passe-oublie", &[("adresse", OPERATOR)])
        .await;
    let early = link_in(
        &sink
            .next_message(Duration::from_secs(10))
            .await
            .decoded()
            .text,
        "/mot-de-passe/nouveau?jeton=",
    );
    let early_token = early.split("jeton=").nth(1).unwrap().to_owned();

    // …then the operator signs in through the provider: the account is tied to it.
    let started = begin_oidc(&browser).await;
    let returned = provider.sign_in(&started, OPERATOR, &callback).await;
    let signed_in = browser
        .get(&format!(
            "{}?{}",
            returned.path(),
            returned.query().unwrap()
        ))
        .await;
    assert!(
        !signed_in.location.contains("erreur"),
        "{}",
        signed_in.location
    );
    assert!(server
        .store
        .oidc_linked_user("test", OPERATOR)
        .await
        .unwrap()
        .is_some());

    // Asking again: the answer an unknown address gets, and a mail that says where to sign in.
    let stranger = Browser::new(&server);
    let unknown = stranger
        .post(
            "/mot-de-passe-oublie",
            &[("adresse", "personne@example.fr")],
        )
        .await;
    let asked = stranger
        .post("/mot-de-passe-oublie", &[("adresse", OPERATOR)])
        .await;
    assert_eq!(asked.location, unknown.location);
    let mail = sink.next_message(Duration::from_secs(10)).await;
    assert_eq!(mail.to, vec![OPERATOR.to_owned()]);
    let text = mail.decoded().text;
    assert!(!text.contains("jeton="), "{text}");
    assert!(text.contains("fournisseur d'identité"), "{text}");

    // The early link sets no password: the page says it is no longer valid, and posting anyway
    // is refused.
    let page = stranger
        .get(&format!("/mot-de-passe/nouveau?jeton={early_token}"))
        .await;
    assert!(
        page.body.contains("Ce lien n'est plus valable"),
        "{}",
        page.body
    );
    let new_password = "cheval agrafe batterie";
    let refused = stranger
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", &early_token),
                ("mot_de_passe", new_password),
                ("confirmation", new_password),
            ],
        )
        .await;
    assert!(
        refused.location.contains("erreur=lien-invalide"),
        "{}",
        refused.location
    );
    let with_it = stranger
        .post(
            "/connexion",
            &[("adresse", OPERATOR), ("mot_de_passe", new_password)],
        )
        .await;
    assert!(
        with_it.location.contains("erreur=identifiants"),
        "{}",
        with_it.location
    );
    server.stop().await;
}

crate::helpers::on_both_stores!(
    demo_accounts_sign_in_and_out,
    operators_see_only_their_company,
    a_head_of_service_grants_and_withdraws,
    a_forgotten_password_is_reset_by_mail,
    an_address_change_is_confirmed_and_told,
    failed_sign_ins_slow_down_further_attempts,
    failures_from_one_address_slow_it_down,
    identity_provider_sign_in,
    sessions_are_listed_ended_and_expire,
    cookies_are_hardened_over_https,
    the_audit_trail_detects_tampering,
    signing_in_again_ends_the_browser_s_previous_session,
    a_provider_account_gets_no_password,
);

/// Every page route and every server function has its entry point in the access policy, so that
/// the permission matrix covers it.
#[tokio::test]
async fn every_entry_point_is_in_the_policy() {
    let routes = leptos_axum::generate_route_list(app::App);
    assert!(routes.len() >= 15, "{} pages seulement", routes.len());
    for route in routes {
        let path = route
            .path()
            .split('/')
            .map(|segment| {
                if segment.starts_with(':') || segment.starts_with('{') {
                    "{}"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let sample = path.replace("{}", "1");
        assert!(
            app::domain::access::route_entry(&sample).is_some(),
            "la page {path} n'a pas de point d'entrée dans la politique d'accès"
        );
    }
    let functions: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert_eq!(
        functions.len(),
        app::api::account::SERVER_FUNCTIONS.len(),
        "{functions:?}"
    );
    for (path, _) in functions {
        assert!(
            app::api::account::SERVER_FUNCTIONS
                .iter()
                .any(|(known, _)| *known == path),
            "la fonction serveur {path} n'a pas de point d'entrée dans la politique d'accès"
        );
    }
}
