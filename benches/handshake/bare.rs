//! Bare rustls, the baseline: rustls' own `ServerConfig`/`ClientConfig` with
//! the suites and groups of rs2n's policy, built once per scenario, and one
//! client+server pair driven through `read_tls`/`write_tls` over the pipe.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::{NoServerSessionStorage, ServerSessionMemoryCache};
use rustls::{
    ClientConfig, ClientConnection, HandshakeKind, NamedGroup, RootCertStore, ServerConfig,
    ServerConnection,
};

use crate::fixtures::{Material, SERVER_NAME};
use crate::scenarios::{Resume, Scenario};
use crate::transport::pipe;

/// The ring provider with exactly the suites and groups of rs2n's policy.
fn bare_provider(policy: &str) -> Arc<CryptoProvider> {
    let p = rs2n::policy::lookup(policy).unwrap().provider();
    Arc::new(CryptoProvider {
        cipher_suites: p.cipher_suites.clone(),
        kx_groups: p.kx_groups.clone(),
        ..rustls::crypto::ring::default_provider()
    })
}

pub struct Bare {
    pub server: Arc<ServerConfig>,
    pub client: Arc<ClientConfig>,
    name: ServerName<'static>,
}

impl Bare {
    pub fn new(sc: &Scenario, m: &Material) -> Self {
        let policy = rs2n::policy::lookup(sc.policy).unwrap();
        let provider = bare_provider(sc.policy);
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&m.chain_pem)
            .collect::<Result<_, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_slice(&m.key_pem).unwrap();
        let mut server = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(policy.versions())
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        server.ignore_client_order = true;
        match sc.resume {
            Resume::None => {
                server.session_storage = Arc::new(NoServerSessionStorage {});
                server.send_tls13_tickets = 0;
            }
            Resume::Ticket => {
                server.session_storage = Arc::new(NoServerSessionStorage {});
                server.ticketer = rustls::crypto::ring::Ticketer::new().unwrap();
                server.send_tls13_tickets = 1;
            }
            Resume::SessionId => {
                server.session_storage = ServerSessionMemoryCache::new(256);
                server.send_tls13_tickets = 0;
            }
        }

        let mut roots = RootCertStore::empty();
        for ca in CertificateDer::pem_slice_iter(&m.ca_pem) {
            roots.add(ca.unwrap()).unwrap();
        }
        let mut client = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(policy.versions())
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        client.resumption = match sc.resume {
            Resume::None => rustls::client::Resumption::disabled(),
            Resume::Ticket => rustls::client::Resumption::in_memory_sessions(256)
                .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOrTickets),
            Resume::SessionId => rustls::client::Resumption::in_memory_sessions(256)
                .tls12_resumption(rustls::client::Tls12Resumption::SessionIdOnly),
        };
        Bare {
            server: Arc::new(server),
            client: Arc::new(client),
            name: ServerName::try_from(SERVER_NAME).unwrap(),
        }
    }

    /// One client+server pair; returns (resumed, version, kx group).
    pub fn pair(&self) -> (bool, rustls::ProtocolVersion, Option<NamedGroup>) {
        let (mut s_end, mut c_end) = pipe();
        let mut server = ServerConnection::new(self.server.clone()).unwrap();
        let mut client = ClientConnection::new(self.client.clone(), self.name.clone()).unwrap();
        for _ in 0..100 {
            while client.wants_write() {
                client.write_tls(&mut c_end).unwrap();
            }
            if s_end.readable() {
                while s_end.readable() {
                    server.read_tls(&mut s_end).unwrap();
                }
                server.process_new_packets().unwrap();
            }
            while server.wants_write() {
                server.write_tls(&mut s_end).unwrap();
            }
            if c_end.readable() {
                while c_end.readable() {
                    client.read_tls(&mut c_end).unwrap();
                }
                client.process_new_packets().unwrap();
            }
            if !client.is_handshaking()
                && !server.is_handshaking()
                && !client.wants_write()
                && !server.wants_write()
                && !c_end.readable()
                && !s_end.readable()
            {
                let resumed = client.handshake_kind() == Some(HandshakeKind::Resumed);
                let out = (
                    resumed,
                    client.protocol_version().unwrap(),
                    client.negotiated_key_exchange_group().map(|g| g.name()),
                );
                drop(client);
                drop(server);
                return out;
            }
        }
        panic!("bare rustls: the handshake did not finish");
    }
}
