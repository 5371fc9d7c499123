//! A config's settings for OCSP stapling, certificate transparency and key logging
//! (one field of `Settings`), and their setters.
//!
//! rustls' client always asks for a stapled OCSP response (it sends status_request
//! in every ClientHello) and has no certificate transparency support at all: it
//! neither asks for SCTs nor can a rustls server send them. What rs2n makes of that
//! is said with each setter.

use std::sync::Arc;

use crate::capture::OCSP_CHECK_UNSUPPORTED;
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
    /// A stapled response a client asked for must be checked (s2n's default: yes).
    pub check_ocsp: bool,
    pub key_log: Option<Arc<dyn KeyLogCallback>>,
}

impl Default for Extras {
    fn default() -> Self {
        Extras {
            request_ocsp: false,
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
    }

    /// `s2n_config_set_check_stapled_ocsp_response`: off, or on as s2n built
    /// without OCSP support answers (S2N_ERR_OCSP_NOT_SUPPORTED).
    pub fn set_check_stapled_ocsp(&mut self, check: bool) -> Result<()> {
        if check {
            return Err(Error::new(
                ErrorCode::OcspNotSupported,
                OCSP_CHECK_UNSUPPORTED,
            ));
        }
        self.check_ocsp = false;
        Ok(())
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
        assert!(!s.request_ocsp && s.check_ocsp && s.key_log.is_none());
        s.set_status_request(true);
        assert!(s.request_ocsp);
        let e = s.set_check_stapled_ocsp(true).unwrap_err();
        assert_eq!(e.code, ErrorCode::OcspNotSupported);
        assert!(s.check_ocsp, "a refused change changes nothing");
        s.set_check_stapled_ocsp(false).unwrap();
        assert!(!s.check_ocsp);
        assert_eq!(
            s.set_ct_request(true).unwrap_err().code,
            ErrorCode::Unimplemented
        );
        s.set_ct_request(false).unwrap();
    }
}
