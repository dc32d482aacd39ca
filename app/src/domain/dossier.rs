//! The dossier: one consignment crossing the border, the unit everything hangs on. Its references,
//! goods, where it crosses, who imports it, and where its journey stands.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::directory::SiteKind;
use super::forecast::Forecast;
use super::journey::{Step, StepKind, StepState, TimelineEvent};
use super::references::{
    AnyReference, Awb, BillOfLading, ChedReference, ContainerNumber, Locode, Mrn, PostCode,
};

/// Goods categories, as the partner interface names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoodsCategory {
    LiveAnimals,
    AnimalProducts,
    Plants,
    Feed,
    FoodNonAnimal,
    FruitVegetables,
    Organic,
}

impl GoodsCategory {
    pub const ALL: [GoodsCategory; 7] = [
        GoodsCategory::LiveAnimals,
        GoodsCategory::AnimalProducts,
        GoodsCategory::Plants,
        GoodsCategory::Feed,
        GoodsCategory::FoodNonAnimal,
        GoodsCategory::FruitVegetables,
        GoodsCategory::Organic,
    ];

    pub fn code(self) -> &'static str {
        match self {
            GoodsCategory::LiveAnimals => "live_animals",
            GoodsCategory::AnimalProducts => "animal_products",
            GoodsCategory::Plants => "plants",
            GoodsCategory::Feed => "feed",
            GoodsCategory::FoodNonAnimal => "food_non_animal",
            GoodsCategory::FruitVegetables => "fruit_vegetables",
            GoodsCategory::Organic => "organic",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        GoodsCategory::ALL
            .into_iter()
            .find(|goods| goods.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            GoodsCategory::LiveAnimals => "Animaux vivants",
            GoodsCategory::AnimalProducts => "Produits d'origine animale",
            GoodsCategory::Plants => "Végétaux et produits végétaux",
            GoodsCategory::Feed => "Aliments pour animaux",
            GoodsCategory::FoodNonAnimal => "Denrées d'origine non animale",
            GoodsCategory::FruitVegetables => "Fruits et légumes (normes de commercialisation)",
            GoodsCategory::Organic => "Produits biologiques",
        }
    }
}

/// Whether the goods enter the internal market here or only pass through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    Import,
    Transit,
}

impl Flow {
    pub fn code(self) -> &'static str {
        match self {
            Flow::Import => "import",
            Flow::Transit => "transit",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "import" => Some(Flow::Import),
            "transit" => Some(Flow::Transit),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Flow::Import => "Importation",
            Flow::Transit => "Transit",
        }
    }
}

/// Where a whole dossier stands, derived from its steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierStatus {
    EnCours,
    Bloque,
    NonConforme,
    Termine,
}

impl DossierStatus {
    pub const ALL: [DossierStatus; 4] = [
        DossierStatus::EnCours,
        DossierStatus::Bloque,
        DossierStatus::NonConforme,
        DossierStatus::Termine,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DossierStatus::EnCours => "en_cours",
            DossierStatus::Bloque => "bloque",
            DossierStatus::NonConforme => "non_conforme",
            DossierStatus::Termine => "termine",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        DossierStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            DossierStatus::EnCours => "En cours",
            DossierStatus::Bloque => "Bloqué",
            DossierStatus::NonConforme => "Non conforme",
            DossierStatus::Termine => "Terminé",
        }
    }

    /// The status of a dossier whose steps stand as given. A non-compliant step outweighs a
    /// blocked one, which outweighs ongoing work; the dossier is done when every step is settled.
    pub fn of_steps(steps: &[Step]) -> Self {
        if steps.iter().any(|s| s.state == StepState::NonConforme) {
            DossierStatus::NonConforme
        } else if steps.iter().any(|s| s.state == StepState::Bloque) {
            DossierStatus::Bloque
        } else if !steps.is_empty() && steps.iter().all(|s| s.state.is_settled()) {
            DossierStatus::Termine
        } else {
            DossierStatus::EnCours
        }
    }
}

