//! Alerts, evaluated against what the store holds (see `domain::alert` for the rules): on every
//! partner event for its dossier, in the event's transaction, and once a minute by the instance
//! that holds the clock's lease, for what time can change (the dossiers due, see
//! [`Store::evaluate_alerts`]) or, when what the rules rest on changed, for everything. One
//! evaluation reads what holds and the alerts it watches, then changes only what differs; each
//! change of a dossier's alerts is made again in its own transaction, under the site's ingestion
//! lock, from what holds then, so that an event arriving meanwhile wins and no alert opens on what
//! has just changed.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::{on_pool, on_tx, placeholders, Store, StoreError, Tx};
use crate::domain::access::local_day;
use crate::domain::alert::{
    appointment_conditions, bottleneck_conditions, closes_at, duration_conditions,
    duration_limit_at, next_due, order_anomaly, order_condition, silence_conditions, site_open,
    transition, usual_gap, Activity, AlertState, AwaitedCheck, Condition, Responsibilities,
    Responsible, Rule, Setting, Subject, Thresholds, Transition, UnderWay, Waiting, Watched,
    MOST_OPENED_AT_ONCE, SWEEP_AT_LEAST_EVERY_HOURS,
};
use crate::domain::appointment::Opening;
use crate::domain::journey::{EventKind, EventSource, StepKind};
use crate::domain::notification::{fill, DEFAULT_DIGEST_HOUR};
use crate::domain::timeline::{Fact, FactData};

mod correlation;

/// What one evaluation changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evaluated {
    /// Alerts opened, or opened again.
    pub opened: usize,
    /// Alerts whose condition cleared (they close once it has for a while).
    pub cleared: usize,
    /// Alerts whose condition came back before they closed.
    pub returned: usize,
    /// Alerts closed automatically.
    pub closed: usize,
}

impl std::ops::AddAssign for Evaluated {
    fn add_assign(&mut self, other: Evaluated) {
        self.opened += other.opened;
        self.cleared += other.cleared;
        self.returned += other.returned;
        self.closed += other.closed;
    }
}

/// A dossier the clock is to evaluate again, and when.
type Due = (i64, DateTime<Utc>);

/// What an evaluation looks at.
#[derive(Clone, Debug)]
enum Scope {
    /// Everything the clock evaluates (a "full sweep").
    All,
    /// What the clock evaluates at every tick besides the dossiers due: the rules about places
    /// (bottlenecks, silent sources).
    Places,
    /// Some dossiers (those a batch of events changed, or one), and the bottlenecks of their
    /// posts at the steps whose queue they may have changed: the one each is at, and those
    /// events just made it leave.
    Dossiers(Vec<Examined>),
}

/// A dossier an evaluation looks at.
#[derive(Clone, Debug)]
struct Examined {
    id: i64,
    site: String,
    post: Option<String>,
    goods: String,
    steps: Vec<String>,
}

impl Scope {
    /// The posts of the dossiers looked at (`""` for a dossier without a post, whose rules are
    /// the national defaults), each once, in order.
    fn posts(dossiers: &[Examined]) -> Vec<String> {
        let posts: BTreeSet<String> = dossiers
            .iter()
            .map(|dossier| dossier.post.clone().unwrap_or_default())
            .collect();
        posts.into_iter().collect()
    }

    /// The queues (post and step) the dossiers looked at may have changed, each once, in order.
    fn queues(dossiers: &[Examined]) -> Vec<(String, String)> {
        let queues: BTreeSet<(String, String)> = dossiers
            .iter()
            .filter_map(|dossier| {
                let post = dossier.post.as_ref()?;
                Some(
                    dossier
                        .steps
                        .iter()
                        .map(|step| (post.clone(), step.clone())),
                )
            })
            .flatten()
            .collect();
        queues.into_iter().collect()
    }
}

