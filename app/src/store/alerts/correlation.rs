//! The correlation alerts on the desk: a partner event whose references name several dossiers,
//! or that sends goods to a post not approved for them, is recorded in `correlation_alert` by
//! the ingestion and put before the agents of each site whose dossiers it names, as one alert
//! per site (rules `rapprochement` and `poste_non_agree`) that tells them of their site's
//! dossiers only. These alerts are no condition an evaluation reads again: they stay until an
//! agent closes them with what they found.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Change, Evaluated, REFERENCE};
use crate::domain::alert::{correlation_condition, Correlation, Subject};
use crate::domain::dossier::GoodsCategory;
use crate::domain::journey::{EventKind, EventSource};
use crate::store::{decode, on_pool, on_tx, Store, StoreError, Tx};

#[derive(sqlx::FromRow)]
struct Recorded {
    dossier_ids: String,
    created_at: DateTime<Utc>,
    cause: String,
    post_code: Option<String>,
    goods_category: Option<String>,
    resolved_at: Option<DateTime<Utc>>,
    resolved_by: Option<i64>,
    resolution: Option<String>,
    partner_event_id: Option<String>,
    source: String,
    kind: String,
    occurred_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Named {
    id: i64,
    site_code: String,
    site_name: String,
    post_code: Option<String>,
    goods_category: String,
    reference: Option<String>,
}

/// How the alerts of a recorded event are written.
#[derive(Clone, Copy)]
enum Writing {
    /// As the event arrives: the agents are told (in the app, live, by mail as each chose).
    Arriving(DateTime<Utc>),
    /// Once, for an event recorded before the desk took these alerts: as it was, opened when it
    /// was recorded and closed with its resolution if it had one; no one is told again.
    Settling,
}

impl Tx {
    /// Puts correlation alert `id`, just recorded by `Tx::ingest`, on the desk of each site
    /// whose dossiers it names, and tells their agents: once its dossier is up to date.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn alert_correlation(
        &mut self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Evaluated, StoreError> {
        self.write_correlation_alerts(id, Writing::Arriving(now))
            .await
    }

