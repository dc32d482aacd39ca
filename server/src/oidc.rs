//! Sign-in through external identity providers (OpenID Connect relying party).
//!
//! Each configured provider is discovered once (discovery document and signing keys); a provider
//! that cannot be reached then is discovered again at the next sign-in, and a discovery older
//! than [`REDISCOVER_AFTER`] is refreshed then too, so that rotated signing keys are picked up.
//!
//! The flow is the authorization code flow with PKCE (S256), a random `state` and `nonce`; the
//! ID token is verified (signature against the provider's keys, issuer, audience, expiry, nonce,
//! access token hash), then UserInfo is called, and may answer in JSON or as a signed JWT
//! (`application/jwt`, verified against the same keys). Only a verified email address is
//! accepted.
//!
//! The HTTP client follows no redirects (an issuer or endpoint redirecting elsewhere would be a
//! server-side request forgery vector) and has timeouts.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken, CoreIdTokenClaims,
};
pub use openidconnect::url::Url;
use openidconnect::{
    reqwest, AccessTokenHash, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret,
    CsrfToken, EndSessionUrl, EndUserName, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IssuerUrl, LocalizedClaim, LogoutRequest, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl,
    RequestTokenError, Scope, SignatureVerificationError, TokenResponse, UserInfoClaims,
    UserInfoError,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::config::OidcProviderConfig;

/// How long a discovery (and the signing keys it brought) is trusted before being refreshed at
/// the next sign-in.
pub const REDISCOVER_AFTER: Duration = Duration::from_secs(3600);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The client as built from discovery: authorization endpoint set, token and UserInfo endpoints
/// as the discovery document says.
type DiscoveredClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("fournisseur d'identité inconnu : « {0} »")]
    UnknownProvider(String),
    #[error("fournisseur d'identité injoignable")]
    Unreachable,
    #[error("configuration du fournisseur d'identité « {0} » invalide")]
    Misconfigured(String),
    /// The `state` sent back does not match the one of the pending sign-in.
    #[error("réponse du fournisseur d'identité invalide (état)")]
    State,
    /// The token endpoint refused the code (expired, already used, wrong PKCE verifier…) or
    /// answered something unusable.
    #[error("réponse du fournisseur d'identité invalide (code d'autorisation)")]
    Code,
    /// No ID token, or one that does not verify.
    #[error("réponse du fournisseur d'identité invalide (jeton d'identité)")]
    IdToken,
    /// UserInfo failed or answered something that does not verify.
    #[error("réponse du fournisseur d'identité invalide (informations sur l'utilisateur)")]
    UserInfo,
    #[error("adresse électronique non communiquée par le fournisseur d'identité")]
    MissingEmail,
    #[error("adresse électronique non vérifiée par le fournisseur d'identité")]
    UnverifiedEmail,
}

/// What must be kept server-side (in the session) between [`Providers::begin`] and
/// [`Providers::complete`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingLogin {
    pub provider: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Who signed in, as the provider vouches for it.
#[derive(Clone, Debug)]
pub struct Identity {
    pub provider: String,
    pub subject: String,
    /// Verified by the provider; lowercased.
    pub email: String,
    pub name: Option<String>,
    /// What a provider that opens operators' accounts asserts of the person's company (from
    /// UserInfo, under the configured claim names); `None` for any other provider.
    pub company: Option<app::forms::AssertedCompany>,
    /// What a provider that opens State accounts asserts of the person's role; `None` for any
    /// other provider.
    pub state_role: Option<app::forms::AssertedRole>,
    /// The raw ID token, for [`Providers::logout_url`].
    pub id_token: String,
}

struct Discovered {
    client: DiscoveredClient,
    end_session: Option<EndSessionUrl>,
    at: Instant,
}

struct Entry {
    config: OidcProviderConfig,
    redirect: Result<RedirectUrl, String>,
    discovered: RwLock<Option<Arc<Discovered>>>,
}

/// The configured identity providers.
pub struct Providers {
    http: reqwest::Client,
    /// In configuration order.
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
}

