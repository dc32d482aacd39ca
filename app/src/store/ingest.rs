//! Partner events into dossiers: idempotency by the partner's event id, correlation by
//! references, and the timeline worked out again from every event of the dossier.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

mod chunk;

use super::{on_pool, on_tx, Standing, Store, StoreError, Tx};
use crate::domain::directory::refused;
use crate::domain::dossier::{current_step, DossierStatus, Flow, GoodsCategory, References};
use crate::domain::journey::{EventKind, StepKind};
use crate::domain::partner::{validate, OperatorId, PartnerEvent};
use crate::domain::references::{Locode, PostCode};
use crate::domain::timeline::{derive, Fact, FactData};

/// What became of a submitted event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ingested {
    /// Recorded, in this dossier.
    Created { dossier_id: i64, event_id: i64 },
    /// Already received with the same content.
    Duplicate { dossier_id: i64 },
    /// Already received under this id with other content: nothing changed.
    Conflict { dossier_id: i64 },
}

pub use crate::domain::live::LiveEvent;

/// Events of a batch recorded in one transaction (a batch holds up to a thousand): enough that
/// a commit is paid for many, few enough that SQLite's single writer is not held long.
pub const INGESTION_CHUNK: usize = 100;

/// What a new dossier is opened with: the first event or document of a consignment.
pub(crate) struct Opening<'a> {
    pub site: &'a Locode,
    pub post: Option<&'a PostCode>,
    pub references: &'a References,
    pub goods: GoodsCategory,
    pub goods_description: &'a str,
    pub operator: Option<&'a OperatorId>,
    /// The representative the partner declared, if any.
    pub representative: Option<&'a OperatorId>,
    pub opened_at: DateTime<Utc>,
}

/// An event's fact as stored: its id, kind, when it happened and its fact (none when recorded
/// before facts were stored).
type StoredFact = (i64, String, DateTime<Utc>, Option<String>);

