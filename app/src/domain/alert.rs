//! Alerts: anomalies and bottlenecks of the border crossing, detected against thresholds the
//! heads of service set (`alert_threshold`, with national defaults), and brought to the agents of
//! the administration that answers for them (`step_responsibility`). Each rule turns what the
//! store reads into *conditions* — what holds now, keyed so that one condition is one alert — and
//! [`transition`] says what becomes of an alert given whether its condition holds: opened once,
//! kept while it holds, closed only once it has cleared for a while or by a margin (so that an
//! alert does not flap around its threshold), opened again if it returns.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::appointment::{public_holiday, Opening};
use super::journey::{EventKind, StepKind};
use super::timeline::Fact;

/// A rule of detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rule {
    /// A step under way longer than a duration, or than a multiple of the post's observed 80th
    /// percentile for it.
    EtapeLongue,
    /// More dossiers than a number waiting at one step of a post.
    Engorgement,
    /// Selected for a check, and no appointment booked after a duration.
    RendezVousNonPris,
    /// A laboratory result awaited beyond a duration.
    AnalyseEnAttente,
    /// An unfavourable decision without its follow-up after a duration.
    SuiteDefavorable,
    /// Events out of the journey's order: a release before the decision, a check after the exit.
    OrdreAnormal,
    /// A partner source silent at a site for longer than usual while a post of it is open.
    SourceSilencieuse,
    /// A partner event whose references name two dossiers of its site, or a dossier of another
    /// site: recorded against the first, never merged behind the agents' backs.
    Rapprochement,
    /// A partner event sending goods to a post whose recorded approvals do not include them:
    /// recorded all the same (the partner systems are authoritative).
    PosteNonAgree,
}

impl Rule {
    pub const ALL: [Rule; 9] = [
        Rule::EtapeLongue,
        Rule::Engorgement,
        Rule::RendezVousNonPris,
        Rule::AnalyseEnAttente,
        Rule::SuiteDefavorable,
        Rule::OrdreAnormal,
        Rule::SourceSilencieuse,
        Rule::Rapprochement,
        Rule::PosteNonAgree,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::EtapeLongue => "etape_longue",
            Rule::Engorgement => "engorgement",
            Rule::RendezVousNonPris => "rendez_vous_non_pris",
            Rule::AnalyseEnAttente => "analyse_en_attente",
            Rule::SuiteDefavorable => "suite_defavorable",
            Rule::OrdreAnormal => "ordre_anormal",
            Rule::SourceSilencieuse => "source_silencieuse",
            Rule::Rapprochement => "rapprochement",
            Rule::PosteNonAgree => "poste_non_agree",
        }
    }

    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.code() == code)
    }

    /// As people read it on the desk and in the filters.
    pub fn label(self) -> &'static str {
        match self {
            Rule::EtapeLongue => "Étape trop longue",
            Rule::Engorgement => "Engorgement d'une étape",
            Rule::RendezVousNonPris => "Contrôle sans rendez-vous",
            Rule::AnalyseEnAttente => "Résultat d'analyse attendu",
            Rule::SuiteDefavorable => "Décision défavorable sans suite",
            Rule::OrdreAnormal => "Événements hors de l'ordre du parcours",
            Rule::SourceSilencieuse => "Système partenaire silencieux",
            Rule::Rapprochement => "Références de plusieurs dossiers",
            Rule::PosteNonAgree => "Poste non agréé pour la marchandise",
        }
    }

    /// The kind of notification that tells it (see migration 0023).
    pub fn notification_kind(self) -> &'static str {
        match self {
            Rule::EtapeLongue => "alerte_etape_longue",
            Rule::Engorgement => "alerte_engorgement",
            Rule::RendezVousNonPris => "alerte_rendez_vous_non_pris",
            Rule::AnalyseEnAttente => "alerte_analyse_en_attente",
            Rule::SuiteDefavorable => "alerte_suite_defavorable",
            Rule::OrdreAnormal => "alerte_ordre_anormal",
            Rule::SourceSilencieuse => "alerte_source_silencieuse",
            Rule::Rapprochement => "alerte_rapprochement",
            Rule::PosteNonAgree => "alerte_poste_non_agree",
        }
    }

    /// Whether its alerts follow a condition an evaluation reads again, and so close by
    /// themselves once it clears. The correlation alerts tell of one partner event: they stay
    /// until an agent closes them with what they found.
    pub fn evaluated(self) -> bool {
        !matches!(self, Rule::Rapprochement | Rule::PosteNonAgree)
    }

    /// Whether the clock evaluates it; the order of events is looked at when they arrive only.
    pub fn on_clock(self) -> bool {
        self.evaluated() && self != Rule::OrdreAnormal
    }

    /// Whether it is about a place (a post's queue, a site's partner source) rather than a
    /// dossier: the clock looks at all of these at every tick.
    pub fn of_places(self) -> bool {
        matches!(self, Rule::Engorgement | Rule::SourceSilencieuse)
    }
}

/// The settings of the rules, as `alert_threshold` and `alert_default` name them, and their
/// units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Setting {
    /// Minutes, per step.
    EtapeLongue,
    /// A percentage of the observed 80th percentile.
    EtapeLongueP80,
    /// A number of dossiers.
    Engorgement,
    /// Minutes.
    RendezVousNonPris,
    AnalyseEnAttente,
    SuiteDefavorable,
    /// 1 (on) or 0 (off).
    OrdreAnormal,
    /// Minutes.
    SourceSilencieuse,
}

/// What a setting's value counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    Minutes,
    Percent,
    Dossiers,
    OnOff,
}

impl Setting {
    pub const ALL: [Setting; 8] = [
        Setting::EtapeLongue,
        Setting::EtapeLongueP80,
        Setting::Engorgement,
        Setting::RendezVousNonPris,
        Setting::AnalyseEnAttente,
        Setting::SuiteDefavorable,
        Setting::OrdreAnormal,
        Setting::SourceSilencieuse,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Setting::EtapeLongue => "etape_longue",
            Setting::EtapeLongueP80 => "etape_longue_p80",
            Setting::Engorgement => "engorgement",
            Setting::RendezVousNonPris => "rendez_vous_non_pris",
            Setting::AnalyseEnAttente => "analyse_en_attente",
            Setting::SuiteDefavorable => "suite_defavorable",
            Setting::OrdreAnormal => "ordre_anormal",
            Setting::SourceSilencieuse => "source_silencieuse",
        }
    }

    pub fn from_code(code: &str) -> Option<Setting> {
        Setting::ALL
            .into_iter()
            .find(|setting| setting.code() == code)
    }

    pub fn unit(self) -> Unit {
        match self {
            Setting::EtapeLongueP80 => Unit::Percent,
            Setting::Engorgement => Unit::Dossiers,
            Setting::OrdreAnormal => Unit::OnOff,
            _ => Unit::Minutes,
        }
    }

    /// The rule it sets.
    pub fn rule(self) -> Rule {
        match self {
            Setting::EtapeLongue | Setting::EtapeLongueP80 => Rule::EtapeLongue,
            Setting::Engorgement => Rule::Engorgement,
            Setting::RendezVousNonPris => Rule::RendezVousNonPris,
            Setting::AnalyseEnAttente => Rule::AnalyseEnAttente,
            Setting::SuiteDefavorable => Rule::SuiteDefavorable,
            Setting::OrdreAnormal => Rule::OrdreAnormal,
            Setting::SourceSilencieuse => Rule::SourceSilencieuse,
        }
    }
}

