//! The journey of a consignment through the border: the steps of its timeline, their states, and
//! the events the systems of record report about it (see DOMAIN.md and PARTNER_API.md).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::directory::Administration;

/// One step of the timeline, in the order a consignment usually goes through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    ChedLodged,
    Arrival,
    DocumentaryCheck,
    IdentityCheck,
    PhysicalCheck,
    LabAnalysis,
    Decision,
    CustomsClearance,
    Exit,
    FollowUp,
}

impl StepKind {
    pub const ALL: [StepKind; 10] = [
        StepKind::ChedLodged,
        StepKind::Arrival,
        StepKind::DocumentaryCheck,
        StepKind::IdentityCheck,
        StepKind::PhysicalCheck,
        StepKind::LabAnalysis,
        StepKind::Decision,
        StepKind::CustomsClearance,
        StepKind::Exit,
        StepKind::FollowUp,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StepKind::ChedLodged => "ched_lodged",
            StepKind::Arrival => "arrival",
            StepKind::DocumentaryCheck => "documentary_check",
            StepKind::IdentityCheck => "identity_check",
            StepKind::PhysicalCheck => "physical_check",
            StepKind::LabAnalysis => "lab_analysis",
            StepKind::Decision => "decision",
            StepKind::CustomsClearance => "customs_clearance",
            StepKind::Exit => "exit",
            StepKind::FollowUp => "follow_up",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        StepKind::ALL.into_iter().find(|step| step.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            StepKind::ChedLodged => "Dépôt du DSCE (pré-notification)",
            StepKind::Arrival => "Arrivée et déchargement",
            StepKind::DocumentaryCheck => "Contrôle documentaire",
            StepKind::IdentityCheck => "Contrôle d'identité",
            StepKind::PhysicalCheck => "Contrôle physique",
            StepKind::LabAnalysis => "Analyse de laboratoire",
            StepKind::Decision => "Décision sur le DSCE",
            StepKind::CustomsClearance => "Déclaration en douane et bon à enlever",
            StepKind::Exit => "Sortie du terminal",
            StepKind::FollowUp => "Suites de la non-conformité",
        }
    }

    /// The administration that acts at this step, when it is one of the two.
    pub fn actor(self) -> Option<Administration> {
        match self {
            StepKind::DocumentaryCheck
            | StepKind::IdentityCheck
            | StepKind::PhysicalCheck
            | StepKind::LabAnalysis
            | StepKind::Decision
            | StepKind::FollowUp => Some(Administration::Dgal),
            StepKind::CustomsClearance => Some(Administration::Dgddi),
            StepKind::ChedLodged | StepKind::Arrival | StepKind::Exit => None,
        }
    }

    /// A typical duration, used until enough cases have been observed to forecast from data.
    pub fn typical_minutes(self) -> i32 {
        match self {
            StepKind::ChedLodged => 24 * 60,
            StepKind::Arrival => 6 * 60,
            StepKind::DocumentaryCheck => 4 * 60,
            StepKind::IdentityCheck => 2 * 60,
            StepKind::PhysicalCheck => 3 * 60,
            StepKind::LabAnalysis => 3 * 24 * 60,
            StepKind::Decision => 2 * 60,
            StepKind::CustomsClearance => 6 * 60,
            StepKind::Exit => 12 * 60,
            StepKind::FollowUp => 10 * 24 * 60,
        }
    }
}

/// Where a step stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    AVenir,
    EnCours,
    Termine,
    NonConforme,
    Bloque,
    /// The step does not apply to this consignment (e.g. not selected for a physical check).
    NonRequis,
}

impl StepState {
    pub const ALL: [StepState; 6] = [
        StepState::AVenir,
        StepState::EnCours,
        StepState::Termine,
        StepState::NonConforme,
        StepState::Bloque,
        StepState::NonRequis,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StepState::AVenir => "a_venir",
            StepState::EnCours => "en_cours",
            StepState::Termine => "termine",
            StepState::NonConforme => "non_conforme",
            StepState::Bloque => "bloque",
            StepState::NonRequis => "non_requis",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        StepState::ALL
            .into_iter()
            .find(|state| state.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            StepState::AVenir => "À venir",
            StepState::EnCours => "En cours",
            StepState::Termine => "Terminé",
            StepState::NonConforme => "Non conforme",
            StepState::Bloque => "Bloqué",
            StepState::NonRequis => "Non requis",
        }
    }

