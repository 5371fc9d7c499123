//! Chain and host checks on the test PKI (c-tests/certs).

use super::host::{default_match, HostRule};
use super::*;
use crate::certs::testing::cert_file;
use rustls::pki_types::pem::PemObject;

fn certs(name: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_slice_iter(&cert_file(name))
        .map(|c| c.unwrap())
        .collect()
}

fn verifier(policy: ChainPolicy) -> ChainVerifier {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(certs("ca_cert.pem"));
    let algs = rustls::crypto::ring::default_provider()
        .signature_verification_algorithms
        .all;
    ChainVerifier::new(roots.roots, algs, policy)
}

fn now() -> UnixTime {
    UnixTime::now()
}

/// A time long after every test certificate expired.
fn far_future() -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(400 * 365 * 86400))
}

#[test]
fn a_chain_from_the_test_ca_verifies_for_both_purposes() {
    let v = verifier(ChainPolicy::default());
    let chain = certs("ecdsa_p256_cert.pem");
    for purpose in [Purpose::Server, Purpose::Client] {
        v.verify(&chain[0], &chain[1..], now(), purpose).unwrap();
    }
    let other = certs("untrusted_client_cert.pem");
    assert_eq!(
        v.verify(&other[0], &other[1..], now(), Purpose::Client)
            .unwrap_err(),
        CertificateError::UnknownIssuer.into()
    );
}

#[test]
fn the_depth_counts_the_certificates_sent() {
    let chain = certs("ecdsa_p256_cert.pem");
    let one = verifier(ChainPolicy {
        max_depth: 1,
        ..ChainPolicy::default()
    });
    let e = one
        .verify(&chain[0], &chain[1..], now(), Purpose::Server)
        .unwrap_err();
    let rustls::Error::InvalidCertificate(CertificateError::Other(other)) = e else {
        panic!("{e:?}");
    };
    let too_long = other.0.downcast_ref::<ChainTooLong>().unwrap();
    assert_eq!((too_long.sent, too_long.max), (2, 1));
    one.verify(&chain[0], &[], now(), Purpose::Server).unwrap();
}

#[test]
fn dates_off_accepts_an_expired_chain_and_nothing_else() {
    let chain = certs("ecdsa_p256_cert.pem");
    let strict = verifier(ChainPolicy::default());
    let e = strict
        .verify(&chain[0], &chain[1..], far_future(), Purpose::Server)
        .unwrap_err();
    assert!(
        matches!(
            e,
            rustls::Error::InvalidCertificate(CertificateError::ExpiredContext { .. })
        ),
        "{e:?}"
    );
    let lax = verifier(ChainPolicy {
        check_time: false,
        ..ChainPolicy::default()
    });
    lax.verify(&chain[0], &chain[1..], far_future(), Purpose::Server)
        .unwrap();
    // Still refused for everything but the dates.
    let other = certs("untrusted_client_cert.pem");
    assert_eq!(
        lax.verify(&other[0], &other[1..], far_future(), Purpose::Server)
            .unwrap_err(),
        CertificateError::UnknownIssuer.into()
    );
}

#[test]
fn host_rules() {
    let leaf = &certs("ecdsa_p256_cert.pem")[0];
    let name = ServerName::try_from("localhost").unwrap();
    HostRule::ServerName.check(leaf, Some(&name)).unwrap();
    assert!(HostRule::ServerName
        .check(leaf, Some(&host::no_server_name()))
        .is_err());
    HostRule::ClientSni(Some("LOCALHOST".into()))
        .check(leaf, None)
        .unwrap();
    assert!(HostRule::ClientSni(None).check(leaf, None).is_err());
    assert!(HostRule::ClientSni(Some("other".into()))
        .check(leaf, None)
        .is_err());
    assert_eq!(
        host::cert_names(leaf).unwrap(),
        vec!["localhost".to_string()]
    );
    let client = &certs("client_cert.pem")[0];
    assert_eq!(
        host::cert_names(client).unwrap(),
        vec![
            "client.example".to_string(),
            "spiffe://rs2n/client".to_string()
        ]
    );
}

#[test]
fn s2n_default_match() {
    assert!(default_match("www.example.com", "WWW.example.com"));
    assert!(default_match("www.example.com", "*.example.com"));
    assert!(!default_match("a.www.example.com", "*.example.com"));
    assert!(!default_match("example.com", "*.com."));
    assert!(!default_match("", ""));
    assert!(!default_match("host", "*.host"));
}

#[test]
fn the_context_is_seen_only_within() {
    let ctx = Arc::new(PeerContext::new(HostRule::ServerName, CertAuth::Optional));
    assert!(current().is_none());
    within(&ctx, || {
        assert!(Arc::ptr_eq(&current().unwrap(), &ctx));
        current().unwrap().record(|r| r.cert_requested = true);
    });
    assert!(current().is_none());
    assert!(ctx.recorded().cert_requested);
    let leaf = &certs("ecdsa_p256_cert.pem")[0];
    // Outside any connection, the defaults: a client certificate is refused, a
    // server certificate must match the server name.
    assert!(check_host(leaf, None).is_err());
    let localhost = ServerName::try_from("localhost").unwrap();
    check_host(leaf, Some(&localhost)).unwrap();
    let other = ServerName::try_from("other.example").unwrap();
    assert!(check_host(leaf, Some(&other)).is_err());
    assert!(check_host(leaf, Some(&host::no_server_name())).is_err());
}

#[test]
fn a_server_keeps_the_client_sni_only_for_client_authentication() {
    for auth in [CertAuth::None, CertAuth::Required, CertAuth::Optional] {
        let ctx = PeerContext::new(HostRule::ClientSni(None), auth);
        ctx.set_client_sni("example.com");
        let kept = matches!(ctx.host(), HostRule::ClientSni(Some(n)) if n == "example.com");
        assert_eq!(kept, auth != CertAuth::None, "{auth:?}");
    }
}