impl Providers {
    /// Discovers every configured provider (OpenID discovery document + JWKS). A provider whose
    /// discovery fails is logged (WARN, in French) and retried at the next `begin`.
    pub async fn discover(configs: &[OidcProviderConfig], base_url: &str) -> Providers {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("the HTTP client for identity providers builds");
        let base_url = base_url.trim_end_matches('/');
        let mut entries = Vec::with_capacity(configs.len());
        let mut index = HashMap::new();
        for config in configs {
            if index.contains_key(&config.id) {
                tracing::warn!(
                    provider = %config.id,
                    "fournisseur d'identité déclaré deux fois : seule la première déclaration compte"
                );
                continue;
            }
            let redirect =
                RedirectUrl::new(format!("{base_url}/connexion/oidc/{}/retour", config.id))
                    .map_err(|e| e.to_string());
            index.insert(config.id.clone(), entries.len());
            entries.push(Entry {
                config: config.clone(),
                redirect,
                discovered: RwLock::new(None),
            });
        }
        let providers = Providers {
            http,
            entries,
            index,
        };
        let mut tasks = tokio::task::JoinSet::new();
        for (position, entry) in providers.entries.iter().enumerate() {
            let http = providers.http.clone();
            let config = entry.config.clone();
            let redirect = entry.redirect.clone();
            tasks.spawn(async move { (position, discover_one(&http, &config, redirect).await) });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((position, Ok(discovered))) => {
                    let entry = &providers.entries[position];
                    tracing::info!(provider = %entry.config.id, "fournisseur d'identité découvert");
                    *entry.discovered.write().expect("not poisoned") = Some(Arc::new(discovered));
                }
                // Already logged by discover_one.
                Ok((_, Err(_))) => {}
                Err(error) => {
                    tracing::warn!(%error, "découverte d'un fournisseur d'identité interrompue")
                }
            }
        }
        providers
    }

    /// The configured providers, as (id, label), in configuration order.
    pub fn list(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .map(|entry| (entry.config.id.clone(), entry.config.label.clone()))
            .collect()
    }

    /// Starts a sign-in: the URL to send the browser to, and what must be kept server-side until
    /// the callback.
    pub async fn begin(&self, provider: &str) -> Result<(Url, PendingLogin), OidcError> {
        let entry = self.entry(provider)?;
        let discovered = self.discovered(entry, true).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = discovered
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".to_owned()))
            .add_scope(Scope::new("profile".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        Ok((
            url,
            PendingLogin {
                provider: entry.config.id.clone(),
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
            },
        ))
    }

    /// Finishes it: checks state, exchanges the code with the PKCE verifier, verifies the ID
    /// token (signature against JWKS, issuer, audience, expiry, nonce), then calls UserInfo,
    /// accepting both a JSON response and a signed JWT response (application/jwt, verified
    /// against the JWKS). Requires an email with email_verified = true (from ID token or
    /// UserInfo), else a French error.
    pub async fn complete(
        &self,
        pending: &PendingLogin,
        code: &str,
        state: &str,
    ) -> Result<Identity, OidcError> {
        let entry = self.entry(&pending.provider)?;
        let id = entry.config.id.as_str();
        if pending.state.is_empty() || !constant_time_eq(pending.state.as_bytes(), state.as_bytes())
        {
            tracing::warn!(
                provider = id,
                "retour d'un fournisseur d'identité : état différent de celui attendu"
            );
            return Err(OidcError::State);
        }
        // Not refreshed here: the keys must be those the sign-in started with, unless they do
        // not verify the ID token (see below).
        let mut discovered = self.discovered(entry, false).await?;

        let exchange = discovered
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|error| {
                tracing::warn!(provider = id, %error, "fournisseur d'identité sans point de jeton");
                OidcError::Misconfigured(id.to_owned())
            })?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()));
        let tokens = exchange.request_async(&self.http).await.map_err(|error| {
            tracing::warn!(provider = id, error = %chain(&error), "échange du code d'autorisation refusé");
            match error {
                RequestTokenError::Request(_) => OidcError::Unreachable,
                _ => OidcError::Code,
            }
        })?;
        let id_token = tokens.id_token().ok_or_else(|| {
            tracing::warn!(
                provider = id,
                "réponse du point de jeton sans jeton d'identité"
            );
            OidcError::IdToken
        })?;
        let nonce = Nonce::new(pending.nonce.clone());

        // Signing keys may have been rotated since discovery: on a key we do not know, discover
        // again once.
        let claims =
            match verify_id_token(&discovered.client, id_token, &nonce, tokens.access_token()) {
                Err(IdTokenProblem::Claims(ClaimsVerificationError::SignatureVerification(
                    SignatureVerificationError::NoMatchingKey,
                ))) => {
                    tracing::info!(
                        provider = id,
                        "clé de signature inconnue : nouvelle découverte"
                    );
                    discovered = self.rediscover(entry).await?;
                    verify_id_token(&discovered.client, id_token, &nonce, tokens.access_token())
                }
                other => other,
            }
            .map_err(|problem| {
                tracing::warn!(provider = id, error = %problem, "jeton d'identité refusé");
                OidcError::IdToken
            })?;

        let userinfo: Option<UserInfoClaims<CompanyClaims, CoreGenderClaim>> = match discovered
            .client
            .user_info(tokens.access_token().clone(), Some(claims.subject().clone()))
        {
            Ok(request) => Some(request.request_async(&self.http).await.map_err(|error| {
                tracing::warn!(provider = id, error = %chain(&error), "informations sur l'utilisateur refusées");
                match error {
                    UserInfoError::Request(_) => OidcError::Unreachable,
                    _ => OidcError::UserInfo,
                }
            })?),
            // No UserInfo endpoint: the ID token must carry the address.
            Err(_) => None,
        };

        let from_token = Claims {
            email: claims.email().map(|email| email.as_str().to_owned()),
            email_verified: claims.email_verified(),
            name: name_of(claims.name()),
        };
        let from_userinfo = userinfo
            .as_ref()
            .map(|u| u.standard_claims())
            .map(|c| Claims {
                email: c.email().map(|email| email.as_str().to_owned()),
                email_verified: c.email_verified(),
                name: name_of(c.name()),
            });
        let sources: Vec<&Claims> = from_userinfo.iter().chain([&from_token]).collect();
        let Some(email) = sources.iter().find_map(|c| c.email.clone()) else {
            tracing::warn!(provider = id, "aucune adresse électronique communiquée");
            return Err(OidcError::MissingEmail);
        };
        let verified = sources
            .iter()
            .any(|c| c.email.as_deref() == Some(email.as_str()) && c.email_verified == Some(true));
        if !verified {
            tracing::warn!(
                provider = id,
                "adresse électronique non vérifiée par le fournisseur"
            );
            return Err(OidcError::UnverifiedEmail);
        }
        let name = sources.iter().find_map(|c| c.name.clone());
        let config = &entry.config;
        let asserted = userinfo.as_ref().map(|u| &u.additional_claims().0);
        let claim = |name: &str| {
            asserted
                .and_then(|claims| claims.get(name))
                .and_then(|value| match value {
                    serde_json::Value::String(text) => Some(text.trim().to_owned()),
                    serde_json::Value::Number(number) => Some(number.to_string()),
                    _ => None,
                })
                .filter(|text| !text.is_empty())
        };
        let company = config
            .opens_operator_accounts
            .then(|| app::forms::AssertedCompany {
                siret: claim(&config.siret_claim),
                eori: claim(&config.eori_claim),
                name: claim(&config.company_claim),
            });
        let state_role = (!config.provisions.is_empty()).then(|| app::forms::AssertedRole {
            role: claim(&config.role_claim),
            administration: claim(&config.administration_claim),
        });

        Ok(Identity {
            provider: id.to_owned(),
            subject: claims.subject().as_str().to_owned(),
            email: email.trim().to_lowercase(),
            name,
            company,
            state_role,
            id_token: id_token.to_string(),
        })
    }

    /// The provider's end_session_endpoint with id_token_hint and post_logout_redirect_uri, when
    /// it has one.
    pub fn logout_url(
        &self,
        provider: &str,
        id_token: &str,
        post_logout_redirect: &str,
    ) -> Option<Url> {
        let entry = self.entry(provider).ok()?;
        let discovered = entry.discovered.read().expect("not poisoned").clone()?;
        let endpoint = discovered.end_session.clone()?;
        let mut request = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(entry.config.client_id.clone()));
        match id_token.parse::<CoreIdToken>() {
            Ok(token) => request = request.set_id_token_hint(&token),
            Err(error) => {
                tracing::warn!(provider, %error, "jeton d'identité illisible : déconnexion sans indice")
            }
        }
        match PostLogoutRedirectUrl::new(post_logout_redirect.to_owned()) {
            Ok(url) => request = request.set_post_logout_redirect_uri(url),
            Err(error) => {
                tracing::warn!(provider, %error, "adresse de retour après déconnexion invalide")
            }
        }
        Some(request.http_get_url())
    }

    fn entry(&self, provider: &str) -> Result<&Entry, OidcError> {
        self.index
            .get(provider)
            .map(|&position| &self.entries[position])
            .ok_or_else(|| OidcError::UnknownProvider(provider.to_owned()))
    }

    /// The provider's discovery, done now if it has not succeeded yet (or, when `refresh`, if it
    /// is old; an old one is kept when the provider cannot be reached).
    async fn discovered(&self, entry: &Entry, refresh: bool) -> Result<Arc<Discovered>, OidcError> {
        let current = entry.discovered.read().expect("not poisoned").clone();
        match current {
            Some(discovered) if !refresh || discovered.at.elapsed() < REDISCOVER_AFTER => {
                Ok(discovered)
            }
            Some(stale) => Ok(self.rediscover(entry).await.unwrap_or(stale)),
            None => self.rediscover(entry).await,
        }
    }

    async fn rediscover(&self, entry: &Entry) -> Result<Arc<Discovered>, OidcError> {
        let discovered =
            Arc::new(discover_one(&self.http, &entry.config, entry.redirect.clone()).await?);
        *entry.discovered.write().expect("not poisoned") = Some(discovered.clone());
        tracing::info!(provider = %entry.config.id, "fournisseur d'identité découvert");
        Ok(discovered)
    }
}

