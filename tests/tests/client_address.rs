//! The client's address over real TCP: `PeerAddr` is the TCP peer, `ClientIp` the client
//! behind trusted proxies only. Forwarding headers from anyone else are ignored; from a
//! trusted proxy they are walked from the right past every trusted hop; garbage falls back
//! to the peer and never fails the request. Handlers (as parameters), middleware, request
//! layers, guards and interceptors all read the same address. In process there is no peer.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hearth::extract::{ClientIp, PeerAddr};
use hearth::http::HeaderValue;
use hearth::lifecycle::{Close, Open, RequestLayer};
use hearth::prelude::*;
use hearth::testing::TestClient;
use hearth_e2e::raw::{RawResponse, read_response};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

#[controller]
struct WhoController;

#[routes]
impl WhoController {
    #[get("/who")]
    async fn who(&self, peer: PeerAddr, client: ClientIp) -> Json<Value> {
        Json(json!({ "peer": peer.to_string(), "client": client.to_string() }))
    }
}

#[module(controllers = [WhoController])]
struct WhoModule;

/// Denies one client, by the address `ClientIp` gives it.
struct Banned;

impl Guard for Banned {
    async fn can_activate(&self, req: &mut Request, _: &RouteInfo) -> Result<bool, HttpException> {
        Ok(ClientIp::of(&*req).to_string() != "192.0.2.66")
    }
}

/// Keeps the client's address from `open` to `close`, which reports it.
struct SeenByLayer;

impl RequestLayer for SeenByLayer {
    type State = IpAddr;
    type Plan = ();
    fn plan(&self, _: &RouteInfo) -> Option<()> {
        Some(())
    }
    fn open(&self, _: &(), req: &mut Request) -> Open<IpAddr> {
        Open::Keep(Arc::new(ClientIp::of(&*req).ip()))
    }
    fn close(&self, seen: Arc<IpAddr>, mut res: Response) -> Close {
        res.headers_mut()
            .insert("x-layer-saw", header(&seen.to_string()));
        Close::Ready(res)
    }
}

fn header(v: &str) -> HeaderValue {
    HeaderValue::from_str(v).unwrap()
}

/// The app, every stage reporting the client it saw in a response header.
fn app(configure: impl FnOnce(&mut ServerConfig)) -> Application {
    Application::create::<WhoModule>()
        .unwrap()
        .configure(configure)
        .use_middleware(from_fn(|req: Request, next: Next| async move {
            let seen = ClientIp::of(&req).to_string();
            let mut res = next.run(req).await;
            res.headers_mut().insert("x-middleware-saw", header(&seen));
            res
        }))
        .use_layer(SeenByLayer)
        .use_global_guard(Banned)
        .use_global_interceptor(interceptor_fn(
            |req: Request, next: CallHandler| async move {
                let seen = ClientIp::of(&req).to_string();
                let mut res = next.handle(req).await;
                res.headers_mut().insert("x-interceptor-saw", header(&seen));
                res
            },
        ))
}

async fn serve_on(app: Application, addr: &str) -> hearth::app::RunningServer {
    let app = app.build().await.unwrap();
    app.spawn(tokio::net::TcpListener::bind(addr).await.unwrap())
}

