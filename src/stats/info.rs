//! Agreement between two labellings: contingency table and normalised mutual information.

/// Counts n[a][b] of the pairs (labels_a[i], labels_b[i]); sizes ka x kb.
pub fn contingency(a: &[usize], b: &[usize], ka: usize, kb: usize) -> Vec<Vec<u64>> {
    let mut n = vec![vec![0u64; kb]; ka];
    for (&i, &j) in a.iter().zip(b) {
        if i < ka && j < kb {
            n[i][j] += 1;
        }
    }
    n
}

/// Normalised mutual information I(A; B) / ((H(A) + H(B)) / 2) of two labellings (natural
/// logs; the arithmetic normalisation of scikit-learn's default). 0 when either labelling is
/// constant (no information to share), 1 when they agree up to a relabelling.
pub fn normalized_mutual_information(a: &[usize], b: &[usize]) -> f64 {
    let ka = a.iter().max().map_or(0, |m| m + 1);
    let kb = b.iter().max().map_or(0, |m| m + 1);
    nmi_of_table(&contingency(a, b, ka, kb))
}

/// The normalised mutual information of a contingency table of counts (rows: one labelling,
/// columns: the other), as `normalized_mutual_information` defines it.
pub fn nmi_of_table(n: &[Vec<u64>]) -> f64 {
    let total: f64 = n.iter().flatten().sum::<u64>() as f64;
    if total == 0.0 {
        return 0.0;
    }
    let kb = n.iter().map(|r| r.len()).max().unwrap_or(0);
    let ra: Vec<f64> = n.iter().map(|r| r.iter().sum::<u64>() as f64).collect();
    let cb: Vec<f64> = (0..kb)
        .map(|j| {
            n.iter()
                .map(|r| r.get(j).copied().unwrap_or(0))
                .sum::<u64>() as f64
        })
        .collect();
    let h = |m: &[f64]| -> f64 {
        m.iter()
            .filter(|&&c| c > 0.0)
            .map(|&c| -(c / total) * (c / total).ln())
            .sum()
    };
    let (ha, hb) = (h(&ra), h(&cb));
    let mut mi = 0.0;
    for (i, row) in n.iter().enumerate() {
        for (j, &c) in row.iter().enumerate() {
            if c > 0 {
                let c = c as f64;
                mi += c / total * (c * total / (ra[i] * cb[j])).ln();
            }
        }
    }
    let denom = 0.5 * (ha + hb);
    if denom <= 0.0 {
        0.0
    } else {
        (mi / denom).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nmi_known_values() {
        // identical up to relabelling
        assert!(
            (normalized_mutual_information(&[0, 0, 1, 1, 2], &[2, 2, 0, 0, 1]) - 1.0).abs() < 1e-12
        );
        // independent (balanced product table)
        assert!(normalized_mutual_information(&[0, 0, 1, 1], &[0, 1, 0, 1]).abs() < 1e-12);
        // constant labelling
        assert_eq!(normalized_mutual_information(&[0, 0, 0], &[0, 1, 2]), 0.0);
        // by hand: table [[2, 0], [1, 2]] of 5; MI = 2 (0.4 ln(5/3)) + 0.2 ln(5/9), H = H(0.4)
        let v = normalized_mutual_information(&[0, 0, 1, 1, 1], &[0, 0, 0, 1, 1]);
        let mi = 0.8 * (5.0f64 / 3.0).ln() + 0.2 * (5.0f64 / 9.0).ln();
        let h = -(0.4f64 * 0.4f64.ln() + 0.6 * 0.6f64.ln());
        assert!((v - mi / h).abs() < 1e-12, "{v}");
        assert!((v - 0.4325).abs() < 1e-3, "{v}");
    }
}
