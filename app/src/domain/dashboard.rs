//! « Tableaux de bord »: the indicators supervisors and heads of service follow, and what the
//! DGITM's statistics are made of. Every dossier figure is counted from the steps of the
//! dossier's timeline (the same steps its page shows), as [`contributions`] reads them: the store
//! keeps summaries of these by day and by month, so a dashboard and a dossier never disagree and
//! a year at national scale reads summaries, not dossiers.
//!
//! Durations are kept as histograms on the buckets of [`BUCKET_BOUNDS`] (a few minutes wide at
//! first, then wider as durations grow); a median or 80th percentile is read from them by
//! interpolating within its bucket, which is exact to the bucket's width.
//!
//! Pure rules, no I/O.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::dossier::GoodsCategory;
use super::journey::{StepKind, StepState};

/// The upper bounds, in minutes, of the duration buckets: bucket `i` holds the durations from
/// the previous bound (0 for the first) up to, not including, `BUCKET_BOUNDS[i]`; the last
/// bucket, `BUCKET_BOUNDS.len()`, those of a month or more.
pub const BUCKET_BOUNDS: [i64; 26] = [
    5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1080, 1440, 2160, 2880, 4320,
    5760, 7200, 10080, 14400, 20160, 30240, 43200,
];

/// The bucket of a duration of `minutes` (none is negative: a clock set wrong counts as 0).
pub fn bucket(minutes: i64) -> i32 {
    let minutes = minutes.max(0);
    BUCKET_BOUNDS
        .iter()
        .position(|bound| minutes < *bound)
        .unwrap_or(BUCKET_BOUNDS.len()) as i32
}

/// The durations a bucket holds: from, and up to (none for the last).
pub fn bucket_range(bucket: i32) -> (i64, Option<i64>) {
    let index = bucket.max(0) as usize;
    let lower = if index == 0 {
        0
    } else {
        BUCKET_BOUNDS[(index - 1).min(BUCKET_BOUNDS.len() - 1)]
    };
    (lower, BUCKET_BOUNDS.get(index).copied())
}

/// How many durations fell in each bucket (`(bucket, count)`, in any order).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Histogram(pub Vec<(i32, i64)>);

impl Histogram {
    pub fn add(&mut self, bucket: i32, count: i64) {
        match self.0.iter_mut().find(|(b, _)| *b == bucket) {
            Some((_, n)) => *n += count,
            None => self.0.push((bucket, count)),
        }
    }

    pub fn count(&self) -> i64 {
        self.0.iter().map(|(_, n)| n).sum()
    }

    /// The `percent`-th percentile, in minutes: the bucket holding the nearest-rank case, and
    /// within it the share of its cases up to that rank (a bucket's durations taken as spread
    /// evenly). `None` without any duration.
    pub fn percentile(&self, percent: i64) -> Option<i64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        let rank = (percent * total + 99) / 100;
        let rank = rank.max(1);
        let mut sorted = self.0.clone();
        sorted.sort();
        let mut before = 0;
        for (bucket, count) in sorted {
            if count <= 0 {
                continue;
            }
            if before + count >= rank {
                let (lower, upper) = bucket_range(bucket);
                return Some(match upper {
                    Some(upper) => lower + (upper - lower) * (rank - before) / count,
                    None => lower,
                });
            }
            before += count;
        }
        None
    }

    pub fn quantiles(&self) -> Quantiles {
        Quantiles {
            cases: self.count(),
            median: self.percentile(50),
            p80: self.percentile(80),
        }
    }
}

/// The median and 80th percentile of some durations, in minutes, and how many there were.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quantiles {
    pub cases: i64,
    pub median: Option<i64>,
    pub p80: Option<i64>,
}

/// What a dossier is counted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Measure {
    /// Opened, on the day it was opened.
    Opened,
    /// Released (« bon à enlever »), on that day; its bucket is the crossing's duration, from
    /// the arrival (or the opening, without one) to the release.
    Released,
    /// A step finished (or found non-conforming), on that day; its bucket is its duration.
    Step(StepKind),
    /// Whether identity or physical checks were selected (1) or not (0), on the day the
    /// dossier was opened, once the selection is known.
    Checks,
    /// A laboratory result: satisfactory (0) or not (1), on the day it came.
    Lab,
    /// The decision on the DSCE: favourable (0) or not (1), on the day it was taken.
    Decision,
}

