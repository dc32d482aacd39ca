//! Inviting a colleague (a company's administrator) or an agent (a head of service, into their
//! administration), withdrawing the invitation, accepting it. An invitation is no account:
//! it reserves nothing, and whoever sends it learns nothing about the address —
//! the same answer, the same pending invitation, whether the address has an account or not.
//! The account is opened only when the invitee, from the link, chooses a password. An address
//! that already has an account gets no link: its owner is told, in fixed words, who asked.

use crate::domain::access::{EntryPoint, Refusal, Target};
use crate::domain::account::{check_password, parse_email, parse_full_name};
use crate::domain::administration::StateAccount;
use crate::domain::directory::Role;
use crate::state::Caller;
use crate::store::{InvitationTo, NewInvitation, NewUser, StoreError};
use crate::ui::notices::{Done, Problem};
use axum::extract::{Path, State};
use axum::{Extension, Form};
use chrono::Utc;
use serde::Deserialize;

use super::recovery::INVITATION_LIFETIME;
use crate::forms::{
    back, check_known, check_viewer, done, expiry_text, send_mail, sensitive_budget, to_sign_in,
    Failure, Forms, Outcome,
};
use crate::http::new_token;
use axum::response::IntoResponse;

#[derive(Deserialize)]
pub struct InvitationForm {
    #[serde(default)]
    nom: String,
    #[serde(default)]
    adresse: String,
}

/// Who sends an invitation, what it brings the invitee into, and the words of its mails.
struct Invitation<'a> {
    to: InvitationTo,
    /// The page of the form and of its answers, and the names its fields are refilled under.
    page: &'static str,
    section: &'static str,
    refill: (&'static str, &'static str),
    /// The inviter's title and what they invite into, for the mails: « administrateur de
    /// l'entreprise X », « chef de service de l'administration Y ».
    inviter_title: String,
    /// What the new account is for, for the invitee's mail.
    purpose: &'a str,
    /// The audit trail's action.
    action: &'static str,
    /// What the page says once the invitation is sent.
    sent: Done,
}

/// A company's administrator invites a colleague by name and address.
#[tracing::instrument(skip_all)]
pub async fn invite_colleague(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<InvitationForm>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::InviteColleague, Target::Nothing)?;
    if !forms.local_operator_accounts {
        return Err(back(
            "/espace#collegues",
            Problem::ColleaguesThroughCustoms,
            &[],
        ));
    }
    let company_id = viewer
        .company_id
        .ok_or(Failure::Refused(Refusal::Forbidden))?;
    let company = forms
        .store
        .company(company_id)
        .await?
        .map(|company| company.name)
        .ok_or_else(|| StoreError::Corrupt(format!("entreprise {company_id} introuvable")))?;
    let purpose = format!(
        "de l'entreprise {company}, vous invite à ouvrir un compte France Sésame pour suivre les \
         envois de cette entreprise au passage frontière"
    );
    send_invitation(
        &forms,
        &caller,
        &form,
        Invitation {
            to: InvitationTo::Company(company_id),
            page: "/espace",
            section: "/espace#collegues",
            refill: ("collegue_nom", "collegue_adresse"),
            inviter_title: format!("administrateur de l'entreprise {company}"),
            purpose: &purpose,
            action: "collegue_invite",
            sent: Done::ColleagueInvited,
        },
    )
    .await
}

