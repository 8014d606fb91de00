//! Session ids: 256 bits from a CSPRNG seeded by the operating system, base64url without
//! padding.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Random bytes per id (256 bits: twice the 128 bits OWASP asks for).
const ID_BYTES: usize = 32;
/// Length of an id in characters.
pub(crate) const ID_LEN: usize = 43;

/// A new session id: 32 bytes from the thread's CSPRNG, base64url-encoded.
///
/// The generator is `rand`'s `ThreadRng`: ChaCha12, a cryptographically secure stream
/// cipher, seeded from the operating system (`getrandom`) and reseeded from it after every
/// 64 KiB of output (2,048 ids). Unlike asking the OS for every id, it costs no system call
/// per login. Its one caveat is `fork`: a child process inherits the forking thread's
/// generator state, so a program that forks *and* keeps serving sessions in both processes
/// must reseed in the child (`rand::rng().reseed()`); Hearth itself never forks.
pub fn new_id() -> String {
    let mut bytes = [0u8; ID_BYTES];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `s` has the exact shape of an id Hearth generates (43 base64url characters).
/// Anything else is rejected before signatures are checked or stores are asked.
pub fn is_valid_id(s: &str) -> bool {
    // Checked on every request with a session cookie, twice: a table lookup per byte,
    // without an early exit, is several times cheaper than testing character classes.
    s.len() == ID_LEN && s.bytes().fold(true, |ok, c| ok & BASE64URL[usize::from(c)])
}

/// The base64url alphabet: `A-Z a-z 0-9 - _`.
static BASE64URL: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        c += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_43_base64url_characters() {
        let id = new_id();
        assert!(is_valid_id(&id));
        for c in 0..=255u8 {
            let expected = c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
            let mut s = id.clone().into_bytes();
            s[17] = c;
            // Non-UTF-8 bytes cannot form a `&str`: those are rejected by the type already.
            if let Ok(s) = String::from_utf8(s) {
                assert_eq!(is_valid_id(&s), expected, "byte {c:#04x}");
            }
        }
        assert!(!is_valid_id(&id[1..]));
        assert!(!is_valid_id(&format!("{id}A")));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id(&format!("{}A", "é".repeat(21))));
    }
}
