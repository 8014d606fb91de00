//! Cookie signing: `id + "." + base64url(HMAC-SHA256(secret, id))`, verified in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::id::{ID_LEN, is_valid_id};

type HmacSha256 = Hmac<Sha256>;

/// Length of the base64url signature (32 bytes).
const SIG_LEN: usize = 43;

/// Signs with the first key; verifies against every key (key rotation).
#[derive(Clone)]
pub(crate) struct Signer {
    keys: Vec<HmacSha256>,
}

/// A cookie value whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verified {
    /// The cookie value as received, `id.signature`: `sign(id)` when `current_key` (HMAC
    /// is deterministic and the signature's base64 is canonical), so a renewed cookie
    /// reuses it.
    pub(crate) signed: String,
    /// Whether it was signed with the current (first) key.
    pub(crate) current_key: bool,
}

impl Verified {
    /// The session id (the part of the value before the `.`).
    pub(crate) fn id(&self) -> &str {
        &self.signed[..ID_LEN]
    }
}

impl Signer {
    /// Keys in order: the signing key first. `secrets` must not be empty.
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let keys = secrets
            .into_iter()
            // HMAC accepts keys of any length.
            .filter_map(|s| HmacSha256::new_from_slice(s).ok())
            .collect();
        Signer { keys }
    }

    fn mac(key: &HmacSha256, id: &str) -> HmacSha256 {
        let mut m = key.clone();
        m.update(id.as_bytes());
        m
    }

    /// The cookie value for `id`.
    pub(crate) fn sign(&self, id: &str) -> String {
        let tag = match self.keys.first() {
            Some(k) => Self::mac(k, id).finalize().into_bytes(),
            None => return String::new(),
        };
        let mut out = String::with_capacity(id.len() + 1 + SIG_LEN);
        out.push_str(id);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(tag, &mut out);
        out
    }

    /// The id in a cookie value, when the value is well-formed and its signature verifies
    /// under one of the keys.
    pub(crate) fn verify(&self, value: &str) -> Option<Verified> {
        // `id.signature`: an id has a fixed length and no `.`.
        if value.len() != ID_LEN + 1 + SIG_LEN || value.as_bytes()[ID_LEN] != b'.' {
            return None;
        }
        let (id, sig) = (value.get(..ID_LEN)?, value.get(ID_LEN + 1..)?);
        if !is_valid_id(id) {
            return None;
        }
        let mut tag = [0u8; 33];
        let n = URL_SAFE_NO_PAD.decode_slice(sig, &mut tag).ok()?;
        if n != 32 {
            return None;
        }
        for (i, key) in self.keys.iter().enumerate() {
            if Self::mac(key, id).verify_slice(&tag[..n]).is_ok() {
                return Some(Verified {
                    signed: value.to_owned(),
                    current_key: i == 0,
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(keys: &[&str]) -> Signer {
        Signer::new(keys.iter().map(|k| k.as_bytes()))
    }

    /// What the middleware relies on to renew a cookie without signing again: a value
    /// verified under the current key is exactly what `sign` gives for its id.
    #[test]
    fn a_current_key_value_is_its_ids_signature() {
        let s = signer(&["new-secret", "old-secret"]);
        let id = crate::id::new_id();
        let v = s.verify(&s.sign(&id)).unwrap();
        assert!(v.current_key);
        assert_eq!(v.signed, s.sign(&id));
        let old = signer(&["old-secret"]).sign(&id);
        let v = s.verify(&old).unwrap();
        assert!(!v.current_key);
        assert_ne!(v.signed, s.sign(&id));
    }

    #[test]
    fn round_trip_and_tamper() {
        let s = signer(&["k".repeat(32).as_str()]);
        let id = super::super::id::new_id();
        let v = s.sign(&id);
        assert_eq!(s.verify(&v).unwrap().id(), id);
        let mut bad = v.clone().into_bytes();
        let last = bad.len() - 2;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert!(s.verify(std::str::from_utf8(&bad).unwrap()).is_none());
        assert!(s.verify(&id).is_none());
        assert!(s.verify("").is_none());
        assert!(s.verify(".").is_none());
        assert!(s.verify("é.é").is_none());
    }

    #[test]
    fn rotation() {
        let old = signer(&["o".repeat(32).as_str()]);
        let both = signer(&["n".repeat(32).as_str(), "o".repeat(32).as_str()]);
        let id = super::super::id::new_id();
        let v = both.verify(&old.sign(&id)).unwrap();
        assert!(!v.current_key);
        assert!(both.verify(&both.sign(&id)).unwrap().current_key);
    }
}
