//! Single-use links sent by mail: choosing a new password (forgotten, or the first one, which
//! accepts an invitation: see `invitations`) and verifying a new address. An account tied to an identity provider gets no
//! password: it signs in through the provider. The token travels only in the mail; the database
//! keeps its hash, its purpose and its expiry, and marks it used in the same transaction as the
//! change it allows.

use crate::domain::access::{EntryPoint, Target};
use crate::domain::account::{check_password, parse_email};
use crate::state::Caller;
use crate::store::TokenPurpose;
use crate::ui::notices::{Done, Problem};
use axum::extract::State;
use axum::{Extension, Form};
use chrono::{Duration, Utc};
use serde::Deserialize;

use crate::forms::{back, check, done, expiry_text, send_mail, sensitive_budget, Forms, Outcome};
use crate::http::new_token;
use crate::state::token_hash;

/// How long a password link works.
pub const RESET_LIFETIME: Duration = Duration::hours(1);
/// How long an address verification link works.
pub const VERIFICATION_LIFETIME: Duration = Duration::hours(24);
/// How long an invitation works.
pub const INVITATION_LIFETIME: Duration = Duration::days(7);

#[derive(Deserialize)]
pub struct ResetRequestForm {
    adresse: String,
}

/// Sends a password link when the address has an account; answers the same either way, so that
/// nobody learns which addresses have one.
#[tracing::instrument(skip_all)]
pub async fn request_reset(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<ResetRequestForm>,
) -> Outcome {
    check(&caller, EntryPoint::RequestPasswordReset, Target::Nothing)?;
    let email = match parse_email(&form.adresse) {
        Ok(email) => email,
        Err(_) => {
            return Err(back(
                "/mot-de-passe-oublie",
                Problem::AddressInvalid,
                &[("adresse", form.adresse.trim())],
            ))
        }
    };
    sensitive_budget(
        &forms,
        &[
            &format!("reinitialisation:{}", caller.client_key),
            &format!("reinitialisation:{email}"),
        ],
    )?;
    let user = forms.store.user_by_email(&email).await?;
    if let Some(user) = user.as_ref() {
        if forms.provider_only(user).await? {
            // It signs in through its provider, which may be limited to some roles: a local
            // password would go around it.
            super::sign_in_link::tell_to_use_provider(
                &forms,
                user,
                "Un nouveau mot de passe a été demandé pour votre compte France Sésame.",
            )
            .await;
            return done("/mot-de-passe-oublie", Done::ResetLinkSent);
        }
    }
    if let Some(user) = user {
        let now = Utc::now();
        let (token, hash) = new_token();
        let expires_at = now + RESET_LIFETIME;
        let mut tx = forms.store.begin().await?;
        tx.insert_token(&hash, user.id, TokenPurpose::Reset, None, now, expires_at)
            .await?;
        tx.audit(
            &caller.audit_event(
                "mot_de_passe_demande",
                &format!("utilisateur:{}", user.id),
                "",
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        let link = format!("{}/mot-de-passe/nouveau?jeton={token}", forms.base_url);
        let text = format!(
            "Bonjour {name},\n\n\
             Une demande de nouveau mot de passe a été faite pour votre compte France Sésame.\n\n\
             Pour choisir votre nouveau mot de passe, ouvrez ce lien :\n{link}\n\n\
             Ce lien ne sert qu'une fois et expire le {expiry} (heure de Paris).\n\n\
             Si vous n'avez rien demandé, ignorez ce message : votre mot de passe actuel reste valable.\n\n\
             — France Sésame, le guichet unique du passage frontière des marchandises SPS\n",
            name = user.full_name,
            expiry = expiry_text(expires_at),
        );
        send_mail(
            &forms,
            &user.email,
            "Votre nouveau mot de passe France Sésame",
            text,
        )
        .await;
    }
    done("/mot-de-passe-oublie", Done::ResetLinkSent)
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    jeton: String,
    mot_de_passe: String,
    confirmation: String,
}

/// Sets the password a link allows: a reset (the address is then verified, and every open
/// session of the account ends), or an invitation's first password, which opens the account.
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<NewPasswordForm>,
) -> Outcome {
    check(&caller, EntryPoint::ResetPassword, Target::Nothing)?;
    sensitive_budget(
        &forms,
        &[&format!("reinitialisation:{}", caller.client_key)],
    )?;
    let jeton = form.jeton.trim();
    let hash = token_hash(jeton);
    let now = Utc::now();
    let page = "/mot-de-passe/nouveau";
    if let Some(email) = forms.store.invitation_email(&hash, now).await? {
        return super::invitations::accept(
            &forms,
            &caller,
            jeton,
            &hash,
            &email,
            &form.mot_de_passe,
            &form.confirmation,
        )
        .await;
    }
    let Some(email) = forms
        .store
        .token_email(&hash, TokenPurpose::Reset, now)
        .await?
    else {
        return Err(back(page, Problem::LinkInvalid, &[]));
    };
    if form.mot_de_passe != form.confirmation {
        return Err(back(
            page,
            Problem::ConfirmationMismatch,
            &[("jeton", jeton)],
        ));
    }
    if let Err(error) = check_password(&form.mot_de_passe, &email) {
        return Err(back(page, error.into(), &[("jeton", jeton)]));
    }
    let password = form.mot_de_passe.clone();
    let password_hash = tokio::task::spawn_blocking(move || crate::forms::hash_password(&password))
        .await
        .map_err(|_| crate::store::StoreError::Corrupt("hachage interrompu".into()))??;
    // An account opened from the command line chooses its first password with such a link.
    let first = forms.store.password_hash(&email).await?.is_none();
    let mut tx = forms.store.begin().await?;
    let Some((user_id, _)) = tx.take_token(&hash, TokenPurpose::Reset, now).await? else {
        return Err(back(page, Problem::LinkInvalid, &[]));
    };
    tx.set_password(user_id, &password_hash, now).await?;
    // Links sent while someone else may have held the account stop working.
    tx.revoke_tokens(user_id, now).await?;
    tx.verify_email(user_id, None, now).await?;
    let ended = tx.end_sessions_of(user_id, now).await?;
    let object = format!("utilisateur:{user_id}");
    let detail = crate::ui::format::count(ended as i64, "session fermée", "sessions fermées");
    tx.audit(
        &caller.audit_event("mot_de_passe_change", &object, &detail),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(axum::response::IntoResponse::into_response(
        crate::forms::to_sign_in(
            Ok(if first {
                Done::AccountOpened
            } else {
                Done::PasswordReset
            }),
            &[],
            &email,
            caller.over_https,
        ),
    ))
}

#[derive(Deserialize)]
pub struct VerificationForm {
    jeton: String,
}

/// Confirms a new address from the link sent to it.
#[tracing::instrument(skip_all)]
pub async fn verify_email(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<VerificationForm>,
) -> Outcome {
    check(&caller, EntryPoint::VerifyEmail, Target::Nothing)?;
    let hash = token_hash(form.jeton.trim());
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let Some((user_id, new_email)) = tx
        .take_token(&hash, TokenPurpose::Verification, now)
        .await?
    else {
        return Err(back("/verification", Problem::LinkInvalid, &[]));
    };
    if let Some(email) = &new_email {
        if tx.email_taken(email).await? {
            return Err(back("/verification", Problem::AddressTaken, &[]));
        }
    }
    tx.verify_email(user_id, new_email.as_deref(), now).await?;
    tx.audit(
        &caller
            .audit_event("adresse_verifiee", &format!("utilisateur:{user_id}"), "")
            .about(new_email.as_deref().unwrap_or_default()),
        now,
    )
    .await?;
    tx.commit().await?;
    let signed_in = caller
        .viewer
        .as_ref()
        .is_some_and(|viewer| viewer.user_id == user_id);
    done(
        if signed_in { "/espace" } else { "/connexion" },
        Done::AddressVerified,
    )
}