/// The step a dossier is at: the first one that is not settled yet.
pub fn current_step(steps: &[Step]) -> Option<StepKind> {
    steps
        .iter()
        .find(|s| !s.state.is_settled())
        .map(|step| step.kind)
}

/// The references a consignment is known by in the systems of record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct References {
    pub container: Option<ContainerNumber>,
    pub awb: Option<Awb>,
    pub bill_of_lading: Option<BillOfLading>,
    pub ched: Option<ChedReference>,
    pub mrn: Option<Mrn>,
}

impl References {
    /// The reference people use first to name the consignment: the container or air waybill.
    pub fn headline(&self) -> String {
        if let Some(container) = &self.container {
            container.to_string()
        } else if let Some(awb) = &self.awb {
            awb.to_string()
        } else if let Some(ched) = &self.ched {
            ched.to_string()
        } else if let Some(bl) = &self.bill_of_lading {
            bl.to_string()
        } else if let Some(mrn) = &self.mrn {
            mrn.to_string()
        } else {
            String::from("—")
        }
    }

    /// The references the consignment has, each with the contract's name (`container`, `awb`,
    /// `bill_of_lading`, `ched`, `mrn`) and what people read, in the order pages show them.
    pub fn named(&self) -> Vec<(&'static str, &'static str, String)> {
        [
            (
                "container",
                "Conteneur",
                self.container.as_ref().map(ToString::to_string),
            ),
            (
                "awb",
                "Lettre de transport aérien (LTA)",
                self.awb.as_ref().map(ToString::to_string),
            ),
            (
                "bill_of_lading",
                "Connaissement",
                self.bill_of_lading.as_ref().map(ToString::to_string),
            ),
            ("ched", "DSCE", self.ched.as_ref().map(ToString::to_string)),
            (
                "mrn",
                "Déclaration en douane (MRN)",
                self.mrn.as_ref().map(ToString::to_string),
            ),
        ]
        .into_iter()
        .filter_map(|(name, label, value)| value.map(|value| (name, label, value)))
        .collect()
    }
}

/// A dossier as lists show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierSummary {
    pub id: i64,
    pub references: References,
    pub goods: GoodsCategory,
    pub goods_description: String,
    pub flow: Flow,
    pub site: Locode,
    pub site_name: String,
    pub site_kind: SiteKind,
    pub post: Option<PostCode>,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub status: DossierStatus,
    pub current_step: Option<StepKind>,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A dossier with its whole timeline, as the dossier page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub summary: DossierSummary,
    pub post_name: Option<String>,
    pub steps: Vec<Step>,
    pub events: Vec<TimelineEvent>,
    /// For each step still to settle, what the durations observed at this post for these goods
    /// say (filled when the dossier is shown).
    #[serde(default)]
    pub forecasts: Vec<(StepKind, Forecast)>,
    /// The same for the release, over every step left.
    #[serde(default)]
    pub release: Option<Forecast>,
    /// What the events say beyond their kind (results, measures) is the administrations' agents'
    /// working material: for others the details are left out and this says so; they read the
    /// history in their words (what happened, when, which step it moved, from which system).
    #[serde(default)]
    pub details_withheld: bool,
    /// The representative a partner event names (partner interface 1.3), as
    /// [`crate::domain::mandate::named_representative`] words it.
    #[serde(default)]
    pub representative: Option<String>,
}

/// How many dossiers a list page shows at most.
pub const PAGE_SIZE: u32 = 25;

/// The orders the dossier list can be read in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DossierSort {
    /// What changed last comes first: the working order of agents and operators.
    #[default]
    RecentlyUpdated,
    /// The consignments that arrived last.
    RecentlyOpened,
    /// The oldest consignments first: those that have waited longest.
    OldestOpened,
}

