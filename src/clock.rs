//! Clocks: the wall clock (ticket and certificate validity) and the monotonic clock,
//! both replaceable by the application, as `s2n_config_set_wall_clock` allows.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use once_cell::sync::Lazy;
use rustls::pki_types::UnixTime;

use crate::error::{Error, ErrorCode, Result};

/// A source of nanoseconds. The wall clock counts from the Unix epoch; the
/// monotonic clock from any fixed point.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_nanos(&self) -> Result<u64>;
}

/// The system's real-time clock.
#[derive(Debug, Default)]
pub struct SystemWallClock;

impl Clock for SystemWallClock {
    fn now_nanos(&self) -> Result<u64> {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::new(ErrorCode::Internal, "the system clock is before 1970"))?;
        Ok(since.as_nanos() as u64)
    }
}

/// The system's monotonic clock.
#[derive(Debug, Default)]
pub struct SystemMonotonicClock;

static MONOTONIC_ORIGIN: Lazy<Instant> = Lazy::new(Instant::now);

impl Clock for SystemMonotonicClock {
    fn now_nanos(&self) -> Result<u64> {
        Ok(MONOTONIC_ORIGIN.elapsed().as_nanos() as u64)
    }
}

pub type SharedClock = Arc<dyn Clock>;

/// Feeds a wall clock to rustls (certificate validity, ticket ages).
#[derive(Debug)]
pub struct WallTimeProvider(pub SharedClock);

impl rustls::time_provider::TimeProvider for WallTimeProvider {
    fn current_time(&self) -> Option<UnixTime> {
        let nanos = self.0.now_nanos().ok()?;
        Some(UnixTime::since_unix_epoch(Duration::from_nanos(nanos)))
    }
}

#[cfg(test)]
pub mod testing {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A clock tests set by hand.
    #[derive(Debug, Default)]
    pub struct FakeClock(pub AtomicU64);

    impl FakeClock {
        pub fn set_secs(&self, secs: u64) {
            self.0.store(secs * 1_000_000_000, Ordering::SeqCst);
        }
    }

    impl Clock for FakeClock {
        fn now_nanos(&self) -> Result<u64> {
            Ok(self.0.load(Ordering::SeqCst))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::time_provider::TimeProvider;

    #[test]
    fn wall_time_provider_follows_its_clock() {
        let fake = Arc::new(testing::FakeClock::default());
        fake.set_secs(1_000);
        let provider = WallTimeProvider(fake.clone());
        assert_eq!(provider.current_time().unwrap().as_secs(), 1_000);
        fake.set_secs(2_000);
        assert_eq!(provider.current_time().unwrap().as_secs(), 2_000);
    }

    #[test]
    fn system_clocks_advance() {
        let a = SystemMonotonicClock.now_nanos().unwrap();
        let b = SystemMonotonicClock.now_nanos().unwrap();
        assert!(b >= a);
        assert!(SystemWallClock.now_nanos().unwrap() > 1_600_000_000 * 1_000_000_000);
    }
}