impl Measure {
    pub fn code(self) -> String {
        match self {
            Measure::Opened => "ouvert".into(),
            Measure::Released => "libere".into(),
            Measure::Step(kind) => format!("etape:{}", kind.code()),
            Measure::Checks => "controles".into(),
            Measure::Lab => "laboratoire".into(),
            Measure::Decision => "decision".into(),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "ouvert" => Measure::Opened,
            "libere" => Measure::Released,
            "controles" => Measure::Checks,
            "laboratoire" => Measure::Lab,
            "decision" => Measure::Decision,
            _ => Measure::Step(StepKind::from_code(code.strip_prefix("etape:")?)?),
        })
    }

    /// The measures whose bucket is a yes/no answer.
    pub const YES_NO: [Measure; 3] = [Measure::Checks, Measure::Lab, Measure::Decision];

    /// Whether its bucket is a yes/no answer (the DGITM's figures then count each answer apart).
    pub fn is_yes_no(self) -> bool {
        Measure::YES_NO.contains(&self)
    }
}

/// One thing a dossier counts for: the measure, the day (in Paris), the bucket.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Contribution {
    pub measure: Measure,
    pub day: NaiveDate,
    pub bucket: i32,
}

impl Contribution {
    /// The figure of the DGITM's statistics it counts in (see `indicator_company`).
    pub fn figure(&self) -> String {
        if self.measure.is_yes_no() {
            format!("{}:{}", self.measure.code(), self.bucket)
        } else {
            self.measure.code()
        }
    }
}

/// A step of a dossier as the dashboards read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepTimes {
    pub kind: StepKind,
    pub state: StepState,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// The day of Paris an instant falls on.
pub fn paris_day(at: DateTime<Utc>) -> NaiveDate {
    super::access::local_day(at)
}

/// What a dossier opened at `opened_at` with these steps counts for, now.
pub fn contributions(opened_at: DateTime<Utc>, steps: &[StepTimes]) -> Vec<Contribution> {
    let step = |kind: StepKind| steps.iter().find(|step| step.kind == kind);
    let opened = paris_day(opened_at);
    let mut counted = vec![Contribution {
        measure: Measure::Opened,
        day: opened,
        bucket: 0,
    }];
    for times in steps {
        let settled = matches!(times.state, StepState::Termine | StepState::NonConforme);
        if let (true, Some(started), Some(ended)) = (settled, times.started_at, times.ended_at) {
            counted.push(Contribution {
                measure: Measure::Step(times.kind),
                day: paris_day(ended),
                bucket: bucket((ended - started).num_minutes()),
            });
        }
    }
    if let Some(Some(released)) = step(StepKind::CustomsClearance)
        .filter(|step| step.state == StepState::Termine)
        .map(|step| step.ended_at)
    {
        let from = step(StepKind::Arrival)
            .and_then(|arrival| arrival.started_at)
            .unwrap_or(opened_at);
        counted.push(Contribution {
            measure: Measure::Released,
            day: paris_day(released),
            bucket: bucket((released - from).num_minutes()),
        });
    }
    // The selection is known once one of the two checks moved from « à venir »: to « non
    // requis » when not selected, on when selected.
    let checks: Vec<StepState> = [StepKind::IdentityCheck, StepKind::PhysicalCheck]
        .into_iter()
        .filter_map(|kind| step(kind).map(|step| step.state))
        .collect();
    if checks.iter().any(|state| *state != StepState::AVenir) {
        let selected = checks.iter().any(|state| *state != StepState::NonRequis);
        counted.push(Contribution {
            measure: Measure::Checks,
            day: opened,
            bucket: i32::from(selected),
        });
    }
    for (kind, measure) in [
        (StepKind::LabAnalysis, Measure::Lab),
        (StepKind::Decision, Measure::Decision),
    ] {
        if let Some(times) = step(kind) {
            let unfavourable = match times.state {
                StepState::Termine => false,
                StepState::NonConforme => true,
                _ => continue,
            };
            counted.push(Contribution {
                measure,
                day: times.ended_at.map(paris_day).unwrap_or(opened),
                bucket: i32::from(unfavourable),
            });
        }
    }
    counted
}

/// The first day of the month a day falls in.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// How long a dashboard's period is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PeriodKind {
    Day,
    Week,
    Month,
    Year,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 4] = [
        PeriodKind::Day,
        PeriodKind::Week,
        PeriodKind::Month,
        PeriodKind::Year,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Day => "jour",
            PeriodKind::Week => "semaine",
            PeriodKind::Month => "mois",
            PeriodKind::Year => "annee",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        PeriodKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            PeriodKind::Day => "Jour",
            PeriodKind::Week => "Semaine",
            PeriodKind::Month => "Mois",
            PeriodKind::Year => "Année",
        }
    }

    /// Whether its figures are read by month (whole months) rather than by day.
    pub fn by_month(self) -> bool {
        matches!(self, PeriodKind::Month | PeriodKind::Year)
    }
}

/// A period of a dashboard: its kind and its first day; it ends before `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDate,
}

impl Period {
    /// The period of this kind that holds `day` (weeks begin on Monday).
    pub fn holding(kind: PeriodKind, day: NaiveDate) -> Period {
        let start = match kind {
            PeriodKind::Day => day,
            PeriodKind::Week => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            PeriodKind::Month => month_of(day),
            PeriodKind::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
        };
        Period { kind, start }
    }

