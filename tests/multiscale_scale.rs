//! Scale: d = 1024 signals (1-D, 2^10) and 32 x 32 fields without NaN, separations of
//! 50 standard deviations kept finite by the log domain, and the IR conditionals at d = 256.
use boundlab::mc;
use boundlab::multiscale::{AffineDynamics, Hierarchy, IrModel, MultiscaleGmmSpec};
use ndarray::Axis;

#[test]
fn density_and_score_stay_finite_at_d_1024_and_50_sigma() {
    for hier in [
        Hierarchy::one_d(1024).unwrap(),
        Hierarchy::two_d(32).unwrap(),
    ] {
        let spec = MultiscaleGmmSpec {
            components: 2,
            alpha: 0.5,
            h: 0.5,
            sep: 50.0,
            hetero: true,
        };
        let mut rng = mc::stream(9, 0, 0);
        let g = spec.build(&hier, &mut rng).unwrap();
        let (x, _) = g.sample(300, &mut rng);
        let (lp, sc) = g.log_density_and_score(x.view()).unwrap();
        assert!(lp.iter().all(|v| v.is_finite()) && sc.iter().all(|v| v.is_finite()));
        // far from both modes the density is tiny but its log and score are finite
        let far = x.mapv(|v| v * 30.0);
        let (lpf, scf) = g.log_density_and_score(far.view()).unwrap();
        assert!(lpf.iter().all(|v| v.is_finite()) && scf.iter().all(|v| v.is_finite()));
        // the modes really are tens of standard deviations apart
        let delta = &g.mean_of(0) - &g.mean_of(1);
        assert!(g.cov_of(0).quad(delta.view()).unwrap().sqrt() > 25.0);
    }
}

#[test]
fn ir_conditionals_at_d_256() {
    let hier = Hierarchy::one_d(256).unwrap();
    let spec = MultiscaleGmmSpec {
        components: 2,
        alpha: 1.0,
        h: 0.5,
        sep: 50.0,
        hetero: true,
    };
    let mut rng = mc::stream(10, 0, 0);
    let g = spec.build(&hier, &mut rng).unwrap();
    let dynm = AffineDynamics::smoothing_shift(&hier, 0.9, 0.2, 1, 0.1, 0.3).unwrap();
    let ir = IrModel::new(hier, &g, &dynm).unwrap();
    let r = 6;
    let cond = ir.detail_given_coarse_and_previous(r).unwrap();
    let (z, _) = ir.joint.sample(50, &mut rng);
    let (mut u, w, prev, _) = ir.sets(r).unwrap();
    u.extend(prev);
    let lp = cond
        .log_density(z.select(Axis(1), &u).view(), z.select(Axis(1), &w).view())
        .unwrap();
    assert!(lp.iter().all(|v| v.is_finite()));
    let tv = cond.total_variance(z.select(Axis(1), &u).view()).unwrap();
    assert!(tv.iter().all(|v| v.is_finite() && *v > 0.0));
}
