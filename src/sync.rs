//! Locks, with one rule for a lock poisoned by a panic: take it anyway.
//!
//! rs2n's critical sections leave their data whole at every point that can panic
//! (a config change is made on a copy and swapped in; per-connection resumption
//! state changes field by field), and the panic itself is reported by the C
//! boundary as `S2N_ERR_T_INTERNAL` on the call that panicked. So the object stays
//! usable afterwards, as s2n's error model promises, instead of failing forever.
//! Every lock in the crate goes through these functions.

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, TryLockError};

/// Locks `m`, waiting for it.
pub fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Locks `m` if it is free; `None` if another holder has it.
pub fn try_lock<T: ?Sized>(m: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    match m.try_lock() {
        Ok(g) => Some(g),
        Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// Reads `l`, waiting for writers.
pub fn read<T: ?Sized>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

/// Writes `l`, waiting for readers and writers.
pub fn write<T: ?Sized>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    #[test]
    fn poisoned_locks_are_taken_anyway() {
        let m = Mutex::new(1);
        let l = RwLock::new(1);
        let _ = catch_unwind(AssertUnwindSafe(|| {
            let _g = m.lock().unwrap();
            let _w = l.write().unwrap();
            panic!("poison both");
        }));
        assert!(m.is_poisoned() && l.is_poisoned());
        *lock(&m) += 1;
        assert_eq!(*try_lock(&m).unwrap(), 2);
        *write(&l) += 1;
        assert_eq!(*read(&l), 2);
    }

    #[test]
    fn try_lock_reports_a_held_lock() {
        let m = Mutex::new(());
        let _held = lock(&m);
        assert!(try_lock(&m).is_none());
    }
}
