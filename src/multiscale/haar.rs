//! Orthonormal Haar transforms, O(d) per vector, and the resolution projections.
//!
//! Coefficient layout: the first n_r = 2^r (1-D) or 4^r (2-D) coefficients span the
//! resolution-r signal x^r, so x^R is in one-to-one correspondence with
//! (x^0, w^1, ..., w^R) where w^j = coefficients n_{j-1}..n_j (the level-j details).
use super::MultiscaleError;
use ndarray::{Array1, Array2, ArrayView1};
use std::f64::consts::FRAC_1_SQRT_2;

/// 1-D signals or 2-D square fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Geometry {
    OneD,
    TwoD,
}

/// A resolution hierarchy with levels 0..=L.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    geom: Geometry,
    levels: usize,
    /// 2-D only: flat coefficient position of Mallat-array entry (i, j).
    order: Vec<usize>,
}

fn log2_exact(n: usize) -> Result<usize, MultiscaleError> {
    if n == 0 || !n.is_power_of_two() {
        return Err(MultiscaleError::NotPowerOfTwo(n));
    }
    Ok(n.trailing_zeros() as usize)
}

fn level_of_index(i: usize) -> usize {
    if i == 0 {
        0
    } else {
        (usize::BITS - i.leading_zeros()) as usize
    }
}

impl Hierarchy {
    /// A 1-D hierarchy for signals of length `len` (a power of two).
    pub fn one_d(len: usize) -> Result<Self, MultiscaleError> {
        Ok(Hierarchy {
            geom: Geometry::OneD,
            levels: log2_exact(len)?,
            order: Vec::new(),
        })
    }

    /// A 2-D hierarchy for fields of side `side` (a power of two).
    pub fn two_d(side: usize) -> Result<Self, MultiscaleError> {
        let levels = log2_exact(side)?;
        // flat order: by level max(level(i), level(j)), then row-major within a level
        let mut cells: Vec<(usize, usize, usize)> = (0..side * side)
            .map(|p| {
                let (i, j) = (p / side, p % side);
                (level_of_index(i).max(level_of_index(j)), i, j)
            })
            .collect();
        cells.sort();
        let mut order = vec![0; side * side];
        for (pos, &(_, i, j)) in cells.iter().enumerate() {
            order[i * side + j] = pos;
        }
        Ok(Hierarchy {
            geom: Geometry::TwoD,
            levels,
            order,
        })
    }

    pub fn geometry(&self) -> Geometry {
        self.geom
    }
    /// L, the finest level.
    pub fn levels(&self) -> usize {
        self.levels
    }
    /// Side of a level-r signal: 2^r.
    pub fn side(&self, r: usize) -> usize {
        1 << r
    }
    /// d = n_L.
    pub fn dim(&self) -> usize {
        self.coarse_dim(self.levels)
    }
    /// n_r: dimension of the resolution-r signal (2^r or 4^r).
    pub fn coarse_dim(&self, r: usize) -> usize {
        match self.geom {
            Geometry::OneD => 1 << r,
            Geometry::TwoD => 1 << (2 * r),
        }
    }

    pub fn check_level(&self, r: usize) -> Result<(), MultiscaleError> {
        if r > self.levels {
            Err(MultiscaleError::Level {
                level: r,
                max: self.levels,
            })
        } else {
            Ok(())
        }
    }

    /// Coefficient indices of the level-j details w^j (j >= 1).
    pub fn detail_indices(&self, j: usize) -> Result<std::ops::Range<usize>, MultiscaleError> {
        self.check_level(j)?;
        if j == 0 {
            return Err(MultiscaleError::Level {
                level: 0,
                max: self.levels,
            });
        }
        Ok(self.coarse_dim(j - 1)..self.coarse_dim(j))
    }

    /// Level of coefficient index i in the flat layout.
    pub fn level_of(&self, i: usize) -> usize {
        (0..=self.levels)
            .find(|&r| i < self.coarse_dim(r))
            .unwrap_or(self.levels)
    }

