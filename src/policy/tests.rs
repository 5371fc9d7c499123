//! The policy module's tests, and the generator of docs/policies.md's tables.

use super::builder::TLS13_SUITES;
use super::*;
use rustls::crypto::ring as ring_provider;
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