    /// The first day after the period.
    pub fn end(self) -> NaiveDate {
        match self.kind {
            PeriodKind::Day => self.start + Days::new(1),
            PeriodKind::Week => self.start + Days::new(7),
            PeriodKind::Month => self.start + Months::new(1),
            PeriodKind::Year => self.start + Months::new(12),
        }
    }

    pub fn previous(self) -> Period {
        let start = match self.kind {
            PeriodKind::Day => self.start - Days::new(1),
            PeriodKind::Week => self.start - Days::new(7),
            PeriodKind::Month => self.start - Months::new(1),
            PeriodKind::Year => self.start - Months::new(12),
        };
        Period {
            kind: self.kind,
            start,
        }
    }

    /// The `count` periods ending with this one, the oldest first.
    pub fn trend(self, count: usize) -> Vec<Period> {
        let mut periods = vec![self];
        while periods.len() < count {
            let first = periods[0].previous();
            periods.insert(0, first);
        }
        periods
    }

    /// The period in French: « jeudi 3 décembre 2026 », « semaine du 30 novembre 2026 »,
    /// « novembre 2026 », « 2026 ».
    pub fn label(self) -> String {
        match self.kind {
            PeriodKind::Day => format!(
                "{} {}",
                crate::ui::format::weekday_date(self.start),
                self.start.year()
            ),
            PeriodKind::Week => format!("semaine du {}", crate::ui::format::date(self.start)),
            PeriodKind::Month => crate::ui::format::month(self.start, false),
            PeriodKind::Year => self.start.year().to_string(),
        }
    }

    /// A short label, under a chart's bar.
    pub fn short_label(self) -> String {
        match self.kind {
            PeriodKind::Day | PeriodKind::Week => self.start.format("%d/%m").to_string(),
            PeriodKind::Month => crate::ui::format::month(self.start, true),
            PeriodKind::Year => self.start.year().to_string(),
        }
    }
}

/// How many periods the trends show.
pub const TREND_PERIODS: usize = 12;

/// What a dashboard is asked for, as its address says (`?site=…&poste=…&marchandise=…&
/// periode=…&date=…`): every filter optional. Parsed by [`DashboardFilters::parse`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub poste: String,
    #[serde(default)]
    pub marchandise: String,
    #[serde(default)]
    pub periode: String,
    #[serde(default)]
    pub date: String,
}

/// What a dashboard shows, checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardFilters {
    pub site: Option<String>,
    pub post: Option<String>,
    pub goods: Option<GoodsCategory>,
    pub period: Period,
}

impl DashboardFilters {
    /// The filters an address asks for, or the French sentence that says what is wrong. The
    /// sites and posts are checked against the reader's later.
    pub fn parse(query: &DashboardQuery, today: NaiveDate) -> Result<Self, String> {
        let site = Some(query.site.trim().to_uppercase()).filter(|s| !s.is_empty());
        let post = Some(query.poste.trim().to_uppercase()).filter(|s| !s.is_empty());
        let goods = match query.marchandise.trim() {
            "" => None,
            code => Some(GoodsCategory::from_code(code).ok_or_else(|| {
                format!("« {code} » n'est pas une catégorie de marchandises connue.")
            })?),
        };
        let kind = match query.periode.trim() {
            "" => PeriodKind::Month,
            code => PeriodKind::from_code(code).ok_or_else(|| {
                format!(
                    "« {code} » n'est pas une période : choisissez jour, semaine, mois ou année."
                )
            })?,
        };
        let day = match query.date.trim() {
            "" => today,
            text => super::dates::parse_day(text)
                .ok_or_else(|| format!("« {text} » n'est pas une date : écrivez-la jj/mm/aaaa."))?,
        };
        if day > today {
            return Err(
                "La date est dans le futur : choisissez aujourd'hui ou un jour passé.".into(),
            );
        }
        if day < today - Months::new(12 * 10) {
            return Err(
                "La date remonte à plus de dix ans : choisissez une date plus récente.".into(),
            );
        }
        Ok(DashboardFilters {
            site,
            post,
            goods,
            period: Period::holding(kind, day),
        })
    }

    /// The address's query for these filters (for links and exports).
    pub fn query(&self) -> DashboardQuery {
        DashboardQuery {
            site: self.site.clone().unwrap_or_default(),
            poste: self.post.clone().unwrap_or_default(),
            marchandise: self.goods.map(|g| g.code().to_owned()).unwrap_or_default(),
            periode: self.period.kind.code().to_owned(),
            date: self.period.start.format("%Y-%m-%d").to_string(),
        }
    }
}

/// A count in the period and in the one before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compared {
    pub current: i64,
    pub previous: i64,
}

