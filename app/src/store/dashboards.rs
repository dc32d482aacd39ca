//! The dashboards' summaries and reads. What each dossier counts for
//! ([`crate::domain::dashboard::contributions`]) is kept in `dossier_indicator`; the
//! transaction that changes a dossier's steps moves the day, month and company summaries by
//! the difference, in a fixed order of their keys so that two transactions never wait for each
//! other. Reads sum the summaries of a period (by day for a day or a week, by month for a month
//! or a year); the rendez-vous, alerts and exchanges of a period are read from their own tables.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::{on_pool, on_tx, stored_instant, Standing, Store, StoreError, Tx};
use crate::domain::dashboard::{
    contributions, exact_quantiles, month_of, AppointmentFigures, Compared, Contribution, FollowUp,
    Histogram, Measure, Period, PeriodKind, Quantiles, StepTimes,
};
use crate::domain::journey::{StepKind, StepState};
use crate::domain::references::Locode;

/// A value bound to a query built from filters.
#[derive(Clone, Debug)]
enum Value {
    Text(String),
    Day(NaiveDate),
    At(DateTime<Utc>),
}

macro_rules! bind_all {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                Value::Text(text) => query.bind(text.clone()),
                Value::Day(day) => query.bind(*day),
                Value::At(at) => query.bind(*at),
            };
        }
        query
    }};
}

/// Conditions on the columns of a query and the values they bind, numbered in order.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    values: Vec<Value>,
}

impl Conditions {
    fn push(&mut self, template: &str, value: Value) {
        self.values.push(value);
        self.sql
            .push(template.replace('?', &format!("${}", self.values.len())));
    }

    fn any_of(&mut self, column: &str, texts: &[String]) {
        if texts.is_empty() {
            self.sql.push("1 = 0".into());
            return;
        }
        let mut marks = Vec::new();
        for text in texts {
            self.values.push(Value::Text(text.clone()));
            marks.push(format!("${}", self.values.len()));
        }
        self.sql.push(format!("{column} IN ({})", marks.join(", ")));
    }

    fn clause(&self) -> String {
        if self.sql.is_empty() {
            "1 = 1".into()
        } else {
            self.sql.join(" AND ")
        }
    }
}

/// Where a dashboard looks: the sites the reader may see (none: all), and the filters.
#[derive(Clone, Debug, Default)]
pub struct DashboardScope {
    pub sites: Option<Vec<Locode>>,
    pub site: Option<String>,
    pub post: Option<String>,
    pub goods: Option<String>,
}

impl DashboardScope {
    /// The conditions on a table with `site_code`, `post_code` and `goods_category` columns
    /// (prefixed by `prefix`), or with a post column only where `post_column` is given.
    fn conditions(&self, site: &str, post: Option<&str>, goods: Option<&str>) -> Conditions {
        let mut conditions = Conditions::default();
        if let Some(sites) = &self.sites {
            let codes: Vec<String> = sites.iter().map(|s| s.as_str().to_owned()).collect();
            conditions.any_of(site, &codes);
        }
        if let Some(code) = &self.site {
            conditions.push(&format!("{site} = ?"), Value::Text(code.clone()));
        }
        if let (Some(code), Some(column)) = (&self.post, post) {
            conditions.push(&format!("{column} = ?"), Value::Text(code.clone()));
        }
        if let (Some(code), Some(column)) = (&self.goods, goods) {
            conditions.push(&format!("{column} = ?"), Value::Text(code.clone()));
        }
        conditions
    }
}

/// The instant a Paris day begins.
fn paris_midnight(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono_tz::Europe::Paris
        .from_local_datetime(&midnight)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The dossier figures of one period: how many count for each measure and bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tallies(pub HashMap<Measure, Histogram>);

impl Tallies {
    pub fn count(&self, measure: Measure) -> i64 {
        self.0.get(&measure).map(Histogram::count).unwrap_or(0)
    }

    /// How many answered yes (bucket 1) to a yes/no measure.
    pub fn yes(&self, measure: Measure) -> i64 {
        self.0
            .get(&measure)
            .map(|h| h.0.iter().filter(|(b, _)| *b == 1).map(|(_, n)| n).sum())
            .unwrap_or(0)
    }

    pub fn quantiles(&self, measure: Measure) -> Quantiles {
        self.0
            .get(&measure)
            .map(Histogram::quantiles)
            .unwrap_or_default()
    }
}

/// Where a dossier counts: its site, post ('' without), goods and company (0 without).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Place {
    site: String,
    post: String,
    goods: String,
    company: i64,
}

