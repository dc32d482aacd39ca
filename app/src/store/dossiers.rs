//! Dossiers, their steps and their events.

use chrono::{DateTime, Utc};

use super::{decode, decode_reference, on_pool, on_reader, on_tx, Store, StoreError, Tx};
use crate::domain::access::DossierScope;
use crate::domain::directory::{Administration, SiteKind};
use crate::domain::dossier::{
    current_step, Count, Cursor, Dossier, DossierPage, DossierQuery, DossierSort, DossierStatus,
    DossierSummary, Flow, GoodsCategory, PageStart, References, COUNT_LIMIT, PAGE_SIZE,
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

/// A dossier's summary with its post's name, by id.
fn detail_sql() -> String {
    format!(
        "SELECT {SUMMARY_COLUMNS}, p.name AS post_name, d.representative,
             r.name AS representative_name {SUMMARY_FROM}
         LEFT JOIN post p ON p.code = d.post_code
         LEFT JOIN company r ON r.siret = d.representative OR r.eori = d.representative
         WHERE d.id = $1"
    )
}

/// A dossier's steps, in journey order.
const STEPS_SQL: &str = "SELECT kind, state, started_at, ended_at, actor, outcome, expected_minutes
     FROM step WHERE dossier_id = $1 ORDER BY position";

/// A dossier's events, in the order they happened.
const EVENTS_SQL: &str = "SELECT id, kind, source, occurred_at, received_at, detail
     FROM event WHERE dossier_id = $1 ORDER BY occurred_at, id";

/// The column the list is ordered by for each choice, and whether the latest come first; the
/// id comes after it, so that pages never overlap.
fn order_key(sort: DossierSort) -> (&'static str, bool) {
    match sort {
        DossierSort::RecentlyUpdated => ("updated_at", true),
        DossierSort::RecentlyOpened => ("opened_at", true),
        DossierSort::OldestOpened => ("opened_at", false),
    }
}

/// The `ORDER BY` of the list, or its reverse (to read the page before a place).
fn order_by(sort: DossierSort, reversed: bool) -> String {
    let (column, descending) = order_key(sort);
    let direction = if descending != reversed {
        "DESC"
    } else {
        "ASC"
    };
    format!("ORDER BY d.{column} {direction}, d.id {direction}")
}

/// Where the page starts, as a condition on the order's columns (a row comparison, which the
/// index of the order serves).
fn keyset(params: &mut Params, sort: DossierSort, start: PageStart) -> Option<String> {
    let (column, descending) = order_key(sort);
    let (cursor, after) = match start {
        PageStart::First => return None,
        PageStart::After(cursor) => (cursor, true),
        PageStart::Before(cursor) => (cursor, false),
    };
    let operator = if after == descending { "<" } else { ">" };
    Some(format!(
        "(d.{column}, d.id) {operator} ({}, {})",
        params.add(Value::Time(cursor.at)),
        params.add(Value::Int(cursor.id))
    ))
}

/// A value a statement of the list takes.
#[derive(Clone)]
enum Value {
    Text(String),
    Int(i64),
    Time(DateTime<Utc>),
}

/// Binds values, in order, to a query of either store.
macro_rules! bind_values {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                Value::Text(text) => query.bind(text.clone()),
                Value::Int(number) => query.bind(*number),
                Value::Time(instant) => query.bind(*instant),
            };
        }
        query
    }};
}

/// The values of a statement, and the placeholders that stand for them.
#[derive(Default)]
struct Params(Vec<Value>);

impl Params {
    fn add(&mut self, value: Value) -> String {
        self.0.push(value);
        format!("${}", self.0.len())
    }

    fn text(&mut self, value: &str) -> String {
        self.add(Value::Text(value.to_owned()))
    }
}

