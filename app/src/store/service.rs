//! Maintenances, incidents and the sites' procédures de secours (see
//! [`crate::domain::service`]).

use chrono::{DateTime, Duration, Utc};

use super::audit::Actor;
use super::notifications::Notice;
use super::{on_pool, on_tx, Store, StoreError};
use crate::domain::service::{
    Interruption, MaintenanceDraft, ServiceState, SiteProcedure, HISTORY_DAYS,
};

#[derive(sqlx::FromRow)]
struct InterruptionRow {
    id: i64,
    planned: bool,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    message: String,
    cancelled_at: Option<DateTime<Utc>>,
}

impl From<InterruptionRow> for Interruption {
    fn from(row: InterruptionRow) -> Interruption {
        Interruption {
            id: row.id,
            planned: row.planned,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            message: row.message,
            cancelled: row.cancelled_at.is_some(),
        }
    }
}

const COLUMNS: &str = "id, planned, starts_at, ends_at, message, cancelled_at";

/// What [`Store::end_interruption`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// A maintenance to come, cancelled.
    Cancelled,
    /// A maintenance under way, ended now.
    Ended,
    /// None such (unknown, over, or already cancelled).
    Nothing,
}

impl Store {
    /// The state of the service at `now`: the interruption under way, the maintenances to come,
    /// the past ones of the last days, and every site's procedure.
    #[tracing::instrument(skip_all)]
    pub async fn service_state(&self, now: DateTime<Utc>) -> Result<ServiceState, StoreError> {
        let since = now - Duration::days(HISTORY_DAYS);
        let sql = format!(
            "SELECT {COLUMNS} FROM service_interruption WHERE ends_at > $1
             ORDER BY starts_at, id LIMIT 200"
        );
        let rows: Vec<InterruptionRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(since).fetch_all(pool).await
        })?;
        let mut state = ServiceState::default();
        for interruption in rows.into_iter().map(Interruption::from) {
            if interruption.during(now) && state.current.is_none() {
                state.current = Some(interruption);
            } else if !interruption.cancelled && interruption.starts_at > now {
                state.upcoming.push(interruption);
            } else if interruption.ends_at <= now || interruption.cancelled {
                state.past.push(interruption);
            }
        }
        state.past.reverse();
        let procedures: Vec<(String, String, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT code, name, fallback_procedure FROM site ORDER BY name")
                .fetch_all(pool)
                .await
        })?;
        state.procedures = procedures
            .into_iter()
            .map(|(code, name, written)| SiteProcedure {
                code,
                name,
                written,
            })
            .collect();
        Ok(state)
    }

    /// Records a maintenance (`planned`) or an incident, audited. A maintenance tells, in the
    /// same transaction, the operators whose appointments fall in it. Its number.
    #[tracing::instrument(skip_all)]
    pub async fn record_interruption(
        &self,
        planned: bool,
        draft: &MaintenanceDraft,
        actor: &Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let id: i64 = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(
                "INSERT INTO service_interruption (planned, starts_at, ends_at, message, created_by,
                                                   created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(planned)
            .bind(draft.starts_at)
            .bind(draft.ends_at)
            .bind(&draft.message)
            .bind(actor.user_id)
            .bind(now)
            .fetch_one(conn)
            .await
        })?;
        if planned {
            // The appointments still to be honoured whose slot meets the maintenance.
            let met: Vec<(i64, DateTime<Utc>)> = on_tx!(&mut tx, conn => {
                // A slot lasts less than a day: the lower bound keeps the reading on the index.
                sqlx::query_as(
                    "SELECT a.dossier_id, s.starts_at
                     FROM slot s JOIN appointment a ON a.slot_id = s.id
                     WHERE s.starts_at < $2 AND s.ends_at > $1 AND s.starts_at > $3
                       AND a.state IN ('demande', 'confirme', 'reporte')
                     ORDER BY s.starts_at, a.id",
                )
                .bind(draft.starts_at)
                .bind(draft.ends_at)
                .bind(draft.starts_at - Duration::days(1))
                .fetch_all(conn)
                .await
            })?;
            let period = (
                crate::ui::format::date_time(draft.starts_at),
                crate::ui::format::date_time(draft.ends_at),
            );
            for (dossier_id, at) in met {
                tx.notify(
                    &Notice {
                        kind: "maintenance_rendez_vous",
                        dossier_id,
                        cause: format!("maintenance:{id}"),
                        fields: vec![
                            ("debut", period.0.clone()),
                            ("fin", period.1.clone()),
                            ("motif", draft.message.clone()),
                            ("rendez_vous", crate::ui::format::date_time(at)),
                        ],
                        link: "/etat-du-service".into(),
                    },
                    now,
                )
                .await?;
            }
        }
        let object = format!("interruption:{id}");
        let detail = format!(
            "{} {}",
            if planned { "maintenance" } else { "incident" },
            Interruption {
                id,
                planned,
                starts_at: draft.starts_at,
                ends_at: draft.ends_at,
                message: String::new(),
                cancelled: false,
            }
            .period()
        );
        tx.audit(
            &actor.audit_event(
                if planned {
                    "maintenance_prevue"
                } else {
                    "incident_enregistre"
                },
                &object,
                &detail,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Cancels a maintenance to come, or ends one under way now; audited.
    #[tracing::instrument(skip_all)]
    pub async fn end_interruption(
        &self,
        id: i64,
        actor: &Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<Ended, StoreError> {
        let mut tx = self.begin().await?;
        let cancelled = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE service_interruption SET cancelled_at = $2
                 WHERE id = $1 AND planned = $3 AND cancelled_at IS NULL AND starts_at > $2",
            )
            .bind(id)
            .bind(now)
            .bind(true)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        let ended = if cancelled > 0 {
            Ended::Cancelled
        } else {
            let cut = on_tx!(&mut tx, conn => {
                sqlx::query(
                    "UPDATE service_interruption SET ends_at = $2
                     WHERE id = $1 AND planned = $3 AND cancelled_at IS NULL
                       AND starts_at <= $2 AND ends_at > $2",
                )
                .bind(id)
                .bind(now)
                .bind(true)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
            })?;
            if cut > 0 {
                Ended::Ended
            } else {
                Ended::Nothing
            }
        };
        if ended == Ended::Nothing {
            return Ok(ended);
        }
        let object = format!("interruption:{id}");
        let action = if ended == Ended::Cancelled {
            "maintenance_annulee"
        } else {
            "maintenance_terminee"
        };
        tx.audit(&actor.audit_event(action, &object, ""), now)
            .await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// Writes a site's procédure de secours (empty: the general one); false when there is no
    /// such site. Audited.
    #[tracing::instrument(skip_all)]
    pub async fn set_fallback_procedure(
        &self,
        site: &str,
        text: &str,
        actor: &Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let written = on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE site SET fallback_procedure = $2 WHERE code = $1")
                .bind(site)
                .bind(text)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        if written == 0 {
            return Ok(false);
        }
        let object = format!("site:{site}");
        tx.audit(
            &actor.audit_event("procedure_secours_modifiee", &object, ""),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
