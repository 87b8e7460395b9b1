//! The experiment engine: a TOML config -> a grid of prepared cells -> replicated
//! measurements -> results JSON (written cell by cell, atomically) -> figures. It names no
//! family: measurements and pictures come from the registry it is handed.
mod chart;
mod config;
mod measure;
mod reproduce;
mod results;
mod runner;

pub use chart::{build_chart, CHART_KINDS};
pub use config::{Config, ConfigError, FigureSpec, OneOrMany, Quick};
pub use measure::{Drawing, Measure, Metrics, Picture, Replicate};
pub use reproduce::{audit_figures, list_configs, reproduce};
pub use results::{CellResult, MetricStats, Results, RunSummary, DISPLAY_LEVEL};
pub use runner::run_config;
