//! Signing in with a password or an identity provider, signing out, and accepting the terms of
//! use. Failed sign-ins slow down later ones, per account and client and per client (a client is
//! an address, or an IPv6 /64), with delays that grow with each failure; an account's failures
//! from everywhere are bounded over a day, after which its password works only from clients that
//! signed in to it before, and others are offered a link by mail ([`super::sign_in_link`]). The
//! failures are read from the audit trail, so every instance behind a load balancer sees them.

use std::sync::OnceLock;

use crate::domain::access::{dossier_scope, DossierScope, EntryPoint, Target};
use crate::domain::account::{asserted_company, name_from_provider, parse_email};
use crate::domain::cgu;
use crate::domain::directory::Role;
use crate::domain::references::{Eori, Siret};
use crate::state::Caller;
use crate::store::{NewSession, NewUser, SignInWindows};
use crate::ui::notices::{Done, Problem};
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use chrono::{Duration, Utc};
use serde::Deserialize;

use crate::forms::{
    back, check, check_viewer, done, sensitive_budget, to_sign_in, Failure, Forms, Outcome,
    ProviderFailure,
};
use crate::http::OverHttps;
use crate::http::{
    clear_cookie, new_token, safe_return, see_other, session_cookie, with_query, CurrentSession,
};
use crate::state::{read_cookie, set_cookie, token_hash};

/// Failed sign-ins are counted over this window…
const FAILURE_WINDOW: Duration = Duration::minutes(15);
/// …the first ones are free (for a client on one account; a client on every account, which may
/// be a whole office behind one gateway, gets [`ADDRESS_FACTOR`] times more)…
const FREE_FAILURES: i64 = 3;
const ADDRESS_FACTOR: i64 = 10;
/// …then each one doubles the wait, up to this.
const LONGEST_WAIT: i64 = 15 * 60;

/// An account's failed sign-ins from every client over [`ACCOUNT_FAILURE_WINDOW`]: beyond, its
/// password is tried only from clients that signed in to it before. 100 is the most NIST SP
/// 800-63B (§5.2.2) allows before such a measure; at 100 guesses a day, a password of 12
/// characters or more that is not among the common ones refused stays out of reach for years,
/// and it is many more typing mistakes than an owner and their colleagues make in a day.
pub const ACCOUNT_FAILURES_PER_DAY: i64 = 100;
const ACCOUNT_FAILURE_WINDOW: Duration = Duration::hours(24);
/// A client that signed in to an account within this long is the owner's (home, office,
/// telephone): the account's budget does not apply to it. Three months covers holidays.
const KNOWN_CLIENT_WINDOW: Duration = Duration::days(90);

/// How long to wait after the last failure, given how many there were in the window and how
/// many are free: nothing for the free ones, then 2 s, 4 s, 8 s… up to 15 minutes.
pub fn wait_after(failures: i64, free: i64) -> Duration {
    if failures < free {
        return Duration::zero();
    }
    let exponent = (failures - free + 1).min(20) as u32;
    Duration::seconds(2i64.pow(exponent).min(LONGEST_WAIT))
}

#[derive(Deserialize)]
pub struct SignInForm {
    adresse: String,
    mot_de_passe: String,
    #[serde(default)]
    retour: String,
}

/// A hash to verify against when the address has no account, so that the answer takes as long
/// and says nothing about which addresses exist.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        crate::forms::hash_password("leurre-pour-un-compte-inexistant").unwrap_or_default()
    })
}

pub(super) async fn password_matches(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("inconnu")
        .chars()
        .take(200)
        .collect()
}

/// Where to go once signed in: back where the person was going, else the dossiers of those who
/// follow dossiers (operators, agents and heads of service with a perimeter), else their home page
/// (supervisors, the DGITM, administrators, agents without a habilitation).
async fn destination(forms: &Forms, user_id: i64, retour: &str) -> String {
    if let Some(path) = safe_return(retour) {
        return path;
    }
    let now = Utc::now();
    match forms
        .store
        .viewer(user_id, crate::domain::access::local_day(now), cgu::VERSION)
        .await
    {
        Ok(Some(viewer))
            if viewer.role != Role::Superviseur
                && dossier_scope(&viewer) != DossierScope::Nothing =>
        {
            "/dossiers".into()
        }
        _ => "/accueil".into(),
    }
}

