//! A multi-scale model from parameters: the hierarchy (`geom`, `L`), the structured mixture
//! prior, the affine dynamics, and the observation model; and the resolution tail against
//! the best rank tail (the Eckart-Young comparison).
use super::{AffineDynamics, Hierarchy, MultiscaleError, MultiscaleGmmSpec};
use crate::filter::StateSpaceModel;
use crate::linalg::eigenvalues;
use crate::mc::Rng;
use crate::params::{Params, Value};
use crate::prob::Gmm;
use ndarray::{s, Array2, Axis};

/// The resolution hierarchy of `geom` ("1d" | "2d") with `L` levels.
pub fn hierarchy(p: &Params) -> Result<Hierarchy, MultiscaleError> {
    let l = p.usize_at_least("L", 1)?;
    if l > 12 {
        return Err(crate::params::out_of_range("L", &Value::from(l), "at most 12 levels").into());
    }
    Ok(match p.str_or("geom", "1d")? {
        "1d" => Hierarchy::one_d(1 << l)?,
        "2d" => Hierarchy::two_d(1 << l)?,
        other => {
            return Err(MultiscaleError::Invalid {
                what: "geometry",
                reason: format!("`{other}`: use 1d or 2d"),
            })
        }
    })
}

/// The parsed model of a parameter set: everything but the random mixture.
#[derive(Debug, Clone)]
pub struct ModelSpec {
    pub hier: Hierarchy,
    pub mixture: MultiscaleGmmSpec,
    pub dynamics: AffineDynamics,
}

impl ModelSpec {
    pub fn from_params(p: &Params) -> Result<ModelSpec, MultiscaleError> {
        let hier = hierarchy(p)?;
        let mixture = MultiscaleGmmSpec::from_params(p)?;
        let dynamics = AffineDynamics::from_params(&hier, p)?;
        Ok(ModelSpec {
            hier,
            mixture,
            dynamics,
        })
    }

    /// Draw the random mixture prior (signal coordinates).
    pub fn build(
        &self,
        rng: &mut Rng,
    ) -> Result<(Hierarchy, Gmm, AffineDynamics), MultiscaleError> {
        let prior = self.mixture.build(&self.hier, rng)?;
        Ok((self.hier.clone(), prior, self.dynamics.clone()))
    }

    /// The prior drawn from the stream `model_seed` (default 1): one fixed model, whatever the
    /// replicate (the checks and measures whose replicates are training sets or draws of it).
    pub fn build_seeded(
        &self,
        p: &Params,
    ) -> Result<(Hierarchy, Gmm, AffineDynamics), MultiscaleError> {
        self.build_from_seed(p.usize_at_least_or("model_seed", 0, 1)? as u64)
    }

    /// The prior drawn from the stream (`seed`, 0, 0): `build_seeded` with the seed read.
    pub fn build_from_seed(
        &self,
        seed: u64,
    ) -> Result<(Hierarchy, Gmm, AffineDynamics), MultiscaleError> {
        self.build(&mut crate::mc::stream(seed, 0, 0))
    }

    /// A level parameter `name` with a default, below L (an IR level or the level IR starts
    /// from); out of range is refused naming it.
    pub fn level_below_l(
        &self,
        p: &Params,
        name: &str,
        default: usize,
    ) -> Result<usize, MultiscaleError> {
        let r = p.usize_at_least_or(name, 0, default)?;
        let levels = self.hier.levels();
        if r >= levels {
            return Err(crate::params::out_of_range(
                name,
                &r.into(),
                &format!("a level below L = {levels}"),
            )
            .into());
        }
        Ok(r)
    }

    /// A resolution level parameter `name` must name a level 0..=L - `below`.
    pub fn level(&self, p: &Params, name: &str, below: usize) -> Result<usize, MultiscaleError> {
        let r = p.usize_at_least(name, 0)?;
        if r + below > self.hier.levels() {
            return Err(crate::params::out_of_range(
                name,
                &r.into(),
                &format!(
                    "resolution level out of range 0..={}",
                    self.hier.levels() - below
                ),
            )
            .into());
        }
        Ok(r)
    }
}

/// Hierarchy, mixture prior (signal coordinates) and dynamics of a parameter set.
pub fn model(
    p: &Params,
    rng: &mut Rng,
) -> Result<(Hierarchy, Gmm, AffineDynamics), MultiscaleError> {
    ModelSpec::from_params(p)?.build(rng)
}

/// (resolution tail E||x - P^{r+} P^r x||^2, best rank-n_r tail) from the exact second moment.
pub fn resolution_and_rank_tails(
    hier: &Hierarchy,
    g: &Gmm,
    r: usize,
) -> Result<(f64, f64), MultiscaleError> {
    let m = g.mean();
    let m2 = g.covariance()
        + m.view()
            .insert_axis(Axis(1))
            .dot(&m.view().insert_axis(Axis(0)));
    let pi = hier.upsample_matrix(r)?.dot(&hier.projection_matrix(r)?);
    let res = &Array2::<f64>::eye(hier.dim()) - &pi;
    let tail = res.dot(&m2).dot(&res.t()).diag().sum();
    let ev = eigenvalues(m2.view())?; // ascending
    let rank_tail: f64 = ev.slice(s![..hier.dim() - hier.coarse_dim(r)]).sum();
    Ok((tail, rank_tail))
}

/// The observation model of a parameter set: y = P^{r_obs} x + N(0, obs_noise^2 I).
pub fn observation_model(
    p: &Params,
    hier: &Hierarchy,
    dynm: &AffineDynamics,
) -> Result<StateSpaceModel, MultiscaleError> {
    let r_obs = p.usize_at_least("r_obs", 0)?;
    let o = hier.projection_matrix(r_obs)?;
    let s = p.positive("obs_noise")?;
    let m = o.nrows();
    Ok(StateSpaceModel::new(
        dynm.a.clone(),
        dynm.b.clone(),
        dynm.q.clone(),
        o,
        Array2::eye(m) * (s * s),
    )?)
}
