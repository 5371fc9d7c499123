//! What a connection negotiated beyond its version and suite, under s2n's names:
//! the key exchange group, the server's signature scheme, the suite's IANA value,
//! the server's certificate and how it matched the server name, the peer's chain;
//! and the connection's own security policy.

use std::sync::Arc;

use std::time::Duration;

use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{NamedGroup, SignatureScheme};

use super::{Connection, Mode};
use crate::error::{Error, ErrorCode, Result};
use crate::policy::{self, SecurityPolicy};
use crate::trust;
use crate::x509::{self, NameMatch};

/// s2n's name for a key exchange group ("secp256r1", "x25519", ...).
pub fn group_name(group: NamedGroup) -> &'static str {
    match group {
        NamedGroup::secp256r1 => "secp256r1",
        NamedGroup::secp384r1 => "secp384r1",
        NamedGroup::secp521r1 => "secp521r1",
        NamedGroup::X25519 => "x25519",
        _ => "unsupported",
    }
}

/// s2n's name for a signature scheme; the ECDSA ones are named after their curve
/// in TLS1.3 and "legacy_" in TLS1.2, as in s2n. "none" for no signature.
pub fn scheme_name(scheme: Option<SignatureScheme>, tls13: bool) -> &'static str {
    use SignatureScheme as S;
    let Some(scheme) = scheme else {
        return "none";
    };
    match (scheme, tls13) {
        (S::RSA_PKCS1_SHA1, _) => "rsa_pkcs1_sha1",
        (S::ECDSA_SHA1_Legacy, _) => "ecdsa_sha1",
        (S::RSA_PKCS1_SHA256, _) => "rsa_pkcs1_sha256",
        (S::RSA_PKCS1_SHA384, _) => "rsa_pkcs1_sha384",
        (S::RSA_PKCS1_SHA512, _) => "rsa_pkcs1_sha512",
        (S::ECDSA_NISTP256_SHA256, true) => "ecdsa_secp256r1_sha256",
        (S::ECDSA_NISTP256_SHA256, false) => "legacy_ecdsa_sha256",
        (S::ECDSA_NISTP384_SHA384, true) => "ecdsa_secp384r1_sha384",
        (S::ECDSA_NISTP384_SHA384, false) => "legacy_ecdsa_sha384",
        (S::ECDSA_NISTP521_SHA512, true) => "ecdsa_secp521r1_sha512",
        (S::ECDSA_NISTP521_SHA512, false) => "legacy_ecdsa_sha512",
        (S::RSA_PSS_SHA256, _) => "rsa_pss_rsae_sha256",
        (S::RSA_PSS_SHA384, _) => "rsa_pss_rsae_sha384",
        (S::RSA_PSS_SHA512, _) => "rsa_pss_rsae_sha512",
        (S::ED25519, _) => "ed25519",
        (S::ED448, _) => "ed448",
        _ => "unknown",
    }
}

/// The `s2n_tls_signature_algorithm` of a scheme: ANONYMOUS (0) for none, RSA (1),
/// ECDSA (3), RSA_PSS_RSAE (224). Ed25519 has no value in s2n.
pub fn signature_algorithm(scheme: Option<SignatureScheme>) -> Result<i32> {
    use SignatureScheme as S;
    Ok(match scheme {
        None => 0,
        Some(
            S::RSA_PKCS1_SHA1 | S::RSA_PKCS1_SHA256 | S::RSA_PKCS1_SHA384 | S::RSA_PKCS1_SHA512,
        ) => 1,
        Some(
            S::ECDSA_SHA1_Legacy
            | S::ECDSA_NISTP256_SHA256
            | S::ECDSA_NISTP384_SHA384
            | S::ECDSA_NISTP521_SHA512,
        ) => 3,
        Some(S::RSA_PSS_SHA256 | S::RSA_PSS_SHA384 | S::RSA_PSS_SHA512) => 224,
        Some(other) => {
            return Err(Error::new(
                ErrorCode::Unimplemented,
                format!("the signature scheme {other:?} has no s2n_tls_signature_algorithm value"),
            ))
        }
    })
}

