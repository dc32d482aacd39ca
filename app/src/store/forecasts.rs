//! What the delay forecasts rest on: the observed duration of every finished step, by place
//! (the dossier's post, or its site without one), goods category and kind of step, and for each
//! of these the median and 80th percentile of the most recent ones. Both are kept up to date in
//! the transaction that finishes a step, so that a dossier page reads a handful of rows whatever
//! the history holds.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::{on_pool, on_tx, stored_instant, Standing, Store, StoreError, Tx};
use crate::domain::dashboard::exact_quantiles;
use crate::domain::dossier::Dossier;
use crate::domain::forecast::{Forecast, MIN_CASES, WINDOW};
use crate::domain::journey::{StepKind, StepState};

/// The place of a dossier's forecasts, as `observed_duration.place` spells it.
pub fn place(post: Option<&str>, site: &str) -> String {
    match post {
        Some(post) => format!("poste:{post}"),
        None => format!("site:{site}"),
    }
}

/// Every basis worked out again from the most recent observed durations, in one statement (a
/// rebuild; one basis is kept up to date by [`Tx::refresh_basis`], by the same rule): the
/// nearest-rank median and 80th percentile of the last `WINDOW` cases that took no negative
/// time, and their number.
fn basis_sql() -> String {
    format!(
        "WITH recent AS (
             SELECT place, goods_category, kind, minutes,
                    ROW_NUMBER() OVER (PARTITION BY place, goods_category, kind
                                       ORDER BY ended_at DESC) AS recency
             FROM observed_duration WHERE minutes >= 0
         ), kept AS (
             SELECT place, goods_category, kind, minutes,
                    ROW_NUMBER() OVER (PARTITION BY place, goods_category, kind
                                       ORDER BY minutes) AS position,
                    COUNT(*) OVER (PARTITION BY place, goods_category, kind) AS cases
             FROM recent WHERE recency <= {WINDOW}
         )
         INSERT INTO forecast_basis (place, goods_category, kind, median_minutes, p80_minutes, cases)
         SELECT place, goods_category, kind,
                CASE WHEN MAX(cases) >= {MIN_CASES}
                     THEN MAX(CASE WHEN position = (50 * cases + 99) / 100 THEN minutes END) END,
                CASE WHEN MAX(cases) >= {MIN_CASES}
                     THEN MAX(CASE WHEN position = (80 * cases + 99) / 100 THEN minutes END) END,
                MAX(cases)
         FROM kept GROUP BY place, goods_category, kind
         ON CONFLICT (place, goods_category, kind) DO UPDATE SET
             median_minutes = excluded.median_minutes, p80_minutes = excluded.p80_minutes,
             cases = excluded.cases"
    )
}

/// The forecasts of a place and goods category.
pub(crate) const FORECASTS_SQL: &str = "SELECT kind, median_minutes, p80_minutes, cases
     FROM forecast_basis WHERE place = $1 AND goods_category = $2";

/// A basis: its place, goods category and kind of step.
type BasisKey = (String, String, String);

/// The last [`WINDOW`] durations that took no negative time of each basis a transaction
/// refreshed, oldest first (end, minutes): what [`Tx::refresh_basis`] would read again.
pub(crate) type Windows = HashMap<BasisKey, Vec<(DateTime<Utc>, i64)>>;

/// One finished step as the forecasts count it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
struct Observed {
    place: String,
    goods_category: String,
    kind: String,
    ended_at: DateTime<Utc>,
    minutes: i64,
}

impl Tx {
    /// Brings the observed durations of a dossier's finished steps, and the forecasts of the
    /// places, goods and kinds of step that changed, up to date with its steps, post and goods
    /// as they stand in this transaction (`standing`, as the caller just wrote them). Does
    /// nothing when nothing they count changed (most events).
    #[tracing::instrument(skip_all)]
    pub(crate) async fn record_durations(
        &mut self,
        dossier_id: i64,
        standing: &Standing<'_>,
    ) -> Result<(), StoreError> {
        self.record_durations_all(&[(dossier_id, standing)]).await
    }