/// Fetches one provider's discovery document and keys; failures are logged here.
async fn discover_one(
    http: &reqwest::Client,
    config: &OidcProviderConfig,
    redirect: Result<RedirectUrl, String>,
) -> Result<Discovered, OidcError> {
    let id = config.id.as_str();
    let misconfigured = |what: &str, error: &str| {
        tracing::warn!(
            provider = id,
            error,
            "configuration du fournisseur d'identité invalide ({what})"
        );
        OidcError::Misconfigured(id.to_owned())
    };
    let redirect = redirect.map_err(|error| misconfigured("adresse de retour", &error))?;
    let issuer = IssuerUrl::new(config.issuer.clone())
        .map_err(|error| misconfigured("issuer", &error.to_string()))?;
    let metadata = ProviderMetadataWithLogout::discover_async(issuer, http)
        .await
        .map_err(|error| {
            tracing::warn!(
                provider = id,
                issuer = %config.issuer,
                error = %chain(&error),
                "fournisseur d'identité injoignable : nouvel essai à la prochaine connexion"
            );
            OidcError::Unreachable
        })?;
    let end_session = metadata.additional_metadata().end_session_endpoint.clone();
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(config.client_id.clone()),
        Some(ClientSecret::new(
            config.client_secret.expose_secret().to_owned(),
        )),
    )
    .set_redirect_uri(redirect);
    Ok(Discovered {
        client,
        end_session,
        at: Instant::now(),
    })
}

