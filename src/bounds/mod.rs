//! The catalogue engine: what an entry is (`entry`), how its evidence becomes a verdict
//! and how its grid is swept (`run`), and the golden summaries (`golden`). It names no
//! family: the entries live in `crate::families`, one folder per family, and reach the
//! engine through `crate::registry`.
mod entry;
pub mod golden;
mod run;

pub use entry::{Control, ControlKind, Ctx, Entry, Evidence, Kind, Scale, Status, Variant};
pub use run::{
    evaluate, policy, run_entry, seed_sweep, EntryReport, Evaluation, PointResult, SeedSweep,
};
