//! Hellos for tests and fuzz seeds: a ClientHello taken apart, edited and put
//! together again, and the framing around it. Lengths are written from the
//! contents; a test that wants a wrong length edits the bytes.

/// A ClientHello's fields (the body after the handshake header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHelloParts {
    pub legacy_version: u16,
    pub random: [u8; 32],
    pub session_id: Vec<u8>,
    pub cipher_suites: Vec<u8>,
    pub compression: Vec<u8>,
    /// `None`: no extension block at all.
    pub extensions: Option<Vec<(u16, Vec<u8>)>>,
}

impl Default for ClientHelloParts {
    /// A minimal valid TLS1.2 ClientHello (no extensions).
    fn default() -> Self {
        ClientHelloParts {
            legacy_version: 0x0303,
            random: [7; 32],
            session_id: Vec::new(),
            cipher_suites: vec![0xc0, 0x2b],
            compression: vec![0],
            extensions: None,
        }
    }
}

fn u16_len(n: usize) -> [u8; 2] {
    u16::try_from(n)
        .expect("a test field fits its length")
        .to_be_bytes()
}

impl ClientHelloParts {
    /// Takes apart a ClientHello message (with its 4-byte handshake header), as a
    /// well-behaved client sends it. Panics on anything else: a test fixture.
    pub fn parse(message: &[u8]) -> Self {
        assert_eq!(message[0], 1, "a ClientHello");
        let mut at = 4;
        let mut take = |n: usize| {
            let s = &message[at..at + n];
            at += n;
            s
        };
        let legacy_version = u16::from_be_bytes(take(2).try_into().unwrap());
        let random = take(32).try_into().unwrap();
        let n = usize::from(take(1)[0]);
        let session_id = take(n).to_vec();
        let n = usize::from(u16::from_be_bytes(take(2).try_into().unwrap()));
        let cipher_suites = take(n).to_vec();
        let n = usize::from(take(1)[0]);
        let compression = take(n).to_vec();
        let n = usize::from(u16::from_be_bytes(take(2).try_into().unwrap()));
        let mut block = take(n);
        let mut extensions = Vec::new();
        while !block.is_empty() {
            let kind = u16::from_be_bytes([block[0], block[1]]);
            let len = usize::from(u16::from_be_bytes([block[2], block[3]]));
            extensions.push((kind, block[4..4 + len].to_vec()));
            block = &block[4 + len..];
        }
        ClientHelloParts {
            legacy_version,
            random,
            session_id,
            cipher_suites,
            compression,
            extensions: Some(extensions),
        }
    }

    /// The body, lengths written from the contents.
    pub fn body(&self) -> Vec<u8> {
        let mut b = self.legacy_version.to_be_bytes().to_vec();
        b.extend(self.random);
        b.push(u8::try_from(self.session_id.len()).expect("session ID fits"));
        b.extend(&self.session_id);
        b.extend(u16_len(self.cipher_suites.len()));
        b.extend(&self.cipher_suites);
        b.push(u8::try_from(self.compression.len()).expect("compression fits"));
        b.extend(&self.compression);
        if let Some(extensions) = &self.extensions {
            let mut block = Vec::new();
            for (kind, data) in extensions {
                block.extend(kind.to_be_bytes());
                block.extend(u16_len(data.len()));
                block.extend(data);
            }
            b.extend(u16_len(block.len()));
            b.extend(block);
        }
        b
    }

    /// The handshake message.
    pub fn message(&self) -> Vec<u8> {
        handshake(1, &self.body())
    }

    /// The extension of this type, to edit.
    pub fn extension(&mut self, kind: u16) -> Option<&mut Vec<u8>> {
        self.extensions
            .as_mut()?
            .iter_mut()
            .find(|(k, _)| *k == kind)
            .map(|(_, d)| d)
    }

    /// Removes every extension of this type.
    pub fn remove(&mut self, kind: u16) {
        if let Some(e) = &mut self.extensions {
            e.retain(|(k, _)| *k != kind);
        }
    }
}

/// A handshake message: type, 24-bit length, body.
pub fn handshake(typ: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![typ];
    m.extend(&u32::try_from(body.len()).unwrap().to_be_bytes()[1..]);
    m.extend(body);
    m
}

/// `bytes` in handshake records of at most `split` bytes each.
pub fn records(bytes: &[u8], split: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in bytes.chunks(split) {
        out.extend([22, 3, 1]);
        out.extend(u16_len(chunk.len()));
        out.extend(chunk);
    }
    out
}

/// A pre_shared_key extension body offering these identities (age 1) and binders.
pub fn psk_extension(identities: &[&[u8]], binders: &[&[u8]]) -> Vec<u8> {
    let mut ids = Vec::new();
    for id in identities {
        ids.extend(u16_len(id.len()));
        ids.extend(*id);
        ids.extend(1u32.to_be_bytes());
    }
    let mut bs = Vec::new();
    for b in binders {
        bs.push(u8::try_from(b.len()).unwrap());
        bs.extend(*b);
    }
    let mut out = u16_len(ids.len()).to_vec();
    out.extend(ids);
    out.extend(u16_len(bs.len()));
    out.extend(bs);
    out
}

/// A valid PSK binder (SHA-256 sized).
pub const BINDER: &[u8] = &[0xbb; 32];

