//! boundlab: learning-theory bounds as executable, falsifiable checks.
//!
//! Module map (dependencies point down the list; `bounds`, `experiment` and the
//! binary use the subject modules, never the other way round):
pub mod assimilation; // ensemble Kalman analyses, particle-filter weights and resamplers, collapse
pub mod bounds; // the catalogue engine: entries, evidence, verdicts, golden summaries
pub mod diffusion; // diffusion samplers on noise-level grids and their exact Gaussian output laws
pub mod dynamics; // Lorenz63, Langford, switching; integrators, Jacobians, Lyapunov spectra
pub mod error; // the crate-level error and its exit codes
pub mod experiment; // configs, grids, the runner, results files, charts
pub mod families; // the harness content: one folder per family, the registry's list
pub mod filter; // Kalman and exact Gaussian-sum filtering
pub mod isoperimetry; // Poincaré and log-Sobolev constants: 1-D finite elements, d-dim bounds
pub mod linalg; // SPD matrices, Cholesky, log-det, whitening (OpenBLAS)
pub mod links; // where an entry is stated, defined and drawn (show, lint)
pub mod mc; // seeded streams per (seed, cell, replicate), rayon replication, progress
pub mod memo; // process-wide memos of pure, expensive builds shared by checks and cells
pub mod moe; // epsilon-nets, finite-class and net ERM for mixture-of-experts bounds
pub mod multiscale; // Haar hierarchy, projections, multi-scale mixtures, affine dynamics
pub mod online; // online linear optimisation with predictable sequences
pub mod params; // named parameter values shared by grids, configs and checks
pub mod plot; // the figure style and chart kinds
pub mod prob; // Gaussians and mixtures: sampling, density, score, conditioning, KL
pub mod registry; // Family and Registry: how the engines find the content
pub mod score; // score models of noised targets: exact, smoothed empirical; score-matching losses
pub mod stats; // confidence intervals, slopes, verdict rules

pub use error::Error;

// Link the system OpenBLAS (cblas + lapack) for ndarray's and ndarray-linalg's products.
extern crate openblas_src;
