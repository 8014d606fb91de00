//! `Session` and `TypedSession<T>`: the handles handlers and middleware use. The per-request
//! internals they share live in `request`.

mod request;
mod typed;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::SessionError;
use super::core::MAX_AGE_KEY;
use super::id::new_id;
use super::record::{RecordData, SessionData};
use hearth_core::Request;
use hearth_core::extract::FromRequestParts;

pub use request::Inner;
pub(crate) use request::{Slot, State};
pub use typed::TypedSession;

/// The key flash messages live under (keys starting with `__` are reserved for Hearth).
const FLASH_KEY: &str = "__flash";

/// The session of the current request (the `#[session]` parameter).
///
/// Extracting it loads the session from the store once per request (later extractions in
/// the same request share the same state); every accessor is then synchronous. Changes are
/// saved once by the session middleware after the handler, before the response leaves.
///
/// ```
/// use hearth::prelude::*;
///
/// async fn login(session: Session) -> HttpResult<Json<Value>> {
///     session.regenerate(); // a new id at login: no session fixation
///     session.insert("userId", &"u-42")?;
///     Ok(Json(json!({ "message": "Logged in" })))
/// }
///
/// async fn profile(session: Session) -> HttpResult<String> {
///     let user: String = session
///         .get("userId")?
///         .ok_or_else(|| UnauthorizedException::new("Not logged in"))?;
///     Ok(user)
/// }
/// # let _ = (login, profile);
/// ```
///
/// A request that never writes its session creates nothing in the store and gets no cookie.
/// Cloning is cheap: clones are the same session.
#[derive(Clone)]
pub struct Session {
    inner: Arc<Inner>,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.lock();
        let keys = st.data.to_map().unwrap_or_default();
        f.debug_struct("Session")
            .field("new", &!st.stored)
            .field("keys", &keys.keys().collect::<Vec<_>>())
            .field("modified", &st.modified)
            .finish()
    }
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Value, SessionError> {
    serde_json::to_value(value).map_err(SessionError::data)
}

fn decode<T: DeserializeOwned>(value: Value) -> Result<T, SessionError> {
    serde_json::from_value(value).map_err(SessionError::data)
}

impl Session {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The data, decoded into a map to change. Stored data was checked as a JSON object
    /// when it was loaded, so this fails only on data no JSON encoder writes (such as
    /// nesting deeper than serde_json reads).
    fn data_mut(st: &mut State) -> Result<&mut SessionData, SessionError> {
        st.data.map_mut().map_err(SessionError::data)
    }

    /// The session of a request, loaded: for middleware, which sees the whole request. Fails
    /// when the session middleware is not installed or the store is unavailable.
    ///
    /// ```
    /// use hearth::prelude::*;
    /// // Activity tracking: each existing session records when it was last used.
    /// let activity = from_fn(|mut req: Request, next: Next| async move {
    ///     if let Ok(session) = Session::from_request(&mut req).await {
    ///         if !session.is_new() {
    ///             let _ = session.insert("lastActivity", &hearth::session::now_ms());
    ///         }
    ///     }
    ///     next.run(req).await
    /// });
    /// # let _ = activity;
    /// ```
    pub async fn from_request(req: &mut Request) -> Result<Session, SessionError> {
        let slot = Slot::of(req.extensions()).ok_or(SessionError::NotInstalled)?;
        Self::load(slot).await
    }

    async fn load(slot: Slot) -> Result<Session, SessionError> {
        let state = slot.0.load().await?;
        Ok(Session {
            inner: slot.0,
            state,
        })
    }

    /// The session id. A new session draws its id on first use; it is stored (and sent to
    /// the client) only if the session is written.
    pub fn id(&self) -> String {
        self.lock().id()
    }

    /// Whether the session is new: not (yet) in the store.
    pub fn is_new(&self) -> bool {
        !self.lock().stored
    }

    /// Whether the session has changes to save.
    pub fn is_modified(&self) -> bool {
        self.lock().modified
    }

    /// The value under `key`, deserialized; `None` when absent or `null`. A value of another
    /// shape is an error (500).
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, SessionError> {
        self.lock().data.get(key).map_err(SessionError::data)
    }

    /// The raw JSON value under `key`.
    pub fn get_value(&self, key: &str) -> Option<Value> {
        self.lock().data.get_value(key)
    }

    /// Whether `key` is set.
    pub fn contains(&self, key: &str) -> bool {
        self.lock().data.contains_key(key)
    }

    /// A copy of the whole data.
    pub fn data(&self) -> SessionData {
        self.lock().data.to_map().unwrap_or_else(|e| {
            tracing::error!(error = %e, "undecodable session data");
            SessionData::new()
        })
    }