/// A head of service invites an agent into their own administration; the agent's account opens
/// with no habilitation, until the head grants one.
#[tracing::instrument(skip_all)]
pub async fn invite_agent(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<InvitationForm>,
) -> Outcome {
    // The administration is the head's own, from their account: the form cannot name another.
    let administration = caller
        .viewer
        .as_ref()
        .and_then(|viewer| viewer.administration);
    let Some(administration) = administration else {
        check_viewer(&caller, EntryPoint::ManageHabilitations, Target::Nothing)?;
        return Err(Failure::Refused(Refusal::Forbidden));
    };
    check_viewer(
        &caller,
        EntryPoint::InviteAgent,
        Target::AgentInvitation { administration },
    )?;
    let label = administration.label();
    let purpose = format!(
        "chef de service ({label}), vous invite à ouvrir votre compte d'agent sur France Sésame, \
         le guichet unique du passage frontière des marchandises"
    );
    send_invitation(
        &forms,
        &caller,
        &form,
        Invitation {
            to: InvitationTo::Administration(administration),
            page: "/habilitations",
            section: "/habilitations#invitations",
            refill: ("invite_nom", "invite_adresse"),
            inviter_title: format!("chef de service de l'administration {label}"),
            purpose: &purpose,
            action: "agent_invite",
            sent: Done::AgentInvited,
        },
    )
    .await
}

/// The technical administration's page of accounts.
const ACCOUNTS: &str = "/administration/comptes";

/// A technical administrator invites a head of service of a post (for an administration
/// present there), a supervisor of an administration, or the DGITM. A provider's roles never
/// grant any of these: only this invitation opens such an account, and a head of service's
/// agents then get their habilitations from them.
#[tracing::instrument(skip_all)]
pub async fn invite_state_account(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(fields): Form<crate::domain::administration::Fields>,
) -> Outcome {
    check_viewer(&caller, EntryPoint::ManageAccounts, Target::Nothing)?;
    let typed = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let posts = forms.store.posts().await?;
    let account =
        crate::domain::administration::parse_state_account(&fields, &posts).map_err(|_| {
            let kept: Vec<(String, String)> =
                ["nom", "adresse", "compte", "administration", "poste"]
                    .into_iter()
                    .map(|name| (name.to_owned(), typed(name).chars().take(200).collect()))
                    .collect();
            let pairs: Vec<(&str, &str)> = kept
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            back(ACCOUNTS, Problem::StateAccountInvalid, &pairs)
        })?;
    let purpose = format!(
        "administrateur technique de France Sésame, vous invite à ouvrir votre compte de {}, \
         sur le guichet unique du passage frontière des marchandises",
        account.describe()
    );
    let form = InvitationForm {
        nom: typed("nom"),
        adresse: typed("adresse"),
    };
    send_invitation(
        &forms,
        &caller,
        &form,
        Invitation {
            to: InvitationTo::State(account),
            page: ACCOUNTS,
            section: "/administration/comptes#invitations",
            refill: ("nom", "adresse"),
            inviter_title: "administrateur technique de la plateforme".to_owned(),
            purpose: &purpose,
            action: "compte_etat_invite",
            sent: Done::StateAccountInvited,
        },
    )
    .await
}

/// A technical administrator withdraws an invitation of theirs not accepted yet; any other is
/// answered as one that does not exist.
#[tracing::instrument(skip_all)]
pub async fn withdraw_state_invitation(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::ManageAccounts, Target::Nothing)?;
    let unknown = || back(ACCOUNTS, Problem::InvitationUnknown, &[]);
    let Some(to @ InvitationTo::State(_)) = forms.store.invitation_to(id).await? else {
        return Err(unknown());
    };
    withdraw(&forms, &caller, id, to, viewer.user_id, unknown).await?;
    done(
        "/administration/comptes#invitations",
        Done::InvitationWithdrawn,
    )
}

