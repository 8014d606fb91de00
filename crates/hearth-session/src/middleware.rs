//! The session middleware: reads the cookie before the handler, saves after it.

use std::sync::Arc;

use http::HeaderValue;

use super::SessionError;
use super::cookie;
use super::core::Core;
use super::handle::{Inner, Slot, State};
use super::options::SessionOptions;
use super::record::{SessionRecord, now_ms};
use super::service::SessionService;
use hearth_core::lifecycle::{Close, Open, RequestLayer, RouteInfo};
use hearth_core::middleware::{Middleware, Next};
use hearth_core::response::IntoResponse;
use hearth_core::{Request, Response};

/// The session middleware, installed for every route by
/// [`SessionModule::for_root`](super::SessionModule::for_root), or by hand with
/// [`session_middleware`](super::session_middleware) and `Application::use_middleware`.
///
/// Before the handler it only verifies the cookie's signature (no store access); the store is
/// read when a handler or middleware asks for the [`Session`](super::Session). After the
/// handler it saves a changed session once, deletes a destroyed one, extends a valid one
/// (`rolling`), and sets exactly one `Set-Cookie` for the session cookie when needed. If the
/// save fails, the response becomes a 503 (store unavailable) or 500 instead of losing data.
#[derive(Clone)]
pub struct SessionMiddleware {
    core: Arc<Core>,
}

impl std::fmt::Debug for SessionMiddleware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionMiddleware")
            .field("cookie", &self.core.settings.name)
            .finish()
    }
}

/// What to do with the session cookie after the handler. `expires_at` is `None` for a
/// browser-session cookie (`expire_on_close`), which has no expiry to extend.
enum CookieAction {
    None,
    /// The cookie for the session the request's cookie named, extended.
    Renew {
        expires_at: Option<u64>,
    },
    Set {
        id: String,
        expires_at: Option<u64>,
    },
    Remove,
}

impl SessionMiddleware {
    pub(crate) fn from_core(core: Arc<Core>) -> Self {
        SessionMiddleware { core }
    }

    /// Builds the middleware from options; an error lists every problem with them.
    pub fn new(options: SessionOptions) -> hearth_core::Result<Self> {
        Core::from_options(&options)
            .map(Self::from_core)
            .map_err(|problems| {
                hearth_core::Error::startup(
                    problems
                        .into_iter()
                        .map(|p| hearth_core::module::ModuleError::config("SessionModule", p)),
                )
            })
    }

    /// A [`SessionService`] over the same store and options, for apps that install the
    /// middleware by hand.
    pub fn service(&self) -> SessionService {
        SessionService::from_core(self.core.clone())
    }

    /// What to do with the cookie when no store call is needed (`None`: one is). Most
    /// requests end here: a session that was read but not changed, or none at all.
    #[inline]
    fn action_without_store(&self, inner: &Inner) -> Option<CookieAction> {
        let Some(state) = inner.state.get() else {
            // Never loaded: only a valid cookie matters, and only to extend it (a store call),
            // unless the store just failed this request (do not wait on it a second time).
            if inner.load_failed.load(std::sync::atomic::Ordering::Relaxed) {
                return Some(CookieAction::None);
            }
            return match &inner.cookie.verified {
                Some(_) if self.core.settings.rolling => None,
                _ => Some(CookieAction::None),
            };
        };
        let st = state.lock().unwrap_or_else(|e| e.into_inner());
        let writes = st.modified && (st.stored || !st.data.is_empty());
        if writes || !st.discard.is_empty() || st.carried_from.is_some() {
            return None;
        }
        if st.stored {
            return Some(self.renewal(inner, &st));
        }
        Some(if st.cookie_dead && inner.cookie.present {
            CookieAction::Remove
        } else {
            CookieAction::None
        })
    }

    /// The cookie of a stored session nothing changed: renewed (`rolling`, or re-signed with
    /// the current key), or left alone.
    #[inline]
    fn renewal(&self, inner: &Inner, st: &State) -> CookieAction {
        let current_key = inner
            .cookie
            .verified
            .as_ref()
            .is_some_and(|v| v.current_key);
        if !self.core.settings.rolling && current_key {
            return CookieAction::None;
        }
        let id = st.id.as_deref().unwrap_or_default();
        let expires_at = self.core.cookie_expiry(&st.data, st.expires_at);
        if inner.cookie.verified.as_ref().is_some_and(|v| v.id() == id) {
            return CookieAction::Renew { expires_at };
        }
        CookieAction::Set {
            id: id.to_owned(),
            expires_at,
        }
    }