/// How a session is being opened.
pub(super) struct Opening<'a> {
    pub user_id: i64,
    pub email: &'a str,
    /// `mot_de_passe`, `lien` or `oidc:<provider>`.
    pub method: &'a str,
    pub id_token: Option<&'a str>,
    pub retour: &'a str,
}

/// Opens a session, records it, and answers with the cookie and a redirection.
pub(super) async fn open_session(
    forms: &Forms,
    caller: &Caller,
    over_https: bool,
    headers: &HeaderMap,
    opening: Opening<'_>,
) -> Outcome {
    let Opening {
        user_id,
        email,
        method,
        id_token,
        retour,
    } = opening;
    let now = Utc::now();
    let (token, hash) = new_token();
    let agent = user_agent(headers);
    let mut tx = forms.store.begin().await?;
    // The browser's previous session ends: a copy of its token (a shared computer, a cookie
    // taken) must not outlive the next sign-in.
    if let Some(previous) = read_cookie(headers, crate::http::COOKIE, over_https) {
        tx.end_session_by_token(&token_hash(&previous), now).await?;
    }
    tx.insert_session(
        &NewSession {
            token_hash: &hash,
            user_id,
            method,
            id_token,
            ip: &caller.ip,
            user_agent: &agent,
            expires_at: now + forms.lifetimes.absolute,
        },
        now,
    )
    .await?;
    let object = format!("utilisateur:{user_id}");
    let mut event = caller
        .audit_event("connexion", &object, method)
        .about(email);
    event.actor_id = Some(user_id);
    event.actor = email;
    tx.audit(&event, now).await?;
    tx.commit().await?;
    let mut response = see_other(&destination(forms, user_id, retour).await);
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(&token, over_https));
    // Signed in: what was typed into a refused form is forgotten.
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            crate::domain::account::TYPED_ADDRESS_COOKIE,
            "",
            over_https,
            Duration::zero(),
        ),
    );
    Ok(response)
}

/// What the protection says of trying a password of an account from a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Attempt {
    /// The password may be tried.
    Allowed,
    /// The account's budget of the day is spent and this client never signed in to it: its
    /// password is not tried from here.
    Protected,
}

/// Before a password of the account `email` is checked (signing in, or confirming the current
/// password to change it): the tighter budget per client, the growing delays after failures
/// (429 with `Retry-After`), and the account's budget of the day. Every check of a password goes
/// through here and records its failure with [`record_failed_password`], so that no form becomes
/// a way to guess passwords beyond what signing in allows.
pub(super) async fn guard_password_attempt(
    forms: &Forms,
    caller: &Caller,
    email: &str,
) -> Result<Attempt, Failure> {
    // Per client, so that guesses sent in parallel from one place, before the failures are
    // recorded, stay few.
    sensitive_budget(forms, &[&format!("connexion:{}", caller.client_key)])?;
    let now = Utc::now();
    let standing = forms
        .store
        .sign_in_standing(
            email,
            &caller.client_key,
            &caller.ip,
            &SignInWindows {
                recent: now - FAILURE_WINDOW,
                day: now - ACCOUNT_FAILURE_WINDOW,
                known: now - KNOWN_CLIENT_WINDOW,
            },
        )
        .await?;
    let wait = [
        (standing.this_client, FREE_FAILURES),
        (standing.any_account, FREE_FAILURES * ADDRESS_FACTOR),
    ]
    .into_iter()
    .filter_map(|((count, last), free)| last.map(|last| last + wait_after(count, free) - now))
    .max()
    .unwrap_or_else(Duration::zero);
    if wait > Duration::zero() {
        let seconds = wait.num_seconds().max(1) as u64;
        tracing::warn!(%email, ip = %caller.ip, seconds, "mot de passe : essais ralentis après des échecs");
        return Err(Failure::TooMany {
            seconds,
            message: format!(
                "Trop de tentatives de connexion infructueuses (mots de passe erronés). Pour protéger le compte, attendez {seconds} seconde{} avant de réessayer, ou demandez un nouveau mot de passe.",
                if seconds > 1 { "s" } else { "" }
            ),
        });
    }
    if !standing.known_client {
        // Guesses sent in parallel from many clients are bounded per account too; the owner's
        // own clients are not, so that nobody can spend this budget for them.
        sensitive_budget(forms, &[&format!("connexion:{email}")])?;
        if standing.account_failures >= ACCOUNT_FAILURES_PER_DAY {
            tracing::warn!(%email, ip = %caller.ip, "mot de passe non essayé depuis ce client : budget du compte épuisé");
            return Ok(Attempt::Protected);
        }
    }
    Ok(Attempt::Allowed)
}

