//! A chunk of partner events recorded as sets: the dossiers holding their references read
//! once, what each event joins or opens decided in memory in the order sent, then every row
//! written in one statement a table (dossiers, events, steps, durations, indicators), the
//! notifications and alerts of the dossiers they changed worked out once, at the end. The
//! outcome is the one recording them one at a time would give: same dossiers, same rows, same
//! checks (sites locked, ids idempotent, references of other sites never joined).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::{Ingested, StoreError, Tx};
use crate::domain::dossier::{current_step, DossierStatus, Flow};
use crate::domain::journey::{Step, StepKind};
use crate::domain::partner::{OperatorId, PartnerEvent};
use crate::domain::timeline::{derive, Fact};
use crate::store::notifications::event_notices_of;
use crate::store::{on_tx, placeholders, values_sql, Standing};

/// The reference columns of a dossier, in this order.
const REFERENCE_COLUMNS: [&str; 5] = ["container", "awb", "bill_of_lading", "ched", "mrn"];

/// An event's references, in the order of [`REFERENCE_COLUMNS`].
fn references_of(event: &PartnerEvent) -> [Option<String>; 5] {
    let refs = &event.references;
    [
        refs.container.as_ref().map(|r| r.as_str().to_owned()),
        refs.awb.as_ref().map(|r| r.as_str().to_owned()),
        refs.bill_of_lading.as_ref().map(|r| r.as_str().to_owned()),
        refs.ched.as_ref().map(|r| r.as_str().to_owned()),
        refs.mrn.as_ref().map(|r| r.as_str().to_owned()),
    ]
}

/// A dossier as the chunk found it (or opened it) and leaves it.
struct Held {
    site: String,
    post: Option<String>,
    company: Option<i64>,
    goods: String,
    goods_description: String,
    references: [Option<String>; 5],
    representative: Option<String>,
    /// The step it stood at before the chunk: the queue it leaves if the events move it on.
    step_before: Option<String>,
    /// Opened by an event of the chunk.
    fresh: bool,
    /// An event of the chunk joined it.
    touched: bool,
    /// An event of the chunk completed its references (or post, or representative).
    completed: bool,
    /// The facts of the chunk's events it holds, in the order sent.
    facts: Vec<Fact>,
}

impl Held {
    fn holds_any(&self, references: &[Option<String>; 5]) -> bool {
        self.references
            .iter()
            .zip(references)
            .any(|(held, given)| given.is_some() && held == given)
    }
}

#[derive(sqlx::FromRow)]
struct HeldRow {
    id: i64,
    site_code: String,
    post_code: Option<String>,
    company_id: Option<i64>,
    goods_category: String,
    goods_description: String,
    container: Option<String>,
    awb: Option<String>,
    bill_of_lading: Option<String>,
    ched: Option<String>,
    mrn: Option<String>,
    representative: Option<String>,
    current_step: Option<String>,
}

/// What recording an event leaves to write once the chunk's dossiers are written.
struct Pending<'a> {
    event: &'a PartnerEvent,
    event_id: i64,
    dossier_id: i64,
    /// It opened the dossier.
    opened: bool,
    /// The dossiers it names for a correlation alert (the one it joined first), if any.
    correlated: Option<String>,
}

