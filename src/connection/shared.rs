//! A connection shared by the calls made on it: which calls may run at once, and
//! the lock that keeps rustls' state whole between them.
//!
//! As in s2n, one sending call (`s2n_send`, `s2n_sendv*`, `s2n_shutdown_send`) and
//! one receiving call (`s2n_recv`, `s2n_peek`, `s2n_peek_buffered`) may run at the
//! same time, from two threads; every other call has the connection to itself. Each call first marks the directions it uses as
//! busy (never waiting: a call whose direction is taken fails with
//! S2N_ERR_CONNECTION_IN_USE, as does a call made from inside one of the
//! connection's own callbacks on the same thread). Then:
//! - a call that has the connection to itself ([`Exclusive`]) holds the state lock
//!   throughout; no one else can be waiting for it;
//! - a sending or receiving call ([`SharedCall`]) holds it only for in-memory
//!   steps, never while it reads or writes the transport or while an application
//!   callback runs (the steps defer those callbacks until the lock is released).
//!   Records a receiving call must send (a key update reply, an alert) go out at
//!   once if the send direction is free, otherwise the sending call sends them
//!   before it returns.

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU8, Ordering::SeqCst};
use std::sync::{Mutex, MutexGuard};

use super::duplex::{self, Steps};
use super::receive;
use super::Connection;
use crate::error::{Error, ErrorCode, Result};
use crate::sync;

const SEND: u8 = 1;
const RECV: u8 = 2;
/// A call panicked: the next call fails the connection.
const PANICKED: u8 = 4;
/// A receiving call left records queued for the send direction's owner.
const OWED: u8 = 8;
/// A call let go of the connection to run an application callback that may use
/// it (see [`Exclusive::pin`]): it must not be freed or wiped meanwhile.
const PINNED: u8 = 16;

thread_local! {
    /// The connections this thread is in a call on, to refuse re-entry from a
    /// callback (which would otherwise wait for a lock its own thread holds).
    static INSIDE: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

/// Which direction a sending or receiving call uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    Send,
    Recv,
}

/// A connection (with whatever the caller keeps beside it, `S`) shared by the
/// calls made on it.
pub struct Shared<S> {
    state: Mutex<S>,
    busy: AtomicU8,
}

fn in_use() -> Error {
    Error::new(
        ErrorCode::InUse,
        "the connection is in use by another call (another thread, or a callback re-entering it)",
    )
}

/// The busy marks of one call, released when it ends.
struct Marks<'a> {
    busy: &'a AtomicU8,
    bits: u8,
    key: usize,
    /// The key is in this thread's `INSIDE` list.
    listed: bool,
}

impl<'a> Marks<'a> {
    fn claim(busy: &'a AtomicU8, bits: u8, key: usize) -> Result<Self> {
        // A call that marks both directions needs no list: a re-entry from one of
        // its callbacks finds them marked, and so does any call re-entering from
        // a call of this thread that holds either. Only a sending or receiving
        // call leaves a direction free, which its own callbacks must not take.
        let listed = bits & (SEND | RECV) != SEND | RECV;
        let reentry = listed
            && INSIDE
                .try_with(|inside| inside.borrow().contains(&key))
                .unwrap_or(false);
        if reentry || !try_mark(busy, bits) {
            return Err(in_use());
        }
        if listed {
            let _ = INSIDE.try_with(|inside| inside.borrow_mut().push(key));
        }
        Ok(Marks {
            busy,
            bits,
            key,
            listed,
        })
    }
}

impl Drop for Marks<'_> {
    fn drop(&mut self) {
        if self.listed {
            let _ = INSIDE.try_with(|inside| {
                let mut inside = inside.borrow_mut();
                if let Some(i) = inside.iter().rposition(|k| *k == self.key) {
                    inside.remove(i);
                }
            });
        }
        if std::thread::panicking() {
            self.busy.fetch_or(PANICKED, SeqCst);
        }
        self.busy.fetch_and(!self.bits, SeqCst);
    }
}

/// Sets `bits` if none of them is set.
fn try_mark(busy: &AtomicU8, bits: u8) -> bool {
    busy.fetch_update(SeqCst, SeqCst, |b| (b & bits == 0).then_some(b | bits))
        .is_ok()
}

impl<S: AsMut<Connection>> Shared<S> {
    #[inline(always)]
    pub fn new(state: S) -> Self {
        Shared {
            state: Mutex::new(state),
            busy: AtomicU8::new(0),
        }
    }

