//! Agents close a correlation alert after looking at its dossiers (`/alertes-correlation`).

use axum::extract::{Path, State};
use axum::{Extension, Form};
use chrono::Utc;
use serde::Deserialize;

use crate::domain::access::{EntryPoint, Refusal, Target};
use crate::forms::{back, check, check_viewer, done, Failure, Forms, Outcome};
use crate::state::Caller;
use crate::ui::notices::{Done, Problem};

const ALERTS: &str = "/alertes-correlation";
/// How long what agents write about an alert may be.
const FINDING_CHARS: std::ops::RangeInclusive<usize> = 5..=1000;

#[derive(Deserialize)]
pub struct FindingForm {
    #[serde(default)]
    constat: String,
}

/// Closes a correlation alert with what the agent found.
#[tracing::instrument(skip_all)]
pub async fn resolve_alert(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Form(form): Form<FindingForm>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::CorrelationAlerts, Target::Nothing)?;
    let Some((dossier_ids, resolved)) = forms.store.correlation_alert(id).await? else {
        return Err(back(ALERTS, Problem::AlertUnknown, &[]));
    };
    // An agent of a site of one of its dossiers, and no one else, closes it. Who sees none of
    // its dossiers is answered as for an unknown alert: ids cannot be probed.
    let scope = crate::domain::access::dossier_scope(viewer);
    let mut allowed = false;
    let mut seen = false;
    for dossier_id in &dossier_ids {
        if let Some(summary) = forms.store.dossier_summary(*dossier_id).await? {
            seen |= scope.contains(&summary.site, summary.company_id);
            allowed |= check(
                &caller,
                EntryPoint::ResolveCorrelationAlert,
                Target::Dossier {
                    site: &summary.site,
                    company_id: summary.company_id,
                },
            )
            .is_ok();
        }
    }
    if !seen {
        return Err(back(ALERTS, Problem::AlertUnknown, &[]));
    }
    if !allowed {
        return Err(Failure::Refused(Refusal::Forbidden));
    }
    if resolved {
        return Err(back(ALERTS, Problem::AlertUnknown, &[]));
    }
    let finding = form.constat.trim();
    if !FINDING_CHARS.contains(&finding.chars().count()) {
        return Err(back(ALERTS, Problem::FindingInvalid, &[]));
    }
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    if !tx
        .resolve_correlation_alert(id, viewer.user_id, finding, now)
        .await?
    {
        // Closed by someone else meanwhile: nothing to write.
        return Err(back(ALERTS, Problem::AlertUnknown, &[]));
    }
    tx.audit(
        &caller.audit_event(
            "alerte_correlation_traitee",
            &format!("alerte_correlation:{id}"),
            finding,
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    done(ALERTS, Done::AlertResolved)
}
