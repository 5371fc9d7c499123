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
    /// The ticket's lifetime, read from rustls once asked for (~4 µs).
    pub lifetime: Option<u32>,
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
            lifetime: None,
        });
        seq
    }

    /// The newest ticket not known to have expired; expired ones are dropped.
    pub fn take_newest(&mut self, now_secs: u64) -> Option<Tls13ClientSessionValue> {
        while let Some(t) = self.tickets.pop_back() {
            let lifetime = t.lifetime.unwrap_or(0);
            let age = now_secs.saturating_sub(t.received_at_nanos / 1_000_000_000);
            if lifetime == 0 || age <= u64::from(lifetime) {
                return Some(t.value);
            }
        }
        None
    }
}

/// Reads a ticket's lifetime out of rustls' `Debug` form of a session, the only
/// place rustls shows it, piece by piece as the formatter writes, and stops there
/// (the server's certificate chain after it costs ~15 µs more). Pinned by tests
/// against the locked rustls version (rs2n's C tests read real lifetimes).
#[derive(Default)]
struct LifetimeReader {
    /// The field's name was written; its value comes after ": ".
    at_field: bool,
    lifetime: Option<u32>,
}

impl std::fmt::Write for LifetimeReader {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if !self.at_field {
            self.at_field = s == "lifetime_secs";
        } else if s != ": " {
            self.lifetime = s.parse().ok();
            return Err(std::fmt::Error); // all that is needed
        }
        Ok(())
    }
}

/// The lifetime of a rustls session's ticket (0 if unreadable).
pub(super) fn read_lifetime(value: &dyn std::fmt::Debug) -> u32 {
    let mut r = LifetimeReader::default();
    let _ = std::fmt::write(&mut r, format_args!("{value:?}"));
    r.lifetime.unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_finds_the_lifetime_after_the_ticket() {
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
            assert_eq!(read_lifetime(&v), 7200);
        }
        assert_eq!(read_lifetime(&"no such fields"), 0);
    }
}