/// `GET /who` with `headers` (raw lines) from a fresh connection; the response and the
/// connection's own address (what the server sees as the peer).
async fn who(server: SocketAddr, headers: &[&[u8]]) -> (RawResponse, SocketAddr) {
    let mut conn = TcpStream::connect(server).await.unwrap();
    let local = conn.local_addr().unwrap();
    let mut request = b"GET /who HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".to_vec();
    for h in headers {
        request.extend_from_slice(h);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    conn.write_all(&request).await.unwrap();
    (
        read_response(&mut conn, Duration::from_secs(10)).await,
        local,
    )
}

/// The client every stage saw (they must agree), and the peer the handler saw.
fn seen(res: &RawResponse) -> (String, String) {
    assert_eq!(
        res.status,
        Some(200),
        "{}",
        String::from_utf8_lossy(&res.raw)
    );
    let body: Value = serde_json::from_slice(&res.body).unwrap();
    let client = body["client"].as_str().unwrap().to_owned();
    for stage in ["x-middleware-saw", "x-layer-saw", "x-interceptor-saw"] {
        assert_eq!(res.header_all(stage), [client.as_str()], "{stage}");
    }
    (client, body["peer"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn every_stage_sees_the_tcp_peer_as_the_client() {
    let server = serve_on(app(|_| {}), "127.0.0.1:0").await;
    let (res, local) = who(server.addr(), &[]).await;
    let (client, peer) = seen(&res);
    assert_eq!(client, "127.0.0.1");
    assert_eq!(peer, local.to_string(), "the peer is this very connection");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
    let server = serve_on(app(|_| {}), "127.0.0.1:0").await;
    let spoofed: [&[u8]; 3] = [
        b"X-Forwarded-For: 203.0.113.7",
        b"Forwarded: for=203.0.113.8",
        b"X-Real-IP: 203.0.113.9",
    ];
    let (res, _) = who(server.addr(), &spoofed).await;
    assert_eq!(seen(&res).0, "127.0.0.1");
    // Nor can it pose as a banned client to get someone else refused, or the reverse.
    let (res, _) = who(server.addr(), &[b"X-Forwarded-For: 192.0.2.66"]).await;
    assert_eq!(res.status, Some(200));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn x_forwarded_for_from_a_trusted_proxy_is_walked_past_trusted_hops() {
    let trusting = |proxies: &[&str]| {
        let proxies: Vec<String> = proxies.iter().map(|p| p.to_string()).collect();
        app(move |c| c.trusted_proxies = proxies)
    };
    let server = serve_on(trusting(&["127.0.0.1"]), "127.0.0.1:0").await;
    // The rightmost hop is the one the trusted proxy saw; what is left of it, the client wrote.
    let (res, _) = who(server.addr(), &[b"X-Forwarded-For: 6.6.6.6, 203.0.113.7"]).await;
    assert_eq!(seen(&res).0, "203.0.113.7");
    // The guard sees the forwarded client too.
    let (res, _) = who(server.addr(), &[b"X-Forwarded-For: 192.0.2.66"]).await;
    assert_eq!(res.status, Some(403));
    // `Forwarded` is not the configured header: ignored, the peer stays the client.
    let (res, _) = who(server.addr(), &[b"Forwarded: for=203.0.113.8"]).await;
    assert_eq!(seen(&res).0, "127.0.0.1");
    server.shutdown().await.unwrap();

    // Two proxies in a row, over two header lines: both trusted hops are skipped.
    let server = serve_on(trusting(&["127.0.0.0/8", "10.1.0.0/16"]), "127.0.0.1:0").await;
    let lines: [&[u8]; 2] = [
        b"X-Forwarded-For: 6.6.6.6, 198.51.100.23",
        b"X-Forwarded-For: 10.1.2.3",
    ];
    let (res, _) = who(server.addr(), &lines).await;
    assert_eq!(seen(&res).0, "198.51.100.23");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn forwarded_from_a_trusted_proxy_is_honoured_when_configured() {
    let server = serve_on(
        app(|c| {
            c.trusted_proxies = vec!["127.0.0.1".into()];
            c.proxy_header = hearth::app::ProxyHeader::Forwarded;
        }),
        "127.0.0.1:0",
    )
    .await;
    let (res, _) = who(
        server.addr(),
        &[br#"Forwarded: for=6.6.6.6, for="[2001:db8::7]:4711";proto=https"#],
    )
    .await;
    assert_eq!(seen(&res).0, "2001:db8::7");
    let (res, _) = who(server.addr(), &[b"X-Forwarded-For: 203.0.113.7"]).await;
    assert_eq!(
        seen(&res).0,
        "127.0.0.1",
        "X-Forwarded-For is not the header read"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn ipv6_peers_are_seen_and_can_be_trusted() {
    let server = serve_on(app(|_| {}), "[::1]:0").await;
    let (res, local) = who(server.addr(), &[b"X-Forwarded-For: 203.0.113.7"]).await;
    let (client, peer) = seen(&res);
    assert_eq!(client, "::1");
    assert_eq!(peer, local.to_string());
    assert!(peer.starts_with("[::1]:"), "{peer}");
    server.shutdown().await.unwrap();

    let server = serve_on(
        app(|c| c.trusted_proxies = vec!["::1/128".into()]),
        "[::1]:0",
    )
    .await;
    let (res, _) = who(server.addr(), &[b"X-Forwarded-For: 2001:db8::42"]).await;
    assert_eq!(seen(&res).0, "2001:db8::42");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn garbage_forwarding_headers_fall_back_to_the_peer() {
    let server = serve_on(
        app(|c| c.trusted_proxies = vec!["127.0.0.1".into()]),
        "127.0.0.1:0",
    )
    .await;
    let long = format!("X-Forwarded-For: {}", ",".repeat(8000));
    let garbage: [&[u8]; 9] = [
        b"X-Forwarded-For: not-an-address",
        b"X-Forwarded-For: 203.0.113.7,,",
        b"X-Forwarded-For: unknown",
        b"X-Forwarded-For: 203.0.113.7 \xff\xfe",
        b"X-Forwarded-For: 999.1.1.1",
        b"X-Forwarded-For: [::1",
        b"X-Forwarded-For: ",
        b"X-Forwarded-For: 1.2.3.4:99999",
        long.as_bytes(),
    ];
    for line in garbage {
        let (res, _) = who(server.addr(), &[line]).await;
        let shown = String::from_utf8_lossy(line);
        assert_eq!(res.status, Some(200), "{shown}");
        assert_eq!(seen(&res).0, "127.0.0.1", "{shown}");
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn in_process_requests_have_no_peer() {
    let client = TestClient::from_app(app(|_| {}).build().await.unwrap());
    let res = client
        .get("/who")
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json();
    assert_eq!(body["peer"], "0.0.0.0:0");
    assert_eq!(body["client"], "0.0.0.0");
    assert_eq!(res.header("x-middleware-saw"), Some("0.0.0.0"));
}
