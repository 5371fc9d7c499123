//! A TLS1.3 session line: the tickets that one set of client session bytes offers
//! (see [`super::client_session`]), and what rustls shows of a ticket.

use std::collections::VecDeque;

use rustls::client::Tls13ClientSessionValue;

/// Tickets a TLS1.3 line keeps at most.
pub(crate) const LINE_CAPACITY: usize = 8;

/// A TLS1.3 ticket in its line.
pub(super) struct Ticket {
    pub value: Tls13ClientSessionValue,
    /// Numbered within its line, so the connection that received it finds it.
    pub seq: u64,
    pub received_at_nanos: u64,
    /// The ticket and its lifetime, read from rustls once asked for (~4 µs).
    pub read: Option<(Vec<u8>, u32)>,
}

/// The tickets bytes of one TLS1.3 session line offer, oldest first.
#[derive(Default)]
pub(super) struct Line {
    pub tickets: VecDeque<Ticket>,
    next_seq: u64,
}

impl Line {
    /// Adds a ticket, pushing the oldest out past the capacity; its number.
    pub fn push(&mut self, value: Tls13ClientSessionValue, now_nanos: u64) -> u64 {
        if self.tickets.len() >= LINE_CAPACITY {
            self.tickets.pop_front();
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.tickets.push_back(Ticket {
            value,
            seq,
            received_at_nanos: now_nanos,
            read: None,
        });
        seq
    }

    /// The newest ticket not known to have expired; expired ones are dropped.
    pub fn take_newest(&mut self, now_secs: u64) -> Option<Tls13ClientSessionValue> {
        while let Some(t) = self.tickets.pop_back() {
            let lifetime = t.read.as_ref().map_or(0, |r| r.1);
            let age = now_secs.saturating_sub(t.received_at_nanos / 1_000_000_000);
            if lifetime == 0 || age <= u64::from(lifetime) {
                return Some(t.value);
            }
        }
        None
    }
}

/// Reads the ticket and the lifetime out of rustls' `Debug` form of a session, the
/// only place rustls shows them, piece by piece as the formatter writes, and stops
/// at the lifetime (the server's certificate chain after it costs ~15 µs more).
/// Pinned by tests against the locked rustls version.
#[derive(Default)]
struct DebugReader {
    state: ReadState,
    ticket: Vec<u8>,
    /// A hex digit waiting for its pair.
    half: Option<u8>,
    lifetime: Option<u32>,
}

#[derive(Default, PartialEq)]
enum ReadState {
    #[default]
    SeekTicket,
    TicketName,
    TicketHex,
    SeekLifetime,
    LifetimeName,
}

impl std::fmt::Write for DebugReader {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        match self.state {
            ReadState::SeekTicket if s == "ticket" => self.state = ReadState::TicketName,
            ReadState::TicketName => {
                self.state = match s {
                    ": " => ReadState::TicketHex,
                    _ => ReadState::SeekTicket,
                }
            }
            ReadState::TicketHex if !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
                for b in s.bytes() {
                    let nibble = (b as char).to_digit(16).unwrap_or(0) as u8;
                    match self.half.take() {
                        Some(high) => self.ticket.push(high << 4 | nibble),
                        None => self.half = Some(nibble),
                    }
                }
            }
            ReadState::TicketHex => self.state = ReadState::SeekLifetime,
            ReadState::SeekLifetime if s == "lifetime_secs" => self.state = ReadState::LifetimeName,
            ReadState::LifetimeName if s == ": " => {}
            ReadState::LifetimeName => {
                self.lifetime = s.parse().ok();
                return Err(std::fmt::Error); // all that is needed
            }
            _ => {}
        }
        Ok(())
    }
}

/// The ticket and lifetime of a rustls session (empty and 0 if unreadable).
pub(super) fn read_ticket(value: &dyn std::fmt::Debug) -> (Vec<u8>, u32) {
    let mut r = DebugReader::default();
    let _ = std::fmt::write(&mut r, format_args!("{value:?}"));
    match r.lifetime {
        Some(lifetime) if r.half.is_none() => (r.ticket, lifetime),
        _ => (Vec::new(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_debug_reader_reads_ticket_and_lifetime_however_the_pieces_come() {
        // Shaped like rustls' own types, read through Debug only.
        struct Hex(Vec<u8>);
        impl std::fmt::Debug for Hex {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
            }
        }
        #[allow(dead_code)]
        #[derive(Debug)]
        struct Common {
            ticket: Hex,
            epoch: u64,
            lifetime_secs: u32,
            server_cert_chain: &'static str,
        }
        #[allow(dead_code)]
        #[derive(Debug)]
        struct Value {
            suite: &'static str,
            age_add: u32,
            common: Common,
        }
        for ticket in [vec![0x02, 0x6d, 0x00, 0xff], Vec::new()] {
            let v = Value {
                suite: "ticket lifetime_secs",
                age_add: 77,
                common: Common {
                    ticket: Hex(ticket.clone()),
                    epoch: 5,
                    lifetime_secs: 7200,
                    server_cert_chain: "a very long chain",
                },
            };
            assert_eq!(read_ticket(&v), (ticket, 7200));
        }
        assert_eq!(read_ticket(&"no such fields"), (Vec::new(), 0));
    }
}
