//! s2n security policies (the names given to `s2n_config_set_cipher_preferences`),
//! mapped onto rustls with the *ring* provider.
//!
//! The data below transcribes the s2n-tls 0.3.47 (`s2n-tls-sys`) policy tables: for
//! each policy its minimum protocol version, its cipher suites in preference order,
//! its ECC groups in preference order and whether it also offers post-quantum hybrid
//! groups. From that, each policy gets one rustls [`CryptoProvider`], built the first
//! time any policy is looked up and shared from then on:
//!
//! * suites: the suites of s2n's list that rustls-ring implements, in s2n's order.
//!   Everything else (CBC, RSA key exchange, DHE, 3DES, RC4) is dropped. A protocol
//!   version left without a suite is not offered.
//! * versions: rustls implements only TLS1.2 and TLS1.3, so a policy whose s2n
//!   minimum is SSLv3, TLS1.0 or TLS1.1 is honoured as TLS1.2 and up.
//! * groups: the groups of s2n's ECC list that ring implements (X25519, secp256r1,
//!   secp384r1), in s2n's order; secp521r1 is dropped. s2n's general-purpose
//!   defaults prefer ML-KEM hybrids for TLS1.3; ring has none, so those are dropped
//!   too, just as s2n itself does when its libcrypto lacks ML-KEM.
//! * a policy that ends up with no suite, or whose point is something rustls-ring
//!   cannot do (post-quantum key exchange, ML-DSA), is refused with a message
//!   saying why.
//!
//! Signature schemes are rustls-ring's for every policy; s2n's per-policy signature
//! lists are not applied. `docs/policies.md` is the table of every accepted name
//! and how it differs from s2n-tls; a test keeps it in step with this file.
//!
//! Names are matched ignoring ASCII case, as s2n does.

use std::sync::Arc;

use once_cell::sync::Lazy;
use rustls::crypto::ring as ring_provider;
use rustls::crypto::{CryptoProvider, SupportedKxGroup};
use rustls::CipherSuite as Cs;
use rustls::{CipherSuite, NamedGroup, SupportedCipherSuite, SupportedProtocolVersion};

use crate::error::{Error, ErrorCode, Result};

/// s2n's protocol version numbers (`S2N_SSLv3` .. `S2N_TLS13` in `s2n.h`).
pub const S2N_SSLV3: i32 = 30;
pub const S2N_TLS10: i32 = 31;
pub const S2N_TLS11: i32 = 32;
pub const S2N_TLS12: i32 = 33;
pub const S2N_TLS13: i32 = 34;

/// The name s2n gives the "no suite yet" suite; also what [`s2n_cipher_name`]
/// answers for a suite s2n does not know.
const NULL_SUITE_NAME: &str = "TLS_NULL_WITH_NULL_NULL";

/// An s2n security policy as rs2n honours it: what it offers when the name is set.
#[derive(Debug)]
pub struct SecurityPolicy {
    /// The policy's name, spelled as s2n spells it.
    pub name: &'static str,
    /// The s2n definition the name resolves to (for aliases such as "default",
    /// the dated policy behind them, e.g. "20251014").
    pub s2n_definition: &'static str,
    /// s2n's own minimum protocol version for the policy (may be below TLS1.2).
    pub s2n_min_version: i32,
    /// The highest version s2n negotiates with the policy (TLS1.3 if its list has
    /// a TLS1.3 suite, TLS1.2 otherwise).
    pub s2n_max_version: i32,
    /// The lowest version rs2n negotiates: [`S2N_TLS12`] or [`S2N_TLS13`].
    pub min_version: i32,
    /// The highest version rs2n negotiates: [`S2N_TLS12`] or [`S2N_TLS13`].
    pub max_version: i32,
    suites: Vec<CipherSuite>,
    groups: Vec<NamedGroup>,
    versions: &'static [&'static SupportedProtocolVersion],
    provider: Arc<CryptoProvider>,
    differences: Vec<String>,
}

impl SecurityPolicy {
    /// The ring provider restricted to this policy's suites and groups (an `Arc`
    /// clone; the provider itself is built once).
    pub fn provider(&self) -> Arc<CryptoProvider> {
        self.provider.clone()
    }

    /// The rustls protocol versions to enable, e.g. `&[&TLS13, &TLS12]`.
    pub fn versions(&self) -> &'static [&'static SupportedProtocolVersion] {
        self.versions
    }

    /// Whether rs2n negotiates the s2n protocol `version` (e.g. 33) under this policy.
    pub fn supports(&self, version: i32) -> bool {
        (self.min_version..=self.max_version).contains(&version)
    }

    /// The suites offered, in preference order (TLS1.3 and TLS1.2 interleaved as
    /// in s2n's list).
    pub fn cipher_suites(&self) -> &[CipherSuite] {
        &self.suites
    }

    /// Whether `suite` is one this policy offers (for
    /// `s2n_connection_is_valid_for_cipher_preferences`).
    pub fn allows_suite(&self, suite: CipherSuite) -> bool {
        self.suites.contains(&suite)
    }

    /// The key-exchange groups offered, in preference order.
    pub fn kx_groups(&self) -> &[NamedGroup] {
        &self.groups
    }

    /// What rs2n does differently from s2n-tls under this policy, one remark each.
    pub fn differences_from_s2n(&self) -> &[String] {
        &self.differences
    }
}

/// Looks a policy up by its s2n name, ignoring ASCII case as s2n does.
///
/// An unknown name, or an s2n policy rs2n cannot honour, is an
/// [`ErrorCode::InvalidSecurityPolicy`] error whose message names it and, for a
/// real s2n policy, says why it is refused.
pub fn lookup(name: &str) -> Result<&'static SecurityPolicy> {
    if let Some(i) = ENTRIES
        .iter()
        .position(|e| e.name.eq_ignore_ascii_case(name))
    {
        return match &POLICIES[i] {
            Ok(policy) => Ok(policy),
            Err(why) => Err(refused(name, why)),
        };
    }
    if let Some((_, why)) = OTHER_S2N_POLICIES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        return Err(refused(name, why.text()));
    }
    if DEPRECATED_S2N_POLICIES
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
    {
        return Err(refused(
            name,
            "s2n-tls itself has deprecated it and refuses it too",
        ));
    }
    Err(Error::new(
        ErrorCode::InvalidSecurityPolicy,
        format!(
            "unknown security policy \"{name}\": it is not an s2n-tls policy name \
             (rs2n accepts {}, ...; see docs/policies.md)",
            SUGGESTED.join(", ")
        ),
    ))
}

fn refused(name: &str, why: &str) -> Error {
    Error::new(
        ErrorCode::InvalidSecurityPolicy,
        format!("security policy \"{name}\" is an s2n-tls policy that rs2n cannot honour: {why}"),
    )
}

/// The policy used when none is set: s2n's "default" (`s2n_config_new`).
pub fn default_policy() -> &'static SecurityPolicy {
    match lookup("default") {
        Ok(policy) => policy,
        Err(e) => unreachable!("s2n's default policy always maps: {e}"),
    }
}

/// s2n's (OpenSSL-style) name for a suite, as `s2n_connection_get_cipher` reports
/// it: "TLS_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", ... A suite
/// s2n does not know gets "TLS_NULL_WITH_NULL_NULL", s2n's name for no suite.
pub fn s2n_cipher_name(suite: CipherSuite) -> &'static str {
    S2N_SUITE_NAMES
        .iter()
        .find(|(s, _)| *s == suite)
        .map_or(NULL_SUITE_NAME, |(_, name)| name)
}

/// Every policy name rs2n accepts, in the order of docs/policies.md.
pub fn names() -> impl Iterator<Item = &'static str> {
    ENTRIES
        .iter()
        .zip(POLICIES.iter())
        .filter(|(_, built)| built.is_ok())
        .map(|(entry, _)| entry.name)
}

/// Names quoted in the "unknown policy" message.
const SUGGESTED: &[&str] = &[
    "default",
    "default_tls13",
    "default_fips",
    "20240501",
    "rfc9151",
];

// ---------------------------------------------------------------------------
// Building the policies
// ---------------------------------------------------------------------------

/// Every accepted policy (or, for a listed s2n policy that cannot be honoured, why
/// not), parallel to [`ENTRIES`]; built on first use, once.
static POLICIES: Lazy<Vec<std::result::Result<SecurityPolicy, String>>> = Lazy::new(|| {
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

const TLS13_SUITES: [CipherSuite; 3] = [
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

// ---------------------------------------------------------------------------
// s2n's tables (transcribed from s2n-tls-sys 0.3.47, tls/s2n_*_preferences.c and
// tls/s2n_security_policies.c)
// ---------------------------------------------------------------------------

/// The ECC groups s2n's preference lists name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    X25519,
    P256,
    P384,
    P521,
}

impl Group {
    fn ring(self) -> Option<&'static dyn SupportedKxGroup> {
        match self {
            Group::X25519 => Some(ring_provider::kx_group::X25519),
            Group::P256 => Some(ring_provider::kx_group::SECP256R1),
            Group::P384 => Some(ring_provider::kx_group::SECP384R1),
            Group::P521 => None,
        }
    }
}

/// The post-quantum hybrid groups an s2n policy offers ahead of its ECC groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pq {
    None,
    /// `kem_preferences_pq_tls_1_3_ietf_2025_07`
    Ietf2025Jul,
    /// `kem_preferences_all` (s2n's test policies)
    All,
}

impl Pq {
    fn hybrids(self) -> &'static [&'static str] {
        match self {
            Pq::None => &[],
            Pq::Ietf2025Jul => &["X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024"],
            Pq::All => &[
                "X25519MLKEM768",
                "SecP256r1MLKEM768",
                "SecP384r1MLKEM1024",
                "MLKEM1024",
            ],
        }
    }
}

