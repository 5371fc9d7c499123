//! The exported functions on what a peer's alerts and errors do to a connection:
//! warning alerts (`s2n_config_set_alert_behavior`) and blinding delays.

use std::ffi::c_int;

use super::handles::{s2n_config, with_config};
use super::{s2n_alert_behavior, S2N_ALERT_FAIL_ON_WARNINGS, S2N_ALERT_IGNORE_WARNINGS};
use crate::error::{Error, ErrorCode};

/// What a TLS1.2 warning alert from the peer does: S2N_ALERT_FAIL_ON_WARNINGS (s2n's
/// default) or S2N_ALERT_IGNORE_WARNINGS. In TLS1.3 every alert but close_notify
/// and user_canceled is fatal whatever the setting.
///
/// Differs from s2n-tls: rustls ignores TLS1.2 warning alerts (other than
/// close_notify, which ends the data; after a few in a row it fails the
/// connection), so rs2n behaves as S2N_ALERT_IGNORE_WARNINGS with either value:
/// the setting has no effect.
/// Alerts after the handshake are encrypted: rs2n cannot see their level to do
/// otherwise. S2N_ALERT_FAIL_ON_WARNINGS is accepted because it changes nothing
/// from the config's state before the call.
///
/// Errors: NULL config; another value (S2N_ERR_INVALID_ARGUMENT).
#[no_mangle]
pub extern "C" fn s2n_config_set_alert_behavior(
    config: *mut s2n_config,
    alert_behavior: s2n_alert_behavior,
) -> c_int {
    with_config(config, |_| match alert_behavior {
        S2N_ALERT_FAIL_ON_WARNINGS | S2N_ALERT_IGNORE_WARNINGS => Ok(()),
        other => Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("{other} is not an s2n_alert_behavior value"),
        )),
    })
}

/// The longest blinding delay after an error, in seconds (s2n's default: 30).
///
/// rs2n accepts any value, with no effect: it never delays (`s2n_connection_get_delay` is always
/// 0). s2n blinds to hide timing side channels such as the CBC padding oracle;
/// rs2n offers no CBC suite and rustls decrypts records with constant-time AEADs.
///
/// Errors: NULL config.
#[no_mangle]
pub extern "C" fn s2n_config_set_max_blinding_delay(
    config: *mut s2n_config,
    seconds: u32,
) -> c_int {
    with_config(config, |_| {
        let _ = seconds;
        Ok(())
    })
}
