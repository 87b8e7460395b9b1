//! Rank correlation: Spearman's rho, the Pearson correlation of mid-ranks (ties share the mean
//! of the ranks they span).

/// Mid-ranks of `x` (1-based; tied values get the mean of their ranks). NaN sorts last.
pub fn mid_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        // positions i..=j (0-based) share the rank (i + j)/2 + 1
        let rank = 0.5 * (i + j) as f64 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = rank;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation of paired samples; `None` for fewer than two pairs, unequal
/// lengths, or a side with every value tied (its ranks have no variance).
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let (rx, ry) = (mid_ranks(x), mid_ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_ties() {
        assert_eq!(mid_ranks(&[3.0, 1.0, 2.0]), vec![3.0, 1.0, 2.0]);
        assert_eq!(mid_ranks(&[2.0, 1.0, 2.0, 5.0]), vec![2.5, 1.0, 2.5, 4.0]);
    }

    /// Without ties, rho = 1 - 6 sum d^2 / (n (n^2 - 1)) (the textbook form, an independent
    /// route); monotone maps give +-1; ties handled by mid-ranks.
    #[test]
    fn spearman_against_the_difference_formula() {
        use rand::{seq::SliceRandom, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for n in [2usize, 3, 5, 9, 30] {
            let x: Vec<f64> = (0..n).map(|i| i as f64 * 1.7 - 3.0).collect();
            let mut y = x.clone();
            y.shuffle(&mut rng);
            let (rx, ry) = (mid_ranks(&x), mid_ranks(&y));
            let d2: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - b) * (a - b)).sum();
            let nf = n as f64;
            let textbook = 1.0 - 6.0 * d2 / (nf * (nf * nf - 1.0));
            let rho = spearman(&x, &y).unwrap();
            assert!(
                (rho - textbook).abs() < 1e-12,
                "n = {n}: {rho} vs {textbook}"
            );
            let exp: Vec<f64> = x.iter().map(|v| v.exp()).collect();
            assert!((spearman(&x, &exp).unwrap() - 1.0).abs() < 1e-12);
            let neg: Vec<f64> = x.iter().map(|v| -v * v * v).collect();
            assert!((spearman(&x, &neg).unwrap() + 1.0).abs() < 1e-12);
        }
        assert_eq!(spearman(&[1.0, 2.0], &[3.0, 3.0]), None);
        assert_eq!(spearman(&[1.0], &[3.0]), None);
        // ties: x = (1, 2, 2, 3), y = (1, 3, 2, 4): Pearson of (1, 2.5, 2.5, 4) and (1, 3, 2, 4)
        let rho = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]).unwrap();
        let (a, b) = ([-1.5, 0.0, 0.0, 1.5], [-1.5, 0.5, -0.5, 1.5]);
        let p: f64 = a.iter().zip(&b).map(|(u, v)| u * v).sum::<f64>()
            / (a.iter().map(|u| u * u).sum::<f64>() * b.iter().map(|v| v * v).sum::<f64>()).sqrt();
        assert!((rho - p).abs() < 1e-12, "{rho} vs {p}");
    }
}
