//! A config's settings for OCSP stapling, certificate transparency and key logging
//! (one field of `Settings`), and their setters.
//!
//! rustls' client always asks for a stapled OCSP response (it sends status_request
//! in every ClientHello) and has no certificate transparency support at all: it
//! neither asks for SCTs nor can a rustls server send them. What rs2n makes of that
//! is said with each setter.

use std::sync::Arc;

use crate::error::{Error, ErrorCode, Result};
use crate::owner::Owner;

/// The application's key log callback (`s2n_config_set_key_log_cb`).
pub trait KeyLogCallback: Send + Sync + std::fmt::Debug {
    /// One line in the NSS key log format, without a newline, for connection `owner`.
    /// The line holds secrets: it must not be kept beyond the call.
    fn log(&self, owner: Owner, line: &[u8]);
}

/// The settings, with s2n's defaults.
#[derive(Clone, Debug)]
pub struct Extras {
    /// A client reports a stapled OCSP response (`S2N_STATUS_REQUEST_OCSP`).
    pub request_ocsp: bool,
    /// Asked for by `s2n_config_set_verification_ca_location`, as s2n does for
    /// clients (until the application sets `S2N_STATUS_REQUEST_NONE`).
    pub request_ocsp_by_ca: bool,
    /// A stapled response a client asked for must be checked (s2n's default: yes).
    pub check_ocsp: bool,
    pub key_log: Option<Arc<dyn KeyLogCallback>>,
}

impl Default for Extras {
    fn default() -> Self {
        Extras {
            request_ocsp: false,
            request_ocsp_by_ca: false,
            check_ocsp: true,
            key_log: None,
        }
    }
}

impl Extras {
    /// `s2n_config_set_status_request_type`: whether a client reports (and
    /// checks) the OCSP response the server staples.
    pub fn set_status_request(&mut self, ocsp: bool) {
        self.request_ocsp = ocsp;
        if !ocsp {
            self.request_ocsp_by_ca = false;
        }
    }

    /// Whether a client asks for (and reports) a stapled response.
    pub fn requests_ocsp(&self) -> bool {
        self.request_ocsp || self.request_ocsp_by_ca
    }

    /// `s2n_config_set_ct_support_level`: none, or a request rustls cannot make.
    pub fn set_ct_request(&mut self, request: bool) -> Result<()> {
        if request {
            return Err(Error::new(
                ErrorCode::Unimplemented,
                "rs2n cannot request certificate transparency (SCT lists): rustls has no support for the signed_certificate_timestamp extension",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_setters() {
        let mut s = Extras::default();
        assert!(!s.requests_ocsp() && s.check_ocsp && s.key_log.is_none());
        s.set_status_request(true);
        assert!(s.requests_ocsp());
        s.set_status_request(false);
        s.request_ocsp_by_ca = true;
        assert!(s.requests_ocsp(), "a CA location asks, as in s2n");
        s.set_status_request(false);
        assert!(!s.requests_ocsp(), "NONE undoes it");
        assert_eq!(
            s.set_ct_request(true).unwrap_err().code,
            ErrorCode::Unimplemented
        );
        s.set_ct_request(false).unwrap();
    }
}
