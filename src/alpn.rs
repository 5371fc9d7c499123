//! Application protocols (ALPN, RFC 7301): a preference list as s2n keeps it, and
//! the server's choice by its own order of preference.

use crate::error::{Error, ErrorCode, Result};

/// The most bytes a list may take on the wire (its 2-byte length field).
const MAX_LIST_LEN: usize = u16::MAX as usize;

/// An ordered list of protocol names, most preferred first. Each name is 1 to 255
/// bytes; the list's wire form (a length byte before each name) fits in 65535 bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProtocolList {
    names: Vec<Vec<u8>>,
    wire_len: usize,
}

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidApplicationProtocol, message)
}

impl ProtocolList {
    /// A list from `names` (`s2n_*_set_protocol_preferences`); nothing is kept if
    /// one name is empty, longer than 255 bytes, or the list is too long.
    pub fn from_names<N: AsRef<[u8]>>(names: &[N]) -> Result<Self> {
        let mut list = ProtocolList::default();
        for name in names {
            list.append(name.as_ref())?;
        }
        Ok(list)
    }

    /// Adds a name at the end (`s2n_*_append_protocol_preference`); the list is
    /// unchanged on failure.
    pub fn append(&mut self, name: &[u8]) -> Result<()> {
        if name.is_empty() {
            return Err(invalid(
                "an application protocol name cannot be empty (RFC 7301 3.1)".into(),
            ));
        }
        if name.len() > 255 {
            return Err(invalid(format!(
                "application protocol name of {} bytes: at most 255",
                name.len()
            )));
        }
        let wire_len = self.wire_len + 1 + name.len();
        if wire_len > MAX_LIST_LEN {
            return Err(invalid(format!(
                "the application protocol list would take {wire_len} bytes: at most {MAX_LIST_LEN}"
            )));
        }
        self.names.push(name.to_vec());
        self.wire_len = wire_len;
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn names(&self) -> &[Vec<u8>] {
        &self.names
    }

    /// The server's choice, as s2n makes it: its first protocol, in its own order,
    /// that the client offers; `None` when they share none (the handshake then goes
    /// on without ALPN).
    pub fn select(&self, offered: &[Vec<u8>]) -> Option<&[u8]> {
        self.names
            .iter()
            .find(|ours| offered.iter().any(|theirs| theirs == *ours))
            .map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_their_order_and_refuse_bad_names() {
        let mut l = ProtocolList::from_names(&["h2", "http/1.1"]).unwrap();
        l.append(b"spdy/3").unwrap();
        assert_eq!(
            l.names(),
            &[b"h2".to_vec(), b"http/1.1".to_vec(), b"spdy/3".to_vec()]
        );
        let before = l.clone();
        assert_eq!(
            l.append(b"").unwrap_err().code,
            ErrorCode::InvalidApplicationProtocol
        );
        assert!(l.append(&[b'x'; 256]).is_err());
        assert_eq!(l, before, "a refused name leaves the list alone");
        l.append(&[b'x'; 255]).unwrap();
        assert!(ProtocolList::from_names(&["a", ""]).is_err());
        assert!(ProtocolList::from_names::<&str>(&[]).unwrap().is_empty());
    }

    #[test]
    fn the_list_fits_its_length_field() {
        let name = [b'p'; 255];
        let mut l = ProtocolList::default();
        // 256 bytes per name on the wire: 255 names take 65280 bytes.
        for _ in 0..255 {
            l.append(&name).unwrap();
        }
        assert!(l.append(&name).is_err());
        // 65535 - 65280 = 255 bytes left: a 254-byte name (plus its length byte) fits.
        l.append(&name[..254]).unwrap();
        assert!(l.append(b"x").is_err());
    }

    #[test]
    fn the_server_chooses_by_its_own_order() {
        let server = ProtocolList::from_names(&["h2", "http/1.1"]).unwrap();
        let client = |n: &[&str]| n.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(
            server.select(&client(&["http/1.1", "h2"])),
            Some(&b"h2"[..])
        );
        assert_eq!(
            server.select(&client(&["spdy", "http/1.1"])),
            Some(&b"http/1.1"[..])
        );
        assert_eq!(server.select(&client(&["spdy"])), None);
        assert_eq!(ProtocolList::default().select(&client(&["h2"])), None);
    }
}
