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

/// Keep freed blocks up to 32 MB in the allocator for reuse instead of handing them back
/// to the kernel (glibc's mallopt; once per process, called by `main` and by the Monte Carlo
/// runtime). By default glibc maps every block above 128 KB afresh and unmaps it on free, so
/// a loop that allocates a few arrays of 400 KB per step (an ensemble of 40 members in 1280
/// variables) spends as long in page faults as in arithmetic: one EnSF run there took 22 s
/// (8 s of it in the kernel) and 11.7 s with blocks kept. 32 MB is glibc's own ceiling for
/// its adaptive threshold. No number changes: only where memory comes from.
pub fn keep_freed_memory() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallopt sets two of the allocator's global tuning parameters; any value is
        // valid for them, and glibc takes its own lock.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
            libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
        }
    });
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
    keep_freed_memory();
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

/// `f` on every item, the costliest first: as many workers as the rayon pool has threads
/// each take the next item in descending `cost` (ties in input order), so a long job is
/// never the one left running alone at the end while the other cores idle (the
/// longest-processing-time rule). `f` may itself be parallel. Results come back in input
/// order; costs only order the work, so results do not depend on them.
pub fn longest_first<T, R, C, F>(items: &[T], cost: C, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    C: Fn(&T) -> f64,
    F: Fn(&T) -> R + Sync,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let costs: Vec<f64> = items.iter().map(&cost).collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    // descending; a NaN or missing cost counts as zero
    let key = |i: usize| if costs[i].is_nan() { 0.0 } else { costs[i] };
    order.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let workers = rayon::current_num_threads().min(items.len());
    rayon::scope(|s| {
        for _ in 0..workers {
            s.spawn(|_| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = order.get(k) else { break };
                let r = f(&items[i]);
                *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
            });
        }
    });
    slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .expect("every item is taken by a worker")
        })
        .collect()
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
    fn longest_first_starts_the_costliest_and_keeps_input_order() {
        use std::sync::Mutex;
        let items: Vec<u32> = vec![1, 5, 3, 9, 2];
        let started = Mutex::new(Vec::new());
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| {
                longest_first(
                    &items,
                    |&c| c as f64,
                    |&c| {
                        started.lock().unwrap().push(c);
                        c * 10
                    },
                )
            });
        assert_eq!(one, vec![10, 50, 30, 90, 20]);
        assert_eq!(*started.lock().unwrap(), vec![9, 5, 3, 2, 1]);
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| longest_first(&items, |_| f64::NAN, |&c| c * 10));
        assert_eq!(two, one);
        let none: Vec<u32> = longest_first(&[] as &[u32], |_| 0.0, |&c| c);
        assert!(none.is_empty());
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