    /// Haar coefficients of x (length d). O(d).
    pub fn forward(&self, x: &[f64]) -> Vec<f64> {
        match self.geom {
            Geometry::OneD => {
                let mut a = x.to_vec();
                let mut tmp = vec![0.0; a.len()];
                let mut n = a.len();
                while n > 1 {
                    let h = n / 2;
                    for i in 0..h {
                        tmp[i] = (a[2 * i] + a[2 * i + 1]) * FRAC_1_SQRT_2;
                        tmp[h + i] = (a[2 * i] - a[2 * i + 1]) * FRAC_1_SQRT_2;
                    }
                    a[..n].copy_from_slice(&tmp[..n]);
                    n = h;
                }
                a
            }
            Geometry::TwoD => {
                let side = self.side(self.levels);
                let mut a = x.to_vec();
                let mut tmp = vec![0.0; side];
                let mut n = side;
                while n > 1 {
                    let h = n / 2;
                    for i in 0..n {
                        for j in 0..h {
                            tmp[j] =
                                (a[i * side + 2 * j] + a[i * side + 2 * j + 1]) * FRAC_1_SQRT_2;
                            tmp[h + j] =
                                (a[i * side + 2 * j] - a[i * side + 2 * j + 1]) * FRAC_1_SQRT_2;
                        }
                        a[i * side..i * side + n].copy_from_slice(&tmp[..n]);
                    }
                    for j in 0..n {
                        for i in 0..h {
                            tmp[i] =
                                (a[2 * i * side + j] + a[(2 * i + 1) * side + j]) * FRAC_1_SQRT_2;
                            tmp[h + i] =
                                (a[2 * i * side + j] - a[(2 * i + 1) * side + j]) * FRAC_1_SQRT_2;
                        }
                        for i in 0..n {
                            a[i * side + j] = tmp[i];
                        }
                    }
                    n = h;
                }
                let mut c = vec![0.0; a.len()];
                for (p, v) in a.iter().enumerate() {
                    c[self.order[p]] = *v;
                }
                c
            }
        }
    }

    /// Inverse transform. O(d).
    pub fn inverse(&self, c: &[f64]) -> Vec<f64> {
        match self.geom {
            Geometry::OneD => {
                let mut a = c.to_vec();
                let mut tmp = vec![0.0; a.len()];
                let mut n = 2;
                while n <= a.len() {
                    let h = n / 2;
                    for i in 0..h {
                        tmp[2 * i] = (a[i] + a[h + i]) * FRAC_1_SQRT_2;
                        tmp[2 * i + 1] = (a[i] - a[h + i]) * FRAC_1_SQRT_2;
                    }
                    a[..n].copy_from_slice(&tmp[..n]);
                    n *= 2;
                }
                a
            }
            Geometry::TwoD => {
                let side = self.side(self.levels);
                let mut a = vec![0.0; c.len()];
                for p in 0..c.len() {
                    a[p] = c[self.order[p]];
                }
                let mut tmp = vec![0.0; side];
                let mut n = 2;
                while n <= side {
                    let h = n / 2;
                    for j in 0..n {
                        for i in 0..h {
                            tmp[2 * i] = (a[i * side + j] + a[(h + i) * side + j]) * FRAC_1_SQRT_2;
                            tmp[2 * i + 1] =
                                (a[i * side + j] - a[(h + i) * side + j]) * FRAC_1_SQRT_2;
                        }
                        for i in 0..n {
                            a[i * side + j] = tmp[i];
                        }
                    }
                    for i in 0..n {
                        for j in 0..h {
                            tmp[2 * j] = (a[i * side + j] + a[i * side + h + j]) * FRAC_1_SQRT_2;
                            tmp[2 * j + 1] =
                                (a[i * side + j] - a[i * side + h + j]) * FRAC_1_SQRT_2;
                        }
                        a[i * side..i * side + n].copy_from_slice(&tmp[..n]);
                    }
                    n *= 2;
                }
                a
            }
        }
    }

    /// Forward transform of every row of X (n x d). O(n d).
    pub fn forward_rows(&self, x: &Array2<f64>) -> Array2<f64> {
        let mut out = Array2::zeros(x.dim());
        for (mut o, r) in out.rows_mut().into_iter().zip(x.rows()) {
            let v = r.to_vec();
            o.assign(&Array1::from(self.forward(&v)));
        }
        out
    }

    /// The orthonormal Haar matrix H (rows are basis vectors: c = H x). Built column by
    /// column with the fast transform; O(d^2). For covariance algebra, not for hot paths.
    pub fn matrix(&self) -> Array2<f64> {
        let d = self.dim();
        let mut h = Array2::zeros((d, d));
        let mut e = vec![0.0; d];
        for j in 0..d {
            e[j] = 1.0;
            let c = self.forward(&e);
            h.column_mut(j).assign(&Array1::from(c));
            e[j] = 0.0;
        }
        h
    }

    /// Block averages of x at resolution r (length n_r; 2-D row-major 2^r x 2^r).
    pub fn project(&self, x: ArrayView1<f64>, r: usize) -> Result<Array1<f64>, MultiscaleError> {
        self.check_level(r)?;
        Ok(self.projection_matrix(r)?.dot(&x))
    }