impl DossierSort {
    pub const ALL: [DossierSort; 3] = [
        DossierSort::RecentlyUpdated,
        DossierSort::RecentlyOpened,
        DossierSort::OldestOpened,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DossierSort::RecentlyUpdated => "mise-a-jour",
            DossierSort::RecentlyOpened => "ouverture-recente",
            DossierSort::OldestOpened => "ouverture-ancienne",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        DossierSort::ALL
            .into_iter()
            .find(|sort| sort.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            DossierSort::RecentlyUpdated => "Dernière mise à jour d'abord",
            DossierSort::RecentlyOpened => "Ouverts le plus récemment d'abord",
            DossierSort::OldestOpened => "Ouverts depuis le plus longtemps d'abord",
        }
    }
}

/// A place in the dossier list: a dossier and the value of the list's order for it (when it
/// was last updated or opened). Pages are read from such a place through the index of the
/// order, never by counting the dossiers before them, so that the thousandth page costs what
/// the first does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    /// As the address writes it: nanoseconds since 1970, `_`, the id.
    pub fn code(&self) -> String {
        format!(
            "{}_{}",
            self.at.timestamp_nanos_opt().unwrap_or_default(),
            self.id
        )
    }

    pub fn from_code(code: &str) -> Option<Cursor> {
        let (nanos, id) = code.split_once('_')?;
        Some(Cursor {
            at: DateTime::from_timestamp_nanos(nanos.parse().ok()?),
            id: id.parse().ok()?,
        })
    }
}

/// Where a page of the list starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageStart {
    #[default]
    First,
    /// The dossiers that come after this one.
    After(Cursor),
    /// The dossiers that come before this one (the previous page).
    Before(Cursor),
}

/// Filters of the dossier list. Every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierQuery {
    /// Any one reference of the consignment (container, air waybill, bill of lading, DSCE, MRN).
    #[serde(default)]
    pub reference: Option<AnyReference>,
    pub site: Option<Locode>,
    #[serde(default)]
    pub post: Option<PostCode>,
    pub status: Option<DossierStatus>,
    /// The step the dossier is at now.
    #[serde(default)]
    pub step: Option<StepKind>,
    pub goods: Option<GoodsCategory>,
    pub flow: Option<Flow>,
    /// Opened on or after this day (Paris time).
    #[serde(default)]
    pub opened_from: Option<NaiveDate>,
    /// Opened on or before this day (Paris time).
    #[serde(default)]
    pub opened_to: Option<NaiveDate>,
    #[serde(default)]
    pub sort: DossierSort,
    #[serde(default)]
    pub start: PageStart,
}

impl DossierQuery {
    /// Whether only the site and the status filter the list (beyond the viewer's scope): its
    /// counts are then kept by the store, exact, rather than counted.
    pub fn counts_are_kept(&self) -> bool {
        let (from, to) = self.opened_between();
        self.reference.is_none()
            && self.goods.is_none()
            && self.flow.is_none()
            && self.post.is_none()
            && self.step.is_none()
            && from.is_none()
            && to.is_none()
    }

    /// What is wrong with the filters taken together, in French, if anything.
    pub fn problem(&self) -> Option<String> {
        match (self.opened_from, self.opened_to) {
            (Some(from), Some(to)) if from > to => Some(format!(
                "la date de début ({}) est postérieure à la date de fin ({})",
                from.format("%d/%m/%Y"),
                to.format("%d/%m/%Y")
            )),
            _ => None,
        }
    }

    /// The opening dates as instants: from the start of the first day to the start of the day
    /// after the last, in Paris time (days of 23 or 25 hours included).
    pub fn opened_between(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        (
            self.opened_from.map(start_of_day_in_paris),
            self.opened_to
                .and_then(|day| day.succ_opt())
                .map(start_of_day_in_paris),
        )
    }
}

/// Midnight of `day` in Paris, as an instant. (Midnight always exists in Paris: the clocks
/// change at 2 or 3 in the morning.)
pub fn start_of_day_in_paris(day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_time(chrono::NaiveTime::MIN);
    chrono_tz::Europe::Paris
        .from_local_datetime(&midnight)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// Beyond this many dossiers, a list under filters the store keeps no count for says « plus de
/// 1 000 » rather than counting them all.
pub const COUNT_LIMIT: i64 = 1000;

/// How many dossiers a list has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Count {
    Exact(i64),
    /// More than this many (`COUNT_LIMIT`).
    MoreThan(i64),
}

