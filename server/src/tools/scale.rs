//! The scale run (`server bench-echelle`): the pages people open every day, measured on the
//! demo's few hundred dossiers and again on the same store once years of history have been added
//! in bulk — a million dossiers on PostgreSQL, a hundred thousand on SQLite by default — printed
//! as one table per store, with the query plans that matter.
//!
//! The history is made by the demo's own generator (`demo::dossier`): the same sites, posts,
//! goods, journeys, events and outcomes, spread over three years in the order they arrived. Dossiers opened more than
//! 135 days ago have settled (released or refused), as they would have; the last 135 days (an
//! eighth of the history, about 100,000 open dossiers in a million) hold every stage of the journey. The alerts' clock is measured on the
//! store itself: one evaluation that catches up the history, then one tick a minute. Two thousand more companies share the traffic, the two demo
//! operators keeping a large share of it (their lists are the heavy case). The identity and
//! physical checks have their appointments at the dossier's post, in half-hour slots of the
//! demo's calendars, as the platform books them (see [`Bookings`]). It is written in bulk
//! — PostgreSQL's `COPY`, SQLite's multi-row inserts in one transaction per batch — with
//! explicit ids, then the sequences are set and the statistics refreshed, as after a migration
//! of records into the platform.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use app::domain::appointment::{paris_day, AppointmentState, Calendar, CheckKind};
use app::domain::directory::SiteKind;
use app::domain::dossier::{current_step, DossierStatus};
use app::domain::gate::GateCode;
use app::domain::journey::{StepKind, StepState};
use app::domain::references::{AnyReference, Locode};
use app::domain::references::{ChedReference, Eori, Siren, Siret};
use app::domain::timeline::FactData;
use app::store::{forecast_place, gate_code_hash, Backend, Engine, NewDossier, Store};
use chrono::{DateTime, Datelike, Days, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use app::ui::format::thousands;

use super::bench::{self, Instance};
use super::demo;

/// What to measure.
pub struct Settings {
    /// Dossiers added to the PostgreSQL store.
    pub dossiers_postgres: usize,
    /// Dossiers added to the SQLite store.
    pub dossiers_sqlite: usize,
    /// Readings of each page by one person.
    pub samples: usize,
    /// People reading dossier pages at once, in the loads.
    pub people: usize,
    /// How long each load lasts.
    pub seconds: u64,
    /// Only the alerts' clock is measured, not the pages.
    pub clock_only: bool,
    /// An administrator's URL of a PostgreSQL server (a database is created on it).
    pub postgres: Option<String>,
}

/// The history's dossiers opened within this many days are still under way, at every stage (an
/// eighth of the three years, most of them open: about 100,000 open dossiers in a million); older
/// ones have settled.
const UNDER_WAY_DAYS: i64 = 135;
/// Clock ticks measured on each store.
const TICKS: usize = 20;

/// Companies added with the history.
const COMPANIES: usize = 2_000;
/// Dossiers generated and written at a time.
const BATCH: usize = 5_000;

/// The store being filled, connected as the platform connects (`Store::connect`), read and
/// written straight for what the tool needs beyond the store's own methods.
struct Db(Store);

fn failed(what: &str) -> impl Fn(sqlx::Error) -> String + '_ {
    move |error| format!("{what} : {error}")
}

impl Db {
    async fn connect(url: &str) -> Result<Db, String> {
        Store::connect(url)
            .await
            .map(Db)
            .map_err(|e| format!("connexion à la base : {e}"))
    }

