//! The harness content: one folder per family. A family folder holds one file per topic
//! (the entries whose id is `family.topic[.name]`), `measures.rs` and `pictures.rs` (what
//! experiments sweep and draw), and `mod.rs` with its `FAMILY` value and shared grids.
//!
//! Adding a family: a new folder here, its `theory/NAME.md`, and the two lines below
//! (its `pub mod` and its place in `REGISTRY`); ARCHITECTURE.md lists the index edits.
use crate::registry::Registry;

pub mod assimilation;
pub mod diffusion;
pub mod dynamics;
pub mod isoperimetry;
pub mod moe;
pub mod multiscale;
pub mod online;
pub mod score;

/// Every family, in catalogue order: the one list the CLI, `reproduce` and the tests use.
pub static REGISTRY: Registry = Registry {
    families: &[
        &online::FAMILY,
        &multiscale::FAMILY,
        &dynamics::FAMILY,
        &moe::FAMILY,
        &isoperimetry::FAMILY,
        &score::FAMILY,
        &diffusion::FAMILY,
        &assimilation::FAMILY,
    ],
};
