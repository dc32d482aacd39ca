//! Changing one's password from the personal space: the current password is asked, and checked
//! under the sign-in protection (the same delays, the same budget, its failures counted with the
//! sign-in's), so that a session left open does not become a way to guess it. Once changed,
//! every other session of the person ends, a mail tells them, and the audit trail records it.

use crate::domain::access::{EntryPoint, Refusal, Target};
use crate::domain::account::check_password;
use crate::state::Caller;
use crate::store::StoreError;
use crate::ui::notices::{Done, Problem};
use axum::extract::State;
use axum::{Extension, Form};
use chrono::Utc;
use serde::Deserialize;

use super::sign_in::{guard_password_attempt, password_matches, record_failed_password, Attempt};
use crate::forms::{back, check_viewer, done, send_mail, Failure, Forms, Outcome};

/// Where the form is, and where its answers go.
const PAGE: &str = "/espace";
const SECTION: &str = "/espace#mot-de-passe";

#[derive(Deserialize)]
pub struct PasswordChangeForm {
    #[serde(default)]
    actuel: String,
    #[serde(default)]
    mot_de_passe: String,
    #[serde(default)]
    confirmation: String,
}

#[tracing::instrument(skip_all)]
pub async fn change_password(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<PasswordChangeForm>,
) -> Outcome {
    // The caller's own account, from their session: nothing in the form names an account.
    let viewer = check_viewer(&caller, EntryPoint::ChangePassword, Target::Nothing)?;
    let session_id = caller
        .session_id
        .ok_or(Failure::Refused(Refusal::SignInRequired))?;
    let email = viewer.email.clone();
    let Some(hash) = forms.store.password_hash(&email).await? else {
        // Signs in through an identity provider: its password is changed there.
        return Err(back(PAGE, Problem::PasswordAtProvider, &[]));
    };
    // What needs no password check is said first, so that a mistake in the new password does
    // not spend an attempt.
    if form.actuel.is_empty() {
        return Err(back(PAGE, Problem::CurrentPasswordMissing, &[]));
    }
    if form.mot_de_passe != form.confirmation {
        return Err(back(PAGE, Problem::ConfirmationMismatch, &[]));
    }
    if let Err(error) = check_password(&form.mot_de_passe, &email) {
        return Err(back(PAGE, error.into(), &[]));
    }
    if form.mot_de_passe == form.actuel {
        return Err(back(PAGE, Problem::PasswordUnchanged, &[]));
    }
    if guard_password_attempt(&forms, &caller, &email).await? == Attempt::Protected {
        return Err(back(PAGE, Problem::PasswordChangeProtected, &[]));
    }
    if !password_matches(hash, form.actuel.clone()).await {
        record_failed_password(
            &forms,
            &caller,
            &email,
            "mot de passe actuel incorrect (changement de mot de passe)",
        )
        .await?;
        return Err(back(PAGE, Problem::CurrentPasswordWrong, &[]));
    }
    let password = form.mot_de_passe.clone();
    let password_hash = tokio::task::spawn_blocking(move || crate::forms::hash_password(&password))
        .await
        .map_err(|_| StoreError::Corrupt("hachage interrompu".into()))??;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    tx.set_password(viewer.user_id, &password_hash, now).await?;
    // Whoever else holds a session (a forgotten computer, a cookie taken) is out; this one
    // stays, so that the person is not signed out for doing the right thing.
    let ended = tx
        .end_other_sessions(viewer.user_id, session_id, now)
        .await?;
    let detail = format!(
        "depuis l'espace personnel ; {ended} autre{s} session{s} fermée{s}",
        s = if ended > 1 { "s" } else { "" }
    );
    tx.audit(
        &caller.audit_event(
            "mot_de_passe_change",
            &format!("utilisateur:{}", viewer.user_id),
            &detail,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    let text = format!(
        "Bonjour {name},\n\n\
         Le mot de passe de votre compte France Sésame vient d'être changé depuis votre espace \
         personnel. Vos autres sessions ouvertes ont été fermées.\n\n\
         Si c'est vous, vous n'avez rien à faire.\n\n\
         Si ce n'est pas vous, demandez tout de suite un nouveau mot de passe avec « Mot de passe \
         oublié ? » sur la page de connexion, puis fermez depuis votre espace personnel les \
         sessions que vous ne reconnaissez pas.\n\n\
         — France Sésame, le guichet unique du passage frontière des marchandises SPS\n",
        name = viewer.full_name,
    );
    send_mail(
        &forms,
        &email,
        "Le mot de passe de votre compte a été changé",
        text,
    )
    .await;
    done(SECTION, Done::PasswordChanged)
}
