//! The error model: s2n's error encoding, names and classes, plus a message per failure.
//!
//! An s2n error value carries its class in the bits above `ERR_NUM_VALUE_BITS`
//! (as in s2n's `error/s2n_errno.h`), so `s2n_error_get_type` is a shift. The
//! numbers inside a class are rs2n's own; the names are s2n's where s2n has one.

use std::borrow::Cow;
use std::fmt;
use std::panic::Location;

/// How many low bits of an error value are the value within its class.
pub(crate) const ERR_NUM_VALUE_BITS: u32 = 26;

/// s2n's error classes (`s2n_error_type`), in s2n's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum ErrorType {
    Ok = 0,
    Io = 1,
    Closed = 2,
    Blocked = 3,
    Alert = 4,
    Proto = 5,
    Internal = 6,
    Usage = 7,
}

macro_rules! error_codes {
    ($( $variant:ident = ($class:ident, $index:expr, $name:literal, $text:literal), )*) => {
        /// Every error rs2n raises. Each has a class, a stable value and an s2n-style name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ErrorCode { $( $variant, )* }

        impl ErrorCode {
            /// All codes, for lookups from an integer and for tests.
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The class of this error.
            pub const fn error_type(self) -> ErrorType {
                match self { $( ErrorCode::$variant => ErrorType::$class, )* }
            }

            /// The integer an application sees in `s2n_errno`.
            pub const fn value(self) -> i32 {
                match self {
                    $( ErrorCode::$variant =>
                        ((ErrorType::$class as i32) << ERR_NUM_VALUE_BITS) + $index, )*
                }
            }

            /// s2n's name for it, e.g. `S2N_ERR_NULL`.
            pub const fn name(self) -> &'static str {
                match self { $( ErrorCode::$variant => $name, )* }
            }

            /// A generic English description, used when no specific message was given.
            pub const fn description(self) -> &'static str {
                match self { $( ErrorCode::$variant => $text, )* }
            }
        }
    };
}

