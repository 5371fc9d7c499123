//! Building what rustls needs from an s2n policy definition: its suites, its
//! key-exchange groups, its protocol versions and one [`CryptoProvider`] (ring, or
//! aws-lc-rs with the `aws-lc-rs` feature: [`super::backend`]) for
//! them, plus the remarks on how the result differs from s2n-tls.

use std::sync::Arc;

use super::backend as ring_provider;
use once_cell::sync::Lazy;
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::{CipherSuite, NamedGroup, SupportedCipherSuite, SupportedProtocolVersion};

use super::tables::{Def, Entry, Group, ENTRIES};
use super::{
    s2n_cipher_name, SecurityPolicy, NULL_SUITE_NAME, S2N_SSLV3, S2N_TLS10, S2N_TLS12, S2N_TLS13,
};

/// Every accepted policy (or, for a listed s2n policy that cannot be honoured, why
/// not), parallel to [`ENTRIES`]; built on first use, once.
pub(super) static POLICIES: Lazy<Vec<std::result::Result<SecurityPolicy, String>>> =
    Lazy::new(|| {
        let mut providers: Vec<(&'static Def, Arc<CryptoProvider>)> = Vec::new();
        ENTRIES.iter().map(|e| build(e, &mut providers)).collect()
    });

static TLS13_AND_TLS12: [&SupportedProtocolVersion; 2] =
    [&rustls::version::TLS13, &rustls::version::TLS12];
static TLS12_ONLY: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
static TLS13_ONLY: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS13];

fn build(
    entry: &'static Entry,
    providers: &mut Vec<(&'static Def, Arc<CryptoProvider>)>,
) -> std::result::Result<SecurityPolicy, String> {
    let def = entry.def;
    let listed = def.suite_list();
    let is13 = |s: CipherSuite| TLS13_SUITES.contains(&s);

    // s2n's suites for the versions it allows (no TLS1.2 ones under a TLS1.3
    // minimum), each once, in s2n's order; then those rustls-ring has.
    let mut usable: Vec<CipherSuite> = Vec::new();
    for &s in &listed {
        if (def.min_version < S2N_TLS13 || is13(s)) && !usable.contains(&s) {
            usable.push(s);
        }
    }
    let kept: Vec<SupportedCipherSuite> = usable
        .iter()
        .filter_map(|&s| {
            ring_provider::ALL_CIPHER_SUITES
                .iter()
                .find(|r| r.suite() == s)
                .copied()
        })
        .collect();
    let suites: Vec<CipherSuite> = kept.iter().map(|s| s.suite()).collect();
    let dropped: Vec<CipherSuite> = usable
        .iter()
        .copied()
        .filter(|s| !suites.contains(s))
        .collect();
    let s2n_has13 = usable.iter().any(|&s| is13(s));
    let s2n_has12 = usable.iter().any(|&s| !is13(s));
    let has13 = suites.iter().any(|&s| is13(s));
    let has12 = suites.iter().any(|&s| !is13(s));
    if suites.is_empty() {
        return Err(format!(
            "none of its cipher suites is available in rustls (it has only {})",
            kinds(&dropped)
        ));
    }

    let kx: Vec<&'static dyn SupportedKxGroup> =
        def.groups.iter().filter_map(|g| g.ring()).collect();
    if kx.is_empty() {
        return Err("none of its key-exchange groups is available in rustls".into());
    }
    let groups: Vec<NamedGroup> = kx.iter().map(|g| g.name()).collect();

    let versions: &'static [&'static SupportedProtocolVersion] = match (has13, has12) {
        (true, true) => &TLS13_AND_TLS12,
        (true, false) => &TLS13_ONLY,
        _ => &TLS12_ONLY,
    };

    let provider = match providers.iter().find(|(d, _)| std::ptr::eq(*d, def)) {
        Some((_, p)) => p.clone(),
        None => {
            let p = Arc::new(CryptoProvider {
                cipher_suites: kept,
                kx_groups: kx,
                ..ring_provider::default_provider()
            });
            providers.push((def, p.clone()));
            p
        }
    };

    // What a reader of docs/policies.md needs to know.
    let mut differences = Vec::new();
    if def.min_version < S2N_TLS12 && s2n_has12 {
        let older = match def.min_version {
            S2N_SSLV3 => "SSLv3, TLS1.0 and TLS1.1",
            S2N_TLS10 => "TLS1.0 and TLS1.1",
            _ => "TLS1.1",
        };
        differences.push(format!(
            "{older} not offered (rustls has nothing below TLS1.2)"
        ));
    }
    if s2n_has12 && !has12 {
        differences.push("TLS1.2 not offered: rustls has none of its TLS1.2 suites".into());
    }
    if s2n_has13 && !has13 {
        differences.push("TLS1.3 not offered: rustls has none of its TLS1.3 suites".into());
    }
    if !dropped.is_empty() {
        differences.push(format!(
            "drops {} suite{} rustls lacks ({})",
            dropped.len(),
            if dropped.len() == 1 { "" } else { "s" },
            kinds(&dropped)
        ));
    }
    if def.groups.contains(&Group::P521) {
        differences.push("drops secp521r1 (not in ring)".into());
    }
    if !def.pq.hybrids().is_empty() {
        differences.push(format!(
            "drops the ML-KEM hybrids s2n prefers for TLS1.3 ({}): ring has none",
            def.pq.hybrids().join(", ")
        ));
    }
    if def.fips {
        differences.push(
            "same FIPS-approved algorithms as s2n, but ring is not a FIPS 140-3 validated module"
                .into(),
        );
    }
    if !entry.note.is_empty() {
        differences.push(entry.note.into());
    }

    Ok(SecurityPolicy {
        name: entry.name,
        s2n_definition: def.id,
        s2n_min_version: def.min_version,
        s2n_max_version: if s2n_has13 { S2N_TLS13 } else { S2N_TLS12 },
        min_version: if has12 { S2N_TLS12 } else { S2N_TLS13 },
        max_version: if has13 { S2N_TLS13 } else { S2N_TLS12 },
        suites,
        groups,
        versions,
        provider,
        differences,
    })
}

pub(super) const TLS13_SUITES: [CipherSuite; 3] = [
    CipherSuite::TLS13_AES_128_GCM_SHA256,
    CipherSuite::TLS13_AES_256_GCM_SHA384,
    CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
];

/// What the dropped suites are, e.g. "RSA key exchange, CBC", from s2n's names.
fn kinds(dropped: &[CipherSuite]) -> String {
    let mut kinds: Vec<&str> = Vec::new();
    for &s in dropped {
        let name = s2n_cipher_name(s);
        let mut add = |kind| {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        };
        if name == NULL_SUITE_NAME {
            add("the null suite");
            continue;
        }
        if name.starts_with("DHE-") {
            add("DHE");
        } else if !name.starts_with("ECDHE-") {
            add("RSA key exchange");
        }
        if name.contains("RC4") {
            add("RC4");
        } else if name.contains("DES-CBC3") {
            add("3DES");
        } else if !name.contains("GCM") && !name.contains("CHACHA20") {
            add("CBC");
        }
    }
    kinds.join(", ")
}

// Here rather than in tables.rs, which holds only s2n's own data.
impl Group {
    /// ring's group for an s2n group; `None` for secp521r1, which ring lacks.
    fn ring(self) -> Option<&'static dyn SupportedKxGroup> {
        match self {
            Group::X25519 => Some(ring_provider::kx_group::X25519),
            Group::P256 => Some(ring_provider::kx_group::SECP256R1),
            Group::P384 => Some(ring_provider::kx_group::SECP384R1),
            Group::P521 => None,
        }
    }
}
