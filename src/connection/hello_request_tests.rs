//! What an rs2n TLS1.2 client does with a server's HelloRequest (a request to
//! renegotiate), which rs2n documents for `s2n_config_set_renegotiate_request_cb`:
//! it answers with a no_renegotiation warning alert (s2n-tls's answer when the
//! callback says S2N_RENEGOTIATE_REJECT) and the connection goes on with its keys.
//!
//! No TLS stack at hand sends a HelloRequest on request, so the server here is bare
//! rustls whose record keys are extracted after the handshake: the test seals the
//! HelloRequest itself (AES-128-GCM as TLS1.2 does it) and opens the client's answer.

use std::sync::Arc;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_128_GCM};
use rustls::{ConnectionTrafficSecrets, ServerConfig, ServerConnection};

use super::testing::client_config;
use super::{Connection, Mode};
use crate::certs::{testing::cert_file, CertChainAndKey};
use crate::transport::{memory, RecvHalf};

const HANDSHAKE: u8 = 22;
const ALERT: u8 = 21;
const APPLICATION_DATA: u8 = 23;

/// One direction's TLS1.2 AES-128-GCM record protection.
struct Records {
    key: LessSafeKey,
    iv: [u8; 12],
    seq: u64,
}

impl Records {
    fn new((seq, secrets): (u64, ConnectionTrafficSecrets)) -> Self {
        let ConnectionTrafficSecrets::Aes128Gcm { key, iv } = secrets else {
            panic!("the test's server only offers AES-128-GCM");
        };
        let key = LessSafeKey::new(UnboundKey::new(&AES_128_GCM, key.as_ref()).unwrap());
        Records {
            key,
            iv: iv.as_ref().try_into().unwrap(),
            seq,
        }
    }

    /// The nonce and additional data of the next record (RFC 5288: the nonce is the
    /// IV with the sequence number mixed in; its last 8 bytes travel explicitly).
    fn next(&mut self, typ: u8, len: usize) -> ([u8; 12], [u8; 13]) {
        let mut nonce = self.iv;
        for (n, s) in nonce[4..].iter_mut().zip(self.seq.to_be_bytes()) {
            *n ^= s;
        }
        let mut aad = [0u8; 13];
        aad[..8].copy_from_slice(&self.seq.to_be_bytes());
        aad[8..11].copy_from_slice(&[typ, 3, 3]);
        aad[11..].copy_from_slice(&(len as u16).to_be_bytes());
        self.seq += 1;
        (nonce, aad)
    }

    fn seal(&mut self, typ: u8, plaintext: &[u8]) -> Vec<u8> {
        let (nonce, aad) = self.next(typ, plaintext.len());
        let mut body = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut body,
            )
            .unwrap();
        let mut record = vec![typ, 3, 3];
        record.extend(((8 + body.len()) as u16).to_be_bytes());
        record.extend(&nonce[4..]);
        record.extend(body);
        record
    }

    /// Opens every record in `wire`: (content type, plaintext) each.
    fn open_all(&mut self, mut wire: &[u8]) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        while wire.len() >= 5 {
            let typ = wire[0];
            let len = usize::from(u16::from_be_bytes([wire[3], wire[4]]));
            let (record, rest) = wire[5..].split_at(len);
            wire = rest;
            let (nonce, aad) = self.next(typ, len - 8 - 16);
            assert_eq!(record[..8], nonce[4..], "explicit nonce");
            let mut body = record[8..].to_vec();
            let plain = self
                .key
                .open_in_place(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(aad),
                    &mut body,
                )
                .expect("a record of the client opens with the extracted keys");
            out.push((typ, plain.to_vec()));
        }
        assert!(wire.is_empty(), "whole records");
        out
    }
}

fn tls12_server() -> ServerConnection {
    let mut provider = rustls::crypto::ring::default_provider();
    provider.cipher_suites =
        vec![rustls::crypto::ring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256];
    let mut k = CertChainAndKey::new();
    k.load_pem(
        &cert_file("ecdsa_p256_cert.pem"),
        &cert_file("ecdsa_p256_key.pem"),
    )
    .unwrap();
    let resolver = rustls::sign::SingleCertAndKey::from(k.certified_key().unwrap());
    let mut config = ServerConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    config.enable_secret_extraction = true;
    ServerConnection::new(Arc::new(config)).unwrap()
}

/// Moves what the client sent to the server, and the server's answer back.
fn pump(server: &mut ServerConnection, wire: &mut memory::End) {
    let mut buf = vec![0u8; 1 << 16];
    while let Ok(n) = wire.recv(&mut buf) {
        server.read_tls(&mut &buf[..n]).unwrap();
        server.process_new_packets().unwrap();
    }
    let mut out = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut out).unwrap();
    }
    wire.inject(&out);
}

#[test]
fn a_hello_request_gets_a_no_renegotiation_warning_and_the_connection_goes_on() {
    let (mut wire, b) = memory::pair();
    let mut client = Connection::new(Mode::Client);
    client.set_config(client_config("20240501")).unwrap();
    client.set_server_name("localhost").unwrap();
    client.set_recv(Box::new(b.clone()));
    client.set_send(Box::new(b));
    let mut server = tls12_server();
    for _ in 0..10 {
        let done = client.negotiate();
        pump(&mut server, &mut wire);
        if done.is_ok() && !server.is_handshaking() {
            break;
        }
    }
    assert!(client.negotiate().is_ok() && !server.is_handshaking());
    assert_eq!(client.actual_protocol_version(), crate::policy::S2N_TLS12);

    let secrets = server.dangerous_extract_secrets().unwrap();
    let (mut to_client, mut from_client) = (Records::new(secrets.tx), Records::new(secrets.rx));
    // A HelloRequest (type 0, empty body), then application data.
    wire.inject(&to_client.seal(HANDSHAKE, &[0, 0, 0, 0]));
    wire.inject(&to_client.seal(APPLICATION_DATA, b"still here"));
    let mut buf = [0u8; 32];
    let n = client.recv(&mut buf).unwrap();
    assert_eq!(
        &buf[..n],
        b"still here",
        "the request is no data, the connection goes on"
    );
    assert_eq!(client.send(b"and you?").unwrap(), 8);

    let mut sent = vec![0u8; 1 << 16];
    let n = wire.recv(&mut sent).unwrap();
    let records = from_client.open_all(&sent[..n]);
    assert_eq!(
        records,
        [
            (ALERT, vec![1, 100]),
            (APPLICATION_DATA, b"and you?".to_vec())
        ],
        "a warning (1) no_renegotiation (100) alert, then the data, under the same keys"
    );
}
