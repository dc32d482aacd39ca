//! Deciding about an account (`POST /comptes/{id}/{suspension|reactivation|cloture}`, with a
//! reason): a technical administrator for any account but their own, a head of service for the
//! agents of their administration and the operators of their sites. Whoever may not decide is
//! answered as for an account that does not exist. The holder is told by mail, with the reason.

use axum::extract::{Path, State};
use axum::{Extension, Form};
use chrono::Utc;

use crate::domain::access::{local_day, EntryPoint, Target};
use crate::domain::account::{parse_reason, AccountDecision};
use crate::domain::administration::Fields;
use crate::domain::directory::Role;
use crate::forms::{back, check_known, check_viewer, done, send_mail, Forms, Outcome};
use crate::state::Caller;
use crate::ui::notices::{Done, Problem};

/// `POST /comptes/{id}/{decision}`.
#[tracing::instrument(skip_all)]
pub async fn decide(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path((id, action)): Path<(i64, String)>,
    Form(fields): Form<Fields>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::DecideAccount, Target::Nothing)?;
    let page = format!("/comptes/{id}");
    let unknown = || back(&page, Problem::AccountUnknown, &[]);
    let Some(account) = forms.store.account(id).await? else {
        return Err(unknown());
    };
    let now = Utc::now();
    // Only a head of service decides by sites.
    let sites = if viewer.role == Role::ChefService {
        forms.store.account_sites(&account, local_day(now)).await?
    } else {
        Vec::new()
    };
    check_known(
        &caller,
        EntryPoint::DecideAccount,
        Target::Account {
            user_id: account.id,
            role: account.role,
            administration: account.role.administration(),
            sites: &sites,
        },
        unknown,
    )?;
    let Some(decision) = AccountDecision::from_code(&action) else {
        return Err(back(&page, Problem::UnknownAction, &[]));
    };
    let typed = fields.get("motif").map(String::as_str).unwrap_or("");
    let reason = parse_reason(typed).map_err(|_| {
        let kept: String = typed.chars().take(600).collect();
        back(
            &page,
            Problem::ReasonInvalid,
            &[("decision", decision.code()), ("motif", &kept)],
        )
    })?;
    let not_now = || back(&page, Problem::DecisionNotApplicable, &[]);
    if !decision.applies_to(account.state) {
        return Err(not_now());
    }
    let mut tx = forms.store.begin().await?;
    let Some(decided) = tx
        .decide_account(id, decision, &reason, Some(viewer.user_id), now)
        .await?
    else {
        // Decided otherwise in between: nothing is written.
        return Err(not_now());
    };
    let detail = format!(
        "{} session(s) fermée(s), {} rendez-vous annulé(s)",
        decided.sessions, decided.appointments
    );
    tx.audit(
        &caller
            .audit_event(decision.action(), &format!("utilisateur:{id}"), &detail)
            .about(&reason),
        now,
    )
    .await?;
    tx.commit().await?;
    let decider = match viewer.role {
        Role::ChefService => "un chef de service des postes de contrôle où vous intervenez",
        _ => "l'administration technique de la plateforme",
    };
    let (subject, what) = match decision {
        AccountDecision::Suspension => (
            "Votre compte France Sésame est suspendu",
            "Votre compte France Sésame est suspendu : vous ne pouvez plus vous connecter ni \
             recevoir de notifications jusqu'à sa réactivation. Vos données sont conservées, et \
             les rendez-vous à venir que vous aviez pris sont annulés.",
        ),
        AccountDecision::Reactivation => (
            "Votre compte France Sésame est réactivé",
            "Votre compte France Sésame est réactivé : vous pouvez de nouveau vous connecter.",
        ),
        AccountDecision::Closing => (
            "Votre compte France Sésame est clos",
            "Votre compte France Sésame est clos : vous ne pouvez plus vous connecter. Les \
             données qui vous concernent sont conservées le temps que prévoient les conditions \
             générales d'utilisation, et les rendez-vous à venir que vous aviez pris sont annulés.",
        ),
    };
    let text = format!(
        "Bonjour {name},\n\n{what}\n\nCette décision a été prise par {decider}, pour le motif \
         suivant :\n« {reason} »\n\nPour la contester ou demander des précisions, écrivez à \
         l'assistance de France Sésame depuis la page « Contact » du site.\n\n— France Sésame\n",
        name = account.full_name,
    );
    let sent = send_mail(&forms, &account.email, subject, text).await;
    done(
        &page,
        match (decision, sent) {
            (_, false) => Done::DecisionMailNotSent,
            (AccountDecision::Suspension, true) => Done::AccountSuspended,
            (AccountDecision::Reactivation, true) => Done::AccountReactivated,
            (AccountDecision::Closing, true) => Done::AccountClosed,
        },
    )
}

