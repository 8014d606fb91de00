//! One watchdog per worker instead of a timer per request: each connection keeps a few
//! counters in its [`Activity`], and the worker's [`Watchdog`] reads them a few times per
//! timeout to close the connections that are idle too long or whose responses the client
//! does not take.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::task::AbortHandle;

use crate::body::Body;

/// `Activity::state` packs three counters so that a request costs one atomic operation
/// when it starts, one when its response is handed over and one when it ends:
/// requests in flight (bits 0–19), responses waiting on the client (bits 20–39), and a
/// progress count that only has to differ from one tick to the next (bits 40–63, wrapping).
const BUSY: u64 = 1;
const SENDING: u64 = 1 << 20;
const PROGRESS: u64 = 1 << 40;
const FIELD: u64 = SENDING - 1;

/// How busy one connection is: shared by its requests, its I/O and its worker's [`Watchdog`].
#[derive(Default)]
pub(super) struct Activity {
    /// See [`BUSY`], [`SENDING`] and [`PROGRESS`].
    state: AtomicU64,
    /// A write to the socket is waiting for the client to read.
    write_blocked: AtomicBool,
    /// The worker stops: finish the requests in flight, take no more.
    pub(super) stopping: AtomicBool,
    /// Wakes the connection's task (see `conn::StopSignal`).
    pub(super) waker: std::sync::Mutex<Option<std::task::Waker>>,
}

impl Activity {
    /// A request starts; it counts as busy until the guard (carried by its response body)
    /// is dropped.
    pub(super) fn begin(self: &Arc<Self>) -> Busy {
        self.state.fetch_add(BUSY + PROGRESS, Ordering::Relaxed);
        Busy {
            activity: self.clone(),
            sending: false,
        }
    }

    /// A write to the socket would block (`true`), or went through after blocking (`false`,
    /// which is progress).
    pub(super) fn write_blocked(&self, blocked: bool) {
        self.write_blocked.store(blocked, Ordering::Relaxed);
        if !blocked {
            self.state.fetch_add(PROGRESS, Ordering::Relaxed);
        }
    }

