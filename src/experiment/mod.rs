//! Experiments: a TOML config -> a grid of cells -> replicated measurements ->
//! results JSON (written cell by cell, atomically) -> figures.
mod config;
mod dynamics;
pub mod measures;
mod moe;
mod multiscale;
mod results;

pub use config::{Config, ConfigError, FigureSpec, OneOrMany, Quick};
pub use results::{
    build_chart, list_configs, reproduce, run_config, CellResult, MetricStats, Results, RunSummary,
};