#[derive(Debug, thiserror::Error)]
enum IdTokenProblem {
    #[error("{}", chain(.0))]
    Claims(ClaimsVerificationError),
    #[error("empreinte du jeton d'accès : {0}")]
    AccessTokenHash(String),
}

/// Verifies the ID token (signature, issuer, audience, expiry, nonce) and, when it carries one,
/// the hash of the access token it came with.
fn verify_id_token<'t>(
    client: &DiscoveredClient,
    id_token: &'t CoreIdToken,
    nonce: &Nonce,
    access_token: &openidconnect::AccessToken,
) -> Result<&'t CoreIdTokenClaims, IdTokenProblem> {
    let verifier = client.id_token_verifier();
    let claims = id_token
        .claims(&verifier, nonce)
        .map_err(IdTokenProblem::Claims)?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token
            .signing_alg()
            .map_err(|e| IdTokenProblem::AccessTokenHash(e.to_string()))?;
        let key = id_token
            .signing_key(&verifier)
            .map_err(|e| IdTokenProblem::AccessTokenHash(e.to_string()))?;
        let actual = AccessTokenHash::from_token(access_token, alg, key)
            .map_err(|e| IdTokenProblem::AccessTokenHash(e.to_string()))?;
        if actual != *expected {
            return Err(IdTokenProblem::AccessTokenHash("différente".to_owned()));
        }
    }
    Ok(claims)
}

