//! Dynamical guidance (issue #16; theory/assimilation.md section 15) in the linear-Gaussian
//! case: a forecast model F (affine) and an analysis model G (a conditional Gaussian with an
//! affine mean in the forecast and the observation, and a fitted covariance) learned by least
//! squares from reference windows (x_{t-2}..x_{t+1}, y_{t-1}, y_t) under any subset of the four
//! objectives, and the error of their cycled analysis in closed form.
//!
//! Every quantity in a window is an affine function of
//! xi = (1, x_{t-2}, w_{t-1}, v_{t-1}, w_t, v_t, w_{t+1}) (x_{t-2} from the stationary law, w
//! the process noise, v the observation noise), and so is every output of an affine F or G. A least-squares fit then needs only the second moments
//! S = E[xi xi^T]: the empirical ones of n drawn windows (a finite training set) or the exact
//! ones (the population limit). One code path serves both.
use super::{AssimilationError, ResidualProblem};
use crate::filter::StateSpaceModel;
use crate::linalg::Spd;
use crate::mc::Rng;
use ndarray::{s, Array1, Array2, Axis};
use rand_distr::{Distribution, StandardNormal};

/// Which of the four objectives a training run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Objectives {
    /// F(x_{t-1}) ~ x_t.
    pub forecast: bool,
    /// G(F(x_{t-1}), y_t) ~ x_t.
    pub analysis: bool,
    /// Forward alignment: F(G(F(x_{t-1}), y_t)) ~ x_{t+1}.
    pub forward: bool,
    /// Backward alignment: G(x_{t+1}, y_t) ~ x_t and G(F(x_t), y_t) ~ x_t.
    pub backward: bool,
    /// Not one of the team's four: the analysis on its own forecast,
    /// G(F(G(F(x_{t-2}), y_{t-1})), y_t) ~ x_t, so G is trained on the forecast error the
    /// cycle gives it (one step unrolled) rather than on a forecast from the truth.
    pub unrolled: bool,
}

/// The objectives' names, as a subset is written: `forecast+analysis+forward`.
pub const OBJECTIVE_NAMES: [&str; 5] = ["forecast", "analysis", "forward", "backward", "unrolled"];

impl Objectives {
    /// The supervised objectives alone.
    pub const SUPERVISED: Objectives = Objectives {
        forecast: true,
        analysis: true,
        forward: false,
        backward: false,
        unrolled: false,
    };
    /// The team's four.
    pub const ALL: Objectives = Objectives {
        forecast: true,
        analysis: true,
        forward: true,
        backward: true,
        unrolled: false,
    };

    fn flags(self) -> [bool; 5] {
        [
            self.forecast,
            self.analysis,
            self.forward,
            self.backward,
            self.unrolled,
        ]
    }

    /// F needs an objective of its own (forecast or forward) and G one (analysis, backward or
    /// unrolled).
    pub fn trains_both(self) -> bool {
        (self.forecast || self.forward) && (self.analysis || self.backward || self.unrolled)
    }

    /// Whether F and G are coupled, so fitted in turn.
    fn coupled(self) -> bool {
        self.forward || self.backward || self.unrolled
    }

    /// `forecast+analysis+...`, the objectives in their fixed order.
    pub fn label(self) -> String {
        OBJECTIVE_NAMES
            .iter()
            .zip(self.flags())
            .filter(|(_, on)| *on)
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join("+")
    }