/// Records an invitation and mails it: the link to the invitee, or, when the address already has
/// an account, fixed words to its owner and no link.
async fn send_invitation(
    forms: &Forms,
    caller: &Caller,
    form: &InvitationForm,
    invitation: Invitation<'_>,
) -> Outcome {
    let viewer = caller
        .viewer
        .as_ref()
        .ok_or(Failure::Refused(Refusal::SignInRequired))?;
    let (name_field, email_field) = invitation.refill;
    let name = parse_full_name(&form.nom).map_err(|_| {
        back(
            invitation.page,
            Problem::NameInvalid,
            &[
                (name_field, form.nom.trim()),
                (email_field, form.adresse.trim()),
            ],
        )
    })?;
    let email = parse_email(&form.adresse).map_err(|_| {
        back(
            invitation.page,
            Problem::AddressInvalid,
            &[(name_field, &name), (email_field, form.adresse.trim())],
        )
    })?;
    sensitive_budget(
        forms,
        &[
            &format!("creation:{}", caller.client_key),
            &format!("creation:{}", viewer.user_id),
        ],
    )?;
    let now = Utc::now();
    let (token, hash) = new_token();
    let expires_at = now + INVITATION_LIFETIME;
    let mut tx = forms.store.begin().await?;
    // Recorded either way, so that the pending invitations the inviter sees do not tell either;
    // the link of an address that has an account is never sent, and could not open a second
    // account anyway.
    let taken = tx.email_taken(&email).await?;
    let id = tx
        .invite(
            &NewInvitation {
                to: invitation.to,
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
            .audit_event(invitation.action, &format!("invitation:{id}"), detail)
            .about(&email),
        now,
    )
    .await?;
    tx.commit().await?;
    let inviter = &viewer.full_name;
    let title = &invitation.inviter_title;
    let sent = if taken {
        let text = format!(
            "Bonjour,\n\n\
             {inviter}, {title} sur France Sésame, a demandé à inviter cette adresse électronique \
             sur France Sésame.\n\n\
             Cette adresse est déjà celle d'un compte France Sésame : rien n'a été changé sur votre \
             compte, et aucun autre compte n'a été ouvert. Ce message ne donne accès à rien.\n\n\
             Si cette invitation vous concerne, prenez contact avec cette personne par les moyens \
             habituels : un compte France Sésame ne relève que d'une entreprise ou d'une \
             administration, et le vôtre reste tel qu'il est.\n\n\
             Si vous ne connaissez pas cette personne, vous n'avez rien à faire. Vous pouvez le \
             signaler à l'assistance de France Sésame depuis la page « Contact » du site.\n\n\
             — France Sésame\n"
        );
        send_mail(
            forms,
            &email,
            "Une invitation a été demandée pour votre adresse",
            text,
        )
        .await
    } else {
        let link = format!("{}/mot-de-passe/nouveau?jeton={token}", forms.base_url);
        let text = format!(
            "Bonjour {name},\n\n\
             {inviter}, {purpose}.\n\n\
             Pour accepter, choisissez votre mot de passe en ouvrant ce lien :\n{link}\n\n\
             Votre compte sera ouvert à ce moment-là, pas avant. Ce lien ne sert qu'une fois et \
             expire le {expiry} (heure de Paris).\n\n\
             Si vous ne connaissez pas cette personne, ignorez ce message : aucun compte n'est \
             ouvert sans vous.\n\n— France Sésame\n",
            purpose = invitation.purpose,
            expiry = expiry_text(expires_at),
        );
        send_mail(forms, &email, "Votre invitation sur France Sésame", text).await
    };
    done(
        invitation.section,
        if sent {
            invitation.sent
        } else {
            Done::InvitationMailNotSent
        },
    )
}

/// A company's administrator withdraws an invitation not accepted yet: its link stops working.
/// Another company's invitation is answered as one that does not exist.
#[tracing::instrument(skip_all)]
pub async fn withdraw_invitation(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::InviteColleague, Target::Nothing)?;
    let unknown = || back("/espace", Problem::InvitationUnknown, &[]);
    let Some(InvitationTo::Company(company_id)) = forms.store.invitation_to(id).await? else {
        return Err(unknown());
    };
    let target = Target::Colleague {
        user_id: None,
        company_id: Some(company_id),
    };
    check_known(&caller, EntryPoint::RemoveColleague, target, unknown)?;
    withdraw(
        &forms,
        &caller,
        id,
        InvitationTo::Company(company_id),
        viewer.user_id,
        unknown,
    )
    .await?;
    done("/espace#collegues", Done::InvitationWithdrawn)
}