/// A setting as heads of service read it.
pub fn setting_label(setting: Setting) -> &'static str {
    match setting {
        Setting::EtapeLongue => "Étape trop longue : durée",
        Setting::EtapeLongueP80 => "Étape trop longue : part du 80e centile observé au poste",
        Setting::Engorgement => "Engorgement : dossiers en attente à une étape",
        Setting::RendezVousNonPris => "Contrôle sans rendez-vous : délai après la sélection",
        Setting::AnalyseEnAttente => "Résultat d'analyse attendu : délai",
        Setting::SuiteDefavorable => "Décision défavorable sans suite : délai",
        Setting::OrdreAnormal => "Événements hors de l'ordre du parcours",
        Setting::SourceSilencieuse => {
            "Système partenaire silencieux : durée (aux heures d'ouverture)"
        }
    }
}

/// A value in its setting's unit, as people read it.
pub fn value_label(setting: Setting, value: i64) -> String {
    match setting.unit() {
        Unit::Minutes => crate::ui::format::duration_minutes(value),
        Unit::Percent => format!("{value} %"),
        Unit::Dossiers => match value {
            0 | 1 => format!("{value} dossier"),
            _ => format!("{value} dossiers"),
        },
        Unit::OnOff => if value == 0 {
            "désactivée"
        } else {
            "activée"
        }
        .to_owned(),
    }
}

/// The bounds of a setting's value, as its unit allows: minutes up to 90 days, a percentage
/// from 100 % to 1 000 %, up to 10 000 dossiers, 0 or 1.
pub fn value_bounds(setting: Setting) -> std::ops::RangeInclusive<i64> {
    match setting.unit() {
        Unit::Minutes => 1..=90 * 24 * 60,
        Unit::Percent => 100..=1000,
        Unit::Dossiers => 1..=10_000,
        Unit::OnOff => 0..=1,
    }
}

/// Who answers for a step, or is told of an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Responsible {
    /// The inspection (DGAL/SIVEP): its agents habilitated on the site, and its heads of service.
    Dgal,
    /// Customs (DGDDI): likewise.
    Dgddi,
    /// The heads of service of the post, of both administrations.
    Chefs,
}

impl Responsible {
    pub const ALL: [Responsible; 3] = [Responsible::Dgal, Responsible::Dgddi, Responsible::Chefs];

    pub fn code(self) -> &'static str {
        match self {
            Responsible::Dgal => "dgal",
            Responsible::Dgddi => "dgddi",
            Responsible::Chefs => "chefs",
        }
    }

    pub fn from_code(code: &str) -> Option<Responsible> {
        Responsible::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Responsible::Dgal => "Inspection (DGAL/SIVEP)",
            Responsible::Dgddi => "Douane (DGDDI)",
            Responsible::Chefs => "Chefs de service du poste",
        }
    }
}

/// Where an alert stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AlertState {
    /// Open, nobody has taken it yet.
    Ouverte,
    /// Taken by an agent.
    Prise,
    /// Closed, by an agent with a note or automatically.
    Close,
}

impl AlertState {
    pub const ALL: [AlertState; 3] = [AlertState::Ouverte, AlertState::Prise, AlertState::Close];

    pub fn code(self) -> &'static str {
        match self {
            AlertState::Ouverte => "ouverte",
            AlertState::Prise => "prise",
            AlertState::Close => "close",
        }
    }

    pub fn from_code(code: &str) -> Option<AlertState> {
        AlertState::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            AlertState::Ouverte => "Ouverte",
            AlertState::Prise => "Prise en charge",
            AlertState::Close => "Close",
        }
    }
}

/// How long a condition must have cleared before its alert closes by itself.
pub const CLEAR_AFTER_MINUTES: i64 = 10;
/// A bottleneck's alert stays open until the dossiers waiting fall to this percentage of the
/// threshold (or below).
pub const BOTTLENECK_CLEARS_AT_PERCENT: i64 = 80;
/// Intervals of a source longer than this are not counted in its usual interval (nights,
/// week-ends).
pub const USUAL_GAP_CAP_SECONDS: i64 = 12 * 3600;
/// A source is silent once it has been for this many times its usual interval (and for the
/// threshold).
pub const SILENCE_TIMES_USUAL: i64 = 3;
/// The most alerts opened by one evaluation: the rest open at the next (after a long stop, or
/// when thresholds are lowered a lot, the agents are not flooded in one minute).
pub const MOST_OPENED_AT_ONCE: usize = 500;

/// The clock evaluates everything again at least this often, whatever changed (see
/// `Store::evaluate_alerts`).
pub const SWEEP_AT_LEAST_EVERY_HOURS: i64 = 24;

/// One row of a post's thresholds: goods category or '*', step or '*', value.
type ThresholdRow = (String, String, i64);

/// The thresholds in force: each post's rows, and the national defaults for what has no post.
#[derive(Clone, Debug, Default)]
pub struct Thresholds {
    /// (post, setting) → rows (goods category or '*', step or '*', value).
    posts: HashMap<(String, Setting), Vec<ThresholdRow>>,
    /// (setting, step or '*') → value.
    defaults: HashMap<(Setting, String), i64>,
}

impl Thresholds {
    /// From `alert_threshold` rows (post, setting, goods, step, value) and `alert_default` rows
    /// (setting, step, value); rows of an unknown setting are left aside.
    pub fn new(
        rows: impl IntoIterator<Item = (String, String, String, String, i64)>,
        defaults: impl IntoIterator<Item = (String, String, i64)>,
    ) -> Thresholds {
        let mut thresholds = Thresholds::default();
        for (post, setting, goods, step, value) in rows {
            if let Some(setting) = Setting::from_code(&setting) {
                thresholds
                    .posts
                    .entry((post, setting))
                    .or_default()
                    .push((goods, step, value));
            }
        }
        for (setting, step, value) in defaults {
            if let Some(setting) = Setting::from_code(&setting) {
                thresholds.defaults.insert((setting, step), value);
            }
        }
        thresholds
    }