    /// The state, to a caller that owns the connection outright.
    pub fn get_mut(&mut self) -> &mut S {
        self.state.get_mut().unwrap_or_else(|p| p.into_inner())
    }

    fn key(&self) -> usize {
        self as *const Self as usize
    }

    /// The state, locked; after a call that panicked (reported then as an internal
    /// error) the connection has failed, as after any fatal error: it can be
    /// inspected, wiped or freed.
    fn lock_state(&self) -> MutexGuard<'_, S> {
        let poisoned = self.state.is_poisoned();
        let mut state = sync::lock(&self.state);
        // A call that panicked set the flag before it released its marks, which
        // this call then took: a plain load sees it; it is cleared only when set.
        let panicked = self.busy.load(SeqCst) & PANICKED != 0
            && self.busy.fetch_and(!PANICKED, SeqCst) & PANICKED != 0;
        if poisoned || panicked {
            self.state.clear_poison();
            state.as_mut().mark_failed(Error::new(
                ErrorCode::Internal,
                "an earlier call on this connection failed internally: wipe or free it",
            ));
        }
        state
    }

    /// Begins a call that has the connection to itself; refused while any other
    /// call runs on it.
    pub fn enter(&self) -> Result<Exclusive<'_, S>> {
        let marks = Marks::claim(&self.busy, SEND | RECV, self.key())?;
        Ok(Exclusive {
            state: self.lock_state(),
            _marks: marks,
        })
    }

    /// Checks that no call is running on the connection (before it is freed).
    pub fn ensure_idle(&self) -> Result<()> {
        Marks::claim(&self.busy, SEND | RECV | PINNED, self.key()).map(drop)
    }

    /// Begins a call that has the connection to itself and may reset it (wipe):
    /// refused also while a call has it pinned.
    pub fn enter_unpinned(&self) -> Result<Exclusive<'_, S>> {
        let marks = Marks::claim(&self.busy, SEND | RECV | PINNED, self.key())?;
        Ok(Exclusive {
            state: self.lock_state(),
            _marks: marks,
        })
    }

    /// Begins a sending or a receiving call; refused while a call using the same
    /// direction, or one that has the connection to itself, runs.
    pub fn call(&self, claim: Claim) -> Result<SharedCall<'_, S>> {
        let bits = match claim {
            Claim::Send => SEND,
            Claim::Recv => RECV,
        };
        let marks = Marks::claim(&self.busy, bits, self.key())?;
        Ok(SharedCall {
            shared: self,
            claim,
            marks,
            deferred_error: RefCell::new(None),
        })
    }
}

/// A call that has the connection to itself: the state, locked.
pub struct Exclusive<'a, S> {
    // Dropped first: the lock is released before the marks.
    state: MutexGuard<'a, S>,
    _marks: Marks<'a>,
}

impl<'a, S> Exclusive<'a, S> {
    /// Ends the call but keeps the connection from being freed or wiped until the
    /// returned pin is dropped: for an application callback that may use the
    /// connection (its getters, `s2n_async_pkey_op_apply`), where the connection
    /// must not be entered, while the caller still needs it afterwards.
    pub fn pin(self) -> Pin<'a> {
        let busy = self._marks.busy;
        busy.fetch_or(PINNED, SeqCst);
        drop(self);
        Pin { busy }
    }
}

/// See [`Exclusive::pin`].
pub struct Pin<'a> {
    busy: &'a AtomicU8,
}

impl Drop for Pin<'_> {
    fn drop(&mut self) {
        self.busy.fetch_and(!PINNED, SeqCst);
    }
}

impl<S> Deref for Exclusive<'_, S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.state
    }
}

impl<S> DerefMut for Exclusive<'_, S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.state
    }
}

/// A sending or receiving call in progress.
pub struct SharedCall<'a, S: AsMut<Connection>> {
    shared: &'a Shared<S>,
    claim: Claim,
    marks: Marks<'a>,
    /// A deferred callback's failure (it failed the connection), reported when the
    /// call returns.
    deferred_error: RefCell<Option<Error>>,
}

