//! [`RecordData`]: a session's data as a store hands it over, read without being parsed.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::record::SessionData;

/// The data of a [`SessionRecord`](super::SessionRecord): a JSON object.
///
/// A store that keeps sessions as JSON text (the memory and Redis stores do) hands the text
/// over as it is: most requests only read a key or two of their session, and reading a key
/// from the text ([`get`](RecordData::get)) decodes that one value without building the
/// whole map. The first change turns the data into a map ([`map_mut`](RecordData::map_mut)).
///
/// It serializes and deserializes as a plain JSON object in any serde format, so a store
/// that writes records with serde needs nothing special.
#[derive(Clone)]
pub struct RecordData(Repr);

#[derive(Clone)]
enum Repr {
    /// JSON text of an object, exactly as stored.
    Text(Box<str>),
    Map(SessionData),
}

impl RecordData {
    /// No data.
    pub fn new() -> Self {
        RecordData(Repr::Map(Map::new()))
    }

    /// Data from the JSON text of an object, checked.
    pub fn from_json(text: impl Into<Box<str>>) -> Result<Self, serde_json::Error> {
        let text = text.into();
        serde_json::from_str::<&RawValue>(&text)?;
        RecordData::from_raw(text)
    }

    /// Data from JSON text that is known to be valid JSON (serde_json wrote it, or parsed
    /// it as a `RawValue`); only its being an object is checked.
    pub(crate) fn from_raw(text: Box<str>) -> Result<Self, serde_json::Error> {
        match text.trim_start().as_bytes().first() {
            Some(b'{') => Ok(RecordData(Repr::Text(text))),
            Some(b'n') => Ok(RecordData::new()), // `null`: a record written without data
            _ => Err(de::Error::custom("session data is not a JSON object")),
        }
    }

    /// The value under `key` as `T`; `None` when the key is absent or `null`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, serde_json::Error> {
        match &self.0 {
            Repr::Map(m) => match m.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => T::deserialize(v).map(Some),
            },
            Repr::Text(t) => Ok(find::<Option<T>>(t, key)?.flatten()),
        }
    }

    /// The JSON value under `key`.
    pub fn get_value(&self, key: &str) -> Option<Value> {
        match &self.0 {
            Repr::Map(m) => m.get(key).cloned(),
            Repr::Text(t) => find::<Value>(t, key).ok().flatten(),
        }
    }

    /// Whether `key` is present (even as `null`).
    pub fn contains_key(&self, key: &str) -> bool {
        match &self.0 {
            Repr::Map(m) => m.contains_key(key),
            Repr::Text(t) => matches!(find::<IgnoredAny>(t, key), Ok(Some(_))),
        }
    }

    /// Whether there is no key at all.
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Map(m) => m.is_empty(),
            // A JSON object: `{`, then either `}` or the first key's `"`.
            Repr::Text(t) => t.bytes().filter(|b| !b.is_ascii_whitespace()).nth(1) == Some(b'}'),
        }
    }

    /// The data as a map to change, decoding the text first if it is still text.
    pub fn map_mut(&mut self) -> Result<&mut SessionData, serde_json::Error> {
        if let Repr::Text(t) = &self.0 {
            self.0 = Repr::Map(serde_json::from_str(t)?);
        }
        match &mut self.0 {
            Repr::Map(m) => Ok(m),
            Repr::Text(_) => unreachable!("decoded just above"),
        }
    }

    /// The data as a map.
    pub fn to_map(&self) -> Result<SessionData, serde_json::Error> {
        match &self.0 {
            Repr::Map(m) => Ok(m.clone()),
            Repr::Text(t) => serde_json::from_str(t),
        }
    }

    /// The data as a map.
    pub fn into_map(self) -> Result<SessionData, serde_json::Error> {
        match self.0 {
            Repr::Map(m) => Ok(m),
            Repr::Text(t) => serde_json::from_str(&t),
        }
    }

    /// The data for a JSON serializer: the text verbatim, or the map.
    pub(crate) fn json(&self) -> Json<'_> {
        Json(self)
    }
}

impl Default for RecordData {
    fn default() -> Self {
        RecordData::new()
    }
}

impl From<SessionData> for RecordData {
    fn from(map: SessionData) -> Self {
        RecordData(Repr::Map(map))
    }
}

impl PartialEq for RecordData {
    /// Equal when they hold the same keys and values, however they are kept.
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Repr::Map(a), Repr::Map(b)) => a == b,
            _ => match (self.to_map(), other.to_map()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            },
        }
    }
}

