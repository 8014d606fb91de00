//! [`RecordData`]: a session's data as a store hands it over, read without being parsed.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::record::SessionData;

/// The data of a [`SessionRecord`](super::SessionRecord): a JSON object.
///
/// A store that keeps sessions as JSON text (the memory and Redis stores do) hands the text
/// over as it is. One pass over it notes where each top-level value starts and ends;
/// reading a key ([`get`](RecordData::get)) then decodes that one value, without building
/// the whole map. [`insert`](RecordData::insert) and [`remove`](RecordData::remove) keep
/// their changes beside the text, and a JSON store writes the text's other values back
/// verbatim, so a request that sets one key does not decode the others either.
/// [`map_mut`](RecordData::map_mut) turns the data into a map.
///
/// It serializes and deserializes as a plain JSON object in any serde format, so a store
/// that writes records with serde needs nothing special.
#[derive(Clone)]
pub struct RecordData(Repr);

#[derive(Clone)]
enum Repr {
    Text(Text),
    Map(SessionData),
}

/// JSON text of an object, exactly as stored, where its entries are, and the keys set
/// (`Some`) or removed (`None`) since (each key once).
#[derive(Clone)]
struct Text {
    text: Box<str>,
    entries: Vec<Entry>,
    changes: Vec<(String, Option<Value>)>,
}

/// One top-level entry of the text: its key (where it is, or decoded when it has escapes)
/// and where its raw JSON value is.
#[derive(Clone)]
struct Entry {
    key: Key,
    value: Range<usize>,
}

#[derive(Clone)]
enum Key {
    At(Range<usize>),
    Decoded(Box<str>),
}

impl Text {
    fn key<'a>(&'a self, e: &'a Entry) -> &'a str {
        match &e.key {
            Key::At(r) => &self.text[r.clone()],
            Key::Decoded(k) => k,
        }
    }

    /// Whether entry `e`'s key is `key`. Compared as bytes: slicing the text as `str` would
    /// check both ends for a character boundary, on every entry of every read.
    fn is_key(&self, e: &Entry, key: &str) -> bool {
        match &e.key {
            Key::At(r) => self.text.as_bytes().get(r.clone()) == Some(key.as_bytes()),
            Key::Decoded(k) => **k == *key,
        }
    }

    /// The raw JSON value under `key` in the text (the last one if the key repeats, as a
    /// map would keep it).
    fn raw(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|e| self.is_key(e, key))
            .map(|e| &self.text[e.value.clone()])
    }

    /// The change recorded for `key`: `Some(None)` when it was removed.
    fn changed(&self, key: &str) -> Option<&Option<Value>> {
        self.changes.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn change(&mut self, key: String, value: Option<Value>) {
        match self.changes.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => *v = value,
            None => self.changes.push((key, value)),
        }
    }

    /// The entries of the text that no change replaced or removed.
    fn kept(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|e| (self.key(e), &self.text[e.value.clone()]))
            .filter(|(k, _)| self.changed(k).is_none())
    }

    fn to_map(&self) -> Result<SessionData, serde_json::Error> {
        let mut m = Map::new();
        for (k, v) in self.kept() {
            m.insert(k.to_owned(), serde_json::from_str(v)?);
        }
        for (k, v) in &self.changes {
            if let Some(v) = v {
                m.insert(k.clone(), v.clone());
            }
        }
        Ok(m)
    }
}

impl RecordData {
    /// No data.
    pub fn new() -> Self {
        RecordData(Repr::Map(Map::new()))
    }

    /// Data from the JSON text of an object (`null` reads as no data).
    pub fn from_json(text: impl Into<Box<str>>) -> Result<Self, serde_json::Error> {
        let text: Box<str> = text.into();
        if text.trim() == "null" {
            return Ok(RecordData::new());
        }
        let entries = index(&text)?;
        Ok(RecordData(Repr::Text(Text {
            text,
            entries,
            changes: Vec::new(),
        })))
    }