/// The conditions of a list query: only the filters applied, each through the column it
/// compares, so that every one can use its index (one condition written to serve every
/// combination, `$1 IS NULL OR …`, hides them from the planner). `status` says whether the
/// status filter counts (the counts by status leave it out: they say what each choice would
/// give); `site` is one site of the caller's scope.
fn conditions(
    params: &mut Params,
    query: &DossierQuery,
    scope: &DossierScope,
    status: bool,
    site: Option<&str>,
) -> Vec<String> {
    let mut sql = Vec::new();
    match scope {
        DossierScope::Company { id, represented } => {
            let mut either = vec![format!("d.company_id = {}", params.add(Value::Int(*id)))];
            for (importer, site) in represented {
                either.push(format!(
                    "(d.company_id = {} AND d.site_code = {})",
                    params.add(Value::Int(*importer)),
                    params.text(site.as_str())
                ));
            }
            sql.push(if either.len() == 1 {
                either.remove(0)
            } else {
                format!("({})", either.join(" OR "))
            })
        }
        DossierScope::Sites(sites) if sites.len() == 1 => {
            sql.push(format!("d.site_code = {}", params.text(sites[0].as_str())))
        }
        DossierScope::Sites(sites) => match site {
            Some(site) => sql.push(format!("d.site_code = {}", params.text(site))),
            None => {
                let list: Vec<String> = sites
                    .iter()
                    .map(|site| params.text(site.as_str()))
                    .collect();
                sql.push(format!("d.site_code IN ({})", list.join(", ")));
            }
        },
        DossierScope::All | DossierScope::Nothing => {}
    }
    if let Some(site) = &query.site {
        sql.push(format!("d.site_code = {}", params.text(site.as_str())));
    }
    if let Some(reference) = &query.reference {
        let value = params.text(reference.as_str());
        sql.push(format!(
            "(d.container = {value} OR d.awb = {value} OR d.bill_of_lading = {value} \
             OR d.ched = {value} OR d.mrn = {value})"
        ));
    }
    if let Some(goods) = query.goods {
        sql.push(format!("d.goods_category = {}", params.text(goods.code())));
    }
    if let Some(flow) = query.flow {
        sql.push(format!("d.flow = {}", params.text(flow.code())));
    }
    if let Some(post) = &query.post {
        sql.push(format!("d.post_code = {}", params.text(post.as_str())));
    }
    if let Some(step) = query.step {
        sql.push(format!("d.current_step = {}", params.text(step.code())));
    }
    let (from, to) = query.opened_between();
    if let Some(from) = from {
        sql.push(format!("d.opened_at >= {}", params.add(Value::Time(from))));
    }
    if let Some(to) = to {
        sql.push(format!("d.opened_at < {}", params.add(Value::Time(to))));
    }
    if let (true, Some(chosen)) = (status, query.status) {
        sql.push(format!("d.status = {}", params.text(chosen.code())));
    }
    sql
}

fn clause(conditions: Vec<String>) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    }
}

/// A statement and its values.
type Statement = (String, Vec<Value>);

/// The statements that read one page of the list and its counts. The counts come from the
/// tallies the store keeps (`dossier_tally`) when no filter but the site and the status applies;
/// otherwise the dossiers are counted up to `COUNT_LIMIT` and no further.
struct ListStatements {
    /// The page and one dossier more (which says whether there is a page beyond), in the
    /// list's order, or its reverse when the page ends before a place.
    list: Statement,
    /// Counts by status: exact when kept, else over at most `COUNT_LIMIT` + 1 dossiers.
    by_status: Statement,
    /// When counts are not kept and a status is chosen: that status's dossiers, up to
    /// `COUNT_LIMIT` + 1.
    total: Option<Statement>,
}

