//! PEM as s2n-tls reads it (its `stuffer/s2n_stuffer_pem.c`), which is laxer than
//! RFC 7468: a block's markers need not start a line (s2n's own tools embed
//! certificates on one line: `-----BEGIN CERTIFICATE-----MIIB...-----END
//! CERTIFICATE-----`), 2 to 64 dashes frame each marker, an END marker may run
//! straight into the next BEGIN, text before a block is skipped, and every
//! character inside a block that is not base64 (spaces, CR, LF, tabs) is ignored.
//!
//! The base64 text is decoded by rustls-pki-types (constant-time, which matters
//! for keys): each block is rewritten as canonical PEM first. Messages are short
//! and never quote the input.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorCode, Result};

const MIN_DASHES: usize = 2;
const MAX_DASHES: usize = 64;

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidPem, message)
}

fn is_base64(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'='
}

/// A cursor over PEM text.
struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(input: &'a [u8]) -> Self {
        Reader { input, pos: 0 }
    }

    fn rest(&self) -> &'a [u8] {
        &self.input[self.pos..]
    }

    /// Whether a block may start ahead (s2n looks for "--").
    fn has_block(&self) -> bool {
        self.rest().windows(2).any(|w| w == b"--")
    }

    /// Skips to the next "--", then reads 2 to 64 dashes.
    fn skip_to_dashes(&mut self) -> bool {
        match self.rest().windows(2).position(|w| w == b"--") {
            Some(at) => {
                self.pos += at;
                self.dashes()
            }
            None => false,
        }
    }

    /// Reads between 2 and 64 dashes.
    fn dashes(&mut self) -> bool {
        let n = self
            .rest()
            .iter()
            .take(MAX_DASHES)
            .take_while(|&&c| c == b'-')
            .count();
        self.pos += n;
        n >= MIN_DASHES
    }

    fn expect(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.rest().first() {
            self.pos += 1;
        }
    }

    /// Reads one block labelled `label` at the next "--": its base64 characters.
    fn block(&mut self, label: &str) -> std::result::Result<Zeroizing<Vec<u8>>, String> {
        if !self.skip_to_dashes() {
            return Err("no -----BEGIN marker".into());
        }
        if !self.expect("BEGIN ") {
            return Err("a marker that is not -----BEGIN where a block should start".into());
        }
        if !self.expect(label) {
            return Err(format!("not a \"{label}\" block"));
        }
        if !self.dashes() {
            return Err(format!("BEGIN {label} is not followed by dashes"));
        }
        self.skip_whitespace();
        let mut text = Zeroizing::new(Vec::new());
        loop {
            match self.rest().first() {
                None => return Err(format!("no -----END {label}----- marker")),
                Some(b'-') => break,
                Some(&c) => {
                    self.pos += 1;
                    if is_base64(c) {
                        text.push(c);
                    }
                }
            }
        }
        if !(self.dashes() && self.expect("END ") && self.expect(label) && self.dashes()) {
            return Err(format!("no -----END {label}----- marker"));
        }
        // "-----END X----------BEGIN Y-----": leave two dashes for the next block.
        if self.rest().starts_with(b"BEGIN ") {
            self.pos -= MIN_DASHES;
        }
        self.skip_whitespace();
        Ok(text)
    }
}

/// `text` (base64 characters) as canonical PEM, for rustls-pki-types to decode.
fn canonical(label: &str, text: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(text.len() + text.len() / 64 + 64));
    out.extend_from_slice(format!("-----BEGIN {label}-----\n").as_bytes());
    for line in text.chunks(64) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(format!("-----END {label}-----\n").as_bytes());
    out
}

