//! One connection's ticket issuer and reader: rustls' `ProducesTickets`, over the
//! config's key store, with what s2n decides per connection: the keying-material
//! lifetime, the lifetime hint of each ticket, no fresh TLS1.2 ticket on a TLS1.2
//! resumption (unless its key is past encrypting), and forward secrecy on demand.
//!
//! Inside the seal a ticket carries a small header of ours before rustls' own
//! session encoding:
//!
//! ```text
//! issued at (u64 seconds) | keying material expires at (u64 seconds) | rustls session
//! ```

use std::sync::{Arc, Mutex, MutexGuard};

use rustls::server::ProducesTickets;
use zeroize::Zeroizing;

use super::seal::{self, Domain};
use super::ticket_keys::TicketKeyStore;
use crate::clock::SharedClock;
use crate::sync;

const NANOS: u64 = 1_000_000_000;
/// RFC 8446 4.6.1: no ticket lifetime above 7 days.
pub(crate) const MAX_TICKET_LIFETIME_SECS: u64 = 7 * 24 * 3600;
/// s2n's default keying-material lifetime: one week.
pub(crate) const DEFAULT_KEYING_MATERIAL_LIFETIME_SECS: u32 = 7 * 24 * 3600;
const HEADER_LEN: usize = 16;

/// The protocol version inside rustls' session encoding (`ServerSessionValue`):
/// an SNI option, then the version. Pinned by a test against the locked rustls.
pub fn session_version(plain: &[u8]) -> Option<u16> {
    let at = match *plain.first()? {
        0 => 1,
        1 => 2 + usize::from(*plain.get(1)?),
        _ => return None,
    };
    Some(u16::from_be_bytes([*plain.get(at)?, *plain.get(at + 1)?]))
}

const TLS12: u16 = 0x0303;

#[derive(Debug)]
struct State {
    keying_material_lifetime_secs: u32,
    /// From a ticket this connection resumed: when its keying material expires,
    /// and whether its key had stopped encrypting.
    resumed: Option<(u64, bool)>,
    lifetime_secs: u32,
    tickets_issued: u16,
    tls12_ticket_issued: bool,
    /// A TLS1.2 ticket opened ahead of rustls, and what it held (see `preview_tls12`).
    previewed: Option<(Vec<u8>, Option<Opened>)>,
    /// This TLS1.2 resumption issues no ticket: rustls is told tickets are off, so it
    /// neither acknowledges the extension nor sends an empty NewSessionTicket.
    no_tls12_ticket: bool,
}

/// What a ticket held, once opened and checked. `plain` is rustls' session
/// encoding, master secret included: wiped on drop, never printed.
struct Opened {
    plain: Zeroizing<Vec<u8>>,
    km_expiry: u64,
    decrypt_only: bool,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("km_expiry", &self.km_expiry)
            .field("decrypt_only", &self.decrypt_only)
            .finish_non_exhaustive()
    }
}

/// A connection's ticketer. Cheap to make: an `Arc` of the key store and a mutex.
#[derive(Debug)]
pub struct ConnTicketer {
    keys: Arc<TicketKeyStore>,
    clock: SharedClock,
    require_forward_secrecy: bool,
    state: Mutex<State>,
}

