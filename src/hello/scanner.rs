//! What a TLS1.2 client reads of the server's cleartext flight that rustls does
//! not expose: the NewSessionTicket (lifetime hint and ticket) and the cipher suite. Scanning stops as soon as it
//! cannot matter any more, and holds at most one ServerHello or NewSessionTicket.

use std::borrow::Cow;

use super::parse;
use super::reader::HandshakeReader;

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
}

impl Tls12TicketScanner {
    /// Feeds what the client receives. Stops for good at the first record that is
    /// not a handshake record (ChangeCipherSpec: what follows is encrypted), at a
    /// ServerHello that selects TLS1.3 (the rest of its handshake is encrypted), or
    /// at malformed bytes (rustls reports those).
    pub fn feed(&mut self, mut bytes: &[u8]) {
        let wanted = |t| t == SERVER_HELLO || t == NEW_SESSION_TICKET;
        while !self.done {
            let msg = match self.reader.next_message(&mut bytes, wanted) {
                Ok(Some(msg)) => msg,
                Ok(None) => return,
                Err(_) => break,
            };
            match msg.typ {
                SERVER_HELLO => {
                    self.done = parse::selects_tls13(&msg.body);
                    // legacy_version (2), random (32), session_id<0..32>, cipher_suite (2)
                    let id_len = msg.body.get(34).map_or(0, |l| usize::from(*l));
                    if let Some(suite) = msg.body.get(35 + id_len..37 + id_len) {
                        self.suite = Some([suite[0], suite[1]]);
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
