//! Rendez-vous in the store: the posts' calendars and closures, the places taken in each slot,
//! and the appointments. A place is taken by one conditional update (`booked < capacity`) on the
//! slot's row, which the database checks again against a CHECK constraint: simultaneous attempts
//! on the last places accept exactly as many as remain, on both stores.

use chrono::{DateTime, NaiveDate, Utc};

use super::{decode, decode_reference, on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::appointment::{
    Appointment, AppointmentState, Calendar, CheckKind, Closure, Opening, SlotAvailability,
};
use crate::domain::dossier::References;
use crate::domain::gate::{CheckInWindow, GateCode};
use crate::domain::references::{
    Awb, BillOfLading, ChedReference, ContainerNumber, Locode, Mrn, PostCode,
};

#[derive(sqlx::FromRow)]
struct CalendarRow {
    slot_minutes: i32,
    identity_capacity: i32,
    physical_capacity: i32,
    min_notice_hours: i32,
    cutoff_hours: i32,
    requires_validation: bool,
    open_on_public_holidays: bool,
    openings: String,
}

#[derive(sqlx::FromRow)]
struct AppointmentRow {
    id: i64,
    dossier_id: i64,
    container: Option<String>,
    awb: Option<String>,
    bill_of_lading: Option<String>,
    ched: Option<String>,
    mrn: Option<String>,
    company_id: Option<i64>,
    company_name: Option<String>,
    site_code: String,
    post_code: String,
    post_name: String,
    check_kind: String,
    state: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: Option<String>,
    checked_in_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    checkin_token: String,
    gate_code_hash: Option<String>,
}

impl TryFrom<AppointmentRow> for Appointment {
    type Error = StoreError;
    fn try_from(row: AppointmentRow) -> Result<Self, StoreError> {
        let references = References {
            container: decode_reference(row.container, ContainerNumber::parse)?,
            awb: decode_reference(row.awb, Awb::parse)?,
            bill_of_lading: decode_reference(row.bill_of_lading, BillOfLading::parse)?,
            ched: decode_reference(row.ched, ChedReference::parse)?,
            mrn: decode_reference(row.mrn, Mrn::parse)?,
        };
        Ok(Appointment {
            id: row.id,
            dossier_id: row.dossier_id,
            dossier_headline: references.headline(),
            company_id: row.company_id,
            company_name: row.company_name,
            site: Locode::parse(&row.site_code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            post: PostCode::parse(&row.post_code)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            post_name: row.post_name,
            check: decode("contrôle", &row.check_kind, CheckKind::from_code)?,
            state: decode(
                "état de rendez-vous",
                &row.state,
                AppointmentState::from_code,
            )?,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            reason: row.reason,
            checked_in_at: row.checked_in_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            // Worked out again from the token, only for appointments booked with a code.
            gate_code: row
                .gate_code_hash
                .map(|_| GateCode::of_token(&row.checkin_token).display()),
        })
    }
}

/// A dossier's appointments, in the order of their slots.
pub(super) fn dossier_appointments_sql() -> String {
    format!("SELECT {APPOINTMENT_COLUMNS} {APPOINTMENT_FROM} WHERE a.dossier_id = $1 ORDER BY s.starts_at, a.id")
}

/// The columns of [`AppointmentRow`].
const APPOINTMENT_COLUMNS: &str = "a.id, a.dossier_id, d.container, d.awb, d.bill_of_lading,
        d.ched, d.mrn, a.company_id, c.name AS company_name, d.site_code, s.post_code,
        p.name AS post_name, a.check_kind, a.state, s.starts_at, s.ends_at, a.reason,
        a.checked_in_at, a.created_at, a.updated_at, a.checkin_token, a.gate_code_hash";

/// The tables of [`APPOINTMENT_COLUMNS`].
const APPOINTMENT_FROM: &str = "FROM appointment a
 JOIN slot s ON s.id = a.slot_id
 JOIN dossier d ON d.id = a.dossier_id
 JOIN post p ON p.code = s.post_code
 LEFT JOIN company c ON c.id = a.company_id";

/// Which appointments to list.
pub enum AppointmentFilter<'a> {
    Dossier(i64),
    /// A company's, and those of the dossiers it represents today (importer, site).
    Company {
        id: i64,
        represented: &'a [(i64, Locode)],
    },
    /// A post's appointments whose slot starts in `[from, to)`.
    Post {
        post: &'a PostCode,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

/// An appointment to record, once its place is taken.
pub struct NewAppointment<'a> {
    pub dossier_id: i64,
    pub check: CheckKind,
    pub slot_id: i64,
    pub state: AppointmentState,
    pub company_id: Option<i64>,
    pub booked_by: i64,
    pub checkin_token: &'a str,
    /// The digest of its gate code (see [`gate_code_hash`]); none when the code is taken.
    pub gate_code_hash: Option<&'a str>,
}

/// How a gate code is stored and found: its SHA-256 digest, never the code.
pub fn gate_code_hash(code: &GateCode) -> String {
    crate::state::token_hash(&code.digest_input())
}

impl Store {
    /// A post's calendar, if it takes appointments.
    #[tracing::instrument(skip_all)]
    /// Whether each post with a calendar validates every request, by post code, in one read.
    #[tracing::instrument(skip_all)]
    pub async fn posts_validating(
        &self,
    ) -> Result<std::collections::HashMap<String, bool>, StoreError> {
        let rows: Vec<(String, bool)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT post_code, requires_validation FROM post_calendar")
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().collect())
    }

    pub async fn calendar(&self, post: &PostCode) -> Result<Option<Calendar>, StoreError> {
        let row: Option<CalendarRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT slot_minutes, identity_capacity, physical_capacity, min_notice_hours,
                        cutoff_hours, requires_validation, open_on_public_holidays, openings
                 FROM post_calendar WHERE post_code = $1",
            )
            .bind(post.as_str())
            .fetch_optional(pool)
            .await
        })?;
        row.map(|row| {
            let openings: Vec<Opening> = serde_json::from_str(&row.openings)
                .map_err(|e| StoreError::Corrupt(format!("plages d'ouverture : {e}")))?;
            let count = |value: i32| u32::try_from(value).unwrap_or(0);
            Ok(Calendar {
                slot_minutes: count(row.slot_minutes),
                identity_capacity: count(row.identity_capacity),
                physical_capacity: count(row.physical_capacity),
                min_notice_hours: count(row.min_notice_hours),
                cutoff_hours: count(row.cutoff_hours),
                requires_validation: row.requires_validation,
                open_on_public_holidays: row.open_on_public_holidays,
                openings,
            })
        })
        .transpose()
    }

    /// A post's closures that end on or after `from`.
    #[tracing::instrument(skip_all)]
    pub async fn closures(
        &self,
        post: &PostCode,
        from: NaiveDate,
    ) -> Result<Vec<Closure>, StoreError> {
        let rows: Vec<(i64, NaiveDate, NaiveDate, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, starts_on, ends_on, reason FROM post_closure
                 WHERE post_code = $1 AND ends_on >= $2 ORDER BY starts_on",
            )
            .bind(post.as_str())
            .bind(from)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, starts_on, ends_on, reason)| Closure {
                id,
                starts_on,
                ends_on,
                reason,
            })
            .collect())
    }

    /// The places taken in the slots of a post and check starting in `[from, to)`.
    #[tracing::instrument(skip_all)]
    pub async fn slots_taken(
        &self,
        post: &PostCode,
        check: CheckKind,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<SlotAvailability>, StoreError> {
        let rows: Vec<(DateTime<Utc>, DateTime<Utc>, i32, i32)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT starts_at, ends_at, capacity, booked FROM slot
                 WHERE post_code = $1 AND check_kind = $2 AND starts_at >= $3 AND starts_at < $4
                 ORDER BY starts_at",
            )
            .bind(post.as_str())
            .bind(check.code())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(starts_at, ends_at, capacity, booked)| SlotAvailability {
                starts_at,
                ends_at,
                capacity: u32::try_from(capacity).unwrap_or(0),
                booked: u32::try_from(booked).unwrap_or(0),
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    pub async fn appointment(&self, id: i64) -> Result<Option<Appointment>, StoreError> {
        let sql = format!("SELECT {APPOINTMENT_COLUMNS} {APPOINTMENT_FROM} WHERE a.id = $1");
        let row: Option<AppointmentRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
        })?;
        row.map(Appointment::try_from).transpose()
    }

    /// The appointment a convocation's check-in token names.
    #[tracing::instrument(skip_all)]
    pub async fn appointment_by_token(
        &self,
        token: &str,
    ) -> Result<Option<Appointment>, StoreError> {
        let sql =
            format!("SELECT {APPOINTMENT_COLUMNS} {APPOINTMENT_FROM} WHERE a.checkin_token = $1");
        let row: Option<AppointmentRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(token).fetch_optional(pool).await
        })?;
        row.map(Appointment::try_from).transpose()
    }

    /// The appointments a gate code names (one, unless a digest was ever repeated: the unique
    /// index forbids it), whatever their post and day: the caller keeps those it may use today.
    #[tracing::instrument(skip_all)]
    pub async fn appointments_by_gate_code(
        &self,
        code: &GateCode,
    ) -> Result<Vec<Appointment>, StoreError> {
        let sql =
            format!("SELECT {APPOINTMENT_COLUMNS} {APPOINTMENT_FROM} WHERE a.gate_code_hash = $1");
        let hash = gate_code_hash(code);
        let rows: Vec<AppointmentRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(&hash).fetch_all(pool).await
        })?;
        rows.into_iter().map(Appointment::try_from).collect()
    }

    /// A post's check-in window; `None` for a post that does not exist.
    #[tracing::instrument(skip_all)]
    pub async fn checkin_window(
        &self,
        post: &PostCode,
    ) -> Result<Option<CheckInWindow>, StoreError> {
        let row: Option<(i32, i32)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT checkin_opens_minutes, checkin_closes_minutes FROM post WHERE code = $1",
            )
            .bind(post.as_str())
            .fetch_optional(pool)
            .await
        })?;
        let minutes = |value: i32| u32::try_from(value).unwrap_or(0);
        Ok(row.map(|(opens, closes)| CheckInWindow {
            opens_minutes_before: minutes(opens),
            closes_minutes_after: minutes(closes),
        }))
    }

    /// Counts a gate code an agent typed against their budget of the day, the trail's head
    /// locked so that simultaneous attempts are counted one after the other: false (nothing
    /// written) when `budget` failures since `since` are already recorded; otherwise true, and a
    /// failure (`found` false) is recorded in the audit trail, without the code.
    #[tracing::instrument(skip_all)]
    pub async fn gate_code_attempt(
        &self,
        actor: &super::Actor<'_>,
        found: bool,
        since: DateTime<Utc>,
        budget: u32,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let Some(user_id) = actor.user_id else {
            return Ok(false);
        };
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        let failures: i64 = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_entry WHERE actor_id = $1 AND action = $2 AND at >= $3",
            )
            .bind(user_id)
            .bind(GATE_CODE_FAILURE)
            .bind(since)
            .fetch_one(conn)
            .await
        })?;
        if failures >= i64::from(budget) {
            return Ok(false);
        }
        if !found {
            tx.audit(
                &actor.audit_event(GATE_CODE_FAILURE, "controle_arrivee", ""),
                now,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(true)
    }

    /// The check-in token of an appointment, to print its convocation.
    #[tracing::instrument(skip_all)]
    pub async fn checkin_token(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT checkin_token FROM appointment WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Appointments, soonest first.
    #[tracing::instrument(skip_all)]
    pub async fn appointments(
        &self,
        filter: AppointmentFilter<'_>,
    ) -> Result<Vec<Appointment>, StoreError> {
        let rows: Vec<AppointmentRow> = match filter {
            AppointmentFilter::Dossier(id) => {
                let sql = dossier_appointments_sql();
                on_pool!(self, pool => { sqlx::query_as(&sql).bind(id).fetch_all(pool).await })?
            }
            AppointmentFilter::Company { id, represented } => {
                // The companies first (an index starts with the company), then the sites of
                // those it represents.
                let companies = (0..=represented.len())
                    .map(|n| format!("${}", n + 1))
                    .collect::<Vec<_>>()
                    .join(", ");
                let either = std::iter::once("a.company_id = $1".to_owned())
                    .chain((0..represented.len()).map(|n| {
                        format!(
                            "(a.company_id = ${} AND d.site_code = ${})",
                            n + 2,
                            represented.len() + n + 2
                        )
                    }))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                let sql = format!(
                    "SELECT {APPOINTMENT_COLUMNS} {APPOINTMENT_FROM} WHERE a.company_id IN ({companies}) AND ({either})
                     ORDER BY s.starts_at, a.id"
                );
                on_pool!(self, pool => {
                    let mut query = sqlx::query_as(&sql).bind(id);
                    for (importer, _) in represented {
                        query = query.bind(*importer);
                    }
                    for (_, site) in represented {
                        query = query.bind(site.as_str());
                    }
                    query.fetch_all(pool).await
                })?
            }
            AppointmentFilter::Post { post, from, to } => {
                let sql = format!(
                    "SELECT {APPOINTMENT_COLUMNS} {APPOINTMENT_FROM} WHERE s.post_code = $1 AND s.starts_at >= $2 AND s.starts_at < $3
                     ORDER BY s.starts_at, a.id"
                );
                on_pool!(self, pool => {
                    sqlx::query_as(&sql).bind(post.as_str()).bind(from).bind(to).fetch_all(pool).await
                })?
            }
        };
        rows.into_iter().map(Appointment::try_from).collect()
    }
}

impl Store {
    /// The gate's day: the appointments at the posts of `sites` whose slot starts in
    /// `[from, to)`, soonest first, each with its post's check-in window and the SHA-256 of its
    /// convocation's token and of its short code's digest input (see
    /// [`crate::domain::gate::DayAppointment`]). One statement: the slots of the day by their
    /// start, joined to their appointments, posts and dossiers by key.
    #[tracing::instrument(skip_all)]
    pub async fn gate_day(
        &self,
        sites: &[Locode],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<crate::domain::gate::DayAppointment>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            appointment: AppointmentRow,
            checkin_opens_minutes: i32,
            checkin_closes_minutes: i32,
        }
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let list = super::placeholders(3, sites.len());
        let sql = format!(
            "SELECT {APPOINTMENT_COLUMNS}, p.checkin_opens_minutes, p.checkin_closes_minutes
             {APPOINTMENT_FROM}
             WHERE s.starts_at >= $1 AND s.starts_at < $2 AND p.site_code IN ({list})
             ORDER BY s.starts_at, a.id"
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql).bind(from).bind(to);
            for site in sites {
                query = query.bind(site.as_str());
            }
            query.fetch_all(pool).await
        })?;
        rows.into_iter()
            .map(|row| {
                let window = CheckInWindow {
                    opens_minutes_before: u32::try_from(row.checkin_opens_minutes).unwrap_or(0),
                    closes_minutes_after: u32::try_from(row.checkin_closes_minutes).unwrap_or(0),
                };
                let token_sha256 = crate::state::token_hash(&row.appointment.checkin_token);
                let code_sha256 = row.appointment.gate_code_hash.clone();
                let appointment = Appointment::try_from(row.appointment)?;
                Ok(crate::domain::gate::DayAppointment {
                    id: appointment.id,
                    headline: appointment.dossier_headline,
                    check: appointment.check,
                    starts_at: appointment.starts_at,
                    ends_at: appointment.ends_at,
                    post_name: appointment.post_name,
                    company_name: appointment.company_name,
                    state: appointment.state,
                    checked_in_at: appointment.checked_in_at,
                    site: appointment.site,
                    company_id: appointment.company_id,
                    window,
                    token_sha256,
                    code_sha256,
                })
            })
            .collect()
    }
}