impl fmt::Debug for RecordData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Text(t) => write!(f, "RecordData({t})"),
            Repr::Map(m) => f.debug_tuple("RecordData").field(m).finish(),
        }
    }
}

impl Serialize for RecordData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Map(m) => m.serialize(s),
            Repr::Text(t) => serde_json::from_str::<SessionData>(t)
                .map_err(serde::ser::Error::custom)?
                .serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for RecordData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<SessionData>::deserialize(d).map(|m| RecordData::from(m.unwrap_or_default()))
    }
}

/// [`RecordData`] for serde_json only: text is written as it is, without decoding it.
pub(crate) struct Json<'a>(&'a RecordData);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0.0 {
            Repr::Map(m) => m.serialize(s),
            Repr::Text(t) => {
                // Checked JSON (see `from_raw`); `RawValue` makes serde_json copy it verbatim.
                let raw: &RawValue = serde_json::from_str(t).map_err(serde::ser::Error::custom)?;
                raw.serialize(s)
            }
        }
    }
}

/// The value under `key` in the JSON object `text`, decoded as `T` (the last one if the key
/// repeats); the other values are skipped without being decoded.
fn find<T: DeserializeOwned>(text: &str, key: &str) -> Result<Option<T>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let found = de.deserialize_map(Find {
        key,
        found: PhantomData::<T>,
    })?;
    de.end()?;
    Ok(found)
}

struct Find<'k, T> {
    key: &'k str,
    found: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> Visitor<'de> for Find<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut found = None;
        while let Some(is_key) = map.next_key_seed(KeyIs(self.key))? {
            if is_key {
                found = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Decodes an object key as whether it equals the one sought, without allocating.
struct KeyIs<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(t: &str) -> RecordData {
        RecordData::from_json(t).unwrap()
    }

    #[test]
    fn reads_keys_from_the_text_as_from_the_map() {
        let t = r#"{"userId":"alice","n":3,"gone":null,"roles":["user"],"esc\u0061ped":true}"#;
        let map = RecordData::from(serde_json::from_str::<SessionData>(t).unwrap());
        for d in [text(t), map] {
            assert_eq!(d.get::<String>("userId").unwrap().as_deref(), Some("alice"));
            assert_eq!(d.get::<u32>("n").unwrap(), Some(3));
            assert_eq!(d.get::<String>("gone").unwrap(), None);
            assert_eq!(d.get::<String>("missing").unwrap(), None);
            assert_eq!(
                d.get::<Vec<String>>("roles").unwrap(),
                Some(vec!["user".into()])
            );
            assert_eq!(d.get::<bool>("escaped").unwrap(), Some(true));
            assert!(
                d.get::<u32>("userId").is_err(),
                "a value of another type is an error"
            );
            assert_eq!(d.get_value("gone"), Some(Value::Null));
            assert!(d.contains_key("gone") && !d.contains_key("missing"));
            assert!(!d.is_empty());
        }
    }

    #[test]
    fn a_repeated_key_reads_as_the_map_would() {
        let t = r#"{"k":1,"k":2}"#;
        let map: SessionData = serde_json::from_str(t).unwrap();
        assert_eq!(
            text(t).get::<u32>("k").unwrap(),
            map["k"].as_u64().map(|n| n as u32)
        );
    }

    #[test]
    fn changes_turn_the_text_into_a_map() {
        let mut d = text(r#" { "a" : 1 } "#);
        d.map_mut().unwrap().insert("b".into(), json!(2));
        assert_eq!(
            d.to_map().unwrap(),
            serde_json::from_value::<SessionData>(json!({"a": 1, "b": 2})).unwrap()
        );
        assert_eq!(
            d,
            text(r#"{"b":2,"a":1}"#),
            "equality ignores the representation"
        );
    }

    #[test]
    fn only_objects_are_data() {
        assert!(text("{}").is_empty() && text(" { } ").is_empty());
        assert!(text("null").is_empty());
        for bad in ["[1]", "1", "\"s\"", "{", "{\"a\":}", ""] {
            assert!(RecordData::from_json(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn serializes_as_a_plain_object_either_way() {
        let t = r#"{"a":[1,2],"b":"x"}"#;
        assert_eq!(serde_json::to_string(&text(t)).unwrap(), t);
        assert_eq!(serde_json::to_string(&text(t).json()).unwrap(), t);
        let back: RecordData = serde_json::from_str(t).unwrap();
        assert_eq!(back, text(t));
        let null: RecordData = serde_json::from_str("null").unwrap();
        assert!(null.is_empty());
    }
}
