//! The client's address: the TCP peer ([`PeerAddr`]) and the client behind trusted reverse
//! proxies ([`ClientIp`]).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

use http::request::Parts;
use http::{Extensions, HeaderMap};
use ipnet::IpNet;

use super::FromRequestParts;
use crate::app::{ProxyHeader, ServerConfig};
use crate::lifecycle::Ctx;

/// The address of the TCP peer that sent the request: the client itself, or the last proxy
/// in front of the server. IPv4 clients of a dual-stack listener show as IPv4 (`1.2.3.4`,
/// not `::ffff:1.2.3.4`).
///
/// As a handler parameter it never fails. Guards, interceptors, layers and middleware read it
/// with [`PeerAddr::of`] from the request or its parts.
///
/// A request that did not come over TCP (in process, through
/// [`TestClient`](crate::testing::TestClient) or [`App::handle`](crate::App::handle)) has no
/// peer: it gets [`PeerAddr::UNKNOWN`] (`0.0.0.0:0`), which matches no real client, so an
/// allow-list never admits it. A test or an embedding server can give it one by inserting a
/// `PeerAddr` into the request's extensions.
///
/// Set up with the request's context: on a route whose handler reads nothing but its path,
/// query and headers, and that has no middleware, guard, interceptor or filter (the fast
/// path), a request layer sees [`PeerAddr::UNKNOWN`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeerAddr(pub SocketAddr);

impl PeerAddr {
    /// What a request with no TCP peer gets: `0.0.0.0:0`.
    pub const UNKNOWN: PeerAddr = PeerAddr(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0));

    /// The peer of the request (or its parts) `head`.
    pub fn of(head: &impl Head) -> PeerAddr {
        peer(head.extensions()).map_or(PeerAddr::UNKNOWN, PeerAddr)
    }

    /// The peer's IP address.
    pub fn ip(&self) -> IpAddr {
        self.0.ip()
    }

    /// Whether the request came over TCP (or was given a peer in process).
    pub fn is_known(&self) -> bool {
        *self != PeerAddr::UNKNOWN
    }
}

impl fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The client's IP address, trusted-proxy aware: the TCP peer's, unless the peer is one of
/// [`ServerConfig::trusted_proxies`]. Then the chain of addresses in
/// [`ServerConfig::proxy_header`] (`X-Forwarded-For` by default, or `Forwarded`) is walked
/// from the right, past every trusted hop, and the first address not trusted is the client
/// (the leftmost one if every hop is trusted). Addresses to the left of it are whatever the
/// client sent, so they are never read.
///
/// A malformed chain (not an address, `unknown`, an obfuscated `_hidden` identifier, a
/// broken quote) never fails the request: the client is then the TCP peer. As a handler
/// parameter it never fails; elsewhere read it with [`ClientIp::of`].
///
/// In process (no TCP peer), it is the address of [`PeerAddr::of`]: `0.0.0.0` unless a
/// `PeerAddr` was inserted. It is computed on each call; keep the value if you need it
/// often.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The client of the request (or its parts) `head`.
    pub fn of(head: &impl Head) -> ClientIp {
        let ext = head.extensions();
        let peer = PeerAddr::of(head).ip();
        match ext.get::<Ctx>() {
            Some(ctx) => ClientIp(ctx.app.proxies.client(peer, head.headers())),
            None => ClientIp(peer),
        }
    }

    /// The address.
    pub fn ip(&self) -> IpAddr {
        self.0
    }
}

impl fmt::Display for ClientIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromRequestParts for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr::of(&*parts))
    }
}

impl FromRequestParts for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts) -> Result<Self, Self::Rejection> {
        Ok(ClientIp::of(&*parts))
    }
}

/// What the client's address is read from: a whole request, or its head
/// ([`Parts`](http::request::Parts)).
pub trait Head: sealed::Sealed {
    /// The extensions.
    fn extensions(&self) -> &Extensions;
    /// The headers.
    fn headers(&self) -> &HeaderMap;
}

mod sealed {
    pub trait Sealed {}
    impl<B> Sealed for http::Request<B> {}
    impl Sealed for http::request::Parts {}
}

impl<B> Head for http::Request<B> {
    fn extensions(&self) -> &Extensions {
        self.extensions()
    }
    fn headers(&self) -> &HeaderMap {
        self.headers()
    }
}