/// One s2n `security_policy_*` definition.
#[derive(Debug)]
struct Def {
    /// The definition's name in s2n (`security_policy_<id>`).
    id: &'static str,
    /// s2n's `minimum_protocol_version`.
    min_version: i32,
    /// s2n's cipher suite list, in order, by s2n's names, separated by spaces.
    suites: &'static str,
    /// s2n's ECC preference list, in order.
    groups: &'static [Group],
    /// s2n's KEM preference list.
    pq: Pq,
    /// Whether s2n marks the policy as FIPS 140-3 compliant.
    fips: bool,
}

impl Def {
    fn suite_list(&self) -> Vec<CipherSuite> {
        self.suites
            .split_whitespace()
            .map(
                |name| match S2N_SUITE_NAMES.iter().find(|(_, n)| *n == name) {
                    Some((suite, _)) => *suite,
                    None => {
                        unreachable!("suite {name} of s2n policy {} is not in the table", self.id)
                    }
                },
            )
            .collect()
    }
}

/// A policy name rs2n looks at, the s2n definition it resolves to, and anything
/// about it the generated remarks do not already say.
struct Entry {
    name: &'static str,
    def: &'static Def,
    note: &'static str,
}

impl Entry {
    const fn new(name: &'static str, def: &'static Def) -> Entry {
        Entry {
            name,
            def,
            note: "",
        }
    }

    const fn with_note(self, note: &'static str) -> Entry {
        Entry { note, ..self }
    }
}

/// Why rs2n refuses an s2n policy it has no [`Entry`] for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Why {
    PostQuantum,
    PostQuantumMlDsa,
    PqOnly,
    ServiceSpecific,
    NotMapped,
}

impl Why {
    fn text(self) -> &'static str {
        match self {
            Why::PostQuantum => {
                "it is a post-quantum policy: it exists for ML-KEM hybrid key exchange, which \
                 rustls's ring provider lacks, and rs2n will not run it classical-only"
            }
            Why::PostQuantumMlDsa => {
                "it is a post-quantum policy: it exists for ML-KEM key exchange and ML-DSA \
                 signatures, which rustls's ring provider lacks, and rs2n will not run it \
                 classical-only"
            }
            Why::PqOnly => {
                "it allows only post-quantum (ML-KEM) key exchange, which rustls's ring provider \
                 lacks, so no handshake is possible"
            }
            Why::ServiceSpecific => {
                "it is one of s2n-tls's service-specific policies (ELB, CloudFront, AWS CRT SDK, \
                 KMS), which rs2n does not map; use a general one such as \"default\" or \
                 \"default_tls13\""
            }
            Why::NotMapped => {
                "rs2n carries no mapping for it; use a general one such as \"default\" or \
                 \"default_tls13\""
            }
        }
    }
}

const RFC9151_NOTE: &str =
    "s2n also limits signatures to SHA-384 and certificate keys to P-384 or \
    RSA-3072 and up, its own certificates included; rs2n does not enforce these";
const SHA384_NOTE: &str = "s2n also limits handshake signatures to SHA-384; rs2n does not";
const SHA384_512_NOTE: &str =
    "s2n also limits handshake signatures to SHA-384 and SHA-512; rs2n does not";
const TEST_NOTE: &str = "s2n test policy";

