//! The Next Protocol Negotiation extension (s2n-tls's api/unstable/npn.h).
//!
//! NPN was a draft that ALPN replaced; rustls does not implement it. rs2n
//! negotiates application protocols with ALPN only (see
//! s2n_config_append_protocol_preference).

use std::ffi::c_int;

use super::handles::{s2n_config, with_config};
use crate::error::{Error, ErrorCode};

/// Turns NPN (the Next Protocol Negotiation draft) on or off for the config's
/// connections. Off is the default, and `enable == false` succeeds, changing
/// nothing.
///
/// Turning NPN on is not supported by rs2n.
///
/// Errors: `config` is NULL (S2N_ERR_NULL); `enable == true` fails with
/// S2N_ERR_UNIMPLEMENTED (S2N_ERR_T_USAGE): rustls has no NPN, so rs2n's clients
/// never offer it and its servers never answer it. Application protocols are
/// negotiated with ALPN, which s2n-tls prefers whenever the peer offers both.
#[no_mangle]
pub extern "C" fn s2n_config_set_npn(config: *mut s2n_config, enable: bool) -> c_int {
    with_config(config, |_| match enable {
        false => Ok(()),
        true => Err(Error::new(
            ErrorCode::Unimplemented,
            "NPN (s2n_config_set_npn) is not supported by rs2n: rustls implements only ALPN, \
             the standard that replaced the NPN draft",
        )),
    })
}