/// A share: how many of how many, in the period and the one before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub part: Compared,
    pub whole: Compared,
}

/// A duration's median and 80th percentile in the period and the one before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurationLine {
    pub label: String,
    pub current: Quantiles,
    pub previous: Quantiles,
}

/// One period of the trends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub label: String,
    pub opened: i64,
    pub released: i64,
    pub crossing: Quantiles,
}

/// A place one may filter on: its code and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub name: String,
}

/// A dashboard as its reader may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub filters: DashboardFilters,
    pub period_label: String,
    pub previous_label: String,
    /// What the reader may filter on.
    pub sites: Vec<Choice>,
    pub posts: Vec<Choice>,
    /// What the figures cover, in French (« tous les sites », « Le Havre, poste … »).
    pub scope_label: String,
    pub opened: Compared,
    pub released: Compared,
    pub durations: Vec<DurationLine>,
    pub checks: Share,
    pub lab: Share,
    pub decisions: Share,
    pub appointments: AppointmentFigures,
    pub alerts: FollowUp,
    pub exchanges: FollowUp,
    pub trend: Vec<TrendPoint>,
}

/// The rendez-vous of the period and the one before.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentFigures {
    /// Places the posts' calendars offered.
    pub places: Compared,
    /// Appointments booked on them and still held (asked, confirmed, moved, honoured, missed).
    pub booked: Compared,
    pub honoured: Compared,
    pub no_shows: Compared,
    /// The time from asking to the post's answer, for those a post had to validate.
    pub validation: [Quantiles; 2],
}

/// Things opened in the period, those closed (or answered), and how long that took.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub opened: Compared,
    pub done: Compared,
    pub delay: [Quantiles; 2],
}

/// The quantiles of exact durations in minutes (for the few hundred alerts, exchanges and
/// appointments of a period, read one by one), nearest rank.
pub fn exact_quantiles(minutes: &mut [i64]) -> Quantiles {
    minutes.sort_unstable();
    let rank = |percent: i64| {
        let n = minutes.len() as i64;
        (n > 0).then(|| minutes[((percent * n + 99) / 100 - 1).max(0) as usize])
    };
    Quantiles {
        cases: minutes.len() as i64,
        median: rank(50),
        p80: rank(80),
    }
}

/// The change from `previous` to `current` in French: « +12 % », « −3 % », « = », « nouveau ».
pub fn change(current: i64, previous: i64) -> String {
    if current == previous {
        return "=".into();
    }
    if previous == 0 {
        return "nouveau".into();
    }
    let percent = ((current - previous) as f64 * 100.0 / previous as f64).round() as i64;
    if percent >= 0 {
        format!("+{percent} %")
    } else {
        format!("−{} %", -percent)
    }
}

/// What a duration of the DGITM's statistics measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DurationOf {
    /// The whole crossing, from the arrival (or the opening) to the « bon à enlever ».
    Crossing,
    /// One step of the timelines.
    Step(StepKind),
    /// From a rendez-vous asked for to its confirmation or refusal.
    Validation,
    /// From an alert opened to its closing.
    AlertClosing,
    /// From an exchange opened to the first message of the other side.
    ExchangeAnswer,
}

impl DurationOf {
    pub fn all() -> Vec<DurationOf> {
        let mut all = vec![DurationOf::Crossing];
        all.extend(StepKind::ALL.into_iter().map(DurationOf::Step));
        all.extend([
            DurationOf::Validation,
            DurationOf::AlertClosing,
            DurationOf::ExchangeAnswer,
        ]);
        all
    }

    fn code(self) -> String {
        match self {
            DurationOf::Crossing => "passage".into(),
            DurationOf::Step(kind) => format!("etape-{}", kind.code()),
            DurationOf::Validation => "validation-rendez-vous".into(),
            DurationOf::AlertClosing => "cloture-alertes".into(),
            DurationOf::ExchangeAnswer => "reponse-echanges".into(),
        }
    }

    fn label(self) -> String {
        match self {
            DurationOf::Crossing => "Durée du passage complet".into(),
            DurationOf::Step(kind) => format!("Durée de l'étape « {} »", kind.label()),
            DurationOf::Validation => "Délai de validation des rendez-vous".into(),
            DurationOf::AlertClosing => "Délai de clôture des alertes".into(),
            DurationOf::ExchangeAnswer => "Délai de première réponse aux échanges".into(),
        }
    }

    /// The dossier measure whose histograms hold it, for those the timelines give.
    pub fn measure(self) -> Option<Measure> {
        match self {
            DurationOf::Crossing => Some(Measure::Released),
            DurationOf::Step(kind) => Some(Measure::Step(kind)),
            _ => None,
        }
    }
}

/// Which point of a distribution of durations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Quantile {
    Median,
    P80,
}