/// `(first = $n AND second = $n+1) OR …` for `count` pairs of parameters from `$start`.
fn pairs_sql(first: &str, second: &str, start: usize, count: usize) -> String {
    (0..count)
        .map(|n| {
            format!(
                "({first} = ${} AND {second} = ${})",
                start + 2 * n,
                start + 2 * n + 1
            )
        })
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The reference data of the rules.
pub(crate) struct References {
    thresholds: Thresholds,
    responsibilities: Responsibilities,
    site_names: HashMap<String, String>,
    post_names: HashMap<String, String>,
    /// A fingerprint of what the conditions on dossiers rest on besides the dossiers and the
    /// forecasts: thresholds, responsibilities, and which posts take appointments (`None` for
    /// one dossier's evaluation, which reads one post's rows).
    fingerprint: Option<String>,
}

/// What holds, and when the dossiers looked at must be evaluated again (see
/// [`crate::domain::alert::next_due`]).
struct Holding {
    conditions: Vec<Condition>,
    due: HashMap<i64, DateTime<Utc>>,
    /// The observed 80th percentiles the conditions on durations were worked out with.
    p80: HashMap<(String, String, String), i64>,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    dossier_id: i64,
    kind: String,
    started_at: DateTime<Utc>,
    site_code: String,
    post_code: Option<String>,
    goods_category: String,
    reference: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AwaitedRow {
    dossier_id: i64,
    kind: String,
    site_code: String,
    post_code: Option<String>,
    goods_category: String,
    reference: Option<String>,
    selected_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct WatchedRow {
    id: i64,
    condition_key: String,
    state: String,
    cleared_at: Option<DateTime<Utc>>,
    detail: String,
    rule: String,
    dossier_id: Option<i64>,
}

const REFERENCE: &str = "COALESCE(d.container, d.awb, d.ched, d.bill_of_lading, d.mrn)";

impl Tx {
    async fn alert_references(&mut self, scope: &Scope) -> Result<Arc<References>, StoreError> {
        // Kept by the posts they were read for.
        let posts = match scope {
            Scope::Dossiers(dossiers) => Scope::posts(dossiers).join(","),
            Scope::All | Scope::Places => {
                return Ok(Arc::new(self.read_alert_references(scope).await?))
            }
        };
        if let Some(kept) = self
            .remembered
            .as_ref()
            .and_then(|kept| kept.references.get(&posts))
        {
            return Ok(Arc::clone(kept));
        }
        let references = Arc::new(self.read_alert_references(scope).await?);
        if let Some(kept) = &mut self.remembered {
            kept.references.insert(posts, Arc::clone(&references));
        }
        Ok(references)
    }

    async fn read_alert_references(&mut self, scope: &Scope) -> Result<References, StoreError> {
        // A dossier without a post reads no post's rows: the national defaults apply.
        let posts = match scope {
            Scope::All | Scope::Places => Vec::new(),
            Scope::Dossiers(dossiers) => Scope::posts(dossiers),
        };
        let post_filter = match scope {
            Scope::All | Scope::Places => String::new(),
            Scope::Dossiers(_) => format!(" WHERE post_code IN ({})", placeholders(1, posts.len())),
        };
        let thresholds_sql = format!(
            "SELECT post_code, rule, goods_category, step_kind, value FROM alert_threshold{post_filter}"
        );
        let responsibilities_sql = format!(
            "SELECT post_code, goods_category, step_kind, responsible FROM step_responsibility{post_filter}"
        );
        type ThresholdRow = (String, String, String, String, i64);
        let rows: Vec<ThresholdRow> = on_tx!(self, conn => {
            let mut query = sqlx::query_as(&thresholds_sql);
            for post in &posts {
                query = query.bind(post);
            }
            query.fetch_all(conn).await
        })?;
        let defaults: Vec<(String, String, i64)> = on_tx!(self, conn => {
            sqlx::query_as("SELECT rule, step_kind, value FROM alert_default")
                .fetch_all(conn)
                .await
        })?;
        let responsibilities: Vec<(String, String, String, String)> = on_tx!(self, conn => {
            let mut query = sqlx::query_as(&responsibilities_sql);
            for post in &posts {
                query = query.bind(post);
            }
            query.fetch_all(conn).await
        })?;
        let responsibility_defaults: Vec<(String, String)> = on_tx!(self, conn => {
            sqlx::query_as("SELECT step_kind, responsible FROM step_responsibility_default")
                .fetch_all(conn)
                .await
        })?;
        let site_names: Vec<(String, String)> = on_tx!(self, conn => {
            sqlx::query_as("SELECT code, name FROM site").fetch_all(conn).await
        })?;
        let post_names: Vec<(String, String)> = on_tx!(self, conn => {
            sqlx::query_as("SELECT code, name FROM post").fetch_all(conn).await
        })?;
        let fingerprint = match scope {
            Scope::Dossiers(_) => None,
            Scope::All | Scope::Places => {
                let calendars: Vec<String> = on_tx!(self, conn => {
                    sqlx::query_scalar("SELECT post_code FROM post_calendar").fetch_all(conn).await
                })?;
                Some(fingerprint(
                    &rows,
                    &defaults,
                    &responsibilities,
                    &responsibility_defaults,
                    &calendars,
                ))
            }
        };
        Ok(References {
            fingerprint,
            thresholds: Thresholds::new(rows, defaults),
            responsibilities: Responsibilities::new(responsibilities, responsibility_defaults),
            site_names: site_names.into_iter().collect(),
            post_names: post_names.into_iter().collect(),
        })
    }

    /// The 80th percentiles the forecasts observed, by place, goods and step.
    async fn observed_p80(
        &mut self,
        scope: &Scope,
    ) -> Result<HashMap<(String, String, String), i64>, StoreError> {
        // The places and goods of the dossiers looked at, each once.
        let groups: Vec<(String, String)> = match scope {
            Scope::All | Scope::Places => Vec::new(),
            Scope::Dossiers(dossiers) => {
                let groups: BTreeSet<(String, String)> = dossiers
                    .iter()
                    .map(|d| {
                        (
                            super::forecast_place(d.post.as_deref(), &d.site),
                            d.goods.clone(),
                        )
                    })
                    .collect();
                groups.into_iter().collect()
            }
        };
        let sql = match scope {
            Scope::All | Scope::Places => {
                "SELECT place, goods_category, kind, p80_minutes FROM forecast_basis WHERE p80_minutes IS NOT NULL"
                    .to_owned()
            }
            Scope::Dossiers(_) => format!(
                "SELECT place, goods_category, kind, p80_minutes FROM forecast_basis
                 WHERE p80_minutes IS NOT NULL AND ({})",
                pairs_sql("place", "goods_category", 1, groups.len())
            ),
        };
        let rows: Vec<(String, String, String, i64)> = on_tx!(self, conn => {
            let mut query = sqlx::query_as(&sql);
            for (place, goods) in &groups {
                query = query.bind(place).bind(goods);
            }
            query.fetch_all(conn).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(place, goods, kind, p80)| ((place, goods, kind), p80))
            .collect())
    }

    /// What holds now among the rules evaluated for `scope`, and when the dossiers it looked
    /// at must be evaluated again.
    async fn alert_conditions(
        &mut self,
        scope: &Scope,
        references: &References,
        now: DateTime<Utc>,
    ) -> Result<Holding, StoreError> {
        let mut holding = match scope {
            Scope::Places => Holding {
                conditions: Vec::new(),
                due: HashMap::new(),
                p80: HashMap::new(),
            },
            Scope::All | Scope::Dossiers(_) => {
                self.dossier_conditions(scope, references, now).await?
            }
        };
        holding
            .conditions
            .extend(self.place_conditions(scope, references, now).await?);
        Ok(holding)
    }

    /// What holds among the rules on durations and appointments, for every dossier or one.
    async fn dossier_conditions(
        &mut self,
        scope: &Scope,
        references: &References,
        now: DateTime<Utc>,
    ) -> Result<Holding, StoreError> {
        let site_name = |site: &str| {
            references
                .site_names
                .get(site)
                .cloned()
                .unwrap_or_else(|| site.to_owned())
        };
        let reference = |reference: Option<String>, id: i64| {
            reference.unwrap_or_else(|| format!("dossier n° {id}"))
        };
        let ids: Vec<i64> = match scope {
            Scope::All | Scope::Places => Vec::new(),
            Scope::Dossiers(dossiers) => dossiers.iter().map(|dossier| dossier.id).collect(),
        };
        // On the steps' column: their indexes lead from the dossiers to their steps (filtered
        // on the dossiers' side, PostgreSQL walked every awaited check of the country).
        let dossier_filter = match scope {
            Scope::All | Scope::Places => String::new(),
            Scope::Dossiers(_) => format!(" AND s.dossier_id IN ({})", placeholders(1, ids.len())),
        };
        let mut conditions = Vec::new();

        // Steps under way: through `step_under_way`, the steps in progress among millions.
        let p80 = self.observed_p80(scope).await?;
        let sql = format!(
            "SELECT s.dossier_id, s.kind, s.started_at, d.site_code, d.post_code, d.goods_category,
                    {REFERENCE} AS reference
             FROM step s JOIN dossier d ON d.id = s.dossier_id
             WHERE s.state IN ('en_cours', 'bloque') AND s.started_at IS NOT NULL{dossier_filter}"
        );
        let rows: Vec<StepRow> = on_tx!(self, conn => {
            let mut query = sqlx::query_as(&sql);
            for id in &ids {
                query = query.bind(id);
            }
            query.fetch_all(conn).await
        })?;
        let steps: Vec<UnderWay> = rows
            .into_iter()
            .filter_map(|row| {
                let step = StepKind::from_code(&row.kind)?;
                let place = super::forecast_place(row.post_code.as_deref(), &row.site_code);
                Some(UnderWay {
                    p80_minutes: p80
                        .get(&(place, row.goods_category.clone(), row.kind))
                        .copied(),
                    reference: reference(row.reference, row.dossier_id),
                    dossier_id: row.dossier_id,
                    site_name: site_name(&row.site_code),
                    site: row.site_code,
                    post: row.post_code,
                    goods: row.goods_category,
                    step,
                    started_at: row.started_at,
                })
            })
            .collect();
        conditions.extend(duration_conditions(
            &steps,
            &references.thresholds,
            &references.responsibilities,
            now,
        ));

        // Checks selected and not booked, at posts that take appointments.
        let sql = format!(
            "SELECT s.dossier_id, s.kind, d.site_code, d.post_code, d.goods_category,
                    {REFERENCE} AS reference,
                    (SELECT MIN(e.occurred_at) FROM event e
                     WHERE e.dossier_id = s.dossier_id AND e.kind = 'checks_selected') AS selected_at
             FROM step s JOIN dossier d ON d.id = s.dossier_id
             WHERE s.state = 'a_venir' AND s.kind IN ('identity_check', 'physical_check')
               AND d.status IN ('en_cours', 'bloque'){dossier_filter}
               AND EXISTS (SELECT 1 FROM post_calendar c WHERE c.post_code = d.post_code)
               AND NOT EXISTS (
                   SELECT 1 FROM appointment a
                   WHERE a.dossier_id = s.dossier_id
                     AND a.check_kind = CASE WHEN s.kind = 'identity_check' THEN 'identity' ELSE 'physical' END
                     AND a.state IN ('demande', 'confirme', 'reporte'))"
        );
        let rows: Vec<AwaitedRow> = on_tx!(self, conn => {
            let mut query = sqlx::query_as(&sql);
            for id in &ids {
                query = query.bind(id);
            }
            query.fetch_all(conn).await
        })?;
        let checks: Vec<AwaitedCheck> = rows
            .into_iter()
            .filter_map(|row| {
                Some(AwaitedCheck {
                    step: StepKind::from_code(&row.kind)?,
                    selected_at: row.selected_at?,
                    reference: reference(row.reference, row.dossier_id),
                    dossier_id: row.dossier_id,
                    site_name: site_name(&row.site_code),
                    site: row.site_code,
                    post: row.post_code,
                    goods: row.goods_category,
                })
            })
            .collect();
        conditions.extend(appointment_conditions(
            &checks,
            &references.thresholds,
            &references.responsibilities,
            now,
        ));
        Ok(Holding {
            conditions,
            due: next_due(&steps, &checks, &references.thresholds, now),
            p80,
        })
    }

    /// What holds among the rules on places (bottlenecks, and silent sources for the clock), and
    /// for one dossier the order of its events.
    async fn place_conditions(
        &mut self,
        scope: &Scope,
        references: &References,
        now: DateTime<Utc>,
    ) -> Result<Vec<Condition>, StoreError> {
        let site_name = |site: &str| {
            references
                .site_names
                .get(site)
                .cloned()
                .unwrap_or_else(|| site.to_owned())
        };
        let mut conditions = Vec::new();

        // Dossiers waiting at each step of each post; for some dossiers, at the steps of their
        // posts whose queue they may have changed (through `dossier_waiting`, a count a queue).
        let queues = match scope {
            Scope::All | Scope::Places => Vec::new(),
            Scope::Dossiers(dossiers) => Scope::queues(dossiers),
        };
        let post_filter = match scope {
            Scope::All | Scope::Places => String::new(),
            Scope::Dossiers(_) => format!(
                " AND ({})",
                pairs_sql("d.post_code", "d.current_step", 1, queues.len())
            ),
        };
        let waiting_sql = format!(
            "SELECT d.site_code, d.post_code, d.current_step, COUNT(*) AS dossiers FROM dossier d
             WHERE d.status IN ('en_cours', 'bloque') AND d.post_code IS NOT NULL
               AND d.current_step IS NOT NULL{post_filter}
             GROUP BY d.site_code, d.post_code, d.current_step"
        );
        let waiting_rows: Vec<(String, String, String, i64)> = match scope {
            Scope::Dossiers(_) if queues.is_empty() => Vec::new(),
            _ => on_tx!(self, conn => {
                let mut query = sqlx::query_as(&waiting_sql);
                for (post, step) in &queues {
                    query = query.bind(post).bind(step);
                }
                query.fetch_all(conn).await
            })?,
        };
        let waiting: Vec<Waiting> = waiting_rows
            .into_iter()
            .filter_map(|(site, post, step, dossiers)| {
                Some(Waiting {
                    step: StepKind::from_code(&step)?,
                    site_name: site_name(&site),
                    post_name: references
                        .post_names
                        .get(&post)
                        .cloned()
                        .unwrap_or_default(),
                    site,
                    post,
                    dossiers,
                })
            })
            .collect();
        conditions.extend(bottleneck_conditions(
            &waiting,
            &references.thresholds,
            &references.responsibilities,
        ));

        match scope {
            Scope::All | Scope::Places => {
                let activity = self.source_activity(references, now).await?;
                conditions.extend(silence_conditions(&activity, now));
            }
            Scope::Dossiers(dossiers) => {
                for dossier in dossiers {
                    if let Some(condition) = self
                        .order_condition(
                            dossier.id,
                            &dossier.site,
                            dossier.post.as_deref(),
                            &dossier.goods,
                            references,
                        )
                        .await?
                    {
                        conditions.push(condition);
                    }
                }
            }
        }
        Ok(conditions)
    }

    /// The partner sources watched at each site, with the site's threshold and opening now.
    async fn source_activity(
        &mut self,
        references: &References,
        now: DateTime<Utc>,
    ) -> Result<Vec<Activity>, StoreError> {
        let rows: Vec<(String, String, DateTime<Utc>, Option<i64>)> = on_tx!(self, conn => {
            sqlx::query_as("SELECT site_code, source, last_received_at, usual_gap_seconds FROM source_activity")
                .fetch_all(conn)
                .await
        })?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let posts: Vec<(String, String)> = on_tx!(self, conn => {
            sqlx::query_as("SELECT code, site_code FROM post").fetch_all(conn).await
        })?;
        let calendars: Vec<(String, String, bool)> = on_tx!(self, conn => {
            sqlx::query_as("SELECT post_code, openings, open_on_public_holidays FROM post_calendar")
                .fetch_all(conn)
                .await
        })?;
        let mut by_post: HashMap<String, (Vec<Opening>, bool)> = HashMap::new();
        for (post, openings, holidays) in calendars {
            let openings: Vec<Opening> = serde_json::from_str(&openings)
                .map_err(|e| StoreError::Corrupt(format!("plages d'ouverture : {e}")))?;
            by_post.insert(post, (openings, holidays));
        }
        Ok(rows
            .into_iter()
            .map(|(site, source, last_received_at, usual_gap_seconds)| {
                let site_posts: Vec<&String> = posts
                    .iter()
                    .filter(|(_, of)| *of == site)
                    .map(|(code, _)| code)
                    .collect();
                let calendars: Vec<(Vec<Opening>, bool)> = site_posts
                    .iter()
                    .filter_map(|post| by_post.get(*post).cloned())
                    .collect();
                let threshold_minutes = site_posts
                    .iter()
                    .filter_map(|post| {
                        references.thresholds.value(
                            Setting::SourceSilencieuse,
                            Some(post),
                            "*",
                            None,
                        )
                    })
                    .min()
                    .or_else(|| {
                        references
                            .thresholds
                            .value(Setting::SourceSilencieuse, None, "*", None)
                    })
                    .filter(|minutes| *minutes > 0);
                Activity {
                    site_name: references
                        .site_names
                        .get(&site)
                        .cloned()
                        .unwrap_or_else(|| site.clone()),
                    source_label: EventSource::from_code(&source)
                        .map(|source| source.label().to_owned())
                        .unwrap_or_else(|| source.clone()),
                    site,
                    source,
                    last_received_at,
                    usual_gap_seconds,
                    threshold_minutes,
                    open_now: site_open(&calendars, now),
                }
            })
            .collect())
    }

    /// Whether the dossier's events are out of the journey's order, as a condition.
    async fn order_condition(
        &mut self,
        id: i64,
        site: &str,
        post: Option<&str>,
        goods: &str,
        references: &References,
    ) -> Result<Option<Condition>, StoreError> {
        let enabled = references
            .thresholds
            .value(Setting::OrdreAnormal, post, goods, None)
            .unwrap_or(0);
        if enabled == 0 {
            return Ok(None);
        }
        // The facts the dossier was just worked out again from, in a transaction recording
        // events; else read.
        let recomputed = self
            .remembered
            .as_mut()
            .and_then(|kept| kept.facts.remove(&id));
        let facts: Vec<Fact> = match recomputed {
            Some(facts) => facts,
            None => {
                let rows: Vec<(String, DateTime<Utc>, Option<String>)> = on_tx!(self, conn => {
                    sqlx::query_as("SELECT kind, occurred_at, fact FROM event WHERE dossier_id = $1")
                        .bind(id)
                        .fetch_all(conn)
                        .await
                })?;
                rows.into_iter()
                    .filter_map(|(kind, occurred_at, fact)| {
                        Some(Fact {
                            kind: EventKind::from_code(&kind)?,
                            occurred_at,
                            data: fact
                                .as_deref()
                                .and_then(FactData::from_stored)
                                .unwrap_or_default(),
                        })
                    })
                    .collect()
            }
        };
        let Some(anomaly) = order_anomaly(&facts) else {
            return Ok(None);
        };
        let reference: Option<String> = on_tx!(self, conn => {
            sqlx::query_scalar(&format!("SELECT {REFERENCE} FROM dossier d WHERE d.id = $1"))
                .bind(id)
                .fetch_one(conn)
                .await
        })?;
        let reference = reference.unwrap_or_else(|| format!("dossier n° {id}"));
        // The release is customs' act, the exit the port's: whoever answers for that step.
        let released_early = anomaly.contains("mainlevée");
        let checked_late = anomaly.contains("sortie");
        let responsible = match (released_early, checked_late) {
            (true, false) => references
                .responsibilities
                .of(post, goods, "customs_clearance"),
            (false, true) => references.responsibilities.of(post, goods, "exit"),
            _ => Responsible::Chefs,
        };
        let subject = Subject {
            site: site.to_owned(),
            site_name: references
                .site_names
                .get(site)
                .cloned()
                .unwrap_or_else(|| site.to_owned()),
            post: post.map(str::to_owned),
            dossier_id: Some(id),
            reference: Some(reference.clone()),
            goods: Some(goods.to_owned()),
            step: None,
            source: None,
        };
        Ok(Some(order_condition(
            id,
            &reference,
            subject,
            &anomaly,
            responsible,
        )))
    }

    /// The alerts an evaluation of `scope` compares with what holds.
    async fn watched_alerts(&mut self, scope: &Scope) -> Result<Vec<WatchedRow>, StoreError> {
        const COLUMNS: &str =
            "SELECT id, condition_key, state, cleared_at, detail, rule, dossier_id FROM alert";
        let rows: Vec<WatchedRow> = match scope {
            Scope::All | Scope::Places => {
                // The rules the clock does not evaluate keep their alerts as events left them.
                let evaluated = match scope {
                    Scope::Places => rule_list(Rule::of_places),
                    _ => rule_list(Rule::on_clock),
                };
                on_tx!(self, conn => {
                    sqlx::query_as(&format!(
                        "{COLUMNS} WHERE (state <> 'close' OR cleared_at IS NULL) AND rule IN ({evaluated})"
                    ))
                    .fetch_all(conn)
                    .await
                })?
            }
            Scope::Dossiers(dossiers) => {
                let queues = Scope::queues(dossiers);
                let first = dossiers.len() + 1;
                let queued = if queues.is_empty() {
                    String::new()
                } else {
                    format!(
                        " OR (rule = 'engorgement' AND ({}))",
                        pairs_sql("post_code", "step_kind", first, queues.len())
                    )
                };
                // The correlation alerts of the dossiers stay as agents leave them.
                let evaluated = rule_list(Rule::evaluated);
                let sql = format!(
                    "{COLUMNS} WHERE (state <> 'close' OR cleared_at IS NULL)
                       AND (dossier_id IN ({}){queued}) AND rule IN ({evaluated})",
                    placeholders(1, dossiers.len())
                );
                on_tx!(self, conn => {
                    let mut query = sqlx::query_as(&sql);
                    for dossier in dossiers {
                        query = query.bind(dossier.id);
                    }
                    for (post, step) in &queues {
                        query = query.bind(post).bind(step);
                    }
                    query.fetch_all(conn).await
                })?
            }
        };
        Ok(rows)
    }

    /// Evaluates the alerts of one dossier, and the bottlenecks of its post at the step it is at
    /// and at the step `left` (the one it was at before an event), and applies what changed, in
    /// this transaction: for each dossier whose alerts the clock found changed, and on every
    /// change an agent makes to it (see [`Tx::evaluate_dossiers_alerts`] for a batch of events).
    #[tracing::instrument(skip_all)]
    pub(crate) async fn evaluate_dossier_alerts(
        &mut self,
        dossier_id: i64,
        left: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Evaluated, StoreError> {
        let left: Vec<String> = left.map(str::to_owned).into_iter().collect();
        self.evaluate_dossiers_alerts(&[(dossier_id, left)], now)
            .await
    }

    /// Evaluates the alerts of these dossiers, and the bottlenecks of their posts at the step
    /// each is at and at the steps it left (those it was at before the events of a batch), and
    /// applies what changed, in this transaction: once for every dossier a batch of partner
    /// events changed, in a handful of reads whatever their number.
    #[tracing::instrument(skip_all, fields(dossiers = dossiers.len()))]
    pub(crate) async fn evaluate_dossiers_alerts(
        &mut self,
        dossiers: &[(i64, Vec<String>)],
        now: DateTime<Utc>,
    ) -> Result<Evaluated, StoreError> {
        if dossiers.is_empty() {
            return Ok(Evaluated::default());
        }
        #[derive(sqlx::FromRow)]
        struct About {
            id: i64,
            site_code: String,
            post_code: Option<String>,
            goods_category: String,
            current_step: Option<String>,
            due_at: Option<DateTime<Utc>>,
        }
        let ids: Vec<i64> = dossiers.iter().map(|(id, _)| *id).collect();
        let mut rows: Vec<About> = self
            .read_for_dossiers(
                "SELECT d.id, d.site_code, d.post_code, d.goods_category, d.current_step, a.due_at
                 FROM dossier d LEFT JOIN alert_due a ON a.dossier_id = d.id
                 WHERE d.id IN",
                &ids,
            )
            .await?;
        rows.sort_by_key(|row| row.id);
        if rows.is_empty() {
            return Ok(Evaluated::default());
        }
        let left: HashMap<i64, &Vec<String>> =
            dossiers.iter().map(|(id, left)| (*id, left)).collect();
        // When the clock was to evaluate each again, as read, in the dossiers' order.
        let seen: Vec<(i64, Option<DateTime<Utc>>)> =
            rows.iter().map(|row| (row.id, row.due_at)).collect();
        let examined: Vec<Examined> = rows
            .into_iter()
            .map(|row| {
                let mut steps: Vec<String> = row.current_step.into_iter().collect();
                for step in left.get(&row.id).copied().into_iter().flatten() {
                    if !steps.contains(step) {
                        steps.push(step.clone());
                    }
                }
                Examined {
                    id: row.id,
                    site: row.site_code,
                    post: row.post_code,
                    goods: row.goods_category,
                    steps,
                }
            })
            .collect();
        let scope = Scope::Dossiers(examined);
        let references = self.alert_references(&scope).await?;
        let holding = self.alert_conditions(&scope, &references, now).await?;
        let watched = self.watched_alerts(&scope).await?;
        let mut evaluated = Evaluated::default();
        for change in changes(&watched, &holding.conditions)? {
            evaluated += self.apply_alert_change(&change, now).await?;
        }
        // The next evaluations, by the time each replaces (most often none: one statement);
        // the dossiers with nothing ahead are left be by the clock, unless made due meanwhile.
        let mut due: std::collections::BTreeMap<Option<DateTime<Utc>>, Vec<Due>> =
            std::collections::BTreeMap::new();
        let mut settled: Vec<(i64, DateTime<Utc>)> = Vec::new();
        for (id, seen) in &seen {
            match (holding.due.get(id), seen) {
                (Some(next), _) => due.entry(*seen).or_default().push((*id, *next)),
                (None, Some(seen)) => settled.push((*id, *seen)),
                (None, None) => {}
            }
        }
        let size = self.rows_a_statement(2);
        for pairs in settled.chunks(size) {
            let sql = format!(
                "DELETE FROM alert_due WHERE {}",
                pairs_sql("dossier_id", "due_at", 1, pairs.len())
            );
            on_tx!(self, conn => {
                let mut query = sqlx::query(&sql);
                for (id, at) in pairs {
                    query = query.bind(id).bind(at);
                }
                query.execute(conn).await.map(|_| ())
            })?;
        }
        for (replacing, dossiers) in due {
            self.alerts_due(&dossiers, replacing).await?;
        }
        Ok(evaluated)
    }

    /// The clock evaluates each of `dossiers` again at its time, or sooner if it already
    /// would; the time `replacing` (the one an evaluation read before working out the new one)
    /// is replaced even by a later one, so that a dossier made due meanwhile stays due.
    async fn alerts_due(
        &mut self,
        dossiers: &[(i64, DateTime<Utc>)],
        replacing: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let size = self.rows_a_statement(2);
        for chunk in dossiers.chunks(size) {
            let values = super::values_sql(chunk.len(), 2, 2);
            let sql = format!(
                "INSERT INTO alert_due (dossier_id, due_at) VALUES {values}
                 ON CONFLICT (dossier_id) DO UPDATE SET due_at = CASE
                     WHEN alert_due.due_at = $1 OR excluded.due_at < alert_due.due_at
                     THEN excluded.due_at ELSE alert_due.due_at END"
            );
            on_tx!(self, conn => {
                let mut query = sqlx::query(&sql).bind(replacing);
                for (dossier, at) in chunk {
                    query = query.bind(dossier).bind(at);
                }
                query.execute(conn).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Where the forecasts moved the observed 80th percentile of a step since the alerts were
    /// last evaluated with it, and that moves the limit of a step too long, the dossiers at
    /// that step are made due now; the percentiles are noted as those the alerts rest on.
    async fn p80_moves(
        &mut self,
        references: &References,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let current = self.observed_p80(&Scope::All).await?;
        let noted: Vec<(String, String, String, i64)> = on_tx!(self, conn => {
            sqlx::query_as("SELECT place, goods_category, kind, p80_minutes FROM alert_p80")
                .fetch_all(conn)
                .await
        })?;
        let noted: HashMap<(String, String, String), i64> = noted
            .into_iter()
            .map(|(place, goods, kind, p80)| ((place, goods, kind), p80))
            .collect();
        let groups: BTreeSet<&(String, String, String)> =
            current.keys().chain(noted.keys()).collect();
        let mut moved = Vec::new();
        for group in groups {
            let (before, after) = (noted.get(group).copied(), current.get(group).copied());
            if before == after {
                continue;
            }
            moved.push((group.clone(), after));
            let (place, goods, kind) = group;
            let Some(step) = StepKind::from_code(kind) else {
                continue;
            };
            let post = place.strip_prefix("poste:");
            let limit = |p80| duration_limit_at(post, goods, step, p80, &references.thresholds);
            if limit(before) == limit(after) {
                continue;
            }
            let site = place.strip_prefix("site:");
            on_tx!(self, conn => {
                sqlx::query(
                    "INSERT INTO alert_due (dossier_id, due_at)
                     SELECT s.dossier_id, $1 FROM step s JOIN dossier d ON d.id = s.dossier_id
                     WHERE s.state IN ('en_cours', 'bloque') AND s.started_at IS NOT NULL
                       AND s.kind = $2 AND d.goods_category = $3
                       AND (d.post_code = $4 OR (d.post_code IS NULL AND d.site_code = $5))
                     ON CONFLICT (dossier_id) DO UPDATE SET due_at = CASE
                         WHEN excluded.due_at < alert_due.due_at THEN excluded.due_at
                         ELSE alert_due.due_at END",
                )
                .bind(now)
                .bind(kind)
                .bind(goods)
                .bind(post)
                .bind(site)
                .execute(conn)
                .await
                .map(|_| ())
            })?;
        }
        let (kept, gone): (Vec<_>, Vec<_>) = moved.into_iter().partition(|(_, p80)| p80.is_some());
        for ((place, goods, kind), _) in gone {
            on_tx!(self, conn => {
                sqlx::query("DELETE FROM alert_p80 WHERE place = $1 AND goods_category = $2 AND kind = $3")
                    .bind(&place)
                    .bind(&goods)
                    .bind(&kind)
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
        }
        let kept: Vec<_> = kept
            .into_iter()
            .filter_map(|(group, p80)| Some((group, p80?)))
            .collect();
        self.note_p80(&kept).await
    }

    /// Notes the observed 80th percentiles the alerts rest on.
    async fn note_p80(
        &mut self,
        groups: &[((String, String, String), i64)],
    ) -> Result<(), StoreError> {
        for ((place, goods, kind), p80) in groups {
            on_tx!(self, conn => {
                sqlx::query(
                    "INSERT INTO alert_p80 (place, goods_category, kind, p80_minutes) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (place, goods_category, kind) DO UPDATE SET p80_minutes = excluded.p80_minutes",
                )
                .bind(place)
                .bind(goods)
                .bind(kind)
                .bind(p80)
                .execute(conn)
                .await
                .map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Something time alone does not show changed for a dossier's alerts (an appointment was
    /// booked, cancelled or moved): the clock evaluates it at its next tick.
    pub(crate) async fn alerts_due_now(
        &mut self,
        dossier_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.alerts_due(&[(dossier_id, now)], None).await
    }

    /// Applies one change; each is written so that applying it twice, or after another
    /// instance did, changes nothing more.
    async fn apply_alert_change(
        &mut self,
        change: &Change,
        now: DateTime<Utc>,
    ) -> Result<Evaluated, StoreError> {
        let mut evaluated = Evaluated::default();
        match change {
            Change::Open(condition) => {
                if let Some((id, openings)) = self.open_alert(condition, now).await? {
                    self.alert_history(
                        id,
                        if openings > 1 { "rouverte" } else { "ouverte" },
                        None,
                        None,
                        now,
                    )
                    .await?;
                    self.notify_alert(id, openings, condition, now).await?;
                    self.announce(super::feed::Committed::Alert(id)).await?;
                    evaluated.opened += 1;
                }
            }
            Change::Cleared(id) => {
                let done = on_tx!(self, conn => {
                    sqlx::query("UPDATE alert SET cleared_at = $2 WHERE id = $1 AND cleared_at IS NULL")
                        .bind(id)
                        .bind(now)
                        .execute(conn)
                        .await
                        .map(|done| done.rows_affected())
                })?;
                if done > 0 {
                    self.alert_history(*id, "levee", None, None, now).await?;
                    self.announce(super::feed::Committed::Alert(*id)).await?;
                    evaluated.cleared += 1;
                }
            }
            Change::Returned(id) => {
                let done = on_tx!(self, conn => {
                    sqlx::query(
                        "UPDATE alert SET cleared_at = NULL
                         WHERE id = $1 AND cleared_at IS NOT NULL AND state <> 'close'",
                    )
                    .bind(id)
                    .execute(conn)
                    .await
                    .map(|done| done.rows_affected())
                })?;
                if done > 0 {
                    self.alert_history(*id, "revenue", None, None, now).await?;
                    self.announce(super::feed::Committed::Alert(*id)).await?;
                    evaluated.returned += 1;
                }
            }
            Change::Reword(id, detail) => {
                on_tx!(self, conn => {
                    sqlx::query("UPDATE alert SET detail = $2 WHERE id = $1")
                        .bind(id)
                        .bind(detail)
                        .execute(conn)
                        .await
                        .map(|_| ())
                })?;
            }
        }
        Ok(evaluated)
    }

    /// Opens the alert of a condition, or opens again the one closed after its condition
    /// cleared; `None` when an alert of this condition is already open (or was closed by an
    /// agent while it holds). Its id and how many times it has opened.
    async fn open_alert(
        &mut self,
        condition: &Condition,
        now: DateTime<Utc>,
    ) -> Result<Option<(i64, i32)>, StoreError> {
        let subject = &condition.subject;
        Ok(on_tx!(self, conn => {
            sqlx::query_as(
                "INSERT INTO alert (rule, condition_key, site_code, post_code, dossier_id, goods_category,
                                    step_kind, source, responsible, title, detail, state, opened_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'ouverte', $12)
                 ON CONFLICT (condition_key) DO UPDATE SET
                     state = 'ouverte', openings = alert.openings + 1, opened_at = excluded.opened_at,
                     cleared_at = NULL, taken_by = NULL, taken_at = NULL, closed_at = NULL,
                     closed_by = NULL, closing_note = NULL, title = excluded.title, detail = excluded.detail,
                     responsible = excluded.responsible
                 WHERE alert.state = 'close' AND alert.cleared_at IS NOT NULL
                 RETURNING id, openings",
            )
            .bind(condition.rule.code())
            .bind(&condition.key)
            .bind(&subject.site)
            .bind(subject.post.as_deref())
            .bind(subject.dossier_id)
            .bind(subject.goods.as_deref())
            .bind(subject.step.map(StepKind::code))
            .bind(subject.source.as_deref())
            .bind(condition.responsible.code())
            .bind(&condition.headline)
            .bind(&condition.detail)
            .bind(now)
            .fetch_optional(conn)
            .await
        })?)
    }

    async fn alert_history(
        &mut self,
        alert_id: i64,
        what: &str,
        user_id: Option<i64>,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("INSERT INTO alert_history (alert_id, at, what, user_id, note) VALUES ($1, $2, $3, $4, $5)")
                .bind(alert_id)
                .bind(now)
                .bind(what)
                .bind(user_id)
                .bind(note)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        Ok(())
    }

    /// Tells the agents concerned, as the notifications service does (in the app, live, and by
    /// mail as each chose): of the responsible administration, habilitated on the site today,
    /// and its heads of service of the post (or of the site's posts); the heads of service of
    /// both administrations when the heads answer. Each opening is a new cause.
    async fn notify_alert(
        &mut self,
        id: i64,
        openings: i32,
        condition: &Condition,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let kind = condition.rule.notification_kind();
        let (title, body, action_required) = self.notification_template(kind).await?;
        let cause = format!("alerte:{id}:{openings}");
        let subject = &condition.subject;
        let sql = format!(
            "SELECT u.id, COALESCE(p.mail, 'immediat') AS mail, COALESCE(hr.hour, {DEFAULT_DIGEST_HOUR}) AS hour
             FROM app_user u
             LEFT JOIN notification_preference p ON p.user_id = u.id AND p.kind = $1
             LEFT JOIN notification_digest_hour hr ON hr.user_id = u.id
             WHERE {active}
               AND ((u.role = CASE $2 WHEN 'dgal' THEN 'agent_sivep' WHEN 'dgddi' THEN 'agent_dgddi' ELSE '' END
                     AND EXISTS (SELECT 1 FROM habilitation h
                                 WHERE h.user_id = u.id AND h.site_code = $3 AND h.administration = $2
                                   AND h.withdrawn_at IS NULL AND h.starts_on <= $4
                                   AND (h.ends_on IS NULL OR h.ends_on >= $4)))
                 OR (u.role = 'chef_service' AND ($2 = 'chefs' OR u.administration = $2)
                     AND EXISTS (SELECT 1 FROM post_head ph JOIN post hp ON hp.code = ph.post_code
                                 WHERE ph.user_id = u.id
                                   AND (ph.post_code = $5 OR ($5 = '' AND hp.site_code = $3)))))
               AND NOT EXISTS (SELECT 1 FROM notification n
                               WHERE n.user_id = u.id AND n.cause = $6 AND n.kind = $1)
             ORDER BY u.id",
            active = super::NOTIFIED_USER
        );
        let recipients: Vec<(i64, String, i32)> = on_tx!(self, conn => {
            sqlx::query_as(&sql)
                .bind(kind)
                .bind(condition.responsible.code())
                .bind(&subject.site)
                .bind(local_day(now))
                .bind(subject.post.as_deref().unwrap_or_default())
                .bind(&cause)
                .fetch_all(conn)
                .await
        })?;
        let fields = [
            ("site", subject.site_name.clone()),
            ("objet", condition.headline.clone()),
            ("constat", condition.detail.clone()),
        ];
        let (title, body) = (fill(&title, &fields), fill(&body, &fields));
        let link = format!("/alertes#alerte-{id}");
        let written = super::notifications::Written {
            kind,
            action_required,
            dossier_id: subject.dossier_id,
            cause: &cause,
            title: &title,
            body: &body,
            link: &link,
        };
        self.write_notifications(&written, &recipients, now).await?;
        Ok(recipients.len())
    }

    /// A partner source was heard from at a site: its activity is noted (and its usual
    /// interval), and its silence, if an alert says so, has cleared. A transaction that
    /// remembers (see [`Tx::remember`]) notes it in memory and writes it once, at its commit
    /// ([`Tx::apply_heard`]): its events' intervals count as they did one at a time, and the
    /// silence, cleared at the first, cannot come back before the commit (only the clock's
    /// sweeps open one).
    pub(crate) async fn source_heard(
        &mut self,
        site: &str,
        source: EventSource,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let noted = (site.to_owned(), source.code().to_owned());
        if let Some(kept) = self
            .remembered
            .as_mut()
            .and_then(|kept| kept.heard.get_mut(&noted))
        {
            kept.1 = next_usual_gap(Some(*kept), now);
            kept.0 = now;
            return Ok(());
        }
        let previous: Option<(DateTime<Utc>, Option<i64>)> = on_tx!(self, conn => {
            sqlx::query_as(
                "SELECT last_received_at, usual_gap_seconds FROM source_activity WHERE site_code = $1 AND source = $2",
            )
            .bind(site)
            .bind(source.code())
            .fetch_optional(conn)
            .await
        })?;
        let usual = next_usual_gap(previous, now);
        match &mut self.remembered {
            Some(kept) => {
                kept.heard.insert(noted, (now, usual));
            }
            None => self.note_heard(site, source.code(), now, usual).await?,
        }
        let key = format!(
            "{}:{site}:{}",
            Rule::SourceSilencieuse.code(),
            source.code()
        );
        let silent: Option<i64> = on_tx!(self, conn => {
            sqlx::query_scalar("SELECT id FROM alert WHERE condition_key = $1 AND cleared_at IS NULL")
                .bind(&key)
                .fetch_optional(conn)
                .await
        })?;
        if let Some(id) = silent {
            self.apply_alert_change(&Change::Cleared(id), now).await?;
        }
        Ok(())
    }

    /// The activity of a source at a site, written.
    async fn note_heard(
        &mut self,
        site: &str,
        source: &str,
        last: DateTime<Utc>,
        usual: Option<i64>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO source_activity (site_code, source, last_received_at, usual_gap_seconds)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (site_code, source) DO UPDATE SET
                     last_received_at = excluded.last_received_at, usual_gap_seconds = excluded.usual_gap_seconds",
            )
            .bind(site)
            .bind(source)
            .bind(last)
            .bind(usual)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// Writes the sources' activity a remembering transaction noted, in the keys' order (see
    /// [`Tx::source_heard`]).
    pub(crate) async fn apply_heard(&mut self) -> Result<(), StoreError> {
        let Some(kept) = &mut self.remembered else {
            return Ok(());
        };
        let heard = std::mem::take(&mut kept.heard);
        for ((site, source), (last, usual)) in heard {
            self.note_heard(&site, &source, last, usual).await?;
        }
        Ok(())
    }
}

/// The usual interval of a source heard from at `now`, after its previous activity (when and
/// its usual interval), if any.
fn next_usual_gap(
    previous: Option<(DateTime<Utc>, Option<i64>)>,
    now: DateTime<Utc>,
) -> Option<i64> {
    match previous {
        None => None,
        Some((last, usual)) if now >= last => usual_gap(usual, (now - last).num_seconds()),
        Some((_, usual)) => usual,
    }
}

/// One change an evaluation makes.
#[derive(Clone, Debug)]
enum Change {
    Open(Box<Condition>),
    Cleared(i64),
    Returned(i64),
    Reword(i64, String),
}

impl Change {
    fn dossier(&self, watched: &HashMap<i64, Option<i64>>) -> Option<i64> {
        match self {
            Change::Open(condition) => condition.subject.dossier_id,
            Change::Cleared(id) | Change::Returned(id) | Change::Reword(id, _) => {
                watched.get(id).copied().flatten()
            }
        }
    }
}

/// A fingerprint of the reference rows (thresholds and defaults, responsibilities and
/// defaults, posts with a calendar), whatever order they were read in. Two builds of the
/// platform may print different ones for the same rows: one more full sweep, nothing worse.
fn fingerprint(
    thresholds: &[(String, String, String, String, i64)],
    defaults: &[(String, String, i64)],
    responsibilities: &[(String, String, String, String)],
    responsibility_defaults: &[(String, String)],
    calendars: &[String],
) -> String {
    use std::hash::{Hash, Hasher};
    fn add<T: Ord + Clone + Hash>(rows: &[T], hasher: &mut impl Hasher) {
        let mut rows = rows.to_vec();
        rows.sort();
        rows.hash(hasher);
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    add(thresholds, &mut hasher);
    add(defaults, &mut hasher);
    add(responsibilities, &mut hasher);
    add(responsibility_defaults, &mut hasher);
    add(calendars, &mut hasher);
    format!("{:016x}", hasher.finish())
}

/// The codes of the rules that `keep`, as a list of SQL literals (codes are the program's own).
fn rule_list(keep: fn(Rule) -> bool) -> String {
    Rule::ALL
        .into_iter()
        .filter(|rule| keep(*rule))
        .map(|rule| format!("'{}'", rule.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What differs between the alerts watched and the conditions that hold.
fn changes(watched: &[WatchedRow], conditions: &[Condition]) -> Result<Vec<Change>, StoreError> {
    let holding: HashMap<&str, &Condition> = conditions
        .iter()
        .map(|condition| (condition.key.as_str(), condition))
        .collect();
    let mut changes = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in watched {
        let state = super::decode("état d'alerte", &row.state, AlertState::from_code)?;
        super::decode("règle d'alerte", &row.rule, Rule::from_code)?;
        let alert = Watched {
            id: row.id,
            key: row.condition_key.clone(),
            state,
            cleared_at: row.cleared_at,
            detail: row.detail.clone(),
        };
        let condition = holding.get(row.condition_key.as_str()).copied();
        seen.insert(row.condition_key.as_str());
        match transition(Some(&alert), condition) {
            Transition::Keep => {}
            Transition::Open => {
                if let Some(condition) = condition {
                    changes.push(Change::Open(Box::new(condition.clone())));
                }
            }
            Transition::Cleared => changes.push(Change::Cleared(row.id)),
            Transition::Returned => changes.push(Change::Returned(row.id)),
            Transition::Reword => {
                if let Some(condition) = condition {
                    changes.push(Change::Reword(row.id, condition.detail.clone()));
                }
            }
        }
    }
    for condition in conditions {
        if !seen.contains(condition.key.as_str())
            && transition(None, Some(condition)) == Transition::Open
        {
            changes.push(Change::Open(Box::new(condition.clone())));
        }
    }
    Ok(changes)
}

impl Store {
    /// Takes (or keeps) the lease of the job `name` for `holder` until `until`; false when
    /// another holder's lease runs at `now`.
    #[tracing::instrument(skip_all)]
    pub async fn take_job(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let taken: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO job_lease (name, leased_by, leased_until) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE SET leased_by = excluded.leased_by,
                                                  leased_until = excluded.leased_until
                 WHERE job_lease.leased_until < $4 OR job_lease.leased_by = excluded.leased_by
                 RETURNING name",
            )
            .bind(name)
            .bind(holder)
            .bind(until)
            .bind(now)
            .fetch_optional(pool)
            .await
        })?;
        Ok(taken.is_some())
    }

    /// One evaluation of the alerts by the clock at `now`. Time alone opens an alert on a
    /// dossier only when one of its steps or checks crosses a threshold, at a time known in
    /// advance (`alert_due`), and then the condition holds until something happens to the
    /// dossier, which evaluates it then: so the clock evaluates the dossiers due (at most
    /// [`MOST_OPENED_AT_ONCE`], the others at the next tick), those at a step whose observed 80th
    /// percentile moved its limit, and the rules about places (bottlenecks, silent sources);
    /// then it closes the alerts whose condition has cleared for long enough. It evaluates
    /// everything instead (see [`Store::sweep_alerts`]) when the thresholds, responsibilities or
    /// calendars changed since the last full sweep, and once a day.
    #[tracing::instrument(skip_all)]
    pub async fn evaluate_alerts(&self, now: DateTime<Utc>) -> Result<Evaluated, StoreError> {
        let most = MOST_OPENED_AT_ONCE;
        let mut tx = self.begin().await?;
        let references = tx.alert_references(&Scope::Places).await?;
        let swept: Option<(String, DateTime<Utc>)> = on_tx!(tx, conn => {
            sqlx::query_as("SELECT fingerprint, swept_at FROM alert_sweep WHERE id = 1")
                .fetch_optional(conn)
                .await
        })?;
        let current = swept.is_some_and(|(fingerprint, swept_at)| {
            Some(fingerprint) == references.fingerprint
                && now < swept_at + Duration::hours(SWEEP_AT_LEAST_EVERY_HOURS)
        });
        if !current {
            tx.commit().await?;
            return self.sweep_alerts(now, most).await;
        }
        tx.p80_moves(&references, now).await?;
        let places = tx
            .alert_conditions(&Scope::Places, &references, now)
            .await?;
        let watched = tx.watched_alerts(&Scope::Places).await?;
        let due: Vec<i64> = on_tx!(tx, conn => {
            sqlx::query_scalar(
                "SELECT dossier_id FROM alert_due WHERE due_at <= $1 ORDER BY due_at LIMIT $2",
            )
            .bind(now)
            .bind(i64::try_from(most).unwrap_or(i64::MAX))
            .fetch_all(conn)
            .await
        })?;
        tx.commit().await?;
        let mut evaluated = Evaluated::default();
        for dossier in due {
            // One dossier that cannot be evaluated stays due, and holds up none of the others.
            match self.evaluate_dossier_alone(dossier, now).await {
                Ok(done) => evaluated += done,
                Err(error) => tracing::warn!(
                    dossier,
                    %error,
                    "alertes : dossier non évalué, nouvel essai au prochain tour"
                ),
            }
        }
        evaluated += self
            .apply_place_changes(changes(&watched, &places.conditions)?, now, most)
            .await?;
        evaluated.closed += self.close_cleared_alerts(now).await?;
        Ok(evaluated)
    }

    /// Evaluates everything (a "full sweep"): what holds is read once; each dossier whose
    /// alerts differ is evaluated again in its own transaction (at most `most` with alerts to
    /// open, the others at the next tick); the rules about places are applied; when each
    /// dossier is due is noted, and what the sweep rested on.
    #[tracing::instrument(skip_all)]
    pub async fn sweep_alerts(
        &self,
        now: DateTime<Utc>,
        most: usize,
    ) -> Result<Evaluated, StoreError> {
        let (references, holding, watched) = {
            let mut tx = self.begin().await?;
            let references = tx.alert_references(&Scope::All).await?;
            let holding = tx.alert_conditions(&Scope::All, &references, now).await?;
            let watched = tx.watched_alerts(&Scope::All).await?;
            tx.commit().await?;
            (references, holding, watched)
        };
        let dossier_of: HashMap<i64, Option<i64>> =
            watched.iter().map(|row| (row.id, row.dossier_id)).collect();
        let mut dossiers = BTreeSet::new();
        let mut opening = BTreeSet::new();
        let mut later = BTreeSet::new();
        let mut others = Vec::new();
        for change in changes(&watched, &holding.conditions)? {
            match change.dossier(&dossier_of) {
                Some(dossier) => {
                    if matches!(change, Change::Open(_)) {
                        if opening.len() >= most && !opening.contains(&dossier) {
                            later.insert(dossier);
                            continue;
                        }
                        opening.insert(dossier);
                    }
                    dossiers.insert(dossier);
                }
                None => others.push(change),
            }
        }
        let mut evaluated = Evaluated::default();
        for dossier in dossiers {
            evaluated += self.evaluate_dossier_alone(dossier, now).await?;
        }
        evaluated += self.apply_place_changes(others, now, most).await?;
        let mut due: Vec<(i64, DateTime<Utc>)> = holding.due.into_iter().collect();
        due.extend(later.into_iter().map(|dossier| (dossier, now)));
        let mut tx = self.begin().await?;
        tx.alerts_due(&due, None).await?;
        on_tx!(tx, conn => {
            sqlx::query("DELETE FROM alert_p80").execute(conn).await.map(|_| ())
        })?;
        tx.note_p80(&holding.p80.into_iter().collect::<Vec<_>>())
            .await?;
        on_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO alert_sweep (id, fingerprint, swept_at) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint,
                                                swept_at = excluded.swept_at",
            )
            .bind(references.fingerprint.clone().unwrap_or_default())
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        tx.commit().await?;
        evaluated.closed += self.close_cleared_alerts(now).await?;
        Ok(evaluated)
    }

    /// Evaluates one dossier's alerts in a transaction of its own, under its site's ingestion
    /// lock on PostgreSQL (an event arriving meanwhile wins).
    async fn evaluate_dossier_alone(
        &self,
        dossier: i64,
        now: DateTime<Utc>,
    ) -> Result<Evaluated, StoreError> {
        let mut tx = self.begin().await?;
        if tx.postgres().is_some() {
            let site: Option<String> = on_tx!(tx, conn => {
                sqlx::query_scalar("SELECT site_code FROM dossier WHERE id = $1")
                    .bind(dossier)
                    .fetch_optional(conn)
                    .await
            })?;
            if let (Some(site), Some(pg)) = (site, tx.postgres()) {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(format!("ingestion:{site}"))
                    .execute(&mut **pg)
                    .await?;
            }
        }
        let evaluated = tx.evaluate_dossier_alerts(dossier, None, now).await?;
        tx.commit().await?;
        Ok(evaluated)
    }

    /// Applies the changes of alerts about places, each in its own transaction, opening at
    /// most `most`.
    async fn apply_place_changes(
        &self,
        changes: Vec<Change>,
        now: DateTime<Utc>,
        most: usize,
    ) -> Result<Evaluated, StoreError> {
        let mut evaluated = Evaluated::default();
        let mut opening = 0;
        for change in changes {
            if matches!(change, Change::Open(_)) {
                opening += 1;
                if opening > most {
                    continue;
                }
            }
            let mut tx = self.begin().await?;
            evaluated += tx.apply_alert_change(&change, now).await?;
            tx.commit().await?;
        }
        Ok(evaluated)
    }

    /// Closes the alerts whose condition has cleared for long enough ("résolue
    /// automatiquement"), each once.
    async fn close_cleared_alerts(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let before = now - Duration::minutes(crate::domain::alert::CLEAR_AFTER_MINUTES);
        let due: Vec<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT id FROM alert WHERE state <> 'close' AND cleared_at IS NOT NULL AND cleared_at <= $1",
            )
            .bind(before)
            .fetch_all(pool)
            .await
        })?;
        let mut closed = 0;
        for id in due {
            let mut tx = self.begin().await?;
            let cleared_at: Option<DateTime<Utc>> = on_tx!(tx, conn => {
                sqlx::query_scalar(
                    "UPDATE alert SET state = 'close', closed_at = $2, closed_by = NULL,
                                      closing_note = 'Résolue automatiquement : la condition a cessé.'
                     WHERE id = $1 AND state <> 'close' AND cleared_at IS NOT NULL AND cleared_at <= $3
                     RETURNING cleared_at",
                )
                .bind(id)
                .bind(now)
                .bind(before)
                .fetch_optional(conn)
                .await
            })?;
            if let Some(cleared_at) = cleared_at {
                debug_assert!(closes_at(cleared_at) <= now);
                tx.alert_history(id, "resolue", None, None, now).await?;
                tx.announce(super::feed::Committed::Alert(id)).await?;
                closed += 1;
            }
            tx.commit().await?;
        }
        Ok(closed)
    }
}

/// One alert as the desk shows it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DeskAlert {
    pub id: i64,
    pub rule: String,
    pub state: String,
    pub site_code: String,
    pub site_name: String,
    pub post_code: Option<String>,
    pub dossier_id: Option<i64>,
    pub responsible: String,
    pub title: String,
    pub detail: String,
    pub opened_at: DateTime<Utc>,
    pub cleared_at: Option<DateTime<Utc>>,
    pub openings: i32,
    pub taken_by: Option<String>,
    pub taken_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub closing_note: Option<String>,
}

/// One line of an alert's history.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AlertHistoryLine {
    pub alert_id: i64,
    pub at: DateTime<Utc>,
    pub what: String,
    pub who: Option<String>,
    pub note: Option<String>,
}

/// What the desk asks for: the sites it may see (`None`: every site), and its filters.
#[derive(Clone, Debug, Default)]
pub struct DeskQuery {
    pub sites: Option<Vec<String>>,
    pub site: Option<String>,
    pub post: Option<String>,
    pub rule: Option<String>,
    /// `None`: the alerts under way (open or taken).
    pub state: Option<String>,
    pub limit: i64,
}

impl DeskQuery {
    /// The conditions and their values, numbered from `$1`.
    fn conditions(&self, open_only: bool) -> (String, Vec<String>) {
        let mut clauses = Vec::new();
        let mut values = Vec::new();
        let next = |value: &str, values: &mut Vec<String>| {
            values.push(value.to_owned());
            format!("${}", values.len())
        };
        if let Some(sites) = &self.sites {
            if sites.is_empty() {
                clauses.push("FALSE".to_owned());
            } else {
                let list: Vec<String> = sites.iter().map(|site| next(site, &mut values)).collect();
                clauses.push(format!("a.site_code IN ({})", list.join(", ")));
            }
        }
        if let Some(site) = &self.site {
            let n = next(site, &mut values);
            clauses.push(format!("a.site_code = {n}"));
        }
        if let Some(post) = &self.post {
            let n = next(post, &mut values);
            clauses.push(format!("a.post_code = {n}"));
        }
        if let Some(rule) = &self.rule {
            let n = next(rule, &mut values);
            clauses.push(format!("a.rule = {n}"));
        }
        match (&self.state, open_only) {
            (_, true) | (None, false) => clauses.push("a.state <> 'close'".to_owned()),
            (Some(state), false) => {
                let n = next(state, &mut values);
                clauses.push(format!("a.state = {n}"));
            }
        }
        (clauses.join(" AND "), values)
    }
}

impl Store {
    /// The alerts of the desk, the most recently opened first (at most `limit`).
    #[tracing::instrument(skip_all)]
    pub async fn alert_desk(&self, query: &DeskQuery) -> Result<Vec<DeskAlert>, StoreError> {
        let (conditions, values) = query.conditions(false);
        let sql = format!(
            "SELECT a.id, a.rule, a.state, a.site_code, s.name AS site_name, a.post_code, a.dossier_id,
                    a.responsible, a.title, a.detail, a.opened_at, a.cleared_at, a.openings,
                    tu.full_name AS taken_by, a.taken_at, a.closed_at, cu.full_name AS closed_by,
                    a.closing_note
             FROM alert a JOIN site s ON s.code = a.site_code
             LEFT JOIN app_user tu ON tu.id = a.taken_by
             LEFT JOIN app_user cu ON cu.id = a.closed_by
             WHERE {conditions}
             ORDER BY a.opened_at DESC, a.id DESC LIMIT {}",
            query.limit.max(1)
        );
        Ok(on_pool!(self, pool => {
            let mut q = sqlx::query_as(&sql);
            for value in &values {
                q = q.bind(value);
            }
            q.fetch_all(pool).await
        })?)
    }

    /// How many alerts are under way (open, taken) by rule and state, within the desk's sites
    /// and filters (its state filter aside).
    #[tracing::instrument(skip_all)]
    pub async fn alert_counts(
        &self,
        query: &DeskQuery,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let (conditions, values) = query.conditions(true);
        let sql = format!(
            "SELECT a.rule, a.state, COUNT(*) FROM alert a WHERE {conditions} GROUP BY a.rule, a.state"
        );
        Ok(on_pool!(self, pool => {
            let mut q = sqlx::query_as(&sql);
            for value in &values {
                q = q.bind(value);
            }
            q.fetch_all(pool).await
        })?)
    }

    /// The histories of these alerts, each in order.
    #[tracing::instrument(skip_all)]
    pub async fn alert_histories(&self, ids: &[i64]) -> Result<Vec<AlertHistoryLine>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT h.alert_id, h.at, h.what, u.full_name AS who, h.note
             FROM alert_history h LEFT JOIN app_user u ON u.id = h.user_id
             WHERE h.alert_id IN ({list}) ORDER BY h.alert_id, h.id"
        );
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await)?)
    }

    /// The site and state of an alert, to decide who may act on it.
    #[tracing::instrument(skip_all)]
    pub async fn alert_site(&self, id: i64) -> Result<Option<(String, String)>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT site_code, state FROM alert WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
        })?)
    }
}