    /// The value under `key` as `T`; `None` when the key is absent or `null`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, serde_json::Error> {
        let value = match &self.0 {
            Repr::Map(m) => m.get(key),
            Repr::Text(t) => match t.changed(key) {
                Some(c) => c.as_ref(),
                None => {
                    return match t.raw(key) {
                        Some(raw) => serde_json::from_str::<Option<T>>(raw),
                        None => Ok(None),
                    };
                }
            },
        };
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(v) => T::deserialize(v).map(Some),
        }
    }

    /// The JSON value under `key`.
    pub fn get_value(&self, key: &str) -> Option<Value> {
        match &self.0 {
            Repr::Map(m) => m.get(key).cloned(),
            Repr::Text(t) => match t.changed(key) {
                Some(c) => c.clone(),
                None => t.raw(key).and_then(|raw| serde_json::from_str(raw).ok()),
            },
        }
    }

    /// Whether `key` holds exactly `value`.
    pub(crate) fn holds(&self, key: &str, value: &Value) -> bool {
        match &self.0 {
            Repr::Map(m) => m.get(key) == Some(value),
            Repr::Text(_) => self.get_value(key).as_ref() == Some(value),
        }
    }

    /// Whether `key` is present (even as `null`).
    pub fn contains_key(&self, key: &str) -> bool {
        match &self.0 {
            Repr::Map(m) => m.contains_key(key),
            Repr::Text(t) => match t.changed(key) {
                Some(c) => c.is_some(),
                None => t.raw(key).is_some(),
            },
        }
    }

    /// Whether there is no key at all.
    pub fn is_empty(&self) -> bool {
        match &self.0 {
            Repr::Map(m) => m.is_empty(),
            Repr::Text(t) => {
                t.kept().next().is_none() && t.changes.iter().all(|(_, v)| v.is_none())
            }
        }
    }

    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: String, value: Value) {
        match &mut self.0 {
            Repr::Map(m) => {
                m.insert(key, value);
            }
            Repr::Text(t) => t.change(key, Some(value)),
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        if let Repr::Map(m) = &mut self.0 {
            return m.remove(key);
        }
        let old = self.get_value(key)?;
        if let Repr::Text(t) = &mut self.0 {
            t.change(key.to_owned(), None);
        }
        Some(old)
    }

    /// The data as a map to change, decoding the text first if it is still text.
    pub fn map_mut(&mut self) -> Result<&mut SessionData, serde_json::Error> {
        if let Repr::Text(t) = &self.0 {
            self.0 = Repr::Map(t.to_map()?);
        }
        match &mut self.0 {
            Repr::Map(m) => Ok(m),
            // Decoded just above.
            Repr::Text(_) => Err(de::Error::custom("session data still text")),
        }
    }

    /// The data as a map.
    pub fn to_map(&self) -> Result<SessionData, serde_json::Error> {
        match &self.0 {
            Repr::Map(m) => Ok(m.clone()),
            Repr::Text(t) => t.to_map(),
        }
    }

    /// The data as a map.
    pub fn into_map(self) -> Result<SessionData, serde_json::Error> {
        match self.0 {
            Repr::Map(m) => Ok(m),
            Repr::Text(t) => t.to_map(),
        }
    }

    /// The data for a JSON serializer: the text's values verbatim with the changes, or the
    /// map.
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
            Repr::Text(t) if t.changes.is_empty() => write!(f, "RecordData({})", t.text),
            Repr::Text(t) => write!(f, "RecordData({} with {:?})", t.text, t.changes),
            Repr::Map(m) => f.debug_tuple("RecordData").field(m).finish(),
        }
    }
}

impl Serialize for RecordData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Map(m) => m.serialize(s),
            Repr::Text(t) => t.to_map().map_err(serde::ser::Error::custom)?.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for RecordData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<SessionData>::deserialize(d).map(|m| RecordData::from(m.unwrap_or_default()))
    }
}