impl Quantile {
    pub fn percent(self) -> i64 {
        match self {
            Quantile::Median => 50,
            Quantile::P80 => 80,
        }
    }
}

/// The indicators of the DGITM's statistics: the dashboards' figures, by site, month and goods
/// category. Counts add up (each hidden with secondary suppression); a duration is read from
/// the histogram of its cell and hidden wherever the count of what it is computed from is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatIndicator {
    Opened,
    Released,
    Selected,
    LabUnfavourable,
    DecisionUnfavourable,
    /// Places offered in the rendez-vous slots (the posts' capacity: no operator in it).
    Places,
    /// Rendez-vous booked (asked for, confirmed, moved, honoured or missed), by their slot.
    Booked,
    /// Rendez-vous missed, by their slot.
    NoShows,
    /// Alerts opened.
    Alerts,
    /// Exchanges opened.
    Exchanges,
    Duration(DurationOf, Quantile),
}

impl StatIndicator {
    /// Every indicator, in the order the page offers them.
    pub fn all() -> Vec<StatIndicator> {
        let mut all = vec![
            StatIndicator::Opened,
            StatIndicator::Released,
            StatIndicator::Selected,
            StatIndicator::LabUnfavourable,
            StatIndicator::DecisionUnfavourable,
            StatIndicator::Places,
            StatIndicator::Booked,
            StatIndicator::NoShows,
            StatIndicator::Alerts,
            StatIndicator::Exchanges,
        ];
        for of in DurationOf::all() {
            for quantile in [Quantile::Median, Quantile::P80] {
                all.push(StatIndicator::Duration(of, quantile));
            }
        }
        all
    }

    pub fn code(self) -> String {
        match self {
            StatIndicator::Opened => "ouverts".into(),
            StatIndicator::Released => "liberes".into(),
            StatIndicator::Selected => "controles".into(),
            StatIndicator::LabUnfavourable => "analyses-defavorables".into(),
            StatIndicator::DecisionUnfavourable => "decisions-defavorables".into(),
            StatIndicator::Places => "places-rendez-vous".into(),
            StatIndicator::Booked => "rendez-vous".into(),
            StatIndicator::NoShows => "absences".into(),
            StatIndicator::Alerts => "alertes".into(),
            StatIndicator::Exchanges => "echanges".into(),
            StatIndicator::Duration(of, Quantile::Median) => format!("duree-{}-mediane", of.code()),
            StatIndicator::Duration(of, Quantile::P80) => format!("duree-{}-80", of.code()),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        StatIndicator::all().into_iter().find(|i| i.code() == code)
    }

    pub fn label(self) -> String {
        match self {
            StatIndicator::Opened => "Dossiers ouverts".into(),
            StatIndicator::Released => "Dossiers libérés (bon à enlever)".into(),
            StatIndicator::Selected => {
                "Dossiers sélectionnés pour un contrôle d'identité ou physique".into()
            }
            StatIndicator::LabUnfavourable => "Analyses de laboratoire défavorables".into(),
            StatIndicator::DecisionUnfavourable => "Décisions défavorables sur le DSCE".into(),
            StatIndicator::Places => "Places de rendez-vous offertes".into(),
            StatIndicator::Booked => "Rendez-vous réservés".into(),
            StatIndicator::NoShows => "Rendez-vous non honorés (absences)".into(),
            StatIndicator::Alerts => "Alertes ouvertes".into(),
            StatIndicator::Exchanges => "Échanges ouverts".into(),
            StatIndicator::Duration(of, Quantile::Median) => format!("{} — médiane", of.label()),
            StatIndicator::Duration(of, Quantile::P80) => {
                format!("{} — 80 % en moins de", of.label())
            }
        }
    }

    /// The heading of the page's list it is offered under.
    pub fn group(self) -> &'static str {
        match self {
            StatIndicator::Opened
            | StatIndicator::Released
            | StatIndicator::Selected
            | StatIndicator::LabUnfavourable
            | StatIndicator::DecisionUnfavourable => "Dossiers",
            StatIndicator::Places | StatIndicator::Booked | StatIndicator::NoShows => "Rendez-vous",
            StatIndicator::Alerts | StatIndicator::Exchanges => "Alertes et échanges",
            StatIndicator::Duration(..) => "Durées et délais",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            StatIndicator::Duration(..) => Unit::Minutes,
            _ => Unit::Count,
        }
    }

    /// The `indicator_company.figure` it counts, for the counts of dossiers; for a duration
    /// the timelines give, that of the dossiers it is computed from.
    pub fn figure(self) -> Option<String> {
        match self {
            StatIndicator::Opened => Some(Measure::Opened.code()),
            StatIndicator::Released => Some(Measure::Released.code()),
            StatIndicator::Selected => Some(format!("{}:1", Measure::Checks.code())),
            StatIndicator::LabUnfavourable => Some(format!("{}:1", Measure::Lab.code())),
            StatIndicator::DecisionUnfavourable => Some(format!("{}:1", Measure::Decision.code())),
            StatIndicator::Duration(of, _) => of.measure().map(Measure::code),
            _ => None,
        }
    }
}

