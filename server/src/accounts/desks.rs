//! Two desks of the people who run the platform: agents close correlation alerts after looking at
//! the dossiers (`/alertes-correlation`), and the technical administrator creates and revokes the
//! keys of partner systems (`/administration/cles-partenaires`).

use app::api::partner_keys::FRESH_KEY_COOKIE;
use app::domain::access::{EntryPoint, Refusal, Target};
use app::state::Caller;
use app::ui::notices::{Done, Problem};
use axum::extract::{Path, State};
use axum::http::header;
use axum::{Extension, Form};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::{back, check, check_viewer, done, Accounts, Failure, Outcome};
use crate::partner::{key_name, parse_scope, Actor};

const ALERTS: &str = "/alertes-correlation";
const KEYS: &str = "/administration/cles-partenaires";
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
    State(accounts): State<Accounts>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Form(form): Form<FindingForm>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::CorrelationAlerts, Target::Nothing)?;
    let Some((dossier_ids, resolved)) = accounts.store.correlation_alert(id).await? else {
        return Err(back(ALERTS, Problem::AlertUnknown, &[]));
    };
    // An agent of a site of one of its dossiers, and no one else, closes it. Who sees none of
    // its dossiers is answered as for an unknown alert: ids cannot be probed.
    let scope = app::domain::access::dossier_scope(viewer);
    let mut allowed = false;
    let mut seen = false;
    for dossier_id in &dossier_ids {
        if let Some(summary) = accounts.store.dossier_summary(*dossier_id).await? {
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
    let mut tx = accounts.store.begin().await?;
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

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    nom: String,
    #[serde(default)]
    sources: String,
    #[serde(default)]
    sites: String,
}

/// Creates a key; the page shows it once, from a short-lived cookie it then removes.
#[tracing::instrument(skip_all)]
pub async fn create_key(
    State(accounts): State<Accounts>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<KeyForm>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::ManagePartnerKeys, Target::Nothing)?;
    // Every site only when asked for with "*": an empty field is a mistake, not a wish.
    let sites = form.sites.trim();
    let refill = [
        ("nom", form.nom.as_str()),
        ("sources", form.sources.as_str()),
        ("sites", sites),
    ];
    if key_name(&form.nom).is_none() {
        return Err(back(KEYS, Problem::KeyNameInvalid, &refill));
    }
    if parse_scope(&form.sources, "*").is_err() {
        return Err(back(KEYS, Problem::KeySourceInvalid, &refill));
    }
    if sites.is_empty() || parse_scope("*", sites).is_err() {
        return Err(back(KEYS, Problem::KeySitesInvalid, &refill));
    }
    let actor = Actor {
        id: Some(viewer.user_id),
        name: &viewer.email,
        address: &caller.ip,
    };
    let (id, key) =
        crate::partner::create_key(&accounts.store, &form.nom, &form.sources, sites, &actor)
            .await
            .map_err(|error| {
                tracing::error!(%error, "clé partenaire : création impossible");
                back(KEYS, Problem::KeyNotCreated, &refill)
            })?;
    let mut response = done(KEYS, Done::KeyCreated)?;
    response.headers_mut().append(
        header::SET_COOKIE,
        app::state::set_cookie(
            FRESH_KEY_COOKIE,
            &format!("{id}:{key}"),
            caller.over_https,
            Duration::minutes(2),
        ),
    );
    Ok(response)
}

/// Revokes a key: every request presenting it is refused from now on.
#[tracing::instrument(skip_all)]
pub async fn revoke_key(
    State(accounts): State<Accounts>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::ManagePartnerKeys, Target::Nothing)?;
    let actor = Actor {
        id: Some(viewer.user_id),
        name: &viewer.email,
        address: &caller.ip,
    };
    match crate::partner::revoke_key(&accounts.store, id, &actor).await {
        Ok(true) => done(KEYS, Done::KeyRevoked),
        Ok(false) => Err(back(KEYS, Problem::KeyUnknown, &[])),
        Err(error) => {
            tracing::error!(%error, "clé partenaire : révocation impossible");
            Err(back(KEYS, Problem::KeyUnknown, &[]))
        }
    }
}
