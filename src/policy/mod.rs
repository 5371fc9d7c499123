//! s2n security policies (the names given to `s2n_config_set_cipher_preferences`),
//! mapped onto rustls with the *ring* provider.
//!
//! `tables.rs` transcribes the s2n-tls 0.3.47 (`s2n-tls-sys`) policy tables: for
//! each policy its minimum protocol version, its cipher suites in preference order,
//! its ECC groups in preference order and whether it also offers post-quantum hybrid
//! groups. From that, `builder.rs` gives each policy one rustls [`CryptoProvider`],
//! built the first time any policy is looked up and shared from then on:
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
//! and how it differs from s2n-tls; a test keeps it in step with these tables.
//!
//! Names are matched ignoring ASCII case, as s2n does.
//!
//! This file holds the public face (the policy type and the lookups); the rest of
//! the crate needs nothing from the submodules.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::{CipherSuite, NamedGroup, SupportedProtocolVersion};

use crate::error::{Error, ErrorCode, Result};

mod builder;

/// The rustls crypto provider rs2n is built with, with the cargo feature
/// `aws-lc-rs` (CMake `-DRS2N_CRYPTO=aws-lc-rs`): aws-lc-rs. The policy tables
/// do not depend on it: the builder takes each policy's suites and groups from it.
#[cfg(feature = "aws-lc-rs")]
pub(crate) use rustls::crypto::aws_lc_rs as backend;
/// The rustls crypto provider rs2n is built with, by default: ring.
#[cfg(not(feature = "aws-lc-rs"))]
pub(crate) use rustls::crypto::ring as backend;
mod tables;

use builder::POLICIES;
use tables::{DEPRECATED_S2N_POLICIES, ENTRIES, OTHER_S2N_POLICIES, S2N_SUITE_NAMES};

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

#[cfg(test)]
mod tests;
