//! Process-wide memos of pure, expensive builds (an epsilon-net with its quadrature risks, a
//! score problem's log-Sobolev bands): a grid point's check, its controls and an experiment's
//! cells ask for the same build from several threads, and it is made once.
//!
//! A build must be a pure function of its key: the key names everything the build reads.
//! Concurrent callers of one key wait for the first; callers of other keys do not. A failed
//! build is not remembered (the next caller retries and sees the same error). Each memo keeps
//! at most `CAPACITY` keys and forgets them all when full.
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Keys kept per memo before it is cleared.
pub const CAPACITY: usize = 64;

type Slot = Arc<Mutex<Option<Arc<dyn Any + Send + Sync>>>>;

fn slots() -> &'static Mutex<HashMap<(&'static str, String), Slot>> {
    static SLOTS: OnceLock<Mutex<HashMap<(&'static str, String), Slot>>> = OnceLock::new();
    SLOTS.get_or_init(Default::default)
}

/// The value `build` makes for `key` in the memo `name`, made at most once per process while
/// it is remembered. `name` separates memos (and their value types): one name, one type.
pub fn shared<T, E>(
    name: &'static str,
    key: String,
    build: impl FnOnce() -> Result<T, E>,
) -> Result<Arc<T>, E>
where
    T: Send + Sync + 'static,
{
    let slot = {
        let mut all = slots().lock().unwrap_or_else(|p| p.into_inner());
        if !all.contains_key(&(name, key.clone()))
            && all.keys().filter(|(n, _)| *n == name).count() >= CAPACITY
        {
            all.retain(|(n, _), _| *n != name);
        }
        all.entry((name, key)).or_default().clone()
    };
    let mut held = slot.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(v) = held.as_ref() {
        if let Ok(t) = v.clone().downcast::<T>() {
            return Ok(t);
        }
    }
    let made = Arc::new(build()?);
    *held = Some(made.clone());
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn builds_once_per_key_across_threads() {
        static BUILDS: AtomicUsize = AtomicUsize::new(0);
        let got: Vec<Arc<usize>> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..8)
                .map(|i| {
                    s.spawn(move || {
                        shared("memo-test", format!("k{}", i % 2), || {
                            BUILDS.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            Ok::<usize, ()>(i % 2)
                        })
                        .unwrap()
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(BUILDS.load(Ordering::SeqCst), 2);
        for (i, v) in got.iter().enumerate() {
            assert_eq!(**v, i % 2);
        }
    }

    #[test]
    fn failures_are_not_remembered() {
        let first = shared("memo-test-fail", "k".into(), || Err::<u8, &str>("no"));
        assert_eq!(first.unwrap_err(), "no");
        let second = shared("memo-test-fail", "k".into(), || Ok::<u8, &str>(7));
        assert_eq!(*second.unwrap(), 7);
    }

    #[test]
    fn a_full_memo_is_cleared_not_grown() {
        for i in 0..(CAPACITY + 5) {
            shared("memo-test-cap", format!("{i}"), || Ok::<usize, ()>(i)).unwrap();
        }
        let n = slots()
            .lock()
            .unwrap()
            .keys()
            .filter(|(n, _)| *n == "memo-test-cap")
            .count();
        assert!(n <= CAPACITY, "{n} keys kept");
    }
}