    /// Stores `value` under `key` (serialized as JSON). Writing the value already there
    /// changes nothing.
    pub fn insert<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), SessionError> {
        let value = encode(value)?;
        let mut st = self.lock();
        if !st.data.holds(key, &value) {
            st.data.insert(key.to_owned(), value);
            st.modified = true;
        }
        Ok(())
    }

    /// Removes `key`, returning its value.
    pub fn remove(&self, key: &str) -> Option<Value> {
        let mut st = self.lock();
        let old = st.data.remove(key);
        if old.is_some() {
            st.modified = true;
        }
        old
    }

    /// Removes every key (the session itself, and its id, stay).
    pub fn clear(&self) {
        let mut st = self.lock();
        if !st.data.is_empty() {
            st.data = RecordData::new();
            st.modified = true;
        }
    }

    /// Gives this session a lifetime of its own, longer than
    /// [`SessionOptions::max_age`](super::SessionOptions::max_age): the "remember me" of a
    /// login form. From this response on, the session's cookie and its record live
    /// `max_age` past each request instead of the default, across requests, restarts of the
    /// app (with a shared store) and [`regenerate`](Session::regenerate); `absolute_timeout`
    /// still ends it.
    ///
    /// ```
    /// use hearth::prelude::*;
    /// use std::time::Duration;
    ///
    /// async fn login(session: Session, remember_me: bool) -> HttpResult<&'static str> {
    ///     session.regenerate();
    ///     session.insert("userId", "u-42")?;
    ///     if remember_me {
    ///         session.set_max_age(Duration::from_secs(30 * 24 * 3600))?;
    ///     }
    ///     Ok("welcome")
    /// }
    /// # let _ = login;
    /// ```
    ///
    /// `max_age` must lie between the options' `max_age` and 400 days (the longest a browser
    /// keeps a cookie); anything else is an error (500), which names the range. Set the
    /// options' `max_age` to the shortest lifetime a session may have and raise it per
    /// session: a session can only ever outlive the default, so a store that fails halfway
    /// through extending it leaves it shorter-lived, never longer.
    ///
    /// The lifetime is kept in the session's data (under `__maxAge`, a key Hearth reserves),
    /// so [`clear`](Session::clear) and [`destroy`](Session::destroy) end it too. With the
    /// Redis store, reading such a session takes two round trips instead of one.
    pub fn set_max_age(&self, max_age: Duration) -> Result<(), SessionError> {
        match self.inner.core.checked_max_age(max_age)? {
            Some(ms) => self.insert(MAX_AGE_KEY, &ms),
            None => {
                self.reset_max_age();
                Ok(())
            }
        }
    }

    /// Goes back to the default lifetime ([`SessionOptions::max_age`](super::SessionOptions::max_age))
    /// after [`set_max_age`](Session::set_max_age).
    pub fn reset_max_age(&self) {
        self.remove(MAX_AGE_KEY);
    }

    /// How long this session lives without activity: its own lifetime
    /// ([`set_max_age`](Session::set_max_age)), or the options' `max_age`.
    pub fn max_age(&self) -> Duration {
        self.inner.core.max_age_of(&self.lock().data)
    }

    /// Moves the session to a new id, keeping its data; the old id stops working. Call it
    /// whenever privileges change — at login above all — so that an id an attacker planted
    /// before login (session fixation) is worthless after it.
    ///
    /// If the session was destroyed elsewhere meanwhile (logout in another tab), the data is
    /// not carried over: the request ends with no session.
    pub fn regenerate(&self) {
        let mut st = self.lock();
        if st.stored {
            st.carried_from = st.id.take();
            st.stored = false;
            st.modified = true;
        }
        st.id = Some(new_id());
    }

    /// Ends the session: its record is deleted and the cookie expired (`Max-Age=0`). The
    /// handle then behaves as a new, empty session (writing to it starts a new one under a
    /// new id, for instance a "logged out" flash message).
    pub fn destroy(&self) {
        let mut st = self.lock();
        let fresh = State::fresh(&self.inner.core);
        let old = std::mem::replace(&mut *st, fresh);
        if old.stored {
            st.discard.extend(old.id);
        }
        st.discard.extend(old.carried_from);
        st.discard.extend(old.discard);
        st.cookie_dead = old.cookie_dead;
    }

    /// Stores a flash message: readable once, with [`take_flash`](Session::take_flash), on a
    /// later request (typically after a redirect).
    pub fn flash<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), SessionError> {
        let value = encode(value)?;
        let mut st = self.lock();
        let flashes = Self::data_mut(&mut st)?
            .entry(FLASH_KEY)
            .or_insert_with(|| Value::Object(Map::new()));
        if !flashes.is_object() {
            *flashes = Value::Object(Map::new());
        }
        if let Value::Object(m) = flashes {
            m.insert(key.to_owned(), value);
        }
        st.modified = true;
        Ok(())
    }

    /// Reads and removes the flash message under `key`: a second call returns `None`.
    pub fn take_flash<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, SessionError> {
        let mut st = self.lock();
        if !st.data.contains_key(FLASH_KEY) {
            return Ok(None);
        }
        let data = Self::data_mut(&mut st)?;
        let Some(Value::Object(m)) = data.get_mut(FLASH_KEY) else {
            return Ok(None);
        };
        let Some(v) = m.remove(key) else {
            return Ok(None);
        };
        if m.is_empty() {
            data.remove(FLASH_KEY);
        }
        st.modified = true;
        drop(st);
        match v {
            Value::Null => Ok(None),
            v => decode(v).map(Some),
        }
    }
}

impl FromRequestParts for Session {
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, SessionError> {
        let slot = Slot::of(&parts.extensions).ok_or(SessionError::NotInstalled)?;
        Session::load(slot).await
    }
}

impl SessionType for Session {}

/// The types a `#[session]` parameter can have.
#[diagnostic::on_unimplemented(
    message = "`#[session]` needs a session type, not `{Self}`",
    label = "expected `Session` or `TypedSession<T>`",
    note = "declare the parameter as `#[session] session: Session` (or `TypedSession<YourData>`)"
)]
pub trait SessionType: FromRequestParts<Rejection = SessionError> {}

/// The `#[session]` parameter attribute: `#[session] session: Session` (or
/// `TypedSession<YourData>`) expands to a call of this function, whose value extracts the
/// request's session.
pub fn session() -> SessionAttribute {
    SessionAttribute
}

/// What [`session()`] returns: the `#[session]` parameter attribute.
#[derive(Debug, Clone, Copy)]
pub struct SessionAttribute;

impl<T: SessionType> hearth_core::lifecycle::ParamAttribute<T> for SessionAttribute {
    type Rejection = SessionError;

    async fn extract(self, parts: &mut Parts) -> Result<T, SessionError> {
        T::from_request_parts(parts).await
    }
}