/// s2n's suites: the IANA value (as rustls names it) and s2n's name for it.
static S2N_SUITE_NAMES: &[(Cs, &str)] = &[
    (Cs::TLS_NULL_WITH_NULL_NULL, "TLS_NULL_WITH_NULL_NULL"),
    (Cs::TLS_RSA_WITH_RC4_128_MD5, "RC4-MD5"),
    (Cs::TLS_RSA_WITH_RC4_128_SHA, "RC4-SHA"),
    (Cs::TLS_RSA_WITH_3DES_EDE_CBC_SHA, "DES-CBC3-SHA"),
    (
        Cs::TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA,
        "DHE-RSA-DES-CBC3-SHA",
    ),
    (Cs::TLS_RSA_WITH_AES_128_CBC_SHA, "AES128-SHA"),
    (Cs::TLS_DHE_RSA_WITH_AES_128_CBC_SHA, "DHE-RSA-AES128-SHA"),
    (Cs::TLS_RSA_WITH_AES_256_CBC_SHA, "AES256-SHA"),
    (Cs::TLS_DHE_RSA_WITH_AES_256_CBC_SHA, "DHE-RSA-AES256-SHA"),
    (Cs::TLS_RSA_WITH_AES_128_CBC_SHA256, "AES128-SHA256"),
    (Cs::TLS_RSA_WITH_AES_256_CBC_SHA256, "AES256-SHA256"),
    (
        Cs::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        "DHE-RSA-AES128-SHA256",
    ),
    (
        Cs::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
        "DHE-RSA-AES256-SHA256",
    ),
    (Cs::TLS_RSA_WITH_AES_128_GCM_SHA256, "AES128-GCM-SHA256"),
    (Cs::TLS_RSA_WITH_AES_256_GCM_SHA384, "AES256-GCM-SHA384"),
    (
        Cs::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        "DHE-RSA-AES128-GCM-SHA256",
    ),
    (
        Cs::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        "DHE-RSA-AES256-GCM-SHA384",
    ),
    (
        Cs::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        "ECDHE-ECDSA-AES128-SHA",
    ),
    (
        Cs::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        "ECDHE-ECDSA-AES256-SHA",
    ),
    (Cs::TLS_ECDHE_RSA_WITH_RC4_128_SHA, "ECDHE-RSA-RC4-SHA"),
    (
        Cs::TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,
        "ECDHE-RSA-DES-CBC3-SHA",
    ),
    (
        Cs::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        "ECDHE-RSA-AES128-SHA",
    ),
    (
        Cs::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        "ECDHE-RSA-AES256-SHA",
    ),
    (
        Cs::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        "ECDHE-ECDSA-AES128-SHA256",
    ),
    (
        Cs::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        "ECDHE-ECDSA-AES256-SHA384",
    ),
    (
        Cs::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        "ECDHE-RSA-AES128-SHA256",
    ),
    (
        Cs::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        "ECDHE-RSA-AES256-SHA384",
    ),
    (
        Cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-ECDSA-AES128-GCM-SHA256",
    ),
    (
        Cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-ECDSA-AES256-GCM-SHA384",
    ),
    (
        Cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "ECDHE-RSA-AES128-GCM-SHA256",
    ),
    (
        Cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "ECDHE-RSA-AES256-GCM-SHA384",
    ),
    (
        Cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-RSA-CHACHA20-POLY1305",
    ),
    (
        Cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        "ECDHE-ECDSA-CHACHA20-POLY1305",
    ),
    (
        Cs::TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        "DHE-RSA-CHACHA20-POLY1305",
    ),
    (Cs::TLS13_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256"),
    (Cs::TLS13_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384"),
    (
        Cs::TLS13_CHACHA20_POLY1305_SHA256,
        "TLS_CHACHA20_POLY1305_SHA256",
    ),
];

// s2n's cipher preference lists (`cipher_suites_*`), by s2n's suite names.
const SUITES_20251014: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 \
    ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES128-GCM-SHA256 \
    ECDHE-RSA-AES256-GCM-SHA384";
const SUITES_CLOUDFRONT_TLS_1_2_2019: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 \
    ECDHE-RSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES256-SHA384 \
    ECDHE-RSA-AES256-SHA384 ECDHE-ECDSA-AES128-SHA256 \
    ECDHE-RSA-AES128-SHA256";
const SUITES_20251015: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384";
const SUITES_20240331: &str = "ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA384";
const SUITES_DEFAULT_FIPS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA384 DHE-RSA-AES128-SHA256 \
    DHE-RSA-AES256-SHA256 DHE-RSA-AES128-GCM-SHA256 \
    DHE-RSA-AES256-GCM-SHA384";
const SUITES_20210831: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 \
    ECDHE-RSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA \
    ECDHE-ECDSA-AES128-SHA256 ECDHE-RSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA \
    ECDHE-RSA-AES256-SHA AES128-GCM-SHA256 AES128-SHA256 AES128-SHA";
const SUITES_20240603: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 \
    ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-ECDSA-AES256-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-SHA256 \
    ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-SHA384 \
    ECDHE-RSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES128-SHA \
    ECDHE-ECDSA-AES256-SHA ECDHE-RSA-AES128-SHA ECDHE-RSA-AES256-SHA \
    DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES128-SHA256 \
    DHE-RSA-AES256-GCM-SHA384 DHE-RSA-AES256-SHA256 DHE-RSA-AES128-SHA \
    DHE-RSA-AES256-SHA ECDHE-RSA-DES-CBC3-SHA DHE-RSA-DES-CBC3-SHA \
    AES128-GCM-SHA256 AES128-SHA256 AES256-GCM-SHA384 AES256-SHA256 \
    AES128-SHA AES256-SHA DES-CBC3-SHA";
const SUITES_CLOUDFRONT_TLS_1_0_2016: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES128-SHA256 \
    ECDHE-RSA-AES128-SHA256 ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA \
    ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305 \
    ECDHE-ECDSA-AES256-SHA384 ECDHE-RSA-AES256-SHA384 ECDHE-ECDSA-AES256-SHA \
    ECDHE-RSA-AES256-SHA AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-SHA256 \
    AES256-SHA AES128-SHA";
const SUITES_20230317: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA384";
const SUITES_20250211: &str = "TLS_AES_256_GCM_SHA384";
const SUITES_20250429: &str = "TLS_AES_256_GCM_SHA384 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES256-GCM-SHA384 AES256-GCM-SHA384 DHE-RSA-AES256-GCM-SHA384";
const SUITES_20251013: &str = "TLS_AES_256_GCM_SHA384 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES256-GCM-SHA384";
const SUITES_20210816: &str = "ECDHE-ECDSA-AES256-SHA384 ECDHE-RSA-AES256-SHA384 \
    ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384";
const SUITES_20210816_GCM: &str = "ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-ECDSA-AES256-SHA384 ECDHE-RSA-AES256-SHA384";
const SUITES_20210825: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA \
    ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 \
    ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-ECDSA-AES128-SHA256 ECDHE-RSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA \
    ECDHE-RSA-AES256-SHA ECDHE-ECDSA-AES256-SHA384 ECDHE-RSA-AES256-SHA384 \
    AES128-SHA AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-SHA256 AES256-SHA \
    AES256-SHA256 DES-CBC3-SHA DHE-RSA-AES128-SHA DHE-RSA-AES128-GCM-SHA256 \
    DHE-RSA-AES256-GCM-SHA384 DHE-RSA-AES128-SHA256 DHE-RSA-AES256-SHA \
    DHE-RSA-AES256-SHA256";
const SUITES_20210825_GCM: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA \
    ECDHE-ECDSA-AES128-SHA256 ECDHE-RSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA \
    ECDHE-RSA-AES256-SHA ECDHE-ECDSA-AES256-SHA384 ECDHE-RSA-AES256-SHA384 \
    AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-SHA AES128-SHA256 AES256-SHA \
    AES256-SHA256 DES-CBC3-SHA DHE-RSA-AES128-GCM-SHA256 \
    DHE-RSA-AES256-GCM-SHA384 DHE-RSA-AES128-SHA DHE-RSA-AES128-SHA256 \
    DHE-RSA-AES256-SHA DHE-RSA-AES256-SHA256";
const SUITES_20190122: &str = "ECDHE-RSA-CHACHA20-POLY1305 ECDHE-RSA-AES128-SHA \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA ECDHE-RSA-AES256-SHA384 \
    AES128-SHA AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-SHA256 AES256-SHA \
    AES256-SHA256 DES-CBC3-SHA";
const SUITES_TEST_ALL_TLS13: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256";
const SUITES_20190801: &str = "TLS_AES_256_GCM_SHA384 TLS_AES_128_GCM_SHA256 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-RSA-AES128-GCM-SHA256 \
    ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305 \
    ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA \
    AES128-GCM-SHA256 AES128-SHA256 AES128-SHA";
const SUITES_20190214: &str = "ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA \
    ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 \
    ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-ECDSA-AES128-SHA256 ECDHE-RSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA \
    ECDHE-RSA-AES256-SHA ECDHE-ECDSA-AES256-SHA384 ECDHE-RSA-AES256-SHA384 \
    AES128-SHA AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-SHA256 AES256-SHA \
    AES256-SHA256 DES-CBC3-SHA DHE-RSA-AES128-SHA DHE-RSA-AES128-GCM-SHA256 \
    DHE-RSA-AES256-GCM-SHA384 DHE-RSA-AES128-SHA256 DHE-RSA-AES256-SHA \
    DHE-RSA-AES256-SHA256";
const SUITES_20190214_GCM: &str = "ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 \
    ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA ECDHE-ECDSA-AES128-SHA256 \
    ECDHE-RSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA ECDHE-RSA-AES256-SHA \
    ECDHE-ECDSA-AES256-SHA384 ECDHE-RSA-AES256-SHA384 AES128-GCM-SHA256 \
    AES256-GCM-SHA384 AES128-SHA AES128-SHA256 AES256-SHA AES256-SHA256 \
    DES-CBC3-SHA DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384 \
    DHE-RSA-AES128-SHA DHE-RSA-AES128-SHA256 DHE-RSA-AES256-SHA \
    DHE-RSA-AES256-SHA256";
const SUITES_20190120: &str = "ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-GCM-SHA256 \
    ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305 \
    ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA ECDHE-RSA-AES256-SHA384 \
    AES128-SHA AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-SHA256 AES256-SHA \
    AES256-SHA256 DES-CBC3-SHA";
const SUITES_20190121: &str = "ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-CHACHA20-POLY1305 ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-SHA256 \
    ECDHE-RSA-AES256-SHA ECDHE-RSA-AES256-SHA384 AES128-GCM-SHA256 \
    AES256-GCM-SHA384 AES128-SHA AES128-SHA256 AES256-SHA AES256-SHA256 \
    DES-CBC3-SHA";
const SUITES_20170210: &str = "ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-CHACHA20-POLY1305 ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-SHA256 \
    ECDHE-RSA-AES256-SHA AES128-GCM-SHA256 AES128-SHA256 AES128-SHA";
const SUITES_20170328: &str = "ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-GCM-SHA256 \
    ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA \
    ECDHE-RSA-AES256-SHA384 AES128-SHA AES128-GCM-SHA256 AES256-GCM-SHA384 \
    AES128-SHA256 AES256-SHA AES256-SHA256 DES-CBC3-SHA DHE-RSA-AES128-SHA \
    DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384 \
    DHE-RSA-AES128-SHA256 DHE-RSA-AES256-SHA DHE-RSA-AES256-SHA256";
const SUITES_20170328_GCM: &str = "ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA \
    ECDHE-RSA-AES256-SHA384 AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-SHA \
    AES128-SHA256 AES256-SHA AES256-SHA256 DES-CBC3-SHA \
    DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384 DHE-RSA-AES128-SHA \
    DHE-RSA-AES128-SHA256 DHE-RSA-AES256-SHA DHE-RSA-AES256-SHA256";
const SUITES_20170405: &str = "ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 AES128-SHA \
    AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-SHA256 AES256-SHA \
    AES256-SHA256 DES-CBC3-SHA";
const SUITES_20170405_GCM: &str = "ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA384 AES128-GCM-SHA256 \
    AES256-GCM-SHA384 AES128-SHA AES128-SHA256 AES256-SHA AES256-SHA256 \
    DES-CBC3-SHA";
const SUITES_20170718: &str = "ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-GCM-SHA256 \
    ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA \
    ECDHE-RSA-AES256-SHA384 AES128-SHA AES128-GCM-SHA256 AES256-GCM-SHA384 \
    AES128-SHA256 AES256-SHA AES256-SHA256";
const SUITES_20170718_GCM: &str = "ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA \
    ECDHE-RSA-AES256-SHA384 AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-SHA \
    AES128-SHA256 AES256-SHA AES256-SHA256";
const SUITES_20160411: &str = "ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-GCM-SHA256 \
    ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA \
    ECDHE-RSA-AES256-SHA384 AES128-SHA AES128-GCM-SHA256 AES256-GCM-SHA384 \
    AES128-SHA256 AES256-SHA AES256-SHA256 DES-CBC3-SHA";
const SUITES_20160804: &str = "ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA \
    ECDHE-RSA-AES256-SHA384 AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-SHA \
    AES128-SHA256 AES256-SHA AES256-SHA256 DES-CBC3-SHA";
const SUITES_20160824: &str = "ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA \
    AES128-GCM-SHA256 AES128-SHA256 AES128-SHA";
const SUITES_20150306: &str = "ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-SHA ECDHE-RSA-AES128-SHA256 ECDHE-RSA-DES-CBC3-SHA \
    ECDHE-RSA-AES256-SHA AES128-GCM-SHA256 AES128-SHA256 AES128-SHA \
    DES-CBC3-SHA";
const SUITES_20150214: &str = "DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES128-SHA256 DHE-RSA-AES128-SHA \
    DHE-RSA-DES-CBC3-SHA AES128-GCM-SHA256 AES128-SHA256 AES128-SHA \
    DES-CBC3-SHA";
const SUITES_20150202: &str = "DHE-RSA-AES128-SHA256 DHE-RSA-AES128-SHA DHE-RSA-DES-CBC3-SHA \
    AES128-SHA256 AES128-SHA DES-CBC3-SHA";
const SUITES_20141001: &str = "DHE-RSA-AES128-SHA256 DHE-RSA-AES128-SHA DHE-RSA-DES-CBC3-SHA \
    AES128-SHA256 AES128-SHA DES-CBC3-SHA RC4-SHA RC4-MD5";
const SUITES_20140601: &str = "DHE-RSA-AES128-SHA256 DHE-RSA-AES128-SHA DHE-RSA-DES-CBC3-SHA \
    AES128-SHA256 AES128-SHA DES-CBC3-SHA RC4-SHA RC4-MD5";
const SUITES_20261021_1: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256";
const SUITES_20261021_2: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256 AES128-SHA AES256-SHA";
const SUITES_20261021_3: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256 AES128-GCM-SHA256 AES128-SHA256 AES128-SHA \
    ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES128-SHA \
    AES256-SHA";
const SUITES_20261021_4: &str = "TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256 AES128-GCM-SHA256 AES128-SHA256 AES128-SHA \
    ECDHE-ECDSA-AES128-SHA ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES128-SHA";
const SUITES_TEST_ALL: &str = "RC4-MD5 RC4-SHA DES-CBC3-SHA DHE-RSA-DES-CBC3-SHA AES128-SHA \
    DHE-RSA-AES128-SHA AES256-SHA DHE-RSA-AES256-SHA AES128-SHA256 \
    AES256-SHA256 DHE-RSA-AES128-SHA256 DHE-RSA-AES256-SHA256 \
    AES128-GCM-SHA256 AES256-GCM-SHA384 DHE-RSA-AES128-GCM-SHA256 \
    DHE-RSA-AES256-GCM-SHA384 TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    TLS_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-AES128-SHA \
    ECDHE-ECDSA-AES256-SHA ECDHE-RSA-RC4-SHA ECDHE-RSA-DES-CBC3-SHA \
    ECDHE-RSA-AES128-SHA ECDHE-RSA-AES256-SHA ECDHE-ECDSA-AES128-SHA256 \
    ECDHE-ECDSA-AES256-SHA384 ECDHE-RSA-AES128-SHA256 \
    ECDHE-RSA-AES256-SHA384 ECDHE-ECDSA-AES128-GCM-SHA256 \
    ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES128-GCM-SHA256 \
    ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305 \
    ECDHE-ECDSA-CHACHA20-POLY1305 DHE-RSA-CHACHA20-POLY1305";
const SUITES_TEST_ALL_FIPS: &str = "DHE-RSA-AES128-SHA DHE-RSA-AES256-SHA DHE-RSA-AES128-SHA256 \
    DHE-RSA-AES256-SHA256 DHE-RSA-AES128-GCM-SHA256 \
    DHE-RSA-AES256-GCM-SHA384 TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 \
    ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA ECDHE-RSA-AES128-SHA \
    ECDHE-RSA-AES256-SHA ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA384 \
    ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA384 \
    ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384";
const SUITES_TEST_ALL_ECDSA: &str =
    "ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA ECDHE-ECDSA-AES128-SHA256 \
    ECDHE-ECDSA-AES256-SHA384 ECDHE-ECDSA-AES128-GCM-SHA256 \
    ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305";
const SUITES_TEST_ALL_TLS12: &str = "RC4-MD5 RC4-SHA DES-CBC3-SHA DHE-RSA-DES-CBC3-SHA AES128-SHA \
    DHE-RSA-AES128-SHA AES256-SHA DHE-RSA-AES256-SHA AES128-SHA256 \
    AES256-SHA256 DHE-RSA-AES128-SHA256 DHE-RSA-AES256-SHA256 \
    AES128-GCM-SHA256 AES256-GCM-SHA384 DHE-RSA-AES128-GCM-SHA256 \
    DHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA \
    ECDHE-RSA-RC4-SHA ECDHE-RSA-DES-CBC3-SHA ECDHE-RSA-AES128-SHA \
    ECDHE-RSA-AES256-SHA ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA384 \
    ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA384 \
    ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-CHACHA20-POLY1305 ECDHE-ECDSA-CHACHA20-POLY1305 \
    DHE-RSA-CHACHA20-POLY1305";
const SUITES_TEST_ECDSA_PRIORITY: &str =
    "ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA ECDHE-ECDSA-AES128-SHA256 \
    ECDHE-ECDSA-AES256-SHA384 ECDHE-ECDSA-AES128-GCM-SHA256 \
    ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 RC4-MD5 \
    RC4-SHA DES-CBC3-SHA DHE-RSA-DES-CBC3-SHA AES128-SHA DHE-RSA-AES128-SHA \
    AES256-SHA DHE-RSA-AES256-SHA AES128-SHA256 AES256-SHA256 \
    DHE-RSA-AES128-SHA256 DHE-RSA-AES256-SHA256 AES128-GCM-SHA256 \
    AES256-GCM-SHA384 DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-RC4-SHA ECDHE-RSA-DES-CBC3-SHA ECDHE-RSA-AES128-SHA \
    ECDHE-RSA-AES256-SHA ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA384 \
    ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 \
    ECDHE-RSA-CHACHA20-POLY1305 DHE-RSA-CHACHA20-POLY1305";
const SUITES_TEST_ALL_RSA_KEX: &str =
    "AES128-SHA RC4-MD5 RC4-SHA DES-CBC3-SHA AES128-SHA AES256-SHA \
    AES128-SHA256 AES256-SHA256 AES128-GCM-SHA256 AES256-GCM-SHA384";
const SUITES_NULL: &str = "TLS_NULL_WITH_NULL_NULL";

// s2n's ECC preference lists (`s2n_ecc_pref_list_*`).
const GROUPS_20240501: &[Group] = &[Group::P256, Group::X25519, Group::P384, Group::P521];
const GROUPS_20201021: &[Group] = &[Group::P256, Group::P384, Group::P521];
const GROUPS_DEFAULT_FIPS: &[Group] = &[Group::P256, Group::P384];
const GROUPS_20200310: &[Group] = &[Group::X25519, Group::P256, Group::P384];
const GROUPS_20240603: &[Group] = &[Group::X25519, Group::P256, Group::P384, Group::P521];
const GROUPS_20210816: &[Group] = &[Group::P384];
const GROUPS_TEST_ALL: &[Group] = &[Group::X25519, Group::P256, Group::P384, Group::P521];
const GROUPS_20140601: &[Group] = &[Group::P256, Group::P384];
const GROUPS_20261021: &[Group] = &[Group::P256, Group::X25519];
const GROUPS_NULL: &[Group] = &[];

// s2n's security policy definitions (`security_policy_*`) behind the names below.
static DEF_20251014: Def = Def {
    id: "20251014",
    min_version: S2N_TLS12,
    suites: SUITES_20251014,
    groups: GROUPS_20240501,
    pq: Pq::Ietf2025Jul,
    fips: false,
};
static DEF_20240503: Def = Def {
    id: "20240503",
    min_version: S2N_TLS12,
    suites: SUITES_CLOUDFRONT_TLS_1_2_2019,
    groups: GROUPS_20240501,
    pq: Pq::None,
    fips: false,
};
static DEF_20251015: Def = Def {
    id: "20251015",
    min_version: S2N_TLS12,
    suites: SUITES_20251015,
    groups: GROUPS_20201021,
    pq: Pq::Ietf2025Jul,
    fips: true,
};
static DEF_20240501: Def = Def {
    id: "20240501",
    min_version: S2N_TLS12,
    suites: SUITES_20240331,
    groups: GROUPS_20240501,
    pq: Pq::None,
    fips: false,
};
static DEF_20240502: Def = Def {
    id: "20240502",
    min_version: S2N_TLS12,
    suites: SUITES_20240331,
    groups: GROUPS_20201021,
    pq: Pq::None,
    fips: true,
};
static DEF_20240331: Def = Def {
    id: "20240331",
    min_version: S2N_TLS12,
    suites: SUITES_20240331,
    groups: GROUPS_20201021,
    pq: Pq::None,
    fips: true,
};
static DEF_20240416: Def = Def {
    id: "20240416",
    min_version: S2N_TLS12,
    suites: SUITES_DEFAULT_FIPS,
    groups: GROUPS_DEFAULT_FIPS,
    pq: Pq::None,
    fips: true,
};
static DEF_20240417: Def = Def {
    id: "20240417",
    min_version: S2N_TLS10,
    suites: SUITES_20210831,
    groups: GROUPS_20200310,
    pq: Pq::None,
    fips: false,
};
static DEF_20240603: Def = Def {
    id: "20240603",
    min_version: S2N_TLS12,
    suites: SUITES_20240603,
    groups: GROUPS_20240603,
    pq: Pq::None,
    fips: false,
};
static DEF_20241106: Def = Def {
    id: "20241106",
    min_version: S2N_TLS12,
    suites: SUITES_CLOUDFRONT_TLS_1_0_2016,
    groups: GROUPS_20200310,
    pq: Pq::None,
    fips: false,
};
static DEF_20230317: Def = Def {
    id: "20230317",
    min_version: S2N_TLS12,
    suites: SUITES_20230317,
    groups: GROUPS_20201021,
    pq: Pq::None,
    fips: true,
};
static DEF_20250211: Def = Def {
    id: "20250211",
    min_version: S2N_TLS13,
    suites: SUITES_20250211,
    groups: GROUPS_20210816,
    pq: Pq::None,
    fips: false,
};
static DEF_20250414: Def = Def {
    id: "20250414",
    min_version: S2N_TLS13,
    suites: SUITES_20250211,
    groups: GROUPS_20210816,
    pq: Pq::None,
    fips: true,
};
static DEF_20250429: Def = Def {
    id: "20250429",
    min_version: S2N_TLS12,
    suites: SUITES_20250429,
    groups: GROUPS_20210816,
    pq: Pq::None,
    fips: false,
};
static DEF_20251013: Def = Def {
    id: "20251013",
    min_version: S2N_TLS12,
    suites: SUITES_20251013,
    groups: GROUPS_20210816,
    pq: Pq::None,
    fips: true,
};
static DEF_20210816: Def = Def {
    id: "20210816",
    min_version: S2N_TLS12,
    suites: SUITES_20210816,
    groups: GROUPS_20210816,
    pq: Pq::None,
    fips: true,
};
static DEF_20210816_GCM: Def = Def {
    id: "20210816_gcm",
    min_version: S2N_TLS12,
    suites: SUITES_20210816_GCM,
    groups: GROUPS_20210816,
    pq: Pq::None,
    fips: true,
};
static DEF_20210825: Def = Def {
    id: "20210825",
    min_version: S2N_TLS10,
    suites: SUITES_20210825,
    groups: GROUPS_20200310,
    pq: Pq::None,
    fips: false,
};
static DEF_20210825_GCM: Def = Def {
    id: "20210825_gcm",
    min_version: S2N_TLS10,
    suites: SUITES_20210825_GCM,
    groups: GROUPS_20200310,
    pq: Pq::None,
    fips: false,
};
static DEF_20201021: Def = Def {
    id: "20201021",
    min_version: S2N_TLS10,
    suites: SUITES_20190122,
    groups: GROUPS_20201021,
    pq: Pq::None,
    fips: false,
};
static DEF_20200207: Def = Def {
    id: "20200207",
    min_version: S2N_SSLV3,
    suites: SUITES_TEST_ALL_TLS13,
    groups: GROUPS_TEST_ALL,
    pq: Pq::None,
    fips: false,
};
static DEF_20190801: Def = Def {
    id: "20190801",
    min_version: S2N_TLS10,
    suites: SUITES_20190801,
    groups: GROUPS_20200310,
    pq: Pq::None,
    fips: false,
};
static DEF_20190802: Def = Def {
    id: "20190802",
    min_version: S2N_TLS10,
    suites: SUITES_20190801,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20190214: Def = Def {
    id: "20190214",
    min_version: S2N_TLS10,
    suites: SUITES_20190214,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20190214_GCM: Def = Def {
    id: "20190214_gcm",
    min_version: S2N_TLS10,
    suites: SUITES_20190214_GCM,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20190120: Def = Def {
    id: "20190120",
    min_version: S2N_TLS10,
    suites: SUITES_20190120,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20190121: Def = Def {
    id: "20190121",
    min_version: S2N_TLS10,
    suites: SUITES_20190121,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20190122: Def = Def {
    id: "20190122",
    min_version: S2N_TLS10,
    suites: SUITES_20190122,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20170210: Def = Def {
    id: "20170210",
    min_version: S2N_TLS10,
    suites: SUITES_20170210,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20170328: Def = Def {
    id: "20170328",
    min_version: S2N_TLS10,
    suites: SUITES_20170328,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20170328_GCM: Def = Def {
    id: "20170328_gcm",
    min_version: S2N_TLS10,
    suites: SUITES_20170328_GCM,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20170405: Def = Def {
    id: "20170405",
    min_version: S2N_TLS10,
    suites: SUITES_20170405,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20170405_GCM: Def = Def {
    id: "20170405_gcm",
    min_version: S2N_TLS10,
    suites: SUITES_20170405_GCM,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20170718: Def = Def {
    id: "20170718",
    min_version: S2N_TLS10,
    suites: SUITES_20170718,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20170718_GCM: Def = Def {
    id: "20170718_gcm",
    min_version: S2N_TLS10,
    suites: SUITES_20170718_GCM,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20160411: Def = Def {
    id: "20160411",
    min_version: S2N_TLS10,
    suites: SUITES_20160411,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20160804: Def = Def {
    id: "20160804",
    min_version: S2N_TLS10,
    suites: SUITES_20160804,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20160824: Def = Def {
    id: "20160824",
    min_version: S2N_TLS10,
    suites: SUITES_20160824,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20150306: Def = Def {
    id: "20150306",
    min_version: S2N_TLS10,
    suites: SUITES_20150306,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20150214: Def = Def {
    id: "20150214",
    min_version: S2N_TLS10,
    suites: SUITES_20150214,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20150202: Def = Def {
    id: "20150202",
    min_version: S2N_TLS10,
    suites: SUITES_20150202,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20141001: Def = Def {
    id: "20141001",
    min_version: S2N_TLS10,
    suites: SUITES_20141001,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_20140601: Def = Def {
    id: "20140601",
    min_version: S2N_SSLV3,
    suites: SUITES_20140601,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_TLS12_20261021_1: Def = Def {
    id: "TLS12_20261021_1",
    min_version: S2N_TLS12,
    suites: SUITES_20261021_1,
    groups: GROUPS_20261021,
    pq: Pq::None,
    fips: false,
};
static DEF_TLS10_20261021_1: Def = Def {
    id: "TLS10_20261021_1",
    min_version: S2N_TLS10,
    suites: SUITES_20261021_2,
    groups: GROUPS_20261021,
    pq: Pq::None,
    fips: false,
};
static DEF_TLS10_20261021_2: Def = Def {
    id: "TLS10_20261021_2",
    min_version: S2N_TLS10,
    suites: SUITES_20261021_1,
    groups: GROUPS_20261021,
    pq: Pq::None,
    fips: false,
};
static DEF_TLS10_20261021_3: Def = Def {
    id: "TLS10_20261021_3",
    min_version: S2N_TLS10,
    suites: SUITES_20261021_3,
    groups: GROUPS_20261021,
    pq: Pq::None,
    fips: false,
};
static DEF_TLS10_20261021_4: Def = Def {
    id: "TLS10_20261021_4",
    min_version: S2N_TLS10,
    suites: SUITES_20261021_4,
    groups: GROUPS_20261021,
    pq: Pq::None,
    fips: false,
};
static DEF_TEST_ALL: Def = Def {
    id: "test_all",
    min_version: S2N_SSLV3,
    suites: SUITES_TEST_ALL,
    groups: GROUPS_TEST_ALL,
    pq: Pq::All,
    fips: false,
};
static DEF_TEST_ALL_FIPS: Def = Def {
    id: "test_all_fips",
    min_version: S2N_TLS12,
    suites: SUITES_TEST_ALL_FIPS,
    groups: GROUPS_20201021,
    pq: Pq::All,
    fips: true,
};
static DEF_TEST_ALL_ECDSA: Def = Def {
    id: "test_all_ecdsa",
    min_version: S2N_TLS10,
    suites: SUITES_TEST_ALL_ECDSA,
    groups: GROUPS_TEST_ALL,
    pq: Pq::None,
    fips: false,
};
static DEF_TEST_ALL_TLS12: Def = Def {
    id: "test_all_tls12",
    min_version: S2N_SSLV3,
    suites: SUITES_TEST_ALL_TLS12,
    groups: GROUPS_20201021,
    pq: Pq::None,
    fips: false,
};
static DEF_TEST_ALL_TLS13: Def = Def {
    id: "test_all_tls13",
    min_version: S2N_SSLV3,
    suites: SUITES_TEST_ALL_TLS13,
    groups: GROUPS_TEST_ALL,
    pq: Pq::None,
    fips: false,
};
static DEF_TEST_ECDSA_PRIORITY: Def = Def {
    id: "test_ecdsa_priority",
    min_version: S2N_SSLV3,
    suites: SUITES_TEST_ECDSA_PRIORITY,
    groups: GROUPS_TEST_ALL,
    pq: Pq::None,
    fips: false,
};
static DEF_TEST_ALL_RSA_KEX: Def = Def {
    id: "test_all_rsa_kex",
    min_version: S2N_TLS10,
    suites: SUITES_TEST_ALL_RSA_KEX,
    groups: GROUPS_20140601,
    pq: Pq::None,
    fips: false,
};
static DEF_NULL: Def = Def {
    id: "null",
    min_version: S2N_TLS10,
    suites: SUITES_NULL,
    groups: GROUPS_NULL,
    pq: Pq::None,
    fips: false,
};

/// The policy names rs2n maps, in the order of docs/policies.md: s2n's defaults,
/// its general-purpose dated policies and its test policies. One whose definition
/// leaves nothing rustls can use is refused, with the reason found when building it.
static ENTRIES: &[Entry] = &[
    Entry::new("default", &DEF_20251014),
    Entry::new("default_tls13", &DEF_20240503),
    Entry::new("default_fips", &DEF_20251015),
    Entry::new("20251014", &DEF_20251014),
    Entry::new("20251015", &DEF_20251015),
    Entry::new("20240501", &DEF_20240501),
    Entry::new("20240502", &DEF_20240502),
    Entry::new("20240503", &DEF_20240503),
    Entry::new("20240331", &DEF_20240331),
    Entry::new("20240416", &DEF_20240416),
    Entry::new("20240417", &DEF_20240417),
    Entry::new("20240603", &DEF_20240603),
    Entry::new("20241106", &DEF_20241106),
    Entry::new("20230317", &DEF_20230317),
    Entry::new("20250211", &DEF_20250211).with_note(SHA384_NOTE),
    Entry::new("20250414", &DEF_20250414),
    Entry::new("20250429", &DEF_20250429).with_note(RFC9151_NOTE),
    Entry::new("20251013", &DEF_20251013).with_note(RFC9151_NOTE),
    Entry::new("rfc9151", &DEF_20251013).with_note(RFC9151_NOTE),
    Entry::new("cnsa_1", &DEF_20251013).with_note(RFC9151_NOTE),
    Entry::new("20210816", &DEF_20210816).with_note(SHA384_512_NOTE),
    Entry::new("20210816_GCM", &DEF_20210816_GCM).with_note(SHA384_512_NOTE),
    Entry::new("20210825", &DEF_20210825),
    Entry::new("20210825_gcm", &DEF_20210825_GCM),
    Entry::new("20201021", &DEF_20201021),
    Entry::new("20200207", &DEF_20200207),
    Entry::new("20190801", &DEF_20190801),
    Entry::new("20190802", &DEF_20190802),
    Entry::new("20190214", &DEF_20190214),
    Entry::new("20190214_gcm", &DEF_20190214_GCM),
    Entry::new("20190120", &DEF_20190120),
    Entry::new("20190121", &DEF_20190121),
    Entry::new("20190122", &DEF_20190122),
    Entry::new("20170210", &DEF_20170210),
    Entry::new("20170328", &DEF_20170328),
    Entry::new("20170328_gcm", &DEF_20170328_GCM),
    Entry::new("20170405", &DEF_20170405),
    Entry::new("20170405_gcm", &DEF_20170405_GCM),
    Entry::new("20170718", &DEF_20170718),
    Entry::new("20170718_gcm", &DEF_20170718_GCM),
    Entry::new("20160411", &DEF_20160411),
    Entry::new("20160804", &DEF_20160804),
    Entry::new("20160824", &DEF_20160824),
    Entry::new("20150306", &DEF_20150306),
    Entry::new("20150214", &DEF_20150214),
    Entry::new("20150202", &DEF_20150202),
    Entry::new("20141001", &DEF_20141001),
    Entry::new("20140601", &DEF_20140601),
    Entry::new("TLS12_20261021_1", &DEF_TLS12_20261021_1),
    Entry::new("TLS10_20261021_1", &DEF_TLS10_20261021_1),
    Entry::new("TLS10_20261021_2", &DEF_TLS10_20261021_2),
    Entry::new("TLS10_20261021_3", &DEF_TLS10_20261021_3),
    Entry::new("TLS10_20261021_4", &DEF_TLS10_20261021_4),
    Entry::new("test_all", &DEF_TEST_ALL).with_note(TEST_NOTE),
    Entry::new("test_all_fips", &DEF_TEST_ALL_FIPS).with_note(TEST_NOTE),
    Entry::new("test_all_ecdsa", &DEF_TEST_ALL_ECDSA).with_note(TEST_NOTE),
    Entry::new("test_all_tls12", &DEF_TEST_ALL_TLS12).with_note(TEST_NOTE),
    Entry::new("test_all_tls13", &DEF_TEST_ALL_TLS13).with_note(TEST_NOTE),
    Entry::new("test_ecdsa_priority", &DEF_TEST_ECDSA_PRIORITY).with_note(TEST_NOTE),
    Entry::new("test_all_rsa_kex", &DEF_TEST_ALL_RSA_KEX).with_note(TEST_NOTE),
    Entry::new("null", &DEF_NULL),
];
/// The rest of s2n-tls 0.3.47's policy names, each with why rs2n refuses it.
static OTHER_S2N_POLICIES: &[(&str, Why)] = &[
    ("default_pq", Why::PostQuantumMlDsa),
    ("20230317_pq", Why::PostQuantum),
    ("20241001", Why::PostQuantum),
    ("20250512", Why::PostQuantumMlDsa),
    ("20250721", Why::PostQuantumMlDsa),
    ("20241001_pq_mixed", Why::PostQuantum),
    ("ELBSecurityPolicy-TLS-1-0-2015-04", Why::ServiceSpecific),
    ("ELBSecurityPolicy-TLS-1-0-2015-05", Why::ServiceSpecific),
    ("ELBSecurityPolicy-2016-08", Why::ServiceSpecific),
    ("ELBSecurityPolicy-TLS-1-1-2017-01", Why::ServiceSpecific),
    ("ELBSecurityPolicy-TLS-1-2-2017-01", Why::ServiceSpecific),
    (
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        Why::ServiceSpecific,
    ),
    ("ELBSecurityPolicy-FS-2018-06", Why::ServiceSpecific),
    ("ELBSecurityPolicy-FS-1-2-2019-08", Why::ServiceSpecific),
    ("ELBSecurityPolicy-FS-1-1-2019-08", Why::ServiceSpecific),
    ("ELBSecurityPolicy-FS-1-2-Res-2019-08", Why::ServiceSpecific),
    (
        "ELBSecurityPolicy-TLS13-1-3-CNSA2-INTEROP1-FIPS-PQ-2026-07",
        Why::PostQuantumMlDsa,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-CNSA2-INTEROP2-FIPS-PQ-2026-07",
        Why::PostQuantumMlDsa,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-CNSA2-INTEROP3-FIPS-PQ-2026-07",
        Why::PostQuantumMlDsa,
    ),
    ("ELBSecurityPolicy-FS-1-2-Res-2020-10", Why::ServiceSpecific),
    ("ELBSecurityPolicy-Backend-2016-08", Why::ServiceSpecific),
    ("ELBSecurityPolicy-SSLv3-2013-12", Why::ServiceSpecific),
    (
        "ELBSecurityPolicy-TLS-1-1-Res-2017-01",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext0-RFC9151-FIPS-2023-07",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP1-FIPS-2023-07",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP2-FIPS-2023-07",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP3-FIPS-2023-07",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP4-FIPS-2023-07",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS12-1-2-RFC9151-2024-01",
        Why::ServiceSpecific,
    ),
    (
        "ELBSecurityPolicy-TLS12-1-2-Ext0-RFC9151-2024-01",
        Why::ServiceSpecific,
    ),
    ("ELBSecurityPolicy-TLS13-1-0-PQ-2025-09", Why::PostQuantum),
    ("ELBSecurityPolicy-TLS13-1-2-PQ-2025-09", Why::PostQuantum),
    (
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        Why::PostQuantum,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
        Why::PostQuantum,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
        Why::PostQuantum,
    ),
    ("ELBSecurityPolicy-TLS13-1-3-PQ-2025-09", Why::PostQuantum),
    (
        "ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09",
        Why::PostQuantum,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
        Why::PostQuantum,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
        Why::PostQuantum,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
        Why::PostQuantum,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
        Why::PostQuantum,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
        Why::PostQuantum,
    ),
    (
        "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
        Why::PostQuantum,
    ),
    ("CloudFront-Upstream", Why::ServiceSpecific),
    ("CloudFront-Upstream-TLS-1-0", Why::ServiceSpecific),
    ("CloudFront-Upstream-TLS-1-1", Why::ServiceSpecific),
    ("CloudFront-Upstream-TLS-1-2", Why::ServiceSpecific),
    ("CloudFront-Upstream-2025", Why::ServiceSpecific),
    ("CloudFront-Upstream-TLS-1-0-2025", Why::ServiceSpecific),
    ("CloudFront-Upstream-TLS-1-1-2025", Why::ServiceSpecific),
    ("CloudFront-Upstream-TLS-1-2-2025", Why::ServiceSpecific),
    ("CloudFront-Upstream-TLS-1-3-2025", Why::ServiceSpecific),
    ("CloudFront-Upstream-2025-PQ", Why::PostQuantumMlDsa),
    ("CloudFront-Upstream-TLS-1-0-2025-PQ", Why::PostQuantumMlDsa),
    ("CloudFront-Upstream-TLS-1-1-2025-PQ", Why::PostQuantumMlDsa),
    ("CloudFront-Upstream-TLS-1-2-2025-PQ", Why::PostQuantumMlDsa),
    ("CloudFront-Upstream-TLS-1-3-2025-PQ", Why::PostQuantumMlDsa),
    ("CloudFront-SSL-v-3", Why::ServiceSpecific),
    ("CloudFront-TLS-1-0-2014", Why::ServiceSpecific),
    ("CloudFront-TLS-1-0-2014-sha256", Why::ServiceSpecific),
    ("CloudFront-TLS-1-0-2016", Why::ServiceSpecific),
    ("CloudFront-TLS-1-1-2016", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2017", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2018-no-sha1", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2019-no-sha1", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2021-no-sha1", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2025", Why::ServiceSpecific),
    ("CloudFront-TLS-1-3-2025", Why::ServiceSpecific),
    ("CloudFront-SSL-v-3-no-pq", Why::ServiceSpecific),
    ("CloudFront-TLS-1-0-2014-no-pq", Why::ServiceSpecific),
    ("CloudFront-TLS-1-0-2014-sha256-no-pq", Why::ServiceSpecific),
    ("CloudFront-TLS-1-0-2016-no-pq", Why::ServiceSpecific),
    ("CloudFront-TLS-1-1-2016-no-pq", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2017-no-pq", Why::ServiceSpecific),
    (
        "CloudFront-TLS-1-2-2018-no-sha1-no-pq",
        Why::ServiceSpecific,
    ),
    (
        "CloudFront-TLS-1-2-2019-no-sha1-no-pq",
        Why::ServiceSpecific,
    ),
    (
        "CloudFront-TLS-1-2-2021-no-sha1-no-pq",
        Why::ServiceSpecific,
    ),
    ("CloudFront-TLS-1-2-2025-no-pq", Why::ServiceSpecific),
    ("CloudFront-TLS-1-3-2025-no-pq", Why::ServiceSpecific),
    ("CloudFront-TLS-1-0-2014-PQ-Beta", Why::PostQuantum),
    ("CloudFront-TLS-1-2-2021-no-sha1-PQ-Beta", Why::PostQuantum),
    ("CloudFront-TLS-1-2-2018-Beta", Why::ServiceSpecific),
    (
        "CloudFront-TLS-1-2-2021-Chacha20-Boosted",
        Why::ServiceSpecific,
    ),
    ("CloudFront-SSL-v-3-Legacy", Why::ServiceSpecific),
    ("CloudFront-TLS-1-0-2014-Legacy", Why::ServiceSpecific),
    ("CloudFront-TLS-1-0-2016-Legacy", Why::ServiceSpecific),
    ("CloudFront-TLS-1-1-2016-Legacy", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2018-Legacy", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2019-Legacy", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2018", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2019", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2021", Why::ServiceSpecific),
    ("CloudFront-TLS-1-2-2021-PQ", Why::PostQuantum),
    ("AWS-CRT-SDK-SSLv3.0", Why::ServiceSpecific),
    ("AWS-CRT-SDK-TLSv1.0", Why::ServiceSpecific),
    ("AWS-CRT-SDK-TLSv1.1", Why::ServiceSpecific),
    ("AWS-CRT-SDK-TLSv1.2", Why::ServiceSpecific),
    ("AWS-CRT-SDK-TLSv1.3", Why::ServiceSpecific),
    ("AWS-CRT-SDK-SSLv3.0-2023", Why::ServiceSpecific),
    ("AWS-CRT-SDK-TLSv1.0-2023", Why::ServiceSpecific),
    ("AWS-CRT-SDK-TLSv1.0-2025-PQ", Why::PostQuantum),
    ("AWS-CRT-SDK-TLSv1.1-2023", Why::ServiceSpecific),
    ("AWS-CRT-SDK-TLSv1.2-2023", Why::ServiceSpecific),
    ("AWS-CRT-SDK-TLSv1.2-2023-PQ", Why::PostQuantum),
    ("AWS-CRT-SDK-TLSv1.2-2025", Why::ServiceSpecific),
    ("AWS-CRT-SDK-TLSv1.2-2025-PQ", Why::PostQuantum),
    ("AWS-CRT-SDK-TLSv1.3-2023", Why::ServiceSpecific),
    ("AWS-CRT-SDK-TLSv1.3-2025-PQ", Why::PostQuantum),
    ("KMS-TLS-1-0-2018-10", Why::ServiceSpecific),
    ("KMS-TLS-1-0-2021-08", Why::ServiceSpecific),
    ("KMS-TLS-1-2-2023-06", Why::ServiceSpecific),
    ("KMS-FIPS-TLS-1-2-2018-10", Why::ServiceSpecific),
    ("KMS-FIPS-TLS-1-2-2021-08", Why::ServiceSpecific),
    ("KMS-FIPS-TLS-1-2-2024-10", Why::ServiceSpecific),
    ("20170816_healthcheck", Why::NotMapped),
    ("KMS-TLS-1-2-2023-07", Why::ServiceSpecific),
    ("KMS-FIPS-TLS-1-2-2023-09", Why::ServiceSpecific),
    ("PQ-TLS-1-2-2024-10-07", Why::PostQuantum),
    ("PQ-TLS-1-2-2024-10-08", Why::PostQuantum),
    ("PQ-TLS-1-2-2024-10-08_gcm", Why::PostQuantum),
    ("PQ-TLS-1-2-2024-10-09", Why::PostQuantum),
    ("20200207_pq", Why::PostQuantum),
    ("20210422_INTB", Why::NotMapped),
    ("20210422_INTB_gcm", Why::NotMapped),
    ("20251113", Why::NotMapped),
    ("20251114", Why::NotMapped),
    ("20251115", Why::NotMapped),
    ("20251116", Why::NotMapped),
    ("20251117", Why::NotMapped),
    ("20260219", Why::PqOnly),
    ("20260220", Why::PostQuantumMlDsa),
    ("20260513", Why::PostQuantumMlDsa),
    ("20260520", Why::PostQuantum),
    ("20260520_gcm", Why::PostQuantum),
    ("20260521", Why::PostQuantum),
    ("20260521_gcm", Why::PostQuantum),
    ("20260522", Why::PostQuantum),
    ("20260522_gcm", Why::PostQuantum),
    ("20260523", Why::PostQuantum),
    ("20260523_gcm", Why::PostQuantum),
    ("20260720", Why::PostQuantumMlDsa),
    ("20260722", Why::PostQuantumMlDsa),
    ("cnsa_2", Why::PqOnly),
    ("cnsa_1_2_interop", Why::PostQuantumMlDsa),
    ("test_pq_only", Why::PqOnly),
];

/// Names s2n-tls 0.3.47 itself refuses as deprecated.
static DEPRECATED_S2N_POLICIES: &[&str] = &[
    "KMS-PQ-TLS-1-0-2019-06",
    "KMS-PQ-TLS-1-0-2020-02",
    "KMS-PQ-TLS-1-0-2020-07",
    "PQ-TLS-1-0-2020-12",
    "PQ-TLS-1-1-2021-05-17",
    "PQ-TLS-1-0-2021-05-18",
    "PQ-TLS-1-0-2021-05-19",
    "PQ-TLS-1-0-2021-05-20",
    "PQ-TLS-1-1-2021-05-21",
    "PQ-TLS-1-0-2021-05-22",
    "PQ-TLS-1-0-2021-05-23",
    "PQ-TLS-1-0-2021-05-24",
    "PQ-TLS-1-0-2021-05-25",
    "PQ-TLS-1-0-2021-05-26",
    "PQ-TLS-1-0-2023-01-24",
    "PQ-TLS-1-2-2023-04-07",
    "PQ-TLS-1-2-2023-04-08",
    "PQ-TLS-1-2-2023-04-09",
    "PQ-TLS-1-2-2023-04-10",
    "PQ-TLS-1-3-2023-06-01",
    "PQ-TLS-1-2-2023-10-07",
    "PQ-TLS-1-2-2023-10-08",
    "PQ-TLS-1-2-2023-10-09",
    "PQ-TLS-1-2-2023-10-10",
    "PQ-TLS-1-2-2023-12-13",
    "PQ-TLS-1-2-2023-12-14",
    "PQ-TLS-1-2-2023-12-15",
    "PQ-SIKE-TEST-TLS-1-0-2019-11",
    "PQ-SIKE-TEST-TLS-1-0-2020-02",
    "20240730",
];

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::CipherSuite as Cs;
    use rustls::NamedGroup as Ng;

    /// The names the rest of rs2n and its users rely on.
    const REQUIRED: &[&str] = &[
        "default",
        "default_tls13",
        "default_fips",
        "20240501",
        "20190801",
        "20170210",
        "20230317",
        "20190802",
        "20210825",
        "20240503",
        "rfc9151",
        "test_all_tls13",
    ];

    fn policy(name: &str) -> &'static SecurityPolicy {
        match lookup(name) {
            Ok(p) => p,
            Err(e) => panic!("{name}: {e}"),
        }
    }

    fn refusal(name: &str) -> Error {
        match lookup(name) {
            Ok(p) => panic!("{name} was accepted as {}", p.name),
            Err(e) => e,
        }
    }

    fn assert_policy(
        name: &str,
        definition: &str,
        (min, max): (i32, i32),
        suites: &[Cs],
        groups: &[Ng],
    ) {
        let p = policy(name);
        assert_eq!(p.s2n_definition, definition, "{name}");
        assert_eq!((p.min_version, p.max_version), (min, max), "{name}");
        assert_eq!(p.cipher_suites(), suites, "{name}");
        assert_eq!(p.kx_groups(), groups, "{name}");
    }

    #[test]
    fn required_names_resolve() {
        for name in REQUIRED {
            let p = policy(name);
            assert_eq!(p.name, *name);
            assert!(names().any(|n| n == *name), "{name} missing from names()");
        }
    }

    #[test]
    fn default_is_s2n_20251014_without_the_pq_hybrids() {
        assert_policy(
            "default",
            "20251014",
            (S2N_TLS12, S2N_TLS13),
            &[
                Cs::TLS13_AES_128_GCM_SHA256,
                Cs::TLS13_AES_256_GCM_SHA384,
                Cs::TLS13_CHACHA20_POLY1305_SHA256,
                Cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                Cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                Cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                Cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            ],
            &[Ng::secp256r1, Ng::X25519, Ng::secp384r1],
        );
        let p = default_policy();
        assert!(std::ptr::eq(p, policy("default")));
        assert_eq!(p.versions().len(), 2);
        assert!(p
            .differences_from_s2n()
            .iter()
            .any(|d| d.contains("X25519MLKEM768")));
    }

    #[test]
    fn default_tls13_is_s2n_20240503() {
        assert_policy(
            "default_tls13",
            "20240503",
            (S2N_TLS12, S2N_TLS13),
            &[
                Cs::TLS13_AES_128_GCM_SHA256,
                Cs::TLS13_AES_256_GCM_SHA384,
                Cs::TLS13_CHACHA20_POLY1305_SHA256,
                Cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                Cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                Cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                Cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                Cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                Cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            ],
            &[Ng::secp256r1, Ng::X25519, Ng::secp384r1],
        );
    }

    #[test]
    fn default_fips_is_s2n_20251015() {
        assert_policy(
            "default_fips",
            "20251015",
            (S2N_TLS12, S2N_TLS13),
            &[
                Cs::TLS13_AES_128_GCM_SHA256,
                Cs::TLS13_AES_256_GCM_SHA384,
                Cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                Cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                Cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                Cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            ],
            &[Ng::secp256r1, Ng::secp384r1],
        );
    }

    #[test]
    fn policy_20240501_is_tls12_only() {
        assert_policy(
            "20240501",
            "20240501",
            (S2N_TLS12, S2N_TLS12),
            &[
                Cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                Cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                Cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                Cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            ],
            &[Ng::secp256r1, Ng::X25519, Ng::secp384r1],
        );
        let p = policy("20240501");
        assert!(p.supports(S2N_TLS12) && !p.supports(S2N_TLS13));
        assert_eq!(p.versions().len(), 1);
    }

    #[test]
    fn policy_20170210_is_raised_to_tls12() {
        assert_policy(
            "20170210",
            "20170210",
            (S2N_TLS12, S2N_TLS12),
            &[
                Cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                Cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                Cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            ],
            &[Ng::secp256r1, Ng::secp384r1],
        );
        let p = policy("20170210");
        assert_eq!(p.s2n_min_version, S2N_TLS10);
        assert!(!p.supports(S2N_TLS10) && !p.supports(S2N_TLS11));
        let diffs = p.differences_from_s2n().join("; ");
        assert!(diffs.contains("TLS1.0 and TLS1.1 not offered"), "{diffs}");
        assert!(
            diffs.contains("RSA key exchange") && diffs.contains("CBC"),
            "{diffs}"
        );
    }

    #[test]
    fn other_shapes() {
        // TLS1.3 only: s2n lists no TLS1.2 suite.
        let p = policy("test_all_tls13");
        assert_eq!((p.min_version, p.max_version), (S2N_TLS13, S2N_TLS13));
        assert_eq!(p.versions().len(), 1);
        // TLS1.3 only by s2n's minimum; AES-256 and P-384 only.
        assert_policy(
            "20250211",
            "20250211",
            (S2N_TLS13, S2N_TLS13),
            &[Cs::TLS13_AES_256_GCM_SHA384],
            &[Ng::secp384r1],
        );
        // rfc9151 is an alias of 20251013.
        assert_policy(
            "rfc9151",
            "20251013",
            (S2N_TLS12, S2N_TLS13),
            &[
                Cs::TLS13_AES_256_GCM_SHA384,
                Cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                Cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            ],
            &[Ng::secp384r1],
        );
        // 20190801 keeps s2n's TLS1.3 order (AES-256 first).
        assert_eq!(
            policy("20190801").cipher_suites()[..3],
            [
                Cs::TLS13_AES_256_GCM_SHA384,
                Cs::TLS13_AES_128_GCM_SHA256,
                Cs::TLS13_CHACHA20_POLY1305_SHA256,
            ]
        );
        assert_eq!(
            policy("20190801").kx_groups(),
            [Ng::X25519, Ng::secp256r1, Ng::secp384r1]
        );
        assert_eq!(
            policy("20190802").kx_groups(),
            [Ng::secp256r1, Ng::secp384r1]
        );
    }

    #[test]
    fn unknown_names_are_invalid_security_policy_errors() {
        for name in ["no-such-policy", "", "default ", "20240504"] {
            let e = refusal(name);
            assert_eq!(e.code, ErrorCode::InvalidSecurityPolicy);
            assert!(e.message.contains(&format!("\"{name}\"")), "{}", e.message);
            assert!(e.message.contains("unknown"), "{}", e.message);
        }
    }

    #[test]
    fn real_s2n_policies_rs2n_cannot_honour_say_why() {
        let cases = [
            ("default_pq", "post-quantum"),
            ("20241001", "post-quantum"),
            ("20230317_pq", "post-quantum"),
            ("cnsa_2", "only post-quantum"),
            ("test_pq_only", "only post-quantum"),
            ("20140601", "none of its cipher suites"),
            ("test_all_rsa_kex", "RSA key exchange"),
            ("null", "null suite"),
            ("20240730", "deprecated"),
            ("ELBSecurityPolicy-2016-08", "service-specific"),
            ("CloudFront-TLS-1-2-2021", "service-specific"),
            ("20251113", "no mapping"),
        ];
        for (name, why) in cases {
            let e = refusal(name);
            assert_eq!(e.code, ErrorCode::InvalidSecurityPolicy, "{name}");
            assert!(e.message.contains(&format!("\"{name}\"")), "{}", e.message);
            assert!(e.message.contains("cannot honour"), "{}", e.message);
            assert!(e.message.contains(why), "{name}: {}", e.message);
        }
        // Case is ignored for refusals too.
        assert!(refusal("DEFAULT_PQ").message.contains("post-quantum"));
    }

    #[test]
    fn names_ignore_case_like_s2n() {
        assert!(std::ptr::eq(policy("DEFAULT"), policy("default")));
        assert!(std::ptr::eq(policy("20210816_gcm"), policy("20210816_GCM")));
        assert_eq!(policy("Default_TLS13").name, "default_tls13");
    }

    #[test]
    fn lookups_are_static_and_built_once() {
        for name in names() {
            let a = policy(name);
            let b = policy(name);
            assert!(std::ptr::eq(a, b), "{name}");
            assert!(Arc::ptr_eq(&a.provider(), &b.provider()), "{name}");
        }
        // Aliases of one s2n definition share its provider.
        assert!(Arc::ptr_eq(
            &policy("default").provider(),
            &policy("20251014").provider()
        ));
        assert!(Arc::ptr_eq(
            &policy("rfc9151").provider(),
            &policy("cnsa_1").provider()
        ));
    }

    #[test]
    fn providers_hold_exactly_the_policy_suites_and_groups() {
        for name in names() {
            let p = policy(name);
            let provider = p.provider();
            let suites: Vec<Cs> = provider.cipher_suites.iter().map(|s| s.suite()).collect();
            assert_eq!(suites, p.cipher_suites(), "{name}");
            let groups: Vec<Ng> = provider.kx_groups.iter().map(|g| g.name()).collect();
            assert_eq!(groups, p.kx_groups(), "{name}");
            assert!(!suites.is_empty() && !groups.is_empty(), "{name}");
            for s in &suites {
                assert!(p.allows_suite(*s));
            }
        }
        assert!(!default_policy().allows_suite(Cs::TLS_RSA_WITH_AES_128_GCM_SHA256));
    }

    #[test]
    fn versions_agree_with_suites_and_bounds() {
        for name in names() {
            let p = policy(name);
            let has13 = p.cipher_suites().iter().any(|s| TLS13_SUITES.contains(s));
            let has12 = p.cipher_suites().iter().any(|s| !TLS13_SUITES.contains(s));
            let v: Vec<u16> = p.versions().iter().map(|v| u16::from(v.version)).collect();
            assert_eq!(v.contains(&0x0304), has13, "{name}");
            assert_eq!(v.contains(&0x0303), has12, "{name}");
            assert_eq!(p.supports(S2N_TLS13), has13, "{name}");
            assert_eq!(p.supports(S2N_TLS12), has12, "{name}");
            assert!(!p.supports(S2N_TLS11) && !p.supports(S2N_SSLV3), "{name}");
            assert!(p.min_version >= p.s2n_min_version, "{name}");
            assert!(p.max_version <= p.s2n_max_version, "{name}");
        }
    }

    #[test]
    fn every_policy_makes_a_rustls_config() {
        for name in names() {
            let p = policy(name);
            rustls::ClientConfig::builder_with_provider(p.provider())
                .with_protocol_versions(p.versions())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            rustls::ServerConfig::builder_with_provider(p.provider())
                .with_protocol_versions(p.versions())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn s2n_names_for_every_ring_suite() {
        let expected = [
            (Cs::TLS13_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256"),
            (Cs::TLS13_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384"),
            (
                Cs::TLS13_CHACHA20_POLY1305_SHA256,
                "TLS_CHACHA20_POLY1305_SHA256",
            ),
            (
                Cs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                "ECDHE-ECDSA-AES128-GCM-SHA256",
            ),
            (
                Cs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                "ECDHE-ECDSA-AES256-GCM-SHA384",
            ),
            (
                Cs::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                "ECDHE-ECDSA-CHACHA20-POLY1305",
            ),
            (
                Cs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                "ECDHE-RSA-AES128-GCM-SHA256",
            ),
            (
                Cs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                "ECDHE-RSA-AES256-GCM-SHA384",
            ),
            (
                Cs::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                "ECDHE-RSA-CHACHA20-POLY1305",
            ),
        ];
        for (suite, name) in expected {
            assert_eq!(s2n_cipher_name(suite), name);
        }
        for suite in ring_provider::ALL_CIPHER_SUITES {
            assert!(
                expected.iter().any(|(s, _)| *s == suite.suite()),
                "ring offers {:?}, which this test does not name",
                suite.suite()
            );
        }
        assert_eq!(
            s2n_cipher_name(Cs::TLS_RSA_WITH_AES_128_CBC_SHA),
            "AES128-SHA"
        );
        assert_eq!(
            s2n_cipher_name(Cs::Unknown(0xfefe)),
            "TLS_NULL_WITH_NULL_NULL"
        );
    }

    #[test]
    fn tables_are_consistent() {
        // Every suite name in every definition is one s2n has (build would panic otherwise).
        for e in ENTRIES {
            assert!(!e.def.suite_list().is_empty(), "{}", e.name);
        }
        // No name is listed twice, in any of the tables.
        let mut all: Vec<String> = ENTRIES
            .iter()
            .map(|e| e.name)
            .chain(OTHER_S2N_POLICIES.iter().map(|(n, _)| *n))
            .chain(DEPRECATED_S2N_POLICIES.iter().copied())
            .map(|n| n.to_ascii_lowercase())
            .collect();
        let count = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), count);
        // s2n-tls-sys 0.3.47 lists 216 policy names.
        assert_eq!(ENTRIES.len() + OTHER_S2N_POLICIES.len(), 216);
        // Every name in ENTRIES either builds or is refused with a reason.
        assert!(names().count() >= 40);
    }

    // -- docs/policies.md ---------------------------------------------------

    fn version_name(version: i32) -> &'static str {
        match version {
            S2N_SSLV3 => "SSLv3",
            S2N_TLS10 => "TLS1.0",
            S2N_TLS11 => "TLS1.1",
            S2N_TLS12 => "TLS1.2",
            S2N_TLS13 => "TLS1.3",
            _ => "?",
        }
    }

    fn range(min: i32, max: i32) -> String {
        if min == max {
            version_name(min).to_string()
        } else {
            format!("{}–{}", version_name(min), version_name(max))
        }
    }

    fn group_name(g: Ng) -> &'static str {
        match g {
            Ng::X25519 => "x25519",
            Ng::secp256r1 => "secp256r1",
            Ng::secp384r1 => "secp384r1",
            _ => "?",
        }
    }

    /// docs/policies.md's table of accepted names.
    fn accepted_table() -> String {
        let mut out = String::from(
            "| Policy | s2n-tls 0.3.47 | rs2n versions | rs2n cipher suites, in order | rs2n groups, in order | Differences from s2n-tls |\n\
             |---|---|---|---|---|---|\n",
        );
        for name in names() {
            let p = policy(name);
            let s2n = if p.s2n_definition.eq_ignore_ascii_case(p.name) {
                range(p.s2n_min_version, p.s2n_max_version)
            } else {
                format!(
                    "alias of `{}`; {}",
                    p.s2n_definition,
                    range(p.s2n_min_version, p.s2n_max_version)
                )
            };
            let suites: Vec<&str> = p
                .cipher_suites()
                .iter()
                .map(|s| s2n_cipher_name(*s))
                .collect();
            let groups: Vec<&str> = p.kx_groups().iter().map(|g| group_name(*g)).collect();
            let diffs = if p.differences_from_s2n().is_empty() {
                "none".to_string()
            } else {
                p.differences_from_s2n().join("; ")
            };
            out += &format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                p.name,
                s2n,
                range(p.min_version, p.max_version),
                suites.join(", "),
                groups.join(", "),
                diffs
            );
        }
        out
    }

    /// docs/policies.md's table of refused s2n policy names.
    fn refused_table() -> String {
        let mut out = String::from("| Refused s2n-tls policy | Why |\n|---|---|\n");
        for (entry, built) in ENTRIES.iter().zip(POLICIES.iter()) {
            if let Err(why) = built {
                out += &format!("| `{}` | {} |\n", entry.name, why);
            }
        }
        let service = ["ELBSecurityPolicy-", "CloudFront-", "AWS-CRT-SDK-", "KMS-"];
        for (name, why) in OTHER_S2N_POLICIES {
            if !service.iter().any(|p| name.starts_with(p)) {
                out += &format!("| `{}` | {} |\n", name, why.text());
            }
        }
        let count = |p: &str| {
            OTHER_S2N_POLICIES
                .iter()
                .filter(|(n, _)| n.starts_with(p))
                .count()
        };
        for prefix in service {
            out += &format!(
                "| `{prefix}*` ({} names) | service-specific policies, not mapped; the post-quantum ones among them would be refused as post-quantum anyway |\n",
                count(prefix)
            );
        }
        out += &format!(
            "| {} deprecated names (`{}`, ...) | s2n-tls itself has deprecated them and refuses them too |\n",
            DEPRECATED_S2N_POLICIES.len(),
            DEPRECATED_S2N_POLICIES[0]
        );
        out
    }

    #[test]
    fn docs_table_is_current() {
        let doc = include_str!("../../docs/policies.md");
        assert!(
            doc.contains(&accepted_table()) && doc.contains(&refused_table()),
            "docs/policies.md is out of date: regenerate its tables with \
             `cargo test --lib policy::tests::print_docs_tables -- --ignored --nocapture`"
        );
    }

    #[test]
    #[ignore]
    fn print_docs_tables() {
        println!("{}\n{}", accepted_table(), refused_table());
    }
}
