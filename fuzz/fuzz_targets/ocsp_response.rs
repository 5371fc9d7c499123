//! The stapled OCSP response a server sends (peer bytes), as an rs2n client that
//! asked for one validates it: x509-ocsp's parser, the responder and signature
//! checks, the CertID match. Never a panic; a refusal names what was wrong.
//!
//! Input: the response bytes, checked for the test server certificate as issued
//! by the test CA (the seeds are the responses of c-tests/certs/ocsp/).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use rs2n::certs::{parse_pem_certs, testing::cert_file};
use rs2n::ocsp::{self, Issuer};
use rustls::pki_types::{CertificateDer, UnixTime};

fn fixture() -> &'static (CertificateDer<'static>, Issuer) {
    static FIXTURE: OnceLock<(CertificateDer<'static>, Issuer)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let leaf = parse_pem_certs(&cert_file("ecdsa_p256_cert.pem"), "leaf")
            .unwrap()
            .remove(0);
        let ca = parse_pem_certs(&cert_file("ca_cert.pem"), "CA").unwrap().remove(0);
        (leaf, Issuer::from_cert(&ca).unwrap())
    })
}

fuzz_target!(|data: &[u8]| {
    let (leaf, issuer) = fixture();
    let algs = rustls::crypto::ring::default_provider()
        .signature_verification_algorithms
        .all;
    // A fixed instant inside the seeds' validity.
    let now = UnixTime::since_unix_epoch(Duration::from_secs(1_900_000_000));
    if let Err(e) = ocsp::validate(data, leaf, issuer, now, algs) {
        assert!(e.message.starts_with("stapled OCSP response: "));
        assert!(e.message.len() < 400, "{}", e.message);
    }
});
