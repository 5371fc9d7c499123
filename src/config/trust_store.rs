//! The config's trust store setters (`s2n_config_add_pem_to_trust_store`,
//! `s2n_config_set_verification_ca_location`, `s2n_config_wipe_trust_store`).

use super::{Config, TrustStore};
use crate::error::Result;
use crate::trust::load_ca_location;

impl Config {
    pub fn add_pem_to_trust_store(&self, pem: &[u8]) -> Result<()> {
        let certs = crate::certs::parse_pem_certs(pem, "trust store PEM")?;
        self.update(|s| {
            s.trust.roots.extend(certs);
            Ok(())
        })
    }

    /// Adds the CAs in a PEM file and/or every PEM file of a directory.
    pub fn set_verification_ca_location(
        &self,
        file: Option<&std::path::Path>,
        dir: Option<&std::path::Path>,
    ) -> Result<()> {
        let certs = load_ca_location(file, dir)?;
        self.update(|s| {
            s.trust.roots.extend(certs);
            s.extras.request_ocsp_by_ca = true;
            Ok(())
        })
    }

    pub fn wipe_trust_store(&self) -> Result<()> {
        self.update(|s| {
            s.trust = TrustStore::default();
            Ok(())
        })
    }
}