impl Tx {
    /// An agent takes an open alert; false when it is no longer open (taken or closed
    /// meanwhile).
    #[tracing::instrument(skip_all)]
    pub async fn take_alert(
        &mut self,
        id: i64,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, conn => {
            sqlx::query(
                "UPDATE alert SET state = 'prise', taken_by = $2, taken_at = $3 WHERE id = $1 AND state = 'ouverte'",
            )
            .bind(id)
            .bind(user_id)
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        if done == 0 {
            return Ok(false);
        }
        self.alert_history(id, "prise", Some(user_id), None, now)
            .await?;
        self.announce(super::feed::Committed::Alert(id)).await?;
        Ok(true)
    }

    /// An agent closes an alert with a note; false when it is already closed. Closed while its
    /// condition holds, it opens again only once the condition has cleared and returned.
    /// `user_id` is `None` when who closed it is no longer known (an account since removed).
    #[tracing::instrument(skip_all)]
    pub async fn close_alert(
        &mut self,
        id: i64,
        user_id: Option<i64>,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, conn => {
            sqlx::query(
                "UPDATE alert SET state = 'close', closed_at = $2, closed_by = $3, closing_note = $4
                 WHERE id = $1 AND state <> 'close'",
            )
            .bind(id)
            .bind(now)
            .bind(user_id)
            .bind(note)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        if done == 0 {
            return Ok(false);
        }
        self.alert_history(id, "close", user_id, Some(note), now)
            .await?;
        self.announce(super::feed::Committed::Alert(id)).await?;
        Ok(true)
    }
}

/// A post's thresholds (post, setting, goods, step, value), the national defaults' keys
/// (setting, step), and who answers for its steps (post, goods, step, responsible).
pub type PostAlertSettings = (
    Vec<(String, String, String, String, i64)>,
    Vec<(String, String)>,
    Vec<(String, String, String, String)>,
);

impl Store {
    /// The posts a head of service heads: (code, name), in order.
    #[tracing::instrument(skip_all)]
    pub async fn headed_posts(&self, user_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT p.code, p.name FROM post_head h JOIN post p ON p.code = h.post_code
                 WHERE h.user_id = $1 ORDER BY p.code",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// The thresholds and responsibilities of these posts.
    #[tracing::instrument(skip_all)]
    pub async fn post_alert_settings(
        &self,
        posts: &[String],
    ) -> Result<PostAlertSettings, StoreError> {
        let mut thresholds = Vec::new();
        let mut responsibilities = Vec::new();
        for post in posts {
            let rows: Vec<(String, String, String, String, i64)> = on_pool!(self, pool => {
                sqlx::query_as(
                    "SELECT post_code, rule, goods_category, step_kind, value FROM alert_threshold
                     WHERE post_code = $1",
                )
                .bind(post)
                .fetch_all(pool)
                .await
            })?;
            thresholds.extend(rows);
            let rows: Vec<(String, String, String, String)> = on_pool!(self, pool => {
                sqlx::query_as(
                    "SELECT post_code, goods_category, step_kind, responsible FROM step_responsibility
                     WHERE post_code = $1",
                )
                .bind(post)
                .fetch_all(pool)
                .await
            })?;
            responsibilities.extend(rows);
        }
        let defaults: Vec<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT rule, step_kind FROM alert_default")
                .fetch_all(pool)
                .await
        })?;
        Ok((thresholds, defaults, responsibilities))
    }
}

/// Which threshold of a post: its setting, goods category ('*': every one) and step ('*').
#[derive(Clone, Copy, Debug)]
pub struct ThresholdKey<'a> {
    pub post: &'a str,
    pub setting: &'a str,
    pub goods: &'a str,
    pub step: &'a str,
}

