//! The Monte Carlo engine: one random stream per (seed, cell, replicate),
//! replicates run in parallel with rayon and collected in replicate order, so
//! results are bit-identical whatever the thread count.
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::io::IsTerminal;

/// The generator every stochastic computation uses.
pub type Rng = ChaCha8Rng;

/// Words reserved for one replicate inside a (seed, cell) stream: 2^40
/// (8 TiB of output), far beyond any replicate here.
const WORDS_PER_REPLICATE: u128 = 1 << 40;

/// A stream number no grid cell uses: replicate i's stream here is shared by every
/// cell (common random numbers across a sweep).
pub const COMMON_CELL: u64 = u64::MAX;

/// The stream of replicate `rep` of grid cell `cell` under master seed `seed`.
/// ChaCha8 keyed by the seed, stream number = cell, word position = rep * 2^40:
/// streams never overlap and any replicate can be regenerated on its own.
pub fn stream(seed: u64, cell: u64, rep: u64) -> Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(cell);
    rng.set_word_pos(rep as u128 * WORDS_PER_REPLICATE);
    rng
}

/// Run `f(rep, rng)` for rep in 0..n in parallel; results in replicate order.
pub fn replicate<T, F>(n: usize, seed: u64, cell: u64, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(u64, &mut Rng) -> T + Sync + Send,
{
    replicate_range(0..n as u64, seed, cell, f)
}

/// `replicate` for the replicates in `reps` only: each is what `replicate` gives at its
/// index, so a longer run can extend a shorter one.
pub fn replicate_range<T, F>(reps: std::ops::Range<u64>, seed: u64, cell: u64, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(u64, &mut Rng) -> T + Sync + Send,
{
    // replicates are the parallelism; a threaded BLAS inside them would oversubscribe
    crate::linalg::single_threaded_blas();
    reps.into_par_iter()
        .map(|rep| {
            let mut rng = stream(seed, cell, rep);
            f(rep, &mut rng)
        })
        .collect()
}

/// Like `replicate` for fallible work: the first error in replicate order wins.
pub fn try_replicate<T, E, F>(n: usize, seed: u64, cell: u64, f: F) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
    F: Fn(u64, &mut Rng) -> Result<T, E> + Sync + Send,
{
    replicate(n, seed, cell, f).into_iter().collect()
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub fn progress(len: u64, message: &str) -> ProgressBar {
    // one display for every bar of the process: configs and entries run side by side
    static BARS: std::sync::OnceLock<MultiProgress> = std::sync::OnceLock::new();
    let bar = if std::io::stderr().is_terminal() {
        BARS.get_or_init(MultiProgress::new)
            .add(ProgressBar::new(len))
    } else {
        ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden())
    };
    if let Ok(style) =
        ProgressStyle::with_template("{msg:30} [{bar:30}] {pos}/{len} {elapsed_precise} eta {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message.to_string());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;

    #[test]
    fn streams_are_distinct_and_reproducible() {
        let a: u64 = stream(1, 0, 0).random();
        let b: u64 = stream(1, 0, 1).random();
        let c: u64 = stream(1, 1, 0).random();
        let d: u64 = stream(2, 0, 0).random();
        assert!(a != b && a != c && a != d && b != c);
        assert_eq!(a, stream(1, 0, 0).random::<u64>());
    }

    #[test]
    fn replicate_is_ordered_and_independent_of_threads() {
        let f = |_rep: u64, rng: &mut Rng| (0..100).map(|_| rng.random::<f64>()).sum::<f64>();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| replicate(64, 7, 3, f));
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| replicate(64, 7, 3, f));
        assert_eq!(one, two);
        // replicate i equals a lone regeneration of stream (7, 3, i)
        let mut r = stream(7, 3, 5);
        assert_eq!(one[5], f(5, &mut r));
    }
}