    /// Parse a label; an unknown name is an error naming the valid ones.
    pub fn parse(s: &str) -> Result<Objectives, AssimilationError> {
        let mut flags = [false; 5];
        for part in s.split('+') {
            match OBJECTIVE_NAMES.iter().position(|n| *n == part.trim()) {
                Some(i) => flags[i] = true,
                None => {
                    let near = crate::params::nearest(part.trim(), OBJECTIVE_NAMES)
                        .map(|n| format!(" (did you mean `{n}`?)"))
                        .unwrap_or_default();
                    return Err(super::invalid(
                        "objectives",
                        format!(
                            "`{part}` in `{s}` is not an objective{near}: write a '+'-joined subset of {}",
                            OBJECTIVE_NAMES.join(", ")
                        ),
                    ));
                }
            }
        }
        let o = Objectives {
            forecast: flags[0],
            analysis: flags[1],
            forward: flags[2],
            backward: flags[3],
            unrolled: flags[4],
        };
        if !o.trains_both() {
            return Err(super::invalid(
                "objectives",
                format!("`{s}` leaves F or G untrained: F needs forecast or forward, G analysis, backward or unrolled"),
            ));
        }
        Ok(o)
    }
}

/// An affine forecast model x -> M x + c.
#[derive(Debug, Clone)]
pub struct AffineForecast {
    pub m: Array2<f64>,
    pub c: Array1<f64>,
}

/// A conditional Gaussian analysis: mean B_u u + B_y y + c, covariance `cov`.
#[derive(Debug, Clone)]
pub struct GaussianAnalysis {
    pub b_u: Array2<f64>,
    pub b_y: Array2<f64>,
    pub c: Array1<f64>,
    pub cov: Array2<f64>,
}

/// A trained pair and how its alternating fit ended.
#[derive(Debug, Clone)]
pub struct Guided {
    pub f: AffineForecast,
    pub g: GaussianAnalysis,
    /// Alternating rounds run (1 without alignment objectives).
    pub rounds: usize,
    /// Whether the coefficients settled (to 1e-10 relative) within the rounds allowed.
    pub settled: bool,
}

/// The cycled analysis's stationary error.
#[derive(Debug, Clone, Copy)]
pub struct CycledError {
    /// E||x^A - x||^2 in the stationary regime (infinite when the cycle diverges).
    pub mse: f64,
    /// tr of G's stated covariance.
    pub spread: f64,
}

/// The windows of a linear-Gaussian model and their affine coordinates: each quantity is a
/// (dim x k) matrix acting on xi = (1, x_{t-2}, w_{t-1}, v_{t-1}, w_t, v_t, w_{t+1}),
/// k = 1 + 4d + 2m.
#[derive(Debug, Clone)]
pub struct Windows {
    model: StateSpaceModel,
    d: usize,
    m: usize,
    xm: Array2<f64>,
    ym: Array2<f64>,
    x0: Array2<f64>,
    x1: Array2<f64>,
    x2: Array2<f64>,
    y1: Array2<f64>,
    /// Cholesky factors of the stationary covariance, Q and R.
    l_stat: Array2<f64>,
    l_q: Array2<f64>,
    l_r: Array2<f64>,
    /// The steady Kalman analysis covariance's trace: the least stationary MSE of any
    /// analysis from the same observations.
    pub kalman_mse: f64,
}

/// Alternating rounds allowed when an alignment objective couples F and G.
const ROUNDS: usize = 200;

