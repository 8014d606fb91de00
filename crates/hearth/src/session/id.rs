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
    s.len() == ID_LEN
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}