/// One row of `dossier_indicator`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Counted {
    place: Place,
    contribution: Contribution,
}

/// A post's rendez-vous of a period: places offered, appointments by state, validation delays.
pub type AppointmentRows = (i64, BTreeMap<String, i64>, Vec<i64>);
/// A row of `indicator_company`: month, site, goods, company, dossiers.
pub type CompanyRow = (NaiveDate, String, String, i64, i64);
/// A row of a histogram by month: month, site, goods, bucket, dossiers.
pub type HistogramRow = (NaiveDate, String, String, i32, i64);

/// The rendez-vous, alerts or exchanges the DGITM's statistics count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatItems {
    /// Rendez-vous booked, by their slot's start.
    Booked,
    /// Rendez-vous missed, by their slot's start.
    NoShows,
    /// Rendez-vous confirmed or refused, by when, with the time it took.
    Validations,
    /// Alerts, by their opening, with the time to their closing.
    Alerts,
    /// Exchanges, by their opening, with the time to the first answer.
    Exchanges,
}

/// One of them: when it counts, where, its goods and company (when known), and the minutes it
/// took for a delay (none while not done).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatItem {
    pub at: DateTime<Utc>,
    pub site: String,
    pub goods: Option<String>,
    pub company: Option<i64>,
    pub minutes: Option<i64>,
}
/// A step with its dossier's id.
type DossierStepRow = (
    i64,
    String,
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

type StepRow = (String, String, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn step_times(rows: Vec<StepRow>) -> Vec<StepTimes> {
    rows.into_iter()
        .filter_map(|(kind, state, started_at, ended_at)| {
            Some(StepTimes {
                kind: StepKind::from_code(&kind)?,
                state: StepState::from_code(&state)?,
                started_at,
                ended_at,
            })
        })
        .collect()
}

/// The summaries' moves of some rows counted (`delta` +1) or no longer counted (−1), summed by
/// key and in the keys' order. A transaction sums those of every dossier it touches and applies
/// them once, just before its commit ([`Tx::commit`]): a batch of a hundred events of one site and
/// day moves each summary row once, not once per event, and every transaction takes the rows'
/// locks in the same (the keys') order, last.
#[derive(Default)]
pub(crate) struct Moves {
    day: BTreeMap<(NaiveDate, String, String, String, String, i32), i64>,
    month: BTreeMap<(NaiveDate, String, String, String, String, i32), i64>,
    company: BTreeMap<(NaiveDate, String, String, String, i64), i64>,
}

impl Moves {
    fn add(&mut self, counted: &Counted, delta: i64) {
        let c = &counted.contribution;
        let p = &counted.place;
        let measure = c.measure.code();
        *self
            .day
            .entry((
                c.day,
                p.site.clone(),
                p.post.clone(),
                p.goods.clone(),
                measure.clone(),
                c.bucket,
            ))
            .or_default() += delta;
        *self
            .month
            .entry((
                month_of(c.day),
                p.site.clone(),
                p.post.clone(),
                p.goods.clone(),
                measure,
                c.bucket,
            ))
            .or_default() += delta;
        *self
            .company
            .entry((
                month_of(c.day),
                c.figure(),
                p.site.clone(),
                p.goods.clone(),
                p.company,
            ))
            .or_default() += delta;
    }
}

const DAY_UPSERT: &str = "INSERT INTO indicator_day
         (day, site_code, post_code, goods_category, measure, bucket, dossiers)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (day, site_code, post_code, goods_category, measure, bucket)
     DO UPDATE SET dossiers = indicator_day.dossiers + excluded.dossiers";
const MONTH_UPSERT: &str = "INSERT INTO indicator_month
         (month, site_code, post_code, goods_category, measure, bucket, dossiers)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (month, site_code, post_code, goods_category, measure, bucket)
     DO UPDATE SET dossiers = indicator_month.dossiers + excluded.dossiers";
const COMPANY_UPSERT: &str = "INSERT INTO indicator_company
         (month, figure, site_code, goods_category, company_id, dossiers)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (month, figure, site_code, goods_category, company_id)
     DO UPDATE SET dossiers = indicator_company.dossiers + excluded.dossiers";

impl Tx {
    /// Brings what a dossier counts for in the dashboards up to date with its steps, site,
    /// post, goods and company as they stand in this transaction (`standing`, as the caller just
    /// wrote them), and moves the summaries by the difference (applied at the commit). Does
    /// nothing when nothing they count changed (most events).
    #[tracing::instrument(skip_all)]
    pub(crate) async fn record_indicators(
        &mut self,
        dossier_id: i64,
        standing: &Standing<'_>,
    ) -> Result<(), StoreError> {
        self.record_indicators_all(&[(dossier_id, standing)]).await
    }

    /// [`Tx::record_indicators`] for many dossiers (those a batch of events changed), as sets:
    /// one read of what they counted for, one deletion and one insertion of what changed.
    #[tracing::instrument(skip_all, fields(dossiers = dossiers.len()))]
    pub(crate) async fn record_indicators_all(
        &mut self,
        dossiers: &[(i64, &Standing<'_>)],
    ) -> Result<(), StoreError> {
        let counted_now = |standing: &Standing<'_>| -> BTreeSet<Counted> {
            let place = Place {
                site: standing.site.clone(),
                post: standing.post.clone().unwrap_or_default(),
                goods: standing.goods.clone(),
                company: standing.company.unwrap_or(0),
            };
            let steps: Vec<StepTimes> = standing
                .steps
                .iter()
                .map(|step| StepTimes {
                    kind: step.kind,
                    state: step.state,
                    started_at: step.started_at.map(stored_instant),
                    ended_at: step.ended_at.map(stored_instant),
                })
                .collect();
            contributions(stored_instant(standing.opened_at), &steps)
                .into_iter()
                .map(|contribution| Counted {
                    place: place.clone(),
                    contribution,
                })
                .collect()
        };
        // A dossier opened in this transaction counts for nothing yet.
        let stored = Standing::stored(dossiers);
        let mut before: HashMap<i64, BTreeSet<Counted>> = HashMap::new();
        type IndicatorRow = (i64, String, NaiveDate, i32, String, String, String, i64);
        let rows: Vec<IndicatorRow> = self
            .read_for_dossiers(
                "SELECT dossier_id, measure, day, bucket, site_code, post_code, goods_category, company_id
                 FROM dossier_indicator WHERE dossier_id IN",
                &stored,
            )
            .await?;
        for (id, measure, day, bucket, site, post, goods, company) in rows {
            // A row read is stored, even one whose measure is no longer known.
            let counted = before.entry(id).or_default();
            if let Some(measure) = Measure::from_code(&measure) {
                counted.insert(Counted {
                    place: Place {
                        site,
                        post,
                        goods,
                        company,
                    },
                    contribution: Contribution {
                        measure,
                        day,
                        bucket,
                    },
                });
            }
        }
        let empty = BTreeSet::new();
        let mut emptied = Vec::new();
        let mut rows: Vec<(i64, Counted)> = Vec::new();
        for (id, standing) in dossiers {
            let now = counted_now(standing);
            let stored = before.contains_key(id);
            let before = before.get(id).unwrap_or(&empty);
            if *before == now {
                continue;
            }
            for gone in before.difference(&now) {
                self.moves.add(gone, -1);
            }
            for new in now.difference(before) {
                self.moves.add(new, 1);
            }
            if stored {
                emptied.push(*id);
            }
            rows.extend(now.into_iter().map(|counted| (*id, counted)));
        }
        self.delete_for_dossiers("dossier_indicator", &emptied)
            .await?;
        self.insert_counted(&rows).await?;
        Ok(())
    }

    /// What dossiers count for, as many rows a statement as the store takes well.
    async fn insert_counted(&mut self, rows: &[(i64, Counted)]) -> Result<(), StoreError> {
        let size = self.rows_a_statement(8);
        for chunk in rows.chunks(size) {
            let mut sql = String::from(
                "INSERT INTO dossier_indicator
                     (dossier_id, measure, day, bucket, site_code, post_code, goods_category, company_id)
                 VALUES ",
            );
            sql.push_str(&super::values_sql(chunk.len(), 8, 1));
            on_tx!(self, conn => {
                let mut query = sqlx::query(&sql);
                for (id, counted) in chunk {
                    let c = &counted.contribution;
                    let p = &counted.place;
                    query = query
                        .bind(*id)
                        .bind(c.measure.code())
                        .bind(c.day)
                        .bind(c.bucket)
                        .bind(p.site.clone())
                        .bind(p.post.clone())
                        .bind(p.goods.clone())
                        .bind(p.company);
                }
                query.execute(conn).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Applies the summaries' moves the transaction gathered (see [`Moves`]).
    pub(crate) async fn apply_moves(&mut self) -> Result<(), StoreError> {
        let moves = std::mem::take(&mut self.moves);
        for ((day, site, post, goods, measure, bucket), delta) in &moves.day {
            if *delta == 0 {
                continue;
            }
            on_tx!(self, conn => {
                sqlx::query(DAY_UPSERT)
                    .bind(day).bind(site).bind(post).bind(goods).bind(measure).bind(bucket)
                    .bind(delta)
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
        }
        for ((month, site, post, goods, measure, bucket), delta) in &moves.month {
            if *delta == 0 {
                continue;
            }
            on_tx!(self, conn => {
                sqlx::query(MONTH_UPSERT)
                    .bind(month).bind(site).bind(post).bind(goods).bind(measure).bind(bucket)
                    .bind(delta)
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
        }
        for ((month, figure, site, goods, company), delta) in &moves.company {
            if *delta == 0 {
                continue;
            }
            on_tx!(self, conn => {
                sqlx::query(COMPANY_UPSERT)
                    .bind(month).bind(figure).bind(site).bind(goods).bind(company)
                    .bind(delta)
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
        }
        Ok(())
    }
}

/// How many dossiers the rebuild reads at a time.
const REBUILD_BATCH: i64 = 5_000;

impl Store {
    /// Works every dossier's indicators and the summaries out again from the steps: after a
    /// migration (dossiers but no indicator yet) and after records are loaded in bulk.
    #[tracing::instrument(skip_all)]
    pub async fn rebuild_indicators(&self) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => {
            for table in ["dossier_indicator", "indicator_day", "indicator_month", "indicator_company"] {
                sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *conn).await?;
            }
            Ok::<(), sqlx::Error>(())
        })?;
        let mut after = 0_i64;
        loop {
            type Row = (
                i64,
                DateTime<Utc>,
                String,
                Option<String>,
                String,
                Option<i64>,
            );
            let dossiers: Vec<Row> = on_tx!(&mut tx, conn => {
                sqlx::query_as(
                    "SELECT id, opened_at, site_code, post_code, goods_category, company_id
                     FROM dossier WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(REBUILD_BATCH)
                .fetch_all(conn)
                .await
            })?;
            let Some(last) = dossiers.last().map(|row| row.0) else {
                break;
            };
            let steps: Vec<DossierStepRow> = on_tx!(&mut tx, conn => {
                sqlx::query_as(
                    "SELECT dossier_id, kind, state, started_at, ended_at FROM step
                     WHERE dossier_id > $1 AND dossier_id <= $2",
                )
                .bind(after)
                .bind(last)
                .fetch_all(conn)
                .await
            })?;
            let mut by_dossier: HashMap<i64, Vec<StepRow>> = HashMap::new();
            for (id, kind, state, started, ended) in steps {
                by_dossier
                    .entry(id)
                    .or_default()
                    .push((kind, state, started, ended));
            }
            let mut rows = Vec::new();
            for (id, opened_at, site, post, goods, company) in dossiers {
                let place = Place {
                    site,
                    post: post.unwrap_or_default(),
                    goods,
                    company: company.unwrap_or(0),
                };
                let steps = step_times(by_dossier.remove(&id).unwrap_or_default());
                for contribution in contributions(opened_at, &steps) {
                    rows.push((
                        id,
                        Counted {
                            place: place.clone(),
                            contribution,
                        },
                    ));
                }
            }
            tx.insert_counted(&rows).await?;
            after = last;
        }
        // The summaries, summed from what every dossier counts for (as `Moves::add` sums them).
        let month = match self.engine {
            super::Engine::Sqlite(_) => "strftime('%Y-%m-01', day)",
            super::Engine::Postgres(_) => "CAST(date_trunc('month', day) AS DATE)",
        };
        let yes_no: Vec<String> = Measure::YES_NO
            .iter()
            .map(|measure| format!("'{}'", measure.code()))
            .collect();
        let figure = format!(
            "CASE WHEN measure IN ({}) THEN measure || ':' || CAST(bucket AS TEXT) ELSE measure END",
            yes_no.join(", ")
        );
        let summaries = [
            "INSERT INTO indicator_day
                 (day, site_code, post_code, goods_category, measure, bucket, dossiers)
             SELECT day, site_code, post_code, goods_category, measure, bucket, COUNT(*)
             FROM dossier_indicator
             GROUP BY day, site_code, post_code, goods_category, measure, bucket"
                .to_owned(),
            format!(
                "INSERT INTO indicator_month
                     (month, site_code, post_code, goods_category, measure, bucket, dossiers)
                 SELECT {month}, site_code, post_code, goods_category, measure, bucket, COUNT(*)
                 FROM dossier_indicator
                 GROUP BY {month}, site_code, post_code, goods_category, measure, bucket"
            ),
            format!(
                "INSERT INTO indicator_company
                     (month, figure, site_code, goods_category, company_id, dossiers)
                 SELECT {month}, {figure}, site_code, goods_category, company_id, COUNT(*)
                 FROM dossier_indicator
                 GROUP BY {month}, {figure}, site_code, goods_category, company_id"
            ),
        ];
        for sql in &summaries {
            on_tx!(&mut tx, conn => {
                sqlx::query(sql).execute(conn).await.map(|_| ())
            })?;
        }
        tx.commit().await
    }

    /// At start: the indicators, when there are dossiers but none is counted yet (the first
    /// start after the migration that brought them).
    pub(crate) async fn settle_indicators(&self) -> Result<(), StoreError> {
        let missing: bool = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM dossier)
                    AND NOT EXISTS (SELECT 1 FROM dossier_indicator)",
            )
            .fetch_one(pool)
            .await
        })?;
        if missing {
            self.rebuild_indicators().await?;
            tracing::info!("indicateurs des tableaux de bord établis à partir des dossiers");
        }
        Ok(())
    }

    /// The dossier figures of a period, from the day summaries (a day, a week) or the month
    /// ones (a month, a year).
    #[tracing::instrument(skip_all)]
    pub async fn dashboard_tallies(
        &self,
        scope: &DashboardScope,
        period: Period,
    ) -> Result<Tallies, StoreError> {
        let rows = self
            .summary_rows(scope, period.kind, period.start, period.end(), None)
            .await?;
        let mut tallies = Tallies::default();
        for (_, measure, bucket, dossiers) in rows {
            if let Some(measure) = Measure::from_code(&measure) {
                tallies.0.entry(measure).or_default().add(bucket, dossiers);
            }
        }
        Ok(tallies)
    }

    /// The opened and released dossiers of each period of a trend: one read.
    #[tracing::instrument(skip_all)]
    pub async fn dashboard_trend(
        &self,
        scope: &DashboardScope,
        periods: &[Period],
    ) -> Result<Vec<Tallies>, StoreError> {
        let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
            return Ok(Vec::new());
        };
        let rows = self
            .summary_rows(
                scope,
                first.kind,
                first.start,
                last.end(),
                Some(&[Measure::Opened.code(), Measure::Released.code()]),
            )
            .await?;
        let mut tallies = vec![Tallies::default(); periods.len()];
        for (day, measure, bucket, dossiers) in rows {
            let Some(measure) = Measure::from_code(&measure) else {
                continue;
            };
            if let Some(index) = periods
                .iter()
                .position(|period| period.start <= day && day < period.end())
            {
                tallies[index]
                    .0
                    .entry(measure)
                    .or_default()
                    .add(bucket, dossiers);
            }
        }
        Ok(tallies)
    }

    async fn summary_rows(
        &self,
        scope: &DashboardScope,
        kind: PeriodKind,
        from: NaiveDate,
        to: NaiveDate,
        measures: Option<&[String]>,
    ) -> Result<Vec<(NaiveDate, String, i32, i64)>, StoreError> {
        let (table, column) = if kind.by_month() {
            ("indicator_month", "month")
        } else {
            ("indicator_day", "day")
        };
        let mut conditions =
            scope.conditions("site_code", Some("post_code"), Some("goods_category"));
        conditions.push(&format!("{column} >= ?"), Value::Day(from));
        conditions.push(&format!("{column} < ?"), Value::Day(to));
        if let Some(measures) = measures {
            conditions.any_of("measure", measures);
        }
        let sql = format!(
            "SELECT {column}, measure, bucket, CAST(SUM(dossiers) AS BIGINT) FROM {table}
             WHERE {} GROUP BY {column}, measure, bucket",
            conditions.clause()
        );
        let rows: Vec<(NaiveDate, String, i32, i64)> = on_pool!(self, pool => {
            bind_all!(sqlx::query_as(&sql), &conditions.values)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows)
    }

    /// The rendez-vous of the posts in scope whose slot starts in the period.
    #[tracing::instrument(skip_all)]
    pub async fn dashboard_appointments(
        &self,
        scope: &DashboardScope,
        period: Period,
    ) -> Result<AppointmentRows, StoreError> {
        let (from, to) = (paris_midnight(period.start), paris_midnight(period.end()));
        // Only the joins the filters need: a national view reads slots and appointments alone.
        let site_join = if scope.sites.is_some() || scope.site.is_some() {
            " JOIN post p ON p.code = s.post_code"
        } else {
            ""
        };
        let goods_join = if scope.goods.is_some() {
            " JOIN dossier d ON d.id = a.dossier_id"
        } else {
            ""
        };
        let mut conditions = scope.conditions("p.site_code", Some("s.post_code"), None);
        conditions.push("s.starts_at >= ?", Value::At(from));
        conditions.push("s.starts_at < ?", Value::At(to));
        let places_sql = format!(
            "SELECT CAST(COALESCE(SUM(s.capacity), 0) AS BIGINT) FROM slot s{site_join}
             WHERE {}",
            conditions.clause()
        );
        let places: i64 = on_pool!(self, pool => {
            bind_all!(sqlx::query_scalar(&places_sql), &conditions.values)
                .fetch_one(pool)
                .await
        })?;
        let mut conditions =
            scope.conditions("p.site_code", Some("s.post_code"), Some("d.goods_category"));
        conditions.push("s.starts_at >= ?", Value::At(from));
        conditions.push("s.starts_at < ?", Value::At(to));
        let states_sql = format!(
            "SELECT a.state, COUNT(*) FROM appointment a JOIN slot s ON s.id = a.slot_id
                 {site_join}{goods_join}
             WHERE {} GROUP BY a.state",
            conditions.clause()
        );
        let states: Vec<(String, i64)> = on_pool!(self, pool => {
            bind_all!(sqlx::query_as(&states_sql), &conditions.values)
                .fetch_all(pool)
                .await
        })?;
        let mut conditions =
            scope.conditions("p.site_code", Some("s.post_code"), Some("d.goods_category"));
        conditions.push("a.decided_at >= ?", Value::At(from));
        conditions.push("a.decided_at < ?", Value::At(to));
        let delays_sql = format!(
            "SELECT a.created_at, a.decided_at FROM appointment a JOIN slot s ON s.id = a.slot_id
                 {site_join}{goods_join}
             WHERE {}",
            conditions.clause()
        );
        let delays: Vec<(DateTime<Utc>, DateTime<Utc>)> = on_pool!(self, pool => {
            bind_all!(sqlx::query_as(&delays_sql), &conditions.values)
                .fetch_all(pool)
                .await
        })?;
        Ok((
            places,
            states.into_iter().collect(),
            delays
                .into_iter()
                .map(|(asked, decided)| (decided - asked).num_minutes().max(0))
                .collect(),
        ))
    }

    /// The alerts of the sites in scope opened in the period: their number, and the minutes
    /// each closed one stayed open.
    #[tracing::instrument(skip_all)]
    pub async fn dashboard_alerts(
        &self,
        scope: &DashboardScope,
        period: Period,
    ) -> Result<(i64, Vec<i64>), StoreError> {
        let (from, to) = (paris_midnight(period.start), paris_midnight(period.end()));
        let mut conditions =
            scope.conditions("site_code", Some("post_code"), Some("goods_category"));
        conditions.push("opened_at >= ?", Value::At(from));
        conditions.push("opened_at < ?", Value::At(to));
        let sql = format!(
            "SELECT opened_at, closed_at FROM alert WHERE {}",
            conditions.clause()
        );
        self.opened_and_done(&sql, &conditions).await
    }

    /// The exchanges of the sites in scope opened in the period: their number, and the
    /// minutes to the first message of the other side for each one answered.
    #[tracing::instrument(skip_all)]
    pub async fn dashboard_exchanges(
        &self,
        scope: &DashboardScope,
        period: Period,
    ) -> Result<(i64, Vec<i64>), StoreError> {
        let (from, to) = (paris_midnight(period.start), paris_midnight(period.end()));
        let filtered = scope.post.is_some() || scope.goods.is_some();
        let mut conditions =
            scope.conditions("e.site_code", Some("d.post_code"), Some("d.goods_category"));
        conditions.push("e.opened_at >= ?", Value::At(from));
        conditions.push("e.opened_at < ?", Value::At(to));
        let join = if filtered {
            "JOIN dossier d ON d.id = e.dossier_id"
        } else {
            ""
        };
        let sql = format!(
            "SELECT e.opened_at,
                    (SELECT MIN(x.at) FROM exchange_entry x
                     WHERE x.exchange_id = e.id AND x.kind = 'message'
                       AND x.side <> CASE WHEN e.opened_by = 'operateur' THEN 'operateur'
                                          ELSE 'administration' END)
             FROM exchange e {join} WHERE {}",
            conditions.clause()
        );
        self.opened_and_done(&sql, &conditions).await
    }

    /// Things opened in a period (`sql` reads when each was opened, and when it was done if it
    /// was): how many, and the minutes each done one took.
    async fn opened_and_done(
        &self,
        sql: &str,
        conditions: &Conditions,
    ) -> Result<(i64, Vec<i64>), StoreError> {
        let rows: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = on_pool!(self, pool => {
            bind_all!(sqlx::query_as(sql), &conditions.values)
                .fetch_all(pool)
                .await
        })?;
        Ok((
            rows.len() as i64,
            rows.into_iter()
                .filter_map(|(opened, done)| Some((done? - opened).num_minutes().max(0)))
                .collect(),
        ))
    }

    /// The company contributions of one figure over a year, by month, site and goods: what
    /// the DGITM's statistics need to hide what could single out an operator.
    #[tracing::instrument(skip_all)]
    pub async fn statistics_rows(
        &self,
        figure: &str,
        year: i32,
    ) -> Result<Vec<CompanyRow>, StoreError> {
        let (from, to) = year_days(year);
        let rows = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT month, site_code, goods_category, company_id, dossiers
                 FROM indicator_company
                 WHERE figure = $1 AND month >= $2 AND month < $3 AND dossiers > 0",
            )
            .bind(figure)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows)
    }

    /// The histograms of a dossier measure over a year, by month, site, goods and bucket
    /// (summed over posts): the durations of the DGITM's statistics.
    #[tracing::instrument(skip_all)]
    pub async fn statistics_histograms(
        &self,
        measure: &str,
        year: i32,
    ) -> Result<Vec<HistogramRow>, StoreError> {
        let (from, to) = year_days(year);
        let rows = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT month, site_code, goods_category, bucket, CAST(SUM(dossiers) AS BIGINT)
                 FROM indicator_month
                 WHERE measure = $1 AND month >= $2 AND month < $3
                 GROUP BY month, site_code, goods_category, bucket",
            )
            .bind(measure)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows)
    }

    /// The rendez-vous, alerts or exchanges of a year that the DGITM's statistics count (by
    /// when each counts), with where they are, their goods, their company and, for a delay,
    /// the minutes it took (none while not done).
    #[tracing::instrument(skip_all)]
    pub async fn statistics_items(
        &self,
        items: StatItems,
        year: i32,
    ) -> Result<Vec<StatItem>, StoreError> {
        let (from, to) = year_days(year);
        let (from, to) = (paris_midnight(from), paris_midnight(to));
        const APPOINTMENTS: &str = "FROM appointment a JOIN slot s ON s.id = a.slot_id
             JOIN post p ON p.code = s.post_code JOIN dossier d ON d.id = a.dossier_id";
        // Each reads: when it counts, from and to (for a delay), site, goods, company.
        let sql = match items {
            StatItems::Booked | StatItems::NoShows => format!(
                "SELECT s.starts_at, a.created_at, a.decided_at, p.site_code, d.goods_category,
                        COALESCE(a.company_id, d.company_id)
                 {APPOINTMENTS}
                 WHERE s.starts_at >= $1 AND s.starts_at < $2 AND a.state IN ({})",
                if items == StatItems::NoShows {
                    "'absent'"
                } else {
                    "'demande', 'confirme', 'reporte', 'honore', 'absent'"
                }
            ),
            StatItems::Validations => format!(
                "SELECT a.decided_at, a.created_at, a.decided_at, p.site_code, d.goods_category,
                        COALESCE(a.company_id, d.company_id)
                 {APPOINTMENTS}
                 WHERE a.decided_at >= $1 AND a.decided_at < $2"
            ),
            StatItems::Alerts => "SELECT a.opened_at, a.opened_at, a.closed_at, a.site_code,
                        COALESCE(a.goods_category, d.goods_category), d.company_id
                 FROM alert a LEFT JOIN dossier d ON d.id = a.dossier_id
                 WHERE a.opened_at >= $1 AND a.opened_at < $2"
                .into(),
            StatItems::Exchanges => "SELECT e.opened_at, e.opened_at,
                        (SELECT MIN(x.at) FROM exchange_entry x
                         WHERE x.exchange_id = e.id AND x.kind = 'message'
                           AND x.side <> CASE WHEN e.opened_by = 'operateur' THEN 'operateur'
                                              ELSE 'administration' END),
                        e.site_code, d.goods_category, e.company_id
                 FROM exchange e LEFT JOIN dossier d ON d.id = e.dossier_id
                 WHERE e.opened_at >= $1 AND e.opened_at < $2"
                .into(),
        };
        type Row = (
            DateTime<Utc>,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            String,
            Option<String>,
            Option<i64>,
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(from).bind(to).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(at, since, done, site, goods, company)| StatItem {
                at,
                site,
                goods,
                company,
                minutes: done.map(|done| (done - since).num_minutes().max(0)),
            })
            .collect())
    }

    /// The places of the rendez-vous slots of a year: when each slot starts, its site, its
    /// capacity.
    #[tracing::instrument(skip_all)]
    pub async fn statistics_places(
        &self,
        year: i32,
    ) -> Result<Vec<(DateTime<Utc>, String, i64)>, StoreError> {
        let (from, to) = year_days(year);
        let (from, to) = (paris_midnight(from), paris_midnight(to));
        let rows = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT s.starts_at, p.site_code, CAST(s.capacity AS BIGINT)
                 FROM slot s JOIN post p ON p.code = s.post_code
                 WHERE s.starts_at >= $1 AND s.starts_at < $2 AND s.capacity > 0",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows)
    }
}

/// The figures of a period and the one before, put together.
pub fn compared(current: i64, previous: i64) -> Compared {
    Compared { current, previous }
}

/// The rendez-vous figures of two periods.
pub fn appointment_figures(
    current: AppointmentRows,
    previous: AppointmentRows,
) -> AppointmentFigures {
    let held = |states: &BTreeMap<String, i64>| {
        ["demande", "confirme", "reporte", "honore", "absent"]
            .iter()
            .map(|state| states.get(*state).copied().unwrap_or(0))
            .sum::<i64>()
    };
    let state = |states: &BTreeMap<String, i64>, code: &str| states.get(code).copied().unwrap_or(0);
    let (places, states, mut delays) = current;
    let (previous_places, previous_states, mut previous_delays) = previous;
    AppointmentFigures {
        places: compared(places, previous_places),
        booked: compared(held(&states), held(&previous_states)),
        honoured: compared(state(&states, "honore"), state(&previous_states, "honore")),
        no_shows: compared(state(&states, "absent"), state(&previous_states, "absent")),
        validation: [
            exact_quantiles(&mut delays),
            exact_quantiles(&mut previous_delays),
        ],
    }
}

/// Things opened and done (closed, answered) in two periods.
pub fn follow_up(current: (i64, Vec<i64>), previous: (i64, Vec<i64>)) -> FollowUp {
    let (opened, mut delays) = current;
    let (previous_opened, mut previous_delays) = previous;
    FollowUp {
        opened: compared(opened, previous_opened),
        done: compared(delays.len() as i64, previous_delays.len() as i64),
        delay: [
            exact_quantiles(&mut delays),
            exact_quantiles(&mut previous_delays),
        ],
    }
}

/// A year's first day and the next year's, its bounds.
fn year_days(year: i32) -> (NaiveDate, NaiveDate) {
    let first = |year| NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    (first(year), first(year + 1))
}
