//! Dossiers, their steps and their events.

use chrono::{DateTime, Utc};

use super::{decode, decode_reference, on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::access::DossierScope;
use crate::domain::directory::{Administration, SiteKind};
use crate::domain::dossier::{
    current_step, Dossier, DossierPage, DossierQuery, DossierSort, DossierStatus, DossierSummary,
    Flow, GoodsCategory, References, PAGE_SIZE,
};
use crate::domain::journey::{EventKind, EventSource, Step, StepKind, StepState, TimelineEvent};
use crate::domain::references::{
    Awb, BillOfLading, ChedReference, ContainerNumber, Locode, Mrn, PostCode,
};

/// An event to record on a new dossier.
pub struct NewEvent {
    pub kind: EventKind,
    pub source: EventSource,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub post: Option<PostCode>,
    pub detail: Option<String>,
}

/// A dossier to create, with its timeline. Its status and current step are derived from the
/// steps, never given.
pub struct NewDossier {
    pub references: References,
    pub goods: GoodsCategory,
    pub goods_description: String,
    pub flow: Flow,
    pub site: Locode,
    pub post: Option<PostCode>,
    pub company_id: Option<i64>,
    pub opened_at: DateTime<Utc>,
    pub steps: Vec<Step>,
    pub events: Vec<NewEvent>,
}

impl NewDossier {
    /// When the dossier last changed: its latest event, or its opening.
    fn updated_at(&self) -> DateTime<Utc> {
        self.events
            .iter()
            .map(|event| event.occurred_at)
            .max()
            .unwrap_or(self.opened_at)
            .max(self.opened_at)
    }
}

const SUMMARY_COLUMNS: &str = "d.id, d.container, d.awb, d.bill_of_lading, d.ched, d.mrn,
    d.goods_category, d.goods_description, d.flow, d.site_code, s.name AS site_name,
    s.kind AS site_kind, d.post_code, d.company_id, c.name AS company_name, d.status, d.current_step,
    d.opened_at, d.updated_at";

const SUMMARY_FROM: &str = "FROM dossier d
    JOIN site s ON s.code = d.site_code
    LEFT JOIN company c ON c.id = d.company_id";

// Each filter is either NULL (not applied) or compared; written so that one statement serves
// every combination on both stores.
// $5 and $6 are the viewer's scope (see `DossierScope`): one company, or a comma-separated list
// of sites. $7 is a reference of any kind, in its canonical form. $10 and $11 are instants (the
// start of the first day, the start of the day after the last).
const FILTERS: &str = "WHERE ($1 IS NULL OR d.site_code = $1)
    AND ($2 IS NULL OR d.status = $2)
    AND ($3 IS NULL OR d.goods_category = $3)
    AND ($4 IS NULL OR d.flow = $4)
    AND ($5 IS NULL OR d.company_id = $5)
    AND ($6 IS NULL OR ',' || $6 || ',' LIKE '%,' || d.site_code || ',%')
    AND ($7 IS NULL OR d.container = $7 OR d.awb = $7 OR d.bill_of_lading = $7 OR d.ched = $7
         OR d.mrn = $7)
    AND ($8 IS NULL OR d.post_code = $8)
    AND ($9 IS NULL OR d.current_step = $9)
    AND ($10 IS NULL OR d.opened_at >= $10)
    AND ($11 IS NULL OR d.opened_at < $11)";

/// The order of the list for each choice; the id last, so that pages never overlap.
fn order_by(sort: DossierSort) -> &'static str {
    match sort {
        DossierSort::RecentlyUpdated => "ORDER BY d.updated_at DESC, d.id DESC",
        DossierSort::RecentlyOpened => "ORDER BY d.opened_at DESC, d.id DESC",
        DossierSort::OldestOpened => "ORDER BY d.opened_at ASC, d.id ASC",
    }
}

/// Binds the eleven filters of `FILTERS`, in order, to a query of either store.
macro_rules! bind_filters {
    ($query:expr, $f:expr) => {
        $query
            .bind(&$f.site)
            .bind($f.status)
            .bind($f.goods)
            .bind($f.flow)
            .bind($f.company)
            .bind(&$f.sites)
            .bind(&$f.reference)
            .bind(&$f.post)
            .bind($f.step)
            .bind($f.from)
            .bind($f.to)
    };
}

