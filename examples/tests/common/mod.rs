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
    /// The log line that announced the address (it also says how the example serves).
    pub banner: String,
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

/// Starts example `name` on an ephemeral port (`PORT=0`) with the extra environment, and
/// waits for its "listening on" log line, which it prints once it is ready to serve. (Picking
/// a free port first and passing it would race with other processes taking the same port.)
pub async fn start(name: &str, env: &[(&str, &str)]) -> Example {
    let mut cmd = Command::new(binary(name));
    cmd.env("PORT", "0")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start example");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel::<(String, String)>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        let mut tx = Some(tx);
        // Keep draining the pipe for the life of the child, or it would block on a full pipe.
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(addr) = line.split("listening on http://").nth(1)
                && let Some(tx) = tx.take()
            {
                let addr: String = addr
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '\u{1b}')
                    .collect();
                let _ = tx.send((addr, line.clone()));
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let (port, banner) = loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok((addr, line)) => {
                let port = addr.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
                let port = port.unwrap_or_else(|| {
                    panic!("example {name} logged an unreadable address {addr:?}")
                });
                break (port, line);
            }
            Err(_) => {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("example {name} exited before listening: {status}");
                }
                assert!(
                    Instant::now() < deadline,
                    "example {name} did not listen within 30 s"
                );
            }
        }
    };
    Example {
        child,
        url: format!("http://127.0.0.1:{port}"),
        banner,
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
