//! Per-worker resources: one value per worker thread (a connection, a buffer, a client),
//! made on first use on that thread and replaced when it breaks.
//!
//! Under thread per core ([`Scheduler::ThreadPerCore`](crate::Scheduler)), each worker thread
//! serves its connections start to finish on a single-threaded runtime, so a value kept per
//! thread is used by that worker's requests only: no lock, no pool to wait on, no cross-thread
//! wake-up. A multiplexed database connection, for instance, is driven by a task of the
//! runtime that opened it; opened per worker, a request and its I/O never leave their thread.
//! A battery keeps a [`PerWorker`] in its shared state and asks it for this thread's value:
//!
//! ```
//! use hearth::worker::PerWorker;
//!
//! /// A battery's client: one connection per worker thread.
//! struct Cache {
//!     addr: String,
//!     conns: PerWorker<Conn>,
//! }
//!
//! /// A connection (a stand-in here: a real one would hold a socket).
//! struct Conn {
//!     addr: String,
//! }
//!
//! impl Conn {
//!     async fn open(addr: &str) -> std::io::Result<Conn> {
//!         Ok(Conn { addr: addr.to_owned() })
//!     }
//!     async fn get(&self, key: &str) -> std::io::Result<String> {
//!         Ok(format!("{key} from {}", self.addr))
//!     }
//! }
//!
//! impl Cache {
//!     async fn get(&self, key: &str) -> std::io::Result<String> {
//!         // This thread's connection, opened on first use (or after it broke).
//!         let conn = self
//!             .conns
//!             .get_or_try_init_async(|| Conn::open(&self.addr))
//!             .await?;
//!         let answer = conn.get(key).await;
//!         if answer.is_err() {
//!             // Retire it: the next request on this thread opens a new one.
//!             conn.invalidate();
//!         }
//!         answer
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let cache = Cache { addr: "cache:7000".into(), conns: PerWorker::bound_to_runtime() };
//! assert_eq!(cache.get("a").await.unwrap(), "a from cache:7000");
//! # }
//! ```
//!
//! # Which thread gets which value
//!
//! - **Thread per core**: one value per worker thread, used only by that worker's requests.
//! - **Work stealing** ([`Scheduler::WorkStealing`](crate::Scheduler)): one value per runtime
//!   thread that asks, so at most one per worker thread. A task that moves to another thread
//!   while it holds a [`Local`] keeps using the value it took (which is why a value held
//!   across an `.await` in a handler must be `Send + Sync`); the next request on that other
//!   thread uses that thread's own value.
//! - **Outside a server** (tests, [`TestClient`](crate::testing::TestClient), a job): one value
//!   per thread that asks, whatever runs there. A value made by [`PerWorker::bound_to_runtime`]
//!   remembers the tokio runtime it was made on, and once that runtime has shut down (each
//!   `#[tokio::test]` has its own) the value is replaced instead of handed out dead.
//!
//! # Replacement and release
//!
//! - [`Local::invalidate`] retires one value, from any thread (the task that saw it fail may
//!   have moved); the next use on the value's thread makes a new one.
//!   [`PerWorker::invalidate`] retires the current thread's value.
//! - A value of [`PerWorker::bound_to_runtime`] is retired once its runtime has shut down.
//! - A failed construction keeps nothing: the next use tries again.
//! - Dropping a [`PerWorker`] drops the current thread's value at once and each other
//!   thread's the next time that thread uses any per-worker value. A retired value is dropped
//!   when its thread replaces it (a [`Local`] still held keeps it alive until then).
//!
//! Tasks of one thread that ask for the value while it is being made by
//! [`get_or_try_init_async`](PerWorker::get_or_try_init_async) wait for it rather than each
//! making their own: the first burst of requests on a worker opens one connection, not one
//! per request. If that attempt fails, each waiting task makes its own attempt at once
//! instead of queueing behind another's: an error is not shared, and during an outage a
//! request waits for at most two attempts. The thread keeps the first value made; any other
//! made meanwhile is dropped.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