error_codes! {
    Ok = (Ok, 0, "S2N_ERR_OK", "no error"),
    Io = (Io, 0, "S2N_ERR_IO", "underlying I/O operation failed, check system errno"),
    Closed = (Closed, 0, "S2N_ERR_CLOSED", "connection is closed"),
    IoBlocked = (Blocked, 0, "S2N_ERR_IO_BLOCKED", "underlying I/O operation would block"),
    AsyncBlocked = (Blocked, 1, "S2N_ERR_ASYNC_BLOCKED", "waiting on the application (a callback returned blocked)"),
    Alert = (Alert, 0, "S2N_ERR_ALERT", "TLS alert received"),
    Decrypt = (Proto, 0, "S2N_ERR_DECRYPT", "error decrypting data"),
    BadMessage = (Proto, 1, "S2N_ERR_BAD_MESSAGE", "bad message encountered"),
    CertUntrusted = (Proto, 2, "S2N_ERR_CERT_UNTRUSTED", "certificate is untrusted"),
    CertInvalid = (Proto, 3, "S2N_ERR_CERT_INVALID", "certificate is invalid"),
    HostnameMismatch = (Proto, 4, "S2N_ERR_CERT_INVALID_HOSTNAME", "certificate does not match the server name"),
    ProtocolVersionUnsupported = (Proto, 5, "S2N_ERR_PROTOCOL_VERSION_UNSUPPORTED", "no protocol version in common with the peer"),
    CipherNotSupported = (Proto, 6, "S2N_ERR_CIPHER_NOT_SUPPORTED", "no cipher suite in common with the peer"),
    HandshakeFailure = (Proto, 7, "S2N_ERR_HANDSHAKE", "the TLS handshake failed"),
    Internal = (Internal, 0, "S2N_ERR_INTERNAL", "internal error"),
    Panic = (Internal, 1, "S2N_ERR_PANIC", "internal error: a panic was caught at the API boundary"),
    Null = (Usage, 0, "S2N_ERR_NULL", "NULL pointer encountered"),
    InvalidArgument = (Usage, 1, "S2N_ERR_INVALID_ARGUMENT", "invalid argument"),
    InvalidSecurityPolicy = (Usage, 2, "S2N_ERR_INVALID_SECURITY_POLICY", "unknown or unsupported security policy"),
    InvalidPem = (Usage, 3, "S2N_ERR_INVALID_PEM", "invalid PEM encountered"),
    KeyMismatch = (Usage, 4, "S2N_ERR_KEY_MISMATCH", "the private key does not match the certificate"),
    UnsupportedKey = (Usage, 5, "S2N_ERR_CERT_TYPE_UNSUPPORTED", "unsupported certificate or key type"),
    ConfigMissing = (Usage, 6, "S2N_ERR_CONFIG_NULL_BEFORE_CH_CALLBACK", "the connection has no config"),
    NoCertificate = (Usage, 7, "S2N_ERR_NO_CERTIFICATE_IN_PEM", "the server config has no certificate"),
    InvalidState = (Usage, 8, "S2N_ERR_INVALID_STATE", "call not allowed in the connection's current state"),
    ServerNameTooLong = (Usage, 9, "S2N_ERR_SERVER_NAME_TOO_LONG", "server name is too long"),
    NoAlert = (Usage, 10, "S2N_ERR_NO_ALERT", "no alert was received"),
    NotInClientMode = (Usage, 11, "S2N_ERR_CLIENT_MODE", "operation not allowed in client mode"),
    NotInServerMode = (Usage, 12, "S2N_ERR_SERVER_MODE", "operation not allowed in server mode"),
    NotInitialized = (Usage, 13, "S2N_ERR_NOT_INITIALIZED", "s2n_init() has not been called"),
    InvalidFile = (Usage, 14, "S2N_ERR_INVALID_FILE", "cannot read the given file or directory"),
    Unimplemented = (Usage, 15, "S2N_ERR_UNIMPLEMENTED", "not implemented by rs2n"),
    Initialized = (Usage, 16, "S2N_ERR_INITIALIZED", "s2n is initialized"),
    InUse = (Usage, 17, "S2N_ERR_CONNECTION_IN_USE", "the connection is in use by another call"),
    InvalidSerializedSession = (Usage, 18, "S2N_ERR_INVALID_SERIALIZED_SESSION_STATE", "serialized session state is not valid"),
    SerializedSessionTooLong = (Usage, 19, "S2N_ERR_SERIALIZED_SESSION_STATE_TOO_LONG", "serialized session state does not fit the buffer"),
    SessionIdTooLong = (Usage, 20, "S2N_ERR_SESSION_ID_TOO_LONG", "session ID does not fit the buffer"),
    InvalidTicketKeyLength = (Usage, 21, "S2N_ERR_INVALID_TICKET_KEY_LENGTH", "invalid session ticket key length"),
    InvalidTicketKeyName = (Usage, 22, "S2N_ERR_INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH", "invalid session ticket key name or name length"),
    TicketKeyNotUnique = (Usage, 23, "S2N_ERR_TICKET_KEY_NOT_UNIQUE", "session ticket key material must be unique"),
    TicketKeyLimit = (Usage, 24, "S2N_ERR_TICKET_KEY_LIMIT", "limit of session ticket keys reached"),
    SessionTicketNotSupported = (Usage, 25, "S2N_ERR_SESSION_TICKET_NOT_SUPPORTED", "no session ticket is available"),
    Cancelled = (Proto, 8, "S2N_ERR_CANCELLED", "an application callback failed"),
    // Certificates and connection inspection (numbered from 40 in their class, clear
    // of the codes other parts add).
    ExtensionNotFound = (Usage, 40, "S2N_ERR_X509_EXTENSION_VALUE_NOT_FOUND", "the certificate has no such extension"),
    InvalidExtensionType = (Usage, 41, "S2N_ERR_INVALID_X509_EXTENSION_TYPE", "the extension data is not of the expected type"),
    InsufficientMemSize = (Usage, 42, "S2N_ERR_INSUFFICIENT_MEM_SIZE", "the output buffer is too small"),
    NoCertFound = (Usage, 43, "S2N_ERR_NO_CERT_FOUND", "no certificate was selected"),
    NumDefaultCertificates = (Usage, 45, "S2N_ERR_NUM_DEFAULT_CERTIFICATES", "wrong number of default certificates"),
    MultipleDefaultCertificates = (Usage, 46, "S2N_ERR_MULTIPLE_DEFAULT_CERTIFICATES_PER_AUTH_TYPE", "more than one default certificate for a key type"),
    CertNotValidated = (Usage, 47, "S2N_ERR_CERT_NOT_VALIDATED", "the peer's certificate chain is not available"),
    InvalidApplicationProtocol = (Usage, 26, "S2N_ERR_INVALID_APPLICATION_PROTOCOL", "invalid application protocol (ALPN) name or list"),
    TrustStore = (Usage, 27, "S2N_ERR_X509_TRUST_STORE", "error with the trust store"),
    CertMaxChainDepth = (Proto, 9, "S2N_ERR_CERT_MAX_CHAIN_DEPTH_EXCEEDED", "the peer's certificate chain is longer than the maximum depth"),
    MissingClientCert = (Proto, 10, "S2N_ERR_MISSING_CLIENT_CERT", "the client sent no certificate and one is required"),
    UnexpectedCertRequest = (Proto, 11, "S2N_ERR_UNEXPECTED_CERT_REQUEST", "the server asked for a client certificate and client authentication is off"),
    // The ClientHello and its callback (numbered clear of the other parts' codes).
    DuplicateExtension = (Proto, 40, "S2N_ERR_DUPLICATE_EXTENSION", "an extension appears twice in the message"),
    ExtensionNotReceived = (Usage, 80, "S2N_ERR_EXTENSION_NOT_RECEIVED", "the peer did not send that extension"),
    NoClientAuthRequest = (Proto, 12, "S2N_ERR_MISSING_CERT_REQUEST", "client authentication is required and the server did not ask for a certificate"),
    // Early data (numbered from 110 in Usage, 50 in Proto, clear of the codes other parts add).
    EarlyDataBlocked = (Blocked, 2, "S2N_ERR_EARLY_DATA_BLOCKED", "blocked on early data"),
    EarlyDataNotAllowed = (Usage, 110, "S2N_ERR_EARLY_DATA_NOT_ALLOWED", "early data is not allowed on this connection now"),
    MaxEarlyDataSize = (Proto, 50, "S2N_ERR_MAX_EARLY_DATA_SIZE", "more early data than allowed"),
    // Async private keys and DH parameters (numbered from 60 in Usage, 30 in Proto,
    // 10 in Internal, clear of the codes other parts add).
    AsyncCallbackFailed = (Internal, 10, "S2N_ERR_ASYNC_CALLBACK_FAILED", "the async private key callback failed, or its operation was freed without being applied"),
    AsyncAlreadyPerformed = (Usage, 60, "S2N_ERR_ASYNC_ALREADY_PERFORMED", "the async operation already has its output"),
    AsyncNotPerformed = (Usage, 61, "S2N_ERR_ASYNC_NOT_PERFORMED", "the async operation has no output to apply yet"),
    AsyncWrongConnection = (Usage, 62, "S2N_ERR_ASYNC_WRONG_CONNECTION", "the async operation can only be applied to the connection waiting for it"),
    AsyncAlreadyApplied = (Usage, 63, "S2N_ERR_ASYNC_ALREADY_APPLIED", "the async operation was already applied"),
    InvalidPkcs3 = (Usage, 64, "S2N_ERR_INVALID_PKCS3", "invalid PKCS#3 DH parameters"),
    DhTooSmall = (Usage, 65, "S2N_ERR_DH_TOO_SMALL", "the DH prime is smaller than 2048 bits"),
    VerifySignature = (Proto, 30, "S2N_ERR_VERIFY_SIGNATURE", "a signature does not verify with the certificate's public key"),
    // OCSP stapling, certificate transparency, secrets (numbered from 130 in their class).
    UpdatingExtension = (Usage, 131, "S2N_ERR_UPDATING_EXTENSION", "cannot set extension data: the config has no default certificate"),
    CertOwnership = (Usage, 132, "S2N_ERR_CERT_OWNERSHIP", "the config does not own its certificates"),
    UnrecognizedExtension = (Usage, 133, "S2N_ERR_UNRECOGNIZED_EXTENSION", "unrecognized extension type"),
    HandshakeNotComplete = (Usage, 134, "S2N_ERR_HANDSHAKE_NOT_COMPLETE", "the handshake is not complete"),
    InvalidOcspResponse = (Usage, 135, "S2N_ERR_INVALID_OCSP_RESPONSE", "the stapled OCSP response is malformed"),
    CertRevoked = (Proto, 130, "S2N_ERR_CERT_REVOKED", "the certificate is revoked"),
    CertExpired = (Proto, 131, "S2N_ERR_CERT_EXPIRED", "the certificate or its OCSP status has expired"),
}