/// What the statistics are asked for (`?annee=…&marchandise=…&indicateur=…`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatisticsQuery {
    #[serde(default)]
    pub annee: String,
    #[serde(default)]
    pub marchandise: String,
    #[serde(default)]
    pub indicateur: String,
}

/// The statistics asked for, checked: a year, a goods category or all, an indicator. No other
/// grouping exists, so that no operator can be singled out by combining filters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatisticsFilters {
    pub year: i32,
    pub goods: Option<GoodsCategory>,
    pub indicator: StatIndicator,
}

/// The earliest year the statistics go back to.
pub const FIRST_YEAR: i32 = 2020;

impl StatisticsFilters {
    pub fn parse(query: &StatisticsQuery, today: NaiveDate) -> Result<Self, String> {
        let year = match query.annee.trim() {
            "" => today.year(),
            text => match text.parse::<i32>() {
                Ok(year) if (FIRST_YEAR..=today.year()).contains(&year) => year,
                _ => {
                    return Err(format!(
                        "« {text} » n'est pas une année des statistiques : choisissez entre {FIRST_YEAR} et {}.",
                        today.year()
                    ))
                }
            },
        };
        let goods = match query.marchandise.trim() {
            "" => None,
            code => Some(GoodsCategory::from_code(code).ok_or_else(|| {
                format!("« {code} » n'est pas une catégorie de marchandises connue.")
            })?),
        };
        let indicator = match query.indicateur.trim() {
            "" => StatIndicator::Opened,
            code => StatIndicator::from_code(code)
                .ok_or_else(|| format!("« {code} » n'est pas un indicateur des statistiques."))?,
        };
        if indicator == StatIndicator::Places && goods.is_some() {
            return Err("Les places de rendez-vous ne dépendent pas des marchandises : choisissez « Toutes les marchandises ».".into());
        }
        Ok(StatisticsFilters {
            year,
            goods,
            indicator,
        })
    }

    pub fn query(&self) -> StatisticsQuery {
        StatisticsQuery {
            annee: self.year.to_string(),
            marchandise: self.goods.map(|g| g.code().to_owned()).unwrap_or_default(),
            indicateur: self.indicator.code(),
        }
    }
}

/// A figure of the statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatCell {
    /// A count, or minutes for a duration.
    Figure(i64),
    /// Hidden (« effectif trop faible »): it could single out an operator.
    Hidden,
    /// Nothing to compute it from (a duration without any case).
    Empty,
}

impl StatCell {
    pub fn is_hidden(self) -> bool {
        self == StatCell::Hidden
    }

    pub fn figure(self) -> Option<i64> {
        match self {
            StatCell::Figure(n) => Some(n),
            _ => None,
        }
    }
}

/// One site's row: its name, its months, its year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatRow {
    pub site: String,
    pub months: Vec<StatCell>,
    pub total: StatCell,
}

/// The DGITM's table: sites × the months of a year, with the totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    pub filters: StatisticsFilters,
    pub months: Vec<String>,
    pub rows: Vec<StatRow>,
    pub totals: StatRow,
    /// How many figures are hidden.
    pub hidden: usize,
}

/// How a figure reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    Count,
    Minutes,
    /// Tenths of a percent.
    PerMille,
}

/// One line of a dashboard's tables (and of its export): a figure in the period and the one
/// before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub label: String,
    pub unit: Unit,
    pub current: Option<i64>,
    pub previous: Option<i64>,
}

impl Line {
    fn count(label: &str, figures: Compared) -> Line {
        Line {
            label: label.to_owned(),
            unit: Unit::Count,
            current: Some(figures.current),
            previous: Some(figures.previous),
        }
    }

    fn share(label: &str, part: Compared, whole: Compared) -> Line {
        let per_mille = |part: i64, whole: i64| (whole > 0).then(|| part * 1000 / whole);
        Line {
            label: label.to_owned(),
            unit: Unit::PerMille,
            current: per_mille(part.current, whole.current),
            previous: per_mille(part.previous, whole.previous),
        }
    }

    fn durations(label: &str, figures: [Quantiles; 2]) -> [Line; 2] {
        [
            Line {
                label: format!("{label} — médiane"),
                unit: Unit::Minutes,
                current: figures[0].median,
                previous: figures[1].median,
            },
            Line {
                label: format!("{label} — 80 % en moins de"),
                unit: Unit::Minutes,
                current: figures[0].p80,
                previous: figures[1].p80,
            },
        ]
    }

