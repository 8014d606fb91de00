//! Session ids: 256 bits from the operating system's CSPRNG, base64url without padding.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore;

/// Random bytes per id (256 bits: twice the 128 bits OWASP asks for).
const ID_BYTES: usize = 32;
/// Length of an id in characters.
pub(crate) const ID_LEN: usize = 43;

/// A new session id: 32 bytes from the OS CSPRNG (`getrandom`), base64url-encoded.
pub fn new_id() -> String {
    let mut bytes = [0u8; ID_BYTES];
    if let Err(e) = rand::rngs::OsRng.try_fill_bytes(&mut bytes) {
        // ThreadRng is a CSPRNG (ChaCha12) seeded and periodically reseeded from the OS.
        tracing::warn!(error = %e, "OS random source failed; using the thread CSPRNG for a session id");
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `s` has the exact shape of an id Hearth generates (43 base64url characters).
/// Anything else is rejected before signatures are checked or stores are asked.
pub fn is_valid_id(s: &str) -> bool {
    s.len() == ID_LEN
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}