/// The values of `FILTERS` for one query and scope.
struct FilterValues {
    site: Option<String>,
    status: Option<&'static str>,
    goods: Option<&'static str>,
    flow: Option<&'static str>,
    company: Option<i64>,
    sites: Option<String>,
    reference: Option<String>,
    post: Option<String>,
    step: Option<&'static str>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    container: Option<String>,
    awb: Option<String>,
    bill_of_lading: Option<String>,
    ched: Option<String>,
    mrn: Option<String>,
    goods_category: String,
    goods_description: String,
    flow: String,
    site_code: String,
    site_name: String,
    site_kind: String,
    post_code: Option<String>,
    company_id: Option<i64>,
    company_name: Option<String>,
    status: String,
    current_step: Option<String>,
    opened_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<SummaryRow> for DossierSummary {
    type Error = StoreError;
    fn try_from(row: SummaryRow) -> Result<Self, StoreError> {
        Ok(DossierSummary {
            id: row.id,
            references: References {
                container: decode_reference(row.container, ContainerNumber::parse)?,
                awb: decode_reference(row.awb, Awb::parse)?,
                bill_of_lading: decode_reference(row.bill_of_lading, BillOfLading::parse)?,
                ched: decode_reference(row.ched, ChedReference::parse)?,
                mrn: decode_reference(row.mrn, Mrn::parse)?,
            },
            goods: decode(
                "catégorie de marchandises",
                &row.goods_category,
                GoodsCategory::from_code,
            )?,
            goods_description: row.goods_description,
            flow: decode("flux", &row.flow, Flow::from_code)?,
            site: Locode::parse(&row.site_code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            site_name: row.site_name,
            site_kind: decode("type de site", &row.site_kind, SiteKind::from_code)?,
            post: decode_reference(row.post_code, PostCode::parse)?,
            company_id: row.company_id,
            company_name: row.company_name,
            status: decode("statut", &row.status, DossierStatus::from_code)?,
            current_step: row
                .current_step
                .as_deref()
                .map(|code| decode("étape", code, StepKind::from_code))
                .transpose()?,
            opened_at: row.opened_at,
            updated_at: row.updated_at,
        })
    }
}

/// A dossier's summary with what only its own page shows.
#[derive(sqlx::FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    summary: SummaryRow,
    post_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    kind: String,
    state: String,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    actor: Option<String>,
    outcome: Option<String>,
    expected_minutes: i32,
}

impl TryFrom<StepRow> for Step {
    type Error = StoreError;
    fn try_from(row: StepRow) -> Result<Self, StoreError> {
        Ok(Step {
            kind: decode("étape", &row.kind, StepKind::from_code)?,
            state: decode("état d'étape", &row.state, StepState::from_code)?,
            started_at: row.started_at,
            ended_at: row.ended_at,
            actor: row
                .actor
                .as_deref()
                .map(|code| decode("administration", code, Administration::from_code))
                .transpose()?,
            outcome: row.outcome,
            expected_minutes: row.expected_minutes,
        })
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    kind: String,
    source: String,
    occurred_at: DateTime<Utc>,
    received_at: DateTime<Utc>,
    detail: Option<String>,
}

impl TryFrom<EventRow> for TimelineEvent {
    type Error = StoreError;
    fn try_from(row: EventRow) -> Result<Self, StoreError> {
        Ok(TimelineEvent {
            id: row.id,
            kind: decode("type d'événement", &row.kind, EventKind::from_code)?,
            source: decode("source", &row.source, EventSource::from_code)?,
            occurred_at: row.occurred_at,
            received_at: row.received_at,
            detail: row.detail,
        })
    }
}

impl Store {
    /// One page of the dossiers `scope` allows, filtered by `query`. The scope is applied in the
    /// query itself: nothing outside it is ever read.
    #[tracing::instrument(skip_all)]
    pub async fn dossiers(
        &self,
        query: &DossierQuery,
        scope: &DossierScope,
    ) -> Result<DossierPage, StoreError> {
        let (company, sites): (Option<i64>, Option<String>) = match scope {
            DossierScope::All => (None, None),
            DossierScope::Company(id) => (Some(*id), None),
            DossierScope::Sites(sites) => (
                None,
                Some(
                    sites
                        .iter()
                        .map(|site| site.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                ),
            ),
            DossierScope::Nothing => {
                return Ok(DossierPage {
                    dossiers: Vec::new(),
                    total: 0,
                    page: query.page(),
                    by_status: DossierStatus::ALL
                        .into_iter()
                        .map(|status| (status, 0))
                        .collect(),
                })
            }
        };
        let (from, to) = query.opened_between();
        let filters = FilterValues {
            site: query.site.as_ref().map(|site| site.as_str().to_owned()),
            status: query.status.map(DossierStatus::code),
            goods: query.goods.map(GoodsCategory::code),
            flow: query.flow.map(Flow::code),
            company,
            sites,
            reference: query
                .reference
                .as_ref()
                .map(|reference| reference.as_str().to_owned()),
            post: query.post.as_ref().map(|post| post.as_str().to_owned()),
            step: query.step.map(StepKind::code),
            from,
            to,
        };
        // The counts by status ignore the status filter: they say what each choice would give.
        let any_status = FilterValues {
            status: None,
            site: filters.site.clone(),
            sites: filters.sites.clone(),
            reference: filters.reference.clone(),
            post: filters.post.clone(),
            ..filters
        };
        let list_sql = format!(
            "SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM} {FILTERS} {} LIMIT $12 OFFSET $13",
            order_by(query.sort)
        );
        let count_sql = format!("SELECT COUNT(*) {SUMMARY_FROM} {FILTERS}");
        let by_status_sql =
            format!("SELECT d.status, COUNT(*) {SUMMARY_FROM} {FILTERS} GROUP BY d.status");
        let (rows, total, by_status): (Vec<SummaryRow>, i64, Vec<(String, i64)>) = on_pool!(self, pool => {
            let rows = bind_filters!(sqlx::query_as(&list_sql), filters)
                .bind(i64::from(PAGE_SIZE))
                .bind(query.offset())
                .fetch_all(pool)
                .await?;
            let total = bind_filters!(sqlx::query_scalar(&count_sql), filters)
                .fetch_one(pool)
                .await?;
            let by_status = bind_filters!(sqlx::query_as(&by_status_sql), any_status)
                .fetch_all(pool)
                .await?;
            (rows, total, by_status)
        });
        let by_status = DossierStatus::ALL
            .into_iter()
            .map(|status| {
                let count = by_status
                    .iter()
                    .find(|(code, _)| code == status.code())
                    .map_or(0, |(_, count)| *count);
                (status, count)
            })
            .collect();
        Ok(DossierPage {
            dossiers: rows
                .into_iter()
                .map(DossierSummary::try_from)
                .collect::<Result<_, _>>()?,
            total,
            page: query.page(),
            by_status,
        })
    }

    /// A dossier's summary alone, without its timeline.
    #[tracing::instrument(skip_all)]
    pub async fn dossier_summary(&self, id: i64) -> Result<Option<DossierSummary>, StoreError> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM} WHERE d.id = $1");
        let row: Option<SummaryRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
        })?;
        row.map(DossierSummary::try_from).transpose()
    }

    /// A dossier with its steps (in journey order) and its events (in the order they happened).
    #[tracing::instrument(skip_all)]
    pub async fn dossier(&self, id: i64) -> Result<Option<Dossier>, StoreError> {
        let detail_sql = format!(
            "SELECT {SUMMARY_COLUMNS}, p.name AS post_name {SUMMARY_FROM}
             LEFT JOIN post p ON p.code = d.post_code WHERE d.id = $1"
        );
        let row: Option<DetailRow> = on_pool!(self, pool => {
            sqlx::query_as(&detail_sql).bind(id).fetch_optional(pool).await
        })?;
        let Some(DetailRow {
            summary: row,
            post_name,
        }) = row
        else {
            return Ok(None);
        };
        let (steps, events): (Vec<StepRow>, Vec<EventRow>) = on_pool!(self, pool => {
            let steps = sqlx::query_as(
                "SELECT kind, state, started_at, ended_at, actor, outcome, expected_minutes
                 FROM step WHERE dossier_id = $1 ORDER BY position",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let events = sqlx::query_as(
                "SELECT id, kind, source, occurred_at, received_at, detail
                 FROM event WHERE dossier_id = $1 ORDER BY occurred_at, id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            (steps, events)
        });
        Ok(Some(Dossier {
            summary: DossierSummary::try_from(row)?,
            post_name,
            steps: steps
                .into_iter()
                .map(Step::try_from)
                .collect::<Result<_, _>>()?,
            events: events
                .into_iter()
                .map(TimelineEvent::try_from)
                .collect::<Result<_, _>>()?,
            forecasts: Vec::new(),
            release: None,
            details_withheld: false,
        }))
    }

    #[tracing::instrument(skip_all)]
    pub async fn dossier_count(&self) -> Result<i64, StoreError> {
        let count = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM dossier").fetch_one(pool).await
        })?;
        Ok(count)
    }
}

