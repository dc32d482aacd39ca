//! The personal space's forms: rectifying one's profile (a new address is verified before it
//! replaces the old one), ending a session, and — for a company's administrator — removing
//! colleagues (inviting them: see `invitations`).

use crate::domain::access::{EntryPoint, Target};
use crate::domain::account::{parse_email, parse_full_name};
use crate::state::Caller;
use crate::store::TokenPurpose;
use crate::ui::notices::{Done, Problem};
use axum::extract::{Path, State};
use axum::http::header;
use axum::{Extension, Form};
use chrono::Utc;
use serde::Deserialize;

use super::recovery::VERIFICATION_LIFETIME;
use crate::forms::{
    back, check_known, check_viewer, done, expiry_text, send_mail, sensitive_budget, Forms, Outcome,
};
use crate::http::OverHttps;
use crate::http::{clear_cookie, new_token};

#[derive(Deserialize)]
pub struct ProfileForm {
    nom: String,
    adresse: String,
}

#[tracing::instrument(skip_all)]
pub async fn update_profile(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<ProfileForm>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::UpdateProfile, Target::Nothing)?;
    let page = "/espace";
    let name = parse_full_name(&form.nom)
        .map_err(|_| back(page, Problem::NameInvalid, &[("nom", form.nom.trim())]))?;
    let email = parse_email(&form.adresse).map_err(|_| {
        back(
            page,
            Problem::AddressInvalid,
            &[("adresse", form.adresse.trim())],
        )
    })?;
    if email != viewer.email {
        sensitive_budget(&forms, &[&format!("verification:{}", viewer.user_id)])?;
    }
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    if name != viewer.full_name {
        tx.set_full_name(viewer.user_id, &name).await?;
        // The names themselves are personal values: erasable, beside the entry.
        let names = format!("nom : « {} » → « {name} »", viewer.full_name);
        tx.audit(
            &caller
                .audit_event(
                    "profil_modifie",
                    &format!("utilisateur:{}", viewer.user_id),
                    "nom modifié",
                )
                .about(&names),
            now,
        )
        .await?;
    }
    let mut verification = None;
    let mut taken = false;
    if email != viewer.email && tx.email_taken(&email).await? {
        // Said to the owner of that address, not to whoever typed it: nobody learns here
        // which addresses have an account.
        taken = true;
    } else if email != viewer.email {
        let (token, hash) = new_token();
        let expires_at = now + VERIFICATION_LIFETIME;
        tx.insert_token(
            &hash,
            viewer.user_id,
            TokenPurpose::Verification,
            Some(&email),
            now,
            expires_at,
        )
        .await?;
        tx.audit(
            &caller
                .audit_event(
                    "changement_adresse_demande",
                    &format!("utilisateur:{}", viewer.user_id),
                    "",
                )
                .about(&email),
            now,
        )
        .await?;
        verification = Some((token, expires_at));
    }
    tx.commit().await?;
    if taken {
        let text = String::from(
            "Bonjour,\n\n\
             Quelqu'un a demandé à utiliser cette adresse pour un compte France Sésame, mais elle est \
             déjà celle d'un compte. Rien n'a été changé.\n\n\
             Si c'était vous, connectez-vous avec ce compte, ou demandez un nouveau mot de passe depuis \
             la page de connexion.\n\n— France Sésame\n"
        );
        send_mail(
            &forms,
            &email,
            "Cette adresse a déjà un compte France Sésame",
            text,
        )
        .await;
        return done(page, Done::VerificationSent);
    }
    if let Some((token, expires_at)) = verification {
        let link = format!("{}/verification?jeton={token}", forms.base_url);
        let text = format!(
            "Bonjour {name},\n\n\
             Vous avez demandé à utiliser cette adresse pour votre compte France Sésame.\n\n\
             Pour la confirmer, ouvrez ce lien :\n{link}\n\n\
             Ce lien ne sert qu'une fois et expire le {expiry} (heure de Paris). D'ici là, votre \
             ancienne adresse reste celle du compte.\n\n\
             Si vous n'avez rien demandé, ignorez ce message.\n\n— France Sésame\n",
            expiry = expiry_text(expires_at),
        );
        let sent = send_mail(&forms, &email, "Confirmez votre adresse électronique", text).await;
        // The current address hears of it: someone who took over a session cannot quietly move
        // the account elsewhere.
        let notice = format!(
            "Bonjour {name},\n\n\
             Une demande de changement d'adresse électronique a été faite pour votre compte France \
             Sésame, vers {email}. Elle ne prendra effet que si le lien envoyé à cette adresse est ouvert.\n\n\
             Si vous n'êtes pas à l'origine de cette demande, connectez-vous, fermez les sessions que vous \
             ne reconnaissez pas depuis votre espace personnel et changez votre mot de passe.\n\n— France Sésame\n"
        );
        send_mail(
            &forms,
            &viewer.email,
            "Changement d'adresse demandé sur votre compte",
            notice,
        )
        .await;
        return done(
            page,
            if sent {
                Done::VerificationSent
            } else {
                Done::ConfirmationMailNotSent
            },
        );
    }
    done(page, Done::ProfileSaved)
}

#[tracing::instrument(skip_all)]
pub async fn end_session(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Extension(OverHttps(over_https)): Extension<OverHttps>,
    Path(id): Path<i64>,
) -> Outcome {
    let session = forms.store.session(id).await?;
    let owner = session
        .as_ref()
        .map(|session| session.user_id)
        .unwrap_or(-1);
    check_viewer(
        &caller,
        EntryPoint::EndSession,
        Target::Session { user_id: owner },
    )?;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    tx.end_session(id, now).await?;
    tx.audit(
        &caller.audit_event("session_terminee", &format!("session:{id}"), ""),
        now,
    )
    .await?;
    tx.commit().await?;
    if caller.session_id == Some(id) {
        let mut response = done("/connexion", Done::SignedOut)?;
        response
            .headers_mut()
            .append(header::SET_COOKIE, clear_cookie(over_https));
        return Ok(response);
    }
    done("/espace", Done::SessionEnded)
}

/// A company's administrator removes a colleague: the account is disabled (its history stays)
/// and its sessions end at once.
#[tracing::instrument(skip_all)]
pub async fn remove_colleague(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    // Only a company's administrator goes further; to them, a missing or already removed
    // account is said so.
    check_viewer(&caller, EntryPoint::InviteColleague, Target::Nothing)?;
    let Some(colleague) = forms.store.user(id).await? else {
        return Err(back("/espace", Problem::ColleagueUnknown, &[]));
    };
    let target = Target::Colleague {
        user_id: Some(id),
        company_id: colleague.company_id,
    };
    check_known(&caller, EntryPoint::RemoveColleague, target, || {
        back("/espace", Problem::ColleagueUnknown, &[])
    })?;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    tx.disable_user(id, now).await?;
    tx.end_sessions_of(id, now).await?;
    tx.audit(
        &caller
            .audit_event("collegue_retire", &format!("utilisateur:{id}"), "")
            .about(&colleague.email),
        now,
    )
    .await?;
    tx.commit().await?;
    done("/espace#collegues", Done::ColleagueRemoved)
}
