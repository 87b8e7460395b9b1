//! Structured multi-scale Gaussian mixtures.
use super::{Hierarchy, MultiscaleError};
use crate::mc::Rng;
use crate::params::Params;
use crate::prob::Gmm;
use ndarray::{Array1, Array2};
use rand_distr::{Distribution, StandardNormal};

/// A K-component mixture whose covariances are diagonal in the Haar basis with a
/// power-law energy per level, var(level j) = 2^{-alpha j}, and whose modes differ by
/// a separation `sep` (in whitened units) of which the fraction `h` of the squared
/// separation lives at the fine levels (j > L/2) and 1 - h at the coarse levels.
/// With `hetero`, each component scales each level's variance by exp(0.5 g), g ~ N(0, 1).
#[derive(Debug, Clone, PartialEq)]
pub struct MultiscaleGmmSpec {
    pub components: usize,
    pub alpha: f64,
    pub h: f64,
    pub sep: f64,
    pub hetero: bool,
}

impl MultiscaleGmmSpec {
    /// From parameters K, alpha, h, sep, hetero (0/1).
    pub fn from_params(p: &Params) -> Result<Self, MultiscaleError> {
        let s = MultiscaleGmmSpec {
            components: p.usize_at_least("K", 1)?,
            alpha: p.f64_or("alpha", 1.0)?,
            h: p.f64_or("h", 0.5)?,
            sep: p.f64_or("sep", 4.0)?,
            hetero: p.f64_or("hetero", 0.0)? != 0.0,
        };
        s.validate()?;
        Ok(s)
    }

    fn validate(&self) -> Result<(), MultiscaleError> {
        let bad = |reason: String| MultiscaleError::Invalid {
            what: "multi-scale mixture",
            reason,
        };
        if !(0.0..=1.0).contains(&self.h) {
            return Err(bad(format!("h = {}, need 0 <= h <= 1", self.h)));
        }
        if !(self.sep >= 0.0 && self.sep.is_finite()) {
            return Err(bad(format!("sep = {}, need sep >= 0", self.sep)));
        }
        if !self.alpha.is_finite() {
            return Err(bad(format!("alpha = {}", self.alpha)));
        }
        Ok(())
    }

    /// Level-j variance of the Haar coefficients.
    pub fn level_variance(&self, j: usize) -> f64 {
        2f64.powf(-self.alpha * j as f64)
    }

    /// The mixture in Haar coordinates (means and covariances of the coefficients).
    pub fn build_haar(&self, hier: &Hierarchy, rng: &mut Rng) -> Result<Gmm, MultiscaleError> {
        self.validate()?;
        let d = hier.dim();
        let l = hier.levels();
        let cut = l / 2; // coarse levels 0..=cut, fine levels cut+1..=L
        let k = self.components;
        let mut means = Array2::zeros((k, d));
        let mut covs = Vec::with_capacity(k);
        for c in 0..k {
            let mut var = Array1::zeros(d);
            let scale: Vec<f64> = (0..=l)
                .map(|_| {
                    if self.hetero {
                        let g: f64 = StandardNormal.sample(rng);
                        (0.5 * g).exp()
                    } else {
                        1.0
                    }
                })
                .collect();
            for i in 0..d {
                let j = hier.level_of(i);
                var[i] = self.level_variance(j) * scale[j];
            }
            // random unit directions in the coarse and in the fine coordinates
            let mut uc = Array1::<f64>::zeros(d);
            let mut uf = Array1::<f64>::zeros(d);
            for i in 0..d {
                let z: f64 = StandardNormal.sample(rng);
                if hier.level_of(i) <= cut {
                    uc[i] = z;
                } else {
                    uf[i] = z;
                }
            }
            let nc = uc.dot(&uc).sqrt().max(1e-300);
            let nf = uf.dot(&uf).sqrt().max(1e-300);
            let dir = uc / nc * (1.0 - self.h).sqrt() + uf / nf * self.h.sqrt();
            // whitened offset sep / sqrt(2): two components are about sep apart
            let base: Array1<f64> = (0..d)
                .map(|i| self.level_variance(hier.level_of(i)).sqrt())
                .collect();
            means
                .row_mut(c)
                .assign(&(&dir * &base * (self.sep / 2f64.sqrt())));
            covs.push(Array2::from_diag(&var));
        }
        Ok(Gmm::new(&vec![1.0 / k as f64; k], means, covs)?)
    }

    /// The mixture in signal coordinates x = H^T c.
    pub fn build(&self, hier: &Hierarchy, rng: &mut Rng) -> Result<Gmm, MultiscaleError> {
        let g = self.build_haar(hier, rng)?;
        Ok(g.affine(&hier.matrix().t().to_owned(), None, None)?)
    }
}
