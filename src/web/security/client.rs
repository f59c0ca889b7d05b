//! Who is on the other end: the peer's address, or, when the peer is a
//! reverse proxy or load balancer named by `--trusted-proxy`, the address
//! and scheme it says in `X-Forwarded-For` / `X-Forwarded-Proto`. From any
//! other peer those headers are ignored: anyone can send them.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

/// The addresses and networks whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    /// `10.0.0.5`, `10.0.0.0/16`, `fd00::/8`: an address or a network.
    pub fn parse(entry: &str) -> Option<IpNet> {
        let entry = entry.trim();
        entry
            .parse::<IpNet>()
            .ok()
            .or_else(|| entry.parse::<IpAddr>().ok().map(IpNet::from))
    }

    fn trusts(&self, peer: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&peer))
    }

    /// The client's address. Behind trusted proxies, `X-Forwarded-For` is
    /// read from the right, past every trusted hop: the first address a
    /// trusted proxy did not add itself is the client (what a client puts
    /// at the left can be anything).
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let hops: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|h| h.to_str().ok())
            .flat_map(|h| h.split(','))
            .map_while(|hop| hop.trim().parse::<IpAddr>().ok())
            .collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        Some(client)
    }

    /// Whether the browser reached us over https: the peer's own TLS, or a
    /// trusted proxy's `X-Forwarded-Proto: https`.
    pub fn https(&self, peer: Option<IpAddr>, headers: &HeaderMap, tls: bool) -> bool {
        tls || peer.is_some_and(|p| self.trusts(p))
            && headers
                .get("x-forwarded-proto")
                .and_then(|h| h.to_str().ok())
                .and_then(|h| h.split(',').next())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
    }
}

/// The TCP peer's address, when the server was started with connect info.
pub fn peer_of(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        headers
    }

    fn trusted() -> TrustedProxies {
        TrustedProxies(
            ["10.0.0.0/16", "127.0.0.1"]
                .iter()
                .map(|e| TrustedProxies::parse(e).unwrap())
                .collect(),
        )
    }

    #[test]
    fn entries_are_addresses_or_networks() {
        assert!(TrustedProxies::parse("10.0.0.5").is_some());
        assert!(TrustedProxies::parse(" fd00::/8 ").is_some());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_none());
        assert!(TrustedProxies::parse("alb.internal").is_none());
    }

    #[test]
    fn forwarding_headers_from_anyone_else_are_ignored() {
        let proxies = trusted();
        let headers = forwarded("203.0.113.9");
        assert_eq!(
            proxies.client(Some(ip("192.0.2.1")), &headers),
            Some(ip("192.0.2.1"))
        );
        assert!(!proxies.https(Some(ip("192.0.2.1")), &headers, false));
        assert_eq!(TrustedProxies::default().client(None, &headers), None);
    }

    #[test]
    fn behind_trusted_proxies_the_client_is_the_first_untrusted_hop_from_the_right() {
        let proxies = trusted();
        let peer = Some(ip("10.0.3.4"));
        assert_eq!(
            proxies.client(peer, &forwarded("203.0.113.9")),
            Some(ip("203.0.113.9"))
        );
        // A client that sends its own X-Forwarded-For cannot choose its address.
        assert_eq!(
            proxies.client(peer, &forwarded("1.2.3.4, 203.0.113.9, 10.0.9.9")),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(proxies.client(peer, &HeaderMap::new()), peer);
        assert!(proxies.https(peer, &forwarded("x"), false));
        assert!(!proxies.https(peer, &HeaderMap::new(), false));
        assert!(TrustedProxies::default().https(None, &HeaderMap::new(), true));
    }
}
