//! Pre-shared keys as s2n's API builds them: external PSKs (an identity and a
//! secret agreed out of band), the identities a client offered, and the PSK modes.
//!
//! rustls 0.23 can neither offer nor accept an external PSK (its only PSKs are
//! its own resumption tickets, and it has no hook to add another), nor let an
//! application choose among the identities a client offered. So an
//! [`ExternalPsk`] is a plain value an application can build and check, and the
//! point where it would be used ([`refuse_external`]) fails with a usage error
//! that says so: a program learns at that call that its PSK will not be used.

use std::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

/// The hash of an external PSK (s2n's `s2n_psk_hmac`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PskHmac {
    #[default]
    Sha256 = 0,
    Sha384 = 1,
}

impl PskHmac {
    pub fn from_s2n(value: i32) -> Result<Self> {
        match value {
            0 => Ok(PskHmac::Sha256),
            1 => Ok(PskHmac::Sha384),
            _ => Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("unknown PSK HMAC {value} (S2N_PSK_HMAC_SHA256 or S2N_PSK_HMAC_SHA384)"),
            )),
        }
    }
}

/// Which PSKs a connection uses (s2n's `s2n_psk_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PskMode {
    /// Session resumption tickets: the default, and the only mode rustls has.
    Resumption = 0,
    /// PSKs the application supplies.
    External = 1,
}

impl PskMode {
    /// The mode for s2n's value; an unknown value is an invalid argument, and the
    /// external mode is refused (see [`refuse_external`]).
    pub fn choose(value: i32) -> Result<Self> {
        match value {
            0 => Ok(PskMode::Resumption),
            1 => Err(refuse_external("S2N_PSK_MODE_EXTERNAL")),
            _ => Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "unknown PSK mode {value} (S2N_PSK_MODE_RESUMPTION or S2N_PSK_MODE_EXTERNAL)"
                ),
            )),
        }
    }
}

/// The error for using external PSKs (`what` names the call or value).
pub fn refuse_external(what: &str) -> Error {
    Error::new(
        ErrorCode::Unimplemented,
        format!(
            "external PSKs ({what}) are not supported by rs2n: rustls 0.23 can neither offer \
             nor accept a PSK other than its own resumption tickets"
        ),
    )
}

/// The error for the PSK selection callback and the offered-PSK lists it receives.
pub fn refuse_selection(what: &str) -> Error {
    Error::new(
        ErrorCode::Unimplemented,
        format!(
            "{what} is not supported by rs2n: rustls chooses the PSK itself (the first \
             resumption ticket it can decrypt), so rs2n has no PSK selection callback and \
             never creates an offered-PSK list"
        ),
    )
}

/// The early data settings of an external PSK.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EarlyData {
    pub max_size: u32,
    /// The TLS1.3 cipher suite's IANA value.
    pub cipher_suite: [u8; 2],
}

/// An external PSK as an application builds it. Never printed with its secret.
#[derive(Default)]
pub struct ExternalPsk {
    identity: Vec<u8>,
    secret: Zeroizing<Vec<u8>>,
    hmac: PskHmac,
    application_protocol: Vec<u8>,
    early_data_context: Vec<u8>,
    early_data: Option<EarlyData>,
}

impl fmt::Debug for ExternalPsk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalPsk")
            .field("identity_len", &self.identity.len())
            .field("secret", &"<redacted>")
            .field("hmac", &self.hmac)
            .field("early_data", &self.early_data)
            .finish_non_exhaustive()
    }
}

