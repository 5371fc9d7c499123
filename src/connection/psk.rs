//! The PSK a TLS1.3 handshake used, as both sides' hellos show it: the client's
//! offered identities (its pre_shared_key) and the index the server selected
//! (the ServerHello's pre_shared_key). rs2n's PSKs are resumption tickets, so
//! the identity is the ticket the client offered.

use super::Connection;
use crate::hello::PskIdentities;
use crate::policy;

impl Connection {
    /// The identities the client offered, in its order (a server's view of the
    /// ClientHello it read, or a client's of the one it sent).
    pub fn offered_psk_identities(&self) -> &PskIdentities {
        self.hello_info
            .as_ref()
            .map_or(PskIdentities::none(), |h| &h.psk_identities)
    }

    /// The identity of the PSK the handshake uses: known once the ServerHello is
    /// written (server) or read (client); `None` for a full handshake and TLS1.2.
    /// After a HelloRetryRequest (whose ServerHello rs2n does not read), a
    /// resumed connection whose client offered one identity reports that one.
    /// Inside a server's early-data callback, the identity its early data came
    /// with (the first offered: early data needs it).
    pub fn negotiated_psk_identity(&self) -> Option<&[u8]> {
        if let Some(id) = self.deciding_psk_identity() {
            return Some(id);
        }
        let server_hello = self.server_hello_info.as_ref()?;
        if server_hello.max_version < policy::S2N_TLS13 {
            return None;
        }
        let offered = self.offered_psk_identities();
        match server_hello.selected_psk {
            Some(i) => offered.get(usize::from(i)),
            None if self.is_resumed() && offered.len() == 1 => offered.first(),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::super::testing::{client_config, handshake, pair, server_config};
    use super::super::Connection;
    use crate::config::Config;

    fn configs(policy: &str) -> (Arc<Config>, Arc<Config>) {
        let server = server_config(policy);
        server.set_session_tickets(true).unwrap();
        server
            .add_ticket_key(b"psk-key", b"psk key material", 0)
            .unwrap();
        let client = client_config(policy);
        client.set_session_tickets(true).unwrap();
        (server, client)
    }

    fn connect(
        server: &Arc<Config>,
        client: &Arc<Config>,
        session: Option<&[u8]>,
    ) -> (Connection, Connection) {
        let (mut s, mut c, _, _) = pair(server.clone(), client.clone());
        if let Some(bytes) = session {
            c.set_session(bytes).unwrap();
        }
        assert!(
            s.negotiated_psk_identity().is_none(),
            "nothing before the hellos"
        );
        handshake(&mut s, &mut c).unwrap();
        assert!(c.recv(&mut [0u8; 16]).unwrap_err().is_blocked());
        (s, c)
    }

    #[test]
    fn a_tls13_resumption_reports_the_ticket_the_client_offered_on_both_sides() {
        let (server, client) = configs("default_tls13");
        let (s, c) = connect(&server, &client, None);
        assert!(!s.is_resumed());
        assert_eq!(
            (s.negotiated_psk_identity(), c.negotiated_psk_identity()),
            (None, None)
        );
        assert!(s.offered_psk_identities().is_empty());

        let session = c.session().unwrap().bytes;
        let (s, c) = connect(&server, &client, Some(&session));
        assert!(s.is_resumed());
        let offered = s.offered_psk_identities();
        assert_eq!(offered.len(), 1, "rustls offers one ticket");
        assert_eq!(
            c.offered_psk_identities(),
            offered,
            "what the client sent is what the server read"
        );
        assert_eq!(s.negotiated_psk_identity(), offered.first());
        assert_eq!(c.negotiated_psk_identity(), offered.first());
    }

    #[test]
    fn tls12_resumption_uses_no_psk() {
        let (server, client) = configs("20240501");
        let (_, c) = connect(&server, &client, None);
        let (s, c) = connect(&server, &client, Some(&c.session().unwrap().bytes));
        assert!(s.is_resumed());
        assert_eq!(
            (s.negotiated_psk_identity(), c.negotiated_psk_identity()),
            (None, None)
        );
    }
}
