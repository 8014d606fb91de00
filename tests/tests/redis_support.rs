//! The test Redis helper itself: a private server starts, answers, stops and restarts.

use std::io::{Read, Write};
use std::net::TcpStream;

fn ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.write_all(b"PING\r\n");
    let mut buf = [0u8; 8];
    matches!(s.read(&mut buf), Ok(n) if buf[..n].starts_with(b"+PONG"))
}

#[test]
fn spawned_redis_stops_and_restarts_on_the_same_port() {
    let mut r = hearth_e2e::spawn_redis();
    let port = r.port();
    assert!(r.url().ends_with(&format!(":{port}")));
    assert!(ping(port));
    r.stop();
    assert!(!ping(port), "redis still answers after stop()");
    r.restart();
    assert!(ping(port), "redis does not answer after restart()");
}

#[test]
fn prefixes_are_unique() {
    let a = hearth_e2e::unique_prefix("t");
    let b = hearth_e2e::unique_prefix("t");
    assert_ne!(a, b);
}