impl<S: AsMut<Connection>> SharedCall<'_, S> {
    fn finish<T>(&self, result: Result<T>) -> Result<T> {
        match self.deferred_error.borrow_mut().take() {
            Some(e) => Err(e),
            None => result,
        }
    }

    /// `s2n_send`; needs [`Claim::Send`].
    pub fn send(&self, buf: &[u8]) -> Result<usize> {
        self.expect(Claim::Send)?;
        self.finish(duplex::send_via(self, buf))
    }

    /// `s2n_sendv_with_offset`; needs [`Claim::Send`].
    pub fn send_vectored(&self, bufs: &[&[u8]], offset: usize) -> Result<usize> {
        self.expect(Claim::Send)?;
        self.finish(duplex::send_vectored_via(self, bufs, offset))
    }

    /// `s2n_shutdown_send`; needs [`Claim::Send`].
    pub fn shutdown_send(&self) -> Result<()> {
        self.expect(Claim::Send)?;
        self.finish(duplex::shutdown_send_via(self))
    }

    /// `s2n_recv`; needs [`Claim::Recv`].
    pub fn recv(&self, buf: &mut [u8]) -> Result<usize> {
        self.expect(Claim::Recv)?;
        self.finish(receive::recv_via(self, buf))
    }

    /// `s2n_peek` and `s2n_peek_buffered`: decrypted bytes waiting, and bytes read
    /// but not yet decrypted; needs [`Claim::Recv`] (it may overlap a send).
    pub fn peek(&self) -> Result<(usize, usize)> {
        self.expect(Claim::Recv)?;
        Ok(self.step(|c| (c.peek(), c.buffered_input())))
    }

    fn expect(&self, claim: Claim) -> Result<()> {
        if self.claim != claim {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("a {:?} call used the other direction", self.claim),
            ));
        }
        Ok(())
    }

    /// Releases the send direction; records a receiving call left for it are sent
    /// first by whoever can take it.
    fn release_send(&self) {
        let busy = &self.shared.busy;
        loop {
            busy.fetch_and(!SEND, SeqCst);
            if busy.load(SeqCst) & OWED == 0 || !try_mark(busy, SEND) {
                return;
            }
            busy.fetch_and(!OWED, SeqCst);
            // Nobody waits for the result: the peer's records owed a reply.
            let _ = duplex::flush_via(self);
        }
    }
}

impl<S: AsMut<Connection>> Steps for SharedCall<'_, S> {
    fn step<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        let (out, deferred) = {
            let mut state = self.shared.lock_state();
            let c = state.as_mut();
            c.deferring = true;
            let out = f(c);
            c.deferring = false;
            (out, c.take_deferred())
        };
        if let Err(e) = deferred.run(self) {
            self.deferred_error.borrow_mut().get_or_insert(e);
        }
        out
    }

    fn send_owed(&self, flush: impl FnOnce()) {
        let busy = &self.shared.busy;
        busy.fetch_or(OWED, SeqCst);
        if try_mark(busy, SEND) {
            busy.fetch_and(!OWED, SeqCst);
            flush();
            self.release_send();
        }
    }
}

impl<S: AsMut<Connection>> Drop for SharedCall<'_, S> {
    fn drop(&mut self) {
        if self.claim == Claim::Send && !std::thread::panicking() {
            // The marks come off after this; the send bit first, with what is owed.
            self.marks.bits &= !SEND;
            self.release_send();
        }
    }
}