    /// The change from the previous period, in French, for counts and durations.
    pub fn change(&self) -> String {
        match (self.current, self.previous) {
            (Some(current), Some(previous)) if self.unit != Unit::PerMille => {
                change(current, previous)
            }
            (Some(current), Some(previous)) => {
                let points = current - previous;
                if points == 0 {
                    "=".into()
                } else {
                    let sign = if points > 0 { "+" } else { "−" };
                    format!("{sign}{},{} pt", points.abs() / 10, points.abs() % 10)
                }
            }
            _ => "—".into(),
        }
    }

    /// The figure as a spreadsheet reads it: a number (minutes, percent with a decimal comma)
    /// or nothing.
    pub fn raw(value: Option<i64>, unit: Unit) -> String {
        match (value, unit) {
            (None, _) => String::new(),
            (Some(n), Unit::PerMille) => format!("{},{}", n / 10, n % 10),
            (Some(n), _) => n.to_string(),
        }
    }
}

/// A titled group of lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub lines: Vec<Line>,
}

impl Dashboard {
    /// The dashboard's figures as its tables and its export show them, section by section.
    pub fn sections(&self) -> Vec<Section> {
        let mut durations = Vec::new();
        for line in &self.durations {
            durations.extend(Line::durations(&line.label, [line.current, line.previous]));
        }
        let a = &self.appointments;
        vec![
            Section {
                id: "volumes",
                title: "Volumes de dossiers",
                lines: vec![
                    Line::count("Dossiers ouverts", self.opened),
                    Line::count("Dossiers libérés (bon à enlever)", self.released),
                ],
            },
            Section {
                id: "durees",
                title: "Durées des étapes et du passage",
                lines: durations,
            },
            Section {
                id: "controles",
                title: "Contrôles et résultats",
                lines: vec![
                    Line::count("Dossiers dont la sélection est connue", self.checks.whole),
                    Line::count(
                        "Dossiers sélectionnés pour un contrôle d'identité ou physique",
                        self.checks.part,
                    ),
                    Line::share(
                        "Part des dossiers sélectionnés (%)",
                        self.checks.part,
                        self.checks.whole,
                    ),
                    Line::count("Résultats de laboratoire", self.lab.whole),
                    Line::count("dont défavorables", self.lab.part),
                    Line::count("Décisions sur le DSCE", self.decisions.whole),
                    Line::count("dont défavorables", self.decisions.part),
                ],
            },
            Section {
                id: "rendez-vous",
                title: "Rendez-vous",
                lines: [
                    vec![
                        Line::count("Places offertes (toutes marchandises)", a.places),
                        Line::count("Rendez-vous réservés", a.booked),
                        Line::share("Places occupées (%)", a.booked, a.places),
                        Line::count("Rendez-vous honorés", a.honoured),
                        Line::count("Absences", a.no_shows),
                    ],
                    Line::durations("Délai de validation par le poste", a.validation).to_vec(),
                ]
                .concat(),
            },
            Section {
                id: "alertes",
                title: "Alertes",
                lines: [
                    vec![
                        Line::count("Alertes ouvertes", self.alerts.opened),
                        Line::count("dont closes", self.alerts.done),
                    ],
                    Line::durations("Délai de clôture", self.alerts.delay).to_vec(),
                ]
                .concat(),
            },
            Section {
                id: "echanges",
                title: "Échanges avec les opérateurs",
                lines: [
                    vec![
                        Line::count("Échanges ouverts", self.exchanges.opened),
                        Line::count("dont ayant reçu une réponse", self.exchanges.done),
                    ],
                    Line::durations("Délai de première réponse", self.exchanges.delay).to_vec(),
                ]
                .concat(),
            },
        ]
    }
}

