//! The rs2n side: its Rust core (`Config`, `Connection`, `CertChainAndKey`)
//! configured per scenario and driven as the C API drives it, with an
//! application session cache for TLS1.2 session IDs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rs2n::certs::CertChainAndKey;
use rs2n::config::Config;
use rs2n::connection::{Connection, Mode};
use rs2n::resumption::cache::{Lookup, SessionCache};

use crate::fixtures::{random32, Material, SERVER_NAME};
use crate::scenarios::{Resume, Scenario};
use crate::transport::pipe;

/// A C application's session cache: a map behind a mutex.
#[derive(Default)]
struct MapCache {
    map: Mutex<HashMap<Vec<u8>, Vec<u8>>>,
}

impl SessionCache for MapCache {
    fn store(
        &self,
        _: rs2n::owner::Owner,
        _: u64,
        key: &[u8],
        value: &[u8],
    ) -> rs2n::error::Result<()> {
        self.map
            .lock()
            .unwrap()
            .insert(key.to_vec(), value.to_vec());
        Ok(())
    }
    fn retrieve(&self, _: rs2n::owner::Owner, key: &[u8], buf: &mut [u8]) -> Lookup {
        match self.map.lock().unwrap().get(key) {
            Some(v) if v.len() <= buf.len() => {
                buf[..v.len()].copy_from_slice(v);
                Lookup::Found(v.len())
            }
            _ => Lookup::Miss,
        }
    }
    fn delete(&self, _: rs2n::owner::Owner, key: &[u8]) -> rs2n::error::Result<()> {
        self.map.lock().unwrap().remove(key);
        Ok(())
    }
}

pub struct Rs2n {
    pub server: Arc<Config>,
    pub client: Arc<Config>,
    resume: Resume,
    /// The session the next client offers (chained: each pair saves its newest).
    pub session: Option<Vec<u8>>,
}

impl Rs2n {
    pub fn new(sc: &Scenario, m: &Material) -> Self {
        let server = Config::new_minimal();
        server.set_cipher_preferences(sc.policy).unwrap();
        let mut ck = CertChainAndKey::new();
        ck.load_pem(&m.chain_pem, &m.key_pem).unwrap();
        server
            .add_cert_chain_and_key(ck.certified_key().unwrap())
            .unwrap();
        let client = Config::new_minimal();
        client.set_cipher_preferences(sc.policy).unwrap();
        client.add_pem_to_trust_store(&m.ca_pem).unwrap();
        match sc.resume {
            Resume::None => {}
            Resume::Ticket => {
                server.set_session_tickets(true).unwrap();
                server.add_ticket_key(b"bench key", &random32(), 0).unwrap();
                client.set_session_tickets(true).unwrap();
            }
            Resume::SessionId => {
                server.add_ticket_key(b"bench key", &random32(), 0).unwrap();
                server
                    .set_session_cache(Some(Arc::new(MapCache::default())))
                    .unwrap();
            }
        }
        Rs2n {
            server: Arc::new(server),
            client: Arc::new(client),
            resume: sc.resume,
            session: None,
        }
    }

    /// One client+server pair; returns (resumed, s2n version).
    pub fn pair(&mut self) -> (bool, i32) {
        let (s_end, c_end) = pipe();
        let mut s = Connection::new(Mode::Server);
        s.set_config(self.server.clone()).unwrap();
        s.set_recv(Box::new(s_end.clone()));
        s.set_send(Box::new(s_end));
        let mut c = Connection::new(Mode::Client);
        c.set_config(self.client.clone()).unwrap();
        c.set_server_name(SERVER_NAME).unwrap();
        c.set_recv(Box::new(c_end.clone()));
        c.set_send(Box::new(c_end));
        if let Some(bytes) = &self.session {
            c.set_session(bytes).unwrap();
        }
        let mut done = false;
        for _ in 0..100 {
            let cr = c.negotiate();
            let sr = s.negotiate();
            match (&cr, &sr) {
                (Ok(()), Ok(())) => {
                    done = true;
                    break;
                }
                (Err(e), _) if !e.is_blocked() => panic!("rs2n client: {e:?}"),
                (_, Err(e)) if !e.is_blocked() => panic!("rs2n server: {e:?}"),
                _ => {}
            }
        }
        assert!(done, "rs2n: the handshake did not finish");
        // What the server sent after the handshake (TLS1.3 tickets).
        let mut buf = [0u8; 64];
        match c.recv(&mut buf) {
            Err(e) if e.is_blocked() => {}
            other => panic!("rs2n client recv: {other:?}"),
        }
        if self.resume != Resume::None {
            if let Some(info) = c.session() {
                self.session = Some(info.bytes);
            }
        }
        let out = (c.is_resumed(), c.actual_protocol_version());
        drop(c);
        drop(s);
        out
    }
}