    /// `now`: the time the response is being finished at (ms since the epoch), one clock
    /// read for the whole of `close`.
    async fn finish(&self, inner: &Inner, now: u64) -> Result<CookieAction, SessionError> {
        if let Some(action) = self.action_without_store(inner) {
            return Ok(action);
        }
        let core = &self.core;
        let Some(state) = inner.state.get() else {
            // Never loaded, with a valid cookie: read as well as extended (a session that set
            // a lifetime of its own, `Session::set_max_age`, is extended by that).
            let Some(v) = &inner.cookie.verified else {
                return Ok(CookieAction::None);
            };
            return Ok(match core.load_and_touch(v.id()).await {
                Ok(Some(r)) => CookieAction::Renew {
                    expires_at: core.cookie_expiry(&r.data, r.expires_at),
                },
                Ok(None) => CookieAction::Remove,
                Err(e) => {
                    tracing::warn!(error = %e, "could not extend the session");
                    CookieAction::None
                }
            });
        };
        let (discard, carried_from, write, stored, dead) = {
            let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
            let st: &mut State = &mut st;
            let write = if st.modified && (st.stored || !st.data.is_empty()) {
                let id = st.id.clone().unwrap_or_else(super::id::new_id);
                // Moved out for the save and put back after it (no copy of the data).
                let r: SessionRecord = core.record(
                    id,
                    std::mem::take(&mut st.data),
                    st.created_at,
                    st.deadline,
                    now,
                    st.index.clone(),
                );
                Some(r)
            } else {
                None
            };
            (
                std::mem::take(&mut st.discard),
                st.carried_from.take(),
                write,
                st.stored,
                st.cookie_dead,
            )
        };
        let mut ended = false;
        for id in &discard {
            core.store.delete(id).await?;
            ended = true;
        }
        if let Some(mut record) = write {
            let action = self.write(&mut record, stored, carried_from, now).await;
            state.lock().unwrap_or_else(|e| e.into_inner()).data = record.data;
            return action;
        }
        if let Some(old) = carried_from {
            // Regenerated, then emptied: the old record goes, nothing new is stored.
            core.store.delete(&old).await?;
            ended = true;
        }
        if stored {
            let st = state.lock().unwrap_or_else(|e| e.into_inner());
            return Ok(self.renewal(inner, &st));
        }
        if (ended || dead) && inner.cookie.present {
            return Ok(CookieAction::Remove);
        }
        Ok(CookieAction::None)
    }

    /// Writes a changed session: a new one (created, replacing the one it was regenerated
    /// from), or an update of a stored one that must still exist.
    async fn write(
        &self,
        record: &mut SessionRecord,
        stored: bool,
        carried_from: Option<String>,
        now: u64,
    ) -> Result<CookieAction, SessionError> {
        let core = &self.core;
        if !record.is_live_at(now) {
            // Past the absolute deadline: the session is over.
            if stored {
                core.store.delete(&record.id).await?;
            }
            if let Some(old) = &carried_from {
                core.store.delete(old).await?;
            }
            return Ok(CookieAction::Remove);
        }
        if stored {
            if !core.store.save(record).await? {
                // Destroyed while this request ran: do not bring it back.
                return Ok(CookieAction::Remove);
            }
        } else {
            if let Some(old) = &carried_from {
                if !core.store.delete(old).await? {
                    // Regenerating a session destroyed meanwhile: nothing to carry.
                    return Ok(CookieAction::Remove);
                }
            }
            core.create(record).await?;
        }
        // The caller keeps only the record's data: the id moves into the action.
        Ok(CookieAction::Set {
            id: std::mem::take(&mut record.id),
            expires_at: core.cookie_expiry(&record.data, record.expires_at),
        })
    }
}

impl SessionMiddleware {
    /// Before the handler: the request's session, not loaded yet (only the cookie's
    /// signature is checked).
    fn open(&self, headers: &http::HeaderMap) -> Arc<Inner> {
        let cookie = cookie::read(headers, &self.core.settings.name, &self.core.signer);
        Arc::new(Inner::new(self.core.clone(), cookie))
    }

    /// [`open`](Self::open), for a request whose handler cannot reach the session: only
    /// when the request carries the session cookie (which `close` may extend).
    fn open_if_sent(&self, headers: &http::HeaderMap) -> Option<Arc<Inner>> {
        let cookie = cookie::read(headers, &self.core.settings.name, &self.core.signer);
        cookie
            .present
            .then(|| Arc::new(Inner::new(self.core.clone(), cookie)))
    }

