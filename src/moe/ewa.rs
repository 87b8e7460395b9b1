//! Mirror averaging (the progressive mixture rule; Juditsky, Rigollet, Tsybakov 2008) over a
//! finite set of experts theta_1..theta_M with prior pi: after k samples the weights are
//! w_k(j) ∝ pi_j exp(-L_k(j) / beta), L_k(j) the cumulative loss of expert j on the first k
//! samples, and the aggregate is the average of the k = 0..n-1 mixtures,
//! theta_bar = (1/n) sum_k sum_j w_k(j) theta_j. For linear experts f_theta = theta^T phi the
//! mixture of predictions is the prediction of the mixed parameter, so theta_bar is the aggregate.
use ndarray::Array2;

/// theta_bar from the samples (x: n x p features, y: n targets) in their order. `loss(y, f)`
/// is the per-sample loss; `log_prior` has one entry per row of `experts` (M x p).
/// One exp per expert per sample: the weights are updated multiplicatively and renormalised.
pub fn mirror_averaging(
    experts: &Array2<f64>,
    log_prior: &[f64],
    beta: f64,
    x: &Array2<f64>,
    y: &[f64],
    loss: impl Fn(f64, f64) -> f64,
) -> Vec<f64> {
    let p = experts.ncols();
    let th = experts.as_standard_layout();
    let ts = th.as_slice().unwrap_or(&[]);
    let xs = x.as_standard_layout();
    let xv = xs.as_slice().unwrap_or(&[]);
    let top = crate::prob::max_of(log_prior);
    let mut w: Vec<f64> = log_prior.iter().map(|l| (l - top).exp()).collect();
    let mut acc = vec![0.0; p];
    let n = y.len();
    for (i, yi) in y.iter().enumerate() {
        // the mixture w_i (built from samples 0..i-1) enters the average
        let total: f64 = w.iter().sum();
        for (j, wj) in w.iter().enumerate() {
            let c = wj / total;
            for k in 0..p {
                acc[k] += c * ts[j * p + k];
            }
        }
        // then sample i updates the weights
        let xi = &xv[i * p..(i + 1) * p];
        let mut norm = 0.0f64;
        for (j, wj) in w.iter_mut().enumerate() {
            let mut f = 0.0;
            for k in 0..p {
                f += ts[j * p + k] * xi[k];
            }
            *wj *= (-loss(*yi, f) / beta).exp();
            norm = norm.max(*wj);
        }
        if norm > 0.0 {
            w.iter_mut().for_each(|v| *v /= norm);
        }
    }
    acc.into_iter().map(|a| a / n.max(1) as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the definition computed independently: log-sum-exp weights from scratch at every k.
    #[test]
    fn matches_the_definition() {
        let experts = ndarray::array![[0.0, 1.0], [0.5, -0.5], [-1.0, 0.2]];
        let lp = [0.5f64.ln(), 0.3f64.ln(), 0.2f64.ln()];
        let x = ndarray::array![[1.0, 0.3], [1.0, -0.7], [1.0, 0.1], [1.0, 0.9]];
        let y = [0.4, -0.2, 0.1, 0.8];
        let loss = |y: f64, f: f64| (y - f) * (y - f);
        let beta = 0.7;
        let got = mirror_averaging(&experts, &lp, beta, &x, &y, loss);
        let mut want = [0.0; 2];
        for k in 0..y.len() {
            let lw: Vec<f64> = (0..3)
                .map(|j| {
                    lp[j]
                        - (0..k)
                            .map(|i| loss(y[i], experts.row(j).dot(&x.row(i))))
                            .sum::<f64>()
                            / beta
                })
                .collect();
            let z: f64 = lw.iter().map(|v| v.exp()).sum();
            for j in 0..3 {
                for c in 0..2 {
                    want[c] += lw[j].exp() / z * experts[[j, c]] / y.len() as f64;
                }
            }
        }
        for c in 0..2 {
            assert!((got[c] - want[c]).abs() < 1e-12, "{got:?} vs {want:?}");
        }
    }
}