    /// [`Tx::record_durations`] for many dossiers (those a batch of events changed), as sets: one
    /// read of what they counted, one deletion and one insertion of what changed, and each basis
    /// that changed worked out again once.
    #[tracing::instrument(skip_all, fields(dossiers = dossiers.len()))]
    pub(crate) async fn record_durations_all(
        &mut self,
        dossiers: &[(i64, &Standing<'_>)],
    ) -> Result<(), StoreError> {
        let observed_now = |standing: &Standing<'_>| -> BTreeSet<Observed> {
            let place = place(standing.post.as_deref(), &standing.site);
            standing
                .steps
                .iter()
                .filter(|step| step.state == StepState::Termine)
                .filter_map(|step| {
                    let started = stored_instant(step.started_at?);
                    let ended = stored_instant(step.ended_at?);
                    Some(Observed {
                        place: place.clone(),
                        goods_category: standing.goods.clone(),
                        kind: step.kind.code().to_owned(),
                        ended_at: ended,
                        minutes: (ended - started).num_minutes(),
                    })
                })
                .collect()
        };
        // A dossier opened in this transaction has no durations yet.
        let stored = Standing::stored(dossiers);
        let mut before: HashMap<i64, BTreeSet<Observed>> = HashMap::new();
        type Row = (i64, String, String, String, DateTime<Utc>, i64);
        let rows: Vec<Row> = self
            .read_for_dossiers(
                "SELECT dossier_id, place, goods_category, kind, ended_at, minutes FROM observed_duration
                 WHERE dossier_id IN",
                &stored,
            )
            .await?;
        for (id, place, goods_category, kind, ended_at, minutes) in rows {
            before.entry(id).or_default().insert(Observed {
                place,
                goods_category,
                kind,
                ended_at,
                minutes,
            });
        }
        let empty = BTreeSet::new();
        let mut emptied = Vec::new();
        let mut written: Vec<(i64, Observed)> = Vec::new();
        // In a fixed order, so that two transactions never wait for each other's bases.
        let mut changed: BTreeSet<(String, String, String)> = BTreeSet::new();
        for (id, standing) in dossiers {
            let now = observed_now(standing);
            let before = before.get(id).unwrap_or(&empty);
            if *before == now {
                continue;
            }
            if !before.is_empty() {
                emptied.push(*id);
                // A window that loses a duration may take an older one back: read again.
                if let Some(kept) = &mut self.remembered {
                    for gone in before {
                        kept.windows.remove(&(
                            gone.place.clone(),
                            gone.goods_category.clone(),
                            gone.kind.clone(),
                        ));
                    }
                }
            }
            changed.extend(
                before
                    .symmetric_difference(&now)
                    .map(|o| (o.place.clone(), o.goods_category.clone(), o.kind.clone())),
            );
            written.extend(now.into_iter().map(|observed| (*id, observed)));
        }
        self.delete_for_dossiers("observed_duration", &emptied)
            .await?;
        let size = self.rows_a_statement(6);
        for rows in written.chunks(size) {
            let sql = format!(
                "INSERT INTO observed_duration (dossier_id, place, goods_category, kind, ended_at, minutes)
                 VALUES {}",
                super::values_sql(rows.len(), 6, 1)
            );
            on_tx!(self, conn => {
                let mut query = sqlx::query(&sql);
                for (id, observed) in rows {
                    query = query
                        .bind(id)
                        .bind(&observed.place)
                        .bind(&observed.goods_category)
                        .bind(&observed.kind)
                        .bind(observed.ended_at)
                        .bind(observed.minutes);
                }
                query.execute(conn).await.map(|_| ())
            })?;
        }
        for (_, observed) in &written {
            let key = (
                observed.place.clone(),
                observed.goods_category.clone(),
                observed.kind.clone(),
            );
            if let Some(window) = self
                .remembered
                .as_mut()
                .and_then(|kept| kept.windows.get_mut(&key))
            {
                if observed.minutes >= 0 {
                    let at = window.partition_point(|(ended, _)| *ended <= observed.ended_at);
                    window.insert(at, (observed.ended_at, observed.minutes));
                    if window.len() > WINDOW {
                        window.remove(0);
                    }
                }
            }
        }
        for (place, goods, kind) in &changed {
            self.refresh_basis(place, goods, kind).await?;
        }
        Ok(())
    }

    /// One basis worked out again from the last [`WINDOW`] durations of its place, goods and
    /// kind of step that took no negative time, read from the newest through their index: the
    /// same cost whatever the history holds (working out the window in SQL read every duration
    /// ever observed there, at each step finished). A basis with no case left (a step
    /// reopened) is no basis.
    async fn refresh_basis(
        &mut self,
        place: &str,
        goods: &str,
        kind: &str,
    ) -> Result<(), StoreError> {
        let key = (place.to_owned(), goods.to_owned(), kind.to_owned());
        let kept = self
            .remembered
            .as_ref()
            .and_then(|kept| kept.windows.get(&key));
        let mut minutes: Vec<i64> = match kept {
            Some(window) => window.iter().map(|(_, minutes)| *minutes).collect(),
            None => {
                let mut recent: Vec<(DateTime<Utc>, i64)> = on_tx!(self, conn => {
                    sqlx::query_as(
                        "SELECT ended_at, minutes FROM observed_duration
                         WHERE place = $1 AND goods_category = $2 AND kind = $3 AND minutes >= 0
                         ORDER BY ended_at DESC LIMIT $4",
                    )
                    .bind(place)
                    .bind(goods)
                    .bind(kind)
                    .bind(WINDOW as i64)
                    .fetch_all(conn)
                    .await
                })?;
                recent.reverse();
                let minutes = recent.iter().map(|(_, minutes)| *minutes).collect();
                if let Some(kept) = &mut self.remembered {
                    kept.windows.insert(key, recent);
                }
                minutes
            }
        };
        if minutes.is_empty() {
            on_tx!(self, conn => {
                sqlx::query(
                    "DELETE FROM forecast_basis WHERE place = $1 AND goods_category = $2 AND kind = $3",
                )
                .bind(place)
                .bind(goods)
                .bind(kind)
                .execute(conn)
                .await
                .map(|_| ())
            })?;
            return Ok(());
        }
        let quantiles = exact_quantiles(&mut minutes);
        let enough = minutes.len() >= MIN_CASES;
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO forecast_basis (place, goods_category, kind, median_minutes, p80_minutes, cases)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (place, goods_category, kind) DO UPDATE SET
                     median_minutes = excluded.median_minutes, p80_minutes = excluded.p80_minutes,
                     cases = excluded.cases",
            )
            .bind(place)
            .bind(goods)
            .bind(kind)
            .bind(quantiles.median.filter(|_| enough))
            .bind(quantiles.p80.filter(|_| enough))
            .bind(quantiles.cases)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }
}