    async fn scalar(&self, sql: &str) -> Result<i64, String> {
        match self.0.engine() {
            Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .map_err(failed(sql))
    }

    async fn ids(&self, sql: &str) -> Result<Vec<i64>, String> {
        match self.0.engine() {
            Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
            Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
        }
        .map_err(failed(sql))
    }

    async fn texts(&self, sql: &str) -> Result<Vec<String>, String> {
        match self.0.engine() {
            Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
            Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
        }
        .map_err(failed(sql))
    }

    async fn pairs(&self, sql: &str) -> Result<Vec<(i64, i64)>, String> {
        match self.0.engine() {
            Engine::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
            Engine::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        }
        .map_err(failed(sql))
    }

    /// The slots already in the store: id, post, check and start.
    async fn slots(&self) -> Result<Vec<(i64, String, String, DateTime<Utc>)>, String> {
        let sql = "SELECT id, post_code, check_kind, starts_at FROM slot";
        match self.0.engine() {
            Engine::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
            Engine::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        }
        .map_err(failed(sql))
    }

    async fn text(&self, sql: &str) -> Result<String, String> {
        match self.0.engine() {
            Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .map_err(failed(sql))
    }

    /// Statements separated by `;`.
    async fn execute(&self, sql: &str) -> Result<(), String> {
        match self.0.engine() {
            Engine::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
            Engine::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
        }
        .map_err(failed(sql))
    }

    async fn close(self) {
        self.0.close().await
    }
}

/// One row of a table to write, as text fields (`None` is NULL).
type Row = Vec<Option<String>>;

const DOSSIER_COLUMNS: &str = "id, site_code, post_code, company_id, goods_category, \
    goods_description, flow, container, awb, bill_of_lading, ched, mrn, status, current_step, \
    opened_at, updated_at";
const STEP_COLUMNS: &str =
    "dossier_id, kind, position, state, started_at, ended_at, actor, outcome, expected_minutes";
const EVENT_COLUMNS: &str =
    "id, dossier_id, source, kind, occurred_at, received_at, post_code, detail, fact, position";
const DURATION_COLUMNS: &str = "dossier_id, place, goods_category, kind, ended_at, minutes";
const SLOT_COLUMNS: &str = "id, post_code, check_kind, starts_at, ends_at, capacity, booked";
const APPOINTMENT_COLUMNS: &str = "id, dossier_id, check_kind, slot_id, state, company_id, \
    booked_by, reason, checkin_token, checked_in_at, created_at, updated_at, gate_code_hash";

/// The rows of one batch of dossiers.
#[derive(Default)]
struct Batch {
    dossiers: Vec<Row>,
    steps: Vec<Row>,
    events: Vec<Row>,
    /// The finished steps, as the forecasts count them (see `app::store::forecasts`).
    durations: Vec<Row>,
    /// The slots first booked in this batch (their places are counted once the history is
    /// written: later batches book them too).
    slots: Vec<Row>,
    appointments: Vec<Row>,
}

fn at(instant: DateTime<Utc>) -> Option<String> {
    Some(instant.to_rfc3339())
}

impl Batch {
    fn push(&mut self, id: i64, dossier: &NewDossier, next_event: &mut i64) {
        let refs = &dossier.references;
        let updated_at = dossier
            .events
            .iter()
            .map(|event| event.occurred_at)
            .max()
            .unwrap_or(dossier.opened_at)
            .max(dossier.opened_at);
        let text = |value: &str| Some(value.to_owned());
        self.dossiers.push(vec![
            Some(id.to_string()),
            text(dossier.site.as_str()),
            dossier.post.as_ref().map(|post| post.as_str().to_owned()),
            dossier.company_id.map(|id| id.to_string()),
            text(dossier.goods.code()),
            text(&dossier.goods_description),
            text(dossier.flow.code()),
            refs.container.as_ref().map(|r| r.as_str().to_owned()),
            refs.awb.as_ref().map(|r| r.as_str().to_owned()),
            refs.bill_of_lading.as_ref().map(|r| r.as_str().to_owned()),
            refs.ched.as_ref().map(|r| r.as_str().to_owned()),
            refs.mrn.as_ref().map(|r| r.as_str().to_owned()),
            text(DossierStatus::of_steps(&dossier.steps).code()),
            current_step(&dossier.steps).map(|kind| kind.code().to_owned()),
            at(dossier.opened_at),
            at(updated_at),
        ]);
        let place = forecast_place(
            dossier.post.as_ref().map(|post| post.as_str()),
            dossier.site.as_str(),
        );
        for step in &dossier.steps {
            if let (StepState::Termine, Some(started), Some(ended)) =
                (step.state, step.started_at, step.ended_at)
            {
                self.durations.push(vec![
                    Some(id.to_string()),
                    Some(place.clone()),
                    text(dossier.goods.code()),
                    text(step.kind.code()),
                    at(ended),
                    Some((ended - started).num_minutes().to_string()),
                ]);
            }
        }
        for (position, step) in dossier.steps.iter().enumerate() {
            self.steps.push(vec![
                Some(id.to_string()),
                text(step.kind.code()),
                Some(position.to_string()),
                text(step.state.code()),
                step.started_at.and_then(at),
                step.ended_at.and_then(at),
                step.actor.map(|actor| actor.code().to_owned()),
                step.outcome.clone(),
                Some(step.expected_minutes.to_string()),
            ]);
        }
        let fact = FactData::None.stored();
        for event in &dossier.events {
            *next_event += 1;
            self.events.push(vec![
                Some(next_event.to_string()),
                Some(id.to_string()),
                text(event.source.code()),
                text(event.kind.code()),
                at(event.occurred_at),
                at(event.received_at),
                event.post.as_ref().map(|post| post.as_str().to_owned()),
                event.detail.clone(),
                Some(fact.clone()),
                Some(next_event.to_string()),
            ]);
        }
    }

    /// The appointments of a dossier's identity and physical checks, as its operator would have
    /// booked them at its post once the documentary check selected them: a check done was
    /// honoured (absent, one time in fifty), a check in progress was honoured (the inspection
    /// has begun), a check to come has one in a slot to come half the time; a check held up waiting for the
    /// goods at the post (`Bloque`: "rendez-vous à prendre") has none yet.
    fn push_appointments(
        &mut self,
        id: i64,
        dossier: &NewDossier,
        port: bool,
        bookings: &mut Bookings,
    ) {
        let (Some(post), Some(company)) = (&dossier.post, dossier.company_id) else {
            return;
        };
        // Booking needs the checks selected: the documentary check's end.
        let Some(selected_at) = dossier
            .steps
            .iter()
            .find(|step| step.kind == StepKind::DocumentaryCheck)
            .filter(|step| step.state == StepState::Termine)
            .and_then(|step| step.ended_at)
        else {
            return;
        };
        let calendar = Arc::clone(if port {
            &bookings.port
        } else {
            &bookings.airport
        });
        let (now, slot_minutes) = (bookings.now, i64::from(calendar.slot_minutes));
        let requires_validation = calendar.requires_validation;
        for check in CheckKind::ALL {
            let Some(step) = dossier.steps.iter().find(|step| step.kind == check.step()) else {
                continue;
            };
            let rng = &mut bookings.rng;
            let created = (selected_at + Duration::minutes(rng.gen_range(2..30))).min(now);
            // A slot of the past: the one the step started in, or the first after the booking.
            let around = |started: DateTime<Utc>| {
                let mut start = floor_to(started, slot_minutes);
                if start <= created {
                    start = floor_to(created, slot_minutes) + Duration::minutes(slot_minutes);
                }
                (start, start + Duration::minutes(slot_minutes))
            };
            let (state, slot) = match (step.state, step.started_at) {
                (StepState::Termine, Some(started)) => (
                    if rng.gen_bool(0.02) {
                        AppointmentState::Absent
                    } else {
                        AppointmentState::Honore
                    },
                    around(started),
                ),
                // The inspection has begun: the operator came.
                (StepState::EnCours, Some(started)) => (AppointmentState::Honore, around(started)),
                (StepState::AVenir, _) if rng.gen_bool(0.5) => {
                    match future_slot(&calendar, rng, now) {
                        Some(slot) => (AppointmentState::Confirme, slot),
                        None => continue,
                    }
                }
                _ => continue,
            };
            let (checked_in_at, updated_at) = match state {
                AppointmentState::Honore => {
                    let arrived = (slot.0 + Duration::minutes(rng.gen_range(-10..=15)))
                        .max(created + Duration::minutes(1))
                        .min(now);
                    (Some(arrived), arrived)
                }
                // Recorded once the post's check-in window had closed.
                AppointmentState::Absent => (
                    None,
                    (slot.0 + Duration::minutes(rng.gen_range(240..360))).min(now),
                ),
                // Validated by an agent at the ports, confirmed at booking at the airports.
                _ if requires_validation => (
                    None,
                    (created + Duration::minutes(rng.gen_range(10..180)))
                        .min(now)
                        .min(slot.0),
                ),
                _ => (None, created),
            };
            let booked_by = bookings
                .operators
                .get(&company)
                .and_then(|operators| operators.choose(rng))
                .copied();
            let bytes: [u8; 32] = rng.gen();
            let token = app::domain::hex(&bytes);
            let gate_code = bookings.gate_code(&token);
            let capacity = calendar.capacity(check);
            let slot_id = bookings.slot(&mut self.slots, post.as_str(), check, slot, capacity);
            bookings.next_appointment += 1;
            self.appointments.push(vec![
                Some(bookings.next_appointment.to_string()),
                Some(id.to_string()),
                Some(check.code().to_owned()),
                Some(slot_id.to_string()),
                Some(state.code().to_owned()),
                Some(company.to_string()),
                booked_by.map(|user| user.to_string()),
                None,
                Some(token),
                checked_in_at.and_then(at),
                at(created),
                at(updated_at),
                gate_code,
            ]);
        }
    }

    /// Each table, its columns and its rows, in the order the foreign keys need.
    fn tables(&self) -> [(&'static str, &'static str, &[Row]); 6] {
        [
            ("dossier", DOSSIER_COLUMNS, &self.dossiers),
            ("step", STEP_COLUMNS, &self.steps),
            ("event", EVENT_COLUMNS, &self.events),
            ("observed_duration", DURATION_COLUMNS, &self.durations),
            ("slot", SLOT_COLUMNS, &self.slots),
            ("appointment", APPOINTMENT_COLUMNS, &self.appointments),
        ]
    }

    async fn write(self, db: &Db) -> Result<(), String> {
        match db.0.engine() {
            Engine::Postgres(pool) => {
                let mut conn = pool.acquire().await.map_err(failed("connexion"))?;
                for (table, columns, rows) in self.tables() {
                    let mut copy = conn
                        .copy_in_raw(&format!(
                            "COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
                        ))
                        .await
                        .map_err(failed("COPY"))?;
                    copy.send(csv(rows).into_bytes())
                        .await
                        .map_err(failed("COPY"))?;
                    copy.finish().await.map_err(failed("COPY"))?;
                }
            }
            Engine::Sqlite(pool) => {
                let mut tx = pool.begin().await.map_err(failed("transaction"))?;
                for (table, columns, rows) in self.tables() {
                    let width = columns.split(',').count();
                    // Within SQLite's limit of 32,766 parameters per statement.
                    for chunk in rows.chunks(30_000 / width) {
                        let row = format!("({})", vec!["?"; width].join(", "));
                        let sql = format!(
                            "INSERT INTO {table} ({columns}) VALUES {}",
                            vec![row.as_str(); chunk.len()].join(", ")
                        );
                        let mut query = sqlx::query(&sql);
                        for row in chunk {
                            for field in row {
                                query = query.bind(field.as_deref());
                            }
                        }
                        query.execute(&mut *tx).await.map_err(failed("insertion"))?;
                    }
                }
                tx.commit().await.map_err(failed("validation"))?;
            }
        }
        Ok(())
    }
}

/// The instant rounded down to a multiple of `minutes` (slots start on them, in Paris as in UTC).
fn floor_to(instant: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    let seconds = instant.timestamp();
    DateTime::from_timestamp(seconds - seconds.rem_euclid(minutes * 60), 0).unwrap_or(instant)
}

/// A slot of the calendar to come, as an operator books it: past the notice, within a few days.
fn future_slot(
    calendar: &Calendar,
    rng: &mut StdRng,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let earliest = now
        + Duration::hours(i64::from(calendar.min_notice_hours))
        + Duration::minutes(rng.gen_range(0..3 * 24 * 60));
    let first_day = paris_day(earliest);
    (0..30).find_map(|offset| {
        calendar
            .slots_of_day(first_day + Days::new(offset), &[])
            .into_iter()
            .find(|(start, _)| *start >= earliest)
    })
}

/// The appointments of the history across its batches, with the slots they sit in.
///
/// A slot is one row per post, check and start across the whole history, written by the batch
/// that first books it (before its appointments) at its calendar's capacity; once every batch
/// is written its places are counted as the store counts them (every appointment that holds
/// one: active, honoured or absent), the capacity raised where the history booked more than the
/// demo's calendar offers (the demo's few posts carry a national traffic).
struct Bookings {
    /// The demo's calendars: the ports validate each request, the airports confirm at booking.
    port: Arc<Calendar>,
    airport: Arc<Calendar>,
    /// Each slot known, by post (see `posts`), check and start.
    slots: HashMap<(u16, CheckKind, i64), i64>,
    posts: HashMap<String, u16>,
    next_slot: i64,
    /// The greatest appointment id before the history.
    first_appointment: i64,
    next_appointment: i64,
    /// The gate codes given (the first 64 bits of their digests): a code already given leaves
    /// the appointment without one, as booking does.
    gate_codes: HashSet<u64>,
    /// Each company's operators, who book for it; the history's companies have none (NULL).
    operators: HashMap<i64, Vec<i64>>,
    /// Its own draws, so that the dossiers are those generated without appointments.
    rng: StdRng,
    now: DateTime<Utc>,
}

impl Bookings {
    async fn load(db: &Db, now: DateTime<Utc>) -> Result<Bookings, String> {
        let mut bookings = Bookings {
            port: Arc::new(Calendar::standard(true)),
            airport: Arc::new(Calendar::standard(false)),
            slots: HashMap::new(),
            posts: HashMap::new(),
            next_slot: db.scalar("SELECT COALESCE(MAX(id), 0) FROM slot").await?,
            first_appointment: db
                .scalar("SELECT COALESCE(MAX(id), 0) FROM appointment")
                .await?,
            next_appointment: 0,
            gate_codes: HashSet::new(),
            operators: HashMap::new(),
            rng: StdRng::seed_from_u64(2028),
            now,
        };
        bookings.next_appointment = bookings.first_appointment;
        for (id, post, check, starts_at) in db.slots().await? {
            if let Some(check) = CheckKind::from_code(&check) {
                let post = bookings.post(&post);
                bookings
                    .slots
                    .insert((post, check, starts_at.timestamp()), id);
            }
        }
        let hashes = db
            .texts("SELECT gate_code_hash FROM appointment WHERE gate_code_hash IS NOT NULL")
            .await?;
        for hash in hashes {
            bookings.gate_codes.insert(code_key(&hash));
        }
        let operators = db
            .pairs("SELECT company_id, id FROM app_user WHERE company_id IS NOT NULL ORDER BY id")
            .await?;
        for (company, user) in operators {
            bookings.operators.entry(company).or_default().push(user);
        }
        Ok(bookings)
    }

    fn post(&mut self, code: &str) -> u16 {
        if let Some(index) = self.posts.get(code) {
            return *index;
        }
        let index = u16::try_from(self.posts.len()).unwrap_or(u16::MAX);
        self.posts.insert(code.to_owned(), index);
        index
    }

    /// The slot's id, its row added to `rows` the first time it is booked.
    fn slot(
        &mut self,
        rows: &mut Vec<Row>,
        post: &str,
        check: CheckKind,
        (starts_at, ends_at): (DateTime<Utc>, DateTime<Utc>),
        capacity: u32,
    ) -> i64 {
        let key = (self.post(post), check, starts_at.timestamp());
        if let Some(id) = self.slots.get(&key) {
            return *id;
        }
        self.next_slot += 1;
        self.slots.insert(key, self.next_slot);
        rows.push(vec![
            Some(self.next_slot.to_string()),
            Some(post.to_owned()),
            Some(check.code().to_owned()),
            at(starts_at),
            at(ends_at),
            Some(capacity.to_string()),
            Some("0".to_owned()),
        ]);
        self.next_slot
    }

    /// The digest of the token's gate code, unless another appointment has that code.
    fn gate_code(&mut self, token: &str) -> Option<String> {
        let hash = gate_code_hash(&GateCode::of_token(token));
        self.gate_codes.insert(code_key(&hash)).then_some(hash)
    }

    /// Counts each booked slot's places, as the store keeps them, once the history is written.
    async fn count_places(&self, db: &Db) -> Result<(), String> {
        let held = AppointmentState::ALL
            .into_iter()
            .filter(|state| state.holds_place())
            .map(|state| format!("'{}'", state.code()))
            .collect::<Vec<_>>()
            .join(", ");
        let greatest = match db.0.engine() {
            Engine::Postgres(_) => "GREATEST",
            Engine::Sqlite(_) => "MAX",
        };
        db.execute(&format!(
            "UPDATE slot SET booked = c.n, capacity = {greatest}(slot.capacity, c.n)
             FROM (SELECT slot_id, COUNT(*) AS n FROM appointment
                   WHERE state IN ({held}) AND slot_id IN
                       (SELECT slot_id FROM appointment WHERE id > {})
                   GROUP BY slot_id) AS c
             WHERE slot.id = c.slot_id",
            self.first_appointment
        ))
        .await
    }
}

/// The first 64 bits of a hexadecimal digest.
fn code_key(hash: &str) -> u64 {
    u64::from_str_radix(hash.get(..16).unwrap_or(hash), 16).unwrap_or(0)
}

/// Rows as PostgreSQL's CSV: every value quoted, NULL as an empty unquoted field.
fn csv(rows: &[Row]) -> String {
    let mut out = String::new();
    for row in rows {
        for (index, field) in row.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            if let Some(value) = field {
                out.push('"');
                out.push_str(&value.replace('"', "\"\""));
                out.push('"');
            }
        }
        out.push('\n');
    }
    out
}

/// Adds `count` dossiers of history (and the companies) to the store at `url`, which no
/// instance is using; returns how long it took.
async fn generate(url: &str, count: usize) -> Result<StdDuration, String> {
    let started = Instant::now();
    let db = Db::connect(url).await?;
    let now = Utc::now();

    // The companies: SIRENs far from the demo's, each with its EORI.
    for chunk in (0..COMPANIES).collect::<Vec<_>>().chunks(500) {
        let mut sql = String::from("INSERT INTO company (name, siret, eori, created_at) VALUES ");
        let mut values = Vec::new();
        for index in chunk {
            let siren = Siren::from_base(30_000_000 + *index as u32 * 7);
            let siret = Siret::from_siren_nic(&siren, 10);
            values.push(format!(
                "('Société n° {} SAS', '{}', '{}', '{}')",
                index + 1,
                siret.as_str(),
                Eori::from_siren(&siren).as_str(),
                now.to_rfc3339()
            ));
        }
        sql.push_str(&values.join(", "));
        sql.push_str(" ON CONFLICT DO NOTHING");
        db.execute(&sql).await?;
    }
    let companies = db.ids("SELECT id FROM company ORDER BY id").await?;
    let (first, second) = (companies[0], companies[1]);

    let sites = demo::demo_sites();
    let mut rng = StdRng::seed_from_u64(2027);
    let mut next_dossier = db
        .scalar("SELECT COALESCE(MAX(id), 0) FROM dossier")
        .await?;
    let mut next_event = db
        .scalar("SELECT COALESCE(MAX(GREATEST_ID), 0) FROM (SELECT MAX(id) AS GREATEST_ID FROM event UNION ALL SELECT MAX(position) FROM event) AS m")
        .await?;
    let span = 3 * 365 * 24 * 3600;
    let settled_before = now - Duration::days(UNDER_WAY_DAYS);
    let mut bookings = Bookings::load(&db, now).await?;
    let mut batch = Batch::default();
    for index in 0..count {
        // In the order they arrived, as ingestion writes them (a day's dossiers lie together on
        // disk), a few hours apart at random.
        let elapsed = span * index as i64 / count.max(1) as i64 + rng.gen_range(-21_600..21_600);
        let opened = (now - Duration::seconds(span - elapsed)).min(now);
        let (site, posts) = demo::pick_site(&mut rng, &sites);
        let company = match rng.gen_range(0..100) {
            0 | 1 => first,
            2 => second,
            _ => *companies.choose(&mut rng).expect("companies exist"),
        };
        // The demo numbers its DSCEs from the index (within seven digits); the history's are
        // numbered again below.
        let mut dossier = demo::dossier(
            &mut rng,
            index % 100_000,
            site,
            posts,
            company,
            opened,
            opened < settled_before,
        );
        // A DSCE number of the dossier's year, unique across the history.
        if let Some(ched) = &dossier.references.ched {
            let prefix = ched.as_str().split('.').next().unwrap_or("CHEDP");
            let number = format!(
                "{prefix}.FR.{}.{:07}",
                dossier.opened_at.year(),
                2_000_000 + index
            );
            dossier.references.ched = Some(
                ChedReference::parse(&number)
                    .map_err(|e| format!("référence DSCE générée invalide : {e}"))?,
            );
        }
        next_dossier += 1;
        batch.push(next_dossier, &dossier, &mut next_event);
        batch.push_appointments(
            next_dossier,
            &dossier,
            site.kind == SiteKind::Port,
            &mut bookings,
        );
        if batch.dossiers.len() == BATCH || index + 1 == count {
            std::mem::take(&mut batch).write(&db).await?;
        }
    }

    bookings.count_places(&db).await?;
    match db.0.engine() {
        Engine::Postgres(_) => {
            let mut sql = format!(
                "SELECT setval(pg_get_serial_sequence('dossier', 'id'), {next_dossier});
                 SELECT setval(pg_get_serial_sequence('event', 'id'), {next_event});
                 SELECT setval('event_position', {next_event});"
            );
            // A sequence starts at 1: set only once the table has rows.
            for (table, last) in [
                ("slot", bookings.next_slot),
                ("appointment", bookings.next_appointment),
            ] {
                if last > 0 {
                    sql.push_str(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last});"
                    ));
                }
            }
            db.execute(&sql).await?;
            // As after any bulk load: the rows marked visible to all (index-only scans, no
            // first reader paying for it) and the statistics gathered. Alone: not in a block.
            db.execute("VACUUM (ANALYZE)").await?
        }
        Engine::Sqlite(_) => db.execute("ANALYZE;").await?,
    }
    // What the store keeps up to date as steps finish, worked out once for the whole history.
    db.0.rebuild_forecasts().await.map_err(|e| e.to_string())?;
    db.0.rebuild_indicators().await.map_err(|e| e.to_string())?;
    db.close().await;
    Ok(started.elapsed())
}

