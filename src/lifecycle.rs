//! The library's lifecycle, as s2n-tls defines it: `s2n_init` once, some settings
//! only before it (memory callbacks, crypto init, the atexit handler), and
//! `s2n_cleanup_final`, after which the library is uninitialized and `s2n_init` may
//! run again.
//!
//! `begin_init`/`finish_init` leave the state unlocked while the application's
//! memory init callback runs between them (no lock is held across a callback).

use crate::error::{Error, ErrorCode, Result};

/// Where the library is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Stage {
    #[default]
    Uninitialized,
    /// `s2n_init` is running (the memory init callback).
    Initializing,
    Initialized,
    /// `s2n_cleanup_final` is running (the memory cleanup callback).
    CleaningUp,
}

/// The lifecycle state; one per process (the C layer keeps it).
#[derive(Debug, Default)]
pub struct Lifecycle {
    stage: Stage,
    /// `s2n_disable_atexit` was called (rs2n installs no handler either way).
    pub atexit_disabled: bool,
    /// `s2n_crypto_disable_init` was called (ring needs no init either way).
    pub crypto_init_disabled: bool,
}

fn already(what: &str) -> Error {
    Error::new(
        ErrorCode::Initialized,
        format!("{what} must be called before s2n_init()"),
    )
}

impl Lifecycle {
    pub const fn new() -> Self {
        Lifecycle {
            stage: Stage::Uninitialized,
            atexit_disabled: false,
            crypto_init_disabled: false,
        }
    }

    pub fn stage(&self) -> Stage {
        self.stage
    }

    pub fn is_initialized(&self) -> bool {
        self.stage == Stage::Initialized
    }

    /// Fails unless the library is still uninitialized: for the settings that
    /// must come before `s2n_init` (`what` names the function).
    pub fn before_init(&self, what: &str) -> Result<()> {
        match self.stage {
            Stage::Uninitialized => Ok(()),
            _ => Err(already(what)),
        }
    }

    /// Starts `s2n_init`: fails if it ran already (or is running).
    pub fn begin_init(&mut self) -> Result<()> {
        if self.stage != Stage::Uninitialized {
            return Err(Error::new(
                ErrorCode::Initialized,
                "s2n_init() was already called (call s2n_cleanup_final() first to initialize again)",
            ));
        }
        self.stage = Stage::Initializing;
        Ok(())
    }

    /// Ends `s2n_init`: initialized if its callback succeeded, else as before.
    pub fn finish_init(&mut self, ok: bool) {
        self.stage = if ok {
            Stage::Initialized
        } else {
            Stage::Uninitialized
        };
    }

    /// Starts `s2n_cleanup_final`: fails unless initialized.
    pub fn begin_cleanup(&mut self) -> Result<()> {
        if self.stage != Stage::Initialized {
            return Err(Error::new(
                ErrorCode::NotInitialized,
                "s2n_cleanup_final() needs an initialized library (s2n_init())",
            ));
        }
        self.stage = Stage::CleaningUp;
        Ok(())
    }

    /// Ends `s2n_cleanup_final`: uninitialized if its callback succeeded, else
    /// still initialized. The settings made before `s2n_init` stay, as in s2n-tls.
    pub fn finish_cleanup(&mut self, ok: bool) {
        self.stage = if ok {
            Stage::Uninitialized
        } else {
            Stage::Initialized
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_once_then_cleanup_final_then_init_again() {
        let mut l = Lifecycle::new();
        assert!(l.before_init("s2n_disable_atexit").is_ok());
        l.begin_init().unwrap();
        assert_eq!(l.begin_init().unwrap_err().code, ErrorCode::Initialized);
        l.finish_init(true);
        assert!(l.is_initialized());
        assert_eq!(l.begin_init().unwrap_err().code, ErrorCode::Initialized);
        let e = l.before_init("s2n_mem_set_callbacks").unwrap_err();
        assert_eq!(e.code, ErrorCode::Initialized);
        assert!(e.message.contains("s2n_mem_set_callbacks"), "{}", e.message);
        l.atexit_disabled = true;
        l.begin_cleanup().unwrap();
        assert!(!l.is_initialized());
        assert_eq!(
            l.begin_cleanup().unwrap_err().code,
            ErrorCode::NotInitialized
        );
        l.finish_cleanup(true);
        assert_eq!(l.stage(), Stage::Uninitialized);
        assert!(l.atexit_disabled, "settings stay");
        l.begin_init().unwrap();
        l.finish_init(true);
        assert!(l.is_initialized());
    }

    #[test]
    fn a_failed_callback_leaves_the_stage_as_it_was() {
        let mut l = Lifecycle::new();
        assert_eq!(
            l.begin_cleanup().unwrap_err().code,
            ErrorCode::NotInitialized
        );
        l.begin_init().unwrap();
        l.finish_init(false);
        assert_eq!(l.stage(), Stage::Uninitialized);
        l.begin_init().unwrap();
        l.finish_init(true);
        l.begin_cleanup().unwrap();
        l.finish_cleanup(false);
        assert!(l.is_initialized());
    }
}