impl Head for Parts {
    fn extensions(&self) -> &Extensions {
        &self.extensions
    }
    fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

fn peer(ext: &Extensions) -> Option<SocketAddr> {
    match ext.get::<Ctx>().and_then(|c| c.app.peer) {
        Some(peer) => Some(peer),
        None => ext.get::<PeerAddr>().map(|p| p.0),
    }
}

/// [`ServerConfig::trusted_proxies`] and [`ServerConfig::proxy_header`], parsed at start-up.
#[derive(Debug, Default)]
pub(crate) struct TrustedProxies {
    nets: Box<[IpNet]>,
    header: ProxyHeader,
}

impl TrustedProxies {
    /// Parses the configured proxies; `Err` names every entry that is not an address or a
    /// CIDR block.
    pub(crate) fn parse(list: &[String]) -> Result<Vec<IpNet>, Vec<String>> {
        let mut nets = Vec::with_capacity(list.len());
        let mut bad = Vec::new();
        for entry in list {
            let text = entry.trim();
            let net = IpNet::from_str(text)
                .map(|n| n.trunc())
                .or_else(|_| IpAddr::from_str(text).map(IpNet::from));
            match net {
                Ok(n) => nets.push(n),
                Err(_) => bad.push(format!(
                    "ServerConfig::trusted_proxies has {entry:?}, which is neither an IP address \
                     (\"10.0.0.7\", \"::1\") nor a CIDR block (\"10.0.0.0/8\"); fix or remove it"
                )),
            }
        }
        if bad.is_empty() { Ok(nets) } else { Err(bad) }
    }

    /// The proxies of `config` (checked by [`ServerConfig::check`] already).
    pub(crate) fn new(config: &ServerConfig) -> Self {
        TrustedProxies {
            nets: Self::parse(&config.trusted_proxies)
                .unwrap_or_default()
                .into(),
            header: config.proxy_header,
        }
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// The client of a request from `peer` with `headers` (see [`ClientIp`]).
    pub(crate) fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if self.nets.is_empty() || !self.trusts(peer) {
            return peer;
        }
        // The chain, left (the client's end) to right (the last proxy's). Walking it from the
        // right, the answer is the first hop not trusted; the same answer in one pass from the
        // left, with no buffer: each hop decides what the chain up to it means.
        let mut answer = None;
        let mut hop = |hop: Option<IpAddr>| {
            answer = Some(match hop {
                None => peer,
                Some(ip) if self.trusts(ip) => answer.unwrap_or(ip),
                Some(ip) => ip,
            });
        };
        match self.header {
            ProxyHeader::XForwardedFor => {
                for value in headers.get_all("x-forwarded-for") {
                    match value.to_str() {
                        Ok(v) => v.split(',').for_each(|h| hop(address(h))),
                        Err(_) => hop(None),
                    }
                }
            }
            ProxyHeader::Forwarded => {
                for value in headers.get_all(http::header::FORWARDED) {
                    match value.to_str() {
                        Ok(v) => forwarded_for(v, &mut hop),
                        Err(_) => hop(None),
                    }
                }
            }
        }
        answer.unwrap_or(peer)
    }
}

/// One hop's address: `1.2.3.4`, `2001:db8::1`, with a port (`1.2.3.4:80`, `[::1]:80`) or in
/// brackets (`[::1]`). IPv4-mapped IPv6 addresses become IPv4.
fn address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    let ip = IpAddr::from_str(text)
        .or_else(|_| SocketAddr::from_str(text).map(|s| s.ip()))
        .ok()
        .or_else(|| {
            let inner = text.strip_prefix('[')?.strip_suffix(']')?;
            IpAddr::from_str(inner).ok()
        })?;
    Some(ip.to_canonical())
}

/// Calls `hop` with the `for=` address of each element of one `Forwarded` header value
/// (RFC 7239), `None` for an element without a usable one.
fn forwarded_for(value: &str, hop: &mut impl FnMut(Option<IpAddr>)) {
    let bytes = value.as_bytes();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for i in 0..=bytes.len() {
        match bytes.get(i) {
            Some(_) if escaped => escaped = false,
            Some(b'\\') if quoted => escaped = true,
            Some(b'"') => quoted = !quoted,
            Some(b',') if !quoted => {
                hop(element_for(&value[start..i]));
                start = i + 1;
            }
            None if quoted => hop(None), // an unterminated quote
            None => hop(element_for(&value[start..])),
            _ => {}
        }
    }
}

