//! Sign-in through an external identity provider, against a real one: the `oidc-provider` npm
//! package run by `server/tests/oidc-provider/provider.mjs` (needs `node` and `npm ci` at the
//! root of the repository).
//!
//! [`OidcProvider`] starts it and can play the browser through its pages; other tests may reuse
//! it:
//!
//! ```ignore
//! let provider = OidcProvider::start(&[&redirect_uri], &[&post_logout_uri]).await;
//! let config = provider.config("test");
//! // … begin a sign-in, then:
//! let callback = provider.sign_in(&authorization_url, "alice@example.fr", &redirect_uri).await;
//! let (code, state) = …; // from `callback`'s query
//! ```

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{StatusCode, Url};
use secrecy::SecretString;
use server::config::OidcProviderConfig;
use server::oidc::{OidcError, Providers};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

pub const CLIENT_ID: &str = "sesame";
pub const CLIENT_SECRET: &str = "secret-de-test-oidc";

/// A running test identity provider, killed when dropped.
#[allow(dead_code)]
pub struct OidcProvider {
    /// `http://127.0.0.1:<port>`, also its address.
    pub issuer: String,
    /// A browser: cookie store, no automatic redirect.
    pub browser: reqwest::Client,
    stderr: Arc<Mutex<String>>,
    _child: Child,
}

#[allow(dead_code)]
impl OidcProvider {
    /// Starts the provider on a free port of 127.0.0.1 with one client (`sesame`) allowed to
    /// come back to these addresses.
    pub async fn start(redirect_uris: &[&str], post_logout_redirect_uris: &[&str]) -> OidcProvider {
        Self::start_on(0, redirect_uris, post_logout_redirect_uris).await
    }

    /// The same on a given port (0: any free one).
    pub async fn start_on(
        port: u16,
        redirect_uris: &[&str],
        post_logout_redirect_uris: &[&str],
    ) -> OidcProvider {
        Self::start_asserting(port, redirect_uris, post_logout_redirect_uris, &[]).await
    }

