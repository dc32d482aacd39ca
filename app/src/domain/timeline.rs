//! The timeline of a dossier, derived from what its events say happened and when — never from
//! the order they arrived in. A late event lands at its place and every state after it is worked
//! out again, so the same events give the same timeline whatever order they came in.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::journey::{CheckResult, EventKind, LabConclusion, Step, StepKind, StepState};

/// What an event says, as far as the timeline is concerned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub data: FactData,
}

/// The part of an event's `data` that moves the timeline. Stored with each event as ingestion
/// validated it (see [`FactData::stored`]); its JSON form is therefore a stored format: variants
/// and fields may be added, never renamed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactData {
    #[default]
    None,
    /// `checks_selected`.
    Selection { identity: bool, physical: bool },
    /// `documentary_check_done`, `identity_check_done`.
    Check(CheckResult),
    /// `physical_check_done`.
    PhysicalCheck {
        result: CheckResult,
        samples_taken: bool,
    },
    /// `lab_result`.
    Lab(LabConclusion),
    /// `ched_decision`.
    Decision { acceptable: bool },
}

impl FactData {
    /// The JSON text the store keeps in an event's `fact` column.
    pub fn stored(&self) -> String {
        serde_json::to_string(self).expect("a fact always serialises")
    }

    /// A fact as the store kept it; `None` when the text is not one (a damaged row).
    pub fn from_stored(text: &str) -> Option<FactData> {
        serde_json::from_str(text).ok()
    }
}

/// A step in progress longer than this many times its expected duration is shown as blocked
/// (when an event arrives, and as time passes: see `Store::refresh_blocked`).
pub const BLOCKED_AFTER: i64 = 3;

/// Whether a step under way since `started`, expected to last `expected_minutes`, is blocked at
/// `now`.
pub fn blocked(started: DateTime<Utc>, expected_minutes: i32, now: DateTime<Utc>) -> bool {
    now - started > Duration::minutes(i64::from(expected_minutes) * BLOCKED_AFTER)
}

fn fresh(kind: StepKind) -> Step {
    Step {
        kind,
        state: StepState::AVenir,
        started_at: None,
        ended_at: None,
        actor: kind.actor(),
        outcome: None,
        expected_minutes: kind.typical_minutes(),
    }
}

fn check_state(result: CheckResult) -> StepState {
    match result {
        CheckResult::NotSatisfactory => StepState::NonConforme,
        CheckResult::NotDone => StepState::NonRequis,
        _ => StepState::Termine,
    }
}