/// [`RecordData`] for serde_json only: the text's values are written as they are, without
/// decoding them.
pub(crate) struct Json<'a>(&'a RecordData);

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error as _, SerializeMap};
        let t = match &self.0.0 {
            Repr::Map(m) => return m.serialize(s),
            Repr::Text(t) => t,
        };
        let mut map = s.serialize_map(None)?;
        for (k, v) in t.kept() {
            // A value found by `index`; `RawValue` makes serde_json copy it verbatim.
            let raw: &RawValue = serde_json::from_str(v).map_err(S::Error::custom)?;
            map.serialize_entry(k, raw)?;
        }
        for (k, v) in &t.changes {
            if let Some(v) = v {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

/// Where the top-level entries of the JSON object `text` are, in one pass that also checks
/// the whole text (a value is skipped as a `RawValue`, which validates it).
fn index(text: &str) -> Result<Vec<Entry>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let entries = de.deserialize_map(Index(text))?;
    de.end()?;
    Ok(entries)
}

/// Where `part`, a slice of `whole`, lies in it (checked, so that slicing with it later
/// cannot fail).
fn span<E: de::Error>(whole: &str, part: &str) -> Result<Range<usize>, E> {
    let start = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    let r = start..start.wrapping_add(part.len());
    match whole.get(r.clone()) {
        Some(p) if std::ptr::eq(p, part) => Ok(r),
        _ => Err(E::custom("session data: a value outside its text")),
    }
}

struct Index<'t>(&'t str);

impl<'de> Visitor<'de> for Index<'_> {
    type Value = Vec<Entry>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Entry>, A::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(4));
        while let Some(k) = map.next_key_seed(KeyText)? {
            let v: &RawValue = map.next_value()?;
            let key = match k {
                Cow::Borrowed(k) => Key::At(span(self.0, k)?),
                Cow::Owned(k) => Key::Decoded(k.into()),
            };
            out.push(Entry {
                key,
                value: span(self.0, v.get())?,
            });
        }
        Ok(out)
    }
}

/// Decodes an object key, borrowing it from the text when it has no escapes.
struct KeyText;

impl<'de> DeserializeSeed<'de> for KeyText {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyText {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(key))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(key.to_owned()))
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
    fn changes_to_the_text_read_back_and_serialize_merged() {
        let mut d = text(r#"{"userId":"alice","n":1,"x\u0079":[1,{"a":null}],"gone":true}"#);
        d.insert("n".into(), json!(2));
        d.insert("new".into(), json!({"k": "v"}));
        assert_eq!(d.remove("gone"), Some(json!(true)));
        assert_eq!(d.remove("gone"), None, "removed once");
        assert_eq!(d.remove("never"), None);
        assert_eq!(d.get::<u32>("n").unwrap(), Some(2));
        assert_eq!(d.get::<String>("userId").unwrap().as_deref(), Some("alice"));
        assert!(!d.contains_key("gone") && d.contains_key("new") && !d.is_empty());
        assert!(d.holds("n", &json!(2)) && !d.holds("n", &json!(1)));
        let expected =
            json!({"userId": "alice", "n": 2, "xy": [1, {"a": null}], "new": {"k": "v"}});
        assert_eq!(Value::Object(d.to_map().unwrap()), expected);
        // What a JSON store writes: the untouched values verbatim, then the changes.
        let written = serde_json::to_string(&d.json()).unwrap();
        assert_eq!(serde_json::from_str::<Value>(&written).unwrap(), expected);
        assert!(written.contains(r#""xy":[1,{"a":null}]"#), "{written}");
        assert_eq!(serde_json::to_value(&d).unwrap(), expected);
        assert_eq!(Value::Object(d.clone().into_map().unwrap()), expected);
        d.map_mut().unwrap().insert("m".into(), json!(0));
        assert_eq!(
            d.get::<u32>("n").unwrap(),
            Some(2),
            "the map keeps the changes"
        );
    }

    #[test]
    fn text_whose_keys_are_all_removed_is_empty() {
        let mut d = text(r#"{"a":1,"b":2}"#);
        d.remove("a");
        assert!(!d.is_empty());
        d.remove("b");
        assert!(d.is_empty());
        assert_eq!(serde_json::to_string(&d.json()).unwrap(), "{}");
        d.insert("c".into(), Value::Null);
        assert!(!d.is_empty());
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