    /// The same, asserting the company under the claim names given as `(--siret-claim, name)`
    /// and the like.
    pub async fn start_asserting(
        port: u16,
        redirect_uris: &[&str],
        post_logout_redirect_uris: &[&str],
        claim_names: &[(&str, &str)],
    ) -> OidcProvider {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the server crate is in the workspace")
            .to_owned();
        let script = root.join("server/tests/oidc-provider/provider.mjs");
        assert!(
            root.join("node_modules/oidc-provider/package.json")
                .exists(),
            "node_modules/oidc-provider absent : lancez `npm ci` à la racine du dépôt ({}) \
             pour les tests du fournisseur d'identité",
            root.display()
        );
        let mut command = Command::new("node");
        command
            .arg(&script)
            .arg("--port")
            .arg(port.to_string())
            .current_dir(&root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for uri in redirect_uris {
            command.arg("--redirect-uri").arg(uri);
        }
        for (flag, name) in claim_names {
            command.arg(flag).arg(name);
        }
        for uri in post_logout_redirect_uris {
            command.arg("--post-logout-redirect-uri").arg(uri);
        }
        let mut child = command.spawn().unwrap_or_else(|error| {
            panic!(
                "impossible de lancer `node` ({error}) : Node.js est nécessaire aux tests du \
                 fournisseur d'identité"
            )
        });

        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().expect("stderr is piped");
        let collected = stderr.clone();
        tokio::spawn(async move {
            let mut buffer = [0u8; 4096];
            while let Ok(read @ 1..) = pipe.read(&mut buffer).await {
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..read]));
            }
        });

        let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(issuer) = line.strip_prefix("prêt ") {
                    return Some(issuer.trim().to_owned());
                }
            }
            None
        })
        .await;
        let issuer = match ready {
            Ok(Some(issuer)) => issuer,
            outcome => {
                // Let the error output arrive.
                tokio::time::sleep(Duration::from_millis(200)).await;
                panic!(
                    "le fournisseur d'identité de test n'a pas démarré ({}) ; sa sortie d'erreur :\n{}",
                    if outcome.is_err() { "délai dépassé" } else { "arrêté" },
                    stderr.lock().unwrap()
                );
            }
        };
        // Keep reading stdout so that the process never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        OidcProvider {
            issuer,
            browser,
            stderr,
            _child: child,
        }
    }

    /// The configuration of this provider for France Sésame, under the given id.
    pub fn config(&self, id: &str) -> OidcProviderConfig {
        OidcProviderConfig {
            id: id.to_owned(),
            label: "Fournisseur de test".to_owned(),
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.to_owned(),
            client_secret: SecretString::from(CLIENT_SECRET),
            roles: Vec::new(),
            opens_operator_accounts: false,
            siret_claim: "siret".to_owned(),
            eori_claim: "eori".to_owned(),
            company_claim: "raison_sociale".to_owned(),
            provisions: Vec::new(),
            role_claim: "sesame_role".to_owned(),
            administration_claim: "sesame_administration".to_owned(),
        }
    }

    /// What the provider wrote on its error output so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Plays the browser from the authorization URL: follows the redirects, fills the login form
    /// with `login`, until the provider sends the browser back to `redirect_uri`; returns that
    /// address (with `code` and `state`, or `error`).
    pub async fn sign_in(&self, authorization_url: &Url, login: &str, redirect_uri: &str) -> Url {
        self.sign_in_with(&self.browser, authorization_url, login, redirect_uri)
            .await
    }

    /// The same in a browser of its own, which the provider has never seen (another person).
    pub async fn sign_in_anew(
        &self,
        authorization_url: &Url,
        login: &str,
        redirect_uri: &str,
    ) -> Url {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        self.sign_in_with(&browser, authorization_url, login, redirect_uri)
            .await
    }

    async fn sign_in_with(
        &self,
        browser: &reqwest::Client,
        authorization_url: &Url,
        login: &str,
        redirect_uri: &str,
    ) -> Url {
        let mut url = authorization_url.clone();
        let mut form: Option<Vec<(String, String)>> = None;
        for _ in 0..15 {
            let response = match form.take() {
                Some(fields) => browser.post(url.clone()).form(&fields).send().await,
                None => browser.get(url.clone()).send().await,
            }
            .unwrap_or_else(|error| panic!("{url} : {error}"));
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .expect("a redirection has a Location")
                    .to_str()
                    .unwrap()
                    .to_owned();
                let next = url.join(&location).unwrap();
                if next.as_str().starts_with(redirect_uri) {
                    return next;
                }
                url = next;
                continue;
            }
            let body = response.text().await.unwrap();
            assert_eq!(
                status,
                StatusCode::OK,
                "{url} : réponse inattendue du fournisseur :\n{body}\n{}",
                self.stderr()
            );
            // The login page: a form with a `login` field.
            assert!(
                body.contains(r#"<label for="login">Identifiant</label>"#)
                    && body.contains(r#"name="login""#),
                "{url} : page inattendue :\n{body}"
            );
            url = url.join(&form_action(&body)).unwrap();
            let mut fields = hidden_inputs(&body);
            fields.push(("login".to_owned(), login.to_owned()));
            form = Some(fields);
        }
        panic!("le fournisseur n'a pas renvoyé vers {redirect_uri} en 15 étapes");
    }

    /// Plays the browser through RP-initiated logout from the address France Sésame gives;
    /// returns where the provider sends the browser at the end.
    pub async fn sign_out(&self, logout_url: &Url) -> Url {
        let response = self.browser.get(logout_url.clone()).send().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{logout_url} :\n{body}");
        // The confirmation submits itself in a browser; here, by hand.
        let action = logout_url.join(&form_action(&body)).unwrap();
        let response = self
            .browser
            .post(action)
            .form(&hidden_inputs(&body))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()[reqwest::header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned();
        logout_url.join(&location).unwrap()
    }
}

/// The `action` of the first form of a page.
fn form_action(html: &str) -> String {
    let form = &html[html.find("<form").expect("la page a un formulaire")..];
    attribute(form, "action").expect("le formulaire a une action")
}

/// The hidden fields of a page's forms, as (name, value).
fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    html.split("<input")
        .skip(1)
        .map(|input| &input[..input.find('>').unwrap_or(input.len())])
        .filter(|input| input.contains(r#"type="hidden""#))
        .filter_map(|input| Some((attribute(input, "name")?, attribute(input, "value")?)))
        .collect()
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(
        tag[start..end]
            .replace("&#47;", "/")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The payload of a JWT, unverified.
fn jwt_payload(jwt: &str) -> serde_json::Value {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let payload = jwt.split('.').nth(1).expect("a JWT has a payload");
    let (mut bytes, mut buffer, mut bits) = (Vec::new(), 0u32, 0);
    for c in payload.bytes() {
        let value = ALPHABET.iter().position(|&a| a == c).expect("base64url") as u32;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
        }
    }
    serde_json::from_slice(&bytes).expect("a JSON payload")
}

/// The value of a query parameter.
fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

const BASE_URL: &str = "http://127.0.0.1:3999";

fn redirect_uri(id: &str) -> String {
    format!("{BASE_URL}/connexion/oidc/{id}/retour")
}

fn post_logout_uri() -> String {
    format!("{BASE_URL}/")
}

async fn provider_and_providers() -> (OidcProvider, Providers) {
    let provider = OidcProvider::start(&[&redirect_uri("test")], &[&post_logout_uri()]).await;
    let providers = Providers::discover(&[provider.config("test")], BASE_URL).await;
    (provider, providers)
}

#[tokio::test]
async fn oidc_sign_in_through_a_real_provider() {
    let (provider, providers) = provider_and_providers().await;
    assert_eq!(
        providers.list(),
        vec![("test".to_owned(), "Fournisseur de test".to_owned())]
    );

    let (url, pending) = providers.begin("test").await.expect("début de connexion");
    assert!(
        url.as_str()
            .starts_with(&format!("{}/auth?", provider.issuer)),
        "{url}"
    );
    assert_eq!(param(&url, "response_type").as_deref(), Some("code"));
    assert_eq!(param(&url, "client_id").as_deref(), Some(CLIENT_ID));
    assert_eq!(param(&url, "redirect_uri"), Some(redirect_uri("test")));
    assert_eq!(
        param(&url, "scope").as_deref(),
        Some("openid email profile")
    );
    assert_eq!(
        param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(param(&url, "state"), Some(pending.state.clone()));
    assert_eq!(param(&url, "nonce"), Some(pending.nonce.clone()));
    assert_eq!(pending.provider, "test");
    // What the session keeps survives a round trip through JSON.
    let pending: server::oidc::PendingLogin =
        serde_json::from_str(&serde_json::to_string(&pending).unwrap()).unwrap();

    let callback = provider
        .sign_in(&url, "Alice.Martin@Example.FR", &redirect_uri("test"))
        .await;
    let code = param(&callback, "code").expect("un code d'autorisation");
    let state = param(&callback, "state").expect("l'état");
    let identity = providers
        .complete(&pending, &code, &state)
        .await
        .unwrap_or_else(|error| panic!("{error}\n{}", provider.stderr()));
    assert_eq!(identity.provider, "test");
    assert_eq!(identity.subject, "Alice.Martin@Example.FR");
    assert_eq!(identity.email, "alice.martin@example.fr");
    assert_eq!(
        identity.name.as_deref(),
        Some("Personne Alice.Martin@Example.FR")
    );
    assert_eq!(identity.id_token.split('.').count(), 3, "a signed JWT");
    // The provider puts the address in UserInfo only (a signed JWT answer): so it was read and
    // verified there.
    let claims = jwt_payload(&identity.id_token);
    assert_eq!(claims["sub"], "Alice.Martin@Example.FR");
    assert!(claims.get("email").is_none(), "{claims}");

    // A code serves once.
    let error = providers
        .complete(&pending, &code, &state)
        .await
        .unwrap_err();
    assert!(matches!(error, OidcError::Code), "{error:?}");

    // A login without '@' gets an address of the provider's; the provider remembers the
    // session, so the second sign-in of this browser asks for nothing.
    let (url, pending) = providers.begin("test").await.unwrap();
    let callback = provider
        .sign_in(&url, "ignoré", &redirect_uri("test"))
        .await;
    let identity = providers
        .complete(
            &pending,
            &param(&callback, "code").unwrap(),
            &param(&callback, "state").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(identity.subject, "Alice.Martin@Example.FR");

    let other = OidcProvider::start(&[&redirect_uri("test")], &[]).await;
    let providers = Providers::discover(&[other.config("test")], BASE_URL).await;
    let (url, pending) = providers.begin("test").await.unwrap();
    let callback = other.sign_in(&url, "bob", &redirect_uri("test")).await;
    let identity = providers
        .complete(
            &pending,
            &param(&callback, "code").unwrap(),
            &param(&callback, "state").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(identity.subject, "bob");
    assert_eq!(identity.email, "bob@example.test");
}

#[tokio::test]
async fn oidc_a_tampered_state_is_refused() {
    let (provider, providers) = provider_and_providers().await;
    let (url, pending) = providers.begin("test").await.unwrap();
    let callback = provider
        .sign_in(&url, "alice@example.fr", &redirect_uri("test"))
        .await;
    let code = param(&callback, "code").unwrap();
    let state = param(&callback, "state").unwrap();

    let error = providers
        .complete(&pending, &code, &format!("{state}x"))
        .await
        .unwrap_err();
    assert!(matches!(error, OidcError::State), "{error:?}");
    assert_eq!(
        error.to_string(),
        "réponse du fournisseur d'identité invalide (état)"
    );
    let error = providers.complete(&pending, &code, "").await.unwrap_err();
    assert!(matches!(error, OidcError::State), "{error:?}");

    // Nor does a code go with another sign-in's verifier and nonce.
    let (_, other) = providers.begin("test").await.unwrap();
    let forged = server::oidc::PendingLogin {
        state: state.clone(),
        ..other
    };
    let error = providers
        .complete(&forged, &code, &state)
        .await
        .unwrap_err();
    assert!(matches!(error, OidcError::Code), "{error:?}");

    let unknown = server::oidc::PendingLogin {
        provider: "autre".to_owned(),
        ..pending
    };
    let error = providers
        .complete(&unknown, &code, &state)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "fournisseur d'identité inconnu : « autre »"
    );
}

#[tokio::test]
async fn oidc_an_unverified_email_is_refused() {
    let (provider, providers) = provider_and_providers().await;
    let (url, pending) = providers.begin("test").await.unwrap();
    let callback = provider
        .sign_in(&url, "non-verifie@example.fr", &redirect_uri("test"))
        .await;
    let error = providers
        .complete(
            &pending,
            &param(&callback, "code").unwrap(),
            &param(&callback, "state").unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(error, OidcError::UnverifiedEmail), "{error:?}");
    assert_eq!(
        error.to_string(),
        "adresse électronique non vérifiée par le fournisseur d'identité"
    );
}

#[tokio::test]
async fn oidc_logout_goes_through_the_end_session_endpoint() {
    let (provider, providers) = provider_and_providers().await;
    let (url, pending) = providers.begin("test").await.unwrap();
    let callback = provider
        .sign_in(&url, "alice@example.fr", &redirect_uri("test"))
        .await;
    let identity = providers
        .complete(
            &pending,
            &param(&callback, "code").unwrap(),
            &param(&callback, "state").unwrap(),
        )
        .await
        .unwrap();

    let logout = providers
        .logout_url("test", &identity.id_token, &post_logout_uri())
        .expect("the provider has an end_session_endpoint");
    let discovery: serde_json::Value = provider
        .browser
        .get(format!(
            "{}/.well-known/openid-configuration",
            provider.issuer
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut endpoint = logout.clone();
    endpoint.set_query(None);
    assert_eq!(
        Some(endpoint.as_str()),
        discovery["end_session_endpoint"].as_str()
    );
    assert_eq!(
        param(&logout, "id_token_hint"),
        Some(identity.id_token.clone())
    );
    assert_eq!(
        param(&logout, "post_logout_redirect_uri"),
        Some(post_logout_uri())
    );
    assert!(providers
        .logout_url("autre", &identity.id_token, "/")
        .is_none());

    // The provider accepts it and sends the browser back.
    let back = provider.sign_out(&logout).await;
    assert_eq!(back.as_str(), post_logout_uri());

    // Signed out there: the next sign-in asks for the login again (sign_in checks the form).
    let (url, pending) = providers.begin("test").await.unwrap();
    let callback = provider
        .sign_in(&url, "bob@example.fr", &redirect_uri("test"))
        .await;
    let identity = providers
        .complete(
            &pending,
            &param(&callback, "code").unwrap(),
            &param(&callback, "state").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(identity.email, "bob@example.fr");
}

#[tokio::test]
async fn oidc_a_provider_down_at_discovery_is_retried_at_sign_in() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = OidcProviderConfig {
        id: "test".to_owned(),
        label: "Fournisseur de test".to_owned(),
        issuer: format!("http://127.0.0.1:{port}"),
        client_id: CLIENT_ID.to_owned(),
        client_secret: SecretString::from(CLIENT_SECRET),
        roles: Vec::new(),
        opens_operator_accounts: false,
        siret_claim: "siret".to_owned(),
        eori_claim: "eori".to_owned(),
        company_claim: "raison_sociale".to_owned(),
        provisions: Vec::new(),
        role_claim: "sesame_role".to_owned(),
        administration_claim: "sesame_administration".to_owned(),
    };
    let providers = Providers::discover(std::slice::from_ref(&config), BASE_URL).await;
    assert_eq!(providers.list().len(), 1, "still offered");
    let error = providers.begin("test").await.unwrap_err();
    assert!(matches!(error, OidcError::Unreachable), "{error:?}");
    assert_eq!(error.to_string(), "fournisseur d'identité injoignable");
    assert!(providers
        .logout_url("test", "a.b.c", &post_logout_uri())
        .is_none());
    let error = providers.begin("inconnu").await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "fournisseur d'identité inconnu : « inconnu »"
    );

    // Once it is up, the next sign-in discovers it.
    let provider = OidcProvider::start_on(port, &[&redirect_uri("test")], &[]).await;
    let (url, pending) = providers
        .begin("test")
        .await
        .expect("découvert au deuxième essai");
    let callback = provider
        .sign_in(&url, "alice@example.fr", &redirect_uri("test"))
        .await;
    let identity = providers
        .complete(
            &pending,
            &param(&callback, "code").unwrap(),
            &param(&callback, "state").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(identity.email, "alice@example.fr");
}