/// Records a wrong password for the account `email`: the failures [`guard_password_attempt`]
/// counts are these entries of the audit trail.
pub(super) async fn record_failed_password(
    forms: &Forms,
    caller: &Caller,
    email: &str,
    detail: &str,
) -> Result<(), Failure> {
    forms
        .store
        .audit(
            &caller
                .audit_event("connexion_refusee", "", detail)
                .about(email),
            Utc::now(),
        )
        .await?;
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn sign_in(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Extension(OverHttps(over_https)): Extension<OverHttps>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Outcome {
    check(&caller, EntryPoint::SignIn, Target::Nothing)?;
    let again = |problem: Problem, typed: &str| {
        to_sign_in(Err(problem), &[("retour", &form.retour)], typed, over_https)
    };
    let email = match parse_email(&form.adresse) {
        Ok(email) => email,
        Err(_) => return Err(again(Problem::AddressInvalid, &form.adresse)),
    };
    // Nothing to check: no attempt is spent.
    if form.mot_de_passe.is_empty() {
        return Err(again(Problem::PasswordMissing, &email));
    }
    if guard_password_attempt(&forms, &caller, &email).await? == Attempt::Protected {
        return Err(again(Problem::AccountProtected, &email));
    }
    let user = forms.store.user_by_email(&email).await?;
    let hash = forms.store.password_hash(&email).await?;
    let matches = match (&user, hash) {
        (Some(_), Some(hash)) => password_matches(hash, form.mot_de_passe.clone()).await,
        _ => {
            password_matches(decoy_hash().to_owned(), form.mot_de_passe.clone()).await;
            false
        }
    };
    let Some(user) = user.filter(|_| matches) else {
        record_failed_password(&forms, &caller, &email, "identifiants incorrects").await?;
        return Err(again(Problem::WrongCredentials, &email));
    };
    if !user.email_verified {
        return Err(again(Problem::AddressNotVerified, &email));
    }
    // Said only to whoever knows the password.
    if user.suspended {
        return Err(again(Problem::AccountSuspendedSignIn, &email));
    }
    if user.role == Role::Operateur && !forms.local_operator_accounts {
        return Err(again(Problem::OperatorsUseCustoms, &email));
    }
    open_session(
        &forms,
        &caller,
        over_https,
        &headers,
        Opening {
            user_id: user.id,
            email: &user.email,
            method: "mot_de_passe",
            id_token: None,
            retour: &form.retour,
        },
    )
    .await
}

#[tracing::instrument(skip_all)]
pub async fn sign_out(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Extension(OverHttps(over_https)): Extension<OverHttps>,
    session: Option<Extension<CurrentSession>>,
) -> Outcome {
    // A browser whose session ended meanwhile (idled out, or its account suspended or closed
    // since) leaves too: its cookies, and what the device kept, go all the same.
    if caller.viewer.is_some() {
        check(&caller, EntryPoint::SignOut, Target::Nothing)?;
    }
    let now = Utc::now();
    let signed_out = with_query("/connexion", &[("message", Done::SignedOut.code())]);
    let mut location = signed_out.clone();
    if let Some(Extension(session)) = session {
        let mut tx = forms.store.begin().await?;
        tx.end_session(session.id, now).await?;
        tx.audit(
            &caller.audit_event("deconnexion", &format!("session:{}", session.id), ""),
            now,
        )
        .await?;
        tx.commit().await?;
        // Signed in through a provider: sign out there too, then come back.
        if let (Some(provider), Some(id_token)) = (
            session.method.strip_prefix("oidc:"),
            session.id_token.as_deref(),
        ) {
            let back_here = format!("{}{signed_out}", forms.base_url);
            if let Some(url) = forms.providers.logout_url(provider, id_token, &back_here) {
                location = url;
            }
        }
    }
    let mut response = see_other(&location);
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, clear_cookie(over_https));
    headers.append(
        header::SET_COOKIE,
        crate::api::appointments::offline::clear_pass_cookie(over_https),
    );
    // What the device kept for the gate without network (the day's appointments, the pages
    // and the service worker that serves them offline) goes with the person.
    headers.insert(
        header::HeaderName::from_static("clear-site-data"),
        header::HeaderValue::from_static("\"cache\", \"storage\""),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct CguForm {
    #[serde(default)]
    accepte: Option<String>,
    #[serde(default)]
    retour: String,
}

#[tracing::instrument(skip_all)]
pub async fn accept_cgu(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<CguForm>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::AcceptCgu, Target::Nothing)?;
    if form.accepte.is_none() {
        return Err(back(
            "/cgu/acceptation",
            Problem::CguNotTicked,
            &[("retour", &form.retour)],
        ));
    }
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    tx.accept_cgu(viewer.user_id, cgu::VERSION, &caller.ip, now)
        .await?;
    tx.audit(
        &caller.audit_event(
            "cgu_acceptees",
            &format!("utilisateur:{}", viewer.user_id),
            cgu::VERSION,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    let path = safe_return(&form.retour).unwrap_or_else(|| "/espace".into());
    done(&path, Done::CguAccepted)
}

#[derive(Deserialize)]
pub struct OidcBeginQuery {
    #[serde(default)]
    retour: String,
}

/// The cookie that ties a sign-in begun with an identity provider to the browser that began it:
/// a callback address sent to someone else then opens nothing in their browser.
const OIDC_COOKIE: &str = "sesame_oidc";

#[tracing::instrument(skip_all)]
pub async fn oidc_begin(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Extension(OverHttps(over_https)): Extension<OverHttps>,
    Path(provider): Path<String>,
    Query(query): Query<OidcBeginQuery>,
) -> Outcome {
    check(&caller, EntryPoint::OidcSignIn, Target::Nothing)?;
    sensitive_budget(&forms, &[&format!("connexion:{}", caller.client_key)])?;
    let started = match forms.providers.begin(&provider).await {
        Ok(started) => started,
        Err(error) => {
            tracing::warn!(%error, provider, "connexion par fournisseur d'identité impossible");
            return Err(back("/connexion", Problem::ProviderUnavailable, &[]));
        }
    };
    let (browser, browser_hash) = new_token();
    forms
        .store
        .save_oidc_login(
            &token_hash(&started.state),
            &browser_hash,
            &started.kept,
            &query.retour,
            Utc::now(),
        )
        .await?;
    let mut response = see_other(&started.url);
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(OIDC_COOKIE, &browser, over_https, Duration::minutes(15)),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct OidcCallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[tracing::instrument(skip_all)]
pub async fn oidc_callback(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Extension(OverHttps(over_https)): Extension<OverHttps>,
    headers: HeaderMap,
    Path(provider): Path<String>,
    Query(query): Query<OidcCallbackQuery>,
) -> Result<Response, Failure> {
    check(&caller, EntryPoint::OidcSignIn, Target::Nothing)?;
    let now = Utc::now();
    let (Some(code), Some(state)) = (query.code, query.state) else {
        if let Some(error) = query.error {
            tracing::warn!(
                provider,
                error,
                "le fournisseur d'identité a refusé la connexion"
            );
        }
        return Err(back("/connexion", Problem::ProviderRefused, &[]));
    };
    let Some((pending_json, retour, browser_hash)) = forms
        .store
        .take_oidc_login(&token_hash(&state), now - Duration::minutes(15))
        .await?
    else {
        return Err(back("/connexion", Problem::ProviderExpired, &[]));
    };
    // Begun in this very browser, or not at all.
    let same_browser = read_cookie(&headers, OIDC_COOKIE, over_https)
        .is_some_and(|value| token_hash(&value) == browser_hash);
    if !same_browser {
        tracing::warn!(
            provider,
            "retour du fournisseur d'identité dans un autre navigateur"
        );
        return Err(back("/connexion", Problem::ProviderExpired, &[]));
    }
    let identity = match forms
        .providers
        .complete(&provider, &pending_json, &code, &state)
        .await
    {
        Ok(identity) => identity,
        Err(ProviderFailure::Expired) => {
            return Err(back("/connexion", Problem::ProviderExpired, &[]))
        }
        Err(ProviderFailure::Refused(error)) => {
            tracing::warn!(%error, provider, "réponse du fournisseur d'identité refusée");
            forms
                .store
                .audit(
                    &caller.audit_event("connexion_refusee", &provider, &error),
                    now,
                )
                .await?;
            return Err(back("/connexion", Problem::ProviderRefused, &[]));
        }
    };
    // The session of whoever the provider signed in, once their account is known or opened.
    let method = format!("oidc:{provider}");
    let session = |user_id: i64, email: String| {
        let (forms, caller, headers, method, retour) =
            (&forms, &caller, &headers, &method, &retour);
        let id_token = identity.id_token.clone();
        async move {
            provider_session(
                forms,
                caller,
                over_https,
                headers,
                Opening {
                    user_id,
                    email: &email,
                    method,
                    id_token: Some(&id_token),
                    retour,
                },
            )
            .await
        }
    };
    let refuse = |reason: String, problem: Problem| {
        let forms = forms.clone();
        let caller = caller.clone();
        let email = identity.email.clone();
        async move {
            forms
                .store
                .audit(
                    &caller
                        .audit_event("connexion_refusee", "", &reason)
                        .about(&email),
                    now,
                )
                .await?;
            Err::<Response, Failure>(to_sign_in(Err(problem), &[], &email, over_https))
        }
    };
    // The address is that of a closed account: nothing opens for it.
    let closed = || {
        refuse(
            format!("adresse d'un compte clos (fournisseur {provider})"),
            Problem::ProviderAccountUnknown,
        )
    };
    let role_not_opened = |role: Role| {
        refuse(
            format!(
                "le fournisseur {provider} n'ouvre pas les comptes « {} »",
                role.label()
            ),
            Problem::ProviderRoleNotAllowed,
        )
    };
    // A subject already linked signs in to its account; otherwise the verified address finds
    // the account, which is then linked to this subject for good.
    let linked = forms
        .store
        .oidc_linked_user(&provider, &identity.subject)
        .await?;
    let user = match linked {
        Some(user_id) => forms.store.user(user_id).await?,
        None => match forms.store.user_by_email(&identity.email).await? {
            Some(user) => {
                if forms
                    .store
                    .oidc_link_of(&provider, user.id)
                    .await?
                    .is_some()
                {
                    return refuse(
                        format!("compte déjà lié à un autre identifiant du fournisseur {provider}"),
                        Problem::ProviderAlreadyLinked,
                    )
                    .await;
                }
                Some(user)
            }
            None => None,
        },
    };
    let Some(user) = user else {
        // An agents' provider opens the State account it asserts (a role it may open).
        if let Some(asserted) = identity
            .state_role
            .as_ref()
            .filter(|asserted| asserted.role.is_some() || identity.company.is_none())
        {
            let allowed = forms
                .oidc_provisions
                .get(&provider)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let (role, administration) = match crate::domain::administration::provisioned_account(
                asserted.role.as_deref(),
                asserted.administration.as_deref(),
                allowed,
            ) {
                Ok(account) if forms.oidc_allows(&provider, account.0) => account,
                Ok((role, _)) => return role_not_opened(role).await,
                Err(reason) => return refuse(reason, Problem::ProviderAccountUnknown).await,
            };
            let Some(user_id) = open_state_account(
                &forms,
                &caller,
                &provider,
                &identity,
                (role, administration),
                now,
            )
            .await?
            else {
                return closed().await;
            };
            return session(user_id, identity.email.clone()).await;
        }
        // The customs account opens an operator's account at its first sign-in, in the company
        // it asserts.
        if let Some(asserted) = identity
            .company
            .as_ref()
            .filter(|_| forms.oidc_allows(&provider, Role::Operateur))
        {
            let (siret, eori) =
                match asserted_company(asserted.siret.as_deref(), asserted.eori.as_deref()) {
                    Ok(company) => company,
                    // Without a company it can read, the person asks to join one; not with the
                    // subject or the address of a closed account.
                    Err(why) => {
                        let opened = match linked {
                            Some(_) => None,
                            None => {
                                super::access_requests::open(
                                    &forms, &caller, &identity, &provider, &why, now,
                                )
                                .await?
                            }
                        };
                        return match opened {
                            Some(response) => Ok(forget_provider_sign_in(response, over_https)),
                            None => closed().await,
                        };
                    }
                };
            let Some(user_id) = open_operator_account(
                &forms,
                &caller,
                &provider,
                &identity,
                (&siret, eori.as_ref(), asserted.name.as_deref()),
                now,
            )
            .await?
            else {
                return closed().await;
            };
            return session(user_id, identity.email.clone()).await;
        }
        return refuse(
            format!("aucun compte pour cette adresse (fournisseur {provider})"),
            Problem::ProviderAccountUnknown,
        )
        .await;
    };
    if user.suspended {
        return refuse(
            "compte suspendu".to_owned(),
            Problem::AccountSuspendedSignIn,
        )
        .await;
    }
    if !forms.oidc_allows(&provider, user.role) {
        return role_not_opened(user.role).await;
    }
    let mut tx = forms.store.begin().await?;
    if linked.is_none() {
        tx.insert_oidc_link(&provider, &identity.subject, user.id, now)
            .await?;
    }
    // The provider verified the address: the account's address is verified too.
    if !user.email_verified {
        tx.verify_email(user.id, None, now).await?;
    }
    tx.commit().await?;
    session(user.id, user.email.clone()).await
}

/// Opens the session of a sign-in through a provider; the browser's tie to the sign-in it
/// began is forgotten.
async fn provider_session(
    forms: &Forms,
    caller: &Caller,
    over_https: bool,
    headers: &HeaderMap,
    opening: Opening<'_>,
) -> Result<Response, Failure> {
    open_session(forms, caller, over_https, headers, opening)
        .await
        .map(|response| {
            let mut response = forget_provider_sign_in(response.into_response(), over_https);
            // Signed in: a request this browser followed is over.
            response.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(
                    crate::domain::access_request::ACCESS_REQUEST_COOKIE,
                    "",
                    over_https,
                    Duration::zero(),
                ),
            );
            response
        })
}

/// The response, with the browser's tie to the sign-in it began at a provider forgotten.
fn forget_provider_sign_in(mut response: Response, over_https: bool) -> Response {
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(OIDC_COOKIE, "", over_https, Duration::zero()),
    );
    response
}

/// Opens the State account an agents' provider asserts at its holder's first sign-in, its
/// address verified by the provider and tied to its subject, with no habilitation (only a head
/// of service grants one). `None`, nothing written, when the address is that of a closed
/// account. Audited.
async fn open_state_account(
    forms: &Forms,
    caller: &Caller,
    provider: &str,
    identity: &crate::forms::Identity,
    (role, administration): (Role, Option<crate::domain::directory::Administration>),
    now: chrono::DateTime<Utc>,
) -> Result<Option<i64>, Failure> {
    let mut tx = forms.store.begin().await?;
    if tx.email_taken(&identity.email).await? {
        return Ok(None);
    }
    let detail = match administration {
        Some(administration) => format!(
            "{} ({}) attesté par le fournisseur {provider}",
            role.label(),
            administration.label()
        ),
        None => format!("{} attesté par le fournisseur {provider}", role.label()),
    };
    let user = NewUser {
        email: identity.email.clone(),
        full_name: name_from_provider(identity.name.as_deref(), &identity.email),
        role,
        company_id: None,
        administration,
        company_admin: false,
        email_verified: true,
        password_hash: None,
    };
    let user_id = open_tied(
        &mut tx,
        caller,
        (provider, &identity.subject),
        &user,
        ("compte_ouvert_fournisseur", &detail),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(user_id))
}

/// Opens an account from what a provider vouched for, tied to its subject for good, in the
/// transaction that checked it may be (its caller commits); audited as `action`, with `detail`,
/// about the new account.
pub(super) async fn open_tied(
    tx: &mut crate::store::Tx,
    caller: &Caller,
    (provider, subject): (&str, &str),
    user: &NewUser,
    (action, detail): (&str, &str),
    now: chrono::DateTime<Utc>,
) -> Result<i64, crate::store::StoreError> {
    let user_id = tx.insert_user(user, now).await?;
    tx.insert_oidc_link(provider, subject, user_id, now).await?;
    tx.audit(
        &caller
            .audit_event(action, &format!("utilisateur:{user_id}"), detail)
            .about(&user.email),
        now,
    )
    .await?;
    Ok(user_id)
}

/// Opens the account of an operator at their first sign-in through the customs account, its
/// address verified by the provider and tied to its subject: in the company of the asserted
/// SIRET, or in a new company of which they are the first member and so the administrator.
/// `None`, nothing written, when the address is that of a closed account. Audited.
async fn open_operator_account(
    forms: &Forms,
    caller: &Caller,
    provider: &str,
    identity: &crate::forms::Identity,
    (siret, eori, company_name): (&Siret, Option<&Eori>, Option<&str>),
    now: chrono::DateTime<Utc>,
) -> Result<Option<i64>, Failure> {
    let mut tx = forms.store.begin().await?;
    if tx.email_taken(&identity.email).await? {
        return Ok(None);
    }
    let (company, eori_elsewhere) = tx.company_of_siret(siret, eori).await?;
    let (company_id, created) = match company {
        Some(id) => (id, false),
        None => {
            let name = company_name
                .and_then(|name| crate::domain::access_request::parse_company_name(name).ok())
                .unwrap_or_else(|| format!("Entreprise {siret}"));
            // An EORI already another company's is not taken on trust.
            let eori = eori.filter(|_| !eori_elsewhere);
            (
                tx.insert_company(&name, siret, eori, None, now).await?,
                true,
            )
        }
    };
    let detail = if created {
        format!("entreprise:{company_id} créée (SIRET {siret}), premier membre et administrateur")
    } else {
        format!("entreprise:{company_id} rejointe (SIRET {siret})")
    };
    let full_name = name_from_provider(identity.name.as_deref(), &identity.email);
    if !created {
        // Nobody invited them: the company's administrators hear of it, and may remove them.
        tx.tell_company_admins(
            company_id,
            "membre_entreprise",
            &[
                ("nom", full_name.clone()),
                ("adresse", identity.email.clone()),
            ],
            &format!("membre:{}", identity.email),
            "/espace#collegues",
            now,
        )
        .await?;
    }
    let user = NewUser {
        email: identity.email.clone(),
        full_name,
        role: Role::Operateur,
        company_id: Some(company_id),
        administration: None,
        company_admin: created,
        email_verified: true,
        password_hash: None,
    };
    let user_id = open_tied(
        &mut tx,
        caller,
        (provider, &identity.subject),
        &user,
        ("compte_ouvert_fournisseur", &detail),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(user_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_with_failures_and_stay_bounded() {
        assert_eq!(wait_after(0, 3), Duration::zero());
        assert_eq!(wait_after(2, 3), Duration::zero());
        assert_eq!(wait_after(3, 3), Duration::seconds(2));
        assert_eq!(wait_after(4, 3), Duration::seconds(4));
        assert_eq!(wait_after(5, 3), Duration::seconds(8));
        assert_eq!(wait_after(29, 30), Duration::zero());
        assert_eq!(wait_after(30, 3), Duration::seconds(LONGEST_WAIT));
        assert_eq!(wait_after(1000, 3), Duration::seconds(LONGEST_WAIT));
    }
}