    /// The value of `setting` for a dossier of `goods` at `step` of `post` (none: the national
    /// default): the most precise row wins; `None` when nothing sets it (the rule is off there).
    pub fn value(
        &self,
        setting: Setting,
        post: Option<&str>,
        goods: &str,
        step: Option<&str>,
    ) -> Option<i64> {
        let step = step.unwrap_or("*");
        if let Some(rows) = post.and_then(|post| self.posts.get(&(post.to_owned(), setting))) {
            let precision = |(g, s): (&str, &str)| match (g == goods, s == step) {
                (true, true) => 3,
                (false, true) => 2,
                (true, false) => 1,
                (false, false) => 0,
            };
            return rows
                .iter()
                .filter(|(g, s, _)| (g == goods || g == "*") && (s == step || s == "*"))
                .max_by_key(|(g, s, _)| precision((g, s)))
                .map(|(_, _, value)| *value);
        }
        self.defaults
            .get(&(setting, step.to_owned()))
            .or_else(|| self.defaults.get(&(setting, "*".to_owned())))
            .copied()
    }
}

/// Who answers for each step: each post's rows, and the defaults for dossiers without a post.
#[derive(Clone, Debug, Default)]
pub struct Responsibilities {
    rows: HashMap<(String, String, String), Responsible>,
    defaults: HashMap<String, Responsible>,
}

impl Responsibilities {
    /// From `step_responsibility` rows (post, goods, step, responsible) and
    /// `step_responsibility_default` rows (step, responsible).
    pub fn new(
        rows: impl IntoIterator<Item = (String, String, String, String)>,
        defaults: impl IntoIterator<Item = (String, String)>,
    ) -> Responsibilities {
        Responsibilities {
            rows: rows
                .into_iter()
                .filter_map(|(post, goods, step, who)| {
                    Responsible::from_code(&who).map(|who| ((post, goods, step), who))
                })
                .collect(),
            defaults: defaults
                .into_iter()
                .filter_map(|(step, who)| Responsible::from_code(&who).map(|who| (step, who)))
                .collect(),
        }
    }

    /// Who answers for `step` of a dossier of `goods` at `post`.
    pub fn of(&self, post: Option<&str>, goods: &str, step: &str) -> Responsible {
        post.and_then(|post| {
            self.rows
                .get(&(post.to_owned(), goods.to_owned(), step.to_owned()))
                .copied()
        })
        .or_else(|| self.defaults.get(step).copied())
        .unwrap_or(Responsible::Chefs)
    }

    /// Who answers for `step` at `post` whatever the goods: the administration every category
    /// names, or the heads of service when they differ.
    pub fn of_step(&self, post: &str, step: &str) -> Responsible {
        let mut named = self
            .rows
            .iter()
            .filter(|((p, _, s), _)| p == post && s == step)
            .map(|(_, who)| *who);
        match named.next() {
            Some(first) if named.all(|who| who == first) => first,
            Some(_) => Responsible::Chefs,
            None => self
                .defaults
                .get(step)
                .copied()
                .unwrap_or(Responsible::Chefs),
        }
    }
}

/// What one alert is about, beyond its rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub site: String,
    pub site_name: String,
    pub post: Option<String>,
    pub dossier_id: Option<i64>,
    /// The dossier's reference as people read it.
    pub reference: Option<String>,
    pub goods: Option<String>,
    pub step: Option<StepKind>,
    pub source: Option<String>,
}

/// A condition that holds now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub rule: Rule,
    /// One condition, one alert: the rule and what it is about.
    pub key: String,
    pub subject: Subject,
    pub responsible: Responsible,
    /// What holds, in French, in words that do not change from one minute to the next.
    pub detail: String,
    /// The alert's subject line, in French.
    pub headline: String,
    /// Whether it is beyond the threshold; a condition within the margin (a bottleneck that
    /// eased a little) keeps an alert open but opens none.
    pub opens: bool,
}

/// A step under way, as the rules on durations read it.
#[derive(Clone, Debug)]
pub struct UnderWay {
    pub dossier_id: i64,
    pub reference: String,
    pub site: String,
    pub site_name: String,
    pub post: Option<String>,
    pub goods: String,
    pub step: StepKind,
    pub started_at: DateTime<Utc>,
    /// The observed 80th percentile of the step at the dossier's place, when known.
    pub p80_minutes: Option<i64>,
}

fn minutes_text(minutes: i64) -> String {
    crate::ui::format::duration_minutes(minutes)
}

fn since_text(at: DateTime<Utc>) -> String {
    crate::ui::format::date_time(at)
}

/// The rule on durations that applies to a step under way, and its limit in minutes (`None`:
/// the rule is off there). Its condition holds once more minutes than the limit have elapsed.
fn duration_limit(step: &UnderWay, thresholds: &Thresholds) -> Option<(Rule, i64)> {
    duration_limit_at(
        step.post.as_deref(),
        &step.goods,
        step.step,
        step.p80_minutes,
        thresholds,
    )
}

/// [`duration_limit`] for `step` of a dossier of `goods` at `post` (none: the national
/// defaults), given the step's observed 80th percentile there.
pub fn duration_limit_at(
    post: Option<&str>,
    goods: &str,
    step: StepKind,
    p80_minutes: Option<i64>,
    thresholds: &Thresholds,
) -> Option<(Rule, i64)> {
    let code = step.code();
    let (rule, limit) = match step {
        StepKind::LabAnalysis => (
            Rule::AnalyseEnAttente,
            thresholds.value(Setting::AnalyseEnAttente, post, goods, Some(code)),
        ),
        StepKind::FollowUp => (
            Rule::SuiteDefavorable,
            thresholds.value(Setting::SuiteDefavorable, post, goods, Some(code)),
        ),
        _ => {
            let fixed = thresholds.value(Setting::EtapeLongue, post, goods, Some(code));
            let relative = p80_minutes.filter(|p80| *p80 > 0).and_then(|p80| {
                thresholds
                    .value(Setting::EtapeLongueP80, post, goods, Some(code))
                    .filter(|percent| *percent > 0)
                    .map(|percent| p80 * percent / 100)
            });
            let limit = match (fixed, relative) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            (Rule::EtapeLongue, limit)
        }
    };
    limit.map(|limit| (rule, limit))
}

/// When a condition that started at `since` with a limit of `limit` minutes starts to hold:
/// once more whole minutes than the limit have elapsed (`None`: beyond any date).
fn crossing(since: DateTime<Utc>, limit: i64) -> Option<DateTime<Utc>> {
    since.checked_add_signed(Duration::try_minutes(limit.saturating_add(1))?)
}