impl Store {
    /// The requests awaiting validation at the posts of these sites, soonest slot first, at most
    /// `limit`. One statement for every post: the partial index `appointment_pending` holds only
    /// the requests (the literal `'demande'` lets both engines use it), each joined to its slot,
    /// post and dossier by primary key.
    #[tracing::instrument(skip_all)]
    pub async fn pending_appointments(
        &self,
        sites: &[Locode],
        limit: u32,
    ) -> Result<Vec<Appointment>, StoreError> {
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let places: Vec<String> = (1..=sites.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT {APPOINTMENT_COLUMNS} {APPOINTMENT_FROM} WHERE a.state = 'demande' AND p.site_code IN ({})
             ORDER BY s.starts_at, a.id LIMIT {limit}",
            places.join(", ")
        );
        let rows: Vec<AppointmentRow> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql);
            for site in sites {
                query = query.bind(site.as_str());
            }
            query.fetch_all(pool).await
        })?;
        rows.into_iter().map(Appointment::try_from).collect()
    }
}

impl Tx {
    /// Records a post's calendar, replacing the one it had.
    #[tracing::instrument(skip_all)]
    pub async fn save_calendar(
        &mut self,
        post: &PostCode,
        calendar: &Calendar,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let openings = serde_json::to_string(&calendar.openings)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let int = |value: u32| i32::try_from(value).unwrap_or(i32::MAX);
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO post_calendar (post_code, slot_minutes, identity_capacity,
                     physical_capacity, min_notice_hours, cutoff_hours, requires_validation,
                     open_on_public_holidays, openings, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (post_code) DO UPDATE SET slot_minutes = $2, identity_capacity = $3,
                     physical_capacity = $4, min_notice_hours = $5, cutoff_hours = $6,
                     requires_validation = $7, open_on_public_holidays = $8, openings = $9,
                     updated_at = $10",
            )
            .bind(post.as_str())
            .bind(int(calendar.slot_minutes))
            .bind(int(calendar.identity_capacity))
            .bind(int(calendar.physical_capacity))
            .bind(int(calendar.min_notice_hours))
            .bind(int(calendar.cutoff_hours))
            .bind(calendar.requires_validation)
            .bind(calendar.open_on_public_holidays)
            .bind(&openings)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// Takes one place in a slot (creating its row at the calendar's capacity the first time);
    /// `None` when it is full. The one statement that decides is the conditional update.
    #[tracing::instrument(skip_all)]
    pub async fn take_place(
        &mut self,
        post: &PostCode,
        check: CheckKind,
        slot: (DateTime<Utc>, DateTime<Utc>),
        capacity: u32,
    ) -> Result<Option<Taken>, StoreError> {
        let capacity = i32::try_from(capacity).unwrap_or(i32::MAX);
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO slot (post_code, check_kind, starts_at, ends_at, capacity, booked)
                 VALUES ($1, $2, $3, $4, $5, 0)
                 ON CONFLICT (post_code, check_kind, starts_at) DO NOTHING",
            )
            .bind(post.as_str())
            .bind(check.code())
            .bind(slot.0)
            .bind(slot.1)
            .bind(capacity)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        let taken: Option<(i64, bool)> = on_tx!(self, conn => {
            sqlx::query_as(
                "UPDATE slot SET booked = booked + 1
                 WHERE post_code = $1 AND check_kind = $2 AND starts_at = $3 AND booked < capacity
                 RETURNING id, booked >= capacity",
            )
            .bind(post.as_str())
            .bind(check.code())
            .bind(slot.0)
            .fetch_optional(conn)
            .await
        })?;
        Ok(taken.map(|(slot_id, last)| Taken { slot_id, last }))
    }

