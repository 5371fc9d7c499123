//! ClientHello fingerprints (s2n-tls's unstable api/unstable/fingerprint.h): JA3
//! and JA4, computed from the ClientHello's fields as s2n-tls computes them, so
//! the same hello gives the same strings and hashes. GREASE values (RFC 8701)
//! are left out everywhere.

use md5::{Digest, Md5};
use ring::digest;

use super::ClientHello;
use crate::error::{Error, ErrorCode, Result};

const SERVER_NAME: u16 = 0;
const EC_POINT_FORMATS: u16 = 11;
const SIGNATURE_ALGORITHMS: u16 = 13;
const ALPN: u16 = 16;
const SUPPORTED_GROUPS: u16 = 10;
const SUPPORTED_VERSIONS: u16 = 43;
const QUIC_TRANSPORT_PARAMETERS: u16 = 0x39;
/// cbindgen:ignore
/// JA4 lists keep at most this many entries (its counts stop at 99 too).
const JA4_LIST_LIMIT: usize = 99;
/// cbindgen:ignore
/// A JA4 hash string: a (10) _ b (12) _ c (12).
pub const JA4_HASH_LEN: usize = 36;
/// cbindgen:ignore
/// A JA3 hash string: an MD5 digest in hex.
pub const JA3_HASH_LEN: usize = 32;
/// cbindgen:ignore
/// A JA3 digest's raw length.
pub const JA3_DIGEST_LEN: usize = 16;

/// `s2n_fingerprint_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Ja3,
    Ja4,
}

impl Method {
    /// The length of the method's hash string.
    pub fn hash_len(self) -> usize {
        match self {
            Method::Ja3 => JA3_HASH_LEN,
            Method::Ja4 => JA4_HASH_LEN,
        }
    }
}

/// A fingerprint of one ClientHello: its full string and its hash string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// The string before hashing (JA3's whole string; JA4's "raw" form).
    pub raw: String,
    /// The hash string (JA3: 32 hex digits; JA4: a_b_c, 36 characters).
    pub hash: String,
}

fn bad(what: &str) -> Error {
    Error::new(
        ErrorCode::BadMessage,
        format!("cannot fingerprint the ClientHello: its {what} is malformed"),
    )
}

/// RFC 8701: both bytes equal, each 0x?A.
pub fn is_grease(v: u16) -> bool {
    let [a, b] = v.to_be_bytes();
    a == b && a & 0x0f == 0x0a
}

/// Big-endian u16s of `data`; an odd byte left over is an error, as in s2n.
fn u16s(data: &[u8], what: &str) -> Result<Vec<u16>> {
    if data.len() % 2 != 0 {
        return Err(bad(what));
    }
    Ok(data
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p[0], p[1]]))
        .collect())
}

/// The types of the extension block, in order.
fn extension_types(ch: &ClientHello) -> Vec<u16> {
    let mut out = Vec::new();
    let mut rest = ch.extensions();
    while let [a, b, c, d, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*c, *d]));
        out.push(u16::from_be_bytes([*a, *b]));
        rest = tail.get(len..).unwrap_or(&[]);
    }
    out
}

/// The legacy version as s2n rebuilds it from its one-byte form.
fn legacy_version(ch: &ClientHello) -> u16 {
    let v = ch.legacy_version();
    u16::from(v / 10) << 8 | u16::from(v % 10)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Computes a fingerprint of `ch`.
pub fn fingerprint(ch: &ClientHello, method: Method) -> Result<Fingerprint> {
    match method {
        Method::Ja3 => ja3(ch),
        Method::Ja4 => ja4(ch),
    }
}

/// A JA3 list: decimal values without GREASE, dash-separated.
fn ja3_list(values: impl IntoIterator<Item = u16>) -> String {
    values
        .into_iter()
        .filter(|v| !is_grease(*v))
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join("-")
}

/// JA3: "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats",
/// hashed with MD5.
fn ja3(ch: &ClientHello) -> Result<Fingerprint> {
    let curves = match ch.known_extension(SUPPORTED_GROUPS) {
        None => Vec::new(),
        Some(data) => u16s(
            data.get(2..).ok_or_else(|| bad("supported_groups"))?,
            "supported_groups",
        )?,
    };
    let formats: Vec<u16> = match ch.known_extension(EC_POINT_FORMATS) {
        None => Vec::new(),
        Some(data) => data
            .get(1..)
            .ok_or_else(|| bad("ec_point_formats"))?
            .iter()
            .map(|&f| u16::from(f))
            .collect(),
    };
    let raw = [
        ja3_list([legacy_version(ch)]),
        ja3_list(u16s(ch.cipher_suites(), "cipher suites")?),
        ja3_list(extension_types(ch)),
        ja3_list(curves),
        ja3_list(formats),
    ]
    .join(",");
    let hash = hex(&Md5::digest(raw.as_bytes()));
    Ok(Fingerprint { raw, hash })
}

/// JA4's version: the highest of supported_versions (GREASE aside), else the
/// legacy version; as two characters.
fn ja4_version(ch: &ClientHello) -> &'static str {
    let from_extension = ch.known_extension(SUPPORTED_VERSIONS).and_then(|data| {
        let list = data.get(1..)?;
        let versions = u16s(list, "supported_versions").ok()?;
        Some(
            versions
                .into_iter()
                .filter(|v| !is_grease(*v))
                .max()
                .unwrap_or(0),
        )
    });
    match from_extension.unwrap_or_else(|| legacy_version(ch)) {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        _ => "00",
    }
}

