//! How big the records a connection sends are, and the tuning calls around its
//! buffers: `s2n_connection_prefer_low_latency`/`_throughput`, dynamic record
//! sizing, a requested key update, releasing buffers.

use super::Connection;
use crate::error::{Error, ErrorCode, Result};

/// s2n's small record: one 1500-byte Ethernet frame minus IP, TCP and TCP
/// options (20 bytes each) and the record header.
pub(crate) const SMALL_FRAGMENT: usize = 1500 - 20 - 20 - 20 - 5;
/// The TLS maximum, 2^14 bytes: rs2n's default.
pub(crate) const LARGE_FRAGMENT: usize = 16 * 1024;
/// The largest `resize_threshold` s2n accepts (8 MiB).
const MAX_RESIZE_THRESHOLD: u32 = 8 * 1024 * 1024;
const NANOS_PER_SEC: u64 = 1_000_000_000;

/// The record sizes a connection sends with.
#[derive(Clone, Debug, Default)]
pub(crate) struct RecordSizing {
    /// Set by `s2n_connection_prefer_*`; otherwise the config's, or 16 KiB.
    preferred: Option<usize>,
    /// Dynamic record sizing: small records for the first `threshold` bytes, and
    /// again after `timeout_secs` without sending.
    threshold: u32,
    timeout_secs: u16,
    sent: u64,
    last_send_nanos: Option<u64>,
}

impl RecordSizing {
    /// Whether a send needs the monotonic clock (to restart dynamic sizing).
    pub(crate) fn needs_clock(&self) -> bool {
        self.threshold > 0 && self.timeout_secs > 0
    }
}

impl Connection {
    /// `s2n_connection_prefer_low_latency`: records of one Ethernet frame.
    pub fn prefer_low_latency(&mut self) {
        self.sizing.preferred = Some(SMALL_FRAGMENT);
    }

    /// `s2n_connection_prefer_throughput`: records of the TLS maximum, 16 KiB.
    pub fn prefer_throughput(&mut self) {
        self.sizing.preferred = Some(LARGE_FRAGMENT);
    }

