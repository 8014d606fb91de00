//! Runs an example binary (built by `cargo test` next to the test binaries) on a free port.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running example; killed on drop.
pub struct Example {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path of example `name`.
pub fn binary(name: &str) -> PathBuf {
    // target/<profile>/deps/<test binary> → target/<profile>/examples/<name>
    let exe = std::env::current_exe().expect("current_exe");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("test binary lives in target/<profile>/deps");
    let path = dir.join("examples").join(name);
    assert!(
        path.exists(),
        "example binary {} is missing; run `cargo build --examples` (cargo test builds it)",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts example `name` with `PORT` set and the extra environment, and waits until it
/// accepts connections.
pub async fn start(name: &str, env: &[(&str, &str)]) -> Example {
    let port = free_port();
    let mut cmd = Command::new(binary(name));
    cmd.env("PORT", port.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start example");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("example {name} exited before listening: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "example {name} did not listen within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    Example {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

/// A client with a cookie jar.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}
