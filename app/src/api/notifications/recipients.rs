//! Extra recipients (`/notifications/destinataires`): a company administrator adds an outside
//! address and the kinds it receives (a confirmation link is mailed to it: nothing is sent
//! before it is followed), or removes one. The address confirms at `/confirmation-destinataire`,
//! its link's token being the credential.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::{Extension, Form};
use chrono::Utc;

use super::recipients_fields::{ADDRESS_FIELD, KIND_FIELD, TOKEN_FIELD};
use crate::domain::access::{EntryPoint, Refusal, Target};
use crate::domain::account::parse_email;
use crate::forms::{back, check, check_viewer, done, send_mail, Failure, Forms, Outcome};
use crate::state::Caller;
use crate::ui::notices::{Done, Problem};

const PAGE: &str = "/notifications/destinataires";
const CONFIRMATION: &str = "/confirmation-destinataire";

/// `POST /notifications/destinataires`: the address (`adresse`) and each kind checked
/// (`type_<code>`), among the operators' kinds.
#[tracing::instrument(skip_all)]
pub async fn add(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<Vec<(String, String)>>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::ManageExtraRecipients, Target::Nothing)?;
    let company_id = viewer
        .company_id
        .ok_or(Failure::Refused(Refusal::Forbidden))?;
    let typed = form
        .iter()
        .find(|(field, _)| field == ADDRESS_FIELD)
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default();
    let Ok(email) = parse_email(&typed) else {
        return Err(back(
            PAGE,
            Problem::AddressInvalid,
            &[("destinataire_adresse", &typed)],
        ));
    };
    let offered = forms.store.company_kinds().await?;
    let mut kinds = Vec::new();
    for (field, _) in &form {
        let Some(code) = field.strip_prefix(KIND_FIELD) else {
            continue;
        };
        if !offered.iter().any(|kind| kind.code == code) {
            return Err(back(PAGE, Problem::NotificationKindUnknown, &[]));
        }
        if !kinds.iter().any(|kind: &String| kind == code) {
            kinds.push(code.to_owned());
        }
    }
    if kinds.is_empty() {
        return Err(back(PAGE, Problem::ExtraRecipientKindsMissing, &[]));
    }
    let (token, hash) = crate::http::new_token();
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let id = match tx
        .add_extra_recipient(company_id, &email, &kinds, &hash, viewer.user_id, now)
        .await?
    {
        Ok(id) => id,
        Err(crate::store::AddRefusal::AlreadyThere) => {
            return Err(back(PAGE, Problem::ExtraRecipientTwice, &[]))
        }
    };
    tx.audit(
        &caller
            .audit_event(
                "destinataire_ajoute",
                &format!("destinataire:{id}"),
                &kinds.join(", "),
            )
            .about(&email),
        now,
    )
    .await?;
    tx.commit().await?;
    let company = forms
        .store
        .companies()
        .await?
        .into_iter()
        .find(|company| company.id == company_id)
        .map(|company| company.name)
        .unwrap_or_default();
    let link = format!("{}{CONFIRMATION}?jeton={token}", forms.base_url);
    let sent = send_mail(
        &forms,
        &email,
        &format!("France Sésame — {company} souhaite vous transmettre des informations"),
        format!(
            "Bonjour,\n\n{company} souhaite vous transmettre par courriel, depuis France Sésame (le \
             guichet unique du passage frontière des marchandises sanitaires et phytosanitaires), \
             certaines informations sur ses marchandises : la référence, le poste de contrôle \
             frontalier et ce qui se passe, rien d'autre.\n\nPour les recevoir, confirmez votre \
             adresse en ouvrant ce lien :\n{link}\n\nSans confirmation, vous ne recevrez rien. Si \
             vous ne connaissez pas {company}, ignorez ce message.\n\nCe message est envoyé \
             automatiquement : n'y répondez pas.\n"
        ),
    )
    .await;
    if !sent {
        return Err(back(PAGE, Problem::ExtraRecipientMailFailed, &[]));
    }
    done(PAGE, Done::ExtraRecipientAdded)
}

/// `POST /notifications/destinataires/{id}/retrait`.
#[tracing::instrument(skip_all)]
pub async fn remove(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::ManageExtraRecipients, Target::Nothing)?;
    let company_id = viewer
        .company_id
        .ok_or(Failure::Refused(Refusal::Forbidden))?;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    // Another company's address answers as one that does not exist.
    let Some(email) = tx.remove_extra_recipient(company_id, id, now).await? else {
        return Err(back(PAGE, Problem::ExtraRecipientUnknown, &[]));
    };
    tx.audit(
        &caller
            .audit_event("destinataire_retire", &format!("destinataire:{id}"), "")
            .about(&email),
        now,
    )
    .await?;
    tx.commit().await?;
    done(PAGE, Done::ExtraRecipientRemoved)
}

/// `POST /confirmation-destinataire`, with the link's token (`jeton`).
#[tracing::instrument(skip_all)]
pub async fn confirm(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<HashMap<String, String>>,
) -> Outcome {
    check(&caller, EntryPoint::ConfirmExtraRecipient, Target::Nothing)?;
    let token = form
        .get(TOKEN_FIELD)
        .map(|token| token.trim())
        .unwrap_or_default();
    if token.is_empty() {
        return Err(back(CONFIRMATION, Problem::ExtraRecipientLinkInvalid, &[]));
    }
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let Some((email, company)) = tx
        .confirm_extra_recipient(&crate::state::token_hash(token), now)
        .await?
    else {
        return Err(back(CONFIRMATION, Problem::ExtraRecipientLinkInvalid, &[]));
    };
    tx.audit(
        &caller
            .audit_event("destinataire_confirme", "destinataire", &company)
            .about(&email),
        now,
    )
    .await?;
    tx.commit().await?;
    done(CONFIRMATION, Done::ExtraRecipientConfirmed)
}
