//! The client's address behind a reverse proxy: the TCP peer, unless the
//! peer is a proxy the operator trusts (`--trusted-proxy`), whose
//! `X-Forwarded-For` (the nearest address it did not add itself) or
//! `X-Real-IP` then names the client. Sign-in throttling and the audit log
//! key on this address: without it, every client behind the proxy would be
//! the proxy, and 20 failed sign-ins from anyone would refuse everyone.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// The proxies whose forwarding headers are believed: addresses or
/// networks (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// Parses each entry (`ADDRESS` or `ADDRESS/PREFIX`).
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        let mut nets = Vec::new();
        for entry in entries {
            let entry = entry.as_ref().trim();
            if entry.is_empty() {
                continue;
            }
            let (addr, prefix) = entry.split_once('/').unwrap_or((entry, ""));
            let ip: IpAddr = addr
                .parse()
                .map_err(|_| format!("--trusted-proxy {entry}: not an IP address"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let len = if prefix.is_empty() {
                max
            } else {
                prefix
                    .parse::<u8>()
                    .ok()
                    .filter(|l| *l <= max)
                    .ok_or_else(|| format!("--trusted-proxy {entry}: bad prefix length"))?
            };
            nets.push((ip, len));
        }
        Ok(Self(nets))
    }

    /// Whether `ip` is one of them.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|(net, len)| match (canonical(*net), ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => same_prefix(&n.octets(), &a.octets(), *len),
            (IpAddr::V6(n), IpAddr::V6(a)) => same_prefix(&n.octets(), &a.octets(), *len),
            _ => false,
        })
    }

    /// The client's address for a request from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.contains(peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        if let Some(first) = forwarded.first() {
            // From the right: the first address no trusted proxy added
            // (all trusted: the leftmost, where the chain began).
            return forwarded
                .iter()
                .rev()
                .find(|a| !self.contains(**a))
                .copied()
                .unwrap_or(*first);
        }
        headers
            .get("x-real-ip")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(peer)
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn same_prefix(a: &[u8], b: &[u8], len: u8) -> bool {
    let (whole, rest) = (usize::from(len / 8), len % 8);
    if a[..whole] != b[..whole] {
        return false;
    }
    rest == 0 || (a[whole] ^ b[whole]) >> (8 - rest) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarding_headers_count_only_from_a_trusted_proxy() {
        let trusted = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let spoof = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(
            trusted.client(ip("198.51.100.9"), &spoof),
            ip("198.51.100.9")
        );
        assert_eq!(trusted.client(ip("127.0.0.1"), &spoof), ip("1.2.3.4"));
        // nginx appends the address it saw; a client's own claim to the
        // left of an untrusted address is not believed.
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.5, 10.1.2.3")]);
        assert_eq!(trusted.client(ip("127.0.0.1"), &chain), ip("203.0.113.5"));
        let all_trusted = headers(&[("x-forwarded-for", "10.0.0.1, 127.0.0.1")]);
        assert_eq!(
            trusted.client(ip("127.0.0.1"), &all_trusted),
            ip("10.0.0.1")
        );
        let real = headers(&[("x-real-ip", "203.0.113.6")]);
        assert_eq!(
            trusted.client(ip("::ffff:127.0.0.1"), &real),
            ip("203.0.113.6")
        );
        assert_eq!(
            trusted.client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        assert!(TrustedProxies::default().client(ip("127.0.0.1"), &spoof) == ip("127.0.0.1"));
        assert!(trusted.contains(ip("10.255.0.1")) && !trusted.contains(ip("11.0.0.1")));
        let v6 = TrustedProxies::parse(&["fd00::/8"]).unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!(TrustedProxies::parse(&["10.0.0.0/33"]).is_err());
        assert!(TrustedProxies::parse(&["nginx"]).is_err());
    }
}
