//! The PSK a TLS1.3 handshake used, as both sides' hellos show it: the client's
//! offered identities (its pre_shared_key) and the index the server selected
//! (the ServerHello's pre_shared_key). rs2n's PSKs are resumption tickets, so
//! the identity is the ticket the client offered.

use super::Connection;
use crate::policy;

impl Connection {
    /// The identities the client offered, in its order (a server's view of the
    /// ClientHello it read, or a client's of the one it sent).
    pub fn offered_psk_identities(&self) -> &[Vec<u8>] {
        self.hello_info
            .as_ref()
            .map_or(&[], |h| h.psk_identities.as_slice())
    }

    /// The identity of the PSK the handshake uses: known once the ServerHello is
    /// written (server) or read (client); `None` for a full handshake and TLS1.2.
    /// After a HelloRetryRequest (whose ServerHello rs2n does not read), a
    /// resumed connection whose client offered one identity reports that one.
    pub fn negotiated_psk_identity(&self) -> Option<&[u8]> {
        let server_hello = self.server_hello_info.as_ref()?;
        if server_hello.max_version < policy::S2N_TLS13 {
            return None;
        }
        let offered = self.offered_psk_identities();
        match server_hello.selected_psk {
            Some(i) => offered.get(usize::from(i)).map(Vec::as_slice),
            None if self.is_resumed() && offered.len() == 1 => Some(&offered[0]),
            None => None,
        }
    }
}