impl Windows {
    /// The model must be stable with zero offset (the windows start from its stationary law).
    pub fn new(model: &StateSpaceModel) -> Result<Windows, AssimilationError> {
        let (a, o) = (model.a(), model.o());
        let (d, m) = (a.nrows(), o.nrows());
        if model.b().iter().any(|v| *v != 0.0) {
            return Err(super::invalid(
                "guidance model",
                "the dynamics' offset b must be 0 (the windows start from the stationary law N(0, P))",
            ));
        }
        let k = 1 + 4 * d + 2 * m;
        let block = |at: usize, n: usize| {
            let mut e = Array2::<f64>::zeros((n, k));
            for i in 0..n {
                e[[i, at + i]] = 1.0;
            }
            e
        };
        let xm = block(1, d);
        let x0 = a.dot(&xm) + block(1 + d, d);
        let ym = o.dot(&x0) + block(1 + 2 * d, m);
        let x1 = a.dot(&x0) + block(1 + 2 * d + m, d);
        let y1 = o.dot(&x1) + block(1 + 3 * d + m, m);
        let x2 = a.dot(&x1) + block(1 + 3 * d + 2 * m, d);
        let stat = model.stationary_covariance()?;
        let chol = |p: &Array2<f64>, name: &str| {
            Ok::<_, AssimilationError>(Spd::new(p.clone(), name)?.chol().clone())
        };
        let kalman = ResidualProblem::stationary(model)?.kalman()?;
        Ok(Windows {
            model: model.clone(),
            d,
            m,
            xm,
            ym,
            x0,
            x1,
            x2,
            y1,
            l_stat: chol(&stat, "stationary covariance")?,
            l_q: chol(model.q(), "process noise Q")?,
            l_r: chol(model.r(), "observation noise R")?,
            kalman_mse: kalman.residual.diag().sum(),
        })
    }

    fn k(&self) -> usize {
        1 + 4 * self.d + 2 * self.m
    }

    /// Where each Gaussian block of xi starts, with its Cholesky factor.
    fn blocks(&self) -> [(usize, &Array2<f64>); 6] {
        let (d, m) = (self.d, self.m);
        [
            (1, &self.l_stat),
            (1 + d, &self.l_q),
            (1 + 2 * d, &self.l_r),
            (1 + 2 * d + m, &self.l_q),
            (1 + 3 * d + m, &self.l_r),
            (1 + 3 * d + 2 * m, &self.l_q),
        ]
    }

    /// The exact second moments of xi (the population limit).
    pub fn population(&self) -> Array2<f64> {
        let mut s = Array2::<f64>::zeros((self.k(), self.k()));
        s[[0, 0]] = 1.0;
        for (at, l) in self.blocks() {
            let n = l.nrows();
            s.slice_mut(s![at..at + n, at..at + n])
                .assign(&l.dot(&l.t()));
        }
        s
    }