/// Refusals of [`malformed_hellos`] that rustls 0.23 does not always make itself:
/// RFC 8446 requirements it checks only when it resumes (binder length) or
/// negotiates TLS1.2 (the legacy version). No real client breaks them.
pub const STRICTER_THAN_RUSTLS: &[&str] = &["legacy_version", "PSK binder of 31 bytes"];

/// Ways to spoil `base` (which offers supported_versions and, last, a PSK), as
/// wire bytes, each with words its refusal names.
pub fn malformed_hellos(base: &ClientHelloParts) -> Vec<(&'static str, Vec<u8>)> {
    type Edit = Box<dyn Fn(&mut ClientHelloParts)>;
    let ext = |p: &mut ClientHelloParts, kind| p.extension(kind).expect("base has it").clone();
    let psk = |ids: &'static [&'static [u8]], binders: &'static [&'static [u8]]| -> Edit {
        Box::new(move |p| *p.extension(41).unwrap() = psk_extension(ids, binders))
    };
    let edits: Vec<(&str, Edit)> = vec![
        ("legacy_version", Box::new(|p| p.legacy_version = 0x0200)),
        ("session ID of 33", Box::new(|p| p.session_id = vec![1; 33])),
        (
            "session ID of 255",
            Box::new(|p| p.session_id = vec![1; 255]),
        ),
        ("cipher_suites of 0", Box::new(|p| p.cipher_suites.clear())),
        (
            "cipher_suites of 3",
            Box::new(|p| p.cipher_suites = vec![0x13, 1, 0]),
        ),
        ("empty compression", Box::new(|p| p.compression.clear())),
        (
            "appears twice",
            Box::new(move |p| {
                let sv = ext(p, 43);
                p.extensions.as_mut().unwrap().insert(0, (43, sv));
            }),
        ),
        (
            "appears twice",
            Box::new(|p| {
                let e = p.extensions.as_mut().unwrap();
                e.insert(0, (0xfafa, vec![]));
                e.insert(0, (0xfafa, vec![1]));
            }),
        ),
        (
            "not the last",
            Box::new(|p| p.extensions.as_mut().unwrap().push((0xfafa, vec![0; 4]))),
        ),
        (
            "PSK identities is cut short",
            Box::new(|p| p.extension(41).unwrap().truncate(5)),
        ),
        (
            "stray bytes after the PSK binders",
            Box::new(|p| p.extension(41).unwrap().push(0)),
        ),
        ("empty PSK identity", psk(&[b""], &[BINDER])),
        ("0 PSK identities with 1 binders", psk(&[], &[BINDER])),
        ("1 PSK identities with 0 binders", psk(&[b"abc"], &[])),
        (
            "2 PSK identities with 1 binders",
            psk(&[b"a", b"b"], &[BINDER]),
        ),
        ("PSK binder of 31 bytes", psk(&[b"abc"], &[&[0; 31]])),
        (
            "supported_versions of 0",
            Box::new(|p| *p.extension(43).unwrap() = vec![0]),
        ),
        (
            "supported_versions of 3",
            Box::new(|p| *p.extension(43).unwrap() = vec![3, 3, 4, 3]),
        ),
        (
            "stray bytes after supported_versions",
            Box::new(|p| p.extension(43).unwrap().push(0)),
        ),
        (
            "supported_versions is cut short",
            Box::new(|p| p.extension(43).unwrap().truncate(1)),
        ),
    ];
    let full = |m: &[u8]| records(m, 1 << 14);
    let mut out: Vec<(&str, Vec<u8>)> = edits
        .into_iter()
        .map(|(reason, edit)| {
            let mut p = base.clone();
            edit(&mut p);
            (reason, full(&p.message()))
        })
        .collect();
    // The structure around the fields, and the records around the message.
    let body = base.body();
    let message = base.message();
    let mut huge = handshake(1, &[0; 10]);
    huge[1..4].copy_from_slice(&[1, 0, 0]);
    let hello = full(&message);
    // A whole record one byte too long: the hello, then zeros.
    let mut big_record = vec![22, 3, 1, 0x40, 0x01];
    big_record.extend(&message);
    big_record.resize(5 + (1 << 14) + 1, 0);
    out.extend([
        (
            "stray bytes after the extensions",
            full(&handshake(1, &[&body[..], &[0]].concat())),
        ),
        (
            "extensions is cut short",
            full(&handshake(1, &body[..body.len() - 1])),
        ),
        ("random is cut short", full(&handshake(1, &body[..20]))),
        ("of type 2, not a ClientHello", full(&handshake(2, &body))),
        (
            "content type 23",
            [&[23, 3, 3, 0, 1, 0][..], &hello].concat(),
        ),
        (
            "record version 0x0200",
            [&[22, 2, 0][..], &hello[3..]].concat(),
        ),
        (
            "record of 0 bytes",
            [&[22, 3, 1, 0, 0][..], &hello].concat(),
        ),
        ("record of 16385 bytes", big_record),
        ("message of 65536 bytes", full(&huge)),
        ("content type 20", b"\x14\x03\x03\x00\x01\x01".to_vec()),
        ("content type 71", b"GET / HTTP/1.1\r\n\r\n".to_vec()),
    ]);
    out
}
