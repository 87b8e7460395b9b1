//! The invariant battery every online domain must pass (the simplex, the ball, and any
//! domain a later family adds): dual clipping lands in the dual unit ball and is idempotent,
//! Hoelder's inequality holds, the lazy (mirror-state) update agrees with the direct prox
//! step, every produced point is at least as costly as `min_linear` says the best is, and
//! FTRL with a huge step attains `min_linear`.
use super::Domain;
use crate::mc::Rng;
use rand::Rng as _;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Run the battery on `trials` random inputs; `Err` names the first broken invariant.
pub fn check_domain(dom: &dyn Domain, trials: usize, rng: &mut Rng) -> Result<(), String> {
    let d = dom.dim();
    if !(dom.r_max_sq() >= 0.0) {
        return Err(format!("R_max^2 = {} < 0", dom.r_max_sq()));
    }
    let tol = 1e-10;
    for t in 0..trials {
        let scale = [0.1, 1.0, 10.0][t % 3];
        let mut v: Vec<f64> = (0..d)
            .map(|_| scale * (2.0 * rng.random::<f64>() - 1.0))
            .collect();
        let eta = [0.01, 0.5, 5.0][(t / 3) % 3];
        // clipping
        let mut c = v.clone();
        dom.clip_dual(&mut c);
        if dom.dual_norm(&c) > 1.0 + tol {
            return Err(format!("clip_dual left dual norm {}", dom.dual_norm(&c)));
        }
        let mut cc = c.clone();
        dom.clip_dual(&mut cc);
        if cc.iter().zip(&c).any(|(a, b)| (a - b).abs() > tol) {
            return Err("clip_dual is not idempotent".into());
        }
        // a point from a random mirror state, the direct and the lazy way
        let mut state = vec![0.0; d];
        dom.start(&mut state);
        let w: Vec<f64> = (0..d).map(|_| 2.0 * rng.random::<f64>() - 1.0).collect();
        dom.prox_update(&mut state, &w, 1.0);
        let mut direct = vec![0.0; d];
        dom.prox_point(&state, &v, eta, &mut direct);
        let mut lazy_state = state.clone();
        dom.prox_update(&mut lazy_state, &v, eta);
        let mut lazy = vec![0.0; d];
        dom.point(&lazy_state, &mut lazy);
        if direct.iter().zip(&lazy).any(|(a, b)| (a - b).abs() > 1e-9) {
            return Err(format!(
                "prox_point {direct:?} != point after prox_update {lazy:?}"
            ));
        }
        // Hoelder, and no point beats the best fixed action
        if dot(&direct, &v).abs() > dom.norm(&direct) * dom.dual_norm(&v) * (1.0 + tol) + tol {
            return Err("Hoelder's inequality fails".into());
        }
        let best = dom.min_linear(&v);
        if dot(&direct, &v) < best - 1e-9 * (1.0 + best.abs()) {
            return Err(format!(
                "a produced point has loss {} below min_linear {best}",
                dot(&direct, &v)
            ));
        }
        // FTRL with a huge step plays the best fixed action
        let mut f = vec![0.0; d];
        dom.ftrl_point(&v, 1e7, &mut f);
        if (dot(&f, &v) - best).abs() > 1e-4 * (1.0 + best.abs()) {
            return Err(format!(
                "FTRL at eta = 1e7 has loss {} but min_linear is {best}",
                dot(&f, &v)
            ));
        }
        v.iter_mut().for_each(|x| *x *= -1.0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::online::{Ball, ClippedSimplex, Simplex};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
        #[test]
        fn simplex_and_ball_pass_the_battery(d in 2usize..40, rho in 0.1f64..10.0, seed in 0u64..1000) {
            let mut rng = crate::mc::stream(seed, 0, 0);
            let s = Simplex::new(d).unwrap();
            prop_assert!(check_domain(&s, 18, &mut rng).is_ok(), "{:?}", check_domain(&s, 18, &mut crate::mc::stream(seed, 0, 0)));
            let b = Ball::new(d, rho).unwrap();
            prop_assert!(check_domain(&b, 18, &mut rng).is_ok(), "{:?}", check_domain(&b, 18, &mut crate::mc::stream(seed, 0, 0)));
            let c = ClippedSimplex::new(d, 0.5 / d as f64 * (rho / 10.0)).unwrap();
            prop_assert!(check_domain(&c, 18, &mut rng).is_ok(), "{:?}", check_domain(&c, 18, &mut crate::mc::stream(seed, 0, 0)));
        }
    }

    /// The ball with a clip that scales into the ball of radius 2: the battery must catch it.
    struct LooseClip(Ball);
    impl Domain for LooseClip {
        fn dim(&self) -> usize {
            self.0.dim()
        }
        fn r_max_sq(&self) -> f64 {
            self.0.r_max_sq()
        }
        fn divergence_diameter_sq(&self) -> f64 {
            self.0.divergence_diameter_sq()
        }
        fn norm(&self, v: &[f64]) -> f64 {
            self.0.norm(v)
        }
        fn dual_norm(&self, v: &[f64]) -> f64 {
            self.0.dual_norm(v)
        }
        fn dual_from_coords(&self, v: &mut [f64]) {
            self.clip_dual(v)
        }
        fn clip_dual(&self, v: &mut [f64]) {
            self.0.clip_dual(v);
            v.iter_mut().for_each(|x| *x *= 2.0);
        }
        fn min_linear(&self, c: &[f64]) -> f64 {
            self.0.min_linear(c)
        }
        fn start(&self, s: &mut [f64]) {
            self.0.start(s)
        }
        fn prox_point(&self, s: &[f64], v: &[f64], eta: f64, out: &mut [f64]) {
            self.0.prox_point(s, v, eta, out)
        }
        fn prox_update(&self, s: &mut [f64], v: &[f64], eta: f64) {
            self.0.prox_update(s, v, eta)
        }
        fn point(&self, s: &[f64], out: &mut [f64]) {
            self.0.point(s, out)
        }
        fn ftrl_point(&self, th: &[f64], eta: f64, out: &mut [f64]) {
            self.0.ftrl_point(th, eta, out)
        }
        fn name(&self) -> &'static str {
            "loose"
        }
    }

    #[test]
    fn the_battery_catches_a_broken_clip() {
        let bad = LooseClip(Ball::new(5, 1.0).unwrap());
        let e = check_domain(&bad, 9, &mut crate::mc::stream(1, 0, 0)).unwrap_err();
        assert!(e.contains("clip_dual"), "{e}");
    }
}
