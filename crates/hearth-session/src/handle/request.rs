//! The per-request internals behind [`Session`](super::Session): the request's session slot,
//! its state once loaded, and loading it from the store.

use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::SessionError;
use crate::cookie::RequestCookie;
use crate::core::Core;
use crate::id::new_id;
use crate::record::{IndexHint, RecordData, millis, now_ms};

/// What a hand-installed session middleware puts in the request's extensions: the
/// not-yet-loaded session. (The session layer of `SessionModule::for_root` keeps it as its
/// request state instead, read with `hearth_core::lifecycle::request_state`.)
#[derive(Clone)]
pub(crate) struct Slot(pub(crate) Arc<Inner>);

impl Slot {
    /// The request's session: the session layer's (`SessionModule`), else a hand-installed
    /// middleware's.
    pub(super) fn of(extensions: &http::Extensions) -> Option<Slot> {
        if let Some(inner) = hearth_core::lifecycle::request_state::<Inner>(extensions) {
            return Some(Slot(inner));
        }
        extensions.get::<Slot>().cloned()
    }
}

/// One request's session: the cookie it came with and, once loaded, its state. It is the
/// per-request state of the session layer; handlers use [`Session`](super::Session) instead.
pub struct Inner {
    pub(crate) core: Arc<Core>,
    pub(crate) cookie: RequestCookie,
    pub(crate) state: OnceCell<Arc<Mutex<State>>>,
    /// Loading failed (the store did not answer): the middleware does not try the store
    /// again for this request (no `touch` after the handler).
    pub(crate) load_failed: std::sync::atomic::AtomicBool,
}

/// The loaded state of a session.
#[derive(Debug)]
pub(crate) struct State {
    /// The current id; drawn lazily for new sessions.
    pub(crate) id: Option<String>,
    /// The current id exists in the store (the session was loaded from it).
    pub(crate) stored: bool,
    pub(crate) data: RecordData,
    pub(crate) created_at: u64,
    pub(crate) deadline: Option<u64>,
    /// The stored expiry, for the cookie's Max-Age (stored sessions only).
    pub(crate) expires_at: u64,
    /// The data changed and must be saved.
    pub(crate) modified: bool,
    /// `regenerate()` moved a stored session to a new id: the old record, which must still
    /// exist for the data to be carried over (no resurrection), is deleted.
    pub(crate) carried_from: Option<String>,
    /// Stored ids to delete (`destroy()`).
    pub(crate) discard: Vec<String>,
    /// The request's signed cookie named a session the store does not have (or no longer).
    pub(crate) cookie_dead: bool,
    /// The store's index hint of the loaded record, carried to its save.
    pub(crate) index: Option<IndexHint>,
}

impl State {
    pub(super) fn fresh(core: &Core) -> Self {
        Self::fresh_at(core, now_ms())
    }

    /// A new, empty session created at `now` (ms since the epoch).
    fn fresh_at(core: &Core, now: u64) -> Self {
        State {
            id: None,
            stored: false,
            data: RecordData::new(),
            created_at: now,
            deadline: core
                .settings
                .absolute_timeout
                .map(|t| now.saturating_add(millis(t))),
            expires_at: 0,
            modified: false,
            carried_from: None,
            discard: Vec::new(),
            cookie_dead: false,
            index: None,
        }
    }

    pub(super) fn id(&mut self) -> String {
        self.id.get_or_insert_with(new_id).clone()
    }
}

impl Inner {
    pub(crate) fn new(core: Arc<Core>, cookie: RequestCookie) -> Self {
        Inner {
            core,
            cookie,
            state: OnceCell::new(),
            load_failed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Loads the session from the store, once per request.
    pub(super) async fn load(&self) -> Result<Arc<Mutex<State>>, SessionError> {
        self.state
            .get_or_try_init(|| async {
                let core = &self.core;
                // One clock read: the time a new session is created at, and the time a
                // loaded one must still be live at (the store checked it a moment later).
                let now = now_ms();
                let mut state = State::fresh_at(core, now);
                let Some(v) = &self.cookie.verified else {
                    return Ok(Arc::new(Mutex::new(state)));
                };
                {
                    // In a block of its own, so that the record is not kept in this future
                    // across the second store call below.
                    let record = if core.settings.rolling {
                        core.store
                            .load_and_touch(v.id(), core.settings.max_age)
                            .await?
                    } else {
                        core.store.load(v.id()).await?
                    };
                    match record {
                        Some(r) if r.id == v.id() && r.is_live_at(now) => {
                            state.id = Some(r.id);
                            state.stored = true;
                            state.data = r.data;
                            state.created_at = r.created_at;
                            state.deadline = r.deadline;
                            state.expires_at = r.expires_at;
                            state.index = r.index;
                        }
                        _ => state.cookie_dead = true,
                    }
                }
                // A session with a longer lifetime of its own (`set_max_age`) was just
                // extended by the default: extend it by its own (see `Core::load_and_touch`).
                let extend_by = if state.stored && core.settings.rolling {
                    core.own_max_age(&state.data)
                } else {
                    None
                };
                if let Some(own) = extend_by {
                    match core.store.load_and_touch(v.id(), own).await? {
                        Some(r) => state.expires_at = r.expires_at,
                        None => {
                            // Ended between the two calls (logged out elsewhere).
                            state = State::fresh_at(core, now);
                            state.cookie_dead = true;
                        }
                    }
                }
                Ok::<_, SessionError>(Arc::new(Mutex::new(state)))
            })
            .await
            .inspect_err(|_| {
                self.load_failed
                    .store(true, std::sync::atomic::Ordering::Relaxed)
            })
            .cloned()
    }
}
