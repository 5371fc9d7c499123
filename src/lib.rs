//! rs2n: the s2n-tls C API implemented on rustls.
pub mod api;
pub mod error;