/// The head of service an account is, for naming them to a post: `None` for any other account
/// (or one closed), answered as an account that does not exist.
async fn head(
    forms: &Forms,
    id: i64,
) -> Result<Option<crate::domain::directory::User>, crate::store::StoreError> {
    Ok(forms
        .store
        .user(id)
        .await?
        .filter(|user| user.role == Role::ChefService && user.administration.is_some()))
}

/// `POST /comptes/{id}/postes`: the technical administrator names a head of service to a further
/// post (`poste`) where their administration inspects; the head is told by mail, and their open
/// pages follow what they may now see.
#[tracing::instrument(skip_all)]
pub async fn name_head(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Form(fields): Form<Fields>,
) -> Outcome {
    check_viewer(&caller, EntryPoint::ManageAccounts, Target::Nothing)?;
    let page = format!("/comptes/{id}");
    let Some(head) = head(&forms, id).await? else {
        return Err(back(&page, Problem::AccountUnknown, &[]));
    };
    let administration = head.administration.expect("filtered on an administration");
    let headed = forms.store.headed_posts(id).await?;
    let posts = forms.store.posts().await?;
    let chosen = fields.get("poste").map(|code| code.trim()).unwrap_or("");
    let Some((code, name)) =
        crate::domain::administration::posts_to_head(&posts, administration, &headed)
            .into_iter()
            .find(|(code, _)| code == chosen)
    else {
        return Err(back(&page, Problem::HeadPostInvalid, &[]));
    };
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    tx.insert_post_head(id, &code).await?;
    tx.announce_access(id).await?;
    tx.audit(
        &caller
            .audit_event(
                "chef_nomme",
                &format!("utilisateur:{id}"),
                &format!("poste:{code}"),
            )
            .about(&head.email),
        now,
    )
    .await?;
    tx.commit().await?;
    let text = format!(
        "Bonjour {},\n\nL'administration technique de France Sésame vous a nommé chef de service \
         {} du poste de contrôle frontalier {name} ({code}), en plus des postes que vous dirigiez \
         déjà. Ses dossiers, son planning, ses alertes et ses habilitations vous sont ouverts dès \
         maintenant.\n\n— France Sésame\n",
        head.full_name,
        administration.label(),
    );
    let sent = send_mail(
        &forms,
        &head.email,
        "Vous dirigez un nouveau poste sur France Sésame",
        text,
    )
    .await;
    done(
        &page,
        if sent {
            Done::HeadNamed
        } else {
            Done::DecisionMailNotSent
        },
    )
}

/// `POST /comptes/{id}/postes/{code}/retrait`: a head of service no longer heads this post; the
/// last post they head is kept (their account is suspended or closed instead). Their open pages
/// no longer receive what it shows.
#[tracing::instrument(skip_all)]
pub async fn withdraw_head(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path((id, code)): Path<(i64, String)>,
) -> Outcome {
    check_viewer(&caller, EntryPoint::ManageAccounts, Target::Nothing)?;
    let page = format!("/comptes/{id}");
    let Some(head) = head(&forms, id).await? else {
        return Err(back(&page, Problem::AccountUnknown, &[]));
    };
    if !forms
        .store
        .headed_posts(id)
        .await?
        .iter()
        .any(|(headed, _)| *headed == code)
    {
        return Err(back(&page, Problem::HeadPostInvalid, &[]));
    }
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    if !tx.withdraw_post_head(id, &code).await? {
        return Err(back(&page, Problem::HeadLastPost, &[]));
    }
    tx.audit(
        &caller
            .audit_event(
                "chef_retire",
                &format!("utilisateur:{id}"),
                &format!("poste:{code}"),
            )
            .about(&head.email),
        now,
    )
    .await?;
    tx.commit().await?;
    done(&page, Done::HeadWithdrawn)
}