/// One value of type `T` per worker thread, made on first use on each thread; see the
/// [module](self) documentation.
///
/// Keep it in the battery's shared state (it is `Send + Sync` whatever `T` is: each value
/// stays on the thread that made it, and only [`Local`] handles travel).
pub struct PerWorker<T> {
    /// Tells this instance's values apart from other instances' in a thread's table.
    id: u64,
    /// Dropped with the instance: threads then release its values.
    alive: Arc<()>,
    /// Values remember the runtime they were made on and are retired when it is gone.
    runtime_bound: bool,
    _value: PhantomData<fn() -> T>,
}

/// A handle on one thread's value of a [`PerWorker`]: derefs to the value, can
/// [`invalidate`](Local::invalidate) it, and keeps it alive while held. Cloning is cheap
/// (the clones share the value).
pub struct Local<T> {
    entry: Arc<Entry<T>>,
}

/// A value and what retires it.
struct Entry<T> {
    value: T,
    retired: AtomicBool,
    /// Alive while the runtime the value was made on runs (bound values only).
    runtime: Option<Weak<()>>,
}

impl<T> Entry<T> {
    fn usable(&self) -> bool {
        !self.retired.load(Ordering::Acquire)
            && self.runtime.as_ref().is_none_or(|r| r.strong_count() > 0)
    }
}

/// A value in a thread's table, its type erased (the instance's id determines it).
trait Erased {
    fn usable(&self) -> bool;
    fn retire(&self);
    fn as_any(&self) -> &dyn Any;
}

