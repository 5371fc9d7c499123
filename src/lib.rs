//! rs2n: the s2n-tls C API implemented on rustls.
//!
//! Layers, top down: [`api`] (the C functions: pointer checks, panic guard, errno,
//! conversion) over the safe core ([`config`], [`connection`], [`certs`], ...), over
//! rustls with the ring provider.
// Unsafe code lives only in the C layer (`api`, which allows it back); the core is
// safe Rust, testable without C. tests/conventions.rs keeps it so.
#![deny(unsafe_code)]

pub mod alpn;
pub mod api;
pub mod capture;
pub mod cert_select;
pub mod certs;
pub mod client_hello;
pub mod clock;
pub mod config;
pub mod connection;
pub mod crypto;
pub mod dhparams;
pub mod early_data;
pub mod error;
pub mod extras;
pub mod handshake_notes;
pub mod hello;
pub mod io_settings;
pub mod lifecycle;
pub mod ocsp;
pub mod owner;
pub mod pem;
pub mod pkey;
pub mod policy;
pub mod psk;
pub mod resumption;
pub mod stacktrace;
pub mod stapling;
pub mod sync;
pub mod transport;
pub mod trust;
pub mod verify;
pub mod x509;