    /// `s2n_connection_set_dynamic_record_threshold`.
    pub fn set_dynamic_record_threshold(
        &mut self,
        threshold: u32,
        timeout_secs: u16,
    ) -> Result<()> {
        if threshold > MAX_RESIZE_THRESHOLD {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("resize_threshold {threshold} is over the maximum of {MAX_RESIZE_THRESHOLD} (8 MiB)"),
            ));
        }
        self.sizing.threshold = threshold;
        self.sizing.timeout_secs = timeout_secs;
        Ok(())
    }

    /// The most plaintext the next record carries. `now_nanos` is the monotonic
    /// clock, read by the caller when [`RecordSizing::needs_clock`].
    pub(crate) fn next_fragment(&mut self, now_nanos: Option<u64>) -> usize {
        let configured = self
            .config
            .as_ref()
            .and_then(|c| c.settings().io.max_fragment_length)
            .map(usize::from);
        let max = self
            .sizing
            .preferred
            .or(configured)
            .unwrap_or(LARGE_FRAGMENT);
        let sizing = &mut self.sizing;
        if sizing.threshold == 0 {
            return max;
        }
        if let (Some(now), Some(last)) = (now_nanos, sizing.last_send_nanos) {
            if now.saturating_sub(last) > u64::from(sizing.timeout_secs) * NANOS_PER_SEC {
                sizing.sent = 0;
            }
        }
        if now_nanos.is_some() {
            sizing.last_send_nanos = now_nanos;
        }
        if sizing.sent < u64::from(sizing.threshold) {
            max.min(SMALL_FRAGMENT)
        } else {
            max
        }
    }

    /// Counts plaintext sent, for dynamic record sizing.
    pub(crate) fn note_sent(&mut self, n: usize) {
        self.sizing.sent = self.sizing.sent.saturating_add(n as u64);
    }

    pub(crate) fn sizing(&self) -> &RecordSizing {
        &self.sizing
    }

    /// `s2n_connection_request_key_update`: the next `s2n_send` on a TLS1.3
    /// connection first updates the sending keys.
    pub fn request_key_update(&mut self) {
        self.key_update_requested = true;
    }

    /// Applies a requested key update (TLS1.3 only; as in s2n, nothing for TLS1.2).
    pub(crate) fn apply_key_update(&mut self) -> Result<()> {
        if !self.key_update_requested {
            return Ok(());
        }
        let Some(tls) = self.tls.as_mut() else {
            return Ok(());
        };
        if tls.protocol_version() != Some(rustls::ProtocolVersion::TLSv1_3) {
            self.key_update_requested = false;
            return Ok(());
        }
        tls.refresh_traffic_keys()
            .map_err(|e| Error::new(ErrorCode::Internal, format!("the key update failed: {e}")))?;
        self.key_update_requested = false;
        Ok(())
    }

    /// `s2n_connection_release_buffers`: frees the connection's empty buffers.
    /// Records not yet sent stay (S2N_ERR_INVALID_STATE); input not yet decrypted
    /// stays, and the call succeeds, as in s2n.
    pub fn release_buffers(&mut self) -> Result<()> {
        if self.out_sent < self.out.len() {
            return Err(Error::new(
                ErrorCode::InvalidState,
                "records wait to be sent: call s2n_send or s2n_shutdown until they are, then release the buffers",
            ));
        }
        self.out = Vec::new();
        self.out_sent = 0;
        if self.in_pos == self.in_end {
            self.pending_in = Vec::new();
            self.in_pos = 0;
            self.in_end = 0;
        }
        Ok(())
    }

    /// The capacity of the connection's own buffers (for tests of release).
    #[cfg(test)]
    pub(crate) fn buffer_capacity(&self) -> usize {
        self.out.capacity() + self.pending_in.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    /// How many TLS1.3 records `c` sends for `data` (each adds a 5-byte header,
    /// a content type byte and a 16-byte tag to the wire).
    fn records_for(c: &mut Connection, s: &mut Connection, data: &[u8]) -> usize {
        let before = c.wire_bytes_out();
        let mut sent = 0;
        while sent < data.len() {
            sent += c.send(&data[sent..]).unwrap();
        }
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = 0;
        while got < data.len() {
            got += s.recv(&mut buf).unwrap();
        }
        let overhead = (c.wire_bytes_out() - before) as usize - data.len();
        assert_eq!(overhead % 22, 0);
        overhead / 22
    }

    #[test]
    fn preferences_set_the_record_size() {
        let (mut s, mut c, _, _) = established("default_tls13");
        let _ = c.recv(&mut [0u8; 1]);
        let data = vec![7u8; 40_000];
        let records = |n: usize| data.len().div_ceil(n);
        assert_eq!(records_for(&mut c, &mut s, &data), records(LARGE_FRAGMENT));
        c.prefer_low_latency();
        assert_eq!(records_for(&mut c, &mut s, &data), records(SMALL_FRAGMENT));
        c.prefer_throughput();
        assert_eq!(records_for(&mut c, &mut s, &data), records(LARGE_FRAGMENT));
    }

    #[test]
    fn dynamic_sizing_starts_small_and_again_after_the_timeout() {
        let mut c = Connection::new(super::super::Mode::Client);
        assert!(c
            .set_dynamic_record_threshold(MAX_RESIZE_THRESHOLD + 1, 1)
            .is_err());
        c.set_dynamic_record_threshold(3000, 2).unwrap();
        assert!(c.sizing().needs_clock());
        let t0 = 5 * NANOS_PER_SEC;
        assert_eq!(c.next_fragment(Some(t0)), SMALL_FRAGMENT);
        c.note_sent(3000);
        assert_eq!(c.next_fragment(Some(t0 + NANOS_PER_SEC)), LARGE_FRAGMENT);
        // Idle for more than 2 seconds: small records again.
        assert_eq!(
            c.next_fragment(Some(t0 + 4 * NANOS_PER_SEC)),
            SMALL_FRAGMENT
        );
    }

    #[test]
    fn release_keeps_unsent_records() {
        let mut c = Connection::new(super::super::Mode::Client);
        c.out.extend_from_slice(&[1, 2, 3]);
        assert_eq!(
            c.release_buffers().unwrap_err().code,
            ErrorCode::InvalidState
        );
        c.out_sent = 3;
        c.release_buffers().unwrap();
        assert_eq!(c.buffer_capacity(), 0);
    }
}
