//! Who is asking: the client's address, taken from the peer or — only behind a trusted reverse
//! proxy — from `X-Forwarded-For`, and the address sets (denylist, trusted proxies) it is checked
//! against.

use std::collections::HashSet;
use std::net::IpAddr;

use axum::http::HeaderMap;

/// A set of addresses and ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IpSet {
    addresses: HashSet<IpAddr>,
    ranges: Vec<(IpAddr, u8)>,
}

impl IpSet {
    /// Reads a list: one address or CIDR range a line, `#` starts a comment. Lines that are
    /// neither are reported with their number and skipped, so one typo does not drop the list.
    pub fn parse(text: &str) -> (IpSet, Vec<String>) {
        let mut set = IpSet::default();
        let mut problems = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let entry = line.split('#').next().unwrap_or_default().trim();
            if entry.is_empty() {
                continue;
            }
            match parse_entry(entry) {
                Some((address, None)) => {
                    set.addresses.insert(address);
                }
                Some((address, Some(prefix))) => set.ranges.push((address, prefix)),
                None => problems.push(format!(
                    "ligne {} : « {entry} » n'est ni une adresse IP ni une plage CIDR",
                    index + 1
                )),
            }
        }
        (set, problems)
    }

    /// Reads a comma-separated list, as `SESAME_TRUSTED_PROXIES` is written.
    pub fn parse_list(text: &str) -> (IpSet, Vec<String>) {
        IpSet::parse(&text.replace(',', "\n"))
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.addresses.contains(&address)
            || self
                .ranges
                .iter()
                .any(|(network, prefix)| in_range(address, *network, *prefix))
    }

    pub fn len(&self) -> usize {
        self.addresses.len() + self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn parse_entry(entry: &str) -> Option<(IpAddr, Option<u8>)> {
    match entry.split_once('/') {
        None => entry
            .parse::<IpAddr>()
            .ok()
            .map(|address| (canonical(address), None)),
        Some((address, prefix)) => {
            let address = canonical(address.trim().parse::<IpAddr>().ok()?);
            let prefix: u8 = prefix.trim().parse().ok()?;
            let bits = if address.is_ipv4() { 32 } else { 128 };
            (prefix <= bits).then_some((address, Some(prefix)))
        }
    }
}

/// IPv4 addresses seen through an IPv6 socket (`::ffff:a.b.c.d`) are the same client.
pub(crate) fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(address),
        v4 => v4,
    }
}

fn in_range(address: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (address, network) {
        (IpAddr::V4(address), IpAddr::V4(network)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(address) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(address), IpAddr::V6(network)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(address) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

/// The client's address: the peer, unless the peer is a trusted proxy, in which case the
/// right-most address of `X-Forwarded-For` that is not itself a trusted proxy (the left-most
/// entries are whatever the client chose to write).
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &IpSet) -> IpAddr {
    if !trusted.contains(peer) {
        return canonical(peer);
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|address| !trusted.contains(*address))
        .map(canonical)
        .unwrap_or(canonical(peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    use axum::http::HeaderValue;

    /// Whatever `X-Forwarded-For` headers a client writes: see [`crate::tools::fuzz`].
    #[test]
    fn any_forwarded_header_is_read_safely() {
        crate::tools::fuzz::check("forwarded_for");
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn reads_the_tor_exit_list_format_and_ranges() {
        let (set, problems) = IpSet::parse(
            "# Tor exit list\n185.220.101.1\n  185.220.101.2  # commentaire\n\n10.20.0.0/16\n2001:db8::/32\nnimporte\n10.0.0.0/40\n",
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("ligne 7") && problems[0].contains("nimporte"));
        assert!(set.contains(ip("185.220.101.1")));
        assert!(set.contains(ip("185.220.101.2")));
        assert!(!set.contains(ip("185.220.101.3")));
        assert!(set.contains(ip("10.20.255.7")));
        assert!(!set.contains(ip("10.21.0.1")));
        assert!(set.contains(ip("2001:db8:1::5")));
        assert!(
            set.contains(ip("::ffff:185.220.101.1")),
            "IPv4 vue par une prise IPv6"
        );
        let (everything, _) = IpSet::parse("0.0.0.0/0");
        assert!(everything.contains(ip("8.8.8.8")));
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let (trusted, _) = IpSet::parse_list("10.0.0.0/8, 192.168.1.1");
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7, 10.1.2.3"),
        );
        assert_eq!(
            client_address(ip("10.0.0.5"), &headers, &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(ip("198.51.100.9"), &headers, &trusted),
            ip("198.51.100.9")
        );
        assert_eq!(
            client_address(ip("10.0.0.5"), &HeaderMap::new(), &trusted),
            ip("10.0.0.5")
        );
    }
}
