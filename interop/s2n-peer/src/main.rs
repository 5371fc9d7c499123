//! s2n-peer: a small TLS client/server built on the real s2n-tls (crates.io
//! `s2n-tls`, whose `s2n-tls-sys` builds the C library over aws-lc), used as
//! an interop peer for rs2n. It lives in its own crate and process: it must
//! never be linked with rs2n, since both export `s2n_*` symbols.
//!
//! - The client uses the `s2n-tls` crate's safe API (`config::Builder`,
//!   `Connection`, the session ticket callback, `set_session_ticket`).
//! - The server drives the same C library through the crate's re-exported
//!   sys layer (`s2n_tls::ffi`), because the safe API of a vendored build
//!   (the crates.io build) has no session cache callbacks and no way to reach
//!   the raw `s2n_config` (`Builder::unstable_as_ptr` exists only when
//!   libs2n is linked externally), and `--cache` needs them.
//!
//! Loopback only: the server binds 127.0.0.1, the client refuses any other
//! address. Every loop is bounded (connection count, idle and I/O timeouts),
//! so the processes stop by themselves.

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::{Duration, Instant, SystemTime};

use s2n_tls::callbacks::{SessionTicket, SessionTicketCallback};
use s2n_tls::config::Builder;
use s2n_tls::connection::Connection;
use s2n_tls::enums::{Blinding, Mode, Version};
use s2n_tls::ffi;
use s2n_tls::security::Policy;

const USAGE: &str = "\
usage:
  s2n-peer server --port N|0 --cert F --key F [--policy P]
                  [--tickets] [--ticket-key HEX] [--ticket-key-name NAME]
                  [--cache] [--max-conns N] [--idle-timeout SECS] [--io-timeout SECS]
  s2n-peer client --connect 127.0.0.1:PORT --ca F [--server-name NAME] [--policy P]
                  [--tickets | --no-tickets] [--reconnect N] [--expect-resume]
                  [--io-timeout SECS]

Policies are s2n-tls security policy names: default_tls13 (TLS1.2+1.3),
20240501 (TLS1.2 only), default (TLS1.3 + TLS1.2, PQ key exchange first), ...
One line per connection on stdout: <New|Reused> <TLSv1.2|TLSv1.3> <cipher>.";

type Res<T> = Result<T, String>;

// S2N_TLS12 / S2N_TLS13 are C macros, not in the generated bindings.
const S2N_TLS12: c_int = 33;
const S2N_TLS13: c_int = 34;

// ---------------------------------------------------------------- arguments

struct Args {
    rest: Vec<String>,
}

impl Args {
    fn flag(&mut self, name: &str) -> bool {
        if let Some(i) = self.rest.iter().position(|a| a == name) {
            self.rest.remove(i);
            true
        } else {
            false
        }
    }

    fn opt(&mut self, name: &str) -> Res<Option<String>> {
        match self.rest.iter().position(|a| a == name) {
            None => Ok(None),
            Some(i) if i + 1 < self.rest.len() => {
                let v = self.rest.remove(i + 1);
                self.rest.remove(i);
                Ok(Some(v))
            }
            Some(_) => Err(format!("{name} needs a value")),
        }
    }

    fn num<T: std::str::FromStr>(&mut self, name: &str, default: T) -> Res<T> {
        match self.opt(name)? {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("{name}: bad number {v:?}")),
        }
    }

    fn req(&mut self, name: &str) -> Res<String> {
        self.opt(name)?.ok_or_else(|| format!("missing {name}"))
    }

    fn done(self) -> Res<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(format!("unknown arguments: {:?}", self.rest))
        }
    }
}

// ---------------------------------------------------------------- helpers

fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> String + '_ {
    move |e| format!("{what}: {e}")
}

fn cstr_lossy(p: *const c_char) -> String {
    if p.is_null() {
        "?".into()
    } else {
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

/// Error text for a raw s2n call that failed (reads the thread's s2n_errno).
fn ffi_err(what: &str) -> String {
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

fn ffi_check(rc: c_int, what: &str) -> Res<()> {
    if rc < 0 {
        Err(ffi_err(what))
    } else {
        Ok(())
    }
}

fn parse_hex(s: &str) -> Res<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return Err("--ticket-key: not an even-length hex string".into());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| "--ticket-key: bad hex".into()))
        .collect()
}

