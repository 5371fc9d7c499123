//! TLS records to handshake messages, incrementally: bytes are fed as they arrive,
//! each is examined once, and only the message being read is held (and only when
//! its type is wanted). Record framing is checked as rustls checks it.

use std::borrow::Cow;

use super::{Malformed, MAX_HANDSHAKE_LEN};

/// The content type of handshake records.
const HANDSHAKE: u8 = 22;
/// RFC 8446 5.1 / RFC 5246 6.2.1: a plaintext record carries at most 2^14 bytes.
const MAX_RECORD_LEN: usize = 1 << 14;

/// Why reading stopped before a message was complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A record that is not a handshake record (a ChangeCipherSpec, an alert...).
    NotHandshake(u8),
    Malformed(Malformed),
}

/// One complete handshake message; `body` is empty when its type was not wanted.
/// A message that arrived whole in one input is borrowed from it, not copied.
#[derive(Debug)]
pub(crate) struct Message<'a> {
    pub typ: u8,
    pub body: Cow<'a, [u8]>,
}

/// Reassembles handshake messages from records as bytes arrive.
#[derive(Debug, Default)]
pub(crate) struct HandshakeReader {
    record_header: [u8; 5],
    record_header_len: usize,
    /// Body bytes of the current record not yet read (0: a record header is next).
    record_left: usize,
    msg_header: [u8; 4],
    msg_header_len: usize,
    /// Body bytes of the current message not yet read.
    msg_left: usize,
    keep: bool,
    body: Vec<u8>,
    /// Every input byte counts once: the work done so far (tests check it is linear).
    examined: u64,
    stopped: Option<Stop>,
    /// The version field of the first record header read.
    first_record_version: Option<[u8; 2]>,
}

impl HandshakeReader {
    pub fn examined(&self) -> u64 {
        self.examined
    }

    /// The version of the first record read (that carried the first message).
    pub fn first_record_version(&self) -> Option<[u8; 2]> {
        self.first_record_version
    }

    /// Reads from `input` (advancing it) until a message is complete: `Ok(None)`
    /// when `input` ran out first. Messages whose type `wanted` refuses are
    /// skipped, not held. Once stopped, every call reports the same stop.
    pub fn next_message<'a>(
        &mut self,
        input: &mut &'a [u8],
        wanted: impl Fn(u8) -> bool,
    ) -> Result<Option<Message<'a>>, Stop> {
        if let Some(stop) = &self.stopped {
            return Err(stop.clone());
        }
        match self.read(input, wanted) {
            Err(stop) => {
                self.stopped = Some(stop.clone());
                Err(stop)
            }
            ok => ok,
        }
    }

    fn read<'a>(
        &mut self,
        input: &mut &'a [u8],
        wanted: impl Fn(u8) -> bool,
    ) -> Result<Option<Message<'a>>, Stop> {
        loop {
            if self.record_left == 0 {
                let need = 5 - self.record_header_len;
                let n = need.min(input.len());
                self.record_header[self.record_header_len..][..n].copy_from_slice(&input[..n]);
                self.record_header_len += n;
                self.consume(input, n);
                if self.record_header_len < 5 {
                    return Ok(None);
                }
                self.record_header_len = 0;
                self.record_left = record_len(&self.record_header)?;
                self.first_record_version
                    .get_or_insert([self.record_header[1], self.record_header[2]]);
            }
            if self.msg_header_len < 4 {
                let n = (4 - self.msg_header_len)
                    .min(self.record_left)
                    .min(input.len());
                self.msg_header[self.msg_header_len..][..n].copy_from_slice(&input[..n]);
                self.msg_header_len += n;
                self.record_left -= n;
                self.consume(input, n);
                if self.msg_header_len < 4 {
                    if input.is_empty() {
                        return Ok(None);
                    }
                    continue;
                }
                let [typ, a, b, c] = self.msg_header;
                self.msg_left = u32::from_be_bytes([0, a, b, c]) as usize;
                if self.msg_left > MAX_HANDSHAKE_LEN {
                    return Err(Stop::Malformed(Malformed::args(format_args!(
                        "handshake message of {} bytes (at most {MAX_HANDSHAKE_LEN})",
                        self.msg_left
                    ))));
                }
                self.keep = wanted(typ);
            }
            let n = self.msg_left.min(self.record_left).min(input.len());
            let whole: &'a [u8] = input;
            // The whole body in this input, nothing held: lend it.
            let lent = self.keep && self.body.is_empty() && n == self.msg_left;
            if self.keep && !lent {
                self.body.extend_from_slice(&whole[..n]);
            }
            self.msg_left -= n;
            self.record_left -= n;
            self.consume(input, n);
            if self.msg_left == 0 {
                self.msg_header_len = 0;
                let body = match lent {
                    true => Cow::Borrowed(&whole[..n]),
                    false => Cow::Owned(std::mem::take(&mut self.body)),
                };
                return Ok(Some(Message {
                    typ: self.msg_header[0],
                    body,
                }));
            }
            if input.is_empty() {
                return Ok(None);
            }
        }
    }

    /// Frees the message being read: nothing more will be read.
    pub fn release(&mut self) {
        self.body = Vec::new();
    }

    fn consume(&mut self, input: &mut &[u8], n: usize) {
        *input = &input[n..];
        self.examined += n as u64;
    }
}

/// The body length of a record with this header, checked as rustls does.
fn record_len(h: &[u8; 5]) -> Result<usize, Stop> {
    if h[0] != HANDSHAKE {
        return Err(Stop::NotHandshake(h[0]));
    }
    if h[1] != 3 {
        return Err(Stop::Malformed(Malformed::args(format_args!(
            "record version {:#04x}{:02x} (TLS records are 0x03xx)",
            h[1], h[2]
        ))));
    }
    let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
    if len == 0 || len > MAX_RECORD_LEN {
        return Err(Stop::Malformed(Malformed::args(format_args!(
            "handshake record of {len} bytes (1 to {MAX_RECORD_LEN})"
        ))));
    }
    Ok(len)
}
