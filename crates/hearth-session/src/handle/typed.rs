//! `TypedSession<T>`: the session seen through your own struct.

use std::marker::PhantomData;

use http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Session, SessionType, decode, encode};
use crate::SessionError;
use hearth_core::extract::FromRequestParts;

/// A typed view of the session over your own struct (here `SessionData`):
///
/// ```
/// use hearth::prelude::*;
///
/// #[derive(Debug, Default, Serialize, Deserialize)]
/// #[serde(rename_all = "camelCase", default)]
/// struct SessionData {
///     user_id: Option<String>,
///     roles: Vec<String>,
///     cart: Vec<String>,
/// }
///
/// async fn add_to_cart(session: TypedSession<SessionData>, item: String) -> HttpResult<Json<Vec<String>>> {
///     let cart = session.update(|s| {
///         s.cart.push(item);
///         s.cart.clone()
///     })?;
///     Ok(Json(cart))
/// }
/// # let _ = add_to_cart;
/// ```
///
/// The struct is read from the session's keys (missing fields take their `Default`), and
/// written back key by key (`None` fields are removed). Keys the struct does not know are
/// kept. It derefs to [`Session`] for `regenerate`, `destroy`, flash messages and the rest.
///
/// Don't put `#[serde(skip_serializing_if = ..)]` on the struct's fields: a skipped field is
/// not written back, so clearing it (`None`, an empty `Vec`) would leave the old value stored.
pub struct TypedSession<T> {
    session: Session,
    _data: PhantomData<fn() -> T>,
}

impl<T> Clone for TypedSession<T> {
    fn clone(&self) -> Self {
        TypedSession {
            session: self.session.clone(),
            _data: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for TypedSession<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TypedSession").field(&self.session).finish()
    }
}

impl<T> std::ops::Deref for TypedSession<T> {
    type Target = Session;
    fn deref(&self) -> &Session {
        &self.session
    }
}

impl<T: Serialize + DeserializeOwned + Default> TypedSession<T> {
    /// A typed view of `session`.
    pub fn new(session: Session) -> Self {
        TypedSession {
            session,
            _data: PhantomData,
        }
    }

    /// The untyped session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The session's data as `T`.
    pub fn get(&self) -> Result<T, SessionError> {
        let mut base = match encode(&T::default())? {
            Value::Object(m) => m,
            _ => return Err(not_a_struct::<T>()),
        };
        let data = self
            .session
            .lock()
            .data
            .to_map()
            .map_err(SessionError::data)?;
        for (k, v) in data {
            if !v.is_null() {
                base.insert(k, v);
            }
        }
        decode(Value::Object(base))
    }

    /// Writes `value` into the session: each field to its key, `None` fields removed.
    /// Unchanged data is not saved again.
    pub fn set(&self, value: &T) -> Result<(), SessionError> {
        let Value::Object(new) = encode(value)? else {
            return Err(not_a_struct::<T>());
        };
        let mut st = self.session.lock();
        let data = Session::data_mut(&mut st)?;
        let mut changed = false;
        for (k, v) in new {
            if v.is_null() {
                changed |= data.remove(&k).is_some();
            } else if data.get(&k) != Some(&v) {
                data.insert(k, v);
                changed = true;
            }
        }
        st.modified |= changed;
        Ok(())
    }

    /// Reads the data, lets `f` change it, writes it back; returns what `f` returns.
    pub fn update<R>(&self, f: impl FnOnce(&mut T) -> R) -> Result<R, SessionError> {
        let mut value = self.get()?;
        let r = f(&mut value);
        self.set(&value)?;
        Ok(r)
    }
}

fn not_a_struct<T>() -> SessionError {
    SessionError::Data(format!(
        "{} does not serialize as a JSON object; TypedSession needs a struct or a map",
        std::any::type_name::<T>()
    ))
}

impl<T: Serialize + DeserializeOwned + Default> FromRequestParts for TypedSession<T> {
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, SessionError> {
        Session::from_request_parts(parts)
            .await
            .map(TypedSession::new)
    }
}

impl<T: Serialize + DeserializeOwned + Default> SessionType for TypedSession<T> {}