    /// Asks the connection to finish its requests in flight and close.
    pub(super) fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
        let waker = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Keeps a connection busy while a request is handled and its response body sent.
pub(super) struct Busy {
    activity: Arc<Activity>,
    /// Counted in `SENDING`: the response waits on the client (see [`Tracked`]).
    sending: bool,
}

impl Busy {
    /// The handler answered: the response now waits on the client until hyper asks for its
    /// body (see [`Tracked`]).
    pub(super) fn responded(mut self, body: Body) -> Tracked {
        self.activity.state.fetch_add(SENDING, Ordering::Relaxed);
        self.sending = true;
        Tracked { body, busy: self }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        // One operation: busy − 1, sending − 1 if counted, progress + 1 (the wrap carries out
        // of the top bit).
        let done = if self.sending { BUSY + SENDING } else { BUSY };
        self.activity
            .state
            .fetch_add(PROGRESS.wrapping_sub(done), Ordering::Relaxed);
    }
}

/// A response body that keeps its connection busy until hyper is done with it (a streamed
/// response can outlast the handler by far), and tells the watchdog whether it waits on the
/// client (hyper has not asked for more: the socket or the HTTP/2 window is full) or on the
/// application (its last poll was pending: a server-sent event stream between events).
pub(super) struct Tracked {
    body: Body,
    busy: Busy,
}

impl http_body::Body for Tracked {
    type Data = bytes::Bytes;
    type Error = crate::body::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        let mut delta = 0;
        match &polled {
            Poll::Pending => {
                if self.busy.sending {
                    self.busy.sending = false;
                    delta = SENDING.wrapping_neg();
                }
            }
            Poll::Ready(frame) => {
                if !self.busy.sending {
                    self.busy.sending = true;
                    delta = SENDING;
                }
                // hyper asks for a frame only once it took the one before: progress. A
                // body's last frame (a full body's only one) needs no count: its drop is one.
                if matches!(frame, Some(Ok(_))) && !self.body.is_end_stream() {
                    delta = delta.wrapping_add(PROGRESS);
                }
            }
        }
        if delta != 0 {
            self.busy.activity.state.fetch_add(delta, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Closes connections that stay idle (no request in progress, no response being sent) for
/// `header_read_timeout` (a client that connects and sends nothing, trickles a request head,
/// or keeps an idle keep-alive connection), and connections whose responses wait on the
/// client without progress for `write_timeout` (it stopped reading, or keeps its HTTP/2
/// window shut). One per worker, ticking four times per (shorter) timeout, so no timer is
/// armed per request: a connection is closed after between one and one and a half timeouts.
/// It also closes every connection left at the end of a graceful shutdown's grace period.
pub(super) struct Watchdog {
    watched: Vec<Watched>,
    pub(super) ticks: tokio::time::Interval,
    idle_ticks: u32,
    stall_ticks: u32,
}

struct Watched {
    activity: Arc<Activity>,
    task: AbortHandle,
    /// The progress count at the last tick.
    seen: u64,
    /// Ticks in a row that found the connection idle with no progress.
    idle: u32,
    /// Ticks in a row that found a response waiting on the client with no progress.
    stalled: u32,
}

/// Ticks per (shorter) timeout.
const TICKS_PER_TIMEOUT: u32 = 4;

impl Watchdog {
    pub(super) fn new(idle: Duration, write: Duration) -> Self {
        let period = (idle.min(write) / TICKS_PER_TIMEOUT).max(Duration::from_millis(1));
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // One tick more than the timeout holds: the last progress may have come just after
        // the tick that saw the one before.
        let ticks_for = |t: Duration| {
            let n = t.as_nanos().div_ceil(period.as_nanos());
            u32::try_from(n).unwrap_or(u32::MAX - 1) + 1
        };
        Watchdog {
            watched: Vec::new(),
            ticks,
            idle_ticks: ticks_for(idle),
            stall_ticks: ticks_for(write),
        }
    }

    pub(super) fn watch(&mut self, activity: Arc<Activity>, task: AbortHandle) {
        self.watched.push(Watched {
            activity,
            task,
            seen: 0,
            idle: 0,
            stalled: 0,
        });
    }

    /// One tick: forgets finished connections, closes the ones idle or stalled for too long.
    pub(super) fn check(&mut self) {
        let (idle_ticks, stall_ticks) = (self.idle_ticks, self.stall_ticks);
        self.watched.retain_mut(|w| {
            if w.task.is_finished() {
                return false;
            }
            let state = w.activity.state.load(Ordering::Relaxed);
            let (busy, sending, progress) = (state & FIELD, (state >> 20) & FIELD, state >> 40);
            if progress != w.seen {
                (w.seen, w.idle, w.stalled) = (progress, 0, 0);
            } else if sending > 0 || w.activity.write_blocked.load(Ordering::Relaxed) {
                (w.idle, w.stalled) = (0, w.stalled + 1);
                if w.stalled >= stall_ticks {
                    tracing::debug!("closing a connection whose client takes no response data");
                    w.task.abort();
                    return false;
                }
            } else if busy == 0 {
                (w.idle, w.stalled) = (w.idle + 1, 0);
                if w.idle >= idle_ticks {
                    tracing::debug!("closing a connection idle past the header-read timeout");
                    w.task.abort();
                    return false;
                }
            } else {
                // Waiting on the application: a slow handler or a quiet event stream.
                (w.idle, w.stalled) = (0, 0);
            }
            true
        });
    }

    /// Asks every connection to finish its requests in flight and close.
    pub(super) fn stop_all(&self) {
        for w in &self.watched {
            w.activity.stop();
        }
    }

    /// Closes every connection still open.
    pub(super) fn close_all(&mut self) {
        for w in self.watched.drain(..) {
            w.task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(a: &Activity) -> (u64, u64, u64) {
        let s = a.state.load(Ordering::Relaxed);
        (s & FIELD, (s >> 20) & FIELD, s >> 40)
    }

    #[test]
    fn a_request_is_busy_then_sending_then_done() {
        let a = Arc::new(Activity::default());
        let busy = a.begin();
        assert_eq!(fields(&a), (1, 0, 1));
        let tracked = busy.responded(Body::from("x"));
        assert_eq!(fields(&a), (1, 1, 1));
        drop(tracked);
        assert_eq!(fields(&a), (0, 0, 2));
    }

    #[test]
    fn progress_wraps_without_touching_the_other_counts() {
        let a = Arc::new(Activity::default());
        a.state.store(((1 << 24) - 1) << 40, Ordering::Relaxed);
        let busy = a.begin();
        assert_eq!(fields(&a), (1, 0, 0));
        drop(busy);
        assert_eq!(fields(&a), (0, 0, 1));
    }
}
