//! `SessionService`: sessions by id, without a request.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::SessionError;
use super::cookie;
use super::core::{Core, MAX_AGE_KEY};
use super::id::{is_valid_id, new_id};
use super::record::{SessionData, SessionRecord, now_ms};
use super::store::SessionStore;

/// Sessions by id, from anywhere (services, jobs, admin endpoints), without a request.
/// Injected by type (`Arc<SessionService>`) or with
/// `#[inject(SESSION_SERVICE_TOKEN)]` once `SessionModule::for_root(..)` is imported.
///
/// ```
/// use hearth::prelude::*;
///
/// async fn log_out_everywhere(sessions: &SessionService, user_id: &str) -> HttpResult<usize> {
///     Ok(sessions.destroy_all_of(user_id).await?)
/// }
/// # let _ = log_out_everywhere;
/// ```
///
/// Ids that do not have the shape of a Hearth id are treated as unknown without asking the
/// store. Writes here and writes by a concurrent request to the same session are
/// last-writer-wins per session.
#[derive(Clone)]
pub struct SessionService {
    core: Arc<Core>,
}

impl std::fmt::Debug for SessionService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionService")
            .field("cookie", &self.core.settings.name)
            .finish()
    }
}

fn to_map<T: Serialize + ?Sized>(data: &T) -> Result<SessionData, SessionError> {
    match serde_json::to_value(data).map_err(SessionError::data)? {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(SessionData::new()),
        _ => Err(SessionError::Data(
            "session data must serialize as a JSON object (a struct or a map)".into(),
        )),
    }
}

impl SessionService {
    pub(crate) fn from_core(core: Arc<Core>) -> Self {
        SessionService { core }
    }