impl Tx {
    /// Creates a dossier with its steps and events, and returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn insert_dossier(&mut self, dossier: &NewDossier) -> Result<i64, StoreError> {
        let status = DossierStatus::of_steps(&dossier.steps);
        let current = current_step(&dossier.steps);
        let refs = &dossier.references;
        let id: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO dossier (site_code, post_code, company_id, goods_category, goods_description,
                     flow, container, awb, bill_of_lading, ched, mrn, status, current_step, opened_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                 RETURNING id",
            )
            .bind(dossier.site.as_str())
            .bind(dossier.post.as_ref().map(|p| p.as_str()))
            .bind(dossier.company_id)
            .bind(dossier.goods.code())
            .bind(&dossier.goods_description)
            .bind(dossier.flow.code())
            .bind(refs.container.as_ref().map(|r| r.as_str()))
            .bind(refs.awb.as_ref().map(|r| r.as_str()))
            .bind(refs.bill_of_lading.as_ref().map(|r| r.as_str()))
            .bind(refs.ched.as_ref().map(|r| r.as_str()))
            .bind(refs.mrn.as_ref().map(|r| r.as_str()))
            .bind(status.code())
            .bind(current.map(StepKind::code))
            .bind(dossier.opened_at)
            .bind(dossier.updated_at())
            .fetch_one(conn)
            .await
        })?;
        self.replace_steps(id, &dossier.steps).await?;
        for event in &dossier.events {
            on_tx!(self, conn => {
                sqlx::query(
                    "INSERT INTO event (dossier_id, source, kind, occurred_at, received_at, post_code, detail, fact)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id)
                .bind(event.source.code())
                .bind(event.kind.code())
                .bind(event.occurred_at)
                .bind(event.received_at)
                .bind(event.post.as_ref().map(|p| p.as_str()))
                .bind(event.detail.as_deref())
                // A dossier given whole (the demo's) has its steps already: its events only say
                // what happened, not the data that moved them.
                .bind(crate::domain::timeline::FactData::None.stored())
                .execute(conn)
                .await
                .map(|_| ())
            })?;
        }
        Ok(id)
    }

    /// Puts a dossier's steps as given, in journey order, in place of those it had.
    #[tracing::instrument(skip_all)]
    pub async fn replace_steps(
        &mut self,
        dossier_id: i64,
        steps: &[Step],
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("DELETE FROM step WHERE dossier_id = $1")
                .bind(dossier_id)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        for (position, step) in steps.iter().enumerate() {
            on_tx!(self, conn => {
                sqlx::query(
                    "INSERT INTO step (dossier_id, kind, position, state, started_at, ended_at, actor,
                         outcome, expected_minutes)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(dossier_id)
                .bind(step.kind.code())
                .bind(position as i32)
                .bind(step.state.code())
                .bind(step.started_at)
                .bind(step.ended_at)
                .bind(step.actor.map(Administration::code))
                .bind(step.outcome.as_deref())
                .bind(step.expected_minutes)
                .execute(conn)
                .await
                .map(|_| ())
            })?;
        }
        Ok(())
    }
}