impl<T: 'static> Erased for Arc<Entry<T>> {
    fn usable(&self) -> bool {
        Entry::usable(self)
    }
    fn retire(&self) {
        self.retired.store(true, Ordering::Release);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One instance's place in a thread's table.
struct Slot {
    id: u64,
    owner: Weak<()>,
    value: Option<Box<dyn Erased>>,
    /// A task of this thread is making the value.
    making: Option<Arc<Making>>,
}

/// A construction in progress, which tasks of the same thread wait for.
struct Making {
    done: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Making {
    fn new() -> Arc<Self> {
        Arc::new(Making {
            done: AtomicBool::new(false),
            notify: tokio::sync::Notify::new(),
        })
    }

    async fn wait(&self) {
        let notified = self.notify.notified();
        let mut notified = std::pin::pin!(notified);
        // Registered before `done` is read: a construction that ends in between still wakes
        // this task.
        notified.as_mut().enable();
        if !self.done.load(Ordering::Acquire) {
            notified.await;
        }
    }
}

/// Held by the task making a value; dropped when it is done, failed or was cancelled.
struct Claim(Arc<Making>);

impl Drop for Claim {
    fn drop(&mut self) {
        self.0.done.store(true, Ordering::Release);
        self.0.notify.notify_waiters();
    }
}

thread_local! {
    /// This thread's values, a few at most (one per instance used here): a vector beats a map.
    static SLOTS: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
}

/// What the current thread has for an instance.
enum Found<T> {
    Ready(Local<T>),
    /// Another task of this thread is making it.
    Making(Arc<Making>),
    /// Nothing: the caller now makes it (asked for with `claim`).
    Claimed(Arc<Making>),
    Missing,
}

/// Runs `f` on this thread's table. `None` when the table cannot be used: the thread is
/// exiting (its table already destroyed), or a value's `Drop` or `Clone` asks for a
/// per-worker value. Values taken out of the table are returned by `f` and dropped here,
/// after the table is released, so that their `Drop` may use per-worker values too.
fn with_slots<R>(f: impl FnOnce(&mut Vec<Slot>, &mut Vec<Box<dyn Erased>>) -> R) -> Option<R> {
    let mut dead = Vec::new();
    let r = SLOTS
        .try_with(|slots| {
            let mut slots = slots.try_borrow_mut().ok()?;
            Some(f(&mut slots, &mut dead))
        })
        .ok()
        .flatten();
    drop(dead);
    r
}

/// A token that lives as long as the current tokio runtime (none outside one): held by a
/// task that never ends, which the runtime drops when it shuts down.
fn runtime_token() -> Option<Weak<()>> {
    let handle = tokio::runtime::Handle::try_current().ok()?;
    let token = Arc::new(());
    let weak = Arc::downgrade(&token);
    handle.spawn(async move {
        let _token = token;
        std::future::pending::<()>().await
    });
    Some(weak)
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

impl<T: 'static> PerWorker<T> {
    /// Values that stay valid on their thread until invalidated: buffers, caches, clients
    /// that do not depend on a runtime.
    pub fn new() -> Self {
        Self::with_binding(false)
    }

    /// Values tied to the tokio runtime they were made on (connections driven by one of its
    /// tasks): once that runtime has shut down, the thread's next use makes a new value.
    /// A value made outside any runtime is not tied.
    pub fn bound_to_runtime() -> Self {
        Self::with_binding(true)
    }

    fn with_binding(runtime_bound: bool) -> Self {
        PerWorker {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            alive: Arc::new(()),
            runtime_bound,
            _value: PhantomData,
        }
    }

    /// The current thread's value, if it has a usable one.
    pub fn get(&self) -> Option<Local<T>> {
        match self.lookup(false) {
            Some(Found::Ready(local)) => Some(local),
            _ => None,
        }
    }

    /// The current thread's value, made with `init` if it has none (or its value was
    /// retired).
    pub fn get_or_init(&self, init: impl FnOnce() -> T) -> Local<T> {
        match self.get_or_try_init(|| Ok::<T, std::convert::Infallible>(init())) {
            Ok(local) => local,
            Err(never) => match never {},
        }
    }

    /// The current thread's value, made with `init` if it has none; an error is returned
    /// and nothing kept, so the next use tries again.
    pub fn get_or_try_init<E>(&self, init: impl FnOnce() -> Result<T, E>) -> Result<Local<T>, E> {
        if let Some(Found::Ready(local)) = self.lookup(false) {
            return Ok(local);
        }
        let value = init()?;
        Ok(self.keep(value, None))
    }

    /// The current thread's value, made by the future `init` returns if it has none. Tasks
    /// of this thread that ask meanwhile wait for it (see the [module](self) documentation).
    pub async fn get_or_init_async<F, Fut>(&self, init: F) -> Local<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let made = self
            .get_or_try_init_async(|| async { Ok::<T, std::convert::Infallible>(init().await) })
            .await;
        match made {
            Ok(local) => local,
            Err(never) => match never {},
        }
    }

    /// The current thread's value, made by the future `init` returns if it has none; an
    /// error is returned and nothing kept. Tasks of this thread that ask while it is being
    /// made wait for it; if it fails, they try again at once, each on its own.
    pub async fn get_or_try_init_async<E, F, Fut>(&self, init: F) -> Result<Local<T>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut waited = false;
        let claim = loop {
            match self.lookup(true) {
                Some(Found::Ready(local)) => return Ok(local),
                Some(Found::Making(making)) if !waited => {
                    making.wait().await;
                    waited = true;
                }
                Some(Found::Claimed(making)) => break Some(Claim(making)),
                // Waited once already, or no table (the thread is exiting): make one here.
                Some(Found::Making(_) | Found::Missing) | None => break None,
            }
        };
        // An error or a cancellation drops the claim: the waiting tasks wake and retry.
        let value = init().await?;
        let local = self.keep(value, claim.as_ref());
        drop(claim);
        Ok(local)
    }

    /// Retires the current thread's value (dropping it unless a [`Local`] still holds it):
    /// the next use on this thread makes a new one.
    pub fn invalidate(&self) {
        with_slots(|slots, dead| {
            if let Some(value) = slots
                .iter_mut()
                .find(|s| s.id == self.id)
                .and_then(|s| s.value.take())
            {
                value.retire();
                dead.push(value);
            }
        });
    }

    /// Looks the current thread's value up, forgetting on the way whatever is dead in the
    /// table (values retired or of dropped instances, finished constructions). With `claim`,
    /// a missing value is claimed for the caller to make.
    fn lookup(&self, claim: bool) -> Option<Found<T>> {
        with_slots(|slots, dead| {
            let mut found = Found::Missing;
            let mut seen = false;
            slots.retain_mut(|slot| {
                if slot.owner.strong_count() == 0 {
                    dead.extend(slot.value.take());
                    return false;
                }
                if slot.value.as_ref().is_some_and(|v| !v.usable()) {
                    dead.extend(slot.value.take());
                }
                if slot
                    .making
                    .as_ref()
                    .is_some_and(|m| m.done.load(Ordering::Acquire))
                {
                    // Its task finished on another thread (work stealing) or was cancelled.
                    slot.making = None;
                }
                if slot.id == self.id {
                    seen = true;
                    found = match (&slot.value, &slot.making) {
                        (Some(v), _) => {
                            Self::local(v.as_ref()).map_or(Found::Missing, Found::Ready)
                        }
                        (None, Some(making)) => Found::Making(making.clone()),
                        (None, None) if claim => {
                            let making = Making::new();
                            slot.making = Some(making.clone());
                            Found::Claimed(making)
                        }
                        (None, None) => Found::Missing,
                    };
                }
                slot.value.is_some() || slot.making.is_some()
            });
            if !seen && claim {
                let making = Making::new();
                slots.push(Slot {
                    id: self.id,
                    owner: Arc::downgrade(&self.alive),
                    value: None,
                    making: Some(making.clone()),
                });
                found = Found::Claimed(making);
            }
            found
        })
    }

    /// Keeps `value` as the current thread's, unless a usable one appeared meanwhile (made by
    /// a task that did not wait, or by a synchronous call): then that one is returned and
    /// `value` dropped, so that the thread keeps one. Clears `claim`'s mark. Without a
    /// table (the thread is exiting), `value` is returned without being kept.
    fn keep(&self, value: T, claim: Option<&Claim>) -> Local<T> {
        let entry = Arc::new(Entry {
            value,
            retired: AtomicBool::new(false),
            runtime: if self.runtime_bound {
                runtime_token()
            } else {
                None
            },
        });
        let kept = with_slots(|slots, dead| {
            let index = match slots.iter().position(|s| s.id == self.id) {
                Some(i) => i,
                None => {
                    slots.push(Slot {
                        id: self.id,
                        owner: Arc::downgrade(&self.alive),
                        value: None,
                        making: None,
                    });
                    slots.len() - 1
                }
            };
            let slot = &mut slots[index];
            if let (Some(claim), Some(making)) = (claim, &slot.making) {
                if Arc::ptr_eq(&claim.0, making) {
                    slot.making = None;
                }
            }
            if let Some(existing) = slot.value.as_ref().filter(|v| v.usable()) {
                if let Some(existing) = Self::local(existing.as_ref()) {
                    // `value` is dropped on return, outside the table.
                    return existing;
                }
            }
            dead.extend(slot.value.replace(Box::new(entry.clone())));
            Local {
                entry: entry.clone(),
            }
        });
        kept.unwrap_or_else(|| Local { entry })
    }

    fn local(value: &dyn Erased) -> Option<Local<T>> {
        value
            .as_any()
            .downcast_ref::<Arc<Entry<T>>>()
            .map(|entry| Local {
                entry: entry.clone(),
            })
    }
}

