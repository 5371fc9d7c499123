//! ALPN and client authentication through the core connection (no C layer).

use super::testing::{client_config, handshake, pair, server_config};
use super::*;
use crate::certs::{testing::cert_file, CertChainAndKey};
use crate::verify::{CertAuth, VerifyHost};

#[derive(Debug)]
struct AcceptAll;

impl VerifyHost for AcceptAll {
    fn verify(&self, _: &[u8]) -> bool {
        true
    }
}

fn with_client_cert(c: &Config, name: &str) {
    let mut k = CertChainAndKey::new();
    k.load_pem(
        &cert_file(&format!("{name}_cert.pem")),
        &cert_file(&format!("{name}_key.pem")),
    )
    .unwrap();
    c.add_cert_chain_and_key(k.certified_key().unwrap())
        .unwrap();
}

fn mtls_server(policy: &str, auth: CertAuth) -> Arc<Config> {
    let s = server_config(policy);
    s.add_pem_to_trust_store(&cert_file("ca_cert.pem")).unwrap();
    s.set_client_auth(auth).unwrap();
    s.set_verify_host(Some(Arc::new(AcceptAll))).unwrap();
    s
}

#[test]
fn alpn_by_the_servers_order_and_none_without_overlap() {
    for policy in ["default_tls13", "20240501"] {
        let s = server_config(policy);
        s.set_protocol_preferences(ProtocolList::from_names(&["h2", "http/1.1"]).unwrap())
            .unwrap();
        let c = client_config(policy);
        c.set_protocol_preferences(ProtocolList::from_names(&["http/1.1", "h2"]).unwrap())
            .unwrap();
        let (mut sc, mut cc, _, _) = pair(s.clone(), c.clone());
        handshake(&mut sc, &mut cc).unwrap();
        assert_eq!(sc.application_protocol(), Some(&b"h2"[..]), "{policy}");
        assert_eq!(cc.application_protocol(), Some(&b"h2"[..]), "{policy}");

        let (mut sc, mut cc, _, _) = pair(s, c);
        cc.set_protocol_preferences(ProtocolList::from_names(&["spdy/3"]).unwrap())
            .unwrap();
        handshake(&mut sc, &mut cc).unwrap();
        assert_eq!(sc.application_protocol(), None, "{policy}");
        assert_eq!(cc.application_protocol(), None, "{policy}");
    }
}

#[test]
fn client_certificates_verified_and_reported() {
    for policy in ["default_tls13", "20240501"] {
        let c = client_config(policy);
        with_client_cert(&c, "client");
        let (mut sc, mut cc, _, _) = pair(mtls_server(policy, CertAuth::Required), c);
        handshake(&mut sc, &mut cc).unwrap();
        assert!(sc.client_cert_used() && cc.client_cert_used(), "{policy}");
        let chain = sc.client_cert_chain().unwrap();
        let first =
            usize::from(chain[0]) << 16 | usize::from(chain[1]) << 8 | usize::from(chain[2]);
        assert_eq!(chain[3], 0x30, "DER after the 3-byte length");
        assert!(first + 3 < chain.len(), "the CA follows the leaf");
        assert_eq!(
            sc.client_cert_scheme(),
            Some(rustls::SignatureScheme::ECDSA_NISTP256_SHA256)
        );
        assert_eq!(cc.client_cert_scheme(), sc.client_cert_scheme());
        assert!(
            cc.client_cert_chain().is_err(),
            "a client has no client chain"
        );
    }
}

#[test]
fn refusals_name_what_went_wrong() {
    let policy = "20240501";
    let untrusted = client_config(policy);
    with_client_cert(&untrusted, "untrusted_client");
    let (mut sc, mut cc, _, _) = pair(mtls_server(policy, CertAuth::Optional), untrusted);
    assert!(handshake(&mut sc, &mut cc).is_err());
    assert_eq!(
        sc.check_usable().unwrap_err().code,
        ErrorCode::CertUntrusted
    );

    let (mut sc, mut cc, _, _) = pair(
        mtls_server(policy, CertAuth::Required),
        client_config(policy),
    );
    assert!(handshake(&mut sc, &mut cc).is_err());
    assert_eq!(
        sc.check_usable().unwrap_err().code,
        ErrorCode::MissingClientCert
    );

    let c = client_config(policy);
    with_client_cert(&c, "client");
    c.set_client_auth(CertAuth::None).unwrap();
    let (mut sc, mut cc, _, _) = pair(mtls_server(policy, CertAuth::Required), c.clone());
    assert!(handshake(&mut sc, &mut cc).is_err());
    assert_eq!(
        cc.check_usable().unwrap_err().code,
        ErrorCode::UnexpectedCertRequest
    );

    c.set_client_auth(CertAuth::Required).unwrap();
    let (mut sc, mut cc, _, _) = pair(server_config(policy), c);
    assert!(handshake(&mut sc, &mut cc).is_err());
    assert_eq!(
        cc.check_usable().unwrap_err().code,
        ErrorCode::NoClientAuthRequest
    );
}

#[test]
fn auth_type_defaults_and_overrides() {
    let s = Connection::new(Mode::Server);
    let c = Connection::new(Mode::Client);
    assert_eq!(s.client_auth(), CertAuth::None);
    assert_eq!(c.client_auth(), CertAuth::Optional);
    let config = server_config("default_tls13");
    config.set_client_auth(CertAuth::Required).unwrap();
    let mut s = Connection::new(Mode::Server);
    s.set_config(config).unwrap();
    assert_eq!(s.client_auth(), CertAuth::Required);
    s.set_client_auth(CertAuth::Optional);
    assert_eq!(s.client_auth(), CertAuth::Optional);
}