/// The timeline the facts describe, as it stands at `now`.
pub fn derive(facts: &[Fact], now: DateTime<Utc>) -> Vec<Step> {
    let mut ordered: Vec<&Fact> = facts.iter().collect();
    // By time; at the same instant, in the order of the journey, so that the result never
    // depends on the order of arrival.
    ordered.sort_by_key(|fact| (fact.occurred_at, journey_rank(fact.kind)));
    let mut steps: Vec<Step> = StepKind::ALL.into_iter().map(fresh).collect();
    let index = |kind: StepKind| StepKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);

    for fact in ordered {
        let at = fact.occurred_at;
        let finish =
            |steps: &mut Vec<Step>, kind: StepKind, state: StepState, outcome: Option<String>| {
                let step = &mut steps[index(kind)];
                step.state = state;
                step.ended_at = Some(at);
                if step.started_at.is_none() {
                    step.started_at = Some(at);
                }
                if outcome.is_some() {
                    step.outcome = outcome;
                }
            };
        let start = |steps: &mut Vec<Step>, kind: StepKind| {
            let step = &mut steps[index(kind)];
            if !step.state.is_settled() {
                step.state = StepState::EnCours;
                step.started_at.get_or_insert(at);
            }
        };
        match (fact.kind, &fact.data) {
            (EventKind::ChedLodged, _) => {
                finish(&mut steps, StepKind::ChedLodged, StepState::Termine, None)
            }
            (EventKind::Arrived, _) => start(&mut steps, StepKind::Arrival),
            (EventKind::Unloaded, _) => {
                finish(&mut steps, StepKind::Arrival, StepState::Termine, None)
            }
            (EventKind::DocumentaryCheckDone, data) => {
                let result = match data {
                    FactData::Check(result) => *result,
                    _ => CheckResult::Satisfactory,
                };
                finish(
                    &mut steps,
                    StepKind::DocumentaryCheck,
                    check_state(result),
                    Some(result.label().to_owned()),
                );
            }
            (EventKind::ChecksSelected, FactData::Selection { identity, physical }) => {
                for (kind, selected) in [
                    (StepKind::IdentityCheck, *identity),
                    (StepKind::PhysicalCheck, *physical),
                ] {
                    let step = &mut steps[index(kind)];
                    if !selected && step.state == StepState::AVenir {
                        step.state = StepState::NonRequis;
                    }
                }
                if !physical {
                    let lab = &mut steps[index(StepKind::LabAnalysis)];
                    if lab.state == StepState::AVenir {
                        lab.state = StepState::NonRequis;
                    }
                }
            }
            (EventKind::ChecksSelected, _) => {}
            (EventKind::PositionedAtPost, _) => {
                // The checks at the post begin: the first one selected and not done yet.
                if let Some(kind) = [StepKind::IdentityCheck, StepKind::PhysicalCheck]
                    .into_iter()
                    .find(|kind| steps[index(*kind)].state == StepState::AVenir)
                {
                    start(&mut steps, kind);
                }
            }
            (EventKind::IdentityCheckDone, data) => {
                let result = match data {
                    FactData::Check(result) => *result,
                    _ => CheckResult::Satisfactory,
                };
                finish(
                    &mut steps,
                    StepKind::IdentityCheck,
                    check_state(result),
                    Some(result.label().to_owned()),
                );
            }
            (EventKind::PhysicalCheckDone, data) => {
                let (result, samples) = match data {
                    FactData::PhysicalCheck {
                        result,
                        samples_taken,
                    } => (*result, *samples_taken),
                    FactData::Check(result) => (*result, false),
                    _ => (CheckResult::Satisfactory, false),
                };
                finish(
                    &mut steps,
                    StepKind::PhysicalCheck,
                    check_state(result),
                    Some(result.label().to_owned()),
                );
                let lab = &mut steps[index(StepKind::LabAnalysis)];
                if samples {
                    if !lab.state.is_settled() {
                        lab.state = StepState::EnCours;
                        lab.started_at.get_or_insert(at);
                    }
                } else if lab.state == StepState::AVenir {
                    lab.state = StepState::NonRequis;
                }
            }
            (EventKind::LabResult, data) => {
                let conclusion = match data {
                    FactData::Lab(conclusion) => *conclusion,
                    _ => LabConclusion::Pending,
                };
                match conclusion {
                    LabConclusion::Satisfactory => finish(
                        &mut steps,
                        StepKind::LabAnalysis,
                        StepState::Termine,
                        Some(conclusion.label().to_owned()),
                    ),
                    LabConclusion::NotSatisfactory => finish(
                        &mut steps,
                        StepKind::LabAnalysis,
                        StepState::NonConforme,
                        Some(conclusion.label().to_owned()),
                    ),
                    LabConclusion::Pending | LabConclusion::NotInterpretable => {
                        start(&mut steps, StepKind::LabAnalysis);
                        steps[index(StepKind::LabAnalysis)].outcome =
                            Some(conclusion.label().to_owned());
                    }
                }
            }
            (EventKind::ChedDecision, data) => {
                let acceptable = !matches!(data, FactData::Decision { acceptable: false });
                if acceptable {
                    finish(
                        &mut steps,
                        StepKind::Decision,
                        StepState::Termine,
                        Some("Acceptable".into()),
                    );
                    let follow_up = &mut steps[index(StepKind::FollowUp)];
                    if follow_up.state == StepState::AVenir {
                        follow_up.state = StepState::NonRequis;
                    }
                } else {
                    finish(
                        &mut steps,
                        StepKind::Decision,
                        StepState::NonConforme,
                        Some("Non acceptable".into()),
                    );
                    start(&mut steps, StepKind::FollowUp);
                    for kind in [StepKind::CustomsClearance, StepKind::Exit] {
                        let step = &mut steps[index(kind)];
                        if step.state == StepState::AVenir {
                            step.state = StepState::NonRequis;
                        }
                    }
                }
            }
            (EventKind::CustomsDeclarationLodged, _) => {
                start(&mut steps, StepKind::CustomsClearance)
            }
            (EventKind::CustomsReleased, _) => finish(
                &mut steps,
                StepKind::CustomsClearance,
                StepState::Termine,
                Some("Bon à enlever".into()),
            ),
            (EventKind::Exited, _) => finish(&mut steps, StepKind::Exit, StepState::Termine, None),
            (EventKind::FollowUpDone, _) => {
                finish(&mut steps, StepKind::FollowUp, StepState::Termine, None)
            }
        }
    }

    // Steps nobody reported on, skipped over by later ones, did not apply.
    if let Some(last) = steps.iter().rposition(|step| step.started_at.is_some()) {
        for step in &mut steps[..last] {
            if step.state == StepState::AVenir && step.kind != StepKind::FollowUp {
                step.state = StepState::NonRequis;
            }
        }
    }
    // What comes next is under way from the moment the previous step ended; too long is blocked.
    if let Some(next) = steps.iter().position(|step| !step.state.is_settled()) {
        let previous_end = steps[..next].iter().filter_map(|step| step.ended_at).max();
        let step = &mut steps[next];
        if step.state == StepState::AVenir {
            if let Some(end) = previous_end {
                step.state = StepState::EnCours;
                step.started_at = Some(end);
            }
        }
        if step.state == StepState::EnCours {
            if let Some(started) = step.started_at {
                if blocked(started, step.expected_minutes, now) {
                    step.state = StepState::Bloque;
                }
            }
        }
    }
    steps
}

