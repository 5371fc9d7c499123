//! The certificate parsers: X.509 extensions by OID, DNS names and UTF8String
//! extension data (peer certificates reach them through s2n_cert_get_* and the
//! server's SNI matching), a certificate's public key kind
//! (s2n_conn_get_signature_public_key_type reads the peer's), the PEM reader and
//! the DH parameters check (application bytes). Never a panic; what they return
//! lies within the input.
//!
//! Input: one byte choosing the OID asked for, then the bytes, read as a DER
//! certificate, as extension data, and as PEM text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rs2n::{pem, x509};

const OIDS: &[&str] = &[
    "2.5.29.17",          // subjectAltName
    "2.5.29.19",          // basicConstraints
    "2.5.29.15",          // keyUsage
    "1.3.6.1.5.5.7.1.24", // TLS feature
    "1.2.3.4",
    "2.5.29",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let oid = OIDS[usize::from(pick) % OIDS.len()];
    if let Ok((value, _critical)) = x509::extension(bytes, oid) {
        assert!(value.len() <= bytes.len());
        if let Ok(text) = x509::utf8_string(&value) {
            assert!(text.len() <= value.len());
        }
    }
    let names = x509::dns_names(bytes);
    for name in &names {
        assert!(name.len() <= bytes.len());
        assert_eq!(x509::match_name(&names, name), x509::NameMatch::Exact);
    }
    if let Ok(text) = x509::utf8_string(bytes) {
        assert!(text.len() <= bytes.len());
    }
    match pem::certificates(bytes, "fuzz") {
        Ok(certs) => assert!(certs.iter().map(|c| c.len()).sum::<usize>() <= bytes.len()),
        Err(e) => assert!(e.message.len() < 200, "{}", e.message),
    }
    if let Err(e) = pem::private_key(bytes) {
        assert!(e.message.len() < 200, "{}", e.message);
    }
    if let Ok(rs2n::pkey::key::KeyKind::Rsa(bits)) = rs2n::pkey::key::KeyKind::of_cert(bytes) {
        assert!(bits <= bytes.len() * 8);
    }
    if let Err(e) = rs2n::dhparams::check(bytes) {
        assert!(e.message.len() < 200, "{}", e.message);
    }
});