/// The first and last characters of the first ALPN protocol ("00" without one);
/// a non-alphanumeric one gives the hex digits of the first's high and the
/// last's low nibble instead.
fn ja4_alpn(ch: &ClientHello) -> String {
    let first = ch.known_extension(ALPN).and_then(|data| {
        let (&len, rest) = data.get(2..)?.split_first()?;
        (len > 0).then_some(())?;
        rest.get(..usize::from(len))
    });
    let (a, b) = match first {
        Some(p) => (p[0], p[p.len() - 1]),
        None => (b'0', b'0'),
    };
    if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() {
        format!("{}{}", a as char, b as char)
    } else {
        format!("{:x}{:x}", a >> 4, b & 0x0f)
    }
}

/// Sorted 4-digit hex values, comma-separated (at most [`JA4_LIST_LIMIT`]).
fn ja4_sorted(mut values: Vec<u16>) -> String {
    values.truncate(JA4_LIST_LIMIT);
    values.sort_unstable();
    values
        .iter()
        .map(|v| format!("{v:04x}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A JA4 hash part: the first 12 hex digits of SHA-256, or twelve zeros for
/// nothing to hash.
fn ja4_digest(s: &str) -> String {
    if s.is_empty() {
        return "000000000000".into();
    }
    hex(&digest::digest(&digest::SHA256, s.as_bytes()).as_ref()[..6])
}

fn count(n: usize) -> String {
    format!("{:02}", n.min(99))
}

/// JA4: a_b_c, where a describes the hello, b hashes the sorted cipher suites,
/// and c the sorted extensions (without SNI and ALPN) then the signature
/// algorithms in order.
fn ja4(ch: &ClientHello) -> Result<Fingerprint> {
    let ciphers: Vec<u16> = u16s(ch.cipher_suites(), "cipher suites")?
        .into_iter()
        .filter(|v| !is_grease(*v))
        .collect();
    let extensions: Vec<u16> = extension_types(ch)
        .into_iter()
        .filter(|v| !is_grease(*v))
        .collect();
    let listed: Vec<u16> = extensions
        .iter()
        .copied()
        .filter(|&e| e != SERVER_NAME && e != ALPN)
        .collect();
    let sig_algs = match ch
        .known_extension(SIGNATURE_ALGORITHMS)
        .and_then(|d| d.get(2..))
    {
        None => Vec::new(),
        Some(list) => u16s(list, "signature_algorithms")?
            .into_iter()
            .filter(|v| !is_grease(*v))
            .collect(),
    };
    let a = format!(
        "{}{}{}{}{}{}",
        if ch.has_extension(QUIC_TRANSPORT_PARAMETERS) {
            'q'
        } else {
            't'
        },
        ja4_version(ch),
        if ch.has_extension(SERVER_NAME) {
            'd'
        } else {
            'i'
        },
        count(ciphers.len().min(JA4_LIST_LIMIT)),
        count(extensions.len()),
        ja4_alpn(ch),
    );
    let b = ja4_sorted(ciphers);
    let mut c = ja4_sorted(listed);
    if !sig_algs.is_empty() {
        c.push('_');
        c.push_str(
            &sig_algs
                .iter()
                .map(|v| format!("{v:04x}"))
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    let hash = format!("{a}_{}_{}", ja4_digest(&b), ja4_digest(&c));
    Ok(Fingerprint {
        raw: format!("{a}_{b}_{c}"),
        hash,
    })
}