impl Store {
    /// What the durations observed at a dossier's post (or site) for its goods say about each
    /// kind of step: one indexed read of a few rows.
    #[tracing::instrument(skip_all)]
    pub async fn forecasts(
        &self,
        dossier: &Dossier,
    ) -> Result<HashMap<StepKind, Forecast>, StoreError> {
        let summary = &dossier.summary;
        let rows: Vec<(String, Option<i64>, Option<i64>, i64)> = on_pool!(self, pool => {
            sqlx::query_as(FORECASTS_SQL)
            .bind(place(
                summary.post.as_ref().map(|post| post.as_str()),
                summary.site.as_str(),
            ))
            .bind(summary.goods.code())
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(kind, median, p80, cases)| {
                let kind = StepKind::from_code(&kind)?;
                let cases = usize::try_from(cases).unwrap_or(0);
                let forecast = match (median, p80) {
                    (Some(median_minutes), Some(p80_minutes)) => Forecast::Estimate {
                        median_minutes,
                        p80_minutes,
                        cases,
                    },
                    _ => Forecast::NotEnoughData { cases },
                };
                Some((kind, forecast))
            })
            .collect())
    }

    /// Works every forecast out again from the observed durations: after a migration (when
    /// there are durations but no forecast yet) and after records are loaded in bulk.
    #[tracing::instrument(skip_all)]
    pub async fn rebuild_forecasts(&self) -> Result<(), StoreError> {
        let sql = basis_sql();
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => {
            sqlx::query("DELETE FROM forecast_basis").execute(&mut *conn).await?;
            sqlx::query(&sql).execute(conn).await.map(|_| ())
        })?;
        tx.commit().await
    }

    /// At start: the forecasts, when durations were observed but none is kept yet (the first
    /// start after the migration that brought them).
    pub(crate) async fn settle_forecasts(&self) -> Result<(), StoreError> {
        let missing: bool = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM observed_duration)
                    AND NOT EXISTS (SELECT 1 FROM forecast_basis)",
            )
            .fetch_one(pool)
            .await
        })?;
        if missing {
            self.rebuild_forecasts().await?;
            tracing::info!("prévisions de délais établies à partir des durées observées");
        }
        Ok(())
    }
}