    /// Whether the journey has moved past this step: done, not required, or concluded as
    /// non-compliant (the follow-up of the non-compliance then takes over).
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            StepState::Termine | StepState::NonRequis | StepState::NonConforme
        )
    }
}

/// One step of one dossier's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub kind: StepKind,
    pub state: StepState,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub actor: Option<Administration>,
    /// The result or decision, in French, when there is one.
    pub outcome: Option<String>,
    pub expected_minutes: i32,
}

/// The system of record an event comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    Traces,
    Customs,
    PortCommunity,
    AirportCommunity,
    Sivep,
}

impl EventSource {
    pub const ALL: [EventSource; 5] = [
        EventSource::Traces,
        EventSource::Customs,
        EventSource::PortCommunity,
        EventSource::AirportCommunity,
        EventSource::Sivep,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventSource::Traces => "traces",
            EventSource::Customs => "customs",
            EventSource::PortCommunity => "port_community",
            EventSource::AirportCommunity => "airport_community",
            EventSource::Sivep => "sivep",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        EventSource::ALL
            .into_iter()
            .find(|source| source.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            EventSource::Traces => "TRACES NT",
            EventSource::Customs => "Système de dédouanement",
            EventSource::PortCommunity => "Système portuaire",
            EventSource::AirportCommunity => "Système aéroportuaire",
            EventSource::Sivep => "SIVEP",
        }
    }
}

impl EventSource {
    /// Whether this source is the authority for events of this kind (PARTNER_API.md 1.1): the
    /// inspection's systems report the DSCE and the checks, customs the declaration and the
    /// release, the port and airport community systems the movements of the goods.
    pub fn reports(self, kind: EventKind) -> bool {
        use EventKind::*;
        match self {
            EventSource::Traces | EventSource::Sivep => matches!(
                kind,
                ChedLodged
                    | DocumentaryCheckDone
                    | ChecksSelected
                    | IdentityCheckDone
                    | PhysicalCheckDone
                    | LabResult
                    | ChedDecision
                    | FollowUpDone
            ),
            EventSource::Customs => matches!(kind, CustomsDeclarationLodged | CustomsReleased),
            EventSource::PortCommunity | EventSource::AirportCommunity => {
                matches!(kind, Arrived | Unloaded | PositionedAtPost | Exited)
            }
        }
    }
}

/// What happened, as the partner interface names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    ChedLodged,
    Arrived,
    Unloaded,
    DocumentaryCheckDone,
    ChecksSelected,
    PositionedAtPost,
    IdentityCheckDone,
    PhysicalCheckDone,
    LabResult,
    ChedDecision,
    CustomsDeclarationLodged,
    CustomsReleased,
    Exited,
    FollowUpDone,
}

