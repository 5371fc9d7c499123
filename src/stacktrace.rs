//! Stack traces of errors (s2n's `s2n_stack_traces_enabled_set` and friends): off
//! by default; when on, each error records the stack of the thread that raised it
//! (the C layer keeps the last one per thread), as s2n-tls does.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Whether errors record stack traces.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether an `S2N_PRINT_STACKTRACE` environment value turns traces on at
/// `s2n_init` (as in s2n-tls, any value set does).
pub fn env_enables(value: Option<std::ffi::OsString>) -> bool {
    value.is_some()
}

/// The calling thread's stack, one line per frame line, innermost first.
pub fn capture() -> Vec<String> {
    std::backtrace::Backtrace::force_capture()
        .to_string()
        .lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    fn a_distinctive_frame_name() -> Vec<String> {
        capture()
    }

    #[test]
    fn captures_the_stack_of_the_caller() {
        let lines = a_distinctive_frame_name();
        assert!(!lines.is_empty());
        // Symbol names are there when the test binary has them (debug builds).
        if cfg!(debug_assertions) {
            assert!(
                lines.iter().any(|l| l.contains("a_distinctive_frame_name")),
                "{lines:#?}"
            );
        }
        assert!(env_enables(Some("1".into())));
        assert!(!env_enables(None));
    }
}
