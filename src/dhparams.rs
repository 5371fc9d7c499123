//! Diffie-Hellman parameters (`s2n_config_add_dhparams`): read and checked as
//! s2n-tls checks them, then unused, since rs2n offers no DHE suite (rustls has
//! none; every s2n policy rs2n accepts is left with ECDHE and TLS1.3 only), so s2n
//! itself would never use them with the suites rs2n negotiates.

use x509_cert::der::asn1::UintRef;
use x509_cert::der::{Decode, Reader, SliceReader};

use crate::error::{Error, ErrorCode, Result};
use crate::pem;

/// s2n's smallest DH prime.
const MIN_PRIME_BITS: usize = 2048;

fn invalid(what: &str) -> Error {
    Error::new(ErrorCode::InvalidPkcs3, format!("DH parameters: {what}"))
}

/// Checks PEM "DH PARAMETERS" (PKCS#3: a prime, a generator and an optional
/// private value length) as s2n does: well-formed DER, nothing after it, a prime
/// of at least 2048 bits, a generator between 2 and p - 2. (s2n also has OpenSSL
/// test the prime's primality; rs2n does not, as the parameters are never used.)
pub fn check(pem_text: &[u8]) -> Result<()> {
    let der = pem::first_block(pem_text, "DH PARAMETERS")?;
    let mut reader = SliceReader::new(&der).map_err(|_| invalid("empty"))?;
    let (p, g) = reader
        .sequence(|r| {
            let p = UintRef::decode(r)?.as_bytes().to_vec();
            let g = UintRef::decode(r)?.as_bytes().to_vec();
            if !r.is_finished() {
                let _length = UintRef::decode(r)?;
            }
            Ok((p, g))
        })
        .map_err(|_| invalid("not a PKCS#3 DHParameter"))?;
    if !reader.is_finished() {
        return Err(invalid("bytes after the parameters"));
    }
    let bits = p.len() * 8 - p.first().map_or(8, |b| b.leading_zeros() as usize);
    if bits < MIN_PRIME_BITS {
        return Err(Error::new(
            ErrorCode::DhTooSmall,
            format!("the DH prime has {bits} bits: at least {MIN_PRIME_BITS} are needed"),
        ));
    }
    let odd = p.last().is_some_and(|b| b & 1 == 1);
    // 2 <= g, and g < p - 1 (g shorter than p, or of its length and smaller).
    let g_ok = g.len() > 1 || g.first().is_some_and(|&b| b >= 2);
    let g_below = g.len() < p.len() || (g.len() == p.len() && g < p);
    if !odd || !g_ok || !g_below {
        return Err(invalid("the prime or generator is not valid"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::testing::cert_file;

    #[test]
    fn s2ns_checks() {
        check(&cert_file("dhparams_2048.pem")).unwrap();
        let e = check(&cert_file("dhparams_1024.pem")).unwrap_err();
        assert_eq!(e.code, ErrorCode::DhTooSmall);
        let e = check(&cert_file("ecdsa_p256_cert.pem")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidPem);
        let bad = "-----BEGIN DH PARAMETERS-----\nMAMCAQI=\n-----END DH PARAMETERS-----\n";
        let e = check(bad.as_bytes()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidPkcs3, "{e}");
    }
}
