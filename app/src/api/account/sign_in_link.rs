//! Signing in once with a link sent by mail: what an account's owner does from a new place once
//! the account's budget of failed sign-ins is spent (see [`super::sign_in`]). The link works
//! [`SIGN_IN_LINK_LIFETIME`], once; the database keeps only its hash, as for the other links
//! ([`super::recovery`]). Accounts tied to an identity provider sign in there: they get no link,
//! and a link asked before they were tied opens nothing.

use crate::domain::access::{EntryPoint, Target};
use crate::domain::account::parse_email;
use crate::domain::directory::User;
use crate::state::Caller;
use crate::store::TokenPurpose;
use crate::ui::notices::{Done, Problem};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::{Extension, Form};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::sign_in::{open_session, Opening};
use crate::forms::{back, check, done, expiry_text, send_mail, sensitive_budget, Forms, Outcome};
use crate::http::new_token;
use crate::http::OverHttps;
use crate::state::token_hash;

/// How long a sign-in link works: long enough to open one's mail, short enough that a mailbox
/// read later (a shared screen, a forwarded message) opens nothing.
pub const SIGN_IN_LINK_LIFETIME: Duration = Duration::minutes(15);

#[derive(Deserialize)]
pub struct LinkRequestForm {
    adresse: String,
}

/// Sends a sign-in link when the address has an account that signs in with a password; answers
/// the same either way, so that nobody learns which addresses have one.
#[tracing::instrument(skip_all)]
pub async fn request_link(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<LinkRequestForm>,
) -> Outcome {
    check(&caller, EntryPoint::SignIn, Target::Nothing)?;
    let email = match parse_email(&form.adresse) {
        Ok(email) => email,
        Err(_) => {
            return Err(back(
                "/connexion",
                Problem::AddressInvalid,
                &[("adresse", form.adresse.trim())],
            ))
        }
    };
    sensitive_budget(
        &forms,
        &[
            &format!("lien:{}", caller.client_key),
            &format!("lien:{email}"),
        ],
    )?;
    if let Some(user) = forms.store.user_by_email(&email).await? {
        if forms.provider_only(&user).await? {
            tell_to_use_provider(
                &forms,
                &user,
                "Une connexion par lien a été demandée pour votre compte France Sésame.",
            )
            .await;
        } else if user.email_verified {
            let now = Utc::now();
            let (token, hash) = new_token();
            let expires_at = now + SIGN_IN_LINK_LIFETIME;
            let mut tx = forms.store.begin().await?;
            tx.insert_token(&hash, user.id, TokenPurpose::SignIn, None, now, expires_at)
                .await?;
            tx.audit(
                &caller.audit_event(
                    "lien_connexion_demande",
                    &format!("utilisateur:{}", user.id),
                    "",
                ),
                now,
            )
            .await?;
            tx.commit().await?;
            let link = format!("{}/connexion/lien?jeton={token}", forms.base_url);
            let text = format!(
                "Bonjour {name},\n\n\
                 Une connexion à votre compte France Sésame a été demandée par lien.\n\n\
                 Pour vous connecter, ouvrez ce lien puis confirmez :\n{link}\n\n\
                 Ce lien ne sert qu'une fois et expire dans {minutes} minutes, le {expiry} (heure de Paris).\n\n\
                 Si vous n'avez rien demandé, ignorez ce message : personne ne peut se connecter sans ce lien. \
                 Des mots de passe erronés ont peut-être été essayés sur votre compte ; depuis les appareils \
                 d'où vous vous connectez d'habitude, votre mot de passe fonctionne toujours.\n\n\
                 — France Sésame, le guichet unique du passage frontière des marchandises SPS\n",
                name = user.full_name,
                minutes = SIGN_IN_LINK_LIFETIME.num_minutes(),
                expiry = expiry_text(expires_at),
            );
            send_mail(
                &forms,
                &user.email,
                "Votre lien de connexion France Sésame",
                text,
            )
            .await;
        }
    }
    done("/connexion", Done::SignInLinkSent)
}

/// Tells the owner of an account tied to an identity provider, for whom someone asked what
/// `asked` says, that the account signs in through the provider; the mail carries no link.
pub(super) async fn tell_to_use_provider(forms: &Forms, user: &User, asked: &str) {
    let text = format!(
        "Bonjour {name},\n\n\
         {asked}\n\n\
         Votre compte se connecte par un fournisseur d'identité : il n'a pas de mot de passe France Sésame \
         et aucun lien ne vous est envoyé. Connectez-vous depuis la page {page} avec le bouton de votre \
         fournisseur d'identité.\n\n\
         Si vous n'avez rien demandé, ignorez ce message.\n\n\
         — France Sésame, le guichet unique du passage frontière des marchandises SPS\n",
        name = user.full_name,
        page = format_args!("{}/connexion", forms.base_url),
    );
    send_mail(
        forms,
        &user.email,
        "Connexion à France Sésame par votre fournisseur d'identité",
        text,
    )
    .await;
}

#[derive(Deserialize)]
pub struct LinkForm {
    jeton: String,
}

/// Signs in with a link, once: the link page's button posts here (opening the link itself, as
/// a mail scanner does, signs nobody in).
#[tracing::instrument(skip_all)]
pub async fn use_link(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Extension(OverHttps(over_https)): Extension<OverHttps>,
    headers: HeaderMap,
    Form(form): Form<LinkForm>,
) -> Outcome {
    check(&caller, EntryPoint::SignIn, Target::Nothing)?;
    sensitive_budget(&forms, &[&format!("lien:{}", caller.client_key)])?;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let taken = tx
        .take_token(&token_hash(form.jeton.trim()), TokenPurpose::SignIn, now)
        .await?;
    tx.commit().await?;
    let Some((user_id, _)) = taken else {
        return Err(back("/connexion", Problem::LinkInvalid, &[]));
    };
    let Some(user) = forms.store.user(user_id).await? else {
        return Err(back("/connexion", Problem::LinkInvalid, &[]));
    };
    if forms.provider_only(&user).await? {
        tracing::warn!(
            user_id,
            "lien de connexion refusé : le compte se connecte par un fournisseur d'identité"
        );
        return Err(back("/connexion", Problem::LinkInvalid, &[]));
    }
    open_session(
        &forms,
        &caller,
        over_https,
        &headers,
        Opening {
            user_id: user.id,
            email: &user.email,
            method: "lien",
            id_token: None,
            retour: "",
        },
    )
    .await
}