impl ErrorCode {
    /// The code whose value is `value`, if rs2n defines one.
    pub fn from_value(value: i32) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.value() == value)
    }
}

/// The class of any error value, as `s2n_error_get_type` reports it.
pub fn error_type_of(value: i32) -> i32 {
    // Values are non-negative in s2n's encoding; a negative one is nothing s2n raised.
    if value < 0 {
        return ErrorType::Usage as i32;
    }
    value >> ERR_NUM_VALUE_BITS
}

/// A failure: its code, a message saying what was wrong, and where in rs2n's
/// sources it was raised (`s2n_strerror_source`). Errors are equal when their codes
/// and messages are.
#[derive(Clone, Debug)]
pub struct Error {
    pub code: ErrorCode,
    pub message: Cow<'static, str>,
    pub location: &'static Location<'static>,
}

impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code && self.message == other.message
    }
}

impl Eq for Error {}

// Errors are the exception on every path (a blocked call included, which ends
// the call): `#[cold]` lets the compiler move their construction out of the hot
// code, so the code a handshake runs is denser in the instruction cache.
impl Error {
    #[cold]
    #[track_caller]
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            code,
            message: message.into(),
            location: Location::caller(),
        }
    }

    /// An error with its code's generic description as message.
    #[cold]
    #[track_caller]
    pub fn code(code: ErrorCode) -> Self {
        Error::new(code, code.description())
    }

    #[cold]
    #[track_caller]
    pub fn usage(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(ErrorCode::InvalidArgument, message)
    }

    #[cold]
    #[track_caller]
    pub fn null(what: &'static str) -> Self {
        Error::new(ErrorCode::Null, format!("{what} must not be NULL"))
    }

    #[track_caller]
    pub fn blocked() -> Self {
        Error::code(ErrorCode::IoBlocked)
    }

    pub fn error_type(&self) -> ErrorType {
        self.code.error_type()
    }

    pub fn is_blocked(&self) -> bool {
        self.error_type() == ErrorType::Blocked
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_classifies_to_its_type_and_round_trips() {
        for &code in ErrorCode::ALL {
            assert_eq!(
                error_type_of(code.value()),
                code.error_type() as i32,
                "{code:?}"
            );
            assert_eq!(ErrorCode::from_value(code.value()), Some(code));
            assert!(code.name().starts_with("S2N_ERR_"));
        }
    }

    #[test]
    fn values_are_unique() {
        let mut values: Vec<i32> = ErrorCode::ALL.iter().map(|c| c.value()).collect();
        values.sort();
        values.dedup();
        assert_eq!(values.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn ok_is_zero_and_negative_values_are_usage() {
        assert_eq!(ErrorCode::Ok.value(), 0);
        assert_eq!(error_type_of(-5), ErrorType::Usage as i32);
        assert_eq!(ErrorCode::IoBlocked.value() >> 26, 3);
    }
}