impl ExternalPsk {
    /// Sets the identity: at least one byte.
    pub fn set_identity(&mut self, identity: &[u8]) -> Result<()> {
        if identity.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "an empty PSK identity (it needs at least one byte)",
            ));
        }
        self.identity = identity.to_vec();
        Ok(())
    }

    /// Sets the secret: at least one byte, and not all zeros (which would be
    /// indistinguishable from TLS1.3's no-PSK input, as s2n checks).
    pub fn set_secret(&mut self, secret: &[u8]) -> Result<()> {
        if secret.is_empty() || secret.iter().all(|&b| b == 0) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "a PSK secret must be at least one byte and not all zeros",
            ));
        }
        self.secret = Zeroizing::new(secret.to_vec());
        Ok(())
    }

    pub fn set_hmac(&mut self, hmac: PskHmac) {
        self.hmac = hmac;
    }

    /// The application protocol early data is bound to (empty: none).
    pub fn set_application_protocol(&mut self, protocol: &[u8]) {
        self.application_protocol = protocol.to_vec();
    }

    /// The application's context for early data (empty: none).
    pub fn set_early_data_context(&mut self, context: &[u8]) {
        self.early_data_context = context.to_vec();
    }

    /// Allows early data of up to `max_size` bytes with the TLS1.3 suite `suite`,
    /// whose hash must be the PSK's HMAC (as s2n checks).
    pub fn configure_early_data(&mut self, max_size: u32, suite: [u8; 2]) -> Result<()> {
        let hash = match suite {
            [0x13, 0x01] | [0x13, 0x03] => PskHmac::Sha256,
            [0x13, 0x02] => PskHmac::Sha384,
            [a, b] => {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!("cipher suite 0x{a:02x}{b:02x} is not a TLS1.3 suite rs2n offers"),
                ))
            }
        };
        if hash != self.hmac {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "cipher suite 0x{:02x}{:02x} hashes with {hash:?}, the PSK's HMAC is {:?}",
                    suite[0], suite[1], self.hmac
                ),
            ));
        }
        self.early_data = Some(EarlyData {
            max_size,
            cipher_suite: suite,
        });
        Ok(())
    }

    pub fn identity(&self) -> &[u8] {
        &self.identity
    }

    pub fn hmac(&self) -> PskHmac {
        self.hmac
    }

    pub fn early_data(&self) -> Option<&EarlyData> {
        self.early_data.as_ref()
    }
}

/// A PSK identity a client offered, as the application reads it; made empty by
/// `s2n_offered_psk_new`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OfferedPsk {
    pub identity: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorType;

    #[test]
    fn identities_and_secrets_are_checked_and_the_secret_never_printed() {
        let mut psk = ExternalPsk::default();
        assert_eq!(
            psk.set_identity(b"").unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        psk.set_identity(b"client-1").unwrap();
        assert_eq!(psk.identity(), b"client-1");
        for bad in [&b""[..], &[0u8; 32][..]] {
            assert_eq!(
                psk.set_secret(bad).unwrap_err().code,
                ErrorCode::InvalidArgument
            );
        }
        psk.set_secret(b"s3cr3t-s3cr3t").unwrap();
        let shown = format!("{psk:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn early_data_needs_a_tls13_suite_of_the_psks_hash() {
        let mut psk = ExternalPsk::default();
        psk.configure_early_data(100, [0x13, 0x01]).unwrap();
        assert_eq!(psk.early_data().unwrap().max_size, 100);
        assert!(psk.configure_early_data(1, [0x13, 0x02]).is_err());
        assert!(psk.configure_early_data(1, [0xc0, 0x2b]).is_err());
        psk.set_hmac(PskHmac::from_s2n(1).unwrap());
        assert_eq!(psk.hmac(), PskHmac::Sha384);
        psk.configure_early_data(5, [0x13, 0x02]).unwrap();
        assert_eq!(psk.early_data().unwrap().cipher_suite, [0x13, 0x02]);
        assert!(PskHmac::from_s2n(2).is_err());
    }

    #[test]
    fn only_resumption_mode_is_accepted_and_external_use_is_a_usage_error() {
        assert_eq!(PskMode::choose(0).unwrap(), PskMode::Resumption);
        let e = PskMode::choose(1).unwrap_err();
        assert_eq!(e.code, ErrorCode::Unimplemented);
        assert_eq!(e.code.error_type(), ErrorType::Usage);
        assert!(e.to_string().contains("external PSKs"));
        assert_eq!(
            PskMode::choose(7).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        assert!(refuse_selection("x")
            .to_string()
            .contains("selection callback"));
    }
}