    /// Creates a session holding `data` (a struct or map) and returns its id. Send it to a
    /// client with [`cookie_header`](SessionService::cookie_header).
    pub fn create<T: Serialize + ?Sized>(
        &self,
        data: &T,
    ) -> impl Future<Output = Result<String, SessionError>> + Send + '_ {
        let data = to_map(data);
        async move {
            let mut record = self.core.new_record(new_id(), data?.into(), now_ms());
            self.core.create(&mut record).await?;
            Ok(record.id)
        }
    }

    /// The whole record (data and timestamps) of a live session.
    pub async fn record(&self, id: &str) -> Result<Option<SessionRecord>, SessionError> {
        if !is_valid_id(id) {
            return Ok(None);
        }
        Ok(self
            .core
            .store
            .load(id)
            .await?
            .filter(|r| r.is_live_at(now_ms())))
    }

    /// The data of a live session.
    pub async fn get(&self, id: &str) -> Result<Option<SessionData>, SessionError> {
        match self.record(id).await? {
            Some(r) => r.data.into_map().map(Some).map_err(SessionError::data),
            None => Ok(None),
        }
    }

    /// The data of a live session as `T`.
    pub async fn get_as<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>, SessionError> {
        match self.get(id).await? {
            Some(m) => serde_json::from_value(Value::Object(m))
                .map(Some)
                .map_err(SessionError::data),
            None => Ok(None),
        }
    }

    async fn modify(
        &self,
        id: &str,
        f: impl FnOnce(&mut SessionData) + Send,
    ) -> Result<bool, SessionError> {
        let Some(mut record) = self.record(id).await? else {
            return Ok(false);
        };
        f(record.data.map_mut().map_err(SessionError::data)?);
        self.core.refresh(&mut record, now_ms());
        Ok(self.core.store.save(&record).await?)
    }

    /// Merges `partial` (a struct or map) into a session: each key replaces the stored one, a
    /// `null` removes it. Returns whether the session exists (a missing one is not created).
    pub fn set<T: Serialize + ?Sized>(
        &self,
        id: &str,
        partial: &T,
    ) -> impl Future<Output = Result<bool, SessionError>> + Send + '_ {
        let partial = to_map(partial);
        let id = id.to_owned();
        async move {
            let partial = partial?;
            self.modify(&id, move |data| {
                for (k, v) in partial {
                    if v.is_null() {
                        data.remove(&k);
                    } else {
                        data.insert(k, v);
                    }
                }
            })
            .await
        }
    }

    /// The same as [`set`](SessionService::set): merges `partial` into a session.
    pub fn update<T: Serialize + ?Sized>(
        &self,
        id: &str,
        partial: &T,
    ) -> impl Future<Output = Result<bool, SessionError>> + Send + '_ {
        self.set(id, partial)
    }

    /// One value of a session, deserialized.
    pub async fn get_value<T: DeserializeOwned>(
        &self,
        id: &str,
        key: &str,
    ) -> Result<Option<T>, SessionError> {
        match self.get(id).await?.and_then(|mut m| m.remove(key)) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => serde_json::from_value(v)
                .map(Some)
                .map_err(SessionError::data),
        }
    }

    /// Sets one value of a session. Returns whether the session exists.
    pub fn set_value<T: Serialize + ?Sized>(
        &self,
        id: &str,
        key: &str,
        value: &T,
    ) -> impl Future<Output = Result<bool, SessionError>> + Send + '_ {
        let value = serde_json::to_value(value).map_err(SessionError::data);
        let (id, key) = (id.to_owned(), key.to_owned());
        async move {
            let value = value?;
            self.modify(&id, move |data| {
                data.insert(key, value);
            })
            .await
        }
    }

    /// Removes one value of a session. Returns whether the session exists.
    pub async fn delete_value(&self, id: &str, key: &str) -> Result<bool, SessionError> {
        self.modify(id, |data| {
            data.remove(key);
        })
        .await
    }

    /// [`Session::set_max_age`](super::Session::set_max_age) for the session `id`: from now
    /// on it lives `max_age` past each request (the default again when `max_age` is the
    /// options' `max_age`), and its expiry moves to `max_age` from now. The cookie follows on
    /// the session's next request. Returns whether the session exists; a lifetime out of
    /// range is an error naming the range.
    pub async fn set_max_age(&self, id: &str, max_age: Duration) -> Result<bool, SessionError> {
        let own = self.core.checked_max_age(max_age)?;
        let Some(mut record) = self.record(id).await? else {
            return Ok(false);
        };
        let data = record.data.map_mut().map_err(SessionError::data)?;
        match own {
            Some(ms) => data.insert(MAX_AGE_KEY.into(), ms.into()),
            None => data.remove(MAX_AGE_KEY),
        };
        let now = now_ms();
        self.core.refresh(&mut record, now);
        record.expires_at = record.expiry_after(now, self.core.max_age_of(&record.data));
        Ok(self.core.store.save(&record).await?)
    }

    /// Deletes a session: its cookie stops working at once. Returns whether it existed.
    pub async fn destroy(&self, id: &str) -> Result<bool, SessionError> {
        if !is_valid_id(id) {
            return Ok(false);
        }
        Ok(self.core.store.delete(id).await?)
    }

    /// Extends a session by its lifetime: `max_age`, or the longer one it set for itself
    /// with [`Session::set_max_age`](super::Session::set_max_age) (capped by
    /// `absolute_timeout`). Returns whether it exists.
    pub async fn touch(&self, id: &str) -> Result<bool, SessionError> {
        if !is_valid_id(id) {
            return Ok(false);
        }
        Ok(self.core.load_and_touch(id).await?.is_some())
    }

    /// Moves a session to a new id (data kept, old id deleted); returns the new id, or
    /// `None` when the session does not exist.
    pub async fn regenerate(&self, id: &str) -> Result<Option<String>, SessionError> {
        let Some(old) = self.record(id).await? else {
            return Ok(None);
        };
        let now = now_ms();
        let mut record =
            self.core
                .record(new_id(), old.data, old.created_at, old.deadline, now, None);
        if !self.core.store.delete(id).await? {
            return Ok(None);
        }
        self.core.create(&mut record).await?;
        Ok(Some(record.id))
    }

    /// The ids of every live session of a user (whose `user_key` value is `user_id`).
    pub async fn sessions_of(&self, user_id: &str) -> Result<Vec<String>, SessionError> {
        Ok(self.core.store.sessions_of(user_id).await?)
    }

    /// Deletes every session of a user ("log out everywhere"); returns how many ended.
    pub async fn destroy_all_of(&self, user_id: &str) -> Result<usize, SessionError> {
        Ok(self.core.store.delete_all_of(user_id).await?)
    }

    /// The cookie name.
    pub fn cookie_name(&self) -> &str {
        &self.core.settings.name
    }

    /// How long a session lives without activity, unless it set a longer lifetime for itself
    /// ([`Session::set_max_age`](super::Session::set_max_age)).
    pub fn max_age(&self) -> Duration {
        self.core.settings.max_age
    }

    /// The signed cookie value for a session id.
    pub fn sign(&self, id: &str) -> String {
        self.core.signer.sign(id)
    }

    /// The id in a signed cookie value, when its signature verifies.
    pub fn verify(&self, cookie_value: &str) -> Option<String> {
        self.core
            .signer
            .verify(cookie_value)
            .map(|v| v.id().to_owned())
    }

    /// A complete `Set-Cookie` header value carrying session `id`, with every configured
    /// attribute and `Max-Age` = `max_age` (the default lifetime: the session middleware
    /// renews the cookie with a session's own lifetime on its next request), or no
    /// `Max-Age` with `expire_on_close`.
    pub fn cookie_header(&self, id: &str) -> Option<HeaderValue> {
        let s = &self.core.settings;
        let max_age = (!s.expire_on_close).then_some(s.max_age);
        cookie::build(s, &self.sign(id), max_age)
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn SessionStore> {
        &self.core.store
    }
}
