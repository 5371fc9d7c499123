//! What a TLS1.2 client reads of the server's cleartext flight that rustls does
//! not expose: the NewSessionTicket's lifetime hint. Scanning stops as soon as it
//! cannot matter any more, and holds at most one ServerHello or NewSessionTicket.

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
    /// The last NewSessionTicket seen: its lifetime hint and whether it had a ticket.
    pub ticket: Option<(u32, bool)>,
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
                SERVER_HELLO => self.done = parse::selects_tls13(&msg.body),
                NEW_SESSION_TICKET => {
                    // uint32 lifetime_hint; opaque ticket<0..2^16-1>;
                    if let [a, b, c, d, e, f, ..] = msg.body[..] {
                        let lifetime = u32::from_be_bytes([a, b, c, d]);
                        self.ticket = Some((lifetime, u16::from_be_bytes([e, f]) > 0));
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
