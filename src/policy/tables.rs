//! s2n's tables, transcribed from s2n-tls-sys 0.3.47 (tls/s2n_*_preferences.c and
//! tls/s2n_security_policies.c): its suite names, its cipher suite and ECC
//! preference lists, its `security_policy_*` definitions and the policy names
//! behind them, and the names rs2n refuses.
//!
//! Only data and the types describing it live here, so the tables can be checked
//! against s2n's sources line by line; what rs2n makes of them is in `builder.rs`.

use rustls::CipherSuite;
use rustls::CipherSuite as Cs;

use super::{S2N_SSLV3, S2N_TLS10, S2N_TLS12, S2N_TLS13};

/// The ECC groups s2n's preference lists name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Group {
    X25519,
    P256,
    P384,
    P521,
}

/// The post-quantum hybrid groups an s2n policy offers ahead of its ECC groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pq {
    None,
    /// `kem_preferences_pq_tls_1_3_ietf_2025_07`
    Ietf2025Jul,
    /// `kem_preferences_all` (s2n's test policies)
    All,
}

impl Pq {
    pub(super) fn hybrids(self) -> &'static [&'static str] {
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
pub(super) struct Def {
    /// The definition's name in s2n (`security_policy_<id>`).
    pub(super) id: &'static str,
    /// s2n's `minimum_protocol_version`.
    pub(super) min_version: i32,
    /// s2n's cipher suite list, in order, by s2n's names, separated by spaces.
    pub(super) suites: &'static str,
    /// s2n's ECC preference list, in order.
    pub(super) groups: &'static [Group],
    /// s2n's KEM preference list.
    pub(super) pq: Pq,
    /// Whether s2n marks the policy as FIPS 140-3 compliant.
    pub(super) fips: bool,
}

impl Def {
    pub(super) fn suite_list(&self) -> Vec<CipherSuite> {
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
pub(super) struct Entry {
    pub(super) name: &'static str,
    pub(super) def: &'static Def,
    pub(super) note: &'static str,
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
pub(super) enum Why {
    PostQuantum,
    PostQuantumMlDsa,
    PqOnly,
    ServiceSpecific,
    NotMapped,
}

impl Why {
    pub(super) fn text(self) -> &'static str {
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
pub(super) static S2N_SUITE_NAMES: &[(Cs, &str)] = &[
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
pub(super) static ENTRIES: &[Entry] = &[
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
pub(super) static OTHER_S2N_POLICIES: &[(&str, Why)] = &[
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
pub(super) static DEPRECATED_S2N_POLICIES: &[&str] = &[
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
