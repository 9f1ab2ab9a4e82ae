//! Refusing addresses inside the operator's network (SSRF).
//!
//! A feed or an article link is outside data: it may point at `127.0.0.1:6379` or at a cloud
//! metadata address. Names are checked after DNS resolution (a public name may resolve inside),
//! literal addresses before connecting, and each redirect hop again.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether `ip` is outside the public internet: loopback, private, link-local, unique-local,
/// shared (CGNAT), multicast, unspecified, documentation or reserved ranges.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => forbidden_v4(v4),
            None => forbidden_v6(v6),
        },
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link local
        || (first & 0xffc0) == 0xfec0 // site local (deprecated)
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b // NAT64 may reach IPv4 inside
}

/// The system's DNS resolver, dropping forbidden addresses (failing the lookup when none is
/// left) unless private networks are allowed. Its own failures are [`Unresolved`], so that a
/// name that does not resolve is told apart from a host that does not answer.
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let allow_private = self.allow_private;
        Box::pin(async move {
            let lookup = tokio::net::lookup_host(format!("{host}:0")).await;
            let resolved: Vec<SocketAddr> = match lookup {
                Ok(addrs) => addrs.collect(),
                Err(source) => return Err(Box::new(Unresolved { host, source }) as _),
            };
            let allowed: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|a| allow_private || !is_forbidden(a.ip()))
                .collect();
            if allowed.is_empty() {
                return Err(Box::new(Refused { host }) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

impl GuardedResolver {
    pub fn shared(allow_private: bool) -> Arc<Self> {
        Arc::new(GuardedResolver { allow_private })
    }
}

/// A name the system's resolver could not resolve.
#[derive(Debug, thiserror::Error)]
#[error("cannot resolve {host}: {source}")]
pub struct Unresolved {
    pub host: String,
    pub source: std::io::Error,
}

/// A host resolved only to addresses inside the network.
#[derive(Debug, thiserror::Error)]
#[error(
    "{host} resolves only to private or reserved addresses (set daemon.allow_private_networks = true to allow)"
)]
pub struct Refused {
    pub host: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_addresses_are_forbidden() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::",
        ] {
            assert!(is_forbidden(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in [
            "8.8.8.8",
            "196.200.1.1",
            "2a00:1450:4007::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_forbidden(ip.parse().unwrap()), "{ip}");
        }
    }
}