    /// The slot an appointment holds.
    #[tracing::instrument(skip_all)]
    pub async fn appointment_slot(&mut self, id: i64) -> Result<Option<i64>, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar("SELECT slot_id FROM appointment WHERE id = $1")
                .bind(id)
                .fetch_optional(conn)
                .await
        })?)
    }

    /// Announces, for the change feed, that the appointment changed (published once committed).
    #[tracing::instrument(skip_all)]
    pub async fn notify_appointment(&mut self, id: i64) -> Result<(), StoreError> {
        self.announce(super::feed::Committed::Appointment(id)).await
    }

    /// Gives a place back.
    #[tracing::instrument(skip_all)]
    pub async fn release_place(&mut self, slot_id: i64) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("UPDATE slot SET booked = booked - 1 WHERE id = $1 AND booked > 0")
                .bind(slot_id)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        Ok(())
    }

    /// Sets a post's check-in window (the columns' CHECK bounds each side to a day).
    #[tracing::instrument(skip_all)]
    pub async fn set_checkin_window(
        &mut self,
        post: &PostCode,
        window: &CheckInWindow,
    ) -> Result<(), StoreError> {
        let minutes = |value: u32| i32::try_from(value).unwrap_or(i32::MAX);
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE post SET checkin_opens_minutes = $2, checkin_closes_minutes = $3
                 WHERE code = $1",
            )
            .bind(post.as_str())
            .bind(minutes(window.opens_minutes_before))
            .bind(minutes(window.closes_minutes_after))
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// Whether an appointment already has this gate code's digest.
    #[tracing::instrument(skip_all)]
    pub async fn gate_code_taken(&mut self, hash: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = on_tx!(self, conn => {
            sqlx::query_scalar("SELECT id FROM appointment WHERE gate_code_hash = $1")
                .bind(hash)
                .fetch_optional(conn)
                .await
        })?;
        Ok(found.is_some())
    }

    /// The active appointment of a dossier for a check, if any: its id and slot.
    #[tracing::instrument(skip_all)]
    pub async fn active_appointment(
        &mut self,
        dossier_id: i64,
        check: CheckKind,
    ) -> Result<Option<(i64, i64)>, StoreError> {
        let sql = format!(
            "SELECT id, slot_id FROM appointment
             WHERE dossier_id = $1 AND check_kind = $2 AND state IN {}",
            AppointmentState::ACTIVE_SQL
        );
        Ok(on_tx!(self, conn => {
            sqlx::query_as(&sql).bind(dossier_id).bind(check.code()).fetch_optional(conn).await
        })?)
    }

    /// Records an appointment; `None` when the dossier already has an active one for this check
    /// (the unique index decides, whatever the timing).
    #[tracing::instrument(skip_all)]
    pub async fn insert_appointment(
        &mut self,
        new: &NewAppointment<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        let inserted: Result<i64, sqlx::Error> = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO appointment (dossier_id, check_kind, slot_id, state, company_id,
                     booked_by, checkin_token, created_at, updated_at, gate_code_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id",
            )
            .bind(new.dossier_id)
            .bind(new.check.code())
            .bind(new.slot_id)
            .bind(new.state.code())
            .bind(new.company_id)
            .bind(new.booked_by)
            .bind(new.checkin_token)
            .bind(now)
            .bind(new.gate_code_hash)
            .fetch_one(conn)
            .await
        });
        match inserted {
            Ok(id) => {
                // A check booked no longer waits for its appointment (see `alerts`).
                self.alerts_due_now(new.dossier_id, now).await?;
                Ok(Some(id))
            }
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Moves an appointment to another state (and slot, and reason), only from the states given
    /// and only if it still holds `old_slot`: false when another change came first (the caller
    /// then must not give back a place the other change already moved or gave back).
    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(skip_all)]
    pub async fn change_appointment(
        &mut self,
        id: i64,
        old_slot: i64,
        from: &[AppointmentState],
        to: AppointmentState,
        slot_id: Option<i64>,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let states = from
            .iter()
            .map(|state| format!("'{}'", state.code()))
            .collect::<Vec<_>>()
            .join(", ");
        let checked_in = to == AppointmentState::Honore;
        let sql = format!(
            "UPDATE appointment SET state = $2, slot_id = COALESCE($3, slot_id),
                 reason = COALESCE($4, reason), updated_at = $5,
                 checked_in_at = CASE WHEN $6 THEN $5 ELSE checked_in_at END,
                 decided_at = CASE WHEN state = 'demande' AND $2 IN ('confirme', 'refuse')
                                   THEN $5 ELSE decided_at END
             WHERE id = $1 AND slot_id = $7 AND state IN ({states})"
        );
        let done = on_tx!(self, conn => {
            sqlx::query(&sql)
                .bind(id)
                .bind(to.code())
                .bind(slot_id)
                .bind(reason)
                .bind(now)
                .bind(checked_in)
                .bind(old_slot)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        if done == 1 {
            // A cancelled check waits for an appointment again (see `alerts`).
            let dossier: i64 = on_tx!(self, conn => {
                sqlx::query_scalar("SELECT dossier_id FROM appointment WHERE id = $1")
                    .bind(id)
                    .fetch_one(conn)
                    .await
            })?;
            self.alerts_due_now(dossier, now).await?;
        }
        Ok(done == 1)
    }

    /// Closes a post for whole days, with the reason.
    #[tracing::instrument(skip_all)]
    pub async fn add_closure(
        &mut self,
        post: &PostCode,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO post_closure (post_code, starts_on, ends_on, reason, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(post.as_str())
            .bind(starts_on)
            .bind(ends_on)
            .bind(reason)
            .bind(now)
            .fetch_one(conn)
            .await
        })?)
    }

    /// The active appointments of a post whose slot starts in `[from, to)`: what a closure or a
    /// smaller capacity would touch.
    #[tracing::instrument(skip_all)]
    pub async fn active_appointments_between(
        &mut self,
        post: &PostCode,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(i64, DateTime<Utc>)>, StoreError> {
        let sql = format!(
            "SELECT a.id, s.starts_at FROM appointment a JOIN slot s ON s.id = a.slot_id
             WHERE s.post_code = $1 AND s.starts_at >= $2 AND s.starts_at < $3
               AND a.state IN {} ORDER BY s.starts_at",
            AppointmentState::ACTIVE_SQL
        );
        Ok(on_tx!(self, conn => {
            sqlx::query_as(&sql).bind(post.as_str()).bind(from).bind(to).fetch_all(conn).await
        })?)
    }
}