/// The conditions of the rules on durations (a step too long, an analysis awaited, a follow-up
/// missing) among the steps under way.
pub fn duration_conditions(
    steps: &[UnderWay],
    thresholds: &Thresholds,
    responsibilities: &Responsibilities,
    now: DateTime<Utc>,
) -> Vec<Condition> {
    let mut conditions = Vec::new();
    for step in steps {
        let post = step.post.as_deref();
        let code = step.step.code();
        let Some((rule, limit)) = duration_limit(step, thresholds) else {
            continue;
        };
        if crossing(step.started_at, limit).is_none_or(|at| now < at) {
            continue;
        }
        let (headline, detail) = match rule {
            Rule::AnalyseEnAttente => (
                format!("{} : résultat d'analyse attendu", step.reference),
                format!(
                    "Le résultat de laboratoire de {} est attendu depuis le {} (seuil : {}).",
                    step.reference,
                    since_text(step.started_at),
                    minutes_text(limit)
                ),
            ),
            Rule::SuiteDefavorable => (
                format!("{} : décision défavorable sans suite", step.reference),
                format!(
                    "La décision défavorable sur {} date du {} et ses suites ne sont pas réalisées (seuil : {}).",
                    step.reference,
                    since_text(step.started_at),
                    minutes_text(limit)
                ),
            ),
            _ => (
                format!("{} : {} trop long", step.reference, lowercase(step.step.label())),
                format!(
                    "L'étape « {} » de {} est en cours depuis le {} (seuil : {}).",
                    step.step.label(),
                    step.reference,
                    since_text(step.started_at),
                    minutes_text(limit)
                ),
            ),
        };
        conditions.push(Condition {
            rule,
            key: format!("{}:{}:{}", rule.code(), step.dossier_id, code),
            subject: Subject {
                site: step.site.clone(),
                site_name: step.site_name.clone(),
                post: step.post.clone(),
                dossier_id: Some(step.dossier_id),
                reference: Some(step.reference.clone()),
                goods: Some(step.goods.clone()),
                step: Some(step.step),
                source: None,
            },
            responsible: responsibilities.of(post, &step.goods, code),
            detail,
            headline,
            opens: true,
        });
    }
    conditions
}

