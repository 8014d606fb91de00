//! A Redis server for tests.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSTALL: &str = "these tests need Redis: set REDIS_URL=redis://host:port, or install \
redis-server so the tests can start their own (Debian/Ubuntu: `sudo apt-get install -y redis-server`; \
macOS: `brew install redis`); `./scripts/test` installs it for you when run as root";

/// A Redis the tests may use. Stops the server it started (if any) on drop.
#[derive(Debug)]
pub struct RedisServer {
    url: String,
    port: u16,
    child: Option<Child>,
    /// How the server this handle started listens.
    listen: Listen,
}

/// How a server the tests start listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listen {
    Plain,
    /// TLS only; with `client_auth`, clients must show a certificate of the test CA.
    Tls {
        client_auth: bool,
    },
}

impl Listen {
    /// Whether a server listening this way answers on `port`. A TLS port cannot be PINGed in
    /// plain text; that it accepts connections is enough.
    fn is_up(self, port: u16) -> bool {
        match self {
            Listen::Plain => ping(port),
            Listen::Tls { .. } => accepts(port),
        }
    }
}

impl RedisServer {
    /// The `redis://` URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port of a server this handle started.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops the server this handle started (for outage tests). Panics for a `REDIS_URL`
    /// server, which the tests must not stop.
    pub fn stop(&mut self) {
        let mut child = self
            .child
            .take()
            .expect("stop() needs a redis-server started by the tests (spawn_redis)");
        let _ = child.kill();
        let _ = child.wait();
        // Wait until the port refuses connections.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && self.listen.is_up(self.port) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Freezes the server this handle started (SIGSTOP): connections stay open, nothing is
    /// answered, as with a Redis stuck on a slow command or a network that drops packets.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    /// Lets a [`pause`](Self::pause)d server run again (SIGCONT).
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, sig: &str) {
        let child = self
            .child
            .as_ref()
            .expect("pause()/resume() need a redis-server started by the tests (spawn_redis)");
        let status = Command::new("kill")
            .args([sig, &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {sig} failed");
    }

    /// Starts the server again on the same port after [`stop`](Self::stop).
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "restart() after stop()");
        self.child = Some(start(self.port, self.listen).unwrap_or_else(|e| panic!("{e}")));
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // A paused server must run again to die of SIGKILL promptly everywhere.
            let _ = Command::new("kill")
                .args(["-CONT", &child.id().to_string()])
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `REDIS_URL` when set, else a fresh `redis-server` on a free port.
pub fn redis() -> RedisServer {
    match std::env::var("REDIS_URL") {
        Ok(url) if !url.is_empty() => RedisServer {
            url,
            port: 0,
            child: None,
            listen: Listen::Plain,
        },
        _ => spawn_redis(),
    }
}

/// Always starts a private `redis-server` on a free port (for tests that stop and restart
/// Redis, or kill its clients).
pub fn spawn_redis() -> RedisServer {
    spawn(Listen::Plain)
}

/// Starts a private `redis-server` that speaks only TLS (no plaintext port), with the test
/// certificate of `tests/fixtures/tls` (issued by its `ca.pem` to `localhost` and
/// `127.0.0.1`). Its URL is `rediss://localhost:PORT`.
pub fn spawn_redis_tls() -> RedisServer {
    spawn(Listen::Tls { client_auth: false })
}

/// [`spawn_redis_tls`], asking every client for a certificate of the test CA (mutual TLS,
/// `tls-auth-clients yes`): [`test_client_cert_pem`] and [`test_client_key_pem`] are one.
pub fn spawn_redis_mtls() -> RedisServer {
    spawn(Listen::Tls { client_auth: true })
}

/// The test CA that signs the test certificates, as PEM.
pub fn test_ca_pem() -> Vec<u8> {
    read_fixture("ca.pem")
}

/// A client certificate of the test CA, as PEM.
pub fn test_client_cert_pem() -> Vec<u8> {
    read_fixture("client.pem")
}

/// The private key of [`test_client_cert_pem`], as PEM.
pub fn test_client_key_pem() -> Vec<u8> {
    read_fixture("client.key")
}

fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("tests/fixtures/tls/{name}: {e}"))
}

fn fixture(name: &str) -> String {
    format!("{}/fixtures/tls/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn spawn(listen: Listen) -> RedisServer {
    for _ in 0..5 {
        let port = free_port();
        match start(port, listen) {
            Ok(child) => {
                let url = match listen {
                    Listen::Plain => format!("redis://127.0.0.1:{port}"),
                    Listen::Tls { .. } => format!("rediss://localhost:{port}"),
                };
                return RedisServer {
                    url,
                    port,
                    child: Some(child),
                    listen,
                };
            }
            Err(e) if e.contains("not found") => panic!("{e}"),
            Err(_) => continue,
        }
    }
    panic!("could not start redis-server on a free port after 5 tries; {INSTALL}");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free loopback port")
}

fn start(port: u16, listen: Listen) -> Result<Child, String> {
    let port_s = port.to_string();
    let (cert, key, ca) = (
        fixture("server.pem"),
        fixture("server.key"),
        fixture("ca.pem"),
    );
    let listen_args: Vec<&str> = match listen {
        Listen::Plain => vec!["--port", &port_s],
        // `--port 0` turns the plaintext port off: every byte goes over TLS.
        Listen::Tls { client_auth } => vec![
            "--port",
            "0",
            "--tls-port",
            &port_s,
            "--tls-cert-file",
            &cert,
            "--tls-key-file",
            &key,
            "--tls-ca-cert-file",
            &ca,
            "--tls-auth-clients",
            if client_auth { "yes" } else { "no" },
        ],
    };
    let child = Command::new("redis-server")
        .args(listen_args)
        .args([
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("redis-server not found on PATH; {INSTALL}"));
        }
        Err(e) => return Err(format!("cannot start redis-server: {e}; {INSTALL}")),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if listen.is_up(port) {
            return Ok(child);
        }
        if let Ok(Some(status)) = child.try_wait() {
            let hint = if listen != Listen::Plain {
                " (with TLS options: is this redis-server built with TLS? Debian's and Homebrew's are)"
            } else {
                ""
            };
            return Err(format!(
                "redis-server exited early ({status}) on port {port}{hint}"
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    Err(format!(
        "redis-server on port {port} did not answer PING within 10 s"
    ))
}

fn accepts(port: u16) -> bool {
    TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    )
    .is_ok()
}

fn ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    ) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    matches!(s.read(&mut buf), Ok(n) if buf[..n].starts_with(b"+PONG"))
}
