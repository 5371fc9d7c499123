//! The server's handle on s2n's C API (the sys layer, `s2n_tls::ffi`): owned
//! `s2n_config` / `s2n_connection` pointers, s2n error text, and blocking
//! calls retried until a deadline.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::time::Instant;

use s2n_tls::ffi;

use crate::common::{line_for, sleep_or_timeout};
use crate::Res;

// S2N_TLS12 / S2N_TLS13 are C macros, not in the generated bindings.
pub const S2N_TLS12: c_int = 33;
pub const S2N_TLS13: c_int = 34;

pub fn cstr_lossy(p: *const c_char) -> String {
    if p.is_null() {
        "?".into()
    } else {
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

/// Error text for a raw s2n call that failed (reads the thread's s2n_errno).
pub fn ffi_err(what: &str) -> String {
    unsafe {
        let errno = *ffi::s2n_errno_location();
        let msg = cstr_lossy(ffi::s2n_strerror(errno, c"EN".as_ptr()));
        let name = cstr_lossy(ffi::s2n_strerror_name(errno));
        let os = if ffi::s2n_error_get_type(errno) as ffi::s2n_error_type::Type
            == ffi::s2n_error_type::IO
        {
            format!(": {}", std::io::Error::last_os_error())
        } else {
            String::new()
        };
        format!("{what}: {msg} ({name}){os}")
    }
}

pub fn ffi_check(rc: c_int, what: &str) -> Res<()> {
    if rc < 0 {
        Err(ffi_err(what))
    } else {
        Ok(())
    }
}

/// An owned `s2n_config`; outlives every connection that uses it.
pub struct RawConfig(pub *mut ffi::s2n_config);

impl Drop for RawConfig {
    fn drop(&mut self) {
        unsafe { ffi::s2n_config_free(self.0) };
    }
}

/// An owned `s2n_connection`.
pub struct RawConn(pub *mut ffi::s2n_connection);

impl Drop for RawConn {
    fn drop(&mut self) {
        unsafe { ffi::s2n_connection_free(self.0) };
    }
}

impl RawConn {
    /// Retry an s2n call while it reports "blocked" (a socket timeout on our
    /// blocking socket), up to `deadline`.
    pub fn call(
        &mut self,
        what: &str,
        deadline: Instant,
        mut f: impl FnMut(*mut ffi::s2n_connection, &mut ffi::s2n_blocked_status::Type) -> isize,
    ) -> Res<isize> {
        loop {
            let mut blocked = ffi::s2n_blocked_status::NOT_BLOCKED;
            let rc = f(self.0, &mut blocked);
            if rc >= 0 {
                return Ok(rc);
            }
            let ty = unsafe { ffi::s2n_error_get_type(*ffi::s2n_errno_location()) };
            if ty as ffi::s2n_error_type::Type != ffi::s2n_error_type::BLOCKED {
                return Err(ffi_err(what));
            }
            sleep_or_timeout(what, deadline)?;
        }
    }

    pub fn negotiate(&mut self, deadline: Instant) -> Res<()> {
        self.call("handshake", deadline, |c, b| unsafe {
            ffi::s2n_negotiate(c, b) as isize
        })
        .map(|_| ())
    }

    pub fn send_all(&mut self, mut data: &[u8], deadline: Instant) -> Res<()> {
        while !data.is_empty() {
            let d = data;
            let n = self.call("send", deadline, |c, b| unsafe {
                ffi::s2n_send(c, d.as_ptr() as *const c_void, d.len() as isize, b)
            })?;
            data = &data[n as usize..];
        }
        Ok(())
    }

    pub fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> Res<usize> {
        let len = buf.len() as isize;
        let p = buf.as_mut_ptr() as *mut c_void;
        self.call("recv", deadline, |c, b| unsafe {
            ffi::s2n_recv(c, p, len, b)
        })
        .map(|n| n as usize)
    }

    /// ", alpn P, client cert yes|no" (s2n_get_application_protocol,
    /// s2n_connection_client_cert_used).
    pub fn alpn_and_client_cert(&mut self) -> String {
        unsafe {
            let p = ffi::s2n_get_application_protocol(self.0);
            let alpn = if p.is_null() {
                "none".to_string()
            } else {
                cstr_lossy(p)
            };
            let used = ffi::s2n_connection_client_cert_used(self.0) == 1;
            format!(
                ", alpn {alpn}, client cert {}",
                if used { "yes" } else { "no" }
            )
        }
    }

    pub fn summary(&mut self) -> String {
        unsafe {
            let resumed = ffi::s2n_connection_is_session_resumed(self.0) == 1;
            let proto = match ffi::s2n_connection_get_actual_protocol_version(self.0) {
                S2N_TLS12 => "TLSv1.2".to_string(),
                S2N_TLS13 => "TLSv1.3".to_string(),
                v => format!("version-{v}"),
            };
            let cipher = cstr_lossy(ffi::s2n_connection_get_cipher(self.0));
            line_for(resumed, &proto, &cipher)
        }
    }

    /// s2n_connection_get_early_data_status, in rs2nd's words.
    pub fn early_data_status(&mut self) -> &'static str {
        let mut status = ffi::s2n_early_data_status_t::NOT_REQUESTED;
        unsafe {
            if ffi::s2n_connection_get_early_data_status(self.0, &mut status) != 0 {
                return "unknown";
            }
        }
        match status {
            ffi::s2n_early_data_status_t::OK => "ok",
            ffi::s2n_early_data_status_t::NOT_REQUESTED => "not-requested",
            ffi::s2n_early_data_status_t::REJECTED => "rejected",
            ffi::s2n_early_data_status_t::END => "end",
            _ => "unknown",
        }
    }

    /// What s2n reports it negotiated, in the words rs2nc --verbose uses:
    /// "group G, suite 0xAA,0xBB, signature S".
    pub fn negotiated(&mut self) -> String {
        unsafe {
            let group = cstr_lossy(ffi::s2n_connection_get_curve(self.0));
            let (mut a, mut b) = (0u8, 0u8);
            ffi::s2n_connection_get_cipher_iana_value(self.0, &mut a, &mut b);
            let mut scheme: *const c_char = std::ptr::null();
            let scheme = match ffi::s2n_connection_get_signature_scheme(self.0, &mut scheme) {
                0 => cstr_lossy(scheme),
                _ => "?".to_string(),
            };
            format!("group {group}, suite 0x{a:02x},0x{b:02x}, signature {scheme}")
        }
    }
}