/// The statements of `query` within `scope` (not `Nothing`, which reads nothing).
fn list_statements(query: &DossierQuery, scope: &DossierScope) -> ListStatements {
    let reversed = matches!(query.start, PageStart::Before(_));
    let order = order_by(query.sort, reversed);
    let size = i64::from(PAGE_SIZE) + 1;
    let list = match scope {
        // An agent's several sites: each site's first dossiers from the place, read through its
        // own index, then merged (an `IN` list would read every dossier of every site and sort
        // them).
        DossierScope::Sites(sites) if sites.len() > 1 && query.site.is_none() => {
            let mut params = Params::default();
            let parts: Vec<String> = sites
                .iter()
                .map(|site| {
                    let mut sql = conditions(&mut params, query, scope, true, Some(site.as_str()));
                    sql.extend(keyset(&mut params, query.sort, query.start));
                    let size = params.add(Value::Int(size));
                    format!(
                        "SELECT * FROM (SELECT d.* FROM dossier d {} {order} LIMIT {size}) AS p",
                        clause(sql)
                    )
                })
                .collect();
            let size = params.add(Value::Int(size));
            (
                format!(
                    "SELECT {SUMMARY_COLUMNS} FROM ({}) AS d
                     JOIN site s ON s.code = d.site_code
                     LEFT JOIN company c ON c.id = d.company_id
                     {order} LIMIT {size}",
                    parts.join(" UNION ALL ")
                ),
                params.0,
            )
        }
        _ => {
            let mut params = Params::default();
            let mut sql = conditions(&mut params, query, scope, true, None);
            sql.extend(keyset(&mut params, query.sort, query.start));
            let size = params.add(Value::Int(size));
            (
                format!(
                    "SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM} {} {order} LIMIT {size}",
                    clause(sql)
                ),
                params.0,
            )
        }
    };
    if query.counts_are_kept() {
        // The tallies have the columns the scope, site and status compare, under the same
        // names: by site for everyone and for agents, by company (its own rows first) for an
        // operator.
        let table = match scope {
            DossierScope::Company { .. } => "company_dossier_tally",
            _ => "dossier_tally",
        };
        let mut params = Params::default();
        let sql = conditions(&mut params, query, scope, false, None);
        return ListStatements {
            list,
            by_status: (
                format!(
                    "SELECT d.status, CAST(SUM(d.dossiers) AS BIGINT) FROM {table} d {}
                     GROUP BY d.status",
                    clause(sql)
                ),
                params.0,
            ),
            total: None,
        };
    }
    let limited = |status: bool, select: &str, group: &str| -> Statement {
        let mut params = Params::default();
        let sql = conditions(&mut params, query, scope, status, None);
        let limit = params.add(Value::Int(COUNT_LIMIT + 1));
        (
            format!(
                "SELECT {select} FROM (SELECT d.status FROM dossier d {} LIMIT {limit}) AS d {group}",
                clause(sql)
            ),
            params.0,
        )
    };
    ListStatements {
        list,
        by_status: limited(false, "d.status, COUNT(*)", "GROUP BY d.status"),
        total: query
            .status
            .is_some()
            .then(|| limited(true, "COUNT(*)", "")),
    }
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

super::readers::from_reader!(SummaryRow {
    id,
    container,
    awb,
    bill_of_lading,
    ched,
    mrn,
    goods_category,
    goods_description,
    flow,
    site_code,
    site_name,
    site_kind,
    post_code,
    company_id,
    company_name,
    status,
    current_step,
    opened_at,
    updated_at
});

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
    representative: Option<String>,
    representative_name: Option<String>,
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
        if *scope == DossierScope::Nothing {
            return Ok(DossierPage {
                dossiers: Vec::new(),
                total: Count::Exact(0),
                by_status: DossierStatus::ALL
                    .into_iter()
                    .map(|status| (status, Some(0)))
                    .collect(),
                previous: None,
                next: None,
            });
        }
        let statements = list_statements(query, scope);
        let (rows, by_status, chosen): (Vec<SummaryRow>, Vec<(String, i64)>, Option<i64>) = on_pool!(self, pool => {
            let rows = bind_values!(sqlx::query_as(&statements.list.0), &statements.list.1)
                .fetch_all(pool)
                .await?;
            let by_status = bind_values!(sqlx::query_as(&statements.by_status.0), &statements.by_status.1)
                .fetch_all(pool)
                .await?;
            let chosen: Option<i64> = match &statements.total {
                Some((sql, values)) => Some(
                    bind_values!(sqlx::query_scalar(sql), values)
                        .fetch_one(pool)
                        .await?,
                ),
                None => None,
            };
            (rows, by_status, chosen)
        });
        let counted: i64 = by_status.iter().map(|(_, count)| count).sum();
        // Counted up to the limit and beyond it: what each status has is not known.
        let known = query.counts_are_kept() || counted <= COUNT_LIMIT;
        let by_status: Vec<(DossierStatus, Option<i64>)> = DossierStatus::ALL
            .into_iter()
            .map(|status| {
                let count = by_status
                    .iter()
                    .find(|(code, _)| code == status.code())
                    .map_or(0, |(_, count)| *count);
                (status, known.then_some(count))
            })
            .collect();
        let total = match (known, query.status, chosen) {
            (true, None, _) => Count::Exact(counted),
            (true, Some(chosen), _) => Count::Exact(
                by_status
                    .iter()
                    .find(|(status, _)| *status == chosen)
                    .and_then(|(_, count)| *count)
                    .unwrap_or(0),
            ),
            (false, Some(_), Some(count)) if count <= COUNT_LIMIT => Count::Exact(count),
            (false, ..) => Count::MoreThan(COUNT_LIMIT),
        };
        let mut dossiers = rows
            .into_iter()
            .map(DossierSummary::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        // One more than the page says whether there is a page beyond it.
        let beyond = dossiers.len() > PAGE_SIZE as usize;
        dossiers.truncate(PAGE_SIZE as usize);
        // A page read backwards comes in the reverse order.
        if matches!(query.start, PageStart::Before(_)) {
            dossiers.reverse();
        }
        let cursor = |dossier: &DossierSummary| Cursor {
            at: match query.sort {
                DossierSort::RecentlyUpdated => dossier.updated_at,
                DossierSort::RecentlyOpened | DossierSort::OldestOpened => dossier.opened_at,
            },
            id: dossier.id,
        };
        let (first, last) = (dossiers.first().map(cursor), dossiers.last().map(cursor));
        let (previous, next) = match query.start {
            PageStart::First => (None, beyond.then_some(last).flatten().map(PageStart::After)),
            PageStart::After(_) => (
                first.map(PageStart::Before),
                beyond.then_some(last).flatten().map(PageStart::After),
            ),
            PageStart::Before(_) => (
                beyond.then_some(first).flatten().map(PageStart::Before),
                last.map(PageStart::After),
            ),
        };
        Ok(DossierPage {
            dossiers,
            total,
            by_status,
            previous,
            next,
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

    /// A dossier's summary and whether the slot starting at `starts_at` for `check` at its post
    /// is full (`false` when no slot is named), in one read: the booking form's, whose many late
    /// comers in a rush on the last places are refused by it alone.
    #[tracing::instrument(skip_all)]
    pub async fn dossier_for_booking(
        &self,
        id: i64,
        slot: Option<(crate::domain::appointment::CheckKind, DateTime<Utc>)>,
    ) -> Result<Option<(DossierSummary, bool)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            summary: SummaryRow,
            full: bool,
        }
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS},
                    EXISTS (SELECT 1 FROM slot s WHERE s.post_code = d.post_code AND s.check_kind = $2
                                                  AND s.starts_at = $3 AND s.booked >= s.capacity) AS full
             {SUMMARY_FROM} WHERE d.id = $1"
        );
        let (check, starts_at) = match slot {
            Some((check, starts_at)) => (Some(check.code()), Some(starts_at)),
            None => (None, None),
        };
        super::readers::from_reader!(Row { full; summary });
        let starts_at_text = starts_at.map(super::readers::instant);
        let params: [&(dyn rusqlite::ToSql + Sync); 3] = [&id, &check, &starts_at_text];
        let row: Option<Row> = on_reader!(self, &sql, &params, pool => {
            sqlx::query_as(&sql).bind(id).bind(check).bind(starts_at).fetch_optional(pool).await
        })?;
        row.map(|row| Ok((DossierSummary::try_from(row.summary)?, row.full)))
            .transpose()
    }

    /// A dossier with its steps (in journey order) and its events (in the order they happened).
    #[tracing::instrument(skip_all)]
    pub async fn dossier(&self, id: i64) -> Result<Option<Dossier>, StoreError> {
        let detail_sql = detail_sql();
        // Read at once, each on a connection of its own: a page waits for one round trip to
        // the database rather than three.
        let (row, steps, events): (Option<DetailRow>, Vec<StepRow>, Vec<EventRow>) = on_pool!(self, pool => {
            tokio::try_join!(
                sqlx::query_as(&detail_sql).bind(id).fetch_optional(pool),
                sqlx::query_as(STEPS_SQL).bind(id).fetch_all(pool),
                sqlx::query_as(EVENTS_SQL).bind(id).fetch_all(pool),
            )?
        });
        let Some(DetailRow {
            summary: row,
            post_name,
            representative,
            representative_name,
        }) = row
        else {
            return Ok(None);
        };
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
            representative: representative.map(|number| {
                crate::domain::mandate::named_representative(
                    &number,
                    representative_name.as_deref(),
                )
            }),
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
        let standing = super::Standing {
            opened_at: dossier.opened_at,
            site: dossier.site.as_str().to_owned(),
            post: dossier.post.as_ref().map(|post| post.as_str().to_owned()),
            goods: dossier.goods.code().to_owned(),
            company: dossier.company_id,
            steps: &dossier.steps,
            fresh: true,
        };
        self.record_durations(id, &standing).await?;
        self.record_indicators(id, &standing).await?;
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

    /// Puts a dossier's steps as given, in journey order, in place of those it had: two
    /// statements whatever their number.
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
        self.insert_steps(&[(dossier_id, steps)]).await
    }

    /// The steps of dossiers that have none yet, in journey order, as many rows a statement as
    /// the store takes well (see [`Tx::rows_a_statement`]).
    pub(crate) async fn insert_steps(
        &mut self,
        dossiers: &[(i64, &[Step])],
    ) -> Result<(), StoreError> {
        let rows: Vec<(i64, usize, &Step)> = dossiers
            .iter()
            .flat_map(|(dossier_id, steps)| {
                steps
                    .iter()
                    .enumerate()
                    .map(move |(position, step)| (*dossier_id, position, step))
            })
            .collect();
        let size = self.rows_a_statement(9);
        for chunk in rows.chunks(size) {
            let values = super::values_sql(chunk.len(), 9, 1);
            let sql = format!(
                "INSERT INTO step (dossier_id, kind, position, state, started_at, ended_at, actor,
                                   outcome, expected_minutes)
                 VALUES {values}"
            );
            on_tx!(self, conn => {
                let mut query = sqlx::query(&sql);
                for (dossier_id, position, step) in chunk {
                    query = query
                        .bind(*dossier_id)
                        .bind(step.kind.code())
                        .bind(*position as i32)
                        .bind(step.state.code())
                        .bind(step.started_at)
                        .bind(step.ended_at)
                        .bind(step.actor.map(Administration::code))
                        .bind(step.outcome.as_deref())
                        .bind(step.expected_minutes);
                }
                query.execute(conn).await.map(|_| ())
            })?;
        }
        Ok(())
    }
}

