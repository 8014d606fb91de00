//! Runs an example binary (built by `cargo test` next to the test binaries) on a free port.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

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
    start_binary(&binary(name), name, env)
}

/// [`start`] for any server binary that takes `PORT` and logs "listening on [http://]ADDR"
/// on stdout or stderr once it is ready (the examples log on stdout, the bench peers on
/// stderr). Its stderr is passed on to the test's.
pub fn start_binary(path: &Path, name: &str, env: &[(&str, &str)]) -> Example {
    let mut cmd = Command::new(path);
    cmd.env("PORT", "0")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
    let (tx, rx) = std::sync::mpsc::channel::<(String, String)>();
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    watch(stdout, tx.clone(), false);
    watch(stderr, tx, true);
    let deadline = Instant::now() + Duration::from_secs(30);
    let (port, banner) = loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok((addr, line)) => {
                let port = addr.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
                let port =
                    port.unwrap_or_else(|| panic!("{name} logged an unreadable address {addr:?}"));
                break (port, line);
            }
            Err(_) => {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("{name} exited before listening: {status}");
                }
                assert!(
                    Instant::now() < deadline,
                    "{name} did not listen within 30 s"
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

/// Reads a child's output for the life of the child (or it would block on a full pipe),
/// sends the first "listening on" address, and echoes the lines when `echo`.
fn watch(out: impl std::io::Read + Send + 'static, tx: Sender<(String, String)>, echo: bool) {
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if echo {
                eprintln!("{line}");
            }
            if let Some(rest) = line.split("listening on ").nth(1) {
                let addr: String = rest
                    .trim_start_matches("http://")
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '\u{1b}')
                    .collect();
                let _ = tx.send((addr, line.clone()));
            }
        }
    });
}

/// A client with a cookie jar.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Sends `request` and reads its answer as JSON (panicking on a transport error or a body
/// that is not JSON).
pub async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// `/plaintext` and `/json` as the benchmark contract (../shared/bench/CONTRACT.md) has
/// them.
pub async fn walk_cheap(url: &str) {
    let c = client();
    assert_eq!(
        c.get(format!("{url}/plaintext"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Hello, World!"
    );
    let res = c.get(format!("{url}/json")).send().await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(res.text().await.unwrap(), r#"{"message":"Hello, World!"}"#);
}

/// Every route of the benchmark contract: the cheap ones, then login, profile, activity,
/// cart and logout with one client's cookie jar.
pub async fn walk_contract(url: &str) {
    walk_cheap(url).await;
    let c = client();
    let res = c.get(format!("{url}/api/profile")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(
        res.headers().get("set-cookie").is_none(),
        "no session for an anonymous read"
    );

    let res = c
        .post(format!("{url}/api/login"))
        .json(&json!({ "email": "alice@example.com", "password": "pw" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("sessionId="), "{cookie}");
    for attr in ["HttpOnly", "SameSite=Lax", "Max-Age=86400", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} missing in {cookie}");
    }
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({ "message": "Logged in" })
    );

    let v: Value = json_of(c.get(format!("{url}/api/profile"))).await;
    assert_eq!(v, json!({ "userId": "alice@example.com" }));
    let v: Value = json_of(c.get(format!("{url}/api/activity"))).await;
    assert_eq!(v["userId"], "alice@example.com");
    assert!(v["lastActivity"].as_u64().unwrap() > 0);

    for n in 1..=2 {
        let v: Value = json_of(
            c.post(format!("{url}/api/cart/add"))
                .json(&json!({ "sku": format!("sku-{n}"), "qty": n })),
        )
        .await;
        assert_eq!(v.as_array().unwrap().len(), n, "{v}");
    }

    let res = c.post(format!("{url}/api/logout")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let res = c.get(format!("{url}/api/profile")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}
