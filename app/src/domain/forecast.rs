//! Delay forecasts ("anticipation des délais"): how long a step usually takes at this post for
//! this kind of goods, from the durations observed — the median and the 80th percentile, with the
//! number of cases it rests on, and a plain "pas assez de données" below a handful of cases.

use serde::{Deserialize, Serialize};

use super::journey::{Step, StepKind, StepState};

/// Fewer observed cases than this make no forecast.
pub const MIN_CASES: usize = 5;

/// A forecast rests on the most recent durations observed, at most this many: what a post does
/// now, not what it did years ago. The store keeps, for each post (or site), goods category
/// and kind of step, the nearest-rank median and 80th percentile of these (see
/// `store::forecasts`).
pub const WINDOW: usize = 1000;

/// What the observed durations say about one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Forecast {
    Estimate {
        median_minutes: i64,
        p80_minutes: i64,
        cases: usize,
    },
    NotEnoughData {
        cases: usize,
    },
}

/// The forecast of every step still to settle, and of the release (the sum over them: the median
/// of a sum is not the sum of medians, so it is shown as an order of magnitude), from what the
/// durations observed say about each kind of step.
pub fn for_open_steps(
    steps: &[Step],
    observed: &dyn Fn(StepKind) -> Forecast,
) -> (Vec<(StepKind, Forecast)>, Option<Forecast>) {
    let open: Vec<&Step> = steps
        .iter()
        .filter(|step| {
            matches!(
                step.state,
                StepState::AVenir | StepState::EnCours | StepState::Bloque
            )
        })
        .filter(|step| step.kind != StepKind::FollowUp)
        .collect();
    let forecasts: Vec<(StepKind, Forecast)> = open
        .iter()
        .map(|step| (step.kind, observed(step.kind)))
        .collect();
    if forecasts.is_empty() {
        return (forecasts, None);
    }
    let mut median = 0;
    let mut p80 = 0;
    let mut cases = usize::MAX;
    for (_, forecast) in &forecasts {
        match forecast {
            Forecast::Estimate {
                median_minutes,
                p80_minutes,
                cases: n,
            } => {
                median += median_minutes;
                p80 += p80_minutes;
                cases = cases.min(*n);
            }
            Forecast::NotEnoughData { cases: n } => {
                return (
                    forecasts.clone(),
                    Some(Forecast::NotEnoughData { cases: *n }),
                );
            }
        }
    }
    (
        forecasts,
        Some(Forecast::Estimate {
            median_minutes: median,
            p80_minutes: p80,
            cases,
        }),
    )
}