/// The events a chunk recorded, in order.
fn created_events(outcomes: &[Ingested]) -> Vec<i64> {
    outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            Ingested::Created { event_id, .. } => Some(*event_id),
            _ => None,
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct LiveRow {
    event_id: i64,
    position: i64,
    dossier_id: i64,
    site_code: String,
    company_id: Option<i64>,
    kind: String,
    status: String,
    current_step: Option<String>,
    occurred_at: DateTime<Utc>,
}

const LIVE_QUERY: &str =
    "SELECT e.id AS event_id, e.position, e.dossier_id, d.site_code, d.company_id, e.kind,
        d.status, d.current_step, e.occurred_at
 FROM event e JOIN dossier d ON d.id = e.dossier_id";

impl TryFrom<LiveRow> for LiveEvent {
    type Error = StoreError;
    fn try_from(row: LiveRow) -> Result<Self, StoreError> {
        use super::decode;
        Ok(LiveEvent {
            event_id: row.event_id,
            position: row.position,
            dossier_id: row.dossier_id,
            site: crate::domain::references::Locode::parse(&row.site_code)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            company_id: row.company_id,
            kind: decode("événement", &row.kind, EventKind::from_code)?,
            status: decode("statut", &row.status, DossierStatus::from_code)?,
            current_step: row
                .current_step
                .as_deref()
                .map(|code| decode("étape", code, StepKind::from_code))
                .transpose()?,
            occurred_at: row.occurred_at,
        })
    }
}

impl Store {
    /// These events as live streams carry them, in the order given (an id that names no
    /// event is left out): one read for what one commit recorded.
    #[tracing::instrument(skip_all)]
    pub async fn live_events(&self, ids: &[i64]) -> Result<Vec<LiveEvent>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "{LIVE_QUERY} WHERE e.id IN ({})",
            super::placeholders(1, ids.len())
        );
        let rows: Vec<LiveRow> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql);
            for id in ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await
        })?;
        let mut found: HashMap<i64, LiveRow> =
            rows.into_iter().map(|row| (row.event_id, row)).collect();
        ids.iter()
            .filter_map(|id| found.remove(id))
            .map(LiveEvent::try_from)
            .collect()
    }

    /// The events committed after position `last`, in commit order, at most `limit`: what a
    /// reconnecting stream missed.
    #[tracing::instrument(skip_all)]
    pub async fn live_events_after(
        &self,
        last: i64,
        limit: i64,
    ) -> Result<Vec<LiveEvent>, StoreError> {
        let sql = format!("{LIVE_QUERY} WHERE e.position > $1 ORDER BY e.position LIMIT $2");
        let rows: Vec<LiveRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(last).bind(limit).fetch_all(pool).await
        })?;
        rows.into_iter().map(LiveEvent::try_from).collect()
    }

    /// The highest stream position committed so far (0 when there is no event).
    #[tracing::instrument(skip_all)]
    pub async fn last_position(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) FROM event")
                .fetch_one(pool)
                .await
        })?)
    }

    /// Records one event, sent with partner key `sender`, in its own transaction.
    #[tracing::instrument(skip_all)]
    pub async fn ingest(
        &self,
        event: &PartnerEvent,
        sender: i64,
        now: DateTime<Utc>,
    ) -> Result<Ingested, StoreError> {
        let mut outcomes = self
            .ingest_all(std::slice::from_ref(event), sender, now)
            .await?;
        Ok(outcomes.remove(0))
    }

    /// Records the events of a batch sent with partner key `sender`, in order, each as
    /// [`Tx::ingest`] would, [`INGESTION_CHUNK`] to a transaction: one commit (and, on
    /// PostgreSQL, one round of locks and of stream positions) for many events. A failure leaves
    /// the chunk under way unwritten; the chunks before stay, and sending the batch again is
    /// safe (what was recorded answers as a duplicate).
    #[tracing::instrument(skip_all, fields(events = events.len()))]
    pub async fn ingest_all(
        &self,
        events: &[PartnerEvent],
        sender: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<Ingested>, StoreError> {
        let mut outcomes = Vec::with_capacity(events.len());
        for chunk in events.chunks(INGESTION_CHUNK) {
            let mut tx = self.begin().await?;
            tx.remember();
            // Every site of the chunk is taken before any is written, in one order whoever
            // sends, so that two chunks never wait for each other's sites.
            let mut sites: Vec<&Locode> = chunk.iter().map(|event| &event.site).collect();
            sites.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            sites.dedup();
            for site in sites {
                tx.lock_site_ingestion(site).await?;
            }
            // What the chunk's ids already name, in one read; then the chunk, as sets.
            let known = tx.recorded_events(sender, chunk).await?;
            let recorded = tx.record_chunk(chunk, sender, known, now).await?;
            tx.take_positions(&created_events(&recorded)).await?;
            outcomes.extend(recorded);
            tx.commit().await?;
        }
        Ok(outcomes)
    }

    /// Stores the facts of the events recorded before facts were stored (migration 0017), once,
    /// right after migrating: a thousand events per transaction, read through an index of the
    /// pending ones only (empty once done), so a restart resumes and costs nothing afterwards.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn settle_stored_facts(&self) -> Result<(), StoreError> {
        const PAGE: i64 = 1000;
        let mut settled = 0usize;
        loop {
            let mut tx = self.begin().await?;
            let page: Vec<(i64, String)> = on_tx!(&mut tx, conn => {
                sqlx::query_as("SELECT id, payload FROM event WHERE fact IS NULL ORDER BY id LIMIT $1")
                    .bind(PAGE)
                    .fetch_all(conn)
                    .await
            })?;
            for (id, payload) in &page {
                tx.settle_fact(*id, payload).await?;
            }
            tx.commit().await?;
            settled += page.len();
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        if settled > 0 {
            tracing::info!(events = settled, "faits des événements enregistrés");
        }
        Ok(())
    }
}