/// A field of a CSV file for French spreadsheet programs (`;` between fields): quoted when it
/// holds a separator, a quote or a line break.
pub fn csv_field(text: &str) -> String {
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// CSV lines (UTF-8 with its byte-order mark, so that spreadsheet programs read the accents).
pub fn csv(rows: &[Vec<String>]) -> String {
    let mut text = String::from("\u{feff}");
    for row in rows {
        let fields: Vec<String> = row.iter().map(|field| csv_field(field)).collect();
        text.push_str(&fields.join(";"));
        text.push_str("\r\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
            .unwrap()
    }

    #[test]
    fn buckets_hold_their_durations() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(4), 0);
        assert_eq!(bucket(5), 1);
        assert_eq!(bucket(44), 5);
        assert_eq!(bucket_range(5), (30, Some(45)));
        assert_eq!(bucket(-3), 0);
        assert_eq!(bucket(100_000), 26);
        assert_eq!(bucket_range(26), (43200, None));
    }

    #[test]
    fn percentiles_interpolate_within_their_bucket() {
        let mut histogram = Histogram::default();
        // Ten durations: four in [30, 45), six in [60, 90).
        histogram.add(bucket(35), 4);
        histogram.add(bucket(70), 6);
        // The median is the 5th: the first of the six in [60, 90): 60 + 30 × 1/6.
        assert_eq!(histogram.percentile(50), Some(65));
        // The 80th percentile is the 8th: the fourth of the six: 60 + 30 × 4/6.
        assert_eq!(histogram.percentile(80), Some(80));
        assert_eq!(Histogram::default().percentile(50), None);
    }

    #[test]
    fn a_released_dossier_counts_its_steps_crossing_checks_and_results() {
        let step = |kind, state, started: Option<DateTime<Utc>>, ended| StepTimes {
            kind,
            state,
            started_at: started,
            ended_at: ended,
        };
        let steps = vec![
            step(
                StepKind::Arrival,
                StepState::Termine,
                Some(at(2, 8, 0)),
                Some(at(2, 9, 0)),
            ),
            step(StepKind::IdentityCheck, StepState::NonRequis, None, None),
            step(
                StepKind::PhysicalCheck,
                StepState::Termine,
                Some(at(2, 10, 0)),
                Some(at(2, 10, 40)),
            ),
            step(
                StepKind::LabAnalysis,
                StepState::NonConforme,
                Some(at(2, 10, 40)),
                Some(at(4, 10, 40)),
            ),
            step(
                StepKind::CustomsClearance,
                StepState::Termine,
                Some(at(4, 11, 0)),
                Some(at(4, 12, 0)),
            ),
        ];
        let counted = contributions(at(1, 23, 30), &steps);
        let find = |measure| counted.iter().find(|c| c.measure == measure).cloned();
        // Opened at 23:30 UTC on the 1st: the 2nd in Paris.
        assert_eq!(
            find(Measure::Opened).unwrap().day,
            NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
        );
        let released = find(Measure::Released).unwrap();
        assert_eq!(released.day, NaiveDate::from_ymd_opt(2026, 11, 4).unwrap());
        // From the arrival (2nd, 8:00) to the release (4th, 12:00): 52 hours.
        assert_eq!(bucket_range(released.bucket), (2880, Some(4320)));
        assert_eq!(find(Measure::Checks).unwrap().bucket, 1);
        assert_eq!(find(Measure::Lab).unwrap().bucket, 1);
        assert_eq!(find(Measure::Decision), None);
        assert_eq!(
            find(Measure::Step(StepKind::PhysicalCheck)).unwrap().bucket,
            bucket(40)
        );
        assert_eq!(find(Measure::Step(StepKind::IdentityCheck)), None);
        for contribution in &counted {
            assert_eq!(
                Measure::from_code(&contribution.measure.code()),
                Some(contribution.measure)
            );
        }
    }

    #[test]
    fn periods_and_their_previous_ones() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let week = Period::holding(PeriodKind::Week, day);
        assert_eq!(week.start, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        assert_eq!(week.end(), NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
        let month = Period::holding(PeriodKind::Month, day);
        assert_eq!(
            month.previous().start,
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
        );
        assert_eq!(
            month.trend(12)[0].start,
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        );
        assert_eq!(month.label(), "décembre 2026");
        let year = Period::holding(PeriodKind::Year, day);
        assert_eq!(year.end(), NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
    }

    #[test]
    fn filters_say_in_french_what_is_wrong() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let query = |periode: &str, date: &str, marchandise: &str| DashboardQuery {
            periode: periode.into(),
            date: date.into(),
            marchandise: marchandise.into(),
            ..DashboardQuery::default()
        };
        assert!(DashboardFilters::parse(&query("trimestre", "", ""), today)
            .unwrap_err()
            .contains("n'est pas une période"));
        assert!(DashboardFilters::parse(&query("", "2027-01-01", ""), today)
            .unwrap_err()
            .contains("futur"));
        assert!(DashboardFilters::parse(&query("", "", "bananes"), today)
            .unwrap_err()
            .contains("catégorie"));
        let filters =
            DashboardFilters::parse(&query("semaine", "02/12/2026", "plants"), today).unwrap();
        assert_eq!(
            filters.period.start,
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(filters.goods, Some(GoodsCategory::Plants));
        assert_eq!(
            DashboardFilters::parse(&filters.query(), today).unwrap(),
            filters
        );
    }

    #[test]
    fn changes_read_as_people_write_them() {
        assert_eq!(change(110, 100), "+10 %");
        assert_eq!(change(90, 100), "−10 %");
        assert_eq!(change(5, 0), "nouveau");
        assert_eq!(change(3, 3), "=");
        let mut minutes = vec![50, 10, 30, 20, 40];
        assert_eq!(
            exact_quantiles(&mut minutes),
            Quantiles {
                cases: 5,
                median: Some(30),
                p80: Some(40)
            }
        );
    }
}