/// Where an event's kind stands in the usual journey, to order events of the same instant.
fn journey_rank(kind: EventKind) -> usize {
    EventKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(hours: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-20T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::hours(hours)
    }

    /// Facts are stored: their JSON form must not change under a rename in the code, or the
    /// timelines of stored events would silently lose what they said.
    #[test]
    fn facts_keep_their_stored_form() {
        let stored = [
            (FactData::None, r#""none""#),
            (
                FactData::Selection {
                    identity: true,
                    physical: false,
                },
                r#"{"selection":{"identity":true,"physical":false}}"#,
            ),
            (
                FactData::Check(CheckResult::NotSatisfactory),
                r#"{"check":"not_satisfactory"}"#,
            ),
            (
                FactData::PhysicalCheck {
                    result: CheckResult::Satisfactory,
                    samples_taken: true,
                },
                r#"{"physical_check":{"result":"satisfactory","samples_taken":true}}"#,
            ),
            (
                FactData::Lab(LabConclusion::NotSatisfactory),
                r#"{"lab":"not_satisfactory"}"#,
            ),
            (
                FactData::Decision { acceptable: false },
                r#"{"decision":{"acceptable":false}}"#,
            ),
        ];
        for (data, text) in stored {
            assert_eq!(data.stored(), text);
            assert_eq!(FactData::from_stored(text), Some(data));
        }
        assert_eq!(FactData::from_stored("{\"inconnu\":1}"), None);
    }

    fn fact(kind: EventKind, hours: i64, data: FactData) -> Fact {
        Fact {
            kind,
            occurred_at: at(hours),
            data,
        }
    }

    fn state(steps: &[Step], kind: StepKind) -> StepState {
        steps.iter().find(|step| step.kind == kind).unwrap().state
    }

    fn journey() -> Vec<Fact> {
        vec![
            fact(EventKind::ChedLodged, 0, FactData::None),
            fact(EventKind::Arrived, 20, FactData::None),
            fact(EventKind::Unloaded, 24, FactData::None),
            fact(
                EventKind::DocumentaryCheckDone,
                26,
                FactData::Check(CheckResult::Satisfactory),
            ),
            fact(
                EventKind::ChecksSelected,
                26,
                FactData::Selection {
                    identity: true,
                    physical: true,
                },
            ),
            fact(EventKind::PositionedAtPost, 30, FactData::None),
            fact(
                EventKind::IdentityCheckDone,
                31,
                FactData::Check(CheckResult::Satisfactory),
            ),
            fact(
                EventKind::PhysicalCheckDone,
                33,
                FactData::PhysicalCheck {
                    result: CheckResult::Satisfactory,
                    samples_taken: true,
                },
            ),
            fact(
                EventKind::LabResult,
                80,
                FactData::Lab(LabConclusion::Satisfactory),
            ),
            fact(
                EventKind::ChedDecision,
                82,
                FactData::Decision { acceptable: true },
            ),
            fact(EventKind::CustomsDeclarationLodged, 83, FactData::None),
            fact(EventKind::CustomsReleased, 85, FactData::None),
            fact(EventKind::Exited, 90, FactData::None),
        ]
    }

    #[test]
    fn a_whole_journey_ends_settled() {
        let steps = derive(&journey(), at(100));
        for step in &steps {
            assert!(
                step.state.is_settled(),
                "{:?} : {:?}",
                step.kind,
                step.state
            );
        }
        assert_eq!(state(&steps, StepKind::FollowUp), StepState::NonRequis);
        let lab = steps
            .iter()
            .find(|s| s.kind == StepKind::LabAnalysis)
            .unwrap();
        assert_eq!((lab.started_at, lab.ended_at), (Some(at(33)), Some(at(80))));
        assert_eq!(lab.outcome.as_deref(), Some("Satisfaisant"));
    }

    #[test]
    fn the_next_step_is_under_way_once_the_previous_one_ended() {
        let steps = derive(&journey()[..3], at(25));
        let documentary = steps
            .iter()
            .find(|s| s.kind == StepKind::DocumentaryCheck)
            .unwrap();
        assert_eq!(documentary.state, StepState::EnCours);
        assert_eq!(documentary.started_at, Some(at(24)));
        // Far too long after: blocked.
        assert_eq!(
            state(
                &derive(&journey()[..3], at(24 + 13)),
                StepKind::DocumentaryCheck
            ),
            StepState::Bloque
        );
    }

    #[test]
    fn a_rejected_consignment_goes_to_follow_up_not_to_customs() {
        let mut facts = journey()[..7].to_vec();
        facts.push(fact(
            EventKind::ChedDecision,
            40,
            FactData::Decision { acceptable: false },
        ));
        let steps = derive(&facts, at(41));
        assert_eq!(state(&steps, StepKind::Decision), StepState::NonConforme);
        assert_eq!(state(&steps, StepKind::FollowUp), StepState::EnCours);
        assert_eq!(
            state(&steps, StepKind::CustomsClearance),
            StepState::NonRequis
        );
        // A step skipped by the later ones (no physical check reported) did not apply.
        assert_eq!(state(&steps, StepKind::PhysicalCheck), StepState::NonRequis);
    }

    #[test]
    fn a_late_event_lands_at_its_place() {
        let mut facts = journey()[..4].to_vec();
        let early = derive(&facts, at(27));
        assert_eq!(state(&early, StepKind::IdentityCheck), StepState::EnCours);
        // The selection, sent late, said no identity check: what follows is recomputed.
        facts.push(fact(
            EventKind::ChecksSelected,
            26,
            FactData::Selection {
                identity: false,
                physical: false,
            },
        ));
        let late = derive(&facts, at(27));
        assert_eq!(state(&late, StepKind::IdentityCheck), StepState::NonRequis);
        assert_eq!(state(&late, StepKind::PhysicalCheck), StepState::NonRequis);
        assert_eq!(state(&late, StepKind::LabAnalysis), StepState::NonRequis);
        assert_eq!(state(&late, StepKind::Decision), StepState::EnCours);
    }

    proptest! {
        /// Whatever order the events arrive in, the timeline is the same.
        #[test]
        fn arrival_order_does_not_matter(seed in any::<u64>(), cut in 1usize..13) {
            let facts: Vec<Fact> = journey().into_iter().take(cut).collect();
            let mut shuffled = facts.clone();
            let mut state = seed;
            for i in (1..shuffled.len()).rev() {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (state >> 33) as usize % (i + 1));
            }
            prop_assert_eq!(derive(&facts, at(200)), derive(&shuffled, at(200)));
        }
    }
}
