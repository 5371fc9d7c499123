//! Test material shared by both sides: the ECDSA P-256 certificate, its key
//! and the test CA from c-tests/certs, the name the client verifies, and
//! random ticket keys.

use std::path::PathBuf;

/// The name the client verifies the server's certificate against (and sends).
pub const SERVER_NAME: &str = "localhost";

fn cert_file(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("c-tests/certs")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub struct Material {
    pub chain_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
    pub ca_pem: Vec<u8>,
}

impl Material {
    pub fn load() -> Self {
        Material {
            chain_pem: cert_file("ecdsa_p256_cert.pem"),
            key_pem: cert_file("ecdsa_p256_key.pem"),
            ca_pem: cert_file("ca_cert.pem"),
        }
    }
}

pub fn random32() -> [u8; 32] {
    use ring::rand::SecureRandom;
    let mut k = [0u8; 32];
    ring::rand::SystemRandom::new().fill(&mut k).unwrap();
    k
}