/// The `for=` address of one element (`for=1.2.3.4;proto=https`).
fn element_for(element: &str) -> Option<IpAddr> {
    let mut found = None;
    for pair in element.split(';') {
        let (name, value) = pair.split_once('=')?;
        if name.trim().eq_ignore_ascii_case("for") {
            let value = value.trim();
            let value = match value.strip_prefix('"') {
                Some(v) => v.strip_suffix('"')?,
                None => value,
            };
            if found.is_some() {
                return None; // `for` twice: ambiguous
            }
            found = Some(address(value)?);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &[&str], header: ProxyHeader) -> TrustedProxies {
        let list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        TrustedProxies {
            nets: TrustedProxies::parse(&list).unwrap().into(),
            header,
        }
    }

    fn headers(name: &str, values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(
                http::HeaderName::from_str(name).unwrap(),
                http::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_elements_are_read_with_quotes_ports_and_case() {
        let p = proxies(&["10.0.0.0/8"], ProxyHeader::Forwarded);
        let peer = ip("10.0.0.1");
        let chain = [
            r#"for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711""#,
            "for=10.0.0.9",
        ];
        assert_eq!(
            p.client(peer, &headers("forwarded", &chain)),
            ip("2001:db8:cafe::17")
        );
        // A quoted comma does not split an element.
        let chain = [r#"for=192.0.2.60;ext="a,b", for=10.2.3.4"#];
        assert_eq!(
            p.client(peer, &headers("forwarded", &chain)),
            ip("192.0.2.60")
        );
    }

    #[test]
    fn a_hop_that_is_not_an_address_falls_back_to_the_peer() {
        let p = proxies(&["10.0.0.0/8"], ProxyHeader::Forwarded);
        let peer = ip("10.0.0.1");
        for chain in [
            "for=unknown",
            "for=_hidden",
            "proto=https",
            r#"for="192.0.2.60"#,
            "for=1.2.3.4;for=5.6.7.8",
            "for=",
        ] {
            assert_eq!(
                p.client(peer, &headers("forwarded", &[chain])),
                peer,
                "{chain}"
            );
        }
        // Garbage to the left of the first untrusted hop is never reached.
        let chain = ["for=_hidden, for=192.0.2.60, for=10.9.9.9"];
        assert_eq!(
            p.client(peer, &headers("forwarded", &chain)),
            ip("192.0.2.60")
        );
    }

    #[test]
    fn x_forwarded_for_spans_header_lines_and_every_trusted_hop_is_skipped() {
        let p = proxies(&["10.0.0.0/8", "192.168.1.1"], ProxyHeader::XForwardedFor);
        let peer = ip("10.0.0.1");
        let h = headers(
            "x-forwarded-for",
            &["6.6.6.6, 203.0.113.9", "192.168.1.1,10.1.1.1"],
        );
        assert_eq!(p.client(peer, &h), ip("203.0.113.9"));
        // Every hop trusted: the leftmost.
        let h = headers("x-forwarded-for", &["10.3.3.3, 10.2.2.2"]);
        assert_eq!(p.client(peer, &h), ip("10.3.3.3"));
        // Ports, brackets and IPv4-mapped addresses.
        let h = headers("x-forwarded-for", &["[2001:db8::1]:443"]);
        assert_eq!(p.client(peer, &h), ip("2001:db8::1"));
        let h = headers("x-forwarded-for", &["::ffff:198.51.100.7"]);
        assert_eq!(p.client(peer, &h), ip("198.51.100.7"));
        // Empty entries and opaque bytes are malformed.
        for bad in ["1.2.3.4,,10.0.0.2", "", "1.2.3.4\u{ff}"] {
            let h = headers("x-forwarded-for", &[bad]);
            assert_eq!(p.client(peer, &h), peer, "{bad:?}");
        }
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        let p = proxies(&["10.0.0.0/8"], ProxyHeader::XForwardedFor);
        let h = headers("x-forwarded-for", &["1.1.1.1"]);
        assert_eq!(p.client(ip("198.51.100.1"), &h), ip("198.51.100.1"));
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    #[test]
    fn bad_proxy_entries_are_named() {
        let list = vec![
            "10.0.0.0/8".into(),
            "::1".into(),
            "localhost".into(),
            "10.0.0.0/33".into(),
        ];
        let bad = TrustedProxies::parse(&list).unwrap_err();
        assert_eq!(bad.len(), 2, "{bad:#?}");
        assert!(bad[0].contains("\"localhost\""), "{}", bad[0]);
        assert!(bad[1].contains("\"10.0.0.0/33\""), "{}", bad[1]);
    }
}
