//! Test fixtures: configs with the test certificates and in-memory connection pairs.

use super::*;
use crate::certs::{testing::cert_file, CertChainAndKey};
use crate::transport::{memory, RecvHalf};

/// A server config with the P-256 test certificate.
pub fn server_config(policy: &str) -> Arc<Config> {
    let c = Config::new_minimal();
    c.set_cipher_preferences(policy).unwrap();
    let mut k = CertChainAndKey::new();
    k.load_pem(
        &cert_file("ecdsa_p256_cert.pem"),
        &cert_file("ecdsa_p256_key.pem"),
    )
    .unwrap();
    c.add_cert_chain_and_key(k.certified_key().unwrap())
        .unwrap();
    Arc::new(c)
}

/// A client config trusting the test CA.
pub fn client_config(policy: &str) -> Arc<Config> {
    let c = Config::new_minimal();
    c.set_cipher_preferences(policy).unwrap();
    c.add_pem_to_trust_store(&cert_file("ca_cert.pem")).unwrap();
    Arc::new(c)
}

/// A server and a client joined by an in-memory pipe.
pub fn pair(
    server: Arc<Config>,
    client: Arc<Config>,
) -> (Connection, Connection, memory::End, memory::End) {
    let (a, b) = memory::pair();
    let mut s = Connection::new(Mode::Server);
    s.set_config(server).unwrap();
    s.set_recv(Box::new(a.clone()));
    s.set_send(Box::new(a.clone()));
    let mut c = Connection::new(Mode::Client);
    c.set_config(client).unwrap();
    c.set_server_name("localhost").unwrap();
    c.set_recv(Box::new(b.clone()));
    c.set_send(Box::new(b.clone()));
    (s, c, a, b)
}

/// A pair with both sides on `policy`, its handshake done.
pub fn established(policy: &str) -> (Connection, Connection, memory::End, memory::End) {
    let (mut s, mut c, a, b) = pair(server_config(policy), client_config(policy));
    handshake(&mut s, &mut c).unwrap();
    (s, c, a, b)
}

/// Runs both handshakes to completion or the first real error.
pub fn handshake(s: &mut Connection, c: &mut Connection) -> Result<()> {
    for _ in 0..100 {
        let cr = c.negotiate();
        let sr = s.negotiate();
        match (&cr, &sr) {
            (Ok(()), Ok(())) => return Ok(()),
            (Err(e), _) if !e.is_blocked() => return cr,
            (_, Err(e)) if !e.is_blocked() => return sr,
            _ => {}
        }
    }
    panic!("handshake did not finish");
}

/// The records a client sends first (its ClientHello), offering `session` if any.
pub fn client_first_flight(client: Arc<Config>, session: Option<&[u8]>) -> Vec<u8> {
    let (_, mut c, mut a, _) = pair(client.clone(), client);
    if let Some(bytes) = session {
        c.set_session(bytes).unwrap();
    }
    assert!(c.negotiate().unwrap_err().is_blocked());
    let mut out = vec![0; 1 << 17];
    let n = a.recv(&mut out).unwrap();
    out.truncate(n);
    out
}

/// Runs a handshake by hand between a real server and client (the client offering
/// `session`, if any), keeping the records the server sent; returns them and the
/// client's session afterwards (TLS1.3 tickets read), if it got one.
pub fn server_flights(
    server: Arc<Config>,
    client: Arc<Config>,
    session: Option<&[u8]>,
) -> (Vec<u8>, Option<Vec<u8>>) {
    let (mut s, mut c, a, mut b) = pair(server, client);
    if let Some(bytes) = session {
        c.set_session(bytes).unwrap();
    }
    let mut seen = Vec::new();
    let mut buf = vec![0; 1 << 17];
    for _ in 0..10 {
        let cr = c.negotiate();
        let sr = s.negotiate();
        if let Ok(n) = b.recv(&mut buf) {
            seen.extend_from_slice(&buf[..n]);
            a.inject(&buf[..n]);
        }
        if cr.is_ok() && sr.is_ok() {
            break;
        }
    }
    // TLS1.3 tickets come after the handshake: read them.
    let _ = c.recv(&mut [0u8; 16]);
    (seen, c.session().map(|s| s.bytes))
}