impl Store {
    /// PostgreSQL's plans (`EXPLAIN ANALYZE`) for the statements of the pages the scale run
    /// measures, as the supervisor reads them: a dossier in progress, the list, the list of a
    /// site and a search for `reference`, `reader` being the person reading (whose consultation
    /// is looked up in the trail). For `server bench-echelle`, which prints them.
    pub async fn explain_pages(
        &self,
        reader: i64,
        site: &Locode,
        reference: crate::domain::references::AnyReference,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let super::Engine::Postgres(pool) = &self.engine else {
            return Err(StoreError::PlansNeedPostgres);
        };
        let dossier: i64 = sqlx::query_scalar(
            "SELECT id FROM dossier WHERE status = 'en_cours' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(pool)
        .await?;
        let Some(summary) = self.dossier_summary(dossier).await? else {
            return Ok(Vec::new());
        };
        let place = super::forecasts::place(
            summary.post.as_ref().map(|post| post.as_str()),
            summary.site.as_str(),
        );
        let mut statements: Vec<(String, Statement)> = vec![
            (
                "Un dossier : le dossier".into(),
                (detail_sql(), vec![Value::Int(dossier)]),
            ),
            (
                "Un dossier : ses étapes".into(),
                (STEPS_SQL.into(), vec![Value::Int(dossier)]),
            ),
            (
                "Un dossier : ses événements".into(),
                (EVENTS_SQL.into(), vec![Value::Int(dossier)]),
            ),
            (
                "Un dossier : les prévisions de son poste".into(),
                (
                    super::forecasts::FORECASTS_SQL.into(),
                    vec![Value::Text(place), Value::Text(summary.goods.code().into())],
                ),
            ),
            (
                "Un dossier : ses rendez-vous".into(),
                (
                    super::appointments::dossier_appointments_sql(),
                    vec![Value::Int(dossier)],
                ),
            ),
            (
                "Un dossier : sa consultation déjà écrite au journal".into(),
                (
                    super::audit::CONSULTATION_SEEN_SQL.into(),
                    vec![
                        Value::Int(reader),
                        Value::Text("consultation_dossier".into()),
                        Value::Time(
                            chrono::Utc::now()
                                - chrono::Duration::minutes(super::audit::CONSULTATION_MINUTES),
                        ),
                        Value::Text(format!("dossier:{dossier}")),
                        Value::Text(String::new()),
                    ],
                ),
            ),
        ];
        for (label, query) in [
            ("La liste", DossierQuery::default()),
            (
                "La liste d'un site",
                DossierQuery {
                    site: Some(site.clone()),
                    ..DossierQuery::default()
                },
            ),
            (
                "Une recherche par référence",
                DossierQuery {
                    reference: Some(reference.clone()),
                    ..DossierQuery::default()
                },
            ),
        ] {
            let ListStatements {
                list,
                by_status,
                total,
            } = list_statements(&query, &DossierScope::All);
            statements.push((format!("{label} : la page"), list));
            statements.push((format!("{label} : les nombres par statut"), by_status));
            if let Some(total) = total {
                statements.push((format!("{label} : le total du statut choisi"), total));
            }
        }
        let mut plans = Vec::new();
        for (label, (sql, values)) in statements {
            let explain = format!("EXPLAIN ANALYZE {sql}");
            let lines: Vec<String> = bind_values!(sqlx::query_scalar(&explain), &values)
                .fetch_all(pool)
                .await?;
            plans.push((label, lines.join("\n")));
        }
        Ok(plans)
    }
}

impl Store {
    /// Marks blocked, as time passes, the steps a dossier is at that have lasted more than
    /// [`BLOCKED_AFTER`](crate::domain::timeline::BLOCKED_AFTER) times their expected duration
    /// (the rule [`derive`](crate::domain::timeline::derive) applies when an event arrives),
    /// and their dossiers. Only that rule: the rest of a timeline changes with events alone.
    /// Each step in its own transaction, taken as the site's ingestion takes it, so that an
    /// event arriving meanwhile wins; running it twice, or on two instances, changes nothing
    /// more. How many steps.
    #[tracing::instrument(skip_all)]
    pub async fn refresh_blocked(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        use crate::domain::timeline::BLOCKED_AFTER;
        let late = self.later(
            "s.started_at",
            &format!("s.expected_minutes * {} * 60", BLOCKED_AFTER),
            "<",
            "$1",
        );
        // Through `step_under_way`: the few thousand steps under way among millions.
        let sql = format!(
            "SELECT s.dossier_id, s.kind, s.started_at, d.site_code
             FROM step s JOIN dossier d ON d.id = s.dossier_id
             WHERE s.state = 'en_cours' AND s.started_at IS NOT NULL AND s.kind = d.current_step AND {late}
             ORDER BY s.started_at LIMIT 1000"
        );
        let steps: Vec<(i64, String, DateTime<Utc>, String)> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(now).fetch_all(pool).await
        })?;
        let mut blocked = 0;
        for (dossier_id, kind, started_at, site) in steps {
            let mut tx = self.begin().await?;
            if let Some(pg) = tx.postgres() {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(format!("ingestion:{site}"))
                    .execute(&mut **pg)
                    .await?;
            }
            let changed = on_tx!(tx, conn => {
                sqlx::query(
                    "UPDATE step SET state = 'bloque'
                     WHERE dossier_id = $1 AND kind = $2 AND state = 'en_cours' AND started_at = $3
                       AND kind = (SELECT current_step FROM dossier WHERE id = $1)",
                )
                .bind(dossier_id)
                .bind(&kind)
                .bind(started_at)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
            })?;
            // Unchanged when an event moved the dossier on meanwhile. A non-compliant dossier
            // stays so (it outweighs a blocked step).
            if changed > 0 {
                on_tx!(tx, conn => {
                    sqlx::query(
                        "UPDATE dossier SET status = 'bloque' WHERE id = $1 AND status = 'en_cours'",
                    )
                    .bind(dossier_id)
                    .execute(conn)
                    .await
                    .map(|_| ())
                })?;
            }
            tx.commit().await?;
            if changed > 0 {
                blocked += 1;
            }
        }
        Ok(blocked)
    }
}