impl<T: 'static> Default for PerWorker<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for PerWorker<T> {
    fn drop(&mut self) {
        // This thread's value goes now; the other threads' when they next look (`alive`).
        with_slots(|slots, dead| {
            if let Some(i) = slots.iter().position(|s| s.id == self.id) {
                dead.extend(slots.swap_remove(i).value);
            }
        });
    }
}

impl<T> std::fmt::Debug for PerWorker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerWorker")
            .field("value", &std::any::type_name::<T>())
            .field("bound_to_runtime", &self.runtime_bound)
            .finish()
    }
}

impl<T> Local<T> {
    /// Retires this value: its thread's next use makes a new one. Callable from any thread,
    /// for instance by a task that moved since it took the value; a value that was already
    /// replaced is left alone, and so is its replacement.
    pub fn invalidate(&self) {
        self.entry.retired.store(true, Ordering::Release);
    }

    /// Whether this value is still its thread's: neither invalidated nor made on a runtime
    /// that has since shut down.
    pub fn is_valid(&self) -> bool {
        Entry::usable(&self.entry)
    }
}

impl<T> std::ops::Deref for Local<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.entry.value
    }
}

impl<T> Clone for Local<T> {
    fn clone(&self) -> Self {
        Local {
            entry: self.entry.clone(),
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Local<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Local")
            .field("value", &self.entry.value)
            .field("valid", &self.is_valid())
            .finish()
    }
}