    /// P^r: the n_r x d block-average matrix.
    pub fn projection_matrix(&self, r: usize) -> Result<Array2<f64>, MultiscaleError> {
        self.check_level(r)?;
        let d = self.dim();
        let nr = self.coarse_dim(r);
        let mut p = Array2::zeros((nr, d));
        match self.geom {
            Geometry::OneD => {
                let b = d / nr;
                for i in 0..nr {
                    for j in 0..b {
                        p[[i, i * b + j]] = 1.0 / b as f64;
                    }
                }
            }
            Geometry::TwoD => {
                let side = self.side(self.levels);
                let sr = self.side(r);
                let b = side / sr;
                let w = 1.0 / (b * b) as f64;
                for bi in 0..sr {
                    for bj in 0..sr {
                        for i in 0..b {
                            for j in 0..b {
                                p[[bi * sr + bj, (bi * b + i) * side + bj * b + j]] = w;
                            }
                        }
                    }
                }
            }
        }
        Ok(p)
    }

    /// P^{r+}: the d x n_r upsampling by repetition, so that P^{r+} P^r is the orthogonal
    /// projection onto signals constant on level-r blocks.
    pub fn upsample_matrix(&self, r: usize) -> Result<Array2<f64>, MultiscaleError> {
        let p = self.projection_matrix(r)?;
        let b = (self.dim() / self.coarse_dim(r)) as f64;
        Ok(p.t().to_owned() * b)
    }

    /// Coefficient indices 0..n as a vector (helper for conditioning sets).
    pub fn range(a: usize, b: usize) -> Vec<usize> {
        (a..b).collect()
    }

    /// The Haar coefficients' Gram: H H^T should be I (used in tests).
    pub fn orthonormality_error(&self) -> f64 {
        let h = self.matrix();
        let g = h.dot(&h.t());
        let d = self.dim();
        (&g - &Array2::<f64>::eye(d))
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
    }

    /// Rows of X projected to resolution r (n x n_r).
    pub fn project_rows(&self, x: &Array2<f64>, r: usize) -> Result<Array2<f64>, MultiscaleError> {
        Ok(x.dot(&self.projection_matrix(r)?.t()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    #[test]
    fn transforms_are_orthonormal_and_invert() {
        for h in [Hierarchy::one_d(16).unwrap(), Hierarchy::two_d(8).unwrap()] {
            assert!(h.orthonormality_error() < 1e-12);
            let x: Vec<f64> = (0..h.dim())
                .map(|i| ((i * 7919) % 13) as f64 - 6.0)
                .collect();
            let back = h.inverse(&h.forward(&x));
            assert!(x.iter().zip(&back).all(|(a, b)| (a - b).abs() < 1e-12));
        }
    }

    #[test]
    fn coarse_coefficients_span_the_block_averages() {
        // x^r = P^r x is a fixed multiple of the first n_r coefficients' synthesis:
        // the coefficients beyond n_r do not change P^r x.
        for h in [Hierarchy::one_d(32).unwrap(), Hierarchy::two_d(8).unwrap()] {
            let d = h.dim();
            for r in 0..=h.levels() {
                let p = h.projection_matrix(r).unwrap();
                let hm = h.matrix();
                // P^r H^T restricted to coefficients >= n_r must vanish
                let ph = p.dot(&hm.t());
                let tail = ph.slice(ndarray::s![.., h.coarse_dim(r)..d]);
                assert!(tail.iter().all(|v| v.abs() < 1e-12), "level {r}");
                // and P^r H^T on the first n_r coefficients is invertible (a scaled orthogonal map)
                let head = ph.slice(ndarray::s![.., 0..h.coarse_dim(r)]).to_owned();
                let g = head.dot(&head.t());
                let s = g[[0, 0]];
                assert!((&g - &(Array2::<f64>::eye(h.coarse_dim(r)) * s))
                    .iter()
                    .all(|v| v.abs() < 1e-12));
            }
        }
    }

    #[test]
    fn bad_sizes_are_errors() {
        assert_eq!(
            Hierarchy::one_d(12).unwrap_err(),
            MultiscaleError::NotPowerOfTwo(12)
        );
        assert!(Hierarchy::two_d(0).is_err());
        let h = Hierarchy::one_d(8).unwrap();
        assert!(h.projection_matrix(4).is_err());
        assert!(h.project(Array1::zeros(8).view(), 3).is_ok());
    }
}