/// Every certificate of a PEM chain, in order. `what` names the input in messages
/// ("certificate chain", "trust store PEM"). Text after the last block that holds
/// no "--" is ignored, as in s2n.
pub fn certificates(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>> {
    let mut reader = Reader::new(pem);
    let mut certs = Vec::new();
    while reader.has_block() {
        let n = certs.len() + 1;
        let text = reader
            .block("CERTIFICATE")
            .map_err(|m| invalid(format!("{what}: PEM block {n}: {m}")))?;
        let cert = CertificateDer::from_pem_slice(&canonical("CERTIFICATE", &text))
            .map_err(|_| invalid(format!("{what}: certificate {n}: bad base64")))?;
        certs.push(cert);
    }
    if certs.is_empty() {
        return Err(invalid(format!(
            "{what}: no PEM certificate (-----BEGIN CERTIFICATE-----) found"
        )));
    }
    Ok(certs)
}

/// The private key of a PEM key file, as s2n reads it: the first block, which must
/// be an "RSA PRIVATE KEY" (PKCS#1), "EC PRIVATE KEY" (SEC1, after an optional "EC
/// PARAMETERS" block) or "PRIVATE KEY" (PKCS#8).
pub fn private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>> {
    let first = |label: &'static str| Reader::new(pem).block(label).ok().map(|t| (label, t));
    let ec = || {
        let mut r = Reader::new(pem);
        if r.block("EC PARAMETERS").is_err() {
            r = Reader::new(pem);
        }
        r.block("EC PRIVATE KEY")
            .ok()
            .map(|t| ("EC PRIVATE KEY", t))
    };
    let (label, text) = first("RSA PRIVATE KEY")
        .or_else(ec)
        .or_else(|| first("PRIVATE KEY"))
        .ok_or_else(|| {
            let hint = match Reader::new(pem).block("ENCRYPTED PRIVATE KEY") {
                Ok(_) => "encrypted keys are not supported",
                Err(_) => "expected -----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY",
            };
            invalid(format!("private key: no usable PEM key ({hint})"))
        })?;
    PrivateKeyDer::from_pem_slice(&canonical(label, &text))
        .map_err(|_| invalid(format!("private key: {label}: bad base64")))
}

/// The DER bytes of the first block labelled `label` (e.g. "DH PARAMETERS"),
/// read as s2n reads PEM.
pub fn first_block(pem: &[u8], label: &str) -> Result<Vec<u8>> {
    let text = Reader::new(pem)
        .block(label)
        .map_err(|m| invalid(format!("{label}: {m}")))?;
    // rustls-pki-types decodes base64 under its own labels only: relabelled.
    let der = CertificateDer::from_pem_slice(&canonical("CERTIFICATE", &text))
        .map_err(|_| invalid(format!("{label}: bad base64")))?;
    Ok(der.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::testing::cert_file;

    /// A PEM file's blocks rewritten on one line each, as s2nc/s2nd embed them.
    fn one_line(pem: &[u8]) -> Vec<u8> {
        String::from_utf8(pem.to_vec())
            .unwrap()
            .lines()
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn one_line_pem_reads_as_the_file_does() {
        let file = cert_file("ecdsa_p256_cert.pem");
        let expected = certificates(&file, "chain").unwrap();
        assert_eq!(expected.len(), 2);
        assert_eq!(certificates(&one_line(&file), "chain").unwrap(), expected);
        let crlf = String::from_utf8(file.clone())
            .unwrap()
            .replace('\n', "\r\n");
        assert_eq!(certificates(crlf.as_bytes(), "chain").unwrap(), expected);
        for key in [
            "ecdsa_p256_key.pem",
            "rsa2048_key.pem",
            "ecdsa_p384_key.pem",
        ] {
            let file = cert_file(key);
            let want = private_key(&file).unwrap();
            let got = private_key(&one_line(&file)).unwrap();
            assert_eq!(got.secret_der(), want.secret_der(), "{key}");
        }
    }

    #[test]
    fn s2n_variations_are_accepted() {
        let file = cert_file("ca_cert.pem");
        let want = certificates(&file, "ca").unwrap();
        let body: String = String::from_utf8(file)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let (a, b) = body.split_at(body.len() / 2);
        for text in [
            // Text before the block, few dashes, spaces and tabs inside.
            format!("comment\n--BEGIN CERTIFICATE--\n {a}\t\n{b}\n--END CERTIFICATE--\n"),
            // END running straight into the next BEGIN.
            format!("-----BEGIN CERTIFICATE-----{body}-----END CERTIFICATE----------BEGIN CERTIFICATE-----{body}-----END CERTIFICATE-----"),
        ] {
            let got = certificates(text.as_bytes(), "ca").unwrap();
            assert_eq!(got[0], want[0]);
        }
    }

    #[test]
    fn older_key_formats_and_ec_parameters() {
        for (old, pkcs8) in [
            ("ecdsa_p256_key_sec1.pem", "ecdsa_p256_key.pem"),
            ("rsa2048_key_pkcs1.pem", "rsa2048_key.pem"),
        ] {
            let a = private_key(&cert_file(old)).unwrap();
            let b = private_key(&cert_file(pkcs8)).unwrap();
            assert_ne!(a.secret_der(), b.secret_der(), "{old}: another encoding");
            assert!(!matches!(a, PrivateKeyDer::Pkcs8(_)), "{old}");
            let one = private_key(&one_line(&cert_file(old))).unwrap();
            assert_eq!(one.secret_der(), a.secret_der(), "{old}");
        }
        let key = String::from_utf8(cert_file("ecdsa_p256_key_sec1.pem")).unwrap();
        let with = format!(
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{key}"
        );
        assert_eq!(
            private_key(with.as_bytes()).unwrap().secret_der(),
            private_key(key.as_bytes()).unwrap().secret_der()
        );
    }

    /// Every message for bad input is short and says what is wrong.
    #[test]
    fn bad_input_gives_short_clear_messages() {
        let big = "A".repeat(5000);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"".to_vec(), "no PEM certificate"),
            (b"garbage".to_vec(), "no PEM certificate"),
            (
                format!("-----BEGIN CERTIFICATE-----{big}").into_bytes(),
                "no -----END CERTIFICATE-----",
            ),
            (
                format!("-----BEGIN PRIVATE KEY-----{big}-----END PRIVATE KEY-----").into_bytes(),
                "not a \"CERTIFICATE\" block",
            ),
            (
                b"----BEGIN CERTIFICATE----A===-----END CERTIFICATE-----".to_vec(),
                "bad base64",
            ),
            (
                format!("-----END CERTIFICATE-----{big}").into_bytes(),
                "not -----BEGIN",
            ),
        ];
        for (input, says) in cases {
            let e = certificates(&input, "certificate chain").unwrap_err();
            assert!(e.message.len() < 200, "{}", e.message);
            assert!(e.message.contains(says), "{} / {says}", e.message);
        }
        for (input, says) in [
            (b"junk".as_slice(), "no usable PEM key"),
            (
                b"-----BEGIN ENCRYPTED PRIVATE KEY-----AAAA-----END ENCRYPTED PRIVATE KEY-----",
                "encrypted",
            ),
            (
                b"-----BEGIN PRIVATE KEY-----A-----END PRIVATE KEY-----",
                "bad base64",
            ),
        ] {
            let e = private_key(input).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidPem);
            assert!(e.message.len() < 200, "{}", e.message);
            assert!(e.message.contains(says), "{} / {says}", e.message);
        }
    }
}