impl Store {
    /// How long each kind of step took, in minutes, in the other dossiers of the same post (or
    /// site, without a post) and goods category, most recent first.
    #[tracing::instrument(skip_all)]
    pub async fn observed_durations(
        &self,
        dossier: &Dossier,
    ) -> Result<std::collections::HashMap<StepKind, Vec<i64>>, StoreError> {
        let summary = &dossier.summary;
        let rows: Vec<(String, DateTime<Utc>, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT s.kind, s.started_at, s.ended_at FROM step s JOIN dossier d ON d.id = s.dossier_id
                 WHERE d.goods_category = $1 AND d.id <> $4
                   AND (($2 IS NOT NULL AND d.post_code = $2) OR ($2 IS NULL AND d.site_code = $3))
                   AND s.state = 'termine' AND s.started_at IS NOT NULL AND s.ended_at IS NOT NULL
                 ORDER BY s.ended_at DESC LIMIT 5000",
            )
            .bind(summary.goods.code())
            .bind(summary.post.as_ref().map(|post| post.as_str()))
            .bind(summary.site.as_str())
            .bind(summary.id)
            .fetch_all(pool)
            .await
        })?;
        let mut observed: std::collections::HashMap<StepKind, Vec<i64>> = Default::default();
        for (kind, started, ended) in rows {
            if let Some(kind) = StepKind::from_code(&kind) {
                observed
                    .entry(kind)
                    .or_default()
                    .push((ended - started).num_minutes());
            }
        }
        Ok(observed)
    }
}
