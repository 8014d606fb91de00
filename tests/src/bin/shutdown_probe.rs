//! A tiny Hearth server for the SIGTERM test (`tests/tests/shutdown_under_load.rs`).
//!
//! Listens on 127.0.0.1:0 and prints `listening ADDR`; `GET /slow` prints `entered`, waits
//! `SLOW_MS` (default 300) and answers a 64 KiB body; serves until SIGINT/SIGTERM (the
//! real `Application::listen_on` path), with `shutdown_grace` = `GRACE_MS` (default 5000);
//! prints `stopped` once the graceful shutdown is over, then exits 0.

use std::io::Write;
use std::time::Duration;

use hearth::http::Method;
use hearth::prelude::*;

/// The body of `/slow`: 64 KiB of a recognisable pattern.
fn body() -> String {
    (0..64 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect()
}

fn env_ms(name: &str, default: u64) -> Duration {
    Duration::from_millis(
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default),
    )
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

#[tokio::main]
async fn main() -> hearth::Result<()> {
    let slow = env_ms("SLOW_MS", 300);
    let grace = env_ms("GRACE_MS", 5000);
    let module = ModuleDef::new("ShutdownProbe").route(
        Method::GET,
        "/slow",
        move |_req: Request| async move {
            say("entered");
            tokio::time::sleep(slow).await;
            body()
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| hearth::Error::Io {
            context: "bind".into(),
            source: e,
        })?;
    let addr = listener.local_addr().map_err(|e| hearth::Error::Io {
        context: "local_addr".into(),
        source: e,
    })?;
    say(&format!("listening {addr}"));
    Application::from_module(module)?
        .configure(|c| c.shutdown_grace = grace)
        .listen_on(listener)
        .await?;
    say("stopped");
    Ok(())
}