    /// After the handler: saves the session as needed and sets its cookie on `res`; a
    /// failed save replaces the response.
    async fn close(&self, inner: &Inner, res: Response) -> Response {
        let now = now_ms();
        let action = self.finish(inner, now).await;
        self.apply(inner, action, now, res)
    }

    /// Sets the cookie `action` asks for on `res` (a failed save replaces it).
    #[inline]
    fn apply(
        &self,
        inner: &Inner,
        action: Result<CookieAction, SessionError>,
        now: u64,
        mut res: Response,
    ) -> Response {
        let s = &self.core.settings;
        let header: Option<HeaderValue> = match action {
            Ok(CookieAction::None) => None,
            Ok(CookieAction::Renew { expires_at }) => match &inner.cookie.verified {
                Some(v) => self.set_cookie(inner, v.id(), expires_at, now, true),
                None => None,
            },
            // Sent after every write, even with the value the client has: a session that
            // dropped its own lifetime (`reset_max_age`) turns its cookie back into a
            // browser-session one.
            Ok(CookieAction::Set { id, expires_at }) => {
                self.set_cookie(inner, &id, expires_at, now, false)
            }
            Ok(CookieAction::Remove) => cookie::removal(s),
            Err(e) => {
                tracing::error!(error = %e, "session could not be saved");
                return e.into_response();
            }
        };
        if let Some(h) = header {
            cookie::apply(res.headers_mut(), &s.name, h);
        }
        res
    }

    /// The `Set-Cookie` value for `id`, signed with the current key (`None` when the client
    /// already holds it: see `renew`).
    fn set_cookie(
        &self,
        inner: &Inner,
        id: &str,
        expires_at: Option<u64>,
        now: u64,
        renew: bool,
    ) -> Option<HeaderValue> {
        let max_age = expires_at.map(|at| Core::remaining(at, now));
        match &inner.cookie.verified {
            // The request came with this id signed under the current key: the same signed
            // value (HMAC is deterministic), so no HMAC to compute. Renewing a
            // browser-session cookie would send the client what it has: nothing to send.
            Some(v) if v.current_key && v.id() == id => {
                if renew && max_age.is_none() {
                    return None;
                }
                cookie::build(&self.core.settings, &v.signed, max_age)
            }
            _ => cookie::build(&self.core.settings, &self.core.signer.sign(id), max_age),
        }
    }
}

/// Where the session layer opens the session on one route (decided when the application is
/// built).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionPlan {
    /// Something on the route can read the session: it is set up on every request (and only
    /// loaded from the store if something reads it).
    Open,
    /// Nothing on the route can read the session: only a request that sends the session
    /// cookie pays for it, to extend the session (`rolling`).
    IfSent,
}

/// `SessionModule::for_root` installs the session as a request layer: on a route that nothing
/// can read the session from, only a request that carries the cookie costs anything.
impl RequestLayer for SessionMiddleware {
    type State = Inner;
    type Plan = SessionPlan;

    fn plan(&self, route: &RouteInfo) -> Option<SessionPlan> {
        Some(if route.reads_request() {
            SessionPlan::Open
        } else {
            SessionPlan::IfSent
        })
    }

    fn open(&self, plan: &SessionPlan, req: &mut Request) -> Open<Inner> {
        let inner = match plan {
            SessionPlan::Open => Some(SessionMiddleware::open(self, req.headers())),
            SessionPlan::IfSent => self.open_if_sent(req.headers()),
        };
        match inner {
            Some(inner) => Open::Keep(inner),
            None => Open::Pass,
        }
    }

    fn close(&self, state: Arc<Inner>, res: Response) -> Close {
        // Most requests need no store call after the handler: no future to box for them.
        if let Some(action) = self.action_without_store(&state) {
            return Close::Ready(self.apply(&state, Ok(action), now_ms(), res));
        }
        let this = self.clone();
        Close::Wait(Box::pin(async move { this.close(&state, res).await }))
    }
}

impl Middleware for SessionMiddleware {
    async fn handle(&self, mut req: Request, next: Next) -> Response {
        let inner = self.open(req.headers());
        req.extensions_mut().insert(Slot(inner.clone()));
        let res = next.run(req).await;
        self.close(&inner, res).await
    }
}