/// How many dossiers not in progress are opened before the measures.
const WARM: usize = 100;

/// What the pages are measured on.
struct Targets {
    /// Dossiers in progress, opened in turn.
    in_progress: Vec<i64>,
    /// Other dossiers, opened before the measures (see [`measure`]).
    warm: Vec<i64>,
    /// A container number of the history, searched for.
    container: String,
    /// The company with the most dossiers, whose card is read.
    company: i64,
}

/// The dossiers in progress to open, at most `at_most` of them (drawn at random, the same draw
/// on every run): the loads open as many different dossiers on the large store as on the
/// small, so that the size of the history is the only thing that changes (the first opening of
/// each writes its consultation to the audit trail; the following ones are the same
/// consultation).
async fn targets(url: &str, at_most: Option<usize>) -> Result<Targets, String> {
    let db = Db::connect(url).await?;
    let mut in_progress = db
        .ids("SELECT id FROM dossier WHERE status = 'en_cours' ORDER BY id")
        .await?;
    if let Some(at_most) = at_most.filter(|at_most| *at_most < in_progress.len()) {
        let mut rng = StdRng::seed_from_u64(13);
        in_progress = in_progress
            .choose_multiple(&mut rng, at_most)
            .copied()
            .collect();
        in_progress.sort_unstable();
    }
    let warm = db
        .ids(&format!(
            "SELECT id FROM dossier WHERE status <> 'en_cours' ORDER BY id DESC LIMIT {WARM}"
        ))
        .await?;
    let middle = db.scalar("SELECT MAX(id) / 2 FROM dossier").await?;
    let container = db
        .text(&format!(
            "SELECT container FROM dossier WHERE container IS NOT NULL AND id >= {middle} \
             ORDER BY id LIMIT 1"
        ))
        .await?;
    let company = db
        .scalar(
            "SELECT company_id FROM company_dossier_tally GROUP BY company_id \
             ORDER BY SUM(dossiers) DESC, company_id LIMIT 1",
        )
        .await?;
    db.close().await;
    if in_progress.is_empty() {
        return Err("aucun dossier en cours à mesurer".into());
    }
    Ok(Targets {
        in_progress,
        warm,
        container,
        company,
    })
}

