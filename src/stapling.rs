//! A server's stapled OCSP response on a config: a chain's new response reaches
//! the configs it was added to.

use std::sync::Arc;

use rustls::sign::CertifiedKey;

use crate::config::{Config, Settings};
use crate::error::Result;
use crate::verify::peer::ClientCerts;

fn holds(s: &Settings, old: &Arc<CertifiedKey>) -> bool {
    let mut all = s.certs.iter().chain(s.default_certs.iter().flatten());
    all.any(|k| Arc::ptr_eq(k, old)) || s.name_winners.iter().any(|(_, k)| Arc::ptr_eq(k, old))
}

/// Puts `new` wherever the config holds `old` (a chain whose OCSP response
/// changed after it was added); a config without it is left alone.
pub fn replace_cert(
    config: &Config,
    old: &Arc<CertifiedKey>,
    new: &Arc<CertifiedKey>,
) -> Result<()> {
    if !holds(&config.settings(), old) {
        return Ok(());
    }
    config.update(|s| {
        let swap = |k: &mut Arc<CertifiedKey>| {
            if Arc::ptr_eq(k, old) {
                *k = new.clone();
            }
        };
        s.certs.iter_mut().for_each(swap);
        s.default_certs.iter_mut().flatten().for_each(swap);
        s.name_winners.iter_mut().for_each(|(_, k)| swap(k));
        s.client_certs = Arc::new(ClientCerts {
            certs: s.certs.clone(),
        });
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::{testing::cert_file, CertChainAndKey};

    #[test]
    fn a_new_response_reaches_the_configs_holding_the_chain() {
        let mut chain = CertChainAndKey::new();
        chain
            .load_pem(
                &cert_file("ecdsa_p256_cert.pem"),
                &cert_file("ecdsa_p256_key.pem"),
            )
            .unwrap();
        let old = chain.certified_key().unwrap();
        let with = Config::new_minimal();
        let without = Config::new_minimal();
        with.add_cert_chain_and_key(old.clone()).unwrap();
        with.set_default_certs(vec![old.clone()]).unwrap();
        let before = with.server_config().unwrap();
        chain.set_ocsp(Some(b"response"));
        let new = chain.certified_key().unwrap();
        assert_eq!(new.ocsp.as_deref(), Some(&b"response"[..]));
        replace_cert(&with, &old, &new).unwrap();
        replace_cert(&without, &old, &new).unwrap();
        let s = with.settings();
        assert!(Arc::ptr_eq(&s.certs[0], &new));
        assert!(Arc::ptr_eq(&s.default_certs.as_ref().unwrap()[0], &new));
        drop(s);
        assert!(
            !Arc::ptr_eq(&before, &with.server_config().unwrap()),
            "rebuilt"
        );
        assert!(without.settings().certs.is_empty());
        // Cleared: no response; kept across a reload.
        chain.set_ocsp(None);
        assert!(chain.certified_key().unwrap().ocsp.is_none());
        chain.set_ocsp(Some(b"again"));
        chain
            .load_pem(
                &cert_file("ecdsa_p256_cert.pem"),
                &cert_file("ecdsa_p256_key.pem"),
            )
            .unwrap();
        assert_eq!(
            chain.certified_key().unwrap().ocsp.as_deref(),
            Some(&b"again"[..])
        );
    }
}