/// A booking asked by an operator.
pub struct Booking<'a> {
    pub dossier_id: i64,
    /// The dossier's post as the booker read it: the slot whose turn they wait for.
    pub post: Option<&'a PostCode>,
    pub check: CheckKind,
    pub starts_at: DateTime<Utc>,
    pub user_id: i64,
    /// The booker's company: only its own dossiers.
    pub company_id: Option<i64>,
    /// A fresh random token for the convocation's QR code.
    pub checkin_token: &'a str,
}

/// A place taken in a slot.
pub struct Taken {
    pub slot_id: i64,
    /// It was the slot's last place.
    pub last: bool,
}

/// A booking written.
struct Place {
    appointment_id: i64,
    /// It took the slot's last place.
    last: bool,
}

/// What agents and operators do to an appointment once booked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The operator moves it to another slot, before the cutoff.
    Reschedule(DateTime<Utc>),
    /// The operator cancels it, before the cutoff.
    Cancel,
    /// An agent confirms a request.
    Validate,
    /// An agent refuses it, with the reason.
    Refuse(String),
    /// An agent moves it to another slot, with the reason.
    Move(DateTime<Utc>, String),
    /// Checked in at the gate, within the post's window: the goods are there.
    CheckIn,
    /// Checked in at the gate after the window closed, the same day, with the reason.
    LateCheckIn(String),
    /// Nobody came.
    NoShow,
}