/// Latencies, in milliseconds.
#[derive(Clone, Copy)]
struct Reading {
    p50: f64,
    p99: f64,
}

fn reading(mut times: Vec<f64>) -> Reading {
    times.sort_by(|a, b| a.total_cmp(b));
    Reading {
        p50: bench::percentile(&times, 50.0),
        p99: bench::percentile(&times, 99.0),
    }
}

/// A load: how many pages a second were served, and how fast.
#[derive(Clone, Copy)]
struct Load {
    pages_per_second: f64,
    reading: Reading,
}

/// Everything measured on one store at one size.
struct Figures {
    dossiers: i64,
    /// How many different dossiers the loads opened.
    opened: usize,
    /// The container number searched for.
    container: String,
    pages: Vec<Reading>,
    paced: Load,
    saturated: Load,
}

const PAGES: [&str; 12] = [
    "un dossier en cours (`/dossiers/{id}`)",
    "la liste des dossiers (`/dossiers`)",
    "la liste filtrée par site (`/dossiers?site=FRLEH`)",
    "une recherche par numéro de conteneur",
    "la fiche de l'opérateur qui a le plus de dossiers (`/operateurs/{id}`)",
    "le tableau de bord du mois, tous les sites (`/tableaux-de-bord?periode=mois`)",
    "le tableau de bord de l'année, tous les sites (`/tableaux-de-bord?periode=annee`)",
    "l'export CSV du tableau de bord de l'année (`/tableaux-de-bord/export.csv?periode=annee`)",
    "les statistiques de l'année par site et par mois (`/statistiques`)",
    "les statistiques du passage, 80 % en moins de (`indicateur=duree-passage-80`)",
    "les statistiques des rendez-vous réservés (`indicateur=rendez-vous`)",
    "les statistiques du délai de clôture des alertes (`indicateur=duree-cloture-alertes-mediane`)",
];