/// A head of service withdraws an agent invitation of their administration not accepted yet.
/// Another administration's invitation, or a company's, is answered as one that does not exist.
#[tracing::instrument(skip_all)]
pub async fn withdraw_agent_invitation(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::ManageHabilitations, Target::Nothing)?;
    let unknown = || back("/habilitations", Problem::InvitationUnknown, &[]);
    let Some(InvitationTo::Administration(administration)) = forms.store.invitation_to(id).await?
    else {
        return Err(unknown());
    };
    check_known(
        &caller,
        EntryPoint::InviteAgent,
        Target::AgentInvitation { administration },
        unknown,
    )?;
    withdraw(
        &forms,
        &caller,
        id,
        InvitationTo::Administration(administration),
        viewer.user_id,
        unknown,
    )
    .await?;
    done("/habilitations#invitations", Done::InvitationWithdrawn)
}

async fn withdraw(
    forms: &Forms,
    caller: &Caller,
    id: i64,
    to: InvitationTo,
    by: i64,
    unknown: impl Fn() -> Failure,
) -> Result<(), Failure> {
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let Some(email) = tx.withdraw_invitation(id, to, by, now).await? else {
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
    Ok(())
}

/// The invitee chose a password from the link (`hash` is its token's hash, `email` the address
/// it was sent to): in one transaction, the invitation is taken (once, unexpired, not
/// withdrawn), the address is checked still free, and the account is opened — an operator of
/// the inviting company, or an agent of the inviting administration with no habilitation yet —
/// its address verified by the link.
pub(super) async fn accept(
    forms: &Forms,
    caller: &Caller,
    token: &str,
    hash: &str,
    email: &str,
    password: &str,
    confirmation: &str,
) -> Outcome {
    let page = "/mot-de-passe/nouveau";
    if password != confirmation {
        return Err(back(
            page,
            Problem::ConfirmationMismatch,
            &[("jeton", token)],
        ));
    }
    if let Err(error) = check_password(password, email) {
        return Err(back(page, error.into(), &[("jeton", token)]));
    }
    let password = password.to_owned();
    let password_hash = tokio::task::spawn_blocking(move || crate::forms::hash_password(&password))
        .await
        .map_err(|_| StoreError::Corrupt("hachage interrompu".into()))??;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let Some(invitation) = tx.take_invitation(hash, now).await? else {
        return Err(back(page, Problem::LinkInvalid, &[]));
    };
    // Sent before operators' local accounts were turned off: nothing is written.
    if matches!(invitation.to, InvitationTo::Company(_)) && !forms.local_operator_accounts {
        return Err(back(page, Problem::ColleaguesThroughCustoms, &[]));
    }
    if tx.email_taken(&invitation.email).await? {
        // The address got an account since (another company's invitation, an address change):
        // its owner is the one holding the link, so saying so tells nobody else anything.
        // Nothing is written: the transaction is dropped.
        return Err(to_sign_in(
            Err(Problem::InvitationAddressTaken),
            &[],
            &invitation.email,
            caller.over_https,
        ));
    }
    let (role, company_id, administration) = match &invitation.to {
        InvitationTo::Company(id) => (Role::Operateur, Some(*id), None),
        InvitationTo::Administration(administration) => {
            (Role::agent_of(*administration), None, Some(*administration))
        }
        InvitationTo::State(account) => (account.role(), None, account.administration()),
    };
    let user_id = tx
        .insert_user(
            &NewUser {
                email: invitation.email.clone(),
                full_name: invitation.full_name.clone(),
                role,
                company_id,
                administration,
                company_admin: false,
                email_verified: true,
                password_hash: None,
            },
            now,
        )
        .await?;
    tx.set_password(user_id, &password_hash, now).await?;
    if let InvitationTo::State(StateAccount::Head(_, post)) = &invitation.to {
        tx.insert_post_head(user_id, post.as_str()).await?;
    }
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
    // A redirection, not a failure: the account is open and the sign-in form comes filled in.
    Ok(to_sign_in(
        Ok(Done::AccountOpened),
        &[],
        &invitation.email,
        caller.over_https,
    )
    .into_response())
}