fn lowercase(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A check selected and not booked, as the rule on appointments reads it.
#[derive(Clone, Debug)]
pub struct AwaitedCheck {
    pub dossier_id: i64,
    pub reference: String,
    pub site: String,
    pub site_name: String,
    pub post: Option<String>,
    pub goods: String,
    pub step: StepKind,
    /// When the selection was received.
    pub selected_at: DateTime<Utc>,
}

/// How long, in minutes, a check may stay without an appointment (`None`: the rule is off).
fn appointment_limit(check: &AwaitedCheck, thresholds: &Thresholds) -> Option<i64> {
    thresholds.value(
        Setting::RendezVousNonPris,
        check.post.as_deref(),
        &check.goods,
        Some(check.step.code()),
    )
}

/// When the clock must evaluate each dossier of `steps` and `checks` again: the next time,
/// after `now`, one of its steps crosses the limit of its rule on durations, or one of its
/// checks stays without an appointment beyond its limit. Until then time alone changes none of
/// its conditions; a dossier with nothing ahead is absent.
pub fn next_due(
    steps: &[UnderWay],
    checks: &[AwaitedCheck],
    thresholds: &Thresholds,
    now: DateTime<Utc>,
) -> HashMap<i64, DateTime<Utc>> {
    let steps = steps.iter().filter_map(|step| {
        let (_, limit) = duration_limit(step, thresholds)?;
        Some((step.dossier_id, crossing(step.started_at, limit)?))
    });
    let checks = checks.iter().filter_map(|check| {
        let limit = appointment_limit(check, thresholds)?;
        Some((check.dossier_id, crossing(check.selected_at, limit)?))
    });
    let mut due: HashMap<i64, DateTime<Utc>> = HashMap::new();
    for (dossier, at) in steps.chain(checks).filter(|(_, at)| *at > now) {
        due.entry(dossier)
            .and_modify(|due| *due = (*due).min(at))
            .or_insert(at);
    }
    due
}

/// The checks selected and still without an appointment beyond the threshold.
pub fn appointment_conditions(
    checks: &[AwaitedCheck],
    thresholds: &Thresholds,
    responsibilities: &Responsibilities,
    now: DateTime<Utc>,
) -> Vec<Condition> {
    let rule = Rule::RendezVousNonPris;
    checks
        .iter()
        .filter_map(|check| {
            let post = check.post.as_deref();
            let code = check.step.code();
            let limit = appointment_limit(check, thresholds)?;
            if crossing(check.selected_at, limit).is_none_or(|at| now < at) {
                return None;
            }
            Some(Condition {
                rule,
                key: format!("{}:{}:{}", rule.code(), check.dossier_id, code),
                subject: Subject {
                    site: check.site.clone(),
                    site_name: check.site_name.clone(),
                    post: check.post.clone(),
                    dossier_id: Some(check.dossier_id),
                    reference: Some(check.reference.clone()),
                    goods: Some(check.goods.clone()),
                    step: Some(check.step),
                    source: None,
                },
                responsible: responsibilities.of(post, &check.goods, code),
                headline: format!(
                    "{} : {} sans rendez-vous",
                    check.reference,
                    lowercase(check.step.label())
                ),
                detail: format!(
                    "{} a été sélectionné pour le {} le {} et aucun rendez-vous n'est pris (seuil : {}).",
                    check.reference,
                    lowercase(check.step.label()),
                    since_text(check.selected_at),
                    minutes_text(limit)
                ),
                opens: true,
            })
        })
        .collect()
}

/// How many dossiers wait at one step of one post.
#[derive(Clone, Debug)]
pub struct Waiting {
    pub site: String,
    pub site_name: String,
    pub post: String,
    pub post_name: String,
    pub step: StepKind,
    pub dossiers: i64,
}

/// The steps of posts where more dossiers wait than the threshold (or, for an alert already
/// open, more than its clearing margin).
pub fn bottleneck_conditions(
    waiting: &[Waiting],
    thresholds: &Thresholds,
    responsibilities: &Responsibilities,
) -> Vec<Condition> {
    let rule = Rule::Engorgement;
    waiting
        .iter()
        .filter_map(|at| {
            let code = at.step.code();
            let limit = thresholds.value(Setting::Engorgement, Some(&at.post), "*", Some(code))?;
            let margin = limit * BOTTLENECK_CLEARS_AT_PERCENT / 100;
            if at.dossiers <= margin {
                return None;
            }
            Some(Condition {
                rule,
                key: format!("{}:{}:{}", rule.code(), at.post, code),
                subject: Subject {
                    site: at.site.clone(),
                    site_name: at.site_name.clone(),
                    post: Some(at.post.clone()),
                    dossier_id: None,
                    reference: None,
                    goods: None,
                    step: Some(at.step),
                    source: None,
                },
                responsible: responsibilities.of_step(&at.post, code),
                headline: format!(
                    "engorgement de l'étape « {} » au poste {}",
                    at.step.label(),
                    at.post
                ),
                detail: format!(
                    "{} dossiers attendent à l'étape « {} » du poste {} ({}) : le seuil est de {} ; l'alerte se ferme d'elle-même sous {} dossiers.",
                    at.dossiers,
                    at.step.label(),
                    at.post_name,
                    at.post,
                    limit,
                    margin + 1
                ),
                opens: at.dossiers > limit,
            })
        })
        .collect()
}

/// A partner source's activity at a site.
#[derive(Clone, Debug)]
pub struct Activity {
    pub site: String,
    pub site_name: String,
    /// The source's code, and its label.
    pub source: String,
    pub source_label: String,
    pub last_received_at: DateTime<Utc>,
    pub usual_gap_seconds: Option<i64>,
    /// The smallest threshold among the site's posts (minutes), none when the rule is off.
    pub threshold_minutes: Option<i64>,
    /// Whether a post of the site is open now.
    pub open_now: bool,
}

/// The sources silent longer than usual at a site while a post of it is open. A source whose
/// usual interval is not known yet (fewer than two events since it was first watched) is not.
pub fn silence_conditions(activity: &[Activity], now: DateTime<Utc>) -> Vec<Condition> {
    let rule = Rule::SourceSilencieuse;
    activity
        .iter()
        .filter_map(|source| {
            let threshold = source.threshold_minutes?;
            let usual = source.usual_gap_seconds?;
            let limit = Duration::minutes(threshold)
                .max(Duration::seconds(usual.saturating_mul(SILENCE_TIMES_USUAL)));
            if !source.open_now || now - source.last_received_at <= limit {
                return None;
            }
            Some(Condition {
                rule,
                key: format!("{}:{}:{}", rule.code(), source.site, source.source),
                subject: Subject {
                    site: source.site.clone(),
                    site_name: source.site_name.clone(),
                    post: None,
                    dossier_id: None,
                    reference: None,
                    goods: None,
                    step: None,
                    source: Some(source.source.clone()),
                },
                responsible: Responsible::Chefs,
                headline: format!("{} silencieux", source.source_label),
                detail: format!(
                    "{} n'a rien transmis pour {} depuis le {}, alors qu'il transmet d'habitude toutes les {} (seuil : {}).",
                    source.source_label,
                    source.site_name,
                    since_text(source.last_received_at),
                    minutes_text((usual / 60).max(1)),
                    minutes_text(limit.num_minutes())
                ),
                opens: true,
            })
        })
        .collect()
}

/// The opening hours of a site whose posts have no calendar: Monday to Friday, 8 h to 18 h.
pub const DEFAULT_OPENING: (u32, u32) = (8, 18);

/// Whether a site is open at `at`: one of its posts' calendars (openings in Paris time; public
/// holidays only for a post that opens on them) opens then. A site whose posts have no calendar
/// is open on working days (Monday to Friday, not public holidays), 8 h to 18 h.
pub fn site_open(calendars: &[(Vec<Opening>, bool)], at: DateTime<Utc>) -> bool {
    use chrono::{Datelike, Timelike};
    let local = at.with_timezone(&chrono_tz::Europe::Paris);
    let day = local.date_naive();
    let time = local.time();
    let weekday = day.weekday().number_from_monday() as u8;
    let holiday = public_holiday(day).is_some();
    if calendars.is_empty() {
        return weekday <= 5
            && !holiday
            && (DEFAULT_OPENING.0..DEFAULT_OPENING.1).contains(&time.hour());
    }
    calendars.iter().any(|(openings, on_holidays)| {
        (!holiday || *on_holidays)
            && openings.iter().any(|opening| {
                opening.weekday == weekday
                    && opening.opens <= time
                    && (opening.closes == chrono::NaiveTime::MIN || time < opening.closes)
            })
    })
}

/// The usual interval of a source once an event arrives `gap_seconds` after its previous one: a
/// running average (one eighth of each new interval), intervals beyond the cap left aside.
pub fn usual_gap(previous: Option<i64>, gap_seconds: i64) -> Option<i64> {
    if !(0..=USUAL_GAP_CAP_SECONDS).contains(&gap_seconds) {
        return previous;
    }
    Some(match previous {
        None => gap_seconds,
        Some(usual) => (usual * 7 + gap_seconds) / 8,
    })
}

/// What is out of the journey's order among a dossier's events, in French, if anything: a
/// customs release before the decision on the DSCE (or without one), a check after the exit.
pub fn order_anomaly(facts: &[Fact]) -> Option<String> {
    let first = |kind: EventKind| {
        facts
            .iter()
            .filter(|fact| fact.kind == kind)
            .map(|fact| fact.occurred_at)
            .min()
    };
    let mut found = Vec::new();
    if let Some(released) = first(EventKind::CustomsReleased) {
        match first(EventKind::ChedDecision) {
            None => found.push(format!(
                "la mainlevée a été donnée le {} sans décision sur le DSCE",
                since_text(released)
            )),
            Some(decided) if decided > released => found.push(format!(
                "la mainlevée a été donnée le {}, avant la décision sur le DSCE du {}",
                since_text(released),
                since_text(decided)
            )),
            Some(_) => {}
        }
    }
    if let Some(exited) = first(EventKind::Exited) {
        let checks = [
            EventKind::DocumentaryCheckDone,
            EventKind::IdentityCheckDone,
            EventKind::PhysicalCheckDone,
            EventKind::PositionedAtPost,
        ];
        if let Some(check) = facts
            .iter()
            .filter(|fact| checks.contains(&fact.kind) && fact.occurred_at > exited)
            .min_by_key(|fact| fact.occurred_at)
        {
            found.push(format!(
                "« {} » le {}, après la sortie du terminal du {}",
                check.kind.label(),
                since_text(check.occurred_at),
                since_text(exited)
            ));
        }
    }
    if found.is_empty() {
        None
    } else {
        Some(found.join(" ; "))
    }
}

/// The condition of a dossier whose events are out of order.
pub fn order_condition(
    dossier_id: i64,
    reference: &str,
    subject: Subject,
    anomaly: &str,
    responsible: Responsible,
) -> Condition {
    let rule = Rule::OrdreAnormal;
    Condition {
        rule,
        key: format!("{}:{}", rule.code(), dossier_id),
        subject,
        responsible,
        headline: format!("{reference} : événements hors de l'ordre du parcours"),
        detail: format!("Pour {reference}, {anomaly}. Vérifiez les informations reçues des systèmes partenaires."),
        opens: true,
    }
}

/// A partner event put before the agents of one site (see [`Rule::Rapprochement`] and
/// [`Rule::PosteNonAgree`]), in the words they read: what it names of their site only.
#[derive(Clone, Debug)]
pub struct Correlation {
    /// The `correlation_alert` it comes from.
    pub id: i64,
    /// The event, as people read it: « Notification de l'arrivée » de SIVEP (id E-123), le …
    pub event: String,
    /// The dossiers of this site it names, the one the event joined first: (id, reference).
    pub here: Vec<(i64, String)>,
    /// Whether the event was recorded in a dossier of this site (the first of `here`).
    pub recorded_here: bool,
    /// How many dossiers of other sites it names (never which).
    pub elsewhere: usize,
    /// Goods sent to a post not approved for them: the post, the goods and what the post is
    /// approved for, as people read them.
    pub post_not_approved: Option<(String, String, String)>,
}

/// The alert of a partner event at one site.
pub fn correlation_condition(correlation: &Correlation, subject: Subject) -> Option<Condition> {
    let (first_id, first_reference) = correlation.here.first()?;
    let (rule, responsible, headline, detail) = match &correlation.post_not_approved {
        Some((post, goods, approvals)) => (
            Rule::PosteNonAgree,
            // The approvals of border control posts are the veterinary and phytosanitary
            // inspection's.
            Responsible::Dgal,
            format!("{first_reference} : poste {post} non agréé pour « {goods} »"),
            format!(
                "L'événement {} envoie des marchandises « {goods} » au poste {post}, agréé \
                 pour : {approvals}. \
                 L'événement est enregistré : vérifiez l'agrément du poste ou la destination \
                 des marchandises, puis clôturez l'alerte en disant ce que vous avez constaté.",
                correlation.event
            ),
        ),
        None => {
            let mut named: Vec<String> = correlation
                .here
                .iter()
                .map(|(id, reference)| format!("le dossier n° {id} ({reference})"))
                .collect();
            match correlation.elsewhere {
                0 => {}
                1 => named.push("un dossier d'un autre site".to_owned()),
                n => named.push(format!("{n} dossiers d'autres sites")),
            }
            let named = match named.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} et {last}", rest.join(", ")),
                None => String::new(),
            };
            (
                Rule::Rapprochement,
                Responsible::Chefs,
                format!("{first_reference} : références de plusieurs dossiers"),
                format!(
                    "L'événement {} porte des références de {named}. {} ; rien n'a été \
                     fusionné. Examinez les dossiers, puis clôturez l'alerte en disant ce que \
                     vous avez constaté.",
                    correlation.event,
                    if correlation.recorded_here {
                        format!("Il a été enregistré dans le dossier n° {first_id}")
                    } else {
                        "Il a été enregistré dans le dossier de l'autre site, les vôtres n'ont \
                         pas changé"
                            .to_owned()
                    }
                ),
            )
        }
    };
    Some(Condition {
        rule,
        key: format!("{}:{}:{}", rule.code(), correlation.id, subject.site),
        subject,
        responsible,
        headline,
        detail,
        opens: true,
    })
}