impl Tx {
    /// Records one event sent with partner key `sender`: joins the dossier of the event's site
    /// that holds any of its references, or opens one there. A dossier of another site is never
    /// joined, changed or revealed to the sender: a reference it also holds is recorded for the
    /// agents of both sites (a correlation alert). Event ids are the sending key's own.
    #[tracing::instrument(skip_all)]
    pub async fn ingest(
        &mut self,
        event: &PartnerEvent,
        sender: i64,
        now: DateTime<Utc>,
    ) -> Result<Ingested, StoreError> {
        // On PostgreSQL, events of one site are taken one at a time, so that two events of a new
        // consignment sent at once open one dossier, not two. (SQLite writers are serialised.)
        self.lock_site_ingestion(&event.site).await?;
        let events = std::slice::from_ref(event);
        let known = self.recorded_events(sender, events).await?;
        let mut outcomes = self.record_chunk(events, sender, known, now).await?;
        self.take_positions(&created_events(&outcomes)).await?;
        Ok(outcomes.remove(0))
    }

    /// The events among `events` that key `sender` already recorded, by their id: their dossier
    /// and the content they were recorded with. One read.
    async fn recorded_events(
        &mut self,
        sender: i64,
        events: &[PartnerEvent],
    ) -> Result<HashMap<String, (i64, String)>, StoreError> {
        let sql = format!(
            "SELECT partner_event_id, dossier_id, payload FROM event
             WHERE partner_key_id = $1 AND partner_event_id IN ({})",
            super::placeholders(2, events.len())
        );
        let rows: Vec<(String, i64, String)> = on_tx!(self, conn => {
            let mut query = sqlx::query_as(&sql).bind(sender);
            for event in events {
                query = query.bind(&event.id);
            }
            query.fetch_all(conn).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, dossier_id, payload)| (id, (dossier_id, payload)))
            .collect())
    }

    /// The stream positions of the events this transaction recorded, in their order. They are
    /// taken last, under a lock held until the commit, so that positions follow the order of
    /// commits and a replay from a position never skips an event committed later with a smaller
    /// one. (SQLite commits one writer at a time: the position is the id, given by a trigger.)
    async fn take_positions(&mut self, events: &[i64]) -> Result<(), StoreError> {
        let Some(tx) = self.postgres() else {
            return Ok(());
        };
        if events.is_empty() {
            return Ok(());
        }
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext('ingestion:ordre'))")
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE event SET position = numbered.position
             FROM (SELECT id, nextval('event_position') AS position
                   FROM (SELECT id FROM unnest($1::bigint[]) WITH ORDINALITY AS given(id, n) ORDER BY n) AS ordered)
                  AS numbered
             WHERE event.id = numbered.id",
        )
        .bind(events)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Goods sent to a post whose recorded approvals do not include them: the event stays
    /// recorded (the partner systems are authoritative) and the agents of the dossier's site are
    /// alerted, once per dossier, post and goods however many events repeat them. The
    /// `correlation_alert` recorded, if any.
    #[tracing::instrument(skip_all)]
    async fn check_post_approval(
        &mut self,
        dossier_id: i64,
        event_id: i64,
        post: &PostCode,
        goods: GoodsCategory,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        let approvals = self.post_approvals(post.as_str()).await?;
        if !refused(&approvals, goods) {
            return Ok(None);
        }
        // Events of a site are taken one at a time (the lock above on PostgreSQL, the single
        // writer on SQLite), so "not yet alerted" holds until the insert; the unique index is
        // the guard behind it.
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO correlation_alert (event_id, dossier_ids, created_at, cause, post_code, goods_category)
                 SELECT $1, $2, $3, 'post_approval', $4, $5
                 WHERE NOT EXISTS (SELECT 1 FROM correlation_alert
                                   WHERE cause = 'post_approval' AND dossier_ids = $2
                                     AND post_code = $4 AND goods_category = $5)
                 RETURNING id",
            )
            .bind(event_id)
            .bind(dossier_id.to_string())
            .bind(now)
            .bind(post.as_str())
            .bind(goods.code())
            .fetch_optional(conn)
            .await
        })?)
    }

    /// The goods categories post `post` is approved for, as recorded (none: not recorded).
    pub(crate) async fn post_approvals(
        &mut self,
        post: &str,
    ) -> Result<Vec<GoodsCategory>, StoreError> {
        if let Some(kept) = self.remembered.as_ref().and_then(|r| r.approvals.get(post)) {
            return Ok(kept.clone());
        }
        let codes: Vec<String> = on_tx!(self, conn => {
            sqlx::query_scalar("SELECT goods_category FROM post_approval WHERE post_code = $1")
                .bind(post)
                .fetch_all(conn)
                .await
        })?;
        let approvals = codes
            .iter()
            .map(|code| super::decode("catégorie de marchandises", code, GoodsCategory::from_code))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(kept) = &mut self.remembered {
            kept.approvals.insert(post.to_owned(), approvals.clone());
        }
        Ok(approvals)
    }

    /// On PostgreSQL, what partners send for one site is taken one at a time, so that two
    /// submissions about a new consignment sent at once open one dossier, not two. (SQLite
    /// writers are serialised.)
    pub(crate) async fn lock_site_ingestion(&mut self, site: &Locode) -> Result<(), StoreError> {
        if let Some(tx) = self.postgres() {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(format!("ingestion:{}", site.as_str()))
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// The dossiers holding any of these references: of site `site` (`here`), or of every
    /// other site.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn holding_references(
        &mut self,
        refs: &References,
        site: &Locode,
        here: bool,
    ) -> Result<Vec<i64>, StoreError> {
        let sql = format!(
            "SELECT id FROM dossier
             WHERE (container = $1 OR awb = $2 OR bill_of_lading = $3 OR ched = $4 OR mrn = $5)
               AND site_code {} $6
             ORDER BY id",
            if here { "=" } else { "<>" }
        );
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(&sql)
                .bind(refs.container.as_ref().map(|r| r.as_str()))
                .bind(refs.awb.as_ref().map(|r| r.as_str()))
                .bind(refs.bill_of_lading.as_ref().map(|r| r.as_str()))
                .bind(refs.ched.as_ref().map(|r| r.as_str()))
                .bind(refs.mrn.as_ref().map(|r| r.as_str()))
                .bind(site.as_str())
                .fetch_all(conn)
                .await
        })?)
    }

    /// A new dossier for the first event (or document) of a consignment.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn open_dossier(&mut self, event: &Opening<'_>) -> Result<i64, StoreError> {
        let company: Option<i64> = match event.operator {
            Some(OperatorId::Siret(siret)) => on_tx!(self, conn => {
                sqlx::query_scalar("SELECT id FROM company WHERE siret = $1")
                    .bind(siret.as_str())
                    .fetch_optional(conn)
                    .await
            })?,
            Some(OperatorId::Eori(eori)) => on_tx!(self, conn => {
                sqlx::query_scalar("SELECT id FROM company WHERE eori = $1")
                    .bind(eori.as_str())
                    .fetch_optional(conn)
                    .await
            })?,
            None => None,
        };
        let refs = event.references;
        let id = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO dossier (site_code, post_code, company_id, goods_category, goods_description,
                     flow, container, awb, bill_of_lading, ched, mrn, status, current_step, opened_at, updated_at,
                     representative)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'en_cours', NULL, $12, $12, $13)
                 RETURNING id",
            )
            .bind(event.site.as_str())
            .bind(event.post.as_ref().map(|p| p.as_str()))
            .bind(company)
            .bind(event.goods.code())
            .bind(event.goods_description)
            .bind(Flow::Import.code())
            .bind(refs.container.as_ref().map(|r| r.as_str()))
            .bind(refs.awb.as_ref().map(|r| r.as_str()))
            .bind(refs.bill_of_lading.as_ref().map(|r| r.as_str()))
            .bind(refs.ched.as_ref().map(|r| r.as_str()))
            .bind(refs.mrn.as_ref().map(|r| r.as_str()))
            .bind(event.opened_at)
            .bind(event.representative.map(OperatorId::as_str))
            .fetch_one(conn)
            .await
        })?;
        Ok(id)
    }

    /// Works the timeline out again from every event of the dossier, in the order they happened,
    /// from the facts stored with them (never from their payloads validated again). `fresh`: the
    /// dossier was opened in this transaction (it counts for nothing yet in the dashboards and
    /// forecasts).
    #[tracing::instrument(skip_all)]
    pub async fn recompute(
        &mut self,
        dossier_id: i64,
        now: DateTime<Utc>,
        fresh: bool,
    ) -> Result<(), StoreError> {
        // Only the facts: payloads stay unread (see `stored_facts` for events recorded before).
        let rows: Vec<StoredFact> = on_tx!(self, conn => {
            sqlx::query_as(
                "SELECT id, kind, occurred_at, fact FROM event WHERE dossier_id = $1",
            )
            .bind(dossier_id)
            .fetch_all(conn)
            .await
        })?;
        let facts = self.stored_facts(rows).await?;
        let steps = derive(&facts, now);
        if fresh {
            // Opened in this transaction, by this event: no steps yet.
            self.insert_steps(&[(dossier_id, &steps)]).await?;
        } else {
            self.replace_steps(dossier_id, &steps).await?;
        }
        let status = DossierStatus::of_steps(&steps);
        let updated = facts.iter().map(|fact| fact.occurred_at).max();
        // What the dashboards and forecasts count it by, as written.
        type Written = (DateTime<Utc>, String, Option<String>, String, Option<i64>);
        let (opened_at, site, post, goods, company): Written = on_tx!(self, conn => {
            sqlx::query_as(
                "UPDATE dossier SET status = $2, current_step = $3,
                     updated_at = COALESCE($4, updated_at),
                     opened_at = CASE WHEN $4 IS NOT NULL AND $5 < opened_at THEN $5 ELSE opened_at END
                 WHERE id = $1
                 RETURNING opened_at, site_code, post_code, goods_category, company_id",
            )
            .bind(dossier_id)
            .bind(status.code())
            .bind(current_step(&steps).map(StepKind::code))
            .bind(updated)
            .bind(facts.iter().map(|fact| fact.occurred_at).min())
            .fetch_one(conn)
            .await
        })?;
        let standing = Standing {
            opened_at,
            site,
            post,
            goods,
            company,
            steps: &steps,
            fresh,
        };
        self.record_durations(dossier_id, &standing).await?;
        self.record_indicators(dossier_id, &standing).await?;
        if let Some(kept) = &mut self.remembered {
            kept.facts.insert(dossier_id, facts);
        }
        Ok(())
    }

    /// The facts of events as stored (id, kind, when, fact), in the order given: an event
    /// recorded before facts were stored has its fact worked out once (see migration 0017); one
    /// of a kind no longer known counts for nothing.
    pub(super) async fn stored_facts(
        &mut self,
        rows: Vec<StoredFact>,
    ) -> Result<Vec<Fact>, StoreError> {
        let mut facts = Vec::with_capacity(rows.len());
        for (id, kind, occurred_at, fact) in rows {
            let data = match fact {
                Some(text) => FactData::from_stored(&text).ok_or_else(|| {
                    StoreError::Corrupt(format!("fait illisible pour l'événement {id}"))
                })?,
                None => {
                    let payload: String = on_tx!(self, conn => {
                        sqlx::query_scalar("SELECT payload FROM event WHERE id = $1")
                            .bind(id)
                            .fetch_one(conn)
                            .await
                    })?;
                    self.settle_fact(id, &payload).await?
                }
            };
            if let Some(kind) = EventKind::from_code(&kind) {
                facts.push(Fact {
                    kind,
                    occurred_at,
                    data,
                });
            }
        }
        Ok(facts)
    }

    /// Works out and stores, once, the fact of an event recorded before facts were stored, from
    /// its payload and the input rules of today (events received through the interface carry
    /// their data; older ones, the demo's, only their kind).
    async fn settle_fact(&mut self, event_id: i64, payload: &str) -> Result<FactData, StoreError> {
        let data = serde_json::from_str(payload)
            .ok()
            .and_then(|value| validate(&value).ok())
            .map(|event| event.fact)
            .unwrap_or_default();
        on_tx!(self, conn => {
            sqlx::query("UPDATE event SET fact = $2 WHERE id = $1 AND fact IS NULL")
                .bind(event_id)
                .bind(data.stored())
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        Ok(data)
    }

    /// The benchmark's baseline: the rows an ingestion writes for the first event of a
    /// consignment (dossier, event, steps), written straight, without checks or correlation.
    #[tracing::instrument(skip_all)]
    pub async fn raw_event_insert(
        &mut self,
        ched: &str,
        partner_event_id: &str,
        content: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let dossier_id: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO dossier (site_code, goods_category, goods_description, flow, ched, status,
                                      opened_at, updated_at)
                 VALUES ('FRLEH', 'animal_products', 'Crevettes congelées', 'import', $1, 'en_cours', $2, $2)
                 RETURNING id",
            )
            .bind(ched)
            .bind(now)
            .fetch_one(conn)
            .await
        })?;
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO event (dossier_id, partner_event_id, source, kind, occurred_at, received_at, payload, fact)
                 VALUES ($1, $2, 'traces', 'ched_lodged', $3, $3, $4, $5)",
            )
            .bind(dossier_id)
            .bind(partner_event_id)
            .bind(now)
            .bind(content)
            .bind(FactData::None.stored())
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        let steps = derive(&[], now);
        self.replace_steps(dossier_id, &steps).await
    }

    /// The benchmark's fastest baseline: the same rows as [`Tx::raw_event_insert`] for many
    /// first events, written as sets: one multi-row `INSERT` each for the dossiers, the events
    /// and the steps (`(ched, partner event id, content)` each, at most a hundred).
    #[tracing::instrument(skip_all)]
    pub async fn raw_events_insert_all(
        &mut self,
        events: &[(String, String, String)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let dossiers = (0..events.len())
            .map(|n| {
                format!(
                    "('FRLEH', 'animal_products', 'Crevettes congelées', 'import', ${}, 'en_cours', $1, $1)",
                    n + 2
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO dossier (site_code, goods_category, goods_description, flow, ched, status,
                                  opened_at, updated_at)
             VALUES {dossiers} RETURNING id, ched"
        );
        let opened: Vec<(i64, Option<String>)> = on_tx!(self, conn => {
            let mut query = sqlx::query_as(&sql).bind(now);
            for (ched, ..) in events {
                query = query.bind(ched);
            }
            query.fetch_all(conn).await
        })?;
        let by_ched: std::collections::HashMap<&str, i64> = opened
            .iter()
            .filter_map(|(id, ched)| Some((ched.as_deref()?, *id)))
            .collect();
        let rows = (0..events.len())
            .map(|n| {
                format!(
                    "(${}, ${}, 'traces', 'ched_lodged', $1, $1, ${}, $2)",
                    n * 3 + 3,
                    n * 3 + 4,
                    n * 3 + 5
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO event (dossier_id, partner_event_id, source, kind, occurred_at, received_at, payload, fact)
             VALUES {rows}"
        );
        let mut ids = Vec::with_capacity(events.len());
        for (ched, ..) in events {
            ids.push(
                *by_ched
                    .get(ched.as_str())
                    .ok_or_else(|| StoreError::Corrupt(format!("dossier de {ched} non créé")))?,
            );
        }
        on_tx!(self, conn => {
            let mut query = sqlx::query(&sql).bind(now).bind(FactData::None.stored());
            for ((_, partner_event_id, content), dossier_id) in events.iter().zip(&ids) {
                query = query.bind(*dossier_id).bind(partner_event_id).bind(content);
            }
            query.execute(conn).await.map(|_| ())
        })?;
        let steps = derive(&[], now);
        let dossiers: Vec<(i64, &[crate::domain::journey::Step])> =
            ids.iter().map(|id| (*id, steps.as_slice())).collect();
        self.insert_steps(&dossiers).await
    }
}