    /// The empirical second moments of n windows drawn from the model.
    pub fn sample(&self, n: usize, rng: &mut Rng) -> Array2<f64> {
        let mut xi = Array2::<f64>::zeros((n, self.k()));
        xi.column_mut(0).fill(1.0);
        let mut normal = |c: usize| {
            Array2::from_shape_fn((n, c), |_| {
                <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng)
            })
        };
        for (at, l) in self.blocks() {
            let z = normal(l.nrows()).dot(&l.t());
            xi.slice_mut(s![.., at..at + l.nrows()]).assign(&z);
        }
        xi.t().dot(&xi) / n as f64
    }

    /// The constant coordinate as a (1 x k) row.
    fn one(&self) -> Array2<f64> {
        let mut e = Array2::<f64>::zeros((1, self.k()));
        e[[0, 0]] = 1.0;
        e
    }

    fn forecast_of(&self, f: &AffineForecast, input: &Array2<f64>) -> Array2<f64> {
        f.m.dot(input) + &f.c.view().insert_axis(Axis(1)).dot(&self.one())
    }

    fn analysis_of(&self, g: &GaussianAnalysis, u: &Array2<f64>, y: &Array2<f64>) -> Array2<f64> {
        g.b_u.dot(u) + &g.b_y.dot(y) + &g.c.view().insert_axis(Axis(1)).dot(&self.one())
    }

    /// Least squares of the targets on (1, inputs) pooled over `pairs` (inputs, target), from
    /// the moments `s`: the coefficients (p x d, the constant first) and the mean squared
    /// residual's covariance over the pooled rows.
    fn lstsq(
        &self,
        s: &Array2<f64>,
        pairs: &[(Array2<f64>, &Array2<f64>)],
    ) -> Result<(Array2<f64>, Array2<f64>), AssimilationError> {
        let designs: Vec<Array2<f64>> = pairs
            .iter()
            .map(|(inputs, _)| {
                ndarray::concatenate(Axis(0), &[self.one().view(), inputs.view()])
                    .expect("inputs act on the same coordinates")
            })
            .collect();
        let p = designs[0].nrows();
        let (mut gram, mut cross) = (
            Array2::<f64>::zeros((p, p)),
            Array2::<f64>::zeros((p, self.d)),
        );
        for (z, (_, t)) in designs.iter().zip(pairs) {
            let zs = z.dot(s);
            gram = gram + zs.dot(&z.t());
            cross = cross + zs.dot(&t.t());
        }
        let gram = (&gram + &gram.t()) * 0.5;
        let beta = Spd::new(gram, "the pooled design's second moments")?.solve(&cross)?;
        let mut resid = Array2::<f64>::zeros((self.d, self.d));
        for (z, (_, t)) in designs.iter().zip(pairs) {
            let r = *t - &beta.t().dot(z);
            resid = resid + r.dot(s).dot(&r.t());
        }
        resid /= pairs.len() as f64;
        Ok((beta, (&resid + &resid.t()) * 0.5))
    }

    fn fit_forecast(
        &self,
        s: &Array2<f64>,
        obj: Objectives,
        current: Option<(&AffineForecast, &GaussianAnalysis)>,
    ) -> Result<AffineForecast, AssimilationError> {
        let mut pairs = Vec::new();
        if obj.forecast {
            pairs.push((self.x0.clone(), &self.x1));
        }
        if let (true, Some((f, g))) = (obj.forward, current) {
            let xa = self.analysis_of(g, &self.forecast_of(f, &self.x0), &self.y1);
            pairs.push((xa, &self.x2));
        }
        if pairs.is_empty() {
            // forward alignment alone starts from persistence
            return Ok(AffineForecast {
                m: Array2::eye(self.d),
                c: Array1::zeros(self.d),
            });
        }
        let (beta, _) = self.lstsq(s, &pairs)?;
        Ok(AffineForecast {
            m: beta.slice(s![1.., ..]).t().to_owned(),
            c: beta.row(0).to_owned(),
        })
    }

    fn fit_analysis(
        &self,
        s: &Array2<f64>,
        obj: Objectives,
        f: &AffineForecast,
        previous: Option<&GaussianAnalysis>,
    ) -> Result<GaussianAnalysis, AssimilationError> {
        let stack = |u: &Array2<f64>| {
            ndarray::concatenate(Axis(0), &[u.view(), self.y1.view()]).expect("same coordinates")
        };
        let mut pairs = Vec::new();
        if obj.analysis {
            pairs.push((stack(&self.forecast_of(f, &self.x0)), &self.x1));
        }
        if obj.backward {
            pairs.push((stack(&self.x2), &self.x1));
            pairs.push((stack(&self.forecast_of(f, &self.x1)), &self.x1));
        }
        if obj.unrolled {
            // the previous step's analysis from a forecast of the truth; before G exists, the
            // truth itself
            let before = match previous {
                Some(g) => self.analysis_of(g, &self.forecast_of(f, &self.xm), &self.ym),
                None => self.x0.clone(),
            };
            pairs.push((stack(&self.forecast_of(f, &before)), &self.x1));
        }
        let (beta, cov) = self.lstsq(s, &pairs)?;
        let d = self.d;
        Ok(GaussianAnalysis {
            b_u: beta.slice(s![1..1 + d, ..]).t().to_owned(),
            b_y: beta.slice(s![1 + d.., ..]).t().to_owned(),
            c: beta.row(0).to_owned(),
            cov,
        })
    }

    /// Train F and G on the moments `s` under `obj`. Without an alignment objective F is fitted
    /// first (or is persistence) and G on F's forecasts; with one, the two are refitted in turn,
    /// each on the pairs the other's current fit makes (alternating least squares), until the
    /// coefficients settle or ROUNDS rounds have run.
    pub fn train(&self, s: &Array2<f64>, obj: Objectives) -> Result<Guided, AssimilationError> {
        if !obj.trains_both() {
            return Err(super::invalid(
                "objectives",
                format!("`{}` leaves F or G untrained", obj.label()),
            ));
        }
        let mut f = self.fit_forecast(s, obj, None)?;
        let mut g = self.fit_analysis(s, obj, &f, None)?;
        if !obj.coupled() {
            return Ok(Guided {
                f,
                g,
                rounds: 1,
                settled: true,
            });
        }
        let coefs = |f: &AffineForecast, g: &GaussianAnalysis| {
            f.m.iter()
                .chain(&f.c)
                .chain(&g.b_u)
                .chain(&g.b_y)
                .chain(&g.c)
                .copied()
                .collect::<Vec<f64>>()
        };
        for round in 2..=ROUNDS {
            let before = coefs(&f, &g);
            f = self.fit_forecast(s, obj, Some((&f, &g)))?;
            g = self.fit_analysis(s, obj, &f, Some(&g))?;
            let after = coefs(&f, &g);
            let scale = after.iter().fold(1.0f64, |m, v| m.max(v.abs()));
            let moved = before
                .iter()
                .zip(&after)
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
            if !moved.is_finite() {
                return Err(super::invalid(
                    "alternating fit",
                    format!("coefficients stopped being finite at round {round}"),
                ));
            }
            if moved <= 1e-10 * scale {
                return Ok(Guided {
                    f,
                    g,
                    rounds: round,
                    settled: true,
                });
            }
        }
        Ok(Guided {
            f,
            g,
            rounds: ROUNDS,
            settled: false,
        })
    }

    /// The stationary error of the cycle x^F_t = F(x^A_{t-1}), x^A_t = mean of G(x^F_t, y_t)
    /// run against the truth: the joint recursion of (x_t, x^A_t) is linear with
    /// z_t = M z_{t-1} + k + noise, M = [[A, 0], [B_y O A, B_u F]], so its stationary
    /// covariance solves P = M P M^T + W and its mean (0, mu) solves (I - B_u F) mu = B_u c_F + c_G.
    /// A cycle whose M has spectral radius at or above 1 diverges: infinite MSE.
    pub fn cycled(&self, guided: &Guided) -> CycledError {
        let (d, model) = (self.d, &self.model);
        let (a, q, o, r) = (model.a(), model.q(), model.o(), model.r());
        let (f, g) = (&guided.f, &guided.g);
        let feedback = g.b_u.dot(&f.m);
        let mut mm = Array2::<f64>::zeros((2 * d, 2 * d));
        mm.slice_mut(s![..d, ..d]).assign(a);
        mm.slice_mut(s![d.., ..d]).assign(&g.b_y.dot(o).dot(a));
        mm.slice_mut(s![d.., d..]).assign(&feedback);
        let byo = g.b_y.dot(o);
        let mut w = Array2::<f64>::zeros((2 * d, 2 * d));
        w.slice_mut(s![..d, ..d]).assign(q);
        w.slice_mut(s![..d, d..]).assign(&q.dot(&byo.t()));
        w.slice_mut(s![d.., ..d]).assign(&byo.dot(q));
        w.slice_mut(s![d.., d..])
            .assign(&(byo.dot(q).dot(&byo.t()) + g.b_y.dot(r).dot(&g.b_y.t())));
        let spread = g.cov.diag().sum();
        let diverged = CycledError {
            mse: f64::INFINITY,
            spread,
        };
        let p = match crate::linalg::stationary_covariance(&mm, &w) {
            Some(p) => p,
            None => return diverged,
        };
        // the stationary mean: (I - B_u M_F) mu = B_u c_F + c_G, one solve (M settled, so
        // B_u M_F has spectral radius below 1 and I - B_u M_F is invertible)
        let k = g.b_u.dot(&f.c) + &g.c;
        let mu = match crate::linalg::solve_general(
            &(Array2::<f64>::eye(d) - &feedback),
            &k,
            "I - B_u M_F",
        ) {
            Ok(mu) => mu,
            Err(_) => return diverged,
        };
        let (pxx, pxa, paa) = (
            p.slice(s![..d, ..d]),
            p.slice(s![..d, d..]),
            p.slice(s![d.., d..]),
        );
        let trace_err = (0..d)
            .map(|i| pxx[[i, i]] - 2.0 * pxa[[i, i]] + paa[[i, i]])
            .sum::<f64>();
        let mse = trace_err + mu.dot(&mu);
        if mse.is_finite() {
            CycledError { mse, spread }
        } else {
            diverged
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::StateSpaceModel;

    /// The taxonomy's model, pair averages observed (d = 4, A = 0.9 rotations, Q = 0.1 I,
    /// R = r I).
    fn model(r: f64) -> StateSpaceModel {
        let p = crate::params::Params::new()
            .with("obs", "coarse")
            .with("r", r);
        crate::families::assimilation::taxonomy::case(&p, 0.0)
            .unwrap()
            .truth
    }

    fn close(a: &Array2<f64>, b: &Array2<f64>, tol: f64) -> bool {
        a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tol * (1.0 + y.abs()))
    }

    #[test]
    fn the_cycle_with_the_kalman_gain_has_the_kalman_error() {
        // an independent route to the closed loop: F = A and G the steady Kalman analysis must
        // give back tr P_a, which the Riccati recursion computed
        let m = model(0.5);
        let w = Windows::new(&m).unwrap();
        let k = ResidualProblem::stationary(&m).unwrap().kalman().unwrap();
        let guided = Guided {
            f: AffineForecast {
                m: m.a().clone(),
                c: Array1::zeros(4),
            },
            g: GaussianAnalysis {
                b_u: k.b_u,
                b_y: k.b_y,
                c: Array1::zeros(4),
                cov: k.residual,
            },
            rounds: 1,
            settled: true,
        };
        let e = w.cycled(&guided);
        assert!(
            (e.mse - w.kalman_mse).abs() <= 1e-10 * w.kalman_mse,
            "{} vs {}",
            e.mse,
            w.kalman_mse
        );
        assert!((e.spread / e.mse - 1.0).abs() < 1e-10);
    }

    #[test]
    fn the_closed_form_cycled_error_matches_a_simulated_cycle() {
        // a fitted (imperfect) pair run for 200 000 steps: the time average of |x^A - x|^2
        // against the stationary closed form, to 4 standard errors of an AR-correlated mean
        // (batch means over 200 batches)
        let m = model(1.0);
        let w = Windows::new(&m).unwrap();
        let mut rng = crate::mc::stream(7, 0, 0);
        let s = w.sample(60, &mut rng);
        let g = w.train(&s, Objectives::ALL).unwrap();
        let closed = w.cycled(&g).mse;
        assert!(closed.is_finite());
        let (xs, ys) = m
            .simulate_from(Array1::zeros(4), 200_000, &mut rng)
            .unwrap();
        let mut xa = Array1::<f64>::zeros(4);
        let mut errs = Vec::with_capacity(xs.len());
        for (x, y) in xs.iter().zip(&ys) {
            let xf = g.f.m.dot(&xa) + &g.f.c;
            xa = g.g.b_u.dot(&xf) + &g.g.b_y.dot(y) + &g.g.c;
            let e = &xa - x;
            errs.push(e.dot(&e));
        }
        let errs = &errs[1000..];
        let batch = errs.len() / 200;
        let means: Vec<f64> = errs
            .chunks(batch)
            .take(200)
            .map(|c| c.iter().sum::<f64>() / c.len() as f64)
            .collect();
        let mean = means.iter().sum::<f64>() / 200.0;
        let sd = (means.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 199.0).sqrt();
        let se = sd / 200f64.sqrt();
        assert!(
            (mean - closed).abs() < 4.0 * se,
            "simulated {mean} +- {se}, closed {closed}"
        );
    }

    #[test]
    fn the_population_supervised_fit_is_the_truths_dynamics_and_the_analysis_with_forecast_error_q()
    {
        // the population regression of x_t on x_{t-1} is A; of x_t on (A x_{t-1}, y_t) the
        // Kalman analysis whose forecast error is the process noise Q alone
        let m = model(0.3);
        let w = Windows::new(&m).unwrap();
        let g = w.train(&w.population(), Objectives::SUPERVISED).unwrap();
        assert!(close(&g.f.m, m.a(), 1e-10));
        let obs =
            crate::assimilation::LinearObservation::new(m.o().clone(), m.r().clone(), 4).unwrap();
        let (k, pa) = crate::assimilation::kalman_gain(m.q(), &obs).unwrap();
        assert!(close(&g.g.b_y, &k, 1e-9));
        assert!(close(&g.g.b_u, &(Array2::eye(4) - k.dot(m.o())), 1e-9));
        assert!(close(&g.g.cov, &pa, 1e-9));
        // and a large sample approaches it
        let mut rng = crate::mc::stream(3, 0, 0);
        let big = w
            .train(&w.sample(200_000, &mut rng), Objectives::SUPERVISED)
            .unwrap();
        assert!(close(&big.g.b_y, &k, 0.05));
    }

    #[test]
    fn objectives_parse_their_labels_and_name_a_misspelling() {
        for o in [Objectives::SUPERVISED, Objectives::ALL] {
            assert_eq!(Objectives::parse(&o.label()).unwrap(), o);
        }
        let e = Objectives::parse("forecast+analysys")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("analysys") && e.contains("did you mean `analysis`"),
            "{e}"
        );
        let e = Objectives::parse("forecast+forward")
            .unwrap_err()
            .to_string();
        assert!(e.contains("leaves F or G untrained"), "{e}");
    }

    #[test]
    fn a_diverging_cycle_reports_an_infinite_error() {
        let m = model(1.0);
        let w = Windows::new(&m).unwrap();
        let mut g = w.train(&w.population(), Objectives::SUPERVISED).unwrap();
        g.f.m = g.f.m * 3.0;
        g.g.b_u = Array2::eye(4);
        assert!(w.cycled(&g).mse.is_infinite());
    }

    #[test]
    fn with_affine_models_forward_alignment_moves_f_but_not_the_cycle() {
        // G refitted on (1, F x, y) spans the same inputs for any invertible affine F, so the
        // cycle, which sees F only through B_u F and B_u c_F + c_G, is unchanged
        let m = model(1.0);
        let w = Windows::new(&m).unwrap();
        let mut rng = crate::mc::stream(11, 0, 0);
        let s = w.sample(100, &mut rng);
        let sup = w.train(&s, Objectives::SUPERVISED).unwrap();
        let fwd = w
            .train(
                &s,
                Objectives {
                    forward: true,
                    ..Objectives::SUPERVISED
                },
            )
            .unwrap();
        let moved = (&fwd.f.m - &sup.f.m)
            .iter()
            .fold(0.0f64, |a, v| a.max(v.abs()));
        assert!(
            moved > 1e-3,
            "forward alignment left F where it was ({moved})"
        );
        let (a, b) = (w.cycled(&sup).mse, w.cycled(&fwd).mse);
        assert!((a - b).abs() <= 1e-12 * a, "{a} vs {b}");
        // backward alignment constrains G on other inputs and does move the cycle
        let bwd = w
            .train(
                &s,
                Objectives {
                    backward: true,
                    ..Objectives::SUPERVISED
                },
            )
            .unwrap();
        assert!((w.cycled(&bwd).mse - a).abs() > 1e-3 * a);
    }
}