impl AsMut<Connection> for Connection {
    fn as_mut(&mut self) -> &mut Connection {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn is_in_use<T>(r: Result<T>) -> bool {
        matches!(r, Err(e) if e.code == ErrorCode::InUse)
    }

    #[test]
    fn one_sender_and_one_receiver_and_nothing_else() {
        let shared = Shared::new(Connection::new(super::super::Mode::Server));
        let handle = &shared;
        std::thread::scope(|scope| {
            let send = handle.call(Claim::Send).unwrap();
            // Another thread may receive meanwhile, but not send or use the whole.
            scope
                .spawn(|| {
                    let recv = handle.call(Claim::Recv).unwrap();
                    assert!(is_in_use(handle.call(Claim::Send)));
                    drop(recv);
                    assert!(is_in_use(handle.enter()));
                    assert!(is_in_use(handle.ensure_idle()));
                })
                .join()
                .unwrap();
            drop(send);
        });
        let whole = shared.enter().unwrap();
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    assert!(is_in_use(shared.call(Claim::Recv)));
                    assert!(is_in_use(shared.call(Claim::Send)));
                })
                .join()
                .unwrap();
        });
        drop(whole);
        shared.ensure_idle().unwrap();
    }

    #[test]
    fn a_pinned_connection_can_be_used_but_not_freed_or_wiped() {
        let shared = Shared::new(Connection::new(super::super::Mode::Server));
        let pin = shared.enter().unwrap().pin();
        // The callback's thread (and any other) may use it...
        drop(shared.enter().unwrap());
        // ...but not free or wipe it.
        assert!(is_in_use(shared.ensure_idle()));
        assert!(is_in_use(shared.enter_unpinned()));
        drop(pin);
        shared.ensure_idle().unwrap();
        drop(shared.enter_unpinned().unwrap());
    }

    #[test]
    fn a_call_from_inside_a_call_on_the_same_thread_is_refused() {
        let shared = Shared::new(Connection::new(super::super::Mode::Client));
        let recv = shared.call(Claim::Recv).unwrap();
        // The send direction is free, but this thread is already inside a call (a
        // callback re-entering): waiting for the lock could deadlock.
        assert!(is_in_use(shared.call(Claim::Send)));
        drop(recv);
        let send = shared.call(Claim::Send).unwrap();
        assert!(is_in_use(shared.call(Claim::Recv)));
        drop(send);
        drop(shared.enter().unwrap());
    }

    #[test]
    fn inside_a_call_that_has_the_connection_every_call_of_its_thread_is_refused() {
        let shared = Shared::new(Connection::new(super::super::Mode::Client));
        for unpinned in [false, true] {
            let whole = match unpinned {
                false => shared.enter().unwrap(),
                true => shared.enter_unpinned().unwrap(),
            };
            assert!(is_in_use(shared.enter()));
            assert!(is_in_use(shared.enter_unpinned()));
            assert!(is_in_use(shared.ensure_idle()));
            assert!(is_in_use(shared.call(Claim::Send)));
            assert!(is_in_use(shared.call(Claim::Recv)));
            drop(whole);
        }
        // Nothing is left marked or listed.
        drop(shared.call(Claim::Send).unwrap());
        drop(shared.call(Claim::Recv).unwrap());
        shared.ensure_idle().unwrap();
    }

    #[test]
    fn an_alert_owed_while_another_call_sends_goes_out_when_it_ends() {
        let (s, mut c, _, b) = established("default_tls13");
        let mut buf = [0u8; 64];
        assert!(c.recv(&mut buf).unwrap_err().is_blocked(), "tickets read");
        // A record that does not decrypt: the server owes the client an alert.
        b.inject(&[
            23, 3, 3, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
        ]);
        let shared = Shared::new(s);
        let out_before = shared.enter().unwrap().wire_bytes_out();
        let sending = shared.call(Claim::Send).unwrap();
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let recv = shared.call(Claim::Recv).unwrap();
                    let e = recv.recv(&mut [0u8; 64]).unwrap_err();
                    assert!(!e.is_blocked(), "{e}");
                })
                .join()
                .unwrap();
        });
        // The receiver could not send it: the send direction was taken.
        assert!(c.recv(&mut buf).unwrap_err().is_blocked());
        drop(sending);
        assert!(
            shared.enter().unwrap().wire_bytes_out() > out_before,
            "sent when the sender left"
        );
        let e = c.recv(&mut buf).unwrap_err();
        assert!(c.alert().is_ok(), "the client got the alert: {e}");
    }

    #[test]
    fn a_key_update_from_the_peer_while_sharing() {
        let (s, mut c, _, _) = established("default_tls13");
        let mut buf = [0u8; 64];
        assert!(c.recv(&mut buf).unwrap_err().is_blocked(), "tickets read");
        c.tls.as_mut().unwrap().refresh_traffic_keys().unwrap();
        assert_eq!(c.send(b"rekeyed").unwrap(), 7);
        let shared = Shared::new(s);
        let recv = shared.call(Claim::Recv).unwrap();
        assert_eq!(recv.recv(&mut buf).unwrap(), 7);
        assert_eq!(&buf[..7], b"rekeyed");
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    // rustls answers the key update with the next data it sends.
                    let send = shared.call(Claim::Send).unwrap();
                    assert_eq!(send.send(b"after").unwrap(), 5);
                })
                .join()
                .unwrap();
        });
        drop(recv);
        assert_eq!(c.recv(&mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"after");
    }

    #[test]
    fn truncation_is_an_error_and_close_notify_the_end() {
        for graceful in [true, false] {
            let (s, mut c, _, b) = established("default_tls13");
            if graceful {
                c.shutdown_send().unwrap();
            }
            b.close();
            let shared = Shared::new(s);
            let recv = shared.call(Claim::Recv).unwrap();
            let mut buf = [0u8; 16];
            match recv.recv(&mut buf) {
                Ok(0) => assert!(graceful),
                Err(e) => assert!(!graceful && e.code == ErrorCode::Closed, "{e}"),
                Ok(n) => panic!("{n} bytes from nowhere"),
            }
        }
    }
}