/// An alert an evaluation compares with what holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watched {
    pub id: i64,
    pub key: String,
    pub state: AlertState,
    pub cleared_at: Option<DateTime<Utc>>,
    pub detail: String,
}

/// What becomes of an alert, or of a condition without one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transition {
    /// Nothing changes.
    Keep,
    /// The condition holds and no alert watches it: open one (or open again the alert of the
    /// same condition, closed after it cleared).
    Open,
    /// The condition still holds: its words changed (a bottleneck's count).
    Reword,
    /// The condition no longer holds: noted; the alert closes once it has cleared for a while.
    Cleared,
    /// The condition holds again before its alert closed: the alert goes on.
    Returned,
}

/// What to do with `watched` (the alert of a condition, if any evaluation watches one) given
/// `holding` (the condition, if it holds now). Closing an alert whose condition has cleared for
/// long enough is done apart (see [`closes_at`]), for every rule alike.
pub fn transition(watched: Option<&Watched>, holding: Option<&Condition>) -> Transition {
    match (watched, holding) {
        (None, Some(condition)) if condition.opens => Transition::Open,
        (None, _) => Transition::Keep,
        (Some(alert), Some(condition)) => {
            if alert.cleared_at.is_some() {
                if alert.state == AlertState::Close {
                    // Closed by an agent, then cleared: back as a new occurrence.
                    if condition.opens {
                        Transition::Open
                    } else {
                        Transition::Keep
                    }
                } else {
                    Transition::Returned
                }
            } else if alert.state != AlertState::Close && alert.detail != condition.detail {
                Transition::Reword
            } else {
                Transition::Keep
            }
        }
        (Some(alert), None) => {
            if alert.cleared_at.is_none() {
                Transition::Cleared
            } else {
                Transition::Keep
            }
        }
    }
}