fn random_bytes(n: usize) -> Res<Vec<u8>> {
    let mut v = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut v))
        .map_err(err("/dev/urandom"))?;
    Ok(v)
}

fn read_file(path: &str) -> Res<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

fn println_flush(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn line_for(resumed: bool, proto: &str, cipher: &str) -> String {
    format!(
        "{} {proto} {cipher}",
        if resumed { "Reused" } else { "New" }
    )
}

fn set_timeouts(stream: &TcpStream, io_timeout: Duration) -> Res<()> {
    stream.set_nodelay(true).map_err(err("nodelay"))?;
    stream
        .set_read_timeout(Some(io_timeout))
        .map_err(err("read timeout"))?;
    stream
        .set_write_timeout(Some(io_timeout))
        .map_err(err("write timeout"))?;
    Ok(())
}

fn sleep_or_timeout(what: &str, deadline: Instant) -> Res<()> {
    if Instant::now() >= deadline {
        return Err(format!("{what}: timed out"));
    }
    std::thread::sleep(Duration::from_millis(1));
    Ok(())
}

// ================================================================ server (sys layer)

/// An owned `s2n_config`; outlives every connection that uses it.
struct RawConfig(*mut ffi::s2n_config);

impl Drop for RawConfig {
    fn drop(&mut self) {
        unsafe { ffi::s2n_config_free(self.0) };
    }
}

/// An owned `s2n_connection`.
struct RawConn(*mut ffi::s2n_connection);

impl Drop for RawConn {
    fn drop(&mut self) {
        unsafe { ffi::s2n_connection_free(self.0) };
    }
}

impl RawConn {
    /// Retry an s2n call while it reports "blocked" (a socket timeout on our
    /// blocking socket), up to `deadline`.
    fn call(
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

    fn negotiate(&mut self, deadline: Instant) -> Res<()> {
        self.call("handshake", deadline, |c, b| unsafe {
            ffi::s2n_negotiate(c, b) as isize
        })
        .map(|_| ())
    }

    fn send_all(&mut self, mut data: &[u8], deadline: Instant) -> Res<()> {
        while !data.is_empty() {
            let d = data;
            let n = self.call("send", deadline, |c, b| unsafe {
                ffi::s2n_send(c, d.as_ptr() as *const c_void, d.len() as isize, b)
            })?;
            data = &data[n as usize..];
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> Res<usize> {
        let len = buf.len() as isize;
        let p = buf.as_mut_ptr() as *mut c_void;
        self.call("recv", deadline, |c, b| unsafe {
            ffi::s2n_recv(c, p, len, b)
        })
        .map(|n| n as usize)
    }

    fn summary(&mut self) -> String {
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
}

// ---- in-memory session-ID cache (`--cache`)

type Cache = Mutex<HashMap<Vec<u8>, Vec<u8>>>;

unsafe extern "C" fn cache_store(
    _conn: *mut ffi::s2n_connection,
    ctx: *mut c_void,
    _ttl: u64,
    key: *const c_void,
    key_size: u64,
    value: *const c_void,
    value_size: u64,
) -> c_int {
    let cache = &*(ctx as *const Cache);
    let k = std::slice::from_raw_parts(key as *const u8, key_size as usize).to_vec();
    let v = std::slice::from_raw_parts(value as *const u8, value_size as usize).to_vec();
    if let Ok(mut m) = cache.lock() {
        if m.len() < 10_000 {
            m.insert(k, v);
        }
    }
    0
}

unsafe extern "C" fn cache_retrieve(
    _conn: *mut ffi::s2n_connection,
    ctx: *mut c_void,
    key: *const c_void,
    key_size: u64,
    value: *mut c_void,
    value_size: *mut u64,
) -> c_int {
    let cache = &*(ctx as *const Cache);
    let k = std::slice::from_raw_parts(key as *const u8, key_size as usize);
    let Ok(m) = cache.lock() else { return -1 };
    match m.get(k) {
        Some(v) if (v.len() as u64) <= *value_size => {
            std::ptr::copy_nonoverlapping(v.as_ptr(), value as *mut u8, v.len());
            *value_size = v.len() as u64;
            0
        }
        _ => -1, // miss: s2n falls back to a full handshake
    }
}

unsafe extern "C" fn cache_delete(
    _conn: *mut ffi::s2n_connection,
    ctx: *mut c_void,
    key: *const c_void,
    key_size: u64,
) -> c_int {
    let cache = &*(ctx as *const Cache);
    let k = std::slice::from_raw_parts(key as *const u8, key_size as usize);
    if let Ok(mut m) = cache.lock() {
        m.remove(k);
    }
    0
}

struct ServerOpts {
    cert: Vec<u8>,
    key: Vec<u8>,
    policy: String,
    tickets: bool,
    cache: bool,
    ticket_key: Vec<u8>,
    ticket_key_name: String,
}

fn server_config(o: &ServerOpts) -> Res<RawConfig> {
    s2n_tls::init::init(); // s2n_init + the crate's allocator hooks, once
    let cfg = unsafe { ffi::s2n_config_new_minimal() };
    if cfg.is_null() {
        return Err(ffi_err("s2n_config_new_minimal"));
    }
    let cfg = RawConfig(cfg);
    let policy = CString::new(o.policy.as_str()).map_err(err("--policy"))?;
    let cert = CString::new(o.cert.clone()).map_err(err("--cert"))?;
    let key = CString::new(o.key.clone()).map_err(err("--key"))?;
    unsafe {
        ffi_check(
            ffi::s2n_config_set_cipher_preferences(cfg.0, policy.as_ptr()),
            "security policy",
        )?;
        ffi_check(
            ffi::s2n_config_add_cert_chain_and_key(cfg.0, cert.as_ptr(), key.as_ptr()),
            "certificate/key",
        )?;
        if o.cache {
            // Leaked on purpose: lives as long as the process.
            let cache: &'static Cache = Box::leak(Box::new(Mutex::new(HashMap::new())));
            let ctx = cache as *const Cache as *mut c_void;
            ffi_check(
                ffi::s2n_config_set_cache_store_callback(cfg.0, Some(cache_store), ctx),
                "cache store callback",
            )?;
            ffi_check(
                ffi::s2n_config_set_cache_retrieve_callback(cfg.0, Some(cache_retrieve), ctx),
                "cache retrieve callback",
            )?;
            ffi_check(
                ffi::s2n_config_set_cache_delete_callback(cfg.0, Some(cache_delete), ctx),
                "cache delete callback",
            )?;
            ffi_check(
                ffi::s2n_config_set_session_cache_onoff(cfg.0, 1),
                "session cache on",
            )?;
        }
        if o.tickets {
            ffi_check(
                ffi::s2n_config_set_session_tickets_onoff(cfg.0, 1),
                "session tickets on",
            )?;
        }
        if o.tickets || o.cache {
            // Tickets and the session-ID cache both encrypt the session state
            // with the ticket keys, so either needs one (added after
            // enabling: s2n ignores keys added while both are off).
            let intro = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_err(err("clock"))?
                .as_secs();
            let mut k = o.ticket_key.clone();
            ffi_check(
                ffi::s2n_config_add_ticket_crypto_key(
                    cfg.0,
                    o.ticket_key_name.as_ptr(),
                    o.ticket_key_name.len() as u32,
                    k.as_mut_ptr(),
                    k.len() as u32,
                    intro,
                ),
                "ticket key",
            )?;
        }
    }
    Ok(cfg)
}

fn server(mut a: Args) -> Res<ExitCode> {
    let port: u16 = a.num("--port", 0)?;
    let cert = read_file(&a.req("--cert")?)?;
    let key = read_file(&a.req("--key")?)?;
    let policy = a.opt("--policy")?.unwrap_or_else(|| "default_tls13".into());
    let tickets = a.flag("--tickets");
    let cache = a.flag("--cache");
    let ticket_key = match a.opt("--ticket-key")? {
        Some(h) => parse_hex(&h)?,
        None => random_bytes(32)?,
    };
    let ticket_key_name = a
        .opt("--ticket-key-name")?
        .unwrap_or_else(|| "s2n-peer".into());
    let max_conns: u32 = a.num("--max-conns", 100)?;
    let idle_timeout = Duration::from_secs(a.num("--idle-timeout", 30)?);
    let io_timeout = Duration::from_secs(a.num("--io-timeout", 10)?);
    a.done()?;
    if ticket_key.len() < 16 {
        return Err("--ticket-key: at least 16 bytes".into());
    }

    let opts = ServerOpts {
        cert,
        key,
        policy,
        tickets,
        cache,
        ticket_key,
        ticket_key_name,
    };
    let config = server_config(&opts)?;

    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(err("bind"))?;
    let local = listener.local_addr().map_err(err("local_addr"))?;
    listener
        .set_nonblocking(true)
        .map_err(err("set_nonblocking"))?;
    println_flush(&format!("listening on 127.0.0.1:{}", local.port()));

    let mut failures = 0u32;
    let mut served = 0u32;
    'accept: while served < max_conns {
        // Bounded accept: give up after idle_timeout without a new connection.
        let idle_deadline = Instant::now() + idle_timeout;
        let stream = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= idle_deadline {
                        eprintln!("server: idle for {}s, exiting", idle_timeout.as_secs());
                        break 'accept;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(format!("accept: {e}")),
            }
        };
        served += 1;
        match serve_one(&config, stream, io_timeout) {
            Ok(line) => println_flush(&line),
            Err(e) => {
                failures += 1;
                eprintln!("server: connection {served}: error: {e}");
            }
        }
    }
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn serve_one(config: &RawConfig, stream: TcpStream, io_timeout: Duration) -> Res<String> {
    stream
        .set_nonblocking(false)
        .map_err(err("set_nonblocking"))?;
    set_timeouts(&stream, io_timeout)?;
    let deadline = Instant::now() + io_timeout * 3;

    let raw = unsafe { ffi::s2n_connection_new(ffi::s2n_mode::SERVER) };
    if raw.is_null() {
        return Err(ffi_err("s2n_connection_new"));
    }
    let mut conn = RawConn(raw);
    unsafe {
        ffi_check(
            ffi::s2n_connection_set_config(conn.0, config.0),
            "set config",
        )?;
        // A test peer: report failures at once, not after s2n's 10-30 s
        // blinding sleep.
        ffi_check(
            ffi::s2n_connection_set_blinding(conn.0, ffi::s2n_blinding::SELF_SERVICE_BLINDING),
            "set blinding",
        )?;
        // s2n's own socket I/O; s2n never closes the fd, `stream` outlives
        // `conn` (dropped below in that order).
        ffi_check(
            ffi::s2n_connection_set_fd(conn.0, stream.as_raw_fd()),
            "set fd",
        )?;
    }
    conn.negotiate(deadline)?;
    let line = conn.summary();

    // Echo one line.
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while !data.contains(&b'\n') && data.len() <= 65536 {
        let n = conn.recv(&mut buf, deadline)?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    if !data.is_empty() {
        conn.send_all(&data, deadline)?;
    }
    // Full shutdown: send close_notify, wait for the peer's. A peer that
    // closes without close_notify is only a warning.
    if let Err(e) = conn.call("shutdown", deadline, |c, b| unsafe {
        ffi::s2n_shutdown(c, b) as isize
    }) {
        eprintln!("server: warning: {e}");
    }
    drop(conn);
    drop(stream);
    Ok(line)
}

// ================================================================ client (s2n-tls crate API)

/// I/O callbacks over a blocking `TcpStream` with socket timeouts. The
/// vendored crate has no `set_fd`, so the connection reads and writes
/// through these; a timeout is reported to s2n as EAGAIN ("blocked").
unsafe extern "C" fn io_recv(ctx: *mut c_void, buf: *mut u8, len: u32) -> c_int {
    let stream = &*(ctx as *const TcpStream);
    let buf = std::slice::from_raw_parts_mut(buf, len as usize);
    match (&mut &*stream).read(buf) {
        Ok(n) => n as c_int,
        Err(e) => {
            *libc::__errno_location() = e.raw_os_error().unwrap_or(libc::EIO);
            -1
        }
    }
}

unsafe extern "C" fn io_send(ctx: *mut c_void, buf: *const u8, len: u32) -> c_int {
    let stream = &*(ctx as *const TcpStream);
    let buf = std::slice::from_raw_parts(buf, len as usize);
    match (&mut &*stream).write(buf) {
        Ok(n) => n as c_int,
        Err(e) => {
            *libc::__errno_location() = e.raw_os_error().unwrap_or(libc::EIO);
            -1
        }
    }
}

/// Drive a poll-style crate call; `Pending` means a socket timeout.
fn drive<T>(
    what: &str,
    deadline: Instant,
    mut f: impl FnMut() -> Poll<Result<T, s2n_tls::error::Error>>,
) -> Res<T> {
    loop {
        match f() {
            Poll::Ready(Ok(v)) => return Ok(v),
            Poll::Ready(Err(e)) => return Err(format!("{what}: {e} ({})", e.name())),
            Poll::Pending => sleep_or_timeout(what, deadline)?,
        }
    }
}

/// Keeps the newest session ticket the server sent (TLS1.2 NewSessionTicket
/// or TLS1.3 post-handshake ticket), serialized by s2n for
/// `Connection::set_session_ticket`.
#[derive(Clone, Default)]
struct TicketSlot(Arc<Mutex<Option<Vec<u8>>>>);

impl SessionTicketCallback for TicketSlot {
    fn on_session_ticket(&self, _conn: &mut Connection, ticket: &SessionTicket) {
        let Ok(len) = ticket.len() else { return };
        let mut v = vec![0u8; len];
        if ticket.data(&mut v).is_ok() {
            *self.0.lock().unwrap() = Some(v);
        }
    }
}

fn proto_name(v: Version) -> &'static str {
    match v {
        Version::TLS12 => "TLSv1.2",
        Version::TLS13 => "TLSv1.3",
        Version::TLS11 => "TLSv1.1",
        Version::TLS10 => "TLSv1.0",
        _ => "SSL",
    }
}

fn client(mut a: Args) -> Res<ExitCode> {
    let connect = a.req("--connect")?;
    let ca = read_file(&a.req("--ca")?)?;
    let server_name = a
        .opt("--server-name")?
        .unwrap_or_else(|| "localhost".into());
    let policy = a.opt("--policy")?.unwrap_or_else(|| "default_tls13".into());
    let tickets = a.flag("--tickets");
    let no_tickets = a.flag("--no-tickets");
    let reconnect: u32 = a.num("--reconnect", 0)?;
    let expect_resume = a.flag("--expect-resume");
    let io_timeout = Duration::from_secs(a.num("--io-timeout", 10)?);
    a.done()?;
    if tickets && no_tickets {
        return Err("--tickets and --no-tickets are exclusive".into());
    }
    if reconnect > 1000 {
        return Err("--reconnect: at most 1000".into());
    }
    let addr: SocketAddr = connect
        .parse()
        .map_err(|_| format!("--connect: bad address {connect:?}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!("--connect: {addr} is not a loopback address"));
    }

    let mut b = Builder::new();
    let policy = Policy::from_version(&policy).map_err(err("policy"))?;
    b.set_security_policy(&policy)
        .map_err(err("security policy"))?;
    b.wipe_trust_store().map_err(err("wipe_trust_store"))?;
    b.trust_pem(&ca).map_err(err("trust_pem"))?;
    let slot = TicketSlot::default();
    if tickets {
        // Also turns session tickets on.
        b.set_session_ticket_callback(slot.clone())
            .map_err(err("set_session_ticket_callback"))?;
    } else {
        b.enable_session_tickets(false)
            .map_err(err("enable_session_tickets"))?;
    }
    let config = b.build().map_err(err("config"))?;

    let mut saved: Option<Vec<u8>> = None;
    let mut not_resumed = 0u32;
    for i in 0..=reconnect {
        let ctx = |e: String| format!("connection {i}: {e}");
        slot.0.lock().unwrap().take();
        let stream = TcpStream::connect_timeout(&addr, io_timeout)
            .map_err(err("connect"))
            .map_err(ctx)?;
        set_timeouts(&stream, io_timeout)?;
        let deadline = Instant::now() + io_timeout * 3;

        let mut conn = Connection::new(Mode::Client);
        conn.set_config(config.clone()).map_err(err("set_config"))?;
        conn.set_blinding(Blinding::SelfService)
            .map_err(err("set_blinding"))?;
        // SAFETY: `stream` outlives `conn` (dropped below in that order).
        let sp = &stream as *const TcpStream as *mut c_void;
        unsafe {
            conn.set_receive_callback(Some(io_recv))
                .and_then(|c| c.set_receive_context(sp))
                .and_then(|c| c.set_send_callback(Some(io_send)))
                .and_then(|c| c.set_send_context(sp))
                .map_err(err("io callbacks"))?;
        }
        conn.set_server_name(&server_name)
            .map_err(err("set_server_name"))?;
        if let Some(s) = &saved {
            conn.set_session_ticket(s)
                .map_err(err("set_session_ticket"))?;
        }

        drive("handshake", deadline, || {
            conn.poll_negotiate().map_ok(|_| ())
        })
        .map_err(ctx)?;
        let resumed = conn.resumed();
        let proto = conn
            .actual_protocol_version()
            .map_err(err("actual_protocol_version"))?;
        let cipher = conn
            .cipher_suite()
            .map_err(err("cipher_suite"))?
            .to_string();
        let line = line_for(resumed, proto_name(proto), &cipher);

        // Exchange one line: for TLS1.3 this also reads the server's
        // post-handshake NewSessionTicket, which comes before the echo.
        let msg = format!("ping {i}\n");
        let mut out = msg.as_bytes();
        while !out.is_empty() {
            let n = drive("send", deadline, || conn.poll_send(out)).map_err(ctx)?;
            out = &out[n..];
        }
        drive("flush", deadline, || conn.poll_flush().map_ok(|_| ())).map_err(ctx)?;
        let mut echo = Vec::new();
        let mut buf = [0u8; 4096];
        while !echo.contains(&b'\n') && echo.len() <= 65536 {
            let n = drive("recv", deadline, || conn.poll_recv(&mut buf)).map_err(ctx)?;
            if n == 0 {
                break;
            }
            echo.extend_from_slice(&buf[..n]);
        }
        if echo.is_empty() {
            // A server that closes right after the handshake (no echo).
            eprintln!("client: connection {i}: note: the server closed without echoing");
        } else if echo != msg.as_bytes() {
            return Err(ctx(format!(
                "bad echo {:?}",
                String::from_utf8_lossy(&echo)
            )));
        }
        // Full shutdown: send close_notify, wait for the server's. A server
        // that closes without close_notify is only a warning.
        if let Err(e) = drive("shutdown", deadline, || conn.poll_shutdown().map_ok(|_| ())) {
            eprintln!("client: connection {i}: warning: {e}");
        }

        // Keep the newest session: a ticket from the callback, else the
        // connection's own session state (TLS1.2 session ID or ticket).
        let fresh = slot
            .0
            .lock()
            .unwrap()
            .take()
            .or_else(|| match conn.session_ticket_length() {
                Ok(n) if n > 0 => {
                    let mut v = vec![0u8; n];
                    conn.session_ticket(&mut v).ok().map(|n| {
                        v.truncate(n);
                        v
                    })
                }
                _ => None,
            });
        if fresh.is_some() {
            saved = fresh;
        }
        println_flush(&line);
        if i > 0 && !resumed {
            not_resumed += 1;
        }
        drop(conn);
        drop(stream);
    }
    if expect_resume && not_resumed > 0 {
        eprintln!("client: {not_resumed} reconnection(s) were not resumed");
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

// ================================================================ main

fn main() -> ExitCode {
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.is_empty() || argv.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return if argv.is_empty() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    let mode = argv.remove(0);
    let args = Args { rest: argv };
    let r = match mode.as_str() {
        "server" => server(args),
        "client" => client(args),
        other => Err(format!("unknown mode {other:?}\n{USAGE}")),
    };
    match r {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{mode}: error: {e}");
            ExitCode::FAILURE
        }
    }
}