/// The claims of UserInfo beyond the standard ones, where a provider asserts the person's
/// company under the names the configuration gives.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
struct CompanyClaims(HashMap<String, serde_json::Value>);

impl openidconnect::AdditionalClaims for CompanyClaims {}

/// The claims we use, from either the ID token or UserInfo.
struct Claims {
    email: Option<String>,
    email_verified: Option<bool>,
    name: Option<String>,
}

fn name_of(name: Option<&LocalizedClaim<EndUserName>>) -> Option<String> {
    name.and_then(|name| name.get(None))
        .map(|name| name.as_str().trim().to_owned())
        .filter(|name| !name.is_empty())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An error and its causes, for the logs.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(" : ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The form handlers sign people in through the configured providers.
impl app::forms::IdentityProviders for Providers {
    fn list(&self) -> Vec<(String, String)> {
        Providers::list(self)
    }

    fn begin<'a>(
        &'a self,
        provider: &'a str,
    ) -> app::forms::Pending<'a, Result<app::forms::SignInStarted, String>> {
        Box::pin(async move {
            let (url, pending) = Providers::begin(self, provider)
                .await
                .map_err(|error| error.to_string())?;
            Ok(app::forms::SignInStarted {
                url: url.to_string(),
                state: pending.state.clone(),
                kept: serde_json::to_string(&pending).map_err(|error| error.to_string())?,
            })
        })
    }

    fn complete<'a>(
        &'a self,
        provider: &'a str,
        kept: &'a str,
        code: &'a str,
        state: &'a str,
    ) -> app::forms::Pending<'a, Result<app::forms::Identity, app::forms::ProviderFailure>> {
        use app::forms::ProviderFailure;
        Box::pin(async move {
            let pending: PendingLogin =
                serde_json::from_str(kept).map_err(|_| ProviderFailure::Expired)?;
            if pending.provider != provider {
                return Err(ProviderFailure::Expired);
            }
            let identity = Providers::complete(self, &pending, code, state)
                .await
                .map_err(|error| ProviderFailure::Refused(error.to_string()))?;
            Ok(app::forms::Identity {
                subject: identity.subject,
                email: identity.email,
                id_token: identity.id_token,
                name: identity.name,
                company: identity.company,
                state_role: identity.state_role,
            })
        })
    }

    fn logout_url(&self, provider: &str, id_token: &str, back: &str) -> Option<String> {
        Providers::logout_url(self, provider, id_token, back).map(|url| url.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn config(id: &str) -> OidcProviderConfig {
        OidcProviderConfig {
            id: id.to_owned(),
            label: format!("Compte {id}"),
            // Nothing listens on port 9 of the loopback.
            issuer: "http://127.0.0.1:9".to_owned(),
            client_id: "sesame".to_owned(),
            client_secret: SecretString::from("secret"),
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

    #[tokio::test]
    async fn unknown_and_unreachable_providers_are_errors_not_panics() {
        let providers = Providers::discover(
            &[config("a"), config("b"), config("a")],
            "http://localhost/",
        )
        .await;
        assert_eq!(
            providers.list(),
            vec![
                ("a".to_owned(), "Compte a".to_owned()),
                ("b".to_owned(), "Compte b".to_owned())
            ]
        );
        let error = providers.begin("zzz").await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "fournisseur d'identité inconnu : « zzz »"
        );
        let error = providers.begin("a").await.unwrap_err();
        assert_eq!(error.to_string(), "fournisseur d'identité injoignable");
        assert!(providers
            .logout_url("a", "x.y.z", "http://localhost/")
            .is_none());
    }

    #[test]
    fn state_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
