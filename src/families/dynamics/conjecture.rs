//! Family `dynamics`, topic `conjecture`.
use super::*;

pub const EKF_HALVES_THE_ERROR: Control = Control::new(
    "ekf_halves_the_error",
    "the EKF's error is below half the best window's",
);

/// The EKF's forecast scored one step late (an indexing slip).
pub const STALE_FORECAST: Control = Control::mutation(
    "stale_forecast",
    "the EKF's forecast of x_{t+1} is the one it made a step earlier (an indexing slip)",
);

/// Window lengths the conjecture compares against (the best one in hindsight).
pub const WINDOWS: [usize; 7] = [2, 3, 5, 10, 20, 40, 80];

fn history_grid(_s: Scale) -> Vec<Params> {
    let mut out = Vec::new();
    for noise in [0.01, 0.05, 0.2] {
        for drift in [0.0, 0.5, 1.5] {
            out.push(
                Params::new()
                    .with("noise", noise)
                    .with("drift", drift)
                    .with("period", 20.0)
                    .with("steps", 600usize),
            );
        }
    }
    out
}

fn history_check(p: &Params, v: Variant, ctx: &Ctx) -> Result<Evidence, Error> {
    let prob = PhaseProblem::from_params(p)?;
    let scores = mc::try_replicate(ctx.replicates, ctx.seed, ctx.cell, |_, rng| {
        prob.scores_with(usize::from(v.is(STALE_FORECAST)), &WINDOWS, rng)
    })?;
    // the best window in hindsight: smallest mean RMSE over the replicates
    let best = (0..WINDOWS.len())
        .min_by(|&a, &b| {
            let m = |i: usize| scores.iter().map(|s| s.windows[i].1).sum::<f64>();
            m(a).total_cmp(&m(b))
        })
        .unwrap_or(0);
    let c = v.pick(EKF_HALVES_THE_ERROR, 1.0, 0.5);
    Ok(Evidence::Mean {
        samples: scores
            .iter()
            .map(|s| s.ekf - c * s.windows[best].1)
            .collect(),
        target: Target::AtMost(0.0),
        support: Support::Gaussian {
            why: "each RMSE is the root of a mean over 600 prediction steps",
        },
    })
}

pub static ENTRIES: &[Entry] = &[
    Entry {
        id: "dynamics.conjecture.history_beats_window",
        kind: Kind::Expectation,
        status: Status::Conjecture {
            expected: None,
        },
        statement: "Langford with a drifting frequency, noisy (x, y): the EKF (phase, frequency, amplitude) predicts the next (x, y) better than the best window estimator",
        source: "research notes (tracking the full history beats windowing)",
        replicates: 12,
        grid: history_grid,
        check: history_check,
        controls: &[EKF_HALVES_THE_ERROR, STALE_FORECAST],
    },
];
