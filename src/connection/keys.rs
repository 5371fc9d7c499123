//! The public keys of a connection's certificates, as s2n names them
//! (`s2n_conn_get_signature_public_key_type`).

use std::sync::Arc;

use rustls::sign::CertifiedKey;

use super::{Connection, Mode};
use crate::error::{Error, ErrorCode, Result};
use crate::pkey::key::KeyKind;

impl Connection {
    /// s2n's name for the public key of the leaf certificate of `whose` side of
    /// the connection: its own (the server's selected certificate; the client's
    /// certificate, if it sent one) or the peer's validated one.
    pub fn signature_public_key_type(&self, whose: Mode) -> Result<String> {
        let leaf = match (whose == self.mode, self.mode) {
            (true, _) => self
                .selected_cert()
                .and_then(|c| c.end_entity_cert().ok().map(|d| d.clone().into_owned())),
            (false, _) => self.peer_cert_chain()?.into_iter().next(),
        };
        let Some(leaf) = leaf else {
            return Err(Error::new(
                ErrorCode::NoCertFound,
                "this side has no certificate (yet): none was selected or sent",
            ));
        };
        KeyKind::of_cert(&leaf)?.s2n_name()
    }

    /// The chain a client sent: the first of its chains that can sign with the
    /// scheme it signed with (the one its resolver chose).
    pub(super) fn own_client_chain(&self) -> Option<Arc<CertifiedKey>> {
        let recorded = self.peer.as_ref()?.recorded();
        let scheme = recorded.client_scheme?;
        if !recorded.cert_sent {
            return None;
        }
        let config = self.config();
        let s = config.settings();
        s.certs
            .iter()
            .find(|c| c.key.choose_scheme(&[scheme]).is_some())
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn own_and_peer_key_types() {
        let (mut s, mut c, _, _) = pair(
            server_config("default_tls13"),
            client_config("default_tls13"),
        );
        assert_eq!(
            s.signature_public_key_type(Mode::Server).unwrap_err().code,
            ErrorCode::NoCertFound
        );
        assert_eq!(
            c.signature_public_key_type(Mode::Server).unwrap_err().code,
            ErrorCode::CertNotValidated
        );
        handshake(&mut s, &mut c).unwrap();
        assert_eq!(
            s.signature_public_key_type(Mode::Server).unwrap(),
            "ecdsa_secp256r1"
        );
        assert_eq!(
            c.signature_public_key_type(Mode::Server).unwrap(),
            "ecdsa_secp256r1"
        );
        // No client certificate on either side.
        assert!(c.signature_public_key_type(Mode::Client).is_err());
        assert!(s.signature_public_key_type(Mode::Client).is_err());
    }
}
