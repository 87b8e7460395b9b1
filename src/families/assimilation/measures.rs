//! What the assimilation family hands the experiment engine.
use crate::experiment::Measure;

pub static MEASURES: &[Measure] = &[];
