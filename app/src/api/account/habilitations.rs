//! A head of service grants and withdraws agents' habilitations: a site, for the head's
//! administration, between a start date and an optional end date. Only on the sites of the posts
//! they head, and only to agents of their administration (the access policy decides).

use crate::domain::access::{local_day, EntryPoint, Refusal, Target};
use crate::domain::dates::{self, DateUse};
use crate::domain::references::Locode;
use crate::state::Caller;
use crate::store::NewHabilitation;
use crate::ui::notices::{Done, Problem};
use axum::extract::{Path, State};
use axum::{Extension, Form};
use chrono::Utc;
use serde::Deserialize;

use crate::forms::{back, check_known, check_viewer, done, Failure, Forms, Outcome};

const PAGE: &str = "/habilitations";

use crate::domain::dates::parse_day;

#[derive(Deserialize)]
pub struct GrantForm {
    agent: String,
    site: String,
    debut: String,
    #[serde(default)]
    fin: String,
    #[serde(default)]
    calendriers: String,
}

#[tracing::instrument(skip_all)]
pub async fn grant(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<GrantForm>,
) -> Outcome {
    let refill = [
        ("agent", form.agent.as_str()),
        ("site", form.site.as_str()),
        ("debut", form.debut.as_str()),
        ("fin", form.fin.as_str()),
    ];
    // Only a head of service goes further (nothing is looked up for anyone else).
    check_viewer(&caller, EntryPoint::ManageHabilitations, Target::Nothing)?;
    let agent_id: i64 = form
        .agent
        .trim()
        .parse()
        .map_err(|_| back(PAGE, Problem::AgentMissing, &refill))?;
    let site =
        Locode::parse(form.site.trim()).map_err(|_| back(PAGE, Problem::SiteMissing, &refill))?;
    let Some(agent) = forms.store.user(agent_id).await? else {
        return Err(back(PAGE, Problem::AgentMissing, &refill));
    };
    let viewer = caller
        .viewer
        .as_ref()
        .ok_or(Failure::Refused(Refusal::SignInRequired))?;
    let administration = viewer
        .administration
        .ok_or(Failure::Refused(Refusal::Forbidden))?;
    let viewer = check_viewer(
        &caller,
        EntryPoint::GrantHabilitation,
        Target::Habilitation {
            agent_role: agent.role,
            administration,
            site: &site,
        },
    )?;
    let starts_on =
        parse_day(&form.debut).ok_or_else(|| back(PAGE, Problem::StartDateInvalid, &refill))?;
    let ends_on = match form.fin.trim() {
        "" => None,
        text => Some(parse_day(text).ok_or_else(|| back(PAGE, Problem::EndDateInvalid, &refill))?),
    };
    if ends_on.is_some_and(|end| end < starts_on) {
        return Err(back(PAGE, Problem::DatesReversed, &refill));
    }
    let now = Utc::now();
    let today = local_day(now);
    if std::iter::once(starts_on)
        .chain(ends_on)
        .any(|day| dates::within(day, DateUse::Period, today).is_err())
    {
        return Err(back(PAGE, Problem::DateOutOfBounds, &refill));
    }
    if ends_on.is_some_and(|end| end < today) {
        return Err(back(PAGE, Problem::EndDatePast, &refill));
    }
    let mut tx = forms.store.begin().await?;
    let id = tx
        .insert_habilitation(
            &NewHabilitation {
                manages_calendars: form.calendriers == "oui",
                user_id: agent.id,
                site: site.clone(),
                administration,
                starts_on,
                ends_on,
                granted_by: Some(viewer.user_id),
            },
            now,
        )
        .await?;
    // The agent by number; their address beside, erasable (the retention's identity).
    let detail = format!(
        "agent n° {} : {} ({}) du {} au {}",
        agent.id,
        site.as_str(),
        administration.code(),
        starts_on,
        ends_on
            .map(|end| end.to_string())
            .unwrap_or_else(|| "—".into())
    );
    tx.audit(
        &caller
            .audit_event(
                "habilitation_accordee",
                &format!("habilitation:{id}"),
                &detail,
            )
            .about(&agent.email),
        now,
    )
    .await?;
    tx.commit().await?;
    done(PAGE, Done::HabilitationGranted)
}

#[tracing::instrument(skip_all)]
pub async fn withdraw(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    check_viewer(&caller, EntryPoint::ManageHabilitations, Target::Nothing)?;
    let Some(habilitation) = forms.store.habilitation(id).await? else {
        return Err(back(PAGE, Problem::HabilitationUnknown, &[]));
    };
    let agent_role = forms
        .store
        .user(habilitation.user_id)
        .await?
        .map(|agent| agent.role)
        .unwrap_or(crate::domain::directory::Role::Operateur);
    check_known(
        &caller,
        EntryPoint::WithdrawHabilitation,
        Target::Habilitation {
            agent_role,
            administration: habilitation.administration,
            site: &habilitation.site,
        },
        || back(PAGE, Problem::HabilitationUnknown, &[]),
    )?;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let viewer_id = caller
        .viewer
        .as_ref()
        .map(|viewer| viewer.user_id)
        .unwrap_or_default();
    tx.withdraw_habilitation(id, viewer_id, now).await?;
    let detail = format!(
        "agent n° {} : {}",
        habilitation.user_id,
        habilitation.site.as_str()
    );
    tx.audit(
        &caller
            .audit_event(
                "habilitation_retiree",
                &format!("habilitation:{id}"),
                &detail,
            )
            .about(&habilitation.agent_email),
        now,
    )
    .await?;
    tx.commit().await?;
    done(PAGE, Done::HabilitationWithdrawn)
}
