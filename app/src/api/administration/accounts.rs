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
