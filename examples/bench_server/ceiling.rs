//! A measuring probe, not part of the contract: `GET /ceiling/profile` answers with the same
//! bytes as `GET /api/profile` (the same JSON, a `Set-Cookie` of the same length) without
//! any session work, so `wrk` against it shows how fast the profile scenario could be if a
//! session read cost nothing. Drive it with a cookie of the session cookie's length under
//! another name (`sessionIx=…`), so that the session layer finds no session cookie and does
//! nothing but look for one. See bench/RESULTS.md ("the ceiling").

use std::sync::LazyLock;

use hearth::prelude::*;

/// A `Set-Cookie` as long as the rolling session cookie's: an 87-byte signed value and the
/// same attributes and `Max-Age`.
static SET_COOKIE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "sessionId={}.{}; HttpOnly; SameSite=Lax; Path=/; Max-Age=86400",
        "i".repeat(43),
        "s".repeat(43)
    )
});

/// The probe's routes.
#[controller("/ceiling")]
pub struct CeilingRoutes;

#[routes]
impl CeilingRoutes {
    #[get("/profile")]
    async fn profile(&self) -> ResponseBuilder {
        ResponseBuilder::json(json!({ "userId": "alice@example.com" }))
            .header("set-cookie", &SET_COOKIE)
    }
}

/// The probe, imported by `main.rs` next to the contract's routes.
#[module(controllers = [CeilingRoutes])]
pub struct CeilingModule;