impl Tx {
    /// Sets a threshold of a post (a new, more precise row, or a new value); the previous value
    /// if there was one.
    #[tracing::instrument(skip_all)]
    pub async fn set_alert_threshold(
        &mut self,
        key: ThresholdKey<'_>,
        value: i64,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        let ThresholdKey {
            post,
            setting,
            goods,
            step,
        } = key;
        let previous: Option<i64> = on_tx!(self, conn => {
            sqlx::query_scalar(
                "SELECT value FROM alert_threshold
                 WHERE post_code = $1 AND rule = $2 AND goods_category = $3 AND step_kind = $4",
            )
            .bind(post)
            .bind(setting)
            .bind(goods)
            .bind(step)
            .fetch_optional(conn)
            .await
        })?;
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO alert_threshold (post_code, rule, goods_category, step_kind, value, updated_at, updated_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (post_code, rule, goods_category, step_kind) DO UPDATE SET
                     value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            )
            .bind(post)
            .bind(setting)
            .bind(goods)
            .bind(step)
            .bind(value)
            .bind(now)
            .bind(user_id)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(previous)
    }

    /// Removes a more precise threshold of a post (the general one applies again); the rows
    /// every post has from the national defaults are not removed. False when there was none to
    /// remove.
    #[tracing::instrument(skip_all)]
    pub async fn remove_alert_threshold(
        &mut self,
        key: ThresholdKey<'_>,
    ) -> Result<bool, StoreError> {
        let ThresholdKey {
            post,
            setting,
            goods,
            step,
        } = key;
        let done = on_tx!(self, conn => {
            sqlx::query(
                "DELETE FROM alert_threshold
                 WHERE post_code = $1 AND rule = $2 AND goods_category = $3 AND step_kind = $4
                   AND NOT (goods_category = '*' AND EXISTS (
                       SELECT 1 FROM alert_default d WHERE d.rule = $2 AND d.step_kind = $4))",
            )
            .bind(post)
            .bind(setting)
            .bind(goods)
            .bind(step)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(done > 0)
    }
}