/// When an alert whose condition cleared at `cleared_at` closes by itself.
pub fn closes_at(cleared_at: DateTime<Utc>) -> DateTime<Utc> {
    cleared_at + Duration::minutes(CLEAR_AFTER_MINUTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::timeline::FactData;
    use chrono::TimeZone;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, hour, minute, 0).unwrap()
    }

    fn thresholds() -> Thresholds {
        Thresholds::new(
            [
                ("P1", "etape_longue", "*", "documentary_check", 60),
                ("P1", "etape_longue", "plants", "documentary_check", 30),
                ("P1", "etape_longue_p80", "*", "*", 200),
                ("P1", "engorgement", "*", "*", 10),
                ("P1", "engorgement", "*", "physical_check", 5),
            ]
            .map(|(p, r, g, s, v)| (p.into(), r.into(), g.into(), s.into(), v)),
            [
                ("etape_longue", "documentary_check", 90),
                ("engorgement", "*", 20),
            ]
            .map(|(r, s, v)| (r.into(), s.into(), v)),
        )
    }

    #[test]
    fn the_most_precise_threshold_wins() {
        let t = thresholds();
        let doc = Some("documentary_check");
        assert_eq!(
            t.value(Setting::EtapeLongue, Some("P1"), "plants", doc),
            Some(30)
        );
        assert_eq!(
            t.value(Setting::EtapeLongue, Some("P1"), "feed", doc),
            Some(60)
        );
        assert_eq!(
            t.value(Setting::EtapeLongue, Some("P1"), "feed", Some("exit")),
            None
        );
        assert_eq!(t.value(Setting::EtapeLongue, None, "feed", doc), Some(90));
        assert_eq!(
            t.value(
                Setting::Engorgement,
                Some("P1"),
                "*",
                Some("physical_check")
            ),
            Some(5)
        );
        assert_eq!(
            t.value(Setting::Engorgement, Some("P1"), "*", Some("exit")),
            Some(10)
        );
        assert_eq!(
            t.value(Setting::Engorgement, None, "*", Some("exit")),
            Some(20)
        );
    }

    fn under_way(started_at: DateTime<Utc>, p80: Option<i64>) -> UnderWay {
        UnderWay {
            dossier_id: 7,
            reference: "MSCU1234565".into(),
            site: "FRLEH".into(),
            site_name: "Le Havre".into(),
            post: Some("P1".into()),
            goods: "feed".into(),
            step: StepKind::DocumentaryCheck,
            started_at,
            p80_minutes: p80,
        }
    }

    #[test]
    fn a_step_is_too_long_past_its_duration_or_its_multiple_of_the_p80() {
        let t = thresholds();
        let r = Responsibilities::default();
        let step = [under_way(at(10, 0), None)];
        assert!(duration_conditions(&step, &t, &r, at(11, 0)).is_empty());
        let found = duration_conditions(&step, &t, &r, at(11, 1));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "etape_longue:7:documentary_check");
        assert_eq!(found[0].responsible, Responsible::Chefs);
        // Twice a p80 of 20 minutes: 40 minutes.
        let step = [under_way(at(10, 0), Some(20))];
        assert!(duration_conditions(&step, &t, &r, at(10, 40)).is_empty());
        assert_eq!(duration_conditions(&step, &t, &r, at(10, 41)).len(), 1);
        // Its words do not change with time, so the alert is not rewritten every minute.
        assert_eq!(
            duration_conditions(&step, &t, &r, at(10, 41))[0].detail,
            duration_conditions(&step, &t, &r, at(12, 0))[0].detail
        );
    }

    #[test]
    fn a_dossier_is_due_exactly_when_time_alone_makes_a_condition_hold() {
        let rows = [
            ("P1", "etape_longue", "*", "*", 60),
            ("P1", "rendez_vous_non_pris", "*", "*", 45),
        ]
        .map(|(p, r, g, s, v)| (p.into(), r.into(), g.into(), s.into(), v));
        let t = Thresholds::new(rows, Vec::new());
        let r = Responsibilities::default();
        let step = [under_way(at(10, 0), None)];
        let check = AwaitedCheck {
            dossier_id: 7,
            reference: "MSCU1234565".into(),
            site: "FRLEH".into(),
            site_name: "Le Havre".into(),
            post: Some("P1".into()),
            goods: "feed".into(),
            step: StepKind::PhysicalCheck,
            selected_at: at(10, 30),
        };
        // The step's hour ends after the check's 45 minutes: the step is first, at 11:01.
        let due = next_due(&step, std::slice::from_ref(&check), &t, at(10, 0));
        assert_eq!(due.get(&7), Some(&at(11, 1)));
        // To the second, nothing holds before the due time and the step holds from it on.
        for seconds in (0..3 * 3600).step_by(17) {
            let now = at(10, 0) + Duration::seconds(seconds);
            let holds = !duration_conditions(&step, &t, &r, now).is_empty();
            assert_eq!(holds, now >= at(11, 1), "à {now}");
        }
        // Once the step holds, the check is next (11:16), then nothing is ahead.
        let due = next_due(&step, std::slice::from_ref(&check), &t, at(11, 1));
        assert_eq!(due.get(&7), Some(&at(11, 16)));
        assert!(
            appointment_conditions(std::slice::from_ref(&check), &t, &r, at(11, 15)).is_empty()
        );
        assert_eq!(
            appointment_conditions(std::slice::from_ref(&check), &t, &r, at(11, 16)).len(),
            1
        );
        assert!(next_due(&step, &[check], &t, at(11, 16)).is_empty());
        // A p80 of 20 minutes under 200 %: 40 minutes, sooner than the hour.
        let step = [under_way(at(10, 0), Some(20))];
        let t = thresholds();
        assert_eq!(
            next_due(&step, &[], &t, at(10, 0)).get(&7),
            Some(&at(10, 41))
        );
        assert_eq!(
            duration_limit_at(Some("P1"), "feed", StepKind::DocumentaryCheck, Some(20), &t),
            Some((Rule::EtapeLongue, 40))
        );
        assert_eq!(
            duration_limit_at(Some("P1"), "feed", StepKind::DocumentaryCheck, Some(40), &t),
            Some((Rule::EtapeLongue, 60)),
            "the fixed limit is lower: the p80 moving no longer moves it"
        );
    }

    #[test]
    fn a_bottleneck_opens_beyond_its_threshold_and_holds_down_to_its_margin() {
        let t = thresholds();
        let r = Responsibilities::default();
        let waiting = |dossiers| {
            [Waiting {
                site: "FRLEH".into(),
                site_name: "Le Havre".into(),
                post: "P1".into(),
                post_name: "PCF".into(),
                step: StepKind::PhysicalCheck,
                dossiers,
            }]
        };
        let opens = |n| {
            bottleneck_conditions(&waiting(n), &t, &r)
                .first()
                .map(|c| c.opens)
        };
        assert_eq!(opens(6), Some(true));
        assert_eq!(opens(5), Some(false));
        assert_eq!(opens(4), None);
    }

    #[test]
    fn an_alert_does_not_flap() {
        let condition = |opens| Condition {
            rule: Rule::Engorgement,
            key: "engorgement:P1:exit".into(),
            subject: Subject {
                site: "FRLEH".into(),
                site_name: "Le Havre".into(),
                post: Some("P1".into()),
                dossier_id: None,
                reference: None,
                goods: None,
                step: None,
                source: None,
            },
            responsible: Responsible::Chefs,
            detail: "d".into(),
            headline: "h".into(),
            opens,
        };
        let watched = |state, cleared_at| Watched {
            id: 1,
            key: "engorgement:P1:exit".into(),
            state,
            cleared_at,
            detail: "d".into(),
        };
        let (open, closed) = (AlertState::Ouverte, AlertState::Close);
        assert_eq!(transition(None, Some(&condition(true))), Transition::Open);
        assert_eq!(transition(None, Some(&condition(false))), Transition::Keep);
        assert_eq!(transition(None, None), Transition::Keep);
        let alert = watched(open, None);
        assert_eq!(
            transition(Some(&alert), Some(&condition(false))),
            Transition::Keep
        );
        assert_eq!(transition(Some(&alert), None), Transition::Cleared);
        let cleared = watched(open, Some(at(10, 0)));
        assert_eq!(transition(Some(&cleared), None), Transition::Keep);
        assert_eq!(
            transition(Some(&cleared), Some(&condition(false))),
            Transition::Returned
        );
        // Closed by an agent while it holds: stays closed until it clears, then may return.
        let closed_holding = watched(closed, None);
        assert_eq!(
            transition(Some(&closed_holding), Some(&condition(true))),
            Transition::Keep
        );
        assert_eq!(transition(Some(&closed_holding), None), Transition::Cleared);
        let closed_cleared = watched(closed, Some(at(10, 0)));
        assert_eq!(
            transition(Some(&closed_cleared), Some(&condition(true))),
            Transition::Open
        );
        assert_eq!(closes_at(at(10, 0)), at(10, 10));
    }

    #[test]
    fn a_release_before_the_decision_and_a_check_after_the_exit_are_out_of_order() {
        let fact = |kind, hour| Fact {
            kind,
            occurred_at: at(hour, 0),
            data: FactData::None,
        };
        assert_eq!(
            order_anomaly(&[
                fact(EventKind::ChedDecision, 9),
                fact(EventKind::CustomsReleased, 10)
            ]),
            None
        );
        assert!(order_anomaly(&[fact(EventKind::CustomsReleased, 10)]).is_some());
        assert!(order_anomaly(&[
            fact(EventKind::ChedDecision, 11),
            fact(EventKind::CustomsReleased, 10)
        ])
        .is_some());
        assert!(order_anomaly(&[
            fact(EventKind::ChedDecision, 8),
            fact(EventKind::CustomsReleased, 9),
            fact(EventKind::Exited, 10),
            fact(EventKind::PhysicalCheckDone, 11)
        ])
        .unwrap()
        .contains("après la sortie"));
    }

    #[test]
    fn a_source_is_silent_past_its_threshold_and_thrice_its_usual_interval_while_open() {
        let source = |usual, open_now| Activity {
            site: "FRLEH".into(),
            site_name: "Le Havre".into(),
            source: "customs".into(),
            source_label: "Système de dédouanement".into(),
            last_received_at: at(10, 0),
            usual_gap_seconds: usual,
            threshold_minutes: Some(60),
            open_now,
        };
        assert!(silence_conditions(&[source(None, true)], at(15, 0)).is_empty());
        assert!(silence_conditions(&[source(Some(600), true)], at(11, 0)).is_empty());
        assert_eq!(
            silence_conditions(&[source(Some(600), true)], at(11, 1)).len(),
            1
        );
        assert!(silence_conditions(&[source(Some(600), false)], at(11, 1)).is_empty());
        // Usually every 40 minutes: silent past two hours.
        assert!(silence_conditions(&[source(Some(2400), true)], at(12, 0)).is_empty());
        assert_eq!(
            silence_conditions(&[source(Some(2400), true)], at(12, 1)).len(),
            1
        );
        assert_eq!(usual_gap(None, 600), Some(600));
        assert_eq!(usual_gap(Some(600), 1400), Some(700));
        assert_eq!(usual_gap(Some(600), 13 * 3600), Some(600));
    }

    fn site_subject(site: &str, dossier: i64) -> Subject {
        Subject {
            site: site.to_owned(),
            site_name: site.to_owned(),
            post: None,
            dossier_id: Some(dossier),
            reference: None,
            goods: None,
            step: None,
            source: None,
        }
    }

    #[test]
    fn a_correlation_tells_each_site_of_its_own_dossiers_only() {
        let mut correlation = Correlation {
            id: 7,
            event: "« Arrivée » de Guichet portuaire, du 02/12/2026 à 10:00".to_owned(),
            here: vec![
                (12, "MSCU1234565".to_owned()),
                (15, "CHEDP.FR.2026.0000001".to_owned()),
            ],
            recorded_here: true,
            elsewhere: 1,
            post_not_approved: None,
        };
        let here = correlation_condition(&correlation, site_subject("FRLEH", 12)).unwrap();
        assert_eq!(here.rule, Rule::Rapprochement);
        assert_eq!(here.key, "rapprochement:7:FRLEH");
        assert_eq!(here.responsible, Responsible::Chefs);
        assert!(here.opens);
        assert!(
            here.detail.contains(
                "le dossier n° 12 (MSCU1234565), le dossier n° 15 (CHEDP.FR.2026.0000001) et un dossier d'un autre site"
            ),
            "{}",
            here.detail
        );
        assert!(
            here.detail.contains("enregistré dans le dossier n° 12"),
            "{}",
            here.detail
        );

        // The other site: its dossier, and no word of which dossier the event joined.
        correlation.here = vec![(40, "MSCU1234565".to_owned())];
        correlation.recorded_here = false;
        correlation.elsewhere = 2;
        let there = correlation_condition(&correlation, site_subject("FRFOS", 40)).unwrap();
        assert_eq!(there.key, "rapprochement:7:FRFOS");
        assert!(
            there
                .detail
                .contains("le dossier n° 40 (MSCU1234565) et 2 dossiers d'autres sites"),
            "{}",
            there.detail
        );
        assert!(
            !there.detail.contains("n° 12") && !there.detail.contains("n° 15"),
            "{}",
            there.detail
        );

        // No dossier of the site: nothing to tell it.
        correlation.here.clear();
        assert!(correlation_condition(&correlation, site_subject("FRFOS", 40)).is_none());
    }

    #[test]
    fn goods_at_a_post_not_approved_are_the_inspections() {
        let correlation = Correlation {
            id: 9,
            event: "« DSCE déposé » de TRACES, du 02/12/2026 à 10:00".to_owned(),
            here: vec![(3, "57012345675".to_owned())],
            recorded_here: true,
            elsewhere: 0,
            post_not_approved: Some((
                "PCF de Roissy (FRCDG4)".to_owned(),
                "Animaux vivants".to_owned(),
                "Produits d'origine animale".to_owned(),
            )),
        };
        let condition = correlation_condition(&correlation, site_subject("FRCDG", 3)).unwrap();
        assert_eq!(condition.rule, Rule::PosteNonAgree);
        assert_eq!(condition.key, "poste_non_agree:9:FRCDG");
        assert_eq!(condition.responsible, Responsible::Dgal);
        assert_eq!(
            condition.headline,
            "57012345675 : poste PCF de Roissy (FRCDG4) non agréé pour « Animaux vivants »"
        );
        assert!(
            condition
                .detail
                .contains("agréé pour : Produits d'origine animale."),
            "{}",
            condition.detail
        );
        assert!(!Rule::PosteNonAgree.evaluated() && !Rule::PosteNonAgree.on_clock());
        assert!(!Rule::Rapprochement.evaluated() && !Rule::Rapprochement.on_clock());
    }
}