impl ConnTicketer {
    pub fn new(
        keys: Arc<TicketKeyStore>,
        clock: SharedClock,
        require_forward_secrecy: bool,
    ) -> Self {
        ConnTicketer {
            keys,
            clock,
            require_forward_secrecy,
            state: Mutex::new(State {
                keying_material_lifetime_secs: DEFAULT_KEYING_MATERIAL_LIFETIME_SECS,
                resumed: None,
                lifetime_secs: 0,
                tickets_issued: 0,
                tls12_ticket_issued: false,
                previewed: None,
                no_tls12_ticket: false,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        sync::lock(&self.state)
    }

    fn now(&self) -> Option<u64> {
        self.clock.now_nanos().ok()
    }

    pub fn set_keying_material_lifetime(&self, secs: u32) {
        self.state().keying_material_lifetime_secs = secs;
    }

    pub fn tickets_issued(&self) -> u16 {
        self.state().tickets_issued
    }

    /// Opens the TLS1.2 ticket a ClientHello offers before rustls sees it. rustls
    /// decides whether to send a NewSessionTicket before it opens the ticket; s2n
    /// sends none on a TLS1.2 resumption (unless the ticket's key stopped
    /// encrypting), so when the ticket will resume without a new one, rustls is told
    /// tickets are off for this connection. rustls still resumes: it calls
    /// `decrypt`, which returns what was opened here.
    pub fn preview_tls12(&self, ticket: &[u8]) {
        let opened = self.open(ticket);
        let mut state = self.state();
        state.no_tls12_ticket = opened
            .as_ref()
            .is_some_and(|o| !o.decrypt_only && session_version(&o.plain) == Some(TLS12));
        state.previewed = Some((ticket.to_vec(), opened));
    }

    fn open(&self, ticket: &[u8]) -> Option<Opened> {
        let now = self.now()?;
        let (key, decrypt_only) = self.keys.decryption_key(seal::key_name(ticket)?, now)?;
        let mut plain = seal::open(key.seal_key(), Domain::Ticket, ticket)?;
        if plain.len() < HEADER_LEN {
            return None;
        }
        let issued = u64::from_be_bytes(plain[0..8].try_into().ok()?);
        let km_expiry = u64::from_be_bytes(plain[8..16].try_into().ok()?);
        // In place: no second copy of the secret (and the freed tail is wiped too).
        plain.drain(..HEADER_LEN);
        let now_secs = now / NANOS;
        let lifetimes = self.keys.lifetimes();
        if now_secs.saturating_sub(issued) > lifetimes.session_state / NANOS {
            return None;
        }
        let tls12 = session_version(&plain)? == TLS12;
        if tls12 && self.require_forward_secrecy {
            return None;
        }
        if !tls12 && now_secs >= km_expiry {
            return None;
        }
        Some(Opened {
            plain,
            km_expiry,
            decrypt_only,
        })
    }

    /// Whether a TLS1.2 NewSessionTicket carried a real ticket.
    pub fn tls12_ticket_issued(&self) -> bool {
        self.state().tls12_ticket_issued
    }
}

impl ProducesTickets for ConnTicketer {
    fn enabled(&self) -> bool {
        !self.state().no_tls12_ticket
    }

    /// The lifetime hint of the ticket `encrypt` just made (rustls asks right after).
    fn lifetime(&self) -> u32 {
        self.state().lifetime_secs
    }

    fn encrypt(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let tls12 = session_version(plain)? == TLS12;
        let now = self.now()?;
        let now_secs = now / NANOS;
        let mut state = self.state();
        if tls12 {
            if self.require_forward_secrecy {
                return None;
            }
            // A TLS1.2 resumption keeps its ticket unless that ticket's key is
            // past encrypting, as in s2n.
            if let Some((_, decrypt_only)) = state.resumed {
                if !decrypt_only {
                    return None;
                }
            }
        }
        let key = self.keys.encryption_key(now)?;
        let lifetimes = self.keys.lifetimes();
        let key_left = key.expires_at(&lifetimes).saturating_sub(now) / NANOS;
        let mut lifetime = key_left
            .min(lifetimes.session_state / NANOS)
            .min(MAX_TICKET_LIFETIME_SECS);
        // Keying material: TLS1.3 sessions descended from one full handshake stop
        // resuming when it runs out; TLS1.2 is bounded by the key's life instead.
        let mut km_expiry = now_secs.saturating_add(u64::from(state.keying_material_lifetime_secs));
        if !tls12 {
            if let Some((inherited, _)) = state.resumed {
                km_expiry = km_expiry.min(inherited);
            }
            lifetime = lifetime.min(km_expiry.saturating_sub(now_secs));
        }
        if lifetime == 0 {
            return None;
        }
        // Exact capacity: never reallocated, so the one copy is the one wiped.
        let mut inner = Zeroizing::new(Vec::with_capacity(HEADER_LEN + plain.len()));
        inner.extend_from_slice(&now_secs.to_be_bytes());
        inner.extend_from_slice(&km_expiry.to_be_bytes());
        inner.extend_from_slice(plain);
        let sealed = seal::seal(key.seal_key(), Domain::Ticket, &inner)?;
        state.lifetime_secs = lifetime as u32;
        state.tickets_issued = state.tickets_issued.saturating_add(1);
        state.tls12_ticket_issued |= tls12;
        Some(sealed)
    }

    /// rustls takes ownership of the session encoding returned here (what it does
    /// with it is rustls' business); the Vec is moved out, not copied, so no copy
    /// of ours is left unwiped.
    fn decrypt(&self, ticket: &[u8]) -> Option<Vec<u8>> {
        let previewed = match self.state().previewed.take() {
            Some((t, opened)) if t == ticket => Some(opened),
            _ => None,
        };
        let mut opened = match previewed {
            Some(opened) => opened?,
            None => self.open(ticket)?,
        };
        self.state().resumed = Some((opened.km_expiry, opened.decrypt_only));
        Some(std::mem::take(&mut *opened.plain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::testing::FakeClock;

    const T0: u64 = 1_000_000;

    fn fixture() -> (Arc<TicketKeyStore>, Arc<FakeClock>) {
        let keys = Arc::new(TicketKeyStore::default());
        let clock = Arc::new(FakeClock::default());
        clock.set_secs(T0);
        keys.add(b"k", b"material", 0, T0 * NANOS).unwrap();
        (keys, clock)
    }

    /// A fake rustls session encoding: no SNI, then the version.
    fn plain(version: u16) -> Vec<u8> {
        let mut p = vec![0];
        p.extend(version.to_be_bytes());
        p.extend([7; 40]);
        p
    }

    /// A TLS1.2 ticket from a fresh connection.
    fn tls12_ticket(keys: &Arc<TicketKeyStore>, clock: &Arc<FakeClock>) -> Vec<u8> {
        ConnTicketer::new(keys.clone(), clock.clone(), false)
            .encrypt(&plain(0x0303))
            .unwrap()
    }

    #[test]
    fn version_is_read_with_and_without_sni() {
        assert_eq!(session_version(&plain(0x0304)), Some(0x0304));
        assert_eq!(
            session_version(&[1, 3, b'a', b'b', b'c', 3, 3]),
            Some(0x0303)
        );
        assert_eq!(session_version(&[2]), None);
        assert_eq!(session_version(&[]), None);
    }

    #[test]
    fn hint_is_the_least_of_key_state_and_keying_material() {
        let (keys, clock) = fixture();
        let t = ConnTicketer::new(keys.clone(), clock.clone(), false);
        t.encrypt(&plain(0x0304)).unwrap();
        // key: 2h + 13h left; session state 15h; keying material 1 week; cap 7 days.
        assert_eq!(t.lifetime(), 15 * 3600);
        t.set_keying_material_lifetime(600);
        t.encrypt(&plain(0x0304)).unwrap();
        assert_eq!(t.lifetime(), 600);
        // TLS1.2 ignores the keying-material lifetime.
        t.encrypt(&plain(0x0303)).unwrap();
        assert_eq!(t.lifetime(), 15 * 3600);
        assert_eq!(t.tickets_issued(), 3);
        clock.set_secs(T0 + 14 * 3600);
        keys.add(b"k2", b"material 2", 0, (T0 + 14 * 3600) * NANOS)
            .unwrap();
        t.encrypt(&plain(0x0304)).unwrap();
        assert!(t.lifetime() <= 600);
    }

    #[test]
    fn tickets_round_trip_and_respect_session_state_lifetime() {
        let (keys, clock) = fixture();
        let issuer = ConnTicketer::new(keys.clone(), clock.clone(), false);
        let ticket = issuer.encrypt(&plain(0x0304)).unwrap();
        let reader = ConnTicketer::new(keys.clone(), clock.clone(), false);
        assert_eq!(reader.decrypt(&ticket).unwrap(), plain(0x0304));
        clock.set_secs(T0 + 15 * 3600 + 1);
        let late = ConnTicketer::new(keys, clock, false);
        assert!(late.decrypt(&ticket).is_none());
    }

    #[test]
    fn keying_material_runs_out_through_resumptions() {
        let (keys, clock) = fixture();
        let first = ConnTicketer::new(keys.clone(), clock.clone(), false);
        first.set_keying_material_lifetime(100);
        let t1 = first.encrypt(&plain(0x0304)).unwrap();
        clock.set_secs(T0 + 60);
        let second = ConnTicketer::new(keys.clone(), clock.clone(), false);
        second.set_keying_material_lifetime(100);
        second.decrypt(&t1).unwrap();
        let t2 = second.encrypt(&plain(0x0304)).unwrap();
        assert_eq!(
            second.lifetime(),
            40,
            "inherits the first handshake's expiry"
        );
        clock.set_secs(T0 + 100);
        assert!(ConnTicketer::new(keys, clock, false).decrypt(&t2).is_none());
    }

    #[test]
    fn tls12_resumption_issues_no_ticket_unless_key_is_decrypt_only() {
        let (keys, clock) = fixture();
        let ticket = tls12_ticket(&keys, &clock);
        let resumed = ConnTicketer::new(keys.clone(), clock.clone(), false);
        resumed.decrypt(&ticket).unwrap();
        assert!(resumed.encrypt(&plain(0x0303)).is_none());

        clock.set_secs(T0 + 3 * 3600);
        keys.add(b"k2", b"material 2", 0, (T0 + 3 * 3600) * NANOS)
            .unwrap();
        let resumed = ConnTicketer::new(keys.clone(), clock.clone(), false);
        resumed.decrypt(&ticket).unwrap();
        let fresh = resumed.encrypt(&plain(0x0303)).unwrap();
        assert_eq!(&seal::key_name(&fresh).unwrap()[..2], b"k2");
    }

    #[test]
    fn a_previewed_tls12_resumption_turns_tickets_off_and_still_resumes() {
        let (keys, clock) = fixture();
        let ticket = tls12_ticket(&keys, &clock);
        let resumed = ConnTicketer::new(keys.clone(), clock.clone(), false);
        assert!(resumed.enabled());
        resumed.preview_tls12(&ticket);
        assert!(
            !resumed.enabled(),
            "no NewSessionTicket for this resumption"
        );
        assert_eq!(resumed.decrypt(&ticket).unwrap(), plain(0x0303));
        // A bad ticket previews as nothing and leaves tickets on.
        let fresh = ConnTicketer::new(keys, clock, false);
        fresh.preview_tls12(b"garbage");
        assert!(fresh.enabled());
        assert!(fresh.decrypt(b"garbage").is_none());
    }

    #[test]
    fn forward_secrecy_refuses_tls12_tickets_both_ways() {
        let (keys, clock) = fixture();
        let lax = ConnTicketer::new(keys.clone(), clock.clone(), false);
        let tls12 = lax.encrypt(&plain(0x0303)).unwrap();
        let strict = ConnTicketer::new(keys, clock, true);
        assert!(strict.encrypt(&plain(0x0303)).is_none());
        assert!(strict.decrypt(&tls12).is_none());
        assert!(strict.encrypt(&plain(0x0304)).is_some());
    }

    #[test]
    fn no_key_no_ticket_and_garbage_is_ignored() {
        let keys = Arc::new(TicketKeyStore::default());
        let clock = Arc::new(FakeClock::default());
        clock.set_secs(T0);
        let t = ConnTicketer::new(keys, clock, false);
        assert!(t.encrypt(&plain(0x0304)).is_none());
        assert!(t.decrypt(b"").is_none());
        assert!(t.decrypt(&[1; 100]).is_none());
    }

    #[test]
    fn debug_never_shows_an_opened_session() {
        let (keys, clock) = fixture();
        let ticket = tls12_ticket(&keys, &clock);
        let t = ConnTicketer::new(keys, clock, false);
        t.preview_tls12(&ticket);
        let shown = format!("{t:?}");
        assert!(shown.contains("decrypt_only: false"), "previewed: {shown}");
        let secret = format!("{:?}", [7u8; 40]);
        assert!(
            !shown.contains(&secret[1..secret.len() - 1]),
            "the session shows: {shown}"
        );
        assert_eq!(t.decrypt(&ticket).unwrap(), plain(0x0303));
    }
}