/// The `s2n_tls_hash_algorithm` of a scheme: NONE (0) for none and for schemes
/// with an intrinsic hash (Ed25519), SHA1 (2), SHA256 (4), SHA384 (5), SHA512 (6).
pub fn hash_algorithm(scheme: Option<SignatureScheme>) -> i32 {
    use SignatureScheme as S;
    match scheme {
        Some(S::RSA_PKCS1_SHA1 | S::ECDSA_SHA1_Legacy) => 2,
        Some(S::RSA_PKCS1_SHA256 | S::ECDSA_NISTP256_SHA256 | S::RSA_PSS_SHA256) => 4,
        Some(S::RSA_PKCS1_SHA384 | S::ECDSA_NISTP384_SHA384 | S::RSA_PSS_SHA384) => 5,
        Some(S::RSA_PKCS1_SHA512 | S::ECDSA_NISTP521_SHA512 | S::RSA_PSS_SHA512) => 6,
        _ => 0,
    }
}

impl Connection {
    /// The security policy in force: the connection's own, else its config's.
    pub fn policy(&self) -> &'static SecurityPolicy {
        self.policy
            .unwrap_or_else(|| self.config().settings().policy)
    }

    /// `s2n_connection_set_cipher_preferences`: a policy for this connection only,
    /// before its handshake starts.
    pub fn set_policy(&mut self, name: &str) -> Result<()> {
        let policy = policy::lookup(name)?;
        self.not_started("the security policy")?;
        self.policy = Some(policy);
        Ok(())
    }

    /// `s2n_connection_is_valid_for_cipher_preferences`: whether the negotiated
    /// version and suite are allowed by the named policy.
    pub fn is_valid_for_policy(&self, name: &str) -> Result<bool> {
        let policy = policy::lookup(name)?;
        let Some(suite) = self.tls.as_ref().and_then(|t| t.negotiated_cipher_suite()) else {
            return Ok(false);
        };
        Ok(self.actual_protocol_version() >= policy.s2n_min_version
            && policy.allows_suite(suite.suite()))
    }

    /// The group of the (EC)DHE exchange, once the handshake is complete; none
    /// after a TLS1.2 resumption (no key exchange), as in s2n.
    pub fn key_exchange_group(&self) -> Option<&'static str> {
        let group = self.tls.as_ref()?.negotiated_key_exchange_group()?;
        Some(group_name(group.name()))
    }

    /// The negotiated suite's IANA value.
    pub fn cipher_iana(&self) -> Result<[u8; 2]> {
        let suite = self
            .tls
            .as_ref()
            .and_then(|t| t.negotiated_cipher_suite())
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::InvalidState,
                    "no cipher suite has been negotiated yet",
                )
            })?;
        Ok(u16::from(suite.suite()).to_be_bytes())
    }

    /// `s2n_connection_get_client_hello_version`: the ClientHello's legacy version,
    /// at most TLS1.2. A client that offers TLS1.3 sends TLS1.2 there (RFC 8446);
    /// one that does not sends its highest, which is what rs2n reads.
    pub fn client_hello_version(&self) -> i32 {
        match self.mode {
            Mode::Client => policy::S2N_TLS12.min(self.policy_max_version()),
            Mode::Server => self
                .hello_info
                .as_ref()
                .map_or(0, |h| h.max_version.min(policy::S2N_TLS12)),
        }
    }

    /// `s2n_connection_get_last_message_name`, as far as rs2n sees the handshake:
    /// "CLIENT_HELLO" until the server's answer is seen, then "SERVER_HELLO", then
    /// the Finished message awaited ("CLIENT_FINISHED" on a server,
    /// "SERVER_FINISHED" on a client), "APPLICATION_DATA" once complete.
    pub fn last_message_name(&self) -> &'static str {
        if self.is_handshake_complete() {
            return "APPLICATION_DATA";
        }
        let saw_server_hello = match self.mode {
            Mode::Client => self.server_hello_info.is_some(),
            Mode::Server => self.server_hello.examined() > 0,
        };
        match (saw_server_hello, self.mode) {
            (false, Mode::Server) if self.hello_info.is_none() => "CLIENT_HELLO",
            (false, Mode::Client) if self.tls.is_none() => "CLIENT_HELLO",
            (false, _) => "SERVER_HELLO",
            (true, Mode::Server) => "CLIENT_FINISHED",
            (true, Mode::Client) => "SERVER_FINISHED",
        }
    }

    /// The scheme of the server's handshake signature; None when there was none
    /// (a resumption) or before it.
    pub fn server_signature_scheme(&self) -> Option<SignatureScheme> {
        self.notes.server_scheme
    }

    /// `s2n_connection_get_selected_signature_algorithm`.
    pub fn selected_signature_algorithm(&self) -> Result<i32> {
        signature_algorithm(self.notes.server_scheme)
    }

    /// `s2n_connection_get_selected_digest_algorithm`.
    pub fn selected_digest_algorithm(&self) -> i32 {
        hash_algorithm(self.notes.server_scheme)
    }

    /// s2n's name for it (`s2n_connection_get_signature_scheme`), once negotiated.
    pub fn signature_scheme_name(&self) -> Result<&'static str> {
        if !self.is_handshake_complete() {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "the signature scheme is known once the handshake is complete",
            ));
        }
        let tls13 = self.actual_protocol_version() >= policy::S2N_TLS13;
        Ok(scheme_name(self.notes.server_scheme, tls13))
    }

    /// The chain this side uses in the handshake: a server's chosen certificate; a
    /// client's certificate, once it has sent one.
    pub fn selected_cert(&self) -> Option<Arc<CertifiedKey>> {
        match self.mode {
            Mode::Server => self.notes.selected.clone(),
            Mode::Client => self.own_client_chain(),
        }
    }

    /// `s2n_connection_get_certificate_match`: how the client's server name matched
    /// the server's certificates; None when the client sent no name.
    pub fn certificate_match(&self) -> Result<Option<NameMatch>> {
        self.server_only("s2n_connection_get_certificate_match")?;
        let Some(selected) = &self.notes.selected else {
            return Err(Error::new(
                ErrorCode::NoCertFound,
                "no certificate has been selected yet",
            ));
        };
        if let Some(m) = self.notes.name_match {
            return Ok(m);
        }
        // The server's only certificate: match the name against it.
        let sni = self.server_name.as_ref().and_then(|n| n.to_str().ok());
        Ok(sni.map(|name| {
            let names = selected
                .end_entity_cert()
                .map(|der| x509::dns_names(der))
                .unwrap_or_default();
            x509::match_name(&names, name)
        }))
    }

    /// The peer's validated chain, once the handshake is complete: as s2n gives
    /// it, the leaf, the intermediates of the verified path and the trusted root
    /// (from the trust store, even if the peer did not send it). With
    /// verification off, the certificates the peer sent.
    pub fn peer_cert_chain(&self) -> Result<Vec<CertificateDer<'static>>> {
        let sent = self
            .tls
            .as_ref()
            .filter(|t| !t.is_handshaking())
            .and_then(|t| t.peer_certificates())
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::CertNotValidated,
                    "no validated peer certificate chain: the handshake is not complete, or the peer sent none",
                )
            })?;
        let config = self.config();
        let (verify, trust, clock) = {
            let s = config.settings();
            (s.verify_x509, s.trust.clone(), s.wall_clock.clone())
        };
        let now = clock
            .now_nanos()
            .map(|n| UnixTime::since_unix_epoch(Duration::from_nanos(n)));
        if let (true, Ok(now)) = (verify, now) {
            let peer_is_server = self.mode == Mode::Client;
            if let Some(chain) = trust::validated_chain(&trust, sent, now, peer_is_server) {
                return Ok(chain);
            }
        }
        Ok(sent.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_s2ns() {
        assert_eq!(group_name(NamedGroup::X25519), "x25519");
        assert_eq!(group_name(NamedGroup::secp256r1), "secp256r1");
        let p256 = Some(SignatureScheme::ECDSA_NISTP256_SHA256);
        assert_eq!(scheme_name(p256, true), "ecdsa_secp256r1_sha256");
        assert_eq!(scheme_name(p256, false), "legacy_ecdsa_sha256");
        assert_eq!(scheme_name(None, true), "none");
        let pss = Some(SignatureScheme::RSA_PSS_SHA256);
        assert_eq!(scheme_name(pss, true), "rsa_pss_rsae_sha256");
        assert_eq!(signature_algorithm(pss).unwrap(), 224);
        assert_eq!(signature_algorithm(p256).unwrap(), 3);
        assert_eq!(signature_algorithm(None).unwrap(), 0);
        assert!(signature_algorithm(Some(SignatureScheme::ED25519)).is_err());
        assert_eq!(hash_algorithm(p256), 4);
        assert_eq!(hash_algorithm(Some(SignatureScheme::RSA_PKCS1_SHA384)), 5);
        assert_eq!(hash_algorithm(Some(SignatureScheme::ED25519)), 0);
    }

    #[test]
    fn before_the_handshake() {
        let c = Connection::new(Mode::Server);
        assert_eq!(c.key_exchange_group(), None);
        assert_eq!(c.cipher_iana().unwrap_err().code, ErrorCode::InvalidState);
        assert_eq!(c.last_message_name(), "CLIENT_HELLO");
        assert_eq!(c.client_hello_version(), 0);
        assert!(c.signature_scheme_name().is_err());
        assert!(c.selected_cert().is_none());
        assert_eq!(
            c.certificate_match().unwrap_err().code,
            ErrorCode::NoCertFound
        );
        assert_eq!(
            c.peer_cert_chain().unwrap_err().code,
            ErrorCode::CertNotValidated
        );
        assert!(!c.is_valid_for_policy("default").unwrap());
        let client = Connection::new(Mode::Client);
        assert_eq!(client.client_hello_version(), policy::S2N_TLS12);
        assert_eq!(
            client.certificate_match().unwrap_err().code,
            ErrorCode::NotInClientMode
        );
    }

    #[test]
    fn a_handshake_reports_what_was_negotiated() {
        use super::super::testing::{client_config, handshake, pair, server_config};
        for (policy, tls13, scheme) in [
            ("default_tls13", true, "ecdsa_secp256r1_sha256"),
            ("20240501", false, "legacy_ecdsa_sha256"),
        ] {
            let server = server_config(policy);
            let added = server.settings().certs[0].clone();
            let (mut s, mut c, _, _) = pair(server, client_config(policy));
            handshake(&mut s, &mut c).unwrap();
            for conn in [&s, &c] {
                let group = conn.key_exchange_group().unwrap();
                assert_eq!(group, c.key_exchange_group().unwrap());
                assert!(
                    ["x25519", "secp256r1", "secp384r1"].contains(&group),
                    "{group}"
                );
                assert_eq!(conn.signature_scheme_name().unwrap(), scheme, "{policy}");
                assert_eq!(
                    signature_algorithm(conn.server_signature_scheme()).unwrap(),
                    3
                );
                assert_eq!(hash_algorithm(conn.server_signature_scheme()), 4);
                assert_eq!(conn.last_message_name(), "APPLICATION_DATA");
                assert!(conn.is_valid_for_policy(policy).unwrap());
            }
            let iana = s.cipher_iana().unwrap();
            assert_eq!(iana, c.cipher_iana().unwrap());
            assert_eq!(iana[0] == 0x13, tls13, "{policy}: {iana:?}");
            assert!(
                !s.is_valid_for_policy("20170210").unwrap(),
                "an RSA-only policy"
            );
            assert!(Arc::ptr_eq(&s.selected_cert().unwrap(), &added));
            assert!(c.selected_cert().is_none());
            assert_eq!(s.certificate_match().unwrap(), Some(NameMatch::Exact));
            assert_eq!(s.client_hello_version(), policy::S2N_TLS12);
            // The server sends leaf + CA; the validated chain ends with the trusted
            // root's own certificate (here the same CA).
            let chain = c.peer_cert_chain().unwrap();
            assert_eq!(chain.as_slice(), added.cert.as_slice());
            assert_eq!(
                s.peer_cert_chain().unwrap_err().code,
                ErrorCode::CertNotValidated
            );
        }
    }

    /// Two ECDSA certificates for localhost: the first added serves it, unless a
    /// tiebreak, asked when the second is added, prefers the second.
    #[test]
    fn a_tiebreak_decides_between_certificates_for_one_name() {
        use super::super::testing::{client_config, handshake, pair};
        use crate::cert_select::CertTiebreak;
        use crate::certs::{testing::cert_file, CertChainAndKey};
        use crate::config::Config;
        use std::sync::Mutex;

        struct PreferSecond(Mutex<Vec<String>>);
        impl CertTiebreak for PreferSecond {
            fn prefers_second(
                &self,
                _: &Arc<CertifiedKey>,
                _: &Arc<CertifiedKey>,
                name: &str,
            ) -> bool {
                self.0.lock().unwrap().push(name.to_string());
                true
            }
        }
        let load = |kind: &str| {
            let mut k = CertChainAndKey::new();
            k.load_pem(
                &cert_file(&format!("{kind}_cert.pem")),
                &cert_file(&format!("{kind}_key.pem")),
            )
            .unwrap();
            k.certified_key().unwrap()
        };
        let (p256, p384) = (load("ecdsa_p256"), load("ecdsa_p384"));
        for with_tiebreak in [false, true] {
            let server = Config::new_minimal();
            let asked = Arc::new(PreferSecond(Mutex::new(Vec::new())));
            if with_tiebreak {
                server.set_tiebreak(Some(asked.clone())).unwrap();
            }
            server.add_cert_chain_and_key(p256.clone()).unwrap();
            server.add_cert_chain_and_key(p384.clone()).unwrap();
            let (mut s, mut c, _, _) = pair(Arc::new(server), client_config("default"));
            handshake(&mut s, &mut c).unwrap();
            let want = if with_tiebreak { &p384 } else { &p256 };
            assert!(
                Arc::ptr_eq(&s.selected_cert().unwrap(), want),
                "tiebreak {with_tiebreak}"
            );
            let names = asked.0.lock().unwrap().clone();
            assert_eq!(names.contains(&"localhost".to_string()), with_tiebreak);
        }
    }

    /// s2n's validated chain includes the root even when the peer sends only its
    /// leaf; with verification off it is what the peer sent.
    #[test]
    fn the_peer_chain_ends_with_the_trusted_root() {
        use super::super::testing::{client_config, handshake, pair};
        use crate::certs::{testing::cert_file, CertChainAndKey};
        use crate::config::Config;
        use crate::pem;

        let chain = pem::certificates(&cert_file("ecdsa_p256_cert.pem"), "t").unwrap();
        let leaf_only = chain[..1].to_vec();
        let root = pem::certificates(&cert_file("ca_cert.pem"), "t").unwrap();
        let server = Config::new_minimal();
        let mut k = CertChainAndKey::new();
        // The leaf alone, in PEM.
        let leaf_pem = String::from_utf8(cert_file("ecdsa_p256_cert.pem")).unwrap();
        let first_end = leaf_pem.find("-----END CERTIFICATE-----").unwrap() + 25;
        k.load_pem(
            &leaf_pem.as_bytes()[..first_end],
            &cert_file("ecdsa_p256_key.pem"),
        )
        .unwrap();
        assert_eq!(k.chain(), leaf_only.as_slice());
        server
            .add_cert_chain_and_key(k.certified_key().unwrap())
            .unwrap();
        let server = Arc::new(server);
        let (mut s, mut c, _, _) = pair(server.clone(), client_config("default"));
        handshake(&mut s, &mut c).unwrap();
        let got = c.peer_cert_chain().unwrap();
        assert_eq!(got, vec![chain[0].clone(), root[0].clone()]);

        let lenient = Config::new_minimal();
        lenient.disable_x509_verification().unwrap();
        let (mut s, mut c, _, _) = pair(server, Arc::new(lenient));
        handshake(&mut s, &mut c).unwrap();
        assert_eq!(c.peer_cert_chain().unwrap(), leaf_only);
    }

    #[test]
    fn a_connection_policy_overrides_the_configs() {
        let mut c = Connection::new(Mode::Client);
        assert_eq!(c.policy().name, "default");
        c.set_policy("20240501").unwrap();
        assert_eq!(c.policy().max_version, policy::S2N_TLS12);
        assert_eq!(c.client_hello_version(), policy::S2N_TLS12);
        let e = c.set_policy("nonsense").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidSecurityPolicy);
        assert_eq!(c.policy().name, "20240501", "kept after a failure");
    }
}
