//! Correlation alerts: a partner event whose references name two dossiers is recorded against
//! the first and reported here, never merged behind the agents' backs; so is an event that sends
//! goods to a post not approved for them. Agents see the alerts that touch a dossier of their
//! sites; the dossiers outside their perimeter are named, not shown.

#[cfg(feature = "ssr")]
pub mod resolve;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::dossier::DossierStatus;

/// One dossier an alert names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDossier {
    pub id: i64,
    /// Its references and site, when the reader may see it.
    pub seen: Option<SeenDossier>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenDossier {
    pub headline: String,
    pub site_name: String,
    pub company_name: Option<String>,
    pub status: DossierStatus,
}

/// Goods sent to a post not approved for them: what the alert says beyond its dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostNotApproved {
    pub post_code: String,
    pub post_name: String,
    /// The goods the event named, as people read them.
    pub goods: String,
    /// What the post is approved for, as people read it.
    pub approvals: Vec<String>,
}

/// An open alert, as agents read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertView {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub partner_event_id: Option<String>,
    pub source: String,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    /// The dossier the event was recorded in comes first.
    pub dossiers: Vec<AlertDossier>,
    /// Set when the alert is about goods sent to a post not approved for them; otherwise the
    /// event's references name several dossiers.
    #[serde(default)]
    pub post_not_approved: Option<PostNotApproved>,
    /// Whether the reader may close it (an agent of a site of one of its dossiers).
    pub resolvable: bool,
}

/// The open correlation alerts the caller may see, newest first.
#[server(endpoint = "alertes-correlation")]
pub async fn list_correlation_alerts() -> Result<Vec<AlertView>, ServerFnError> {
    use crate::domain::access::{authorize, dossier_scope, EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::CorrelationAlerts, Target::Nothing)?;
    let scope = dossier_scope(&viewer);
    let store = crate::state::store()?;
    caller
        .audit_consultation(&store, "consultation_alertes_correlation", "alertes", "")
        .await?;
    let posts = store.posts().await.map_err(crate::state::internal)?;
    let mut views = Vec::new();
    for alert in store
        .correlation_alerts()
        .await
        .map_err(crate::state::internal)?
    {
        let mut dossiers = Vec::new();
        let mut resolvable = false;
        let mut any_seen = false;
        for id in &alert.dossier_ids {
            let summary = store
                .dossier_summary(*id)
                .await
                .map_err(crate::state::internal)?;
            let seen = summary
                .filter(|summary| scope.contains(&summary.site, summary.company_id))
                .map(|summary| {
                    resolvable |= authorize(
                        Some(&viewer),
                        EntryPoint::ResolveCorrelationAlert,
                        Target::Dossier {
                            site: &summary.site,
                            company_id: summary.company_id,
                        },
                    )
                    .is_ok();
                    SeenDossier {
                        headline: summary.references.headline(),
                        site_name: summary.site_name,
                        company_name: summary.company_name,
                        status: summary.status,
                    }
                });
            any_seen |= seen.is_some();
            dossiers.push(AlertDossier { id: *id, seen });
        }
        if any_seen {
            let post_not_approved = match alert.cause {
                crate::store::AlertCause::References => None,
                crate::store::AlertCause::PostNotApproved { post, goods } => {
                    let known = posts.iter().find(|known| known.code == post);
                    Some(PostNotApproved {
                        post_code: post.to_string(),
                        post_name: known.map(|p| p.name.clone()).unwrap_or_default(),
                        goods: goods.label().to_owned(),
                        approvals: known
                            .map(|p| p.approvals.iter().map(|g| g.label().to_owned()).collect())
                            .unwrap_or_default(),
                    })
                }
            };
            views.push(AlertView {
                post_not_approved,
                id: alert.id,
                created_at: alert.created_at,
                partner_event_id: alert.partner_event_id,
                source: alert.source.label().to_owned(),
                kind: alert.kind.label().to_owned(),
                occurred_at: alert.occurred_at,
                dossiers,
                resolvable,
            });
        }
    }
    Ok(views)
}
