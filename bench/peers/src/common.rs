//! Settings and payloads shared by every peer (see ../../README.md, "Contract details").
#![allow(dead_code)]

use serde::{Deserialize, Serialize};

/// Cookie name required by the contract.
pub const COOKIE_NAME: &str = "sessionId";
/// 24 h rolling lifetime.
pub const TTL_SECS: i64 = 24 * 60 * 60;

pub fn port() -> u16 {
    std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000)
}

pub fn store() -> String {
    std::env::var("STORE").unwrap_or_else(|_| "memory".into())
}

pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Rolling lifetime on (default): every request with a session extends it and re-sends the
/// cookie, as Hearth's `rolling = true`. `ROLLING=0` gives each peer its cheaper
/// "only writes extend" mode, for reference.
pub fn rolling() -> bool {
    std::env::var("ROLLING").map(|v| v != "0").unwrap_or(true)
}

/// 64 bytes of signing key material: SESSION_SECRET (>= 32 bytes) stretched/cut to 64 bytes,
/// or a fixed benchmark secret.
pub fn secret64() -> [u8; 64] {
    let s = std::env::var("SESSION_SECRET")
        .unwrap_or_else(|_| "hearth-bench-secret-0123456789abcdef-not-for-production".into());
    assert!(s.len() >= 32, "SESSION_SECRET must be at least 32 bytes");
    let mut out = [0u8; 64];
    for (i, b) in s.bytes().cycle().take(64).enumerate() {
        out[i] = b ^ (i as u8);
    }
    out
}

#[derive(Deserialize)]
pub struct LoginDto {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize, Serialize, Clone)]
pub struct CartItem {
    pub sku: String,
    pub qty: u32,
}

/// The user a login maps to: userId = the email, roles = ["user"].
pub fn user_for(dto: &LoginDto) -> Option<(String, Vec<String>)> {
    if dto.email.is_empty() || dto.password.is_empty() {
        return None;
    }
    Some((dto.email.clone(), vec!["user".to_string()]))
}

pub fn now_millis() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub const HELLO: &str = "Hello, World!";
/// The `/json` answer, serialized per request as a user of each framework writes it (and as
/// Hearth's bench server does): a static string would make the scenario a second plaintext.
#[derive(serde::Serialize)]
pub struct Message {
    pub message: &'static str,
}

pub fn hello_message() -> Message {
    Message { message: HELLO }
}