impl Tx {
    /// Records the events of a chunk sent with partner key `sender`, in order, once their sites
    /// are locked; `known`, what the key already recorded under the chunk's ids. The outcome of
    /// each, as [`Tx::ingest`] gives it; the stream positions are the caller's to take.
    pub(super) async fn record_chunk(
        &mut self,
        chunk: &[PartnerEvent],
        sender: i64,
        mut known: HashMap<String, (i64, String)>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Ingested>, StoreError> {
        let new: Vec<&PartnerEvent> = chunk
            .iter()
            .filter(|event| !known.contains_key(&event.id))
            .collect();
        let mut held = self.dossiers_holding_all(&new).await?;
        let companies = self.companies_of(&new).await?;
        let (mut next_dossier, mut next_event) = self.next_ids(new.len()).await?;

        // What each event joins or opens, in the order sent, in memory.
        let mut outcomes = Vec::with_capacity(chunk.len());
        let mut pending: Vec<Pending> = Vec::new();
        for event in chunk {
            if let Some((dossier_id, payload)) = known.get(&event.id) {
                let dossier_id = *dossier_id;
                outcomes.push(if *payload == event.content {
                    Ingested::Duplicate { dossier_id }
                } else {
                    Ingested::Conflict { dossier_id }
                });
                continue;
            }
            let references = references_of(event);
            // Those of the event's site (in the order they were opened), and of every other.
            let (mut here, mut elsewhere) = (Vec::new(), Vec::new());
            for (id, dossier) in &held {
                if dossier.holds_any(&references) {
                    if dossier.site == event.site.as_str() {
                        here.push(*id);
                    } else {
                        elsewhere.push(*id);
                    }
                }
            }
            let dossier_id = match here.first() {
                Some(first) => *first,
                None => {
                    let id = next_dossier.next().ok_or_else(exhausted)?;
                    held.insert(
                        id,
                        Held {
                            site: event.site.as_str().to_owned(),
                            post: event.post.as_ref().map(|p| p.as_str().to_owned()),
                            company: event
                                .operator
                                .as_ref()
                                .and_then(|operator| companies.get(operator.as_str()).copied()),
                            goods: event.goods.code().to_owned(),
                            goods_description: event.goods_description.clone(),
                            references: references.clone(),
                            representative: event
                                .representative
                                .as_ref()
                                .map(|r| r.as_str().to_owned()),
                            step_before: None,
                            fresh: true,
                            touched: true,
                            completed: false,
                            facts: Vec::new(),
                        },
                    );
                    id
                }
            };
            let event_id = next_event.next().ok_or_else(exhausted)?;
            // Two references, two dossiers, or a reference also held at another site: agents
            // decide, nothing is merged behind their back. The dossier the event joined first.
            let correlated = (here.len() > 1 || !elsewhere.is_empty()).then(|| {
                std::iter::once(dossier_id)
                    .chain(here.iter().copied().filter(|id| *id != dossier_id))
                    .chain(elsewhere.iter().copied())
                    .map(|id| id.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            });
            let dossier = held
                .get_mut(&dossier_id)
                .ok_or_else(|| StoreError::Corrupt(format!("dossier {dossier_id} perdu")))?;
            dossier.touched = true;
            // References and facts the dossier did not know yet (a dossier this event opened
            // has them all already).
            if here.len() == 1 {
                for (kept, given) in dossier.references.iter_mut().zip(&references) {
                    if kept.is_none() && given.is_some() {
                        *kept = given.clone();
                        dossier.completed = true;
                    }
                }
                if dossier.post.is_none() {
                    if let Some(post) = &event.post {
                        dossier.post = Some(post.as_str().to_owned());
                        dossier.completed = true;
                    }
                }
                if let Some(representative) = &event.representative {
                    dossier.representative = Some(representative.as_str().to_owned());
                    dossier.completed = true;
                }
            }
            dossier.facts.push(event.fact());
            known.insert(event.id.clone(), (dossier_id, event.content.clone()));
            outcomes.push(Ingested::Created {
                dossier_id,
                event_id,
            });
            pending.push(Pending {
                event,
                event_id,
                dossier_id,
                opened: here.is_empty(),
                correlated,
            });
        }
        if pending.is_empty() {
            return Ok(outcomes);
        }
        self.write_chunk(held, &pending, sender, now).await?;
        Ok(outcomes)
    }

    /// Writes what [`Tx::record_chunk`] decided: the dossiers the chunk opened, its events, the
    /// timelines of the dossiers it changed, then what follows from them.
    async fn write_chunk(
        &mut self,
        held: BTreeMap<i64, Held>,
        pending: &[Pending<'_>],
        sender: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let touched: BTreeMap<i64, Held> = held
            .into_iter()
            .filter(|(_, dossier)| dossier.touched)
            .collect();
        // The facts of each dossier: those of the chunk for one it opened, every event's for
        // one it joined (its earlier events read once, before the chunk's are written).
        let joined: Vec<i64> = touched
            .iter()
            .filter(|(_, dossier)| !dossier.fresh)
            .map(|(id, _)| *id)
            .collect();
        let mut facts = self.facts_of_dossiers(&joined).await?;
        for (id, dossier) in &touched {
            facts
                .entry(*id)
                .or_default()
                .extend(dossier.facts.iter().cloned());
        }
        let worked: BTreeMap<i64, Worked> = touched
            .keys()
            .map(|id| {
                let facts = facts.remove(id).unwrap_or_default();
                (*id, Worked::of(facts, now))
            })
            .collect();

        self.open_dossiers(&touched, &worked).await?;
        self.insert_events(pending, sender, now).await?;
        let mut written: BTreeMap<i64, (DateTime<Utc>, Option<i64>)> = BTreeMap::new();
        for id in &joined {
            let (dossier, work) = (&touched[id], &worked[id]);
            written.insert(*id, self.update_joined(*id, dossier, work).await?);
        }
        for (id, dossier) in &touched {
            if dossier.fresh {
                let opened = worked[id].first.unwrap_or(now);
                written.insert(*id, (opened, dossier.company));
            }
        }

        // Their timelines, and what the dashboards and forecasts count them by.
        self.delete_for_dossiers("step", &joined).await?;
        let steps: Vec<(i64, &[Step])> = worked
            .iter()
            .map(|(id, work)| (*id, work.steps.as_slice()))
            .collect();
        self.insert_steps(&steps).await?;
        let standings: Vec<(i64, Standing)> = touched
            .iter()
            .map(|(id, dossier)| {
                let (opened_at, company) = written[id];
                (
                    *id,
                    Standing {
                        opened_at,
                        site: dossier.site.clone(),
                        post: dossier.post.clone(),
                        goods: dossier.goods.clone(),
                        company,
                        steps: &worked[id].steps,
                        fresh: dossier.fresh,
                    },
                )
            })
            .collect();
        let standing_refs: Vec<(i64, &Standing)> = standings
            .iter()
            .map(|(id, standing)| (*id, standing))
            .collect();
        self.record_durations_all(&standing_refs).await?;
        self.record_indicators_all(&standing_refs).await?;
        // The facts go to the check of their order, with the alerts below.
        drop(standing_refs);
        drop(standings);
        if let Some(kept) = &mut self.remembered {
            for (id, work) in worked {
                kept.facts.insert(id, work.facts);
            }
        }

        // What each event is recorded for, in the order sent: correlation alerts, goods a post
        // is not approved for, the source heard from.
        let mut correlations = Vec::new();
        for pending in pending {
            if let Some(others) = &pending.correlated {
                let correlation: i64 = on_tx!(self, conn => {
                    sqlx::query_scalar(
                        "INSERT INTO correlation_alert (event_id, dossier_ids, created_at) VALUES ($1, $2, $3)
                         RETURNING id",
                    )
                    .bind(pending.event_id)
                    .bind(others)
                    .bind(now)
                    .fetch_one(conn)
                    .await
                })?;
                correlations.push(correlation);
            }
            if let Some(post) = &pending.event.post {
                correlations.extend(
                    self.check_post_approval(
                        pending.dossier_id,
                        pending.event_id,
                        post,
                        pending.event.goods,
                        now,
                    )
                    .await?,
                );
            }
            self.source_heard(pending.event.site.as_str(), pending.event.source, now)
                .await?;
        }
        for correlation in correlations {
            self.alert_correlation(correlation, now).await?;
        }
        let notices: Vec<_> = pending
            .iter()
            .flat_map(|pending| {
                event_notices_of(
                    pending.dossier_id,
                    pending.event_id,
                    pending.opened,
                    pending.event.kind,
                    &pending.event.fact,
                )
            })
            .collect();
        self.notify_all(&notices, now).await?;
        // The alerts of the dossiers (and of their posts' queues they left and joined).
        let evaluated: Vec<(i64, Vec<String>)> = touched
            .iter()
            .map(|(id, dossier)| (*id, dossier.step_before.iter().cloned().collect()))
            .collect();
        self.evaluate_dossiers_alerts(&evaluated, now).await?;
        // Every instance hears of them once they are committed (see `server::live`).
        let events: Vec<super::super::feed::Committed> = pending
            .iter()
            .map(|pending| super::super::feed::Committed::Event(pending.event_id))
            .collect();
        self.announce_all(&events).await?;
        Ok(())
    }

    /// The dossiers holding any reference of these events, in one read, by id.
    async fn dossiers_holding_all(
        &mut self,
        events: &[&PartnerEvent],
    ) -> Result<BTreeMap<i64, Held>, StoreError> {
        let mut values: [BTreeSet<String>; 5] = Default::default();
        for event in events {
            for (column, value) in references_of(event).into_iter().enumerate() {
                if let Some(value) = value {
                    values[column].insert(value);
                }
            }
        }
        let mut clauses = Vec::new();
        let mut next = 1;
        for (column, given) in REFERENCE_COLUMNS.iter().zip(&values) {
            if !given.is_empty() {
                clauses.push(format!("{column} IN ({})", placeholders(next, given.len())));
                next += given.len();
            }
        }
        if clauses.is_empty() {
            return Ok(BTreeMap::new());
        }
        let sql = format!(
            "SELECT id, site_code, post_code, company_id, goods_category, goods_description, container, awb,
                    bill_of_lading, ched, mrn, representative, current_step
             FROM dossier WHERE {}",
            clauses.join(" OR ")
        );
        let rows: Vec<HeldRow> = on_tx!(self, conn => {
            let mut query = sqlx::query_as(&sql);
            for given in &values {
                for value in given {
                    query = query.bind(value);
                }
            }
            query.fetch_all(conn).await
        })?;
        Ok(rows
            .into_iter()
            .map(|row| {
                (
                    row.id,
                    Held {
                        site: row.site_code,
                        post: row.post_code,
                        company: row.company_id,
                        goods: row.goods_category,
                        goods_description: row.goods_description,
                        references: [
                            row.container,
                            row.awb,
                            row.bill_of_lading,
                            row.ched,
                            row.mrn,
                        ],
                        representative: row.representative,
                        step_before: row.current_step,
                        fresh: false,
                        touched: false,
                        completed: false,
                        facts: Vec::new(),
                    },
                )
            })
            .collect())
    }

    /// The companies the operators of these events name, by SIRET or EORI, in one read (none
    /// when no event names one).
    async fn companies_of(
        &mut self,
        events: &[&PartnerEvent],
    ) -> Result<HashMap<String, i64>, StoreError> {
        let mut sirets = BTreeSet::new();
        let mut eoris = BTreeSet::new();
        for event in events {
            match &event.operator {
                Some(OperatorId::Siret(siret)) => {
                    sirets.insert(siret.as_str().to_owned());
                }
                Some(OperatorId::Eori(eori)) => {
                    eoris.insert(eori.as_str().to_owned());
                }
                None => {}
            }
        }
        if sirets.is_empty() && eoris.is_empty() {
            return Ok(HashMap::new());
        }
        // `IN ()` is not SQL: an empty list names a value no number has.
        let list = |from: usize, count: usize| {
            if count == 0 {
                "''".to_owned()
            } else {
                placeholders(from, count)
            }
        };
        let sql = format!(
            "SELECT id, siret, eori FROM company WHERE siret IN ({}) OR eori IN ({})",
            list(1, sirets.len()),
            list(1 + sirets.len(), eoris.len())
        );
        let rows: Vec<(i64, Option<String>, Option<String>)> = on_tx!(self, conn => {
            let mut query = sqlx::query_as(&sql);
            for value in sirets.iter().chain(&eoris) {
                query = query.bind(value);
            }
            query.fetch_all(conn).await
        })?;
        let mut found = HashMap::new();
        for (id, siret, eori) in rows {
            if let Some(siret) = siret.filter(|siret| sirets.contains(siret)) {
                found.entry(siret).or_insert(id);
            }
            if let Some(eori) = eori.filter(|eori| eoris.contains(eori)) {
                found.entry(eori).or_insert(id);
            }
        }
        Ok(found)
    }

    /// Ids for `count` dossiers and `count` events this transaction may write, in one
    /// statement: drawn from the tables' sequences on PostgreSQL; on SQLite, whose writers are
    /// serialised (this transaction holds the write lock), those after the highest.
    async fn next_ids(
        &mut self,
        count: usize,
    ) -> Result<(std::vec::IntoIter<i64>, std::vec::IntoIter<i64>), StoreError> {
        if count == 0 {
            return Ok((Vec::new().into_iter(), Vec::new().into_iter()));
        }
        let (dossiers, events): (Vec<i64>, Vec<i64>) = match self.postgres() {
            Some(tx) => {
                let rows: Vec<(i64, i64)> = sqlx::query_as(
                    "SELECT nextval(pg_get_serial_sequence('dossier', 'id')),
                            nextval(pg_get_serial_sequence('event', 'id'))
                     FROM generate_series(1, $1)",
                )
                .bind(count as i64)
                .fetch_all(&mut **tx)
                .await?;
                rows.into_iter().unzip()
            }
            None => {
                let (dossier, event): (i64, i64) = on_tx!(self, conn => {
                    sqlx::query_as(
                        "SELECT (SELECT COALESCE(MAX(id), 0) FROM dossier), (SELECT COALESCE(MAX(id), 0) FROM event)",
                    )
                    .fetch_one(conn)
                    .await
                })?;
                let count = count as i64;
                (
                    (dossier + 1..=dossier + count).collect(),
                    (event + 1..=event + count).collect(),
                )
            }
        };
        Ok((dossiers.into_iter(), events.into_iter()))
    }

    /// The facts of every event of these dossiers, by dossier, in one read.
    async fn facts_of_dossiers(
        &mut self,
        dossiers: &[i64],
    ) -> Result<HashMap<i64, Vec<Fact>>, StoreError> {
        type Row = (i64, i64, String, DateTime<Utc>, Option<String>);
        let rows: Vec<Row> = self
            .read_for_dossiers(
                "SELECT dossier_id, id, kind, occurred_at, fact FROM event WHERE dossier_id IN",
                dossiers,
            )
            .await?;
        let mut by_dossier: BTreeMap<i64, Vec<super::StoredFact>> = BTreeMap::new();
        for (dossier, id, kind, occurred_at, fact) in rows {
            by_dossier
                .entry(dossier)
                .or_default()
                .push((id, kind, occurred_at, fact));
        }
        let mut facts = HashMap::new();
        for (dossier, rows) in by_dossier {
            facts.insert(dossier, self.stored_facts(rows).await?);
        }
        Ok(facts)
    }

    /// The dossiers the chunk opened, as the chunk leaves them, in one statement.
    async fn open_dossiers(
        &mut self,
        touched: &BTreeMap<i64, Held>,
        worked: &BTreeMap<i64, Worked>,
    ) -> Result<(), StoreError> {
        let fresh: Vec<(&i64, &Held)> = touched.iter().filter(|(_, d)| d.fresh).collect();
        let size = self.rows_a_statement(17);
        for rows in fresh.chunks(size) {
            let values = values_sql(rows.len(), 17, 1);
            let sql = format!(
                "INSERT INTO dossier (id, site_code, post_code, company_id, goods_category, goods_description,
                     flow, container, awb, bill_of_lading, ched, mrn, status, current_step, opened_at, updated_at,
                     representative)
                 VALUES {values}"
            );
            on_tx!(self, conn => {
                let mut query = sqlx::query(&sql);
                for (id, dossier) in rows {
                    let work = &worked[*id];
                    let [container, awb, bill_of_lading, ched, mrn] = &dossier.references;
                    query = query
                        .bind(**id)
                        .bind(&dossier.site)
                        .bind(&dossier.post)
                        .bind(dossier.company)
                        .bind(&dossier.goods)
                        .bind(&dossier.goods_description)
                        .bind(Flow::Import.code())
                        .bind(container)
                        .bind(awb)
                        .bind(bill_of_lading)
                        .bind(ched)
                        .bind(mrn)
                        .bind(work.status.code())
                        .bind(work.current.map(StepKind::code))
                        .bind(work.first)
                        .bind(work.last)
                        .bind(&dossier.representative);
                }
                query.execute(conn).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// The chunk's events, as many a statement as the store takes well.
    async fn insert_events(
        &mut self,
        pending: &[Pending<'_>],
        sender: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let size = self.rows_a_statement(12);
        for rows in pending.chunks(size) {
            let values = values_sql(rows.len(), 12, 1);
            let sql = format!(
                "INSERT INTO event (id, dossier_id, partner_event_id, partner_key_id, source, kind, occurred_at,
                                    received_at, post_code, detail, payload, fact)
                 VALUES {values}"
            );
            on_tx!(self, conn => {
                let mut query = sqlx::query(&sql);
                for row in rows {
                    let event = row.event;
                    query = query
                        .bind(row.event_id)
                        .bind(row.dossier_id)
                        .bind(&event.id)
                        .bind(sender)
                        .bind(event.source.code())
                        .bind(event.kind.code())
                        .bind(event.occurred_at)
                        .bind(now)
                        .bind(event.post.as_ref().map(|p| p.as_str()))
                        .bind(event.detail.as_deref())
                        .bind(&event.content)
                        .bind(event.fact.stored());
                }
                query.execute(conn).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// A dossier the chunk joined, brought up to date (references it completed, status, step,
    /// dates); when it opened and its company, as written.
    async fn update_joined(
        &mut self,
        id: i64,
        dossier: &Held,
        work: &Worked,
    ) -> Result<(DateTime<Utc>, Option<i64>), StoreError> {
        let [container, awb, bill_of_lading, ched, mrn] = &dossier.references;
        let completed = dossier.completed;
        Ok(on_tx!(self, conn => {
            sqlx::query_as(
                "UPDATE dossier SET status = $2, current_step = $3,
                     updated_at = COALESCE($4, updated_at),
                     opened_at = CASE WHEN $4 IS NOT NULL AND $5 < opened_at THEN $5 ELSE opened_at END,
                     container = CASE WHEN $6 THEN $7 ELSE container END,
                     awb = CASE WHEN $6 THEN $8 ELSE awb END,
                     bill_of_lading = CASE WHEN $6 THEN $9 ELSE bill_of_lading END,
                     ched = CASE WHEN $6 THEN $10 ELSE ched END,
                     mrn = CASE WHEN $6 THEN $11 ELSE mrn END,
                     post_code = CASE WHEN $6 THEN $12 ELSE post_code END,
                     representative = CASE WHEN $6 THEN $13 ELSE representative END
                 WHERE id = $1
                 RETURNING opened_at, company_id",
            )
            .bind(id)
            .bind(work.status.code())
            .bind(work.current.map(StepKind::code))
            .bind(work.last)
            .bind(work.first)
            .bind(completed)
            .bind(container)
            .bind(awb)
            .bind(bill_of_lading)
            .bind(ched)
            .bind(mrn)
            .bind(&dossier.post)
            .bind(&dossier.representative)
            .fetch_one(conn)
            .await
        })?)
    }
}

/// A dossier's timeline worked out from its facts.
struct Worked {
    facts: Vec<Fact>,
    steps: Vec<Step>,
    status: DossierStatus,
    current: Option<StepKind>,
    /// When its first and last events happened.
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

impl Worked {
    fn of(facts: Vec<Fact>, now: DateTime<Utc>) -> Worked {
        let steps = derive(&facts, now);
        Worked {
            status: DossierStatus::of_steps(&steps),
            current: current_step(&steps),
            first: facts.iter().map(|fact| fact.occurred_at).min(),
            last: facts.iter().map(|fact| fact.occurred_at).max(),
            steps,
            facts,
        }
    }
}

fn exhausted() -> StoreError {
    StoreError::Corrupt("identifiants réservés épuisés".into())
}