impl EventKind {
    pub const ALL: [EventKind; 14] = [
        EventKind::ChedLodged,
        EventKind::Arrived,
        EventKind::Unloaded,
        EventKind::DocumentaryCheckDone,
        EventKind::ChecksSelected,
        EventKind::PositionedAtPost,
        EventKind::IdentityCheckDone,
        EventKind::PhysicalCheckDone,
        EventKind::LabResult,
        EventKind::ChedDecision,
        EventKind::CustomsDeclarationLodged,
        EventKind::CustomsReleased,
        EventKind::Exited,
        EventKind::FollowUpDone,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::ChedLodged => "ched_lodged",
            EventKind::Arrived => "arrived",
            EventKind::Unloaded => "unloaded",
            EventKind::DocumentaryCheckDone => "documentary_check_done",
            EventKind::ChecksSelected => "checks_selected",
            EventKind::PositionedAtPost => "positioned_at_post",
            EventKind::IdentityCheckDone => "identity_check_done",
            EventKind::PhysicalCheckDone => "physical_check_done",
            EventKind::LabResult => "lab_result",
            EventKind::ChedDecision => "ched_decision",
            EventKind::CustomsDeclarationLodged => "customs_declaration_lodged",
            EventKind::CustomsReleased => "customs_released",
            EventKind::Exited => "exited",
            EventKind::FollowUpDone => "follow_up_done",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        EventKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::ChedLodged => "DSCE déposé (partie I)",
            EventKind::Arrived => "Navire ou vol arrivé",
            EventKind::Unloaded => "Marchandise déchargée, disponible au terminal",
            EventKind::DocumentaryCheckDone => "Contrôle documentaire effectué",
            EventKind::ChecksSelected => "Sélection pour contrôles",
            EventKind::PositionedAtPost => "Conteneur positionné au poste de contrôle",
            EventKind::IdentityCheckDone => "Contrôle d'identité effectué",
            EventKind::PhysicalCheckDone => "Contrôle physique effectué",
            EventKind::LabResult => "Résultat de laboratoire",
            EventKind::ChedDecision => "Décision sur le DSCE",
            EventKind::CustomsDeclarationLodged => "Déclaration en douane déposée",
            EventKind::CustomsReleased => "Bon à enlever (BAE) délivré",
            EventKind::Exited => "Sortie du terminal",
            EventKind::FollowUpDone => "Suites de la non-conformité réalisées",
        }
    }

    /// The step of the journey an event of this kind moves on, as the dossier's history says it.
    pub fn step(self) -> StepKind {
        match self {
            EventKind::ChedLodged => StepKind::ChedLodged,
            EventKind::Arrived | EventKind::Unloaded => StepKind::Arrival,
            EventKind::DocumentaryCheckDone => StepKind::DocumentaryCheck,
            EventKind::ChecksSelected | EventKind::PositionedAtPost => StepKind::PhysicalCheck,
            EventKind::IdentityCheckDone => StepKind::IdentityCheck,
            EventKind::PhysicalCheckDone => StepKind::PhysicalCheck,
            EventKind::LabResult => StepKind::LabAnalysis,
            EventKind::ChedDecision => StepKind::Decision,
            EventKind::CustomsDeclarationLodged | EventKind::CustomsReleased => {
                StepKind::CustomsClearance
            }
            EventKind::Exited => StepKind::Exit,
            EventKind::FollowUpDone => StepKind::FollowUp,
        }
    }
}

/// Result of a documentary, identity or physical check, as TRACES-like systems report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    Satisfactory,
    SatisfactoryAfterIntervention,
    NotSatisfactory,
    NotDone,
    Derogation,
}

impl CheckResult {
    pub fn label(self) -> &'static str {
        match self {
            CheckResult::Satisfactory => "Satisfaisant",
            CheckResult::SatisfactoryAfterIntervention => {
                "Satisfaisant après intervention officielle"
            }
            CheckResult::NotSatisfactory => "Non satisfaisant",
            CheckResult::NotDone => "Non effectué",
            CheckResult::Derogation => "Dérogation",
        }
    }
}

/// Conclusion of a laboratory analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabConclusion {
    Satisfactory,
    NotSatisfactory,
    NotInterpretable,
    Pending,
}

impl LabConclusion {
    pub fn label(self) -> &'static str {
        match self {
            LabConclusion::Satisfactory => "Satisfaisant",
            LabConclusion::NotSatisfactory => "Non satisfaisant",
            LabConclusion::NotInterpretable => "Non interprétable",
            LabConclusion::Pending => "En attente",
        }
    }
}

/// One event of a dossier's history, as received from a system of record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub id: i64,
    pub kind: EventKind,
    pub source: EventSource,
    pub occurred_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// A short French description of what the event says beyond its kind (result, decision…).
    pub detail: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for step in StepKind::ALL {
            assert_eq!(StepKind::from_code(step.code()), Some(step));
        }
        for state in StepState::ALL {
            assert_eq!(StepState::from_code(state.code()), Some(state));
        }
        for kind in EventKind::ALL {
            assert_eq!(EventKind::from_code(kind.code()), Some(kind));
            // The partner interface and serde must speak the same words.
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.code())
            );
        }
        for source in EventSource::ALL {
            assert_eq!(EventSource::from_code(source.code()), Some(source));
        }
    }
}
