//! What an idle worker of `Application::run` does before it waits for events.

use std::time::Duration;

/// What a worker of `Application::run` does when it runs out of tasks, just before it waits
/// for events (`ServerConfig::yield_when_idle`). Yielding is `sched_yield`: another thread
/// waiting to run on this core (the client, Redis, a sidecar) runs first, so what it sends
/// is usually ready when the worker looks for events, and the worker neither sleeps nor
/// waits to be woken for it. With nothing else to run, it returns at once.
#[derive(Debug, Clone, Copy)]
pub(super) enum IdleYield {
    /// Wait at once.
    Never,
    /// Work stealing: yield every time. A yield can give the core away for a scheduler slice
    /// (up to milliseconds), but the other workers take over this one's tasks meanwhile.
    Always,
    /// Thread per core: yield only when the previous wait slept. No other worker serves this
    /// one's connections, so a yield made while they had work already waiting (the previous
    /// wait ended at once) would hold them all up for the slice, which shows in the p99
    /// latency (`bench/RESULTS.md`, thirteenth round).
    AfterSleep,
}

/// A wait for events shorter than this found them already there: the worker did not sleep.
const SLEPT_AFTER: Duration = Duration::from_micros(20);

thread_local! {
    /// This worker's current wait for events: when it began, and whether the last one slept.
    static WAIT: std::cell::Cell<(Option<std::time::Instant>, bool)> =
        const { std::cell::Cell::new((None, true)) };
}

impl IdleYield {
    /// Called as the worker starts waiting; returns whether it yielded.
    pub(super) fn before_wait(self) -> bool {
        let yields = match self {
            IdleYield::Never => false,
            IdleYield::Always => true,
            IdleYield::AfterSleep => WAIT.get().1,
        };
        if yields {
            std::thread::yield_now();
        }
        if let IdleYield::AfterSleep = self {
            // The wait is what is timed, not the yield before it.
            WAIT.set((Some(std::time::Instant::now()), false));
        }
        yields
    }

    /// Called as the worker resumes after a wait.
    pub(super) fn after_wait(self) {
        if let (IdleYield::AfterSleep, (Some(began), _)) = (self, WAIT.get()) {
            Self::waited(began.elapsed());
        }
    }

    /// Records how long this worker's last wait for events took.
    fn waited(took: Duration) {
        WAIT.set((None, took >= SLEPT_AFTER));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_per_core_workers_yield_only_after_a_wait_that_slept() {
        // Each test runs on a thread of its own, so this worker state starts fresh.
        let idle = IdleYield::AfterSleep;
        assert!(idle.before_wait(), "the first wait is preceded by a yield");
        IdleYield::waited(Duration::ZERO);
        assert!(
            !idle.before_wait(),
            "the last wait found work already there: keep the core"
        );
        IdleYield::waited(Duration::from_millis(1));
        assert!(idle.before_wait(), "the last wait slept: yield first");
        assert!(IdleYield::Always.before_wait());
        assert!(!IdleYield::Never.before_wait());
    }
}
