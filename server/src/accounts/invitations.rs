//! Inviting a colleague, withdrawing the invitation, accepting it. An invitation is no account:
//! it reserves nothing, and the administrator who sends it learns nothing about the address —
//! the same answer, the same pending invitation, whether the address has an account or not.
//! The account is opened only when the invitee, from the link, chooses a password. An address
//! that already has an account gets no link: its owner is told, in fixed words, who asked.

use app::domain::access::{EntryPoint, Refusal, Target};
use app::domain::account::{check_password, parse_email, parse_full_name};
use app::domain::directory::Role;
use app::state::Caller;
use app::store::{NewInvitation, NewUser, StoreError};
use axum::extract::{Path, State};
use axum::{Extension, Form};
use chrono::Utc;
use serde::Deserialize;

use super::recovery::INVITATION_LIFETIME;
use super::{
    back, check_known, check_viewer, done, expiry_text, send_mail, sensitive_budget, Accounts,
    Failure, Outcome,
};
use crate::sessions::{new_token, see_other, with_query};

#[derive(Deserialize)]
pub struct InvitationForm {
    nom: String,
    adresse: String,
}

/// A company's administrator invites a colleague by name and address.
pub async fn invite_colleague(
    State(accounts): State<Accounts>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<InvitationForm>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::InviteColleague, Target::Nothing)?;
    let page = "/espace#collegues";
    let name = parse_full_name(&form.nom).map_err(|_| {
        back(
            "/espace",
            "nom-invalide",
            &[
                ("collegue_nom", form.nom.trim()),
                ("collegue_adresse", form.adresse.trim()),
            ],
        )
    })?;
    let email = parse_email(&form.adresse).map_err(|_| {
        back(
            "/espace",
            "adresse-invalide",
            &[
                ("collegue_nom", &name),
                ("collegue_adresse", form.adresse.trim()),
            ],
        )
    })?;
    sensitive_budget(
        &accounts,
        &[
            &format!("creation:{}", caller.client_key),
            &format!("creation:{}", viewer.user_id),
        ],
    )?;
    let company_id = viewer
        .company_id
        .ok_or(Failure::Refused(Refusal::Forbidden))?;
    let company = accounts
        .store
        .company(company_id)
        .await?
        .map(|company| company.name)
        .ok_or_else(|| StoreError::Corrupt(format!("entreprise {company_id} introuvable")))?;
    let now = Utc::now();
    let (token, hash) = new_token();
    let expires_at = now + INVITATION_LIFETIME;
    let mut tx = accounts.store.begin().await?;
    // Recorded either way, so that the pending invitations the administrator sees do not tell
    // either; the link of an address that has an account is never sent, and could not open a
    // second account anyway.
    let taken = tx.email_taken(&email).await?;
    let id = tx
        .invite(
            &NewInvitation {
                company_id,
                email: &email,
                full_name: &name,
                invited_by: viewer.user_id,
                token_hash: &hash,
                expires_at,
            },
            now,
        )
        .await?;
    let detail = if taken {
        "adresse déjà titulaire d'un compte : son titulaire est prévenu, sans lien"
    } else {
        ""
    };
    tx.audit(
        &caller
            .audit_event("collegue_invite", &format!("invitation:{id}"), detail)
            .about(&email),
        now,
    )
    .await?;
    tx.commit().await?;
    let inviter = &viewer.full_name;
    let sent = if taken {
        let text = format!(
            "Bonjour,\n\n\
             {inviter}, administrateur de l'entreprise {company} sur France Sésame, a demandé à \
             inviter cette adresse électronique à rejoindre son entreprise.\n\n\
             Cette adresse est déjà celle d'un compte France Sésame : rien n'a été changé sur votre \
             compte, et aucun autre compte n'a été ouvert. Ce message ne donne accès à rien.\n\n\
             Si vous souhaitez rejoindre cette entreprise, prenez contact avec cette personne par \
             les moyens habituels : un compte France Sésame ne relève que d'une entreprise, et le \
             vôtre reste tel qu'il est.\n\n\
             Si vous ne connaissez pas cette personne, vous n'avez rien à faire. Vous pouvez le \
             signaler à l'assistance de France Sésame depuis la page « Contact » du site.\n\n\
             — France Sésame\n"
        );
        send_mail(
            &accounts,
            &email,
            "Une invitation a été demandée pour votre adresse",
            text,
        )
        .await
    } else {
        let link = format!("{}/mot-de-passe/nouveau?jeton={token}", accounts.base_url);
        let text = format!(
            "Bonjour {name},\n\n\
             {inviter}, de l'entreprise {company}, vous invite à ouvrir un compte France Sésame \
             pour suivre les envois de cette entreprise au passage frontière.\n\n\
             Pour accepter, choisissez votre mot de passe en ouvrant ce lien :\n{link}\n\n\
             Votre compte sera ouvert à ce moment-là, pas avant. Ce lien ne sert qu'une fois et \
             expire le {expiry} (heure de Paris).\n\n\
             Si vous ne connaissez pas cette personne ou cette entreprise, ignorez ce message : \
             aucun compte n'est ouvert sans vous.\n\n— France Sésame\n",
            expiry = expiry_text(expires_at),
        );
        send_mail(
            &accounts,
            &email,
            "Votre invitation sur France Sésame",
            text,
        )
        .await
    };
    done(
        page,
        if sent {
            "collegue-invite"
        } else {
            "invitation-non-envoyee"
        },
    )
}