/// One page of the dossier list, with the total for the filters, how many dossiers each status
/// has under the other filters, and where the pages around it start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierPage {
    pub dossiers: Vec<DossierSummary>,
    pub total: Count,
    /// For every status, the number of dossiers with the same filters but any status; none
    /// when there are more than `COUNT_LIMIT` under filters the store keeps no count for.
    pub by_status: Vec<(DossierStatus, Option<i64>)>,
    /// The page before this one, when there is one.
    pub previous: Option<PageStart>,
    /// The page after this one, when there is one.
    pub next: Option<PageStart>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(kind: StepKind, state: StepState) -> Step {
        Step {
            kind,
            state,
            started_at: None,
            ended_at: None,
            actor: kind.actor(),
            outcome: None,
            expected_minutes: kind.typical_minutes(),
        }
    }

    #[test]
    fn status_follows_the_worst_step() {
        let mut steps = vec![
            step(StepKind::ChedLodged, StepState::Termine),
            step(StepKind::Arrival, StepState::EnCours),
            step(StepKind::PhysicalCheck, StepState::NonRequis),
        ];
        assert_eq!(DossierStatus::of_steps(&steps), DossierStatus::EnCours);
        assert_eq!(current_step(&steps), Some(StepKind::Arrival));
        steps[1].state = StepState::Bloque;
        assert_eq!(DossierStatus::of_steps(&steps), DossierStatus::Bloque);
        steps[0].state = StepState::NonConforme;
        assert_eq!(DossierStatus::of_steps(&steps), DossierStatus::NonConforme);
        // A non-compliant step is concluded: the journey goes on with the next one.
        steps[1].state = StepState::EnCours;
        assert_eq!(current_step(&steps), Some(StepKind::Arrival));
        steps[1].state = StepState::Termine;
        assert_eq!(current_step(&steps), None);
        assert_eq!(DossierStatus::of_steps(&steps), DossierStatus::NonConforme);
        steps[0].state = StepState::Termine;
        steps[1].state = StepState::Termine;
        assert_eq!(DossierStatus::of_steps(&steps), DossierStatus::Termine);
        assert_eq!(current_step(&steps), None);
    }

    #[test]
    fn a_cursor_reads_back_from_its_code() {
        let cursor = Cursor {
            at: DateTime::from_timestamp_nanos(1_764_700_000_123_456_789),
            id: 4242,
        };
        assert_eq!(Cursor::from_code(&cursor.code()), Some(cursor));
        assert_eq!(Cursor::from_code("12_x"), None);
        assert_eq!(Cursor::from_code("abc"), None);
    }

    #[test]
    fn a_day_of_the_list_is_a_day_in_paris_even_when_the_clocks_change() {
        let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        let utc = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        let query = |from: &str, to: &str| DossierQuery {
            opened_from: Some(day(from)),
            opened_to: Some(day(to)),
            ..DossierQuery::default()
        };
        // The last Sunday of March has 23 hours, that of October 25.
        assert_eq!(
            query("2026-03-29", "2026-03-29").opened_between(),
            (
                Some(utc("2026-03-28T23:00:00Z")),
                Some(utc("2026-03-29T22:00:00Z"))
            )
        );
        assert_eq!(
            query("2026-10-25", "2026-10-25").opened_between(),
            (
                Some(utc("2026-10-24T22:00:00Z")),
                Some(utc("2026-10-25T23:00:00Z"))
            )
        );
        assert_eq!(query("2026-11-26", "2026-11-26").problem(), None);
        assert_eq!(
            query("2026-11-27", "2026-11-26").problem().as_deref(),
            Some("la date de début (27/11/2026) est postérieure à la date de fin (26/11/2026)")
        );
    }
}
