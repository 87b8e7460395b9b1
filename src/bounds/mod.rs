//! The catalogue engine: what an entry is (`entry`), how its evidence becomes a verdict
//! and how its grid is swept (`run`), and the golden summaries (`golden`). It names no
//! family: the entries live in `crate::families`, one folder per family, and reach the
//! engine through `crate::registry`.
mod entry;
pub mod golden;
mod run;
pub mod selfcheck;

pub use entry::{
    Control, ControlKind, Ctx, Entry, Evidence, Kind, Premise, Scale, Status, Support, Variant,
};
pub use run::{
    evaluate, look_until_decided, policy, run_entry, run_entry_with, seed_sweep, EntryReport,
    Evaluation, PointResult, PremiseSummary, SeedSweep,
};
