//! What a client reads of the server's cleartext flight that rustls does not
//! expose: the ServerHello's facts, and in TLS1.2 the NewSessionTicket (lifetime
//! hint and ticket) and the cipher suite. The flight is read once, for all of
//! them. Scanning stops as soon as it cannot matter any more, and holds at most
//! one ServerHello or NewSessionTicket.

use std::borrow::Cow;

use super::reader::HandshakeReader;
use super::{parse, HelloInfo};
use crate::policy;

const SERVER_HELLO: u8 = 2;
const NEW_SESSION_TICKET: u8 = 4;

/// Reads the server's cleartext handshake for a TLS1.2 NewSessionTicket (sent
/// just before ChangeCipherSpec).
#[derive(Debug, Default)]
pub struct Tls12TicketScanner {
    reader: HandshakeReader,
    done: bool,
    /// The last NewSessionTicket seen: its lifetime hint and ticket (maybe empty).
    pub ticket: Option<(u32, Vec<u8>)>,
    /// The cipher suite the ServerHello selected.
    pub suite: Option<[u8; 2]>,
    /// Whether a handshake message was read (the ServerHello must be the first).
    read_one: bool,
}

impl Tls12TicketScanner {
    /// Feeds what the client receives; returns the ServerHello's facts once, when
    /// it was read whole and valid as the first handshake message (otherwise
    /// never, and rustls refuses the flight). Stops for good at the first record
    /// that is not a handshake record (ChangeCipherSpec: what follows is
    /// encrypted), at a ServerHello that selects TLS1.3 (the rest of its handshake
    /// is encrypted), or at malformed bytes (rustls reports those).
    pub fn feed(&mut self, mut bytes: &[u8]) -> Option<HelloInfo> {
        let wanted = |t| t == SERVER_HELLO || t == NEW_SESSION_TICKET;
        let mut server_hello = None;
        while !self.done {
            let msg = match self.reader.next_message(&mut bytes, wanted) {
                Ok(Some(msg)) => msg,
                Ok(None) => return server_hello,
                Err(_) => break,
            };
            let first = !std::mem::replace(&mut self.read_one, true);
            match msg.typ {
                SERVER_HELLO => {
                    let info = parse::server_hello(&msg.body);
                    self.done = info
                        .as_ref()
                        .is_some_and(|h| h.max_version >= policy::S2N_TLS13);
                    // legacy_version (2), random (32), session_id<0..32>, cipher_suite (2)
                    let id_len = msg.body.get(34).map_or(0, |l| usize::from(*l));
                    if let Some(suite) = msg.body.get(35 + id_len..37 + id_len) {
                        self.suite = Some([suite[0], suite[1]]);
                    }
                    if first {
                        server_hello = info;
                    }
                }
                NEW_SESSION_TICKET => {
                    // uint32 lifetime_hint; opaque ticket<0..2^16-1>;
                    if let [a, b, c, d, e, f, ref rest @ ..] = msg.body[..] {
                        let lifetime = u32::from_be_bytes([a, b, c, d]);
                        let len = usize::from(u16::from_be_bytes([e, f])).min(rest.len());
                        let ticket = match msg.body {
                            Cow::Borrowed(body) => body[6..6 + len].to_vec(),
                            // A buffer the reader gathered becomes the ticket: no copy.
                            Cow::Owned(mut body) => {
                                body.truncate(6 + len);
                                body.drain(..6);
                                body
                            }
                        };
                        self.ticket = Some((lifetime, ticket));
                    }
                }
                _ => {}
            }
        }
        self.done = true;
        self.reader.release();
        server_hello
    }

    /// Whether scanning has stopped.
    pub fn done(&self) -> bool {
        self.done
    }

    /// Bytes examined so far (each input byte once).
    pub fn examined(&self) -> u64 {
        self.reader.examined()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{handshake, records};
    use super::*;

    /// A TLS1.2 ServerHello: session ID 5 6 7 8, suite 0xc02f, no extensions.
    fn tls12_server_hello() -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend([1u8; 32]);
        body.extend([4, 5, 6, 7, 8, 0xc0, 0x2f, 0]);
        handshake(SERVER_HELLO, &body)
    }

    #[test]
    fn the_server_hello_is_reported_once_however_the_bytes_arrive() {
        let wire = records(&tls12_server_hello(), 100);
        let whole = Tls12TicketScanner::default().feed(&wire).unwrap();
        assert_eq!(
            (&whole.session_id[..], whole.max_version),
            (&[5, 6, 7, 8][..], 33)
        );
        let mut s = Tls12TicketScanner::default();
        let infos: Vec<_> = wire.chunks(1).filter_map(|b| s.feed(b)).collect();
        assert_eq!(infos, [whole]);
        assert_eq!(s.suite, Some([0xc0, 0x2f]));
        assert!(!s.done(), "TLS1.2 goes on to the NewSessionTicket");
    }

    #[test]
    fn a_server_hello_after_another_message_is_not_reported() {
        // As the server's first message must be its hello (rustls refuses the flight).
        let mut wire = records(&handshake(0, &[]), 100);
        wire.extend(records(&tls12_server_hello(), 100));
        let mut s = Tls12TicketScanner::default();
        assert_eq!(s.feed(&wire), None);
        assert_eq!(s.suite, Some([0xc0, 0x2f]), "the flight is still scanned");
    }
}