impl Change {
    /// The audit trail's name for it.
    pub fn action(&self) -> &'static str {
        match self {
            Change::Reschedule(_) => "rendez_vous_deplace",
            Change::Cancel => "rendez_vous_annule",
            Change::Validate => "rendez_vous_confirme",
            Change::Refuse(_) => "rendez_vous_refuse",
            Change::Move(..) => "rendez_vous_reporte",
            Change::CheckIn => "rendez_vous_honore",
            Change::LateCheckIn(_) => "rendez_vous_honore_en_retard",
            Change::NoShow => "rendez_vous_absent",
        }
    }
}

use crate::domain::appointment::{
    before_cutoff, check_need, check_slot, paris_day, BookingRefusal, CheckNeed,
};

impl Store {
    /// Books a place for a dossier: every rule checked, the place taken and the appointment
    /// recorded in one transaction with its audit entry, or nothing written. The conditional
    /// update decides whether a place is left; the booking form refuses a slot already full
    /// before coming here, with the read that finds the dossier (`Store::dossier_for_booking`).
    /// Bookings of the same slot take turns in this instance: those still waiting when the slot
    /// is seen full are refused without the write path (see [`super::turns`]).
    #[tracing::instrument(skip_all)]
    pub async fn book(
        &self,
        booking: &Booking<'_>,
        actor: &super::Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<Result<i64, BookingRefusal>, StoreError> {
        let arrived = std::time::Instant::now();
        let line = self.turns.join(
            booking.post.map(PostCode::as_str).unwrap_or_default(),
            booking.check.code(),
            booking.starts_at,
        );
        let mut turn = match line.wait(arrived).await {
            super::turns::TurnCome::SeenFull => return Ok(Err(BookingRefusal::Full)),
            super::turns::TurnCome::Yours(turn) => turn,
        };
        // Everyone in line waits for this booker: its reads and its transaction go on a thread of
        // its own, where each answer of the database resumes it at once, rather than behind the
        // requests of a crowd queued on the runtime's threads (see [`super::turns::ahead_of_the_crowd`]).
        let outcome =
            super::turns::ahead_of_the_crowd(self.book_in_turn(booking, actor, now)).await?;
        match outcome {
            Ok(Place { last: true, .. }) | Err(BookingRefusal::Full) => turn.saw_full(),
            _ => {}
        }
        Ok(outcome.map(|place| place.appointment_id))
    }

    /// [`Store::book`], once the booker's turn came.
    async fn book_in_turn(
        &self,
        booking: &Booking<'_>,
        actor: &super::Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<Result<Place, BookingRefusal>, StoreError> {
        let Some(dossier) = self.dossier(booking.dossier_id).await? else {
            return Ok(Err(BookingRefusal::OtherCompany));
        };
        if booking.company_id.is_none() || dossier.summary.company_id != booking.company_id {
            return Ok(Err(BookingRefusal::OtherCompany));
        }
        let events: Vec<_> = dossier.events.iter().map(|event| event.kind).collect();
        if check_need(booking.check, &dossier.steps, &events) != CheckNeed::Awaited {
            return Ok(Err(BookingRefusal::NotSelected(booking.check)));
        }
        let Some(post) = dossier.summary.post.clone() else {
            return Ok(Err(BookingRefusal::NoPost));
        };
        let Some(calendar) = self.calendar(&post).await? else {
            return Ok(Err(BookingRefusal::NoCalendar));
        };
        let closures = self.closures(&post, paris_day(now)).await?;
        let ends_at = match check_slot(&calendar, &closures, booking.starts_at, now) {
            Ok(ends_at) => ends_at,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let mut tx = self.begin().await?;
        if tx
            .active_appointment(booking.dossier_id, booking.check)
            .await?
            .is_some()
        {
            return Ok(Err(BookingRefusal::AlreadyBooked(booking.check)));
        }
        let Some(Taken { slot_id, last }) = tx
            .take_place(
                &post,
                booking.check,
                (booking.starts_at, ends_at),
                calendar.capacity(booking.check),
            )
            .await?
        else {
            return Ok(Err(BookingRefusal::Full));
        };
        let state = if calendar.requires_validation {
            AppointmentState::Demande
        } else {
            AppointmentState::Confirme
        };
        // Two tokens giving one code is a chance in 10^14 per appointment booked: that one
        // appointment then goes without a code (its QR code works), rather than refused.
        let code_hash = gate_code_hash(&GateCode::of_token(booking.checkin_token));
        let code_hash = if tx.gate_code_taken(&code_hash).await? {
            tracing::warn!(
                dossier = booking.dossier_id,
                "code d'arrivée déjà pris : rendez-vous sans code"
            );
            None
        } else {
            Some(code_hash)
        };
        let new = NewAppointment {
            dossier_id: booking.dossier_id,
            check: booking.check,
            slot_id,
            state,
            company_id: booking.company_id,
            booked_by: booking.user_id,
            checkin_token: booking.checkin_token,
            gate_code_hash: code_hash.as_deref(),
        };
        let Some(id) = tx.insert_appointment(&new, now).await? else {
            return Ok(Err(BookingRefusal::AlreadyBooked(booking.check)));
        };
        tx.audit(
            &actor.audit_event(
                "rendez_vous_demande",
                &format!("rendez_vous:{id}"),
                &format!(
                    "dossier {} — {} — {} le {}",
                    booking.dossier_id,
                    booking.check.code(),
                    post.as_str(),
                    booking.starts_at.to_rfc3339()
                ),
            ),
            now,
        )
        .await?;
        if state == AppointmentState::Demande {
            tx.notify(
                &super::notifications::Notice {
                    kind: "demande_a_valider",
                    dossier_id: booking.dossier_id,
                    cause: format!("rendez-vous:{id}:demande:{}", booking.starts_at.timestamp()),
                    fields: super::notifications::appointment_fields(
                        booking.check.code(),
                        booking.starts_at,
                        None,
                    ),
                    link: "/planning".to_owned(),
                },
                now,
            )
            .await?;
        }
        tx.notify_appointment(id).await?;
        tx.commit().await?;
        Ok(Ok(Place {
            appointment_id: id,
            last,
        }))
    }

    /// Applies a change to an appointment the caller has read (and checked who may change): its
    /// rules are checked on what was read, and the change is written only if the appointment is
    /// still in a state and slot it allows (another change may have come first).
    #[tracing::instrument(skip_all)]
    pub async fn change_appointment(
        &self,
        appointment: &Appointment,
        change: &Change,
        actor: &super::Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<Result<(), BookingRefusal>, StoreError> {
        self.change_appointment_at(appointment, change, actor, now, now, None)
            .await
    }

    /// The same, for a change made at `at` and received at `now`: a presence or absence a
    /// device recorded at the gate without network. The gate's rules are those of `at`, the
    /// appointment says it changed then, and the audit trail says both times; the `receipt`
    /// is written in the same transaction, or nothing is when a sending of the same one was
    /// written first (the caller then reads what that one kept).
    #[tracing::instrument(skip_all)]
    pub async fn change_appointment_at(
        &self,
        appointment: &Appointment,
        change: &Change,
        actor: &super::Actor<'_>,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
        receipt: Option<&super::gate::CheckinReceipt>,
    ) -> Result<Result<(), BookingRefusal>, StoreError> {
        use AppointmentState as S;
        let id = appointment.id;
        let Some(calendar) = self.calendar(&appointment.post).await? else {
            return Ok(Err(BookingRefusal::NoCalendar));
        };
        if !appointment.state.is_active() {
            return Ok(Err(BookingRefusal::NotActive));
        }
        if matches!(change, Change::Reschedule(_) | Change::Cancel) {
            if let Err(refusal) = before_cutoff(&calendar, appointment.starts_at, now) {
                return Ok(Err(refusal));
            }
        }
        if matches!(change, Change::NoShow) && appointment.starts_at > at {
            return Ok(Err(BookingRefusal::NotActive));
        }
        if matches!(change, Change::CheckIn | Change::LateCheckIn(_)) {
            use crate::domain::gate::{arrival, Arrival, ArrivalRefusal};
            let window = self
                .checkin_window(&appointment.post)
                .await?
                .unwrap_or_default();
            let refusal = match (arrival(appointment, &window, at), change) {
                (Arrival::OnTime, Change::CheckIn)
                | (Arrival::Late { .. }, Change::LateCheckIn(_)) => None,
                (Arrival::OnTime, _) => Some(ArrivalRefusal::NotLate),
                (Arrival::Late { closed_at }, _) => {
                    Some(ArrivalRefusal::WindowClosed { closed_at })
                }
                (
                    Arrival::TooEarly {
                        starts_at,
                        opens_at,
                    },
                    _,
                ) => Some(ArrivalRefusal::TooEarly {
                    starts_at,
                    opens_at,
                }),
                (Arrival::PastDay { starts_at }, _) => Some(ArrivalRefusal::PastDay { starts_at }),
                (Arrival::NotValidated | Arrival::Closed { .. }, _) => {
                    return Ok(Err(BookingRefusal::NotActive))
                }
            };
            if let Some(refusal) = refusal {
                return Ok(Err(BookingRefusal::Arrival(refusal)));
            }
        }
        let active = [S::Demande, S::Confirme, S::Reporte];
        // Read before the transaction takes its connection.
        let closures = match change {
            Change::Reschedule(_) | Change::Move(..) => {
                self.closures(&appointment.post, paris_day(now)).await?
            }
            _ => Vec::new(),
        };
        let mut tx = self.begin().await?;
        let Some(old_slot) = tx.appointment_slot(id).await? else {
            return Ok(Err(BookingRefusal::NotActive));
        };
        // A new slot first: its place taken before the old one is given back.
        let new_slot = match change {
            Change::Reschedule(starts_at) | Change::Move(starts_at, _) => {
                let ends_at = match check_slot(&calendar, &closures, *starts_at, now) {
                    Ok(ends_at) => ends_at,
                    // Agents may move into a slot closer than the operators' notice.
                    Err(BookingRefusal::TooSoon { .. }) if matches!(change, Change::Move(..)) => {
                        match calendar
                            .slots_of_day(paris_day(*starts_at), &closures)
                            .into_iter()
                            .find(|(start, _)| start == starts_at)
                        {
                            Some((_, ends_at)) => ends_at,
                            None => return Ok(Err(BookingRefusal::NotASlot)),
                        }
                    }
                    Err(refusal) => return Ok(Err(refusal)),
                };
                match tx
                    .take_place(
                        &appointment.post,
                        appointment.check,
                        (*starts_at, ends_at),
                        calendar.capacity(appointment.check),
                    )
                    .await?
                {
                    Some(taken) => Some(taken.slot_id),
                    None => return Ok(Err(BookingRefusal::Full)),
                }
            }
            _ => None,
        };
        let (from, to, reason): (&[S], S, Option<&str>) = match change {
            Change::Reschedule(_) => (
                &active,
                if calendar.requires_validation {
                    S::Demande
                } else {
                    S::Confirme
                },
                None,
            ),
            Change::Cancel => (&active, S::Annule, None),
            Change::Validate => (&[S::Demande], S::Confirme, None),
            Change::Refuse(reason) => (&active, S::Refuse, Some(reason.as_str())),
            Change::Move(_, reason) => (&active, S::Reporte, Some(reason.as_str())),
            Change::CheckIn => (&[S::Confirme, S::Reporte], S::Honore, None),
            Change::LateCheckIn(reason) => {
                (&[S::Confirme, S::Reporte], S::Honore, Some(reason.as_str()))
            }
            Change::NoShow => (&active, S::Absent, None),
        };
        if !tx
            .change_appointment(id, old_slot, from, to, new_slot, reason, at)
            .await?
        {
            return Ok(Err(BookingRefusal::NotActive));
        }
        if new_slot.is_some() || matches!(change, Change::Cancel | Change::Refuse(_)) {
            tx.release_place(old_slot).await?;
        }
        if let Some(receipt) = receipt {
            if !tx.keep_offline_checkin(receipt).await? {
                return Ok(Err(BookingRefusal::NotActive));
            }
        }
        // Made offline: when, and when it reached the server.
        let detail = if at == now {
            reason.unwrap_or_default().to_owned()
        } else {
            let time = |instant: DateTime<Utc>| {
                instant
                    .with_timezone(&chrono_tz::Europe::Paris)
                    .format("%d/%m/%Y %H:%M:%S")
                    .to_string()
            };
            format!(
                "hors ligne, le {} (reçu le {}){}",
                time(at),
                time(now),
                reason
                    .map(|reason| format!(" — {reason}"))
                    .unwrap_or_default()
            )
        };
        tx.audit(
            &actor.audit_event(change.action(), &format!("rendez_vous:{id}"), &detail),
            now,
        )
        .await?;
        // Who must know: the operators when the post decided, the inspection when a request
        // is to be validated again.
        let told = match change {
            Change::Validate => Some(("rendez_vous_confirme", appointment.starts_at, None)),
            Change::Refuse(reason) => Some((
                "rendez_vous_refuse",
                appointment.starts_at,
                Some(reason.as_str()),
            )),
            Change::Move(starts_at, reason) => {
                Some(("rendez_vous_deplace", *starts_at, Some(reason.as_str())))
            }
            Change::Reschedule(starts_at) if to == S::Demande => {
                Some(("demande_a_valider", *starts_at, None))
            }
            _ => None,
        };
        if let Some((kind, starts_at, reason)) = told {
            let link = if kind == "demande_a_valider" {
                "/planning".to_owned()
            } else {
                format!("/dossiers/{}/rendez-vous", appointment.dossier_id)
            };
            tx.notify(
                &super::notifications::Notice {
                    kind,
                    dossier_id: appointment.dossier_id,
                    cause: format!("rendez-vous:{id}:{kind}:{}", starts_at.timestamp()),
                    fields: super::notifications::appointment_fields(
                        appointment.check.code(),
                        starts_at,
                        reason,
                    ),
                    link,
                },
                now,
            )
            .await?;
        }
        tx.notify_appointment(id).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}

impl Store {
    /// The owner of an active calendar feed, by the hash of its token.
    #[tracing::instrument(skip_all)]
    pub async fn calendar_feed_owner(&self, token_hash: &str) -> Result<Option<i64>, StoreError> {
        let sql = format!(
            "SELECT f.user_id FROM calendar_feed f JOIN app_user u ON u.id = f.user_id
             WHERE f.token_hash = $1 AND f.revoked_at IS NULL AND {}",
            super::ACTIVE_USER
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(&sql)
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Whether this person has an active calendar feed.
    #[tracing::instrument(skip_all)]
    pub async fn has_calendar_feed(&self, user_id: i64) -> Result<bool, StoreError> {
        let count: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM calendar_feed WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(user_id)
            .fetch_one(pool)
            .await
        })?;
        Ok(count > 0)
    }
}

impl Tx {
    /// The first slot to come with more places taken than `capacity`, and how many.
    #[tracing::instrument(skip_all)]
    pub async fn slot_over_capacity(
        &mut self,
        post: &PostCode,
        check: CheckKind,
        now: DateTime<Utc>,
        capacity: i32,
    ) -> Result<Option<(DateTime<Utc>, i32)>, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query_as(
                "SELECT starts_at, booked FROM slot
                 WHERE post_code = $1 AND check_kind = $2 AND starts_at > $3 AND booked > $4
                 ORDER BY starts_at LIMIT 1",
            )
            .bind(post.as_str())
            .bind(check.code())
            .bind(now)
            .bind(capacity)
            .fetch_optional(conn)
            .await
        })?)
    }

    /// Gives the slots to come a new capacity (never below their places taken: the CHECK
    /// constraint refuses it).
    #[tracing::instrument(skip_all)]
    pub async fn set_capacity_from(
        &mut self,
        post: &PostCode,
        check: CheckKind,
        now: DateTime<Utc>,
        capacity: i32,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE slot SET capacity = $4
                 WHERE post_code = $1 AND check_kind = $2 AND starts_at > $3",
            )
            .bind(post.as_str())
            .bind(check.code())
            .bind(now)
            .bind(capacity)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// Ends every active calendar feed of this person.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_calendar_feeds(
        &mut self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query(
                "UPDATE calendar_feed SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(user_id)
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?)
    }