    async fn write_correlation_alerts(
        &mut self,
        id: i64,
        writing: Writing,
    ) -> Result<Evaluated, StoreError> {
        let recorded: Option<Recorded> = on_tx!(self, conn => {
            sqlx::query_as(
                "SELECT c.dossier_ids, c.created_at, c.cause, c.post_code, c.goods_category,
                        c.resolved_at, c.resolved_by, c.resolution,
                        e.partner_event_id, e.source, e.kind, e.occurred_at
                 FROM correlation_alert c JOIN event e ON e.id = c.event_id
                 WHERE c.id = $1 AND NOT c.alerted",
            )
            .bind(id)
            .fetch_optional(conn)
            .await
        })?;
        let Some(recorded) = recorded else {
            return Ok(Evaluated::default());
        };
        let ids: Vec<i64> = recorded
            .dossier_ids
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect();
        // Ids parsed as numbers: written in the statement, in the order the event named them.
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let named: Vec<Named> = if ids.is_empty() {
            Vec::new()
        } else {
            on_tx!(self, conn => {
                sqlx::query_as(&format!(
                    "SELECT d.id, d.site_code, s.name AS site_name, d.post_code, d.goods_category,
                            {REFERENCE} AS reference
                     FROM dossier d JOIN site s ON s.code = d.site_code WHERE d.id IN ({list})"
                ))
                .fetch_all(conn)
                .await
            })?
        };
        let by_id: HashMap<i64, &Named> = named.iter().map(|named| (named.id, named)).collect();
        let named: Vec<&Named> = ids.iter().filter_map(|id| by_id.get(id).copied()).collect();

        let kind = decode("événement", &recorded.kind, EventKind::from_code)?;
        let source = decode("source", &recorded.source, EventSource::from_code)?;
        let event = format!(
            "« {} » de {}{}, du {}",
            kind.label(),
            source.label(),
            recorded
                .partner_event_id
                .as_deref()
                .map(|id| format!(" (identifiant {id})"))
                .unwrap_or_default(),
            crate::ui::format::date_time(recorded.occurred_at)
        );
        let post_not_approved = match (
            recorded.cause.as_str(),
            &recorded.post_code,
            &recorded.goods_category,
        ) {
            ("post_approval", Some(post), Some(goods)) => {
                let goods = decode("catégorie de marchandises", goods, GoodsCategory::from_code)?;
                let name: Option<String> = on_tx!(self, conn => {
                    sqlx::query_scalar("SELECT name FROM post WHERE code = $1")
                        .bind(post)
                        .fetch_optional(conn)
                        .await
                })?;
                let approvals =
                    crate::domain::directory::ordered_approvals(self.post_approvals(post).await?)
                        .into_iter()
                        .map(|goods| goods.label().to_owned())
                        .collect::<Vec<_>>();
                Some((
                    match name {
                        Some(name) => format!("{name} ({post})"),
                        None => post.clone(),
                    },
                    goods.label().to_owned(),
                    if approvals.is_empty() {
                        "aucune marchandise".to_owned()
                    } else {
                        approvals.join(", ")
                    },
                ))
            }
            ("references", ..) => None,
            (other, ..) => {
                return Err(StoreError::Corrupt(format!(
                    "alerte de rapprochement « {other} »"
                )))
            }
        };

        // One alert per site, in the order the event named the sites' dossiers.
        let mut sites: Vec<&str> = Vec::new();
        for named in &named {
            if !sites.contains(&named.site_code.as_str()) {
                sites.push(&named.site_code);
            }
        }
        let mut evaluated = Evaluated::default();
        for site in sites {
            let here: Vec<&Named> = named
                .iter()
                .copied()
                .filter(|n| n.site_code == site)
                .collect();
            let first = here[0];
            let correlation = Correlation {
                id,
                event: event.clone(),
                here: here
                    .iter()
                    .map(|n| {
                        let reference = n
                            .reference
                            .clone()
                            .unwrap_or_else(|| format!("dossier n° {}", n.id));
                        (n.id, reference)
                    })
                    .collect(),
                elsewhere: ids.len() - here.len(),
                recorded_here: ids.first() == Some(&first.id),
                post_not_approved: post_not_approved.clone(),
            };
            let subject = Subject {
                site: site.to_owned(),
                site_name: first.site_name.clone(),
                post: match &post_not_approved {
                    Some(_) => recorded.post_code.clone(),
                    None => first.post_code.clone(),
                },
                dossier_id: Some(first.id),
                reference: first.reference.clone(),
                goods: Some(first.goods_category.clone()),
                step: None,
                source: Some(source.code().to_owned()),
            };
            let Some(condition) = correlation_condition(&correlation, subject) else {
                continue;
            };
            match writing {
                Writing::Arriving(now) => {
                    evaluated += self
                        .apply_alert_change(&Change::Open(Box::new(condition)), now)
                        .await?;
                }
                Writing::Settling => {
                    let Some((alert, _)) = self.open_alert(&condition, recorded.created_at).await?
                    else {
                        continue;
                    };
                    self.alert_history(alert, "ouverte", None, None, recorded.created_at)
                        .await?;
                    if let Some(resolved_at) = recorded.resolved_at {
                        let note = recorded
                            .resolution
                            .as_deref()
                            .unwrap_or("Close sur l'ancienne page des alertes de rapprochement.");
                        self.close_alert(alert, recorded.resolved_by, note, resolved_at)
                            .await?;
                    } else {
                        evaluated.opened += 1;
                    }
                }
            }
        }
        on_tx!(self, conn => {
            sqlx::query("UPDATE correlation_alert SET alerted = TRUE WHERE id = $1")
                .bind(id)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        Ok(evaluated)
    }
}

impl Store {
    /// Writes, once, the desk's alerts of the correlation alerts recorded before it took them
    /// (migration 0024): a hundred per transaction, through an index of the pending ones only
    /// (empty once done), so a restart resumes and costs nothing afterwards.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn settle_correlation_alerts(&self) -> Result<(), StoreError> {
        const PAGE: i64 = 100;
        let mut settled = 0usize;
        loop {
            let page: Vec<i64> = on_pool!(self, pool => {
                sqlx::query_scalar("SELECT id FROM correlation_alert WHERE NOT alerted ORDER BY id LIMIT $1")
                    .bind(PAGE)
                    .fetch_all(pool)
                    .await
            })?;
            let mut tx = self.begin().await?;
            for id in &page {
                tx.write_correlation_alerts(*id, Writing::Settling).await?;
            }
            tx.commit().await?;
            settled += page.len();
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        if settled > 0 {
            tracing::info!(
                alertes = settled,
                "alertes de rapprochement portées au bureau des alertes"
            );
        }
        Ok(())
    }
}