/// Reads a page as the supervisor and returns how long it took, in milliseconds.
async fn read(client: &reqwest::Client, cookie: &str, url: &str) -> Result<f64, String> {
    let started = Instant::now();
    let response = client
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .map_err(|e| format!("{url} : {e}"))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| format!("{url} : {e}"))?;
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    if !status.is_success() || body.is_empty() {
        return Err(format!("{url} a répondu {status}"));
    }
    Ok(elapsed)
}

/// Pages read by `people` at once for `seconds`, each person one page a second (`paced`) or
/// one after the other without pause.
async fn load(
    instance: &Instance,
    cookie: &str,
    targets: &Targets,
    people: usize,
    seconds: u64,
    paced: bool,
) -> Result<Load, String> {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let deadline = started + StdDuration::from_secs(seconds);
    let mut tasks = Vec::new();
    for person in 0..people {
        let (client, cookie) = (client.clone(), cookie.to_owned());
        let base = format!("{}/dossiers/", instance.url);
        let ids = targets.in_progress.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(person as u64);
            let mut times = Vec::new();
            // Paced people start spread over the first second.
            let mut next = started + StdDuration::from_millis((person * 1000 / people) as u64);
            while Instant::now() < deadline {
                if paced {
                    tokio::time::sleep_until(next.into()).await;
                    next += StdDuration::from_secs(1);
                    if Instant::now() >= deadline {
                        break;
                    }
                }
                let id = ids.choose(&mut rng).expect("targets are not empty");
                times.push(read(&client, &cookie, &format!("{base}{id}")).await?);
            }
            Ok::<_, String>(times)
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(Load {
        pages_per_second: times.len() as f64 / elapsed,
        reading: reading(times),
    })
}

async fn measure(
    instance: &Instance,
    settings: &Settings,
    at_most: Option<usize>,
) -> Result<Figures, String> {
    let targets = targets(&instance.database_url, at_most).await?;
    let cookie = bench::supervisor(&instance.url).await?;
    let client = reqwest::Client::new();
    let urls: Vec<Box<dyn Fn(usize) -> String>> = {
        let base = instance.url.clone();
        let ids = targets.in_progress.clone();
        let container = targets.container.clone();
        let company = targets.company;
        vec![
            Box::new({
                let base = base.clone();
                move |n| format!("{base}/dossiers/{}", ids[n % ids.len()])
            }),
            Box::new({
                let base = base.clone();
                move |_| format!("{base}/dossiers")
            }),
            Box::new({
                let base = base.clone();
                move |_| format!("{base}/dossiers?site=FRLEH")
            }),
            Box::new({
                let base = base.clone();
                move |_| format!("{base}/dossiers?reference={container}")
            }),
            Box::new({
                let base = base.clone();
                move |_| format!("{base}/operateurs/{company}")
            }),
            Box::new({
                let base = base.clone();
                move |_| format!("{base}/tableaux-de-bord?periode=mois")
            }),
            Box::new({
                let base = base.clone();
                move |_| format!("{base}/tableaux-de-bord?periode=annee")
            }),
            Box::new({
                let base = base.clone();
                move |_| format!("{base}/tableaux-de-bord/export.csv?periode=annee")
            }),
            Box::new({
                let base = base.clone();
                move |_| format!("{base}/statistiques?indicateur=liberes")
            }),
            Box::new({
                let base = base.clone();
                move |_| format!("{base}/statistiques?indicateur=duree-passage-80")
            }),
            Box::new({
                let base = base.clone();
                move |_| format!("{base}/statistiques?indicateur=rendez-vous")
            }),
            Box::new(move |_| {
                format!("{base}/statistiques?indicateur=duree-cloture-alertes-mediane")
            }),
        ]
    };
    // Readings first, so that the figures are those of a running instance rather than of one
    // just started (each of the pool's connections plans its statements the first times it
    // runs them): other dossiers than those measured, whose first opening is measured.
    for id in &targets.warm {
        read(&client, &cookie, &format!("{}/dossiers/{id}", instance.url)).await?;
    }
    let mut pages = Vec::new();
    for (index, url) in urls.iter().enumerate() {
        // The lists, a few times each.
        for n in (0..5).filter(|_| index > 0) {
            read(&client, &cookie, &url(n)).await?;
        }
        let mut times = Vec::new();
        for n in 0..settings.samples {
            times.push(read(&client, &cookie, &url(n)).await?);
        }
        pages.push(reading(times));
    }
    let paced = load(
        instance,
        &cookie,
        &targets,
        settings.people,
        settings.seconds,
        true,
    )
    .await?;
    let saturated = load(
        instance,
        &cookie,
        &targets,
        settings.people,
        settings.seconds,
        false,
    )
    .await?;
    let db = Db::connect(&instance.database_url).await?;
    let dossiers = db.scalar("SELECT COUNT(*) FROM dossier").await?;
    db.close().await;
    Ok(Figures {
        dossiers,
        opened: targets.in_progress.len(),
        container: targets.container,
        pages,
        paced,
        saturated,
    })
}

async fn stop(mut instance: Instance) -> Result<(), String> {
    instance
        .child
        .kill()
        .await
        .map_err(|e| format!("arrêt du serveur mesuré : {e}"))
}

fn print_table(name: &str, small: &Figures, large: &Figures, people: usize) {
    println!();
    println!(
        "{name} : pages lues par le superviseur (toutes les données visibles), en millisecondes"
    );
    println!();
    println!(
        "| page | {} dossiers p50 | p99 | {} dossiers p50 | p99 | rapport p50 |",
        thousands(small.dossiers),
        thousands(large.dossiers)
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for ((label, before), after) in PAGES.iter().zip(&small.pages).zip(&large.pages) {
        println!(
            "| {label} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} |",
            before.p50,
            before.p99,
            after.p50,
            after.p99,
            after.p50 / before.p50
        );
    }
    println!();
    println!(
        "| charge : {people} personnes ouvrant {} dossiers en cours différents | {} dossiers pages/s | p50 | p99 | {} dossiers pages/s | p50 | p99 | rapport débit |",
        large.opened,
        thousands(small.dossiers),
        thousands(large.dossiers)
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (label, before, after) in [
        (
            "une page par seconde et par personne",
            small.paced,
            large.paced,
        ),
        ("sans pause (saturation)", small.saturated, large.saturated),
    ] {
        println!(
            "| {label} | {:.0} | {:.1} | {:.1} | {:.0} | {:.1} | {:.1} | {:.2} |",
            before.pages_per_second,
            before.reading.p50,
            before.reading.p99,
            after.pages_per_second,
            after.reading.p50,
            after.reading.p99,
            after.pages_per_second / before.pages_per_second
        );
    }
}

/// The alerts' clock on one store: how many dossiers are open, the evaluation that catches up
/// what the store holds (opening every alert due, as after a migration of records), then
/// [`TICKS`] ticks a minute apart, each timed, then [`SWEEPS`] full sweeps (what a tick does
/// after the thresholds changed, and once a day), each timed.
struct Ticks {
    dossiers: i64,
    open: i64,
    catch_up_ms: f64,
    opened: usize,
    alerts: i64,
    reading: Reading,
    sweeps: Reading,
}

/// Full sweeps timed on each store.
const SWEEPS: usize = 5;

async fn measure_alerts(url: &str) -> Result<Ticks, String> {
    let db = Db::connect(url).await?;
    let dossiers = db.scalar("SELECT COUNT(*) FROM dossier").await?;
    let open = db
        .scalar("SELECT COUNT(*) FROM dossier WHERE status IN ('en_cours', 'bloque')")
        .await?;
    let now = Utc::now();
    let started = Instant::now();
    // Records loaded in bulk are evaluated as after a migration: everything at once.
    let caught_up =
        db.0.sweep_alerts(now, usize::MAX)
            .await
            .map_err(|e| format!("évaluation des alertes : {e}"))?;
    let catch_up_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut times = Vec::with_capacity(TICKS);
    for tick in 1..=TICKS {
        let started = Instant::now();
        db.0.evaluate_alerts(now + Duration::minutes(tick as i64))
            .await
            .map_err(|e| format!("évaluation des alertes : {e}"))?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut sweeps = Vec::with_capacity(SWEEPS);
    for sweep in 1..=SWEEPS {
        let started = Instant::now();
        db.0.sweep_alerts(
            now + Duration::minutes((TICKS + sweep) as i64),
            app::domain::alert::MOST_OPENED_AT_ONCE,
        )
        .await
        .map_err(|e| format!("évaluation des alertes : {e}"))?;
        sweeps.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let alerts = db
        .scalar("SELECT COUNT(*) FROM alert WHERE state <> 'close'")
        .await?;
    db.close().await;
    Ok(Ticks {
        dossiers,
        open,
        catch_up_ms,
        opened: caught_up.opened,
        alerts,
        reading: reading(times),
        sweeps: reading(sweeps),
    })
}

fn print_ticks(name: &str, small: &Ticks, large: &Ticks) {
    println!();
    println!("{name} : alertes, une évaluation de l'horloge (toutes les règles, tous les sites), en millisecondes");
    println!();
    println!(
        "| horloge | {} dossiers ({} en cours) p50 | p99 | {} dossiers ({} en cours) p50 | p99 | rapport p50 |",
        thousands(small.dossiers),
        thousands(small.open),
        thousands(large.dossiers),
        thousands(large.open)
    );
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| un tour de l'horloge ({} alertes en cours) | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} |",
        thousands(large.alerts),
        small.reading.p50,
        small.reading.p99,
        large.reading.p50,
        large.reading.p99,
        large.reading.p50 / small.reading.p50.max(0.001)
    );
    println!(
        "| une évaluation complète (seuils changés, et une fois par jour) | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} |",
        small.sweeps.p50,
        small.sweeps.p99,
        large.sweeps.p50,
        large.sweeps.p99,
        large.sweeps.p50 / small.sweeps.p50.max(0.001)
    );
    println!();
    println!(
        "Rattrapage de l'historique : {} alertes ouvertes en {:.0} ms ({} sur la démonstration en {:.0} ms).",
        thousands(large.opened as i64),
        large.catch_up_ms,
        thousands(small.opened as i64),
        small.catch_up_ms
    );
}

/// The plans PostgreSQL chooses for the queries of the measured pages, on the large store.
async fn print_plans(url: &str, targets_container: &str) -> Result<(), String> {
    let store = Store::connect(url).await.map_err(|e| e.to_string())?;
    let site = Locode::parse("FRLEH").map_err(|e| e.to_string())?;
    let reference = AnyReference::recognise(targets_container).map_err(|e| e.to_string())?;
    let reader = store
        .user_by_email(bench::SUPERVISOR)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("le superviseur de la démonstration est introuvable")?;
    let plans = store
        .explain_pages(reader.id, &site, reference)
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    println!();
    println!("Plans de PostgreSQL sur la grande base (EXPLAIN ANALYZE) :");
    for (label, plan) in plans {
        println!();
        println!("{label}");
        println!("```");
        println!("{plan}");
        println!("```");
    }
    Ok(())
}

/// Runs the scale run on SQLite, and on PostgreSQL when a server is given, and prints the tables.
pub async fn run(settings: Settings) -> Result<(), String> {
    let folder = std::env::temp_dir().join(format!("sesame-echelle-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
    let mut stores = vec![(
        Backend::Sqlite,
        format!("sqlite://{}/echelle.db", folder.display()),
        settings.dossiers_sqlite,
    )];
    if let Some(admin) = &settings.postgres {
        stores.push((
            Backend::Postgres,
            bench::postgres_database(admin).await?,
            settings.dossiers_postgres,
        ));
    }
    if settings.clock_only {
        println!("Passage à l'échelle : l'horloge des alertes seule, sur la démonstration puis sur la même base après l'ajout de l'historique");
    } else {
        println!(
            "Passage à l'échelle : chaque page lue {} fois par une personne, puis {} personnes pendant {} s (une page par seconde chacune, puis sans pause), sur la démonstration puis sur la même base après l'ajout de l'historique",
            settings.samples, settings.people, settings.seconds
        );
    }
    let mut outcome = Ok(());
    for (backend, url, count) in stores {
        let name = backend.name();
        // With the clock alone, starting the platform once makes the store as the pages' measure
        // would (the demo, the accounts).
        let instance = bench::start(&url).await?;
        let small = if settings.clock_only {
            None
        } else {
            Some(measure(&instance, &settings, None).await?)
        };
        stop(instance).await?;
        let small_ticks = measure_alerts(&url).await?;
        let took = generate(&url, count).await?;
        println!();
        println!(
            "{name} : {} dossiers d'historique ajoutés en {:.0} s",
            thousands(count as i64),
            took.as_secs_f64()
        );
        let pages = match small {
            Some(small) => {
                let instance = bench::start(&url).await?;
                let large = measure(&instance, &settings, Some(small.opened)).await?;
                stop(instance).await?;
                Some((small, large))
            }
            None => None,
        };
        let large_ticks = measure_alerts(&url).await?;
        if let Some((small, large)) = &pages {
            print_table(name, small, large, settings.people);
        }
        print_ticks(name, &small_ticks, &large_ticks);
        if let (Backend::Postgres, Some((_, large))) = (backend, &pages) {
            if let Err(error) = print_plans(&url, &large.container).await {
                outcome = Err(error);
            }
        }
    }
    let _ = std::fs::remove_dir_all(folder);
    outcome
}
