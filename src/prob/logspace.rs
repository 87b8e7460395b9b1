//! Arithmetic in the log domain, in one place: the largest value, log-sum-exp, normalised
//! log-weights and softmax. Each subtracts the maximum first, so no term overflows and the
//! largest weight is computed exactly.

/// max_k a_k (-inf for an empty input).
pub fn max_of<'a>(a: impl IntoIterator<Item = &'a f64>) -> f64 {
    a.into_iter().cloned().fold(f64::NEG_INFINITY, f64::max)
}

/// log sum_k exp(a_k), stable; -inf when every a_k is -inf (or there are none).
pub fn log_sum_exp<'a, I>(a: I) -> f64
where
    I: IntoIterator<Item = &'a f64> + Clone,
{
    let m = max_of(a.clone());
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + a.into_iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// log-sum-exp kept as terms arrive (a growing ensemble read at every size): the largest
/// term m so far and sum_k exp(a_k - m), rescaled when a new largest term arrives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunningLogSumExp {
    max: f64,
    scaled: f64,
}

impl Default for RunningLogSumExp {
    fn default() -> Self {
        RunningLogSumExp {
            max: f64::NEG_INFINITY,
            scaled: 0.0,
        }
    }
}

impl RunningLogSumExp {
    pub fn push(&mut self, a: f64) {
        if a > self.max {
            self.scaled = self.scaled * (self.max - a).exp() + 1.0;
            self.max = a;
        } else {
            self.scaled += (a - self.max).exp();
        }
    }
    /// sum_k exp(a_k - max_k a_k): 1 / (the largest normalised weight).
    pub fn relative_to_max(&self) -> f64 {
        self.scaled
    }
    /// log sum_k exp(a_k).
    pub fn value(&self) -> f64 {
        self.max + self.scaled.ln()
    }
}

/// a_k - log sum_j exp(a_j): log-weights that sum to one in the linear domain.
pub fn normalise_log_weights(a: &[f64]) -> Vec<f64> {
    let z = log_sum_exp(a);
    a.iter().map(|v| v - z).collect()
}

/// exp(a_k) / sum_j exp(a_j), in place: a slice (`&mut v[..]`) or an ndarray row
/// (`row.view_mut()`), any stride, no allocation (it runs once per row of every EM step).
///
/// Returns log sum_k exp(a_k) of the input, from the same exps (one per term: a kernel
/// estimate's responsibilities and its log-density come out of one pass).
pub fn softmax_in_place<'a>(a: impl Into<ndarray::ArrayViewMut1<'a, f64>>) -> f64 {
    let mut a = a.into();
    let m = max_of(a.iter());
    let mut z = 0.0;
    for v in a.iter_mut() {
        *v = (*v - m).exp();
        z += *v;
    }
    a.mapv_inplace(|v| v / z);
    m + z.ln()
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_running_log_sum_exp_is_the_batch_one_at_every_length() {
        let a = [-3.0, 2.5, -700.0, 4.0, 4.0, -1.0, 800.0, 1.0];
        let mut r = RunningLogSumExp::default();
        for k in 0..a.len() {
            r.push(a[k]);
            let want = log_sum_exp(&a[..=k]);
            assert!(
                (r.value() - want).abs() < 1e-12 * want.abs().max(1.0),
                "{k}"
            );
            let m = max_of(&a[..=k]);
            let rel: f64 = a[..=k].iter().map(|v| (v - m).exp()).sum();
            assert!((r.relative_to_max() - rel).abs() < 1e-12 * rel);
        }
    }

    use super::*;

    #[test]
    fn log_sum_exp_is_stable_and_exact_on_small_inputs() {
        let a = [1.0, 2.0, 3.0];
        let direct = (1f64.exp() + 2f64.exp() + 3f64.exp()).ln();
        assert!((log_sum_exp(&a) - direct).abs() < 1e-14);
        // shifting every term by c shifts the result by c, far past exp's range
        let big: Vec<f64> = a.iter().map(|v| v + 1e4).collect();
        assert!((log_sum_exp(&big) - (direct + 1e4)).abs() < 1e-9);
        assert_eq!(log_sum_exp(&[f64::NEG_INFINITY; 3]), f64::NEG_INFINITY);
        assert_eq!(log_sum_exp(&[] as &[f64]), f64::NEG_INFINITY);
        // softmax returns the same log-sum-exp from its own exps
        let mut w = big.clone();
        let l = softmax_in_place(&mut w[..]);
        assert!((l - (direct + 1e4)).abs() < 1e-9);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn softmax_and_normalised_weights_agree_and_sum_to_one() {
        let a = [0.3, -700.0, 5.0, 5.0];
        let mut s = a;
        softmax_in_place(&mut s[..]);
        let lw = normalise_log_weights(&a);
        for (x, l) in s.iter().zip(&lw) {
            assert!((x - l.exp()).abs() < 1e-15);
        }
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert_eq!(s[2], s[3]);
    }
}