/// A company's administrator withdraws an invitation not accepted yet: its link stops working.
/// Another company's invitation is answered as one that does not exist.
pub async fn withdraw_invitation(
    State(accounts): State<Accounts>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::InviteColleague, Target::Nothing)?;
    let unknown = || back("/espace", "invitation-introuvable", &[]);
    let Some(company_id) = accounts.store.invitation_company(id).await? else {
        return Err(unknown());
    };
    let target = Target::Colleague {
        user_id: None,
        company_id: Some(company_id),
    };
    check_known(&caller, EntryPoint::RemoveColleague, target, unknown)?;
    let now = Utc::now();
    let mut tx = accounts.store.begin().await?;
    let Some(email) = tx
        .withdraw_invitation(id, company_id, viewer.user_id, now)
        .await?
    else {
        // Accepted or withdrawn in between.
        return Err(unknown());
    };
    tx.audit(
        &caller
            .audit_event("invitation_retiree", &format!("invitation:{id}"), "")
            .about(&email),
        now,
    )
    .await?;
    tx.commit().await?;
    done("/espace#collegues", "invitation-retiree")
}

/// The invitee chose a password from the link (`hash` is its token's hash, `email` the address
/// it was sent to): in one transaction, the invitation is taken (once, unexpired, not
/// withdrawn), the address is checked still free, and the account is opened — an operator of
/// the inviting company, its address verified by the link.
pub(super) async fn accept(
    accounts: &Accounts,
    caller: &Caller,
    token: &str,
    hash: &str,
    email: &str,
    password: &str,
    confirmation: &str,
) -> Outcome {
    let page = "/mot-de-passe/nouveau";
    if password != confirmation {
        return Err(back(page, "confirmation", &[("jeton", token)]));
    }
    if let Err(error) = check_password(password, email) {
        return Err(back(page, error.code(), &[("jeton", token)]));
    }
    let password = password.to_owned();
    let password_hash =
        tokio::task::spawn_blocking(move || crate::accounts::hash_password(&password))
            .await
            .map_err(|_| StoreError::Corrupt("hachage interrompu".into()))??;
    let now = Utc::now();
    let mut tx = accounts.store.begin().await?;
    let Some(invitation) = tx.take_invitation(hash, now).await? else {
        return Err(back(page, "lien-invalide", &[]));
    };
    if tx.email_taken(&invitation.email).await? {
        // The address got an account since (another company's invitation, an address change):
        // its owner is the one holding the link, so saying so tells nobody else anything.
        // Nothing is written: the transaction is dropped.
        return Err(back(
            "/connexion",
            "invitation-adresse-prise",
            &[("adresse", &invitation.email)],
        ));
    }
    let user_id = tx
        .insert_user(
            &NewUser {
                email: invitation.email.clone(),
                full_name: invitation.full_name.clone(),
                role: Role::Operateur,
                company_id: Some(invitation.company_id),
                administration: None,
                company_admin: false,
                email_verified: true,
                password_hash: None,
            },
            now,
        )
        .await?;
    tx.set_password(user_id, &password_hash, now).await?;
    tx.invitation_opened(invitation.id, user_id).await?;
    tx.audit(
        &caller
            .audit_event(
                "invitation_acceptee",
                &format!("utilisateur:{user_id}"),
                &format!("invitation:{}", invitation.id),
            )
            .about(&invitation.email),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(see_other(&with_query(
        "/connexion",
        &[("message", "compte-active"), ("adresse", &invitation.email)],
    )))
}