    /// A new calendar feed for this person (the previous ones end), by the hash of its token.
    #[tracing::instrument(skip_all)]
    pub async fn create_calendar_feed(
        &mut self,
        user_id: i64,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.revoke_calendar_feeds(user_id, now).await?;
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO calendar_feed (user_id, token_hash, created_at) VALUES ($1, $2, $3)",
            )
            .bind(user_id)
            .bind(token_hash)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }
}

/// Why a change of a post's calendar is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalendarRefusal {
    /// The calendar breaks a rule (see `Calendar::problems`).
    Invalid(Vec<String>),
    /// Fewer places than appointments already booked in a slot to come.
    CapacityTaken {
        starts_at: DateTime<Utc>,
        booked: u32,
    },
    /// Appointments to come whose slot the new calendar no longer has.
    PeriodTaken { count: usize, first: DateTime<Utc> },
}

impl Store {
    /// Replaces a post's calendar, unless that would shrink a slot or a period holding
    /// appointments to come; the places of the slots to come follow the new capacities.
    #[tracing::instrument(skip_all)]
    pub async fn change_calendar(
        &self,
        post: &PostCode,
        calendar: &Calendar,
        actor: &super::Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<Result<(), CalendarRefusal>, StoreError> {
        let problems = calendar.problems();
        if !problems.is_empty() {
            return Ok(Err(CalendarRefusal::Invalid(problems)));
        }
        let closures = self.closures(post, paris_day(now)).await?;
        let mut tx = self.begin().await?;
        for check in CheckKind::ALL {
            let capacity = i32::try_from(calendar.capacity(check)).unwrap_or(i32::MAX);
            let over = tx.slot_over_capacity(post, check, now, capacity).await?;
            if let Some((starts_at, booked)) = over {
                return Ok(Err(CalendarRefusal::CapacityTaken {
                    starts_at,
                    booked: u32::try_from(booked).unwrap_or(0),
                }));
            }
        }
        let far = now + chrono::Duration::days(3650);
        let booked = tx.active_appointments_between(post, now, far).await?;
        let orphans: Vec<DateTime<Utc>> = booked
            .into_iter()
            .map(|(_, starts_at)| starts_at)
            .filter(|starts_at| {
                !calendar
                    .slots_of_day(paris_day(*starts_at), &closures)
                    .iter()
                    .any(|(start, _)| start == starts_at)
            })
            .collect();
        if let Some(first) = orphans.first() {
            return Ok(Err(CalendarRefusal::PeriodTaken {
                count: orphans.len(),
                first: *first,
            }));
        }
        tx.save_calendar(post, calendar, now).await?;
        for check in CheckKind::ALL {
            let capacity = i32::try_from(calendar.capacity(check)).unwrap_or(i32::MAX);
            tx.set_capacity_from(post, check, now, capacity).await?;
        }
        tx.audit(
            &actor.audit_event(
                "calendrier_modifie",
                &format!("poste:{}", post.as_str()),
                &serde_json::to_string(calendar).unwrap_or_default(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Closes a post for whole days, unless appointments are booked on them.
    #[tracing::instrument(skip_all)]
    pub async fn close_post(
        &self,
        post: &PostCode,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        reason: &str,
        actor: &super::Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<Result<i64, CalendarRefusal>, StoreError> {
        use crate::domain::appointment::paris_instant;
        let from = paris_instant(starts_on, chrono::NaiveTime::MIN);
        let to = paris_instant(
            ends_on.succ_opt().unwrap_or(ends_on),
            chrono::NaiveTime::MIN,
        );
        let mut tx = self.begin().await?;
        let booked = tx.active_appointments_between(post, from, to).await?;
        if let Some((_, first)) = booked.first() {
            return Ok(Err(CalendarRefusal::PeriodTaken {
                count: booked.len(),
                first: *first,
            }));
        }
        let id = tx
            .add_closure(post, starts_on, ends_on, reason, now)
            .await?;
        tx.audit(
            &actor.audit_event(
                "poste_ferme",
                &format!("poste:{}", post.as_str()),
                &format!("{starts_on} → {ends_on} : {reason}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(id))
    }
}

/// The audit trail's action for a gate code that named no appointment the agent may record
/// today: counted against the agent's daily budget.
pub const GATE_CODE_FAILURE: &str = "code_arrivee_errone";
