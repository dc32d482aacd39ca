//! Delay forecasts ("anticipation des délais"): how long a step usually takes at this post for
//! this kind of goods, from the durations observed — the median and the 80th percentile, with the
//! number of cases it rests on, and a plain "pas assez de données" below a handful of cases.

use serde::{Deserialize, Serialize};

use super::journey::{Step, StepKind, StepState};

/// Fewer observed cases than this make no forecast.
pub const MIN_CASES: usize = 5;

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

impl Forecast {
    /// From observed durations, in minutes (any order).
    pub fn from_durations(durations: &[i64]) -> Forecast {
        let mut sorted: Vec<i64> = durations.iter().copied().filter(|d| *d >= 0).collect();
        let cases = sorted.len();
        if cases < MIN_CASES {
            return Forecast::NotEnoughData { cases };
        }
        sorted.sort_unstable();
        Forecast::Estimate {
            median_minutes: percentile(&sorted, 50),
            p80_minutes: percentile(&sorted, 80),
            cases,
        }
    }
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], percent: usize) -> i64 {
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1]
}

/// The forecast of every step still to settle, and of the release (the sum over them: the median
/// of a sum is not the sum of medians, so it is shown as an order of magnitude), from the
/// durations observed for each kind of step.
pub fn for_open_steps(
    steps: &[Step],
    observed: &dyn Fn(StepKind) -> Vec<i64>,
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
        .map(|step| (step.kind, Forecast::from_durations(&observed(step.kind))))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_80th_percentile_by_nearest_rank() {
        let forecast = Forecast::from_durations(&[50, 10, 40, 30, 20, 60, 70, 80, 90, 100]);
        assert_eq!(
            forecast,
            Forecast::Estimate {
                median_minutes: 50,
                p80_minutes: 80,
                cases: 10
            }
        );
    }

    #[test]
    fn too_few_cases_say_so() {
        assert_eq!(
            Forecast::from_durations(&[10, 20, 30]),
            Forecast::NotEnoughData { cases: 3 }
        );
    }
}
