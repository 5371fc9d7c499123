//! What rs2n reads inside X.509 certificates, with RustCrypto's `x509-cert` (a
//! strict DER parser): extensions by OID (`s2n_cert_get_x509_extension_value`), a
//! UTF8String in extension data, and the DNS names a certificate is for (its
//! subjectAltName dNSNames, else its subject's common names, as s2n takes them).
//! Certificates may come from the peer: nothing here trusts their bytes.

use std::str::FromStr;

use x509_cert::der::asn1::{ObjectIdentifier, Utf8StringRef};
use x509_cert::der::{Decode, Encode, SliceReader, Tag, Tagged};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

use crate::error::{Error, ErrorCode, Result};

/// The common name attribute (2.5.4.3).
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

fn parse(der: &[u8]) -> Result<Certificate> {
    Certificate::from_der(der).map_err(|_| {
        Error::new(
            ErrorCode::CertInvalid,
            "the certificate is not valid DER X.509",
        )
    })
}

/// OpenSSL's short and long names of the common certificate extensions, which
/// s2n (through OpenSSL's OBJ_txt2obj) accepts in place of the dotted OID.
const EXTENSION_NAMES: &[(&str, &str, &str)] = &[
    (
        "subjectKeyIdentifier",
        "X509v3 Subject Key Identifier",
        "2.5.29.14",
    ),
    ("keyUsage", "X509v3 Key Usage", "2.5.29.15"),
    (
        "subjectAltName",
        "X509v3 Subject Alternative Name",
        "2.5.29.17",
    ),
    (
        "issuerAltName",
        "X509v3 Issuer Alternative Name",
        "2.5.29.18",
    ),
    ("basicConstraints", "X509v3 Basic Constraints", "2.5.29.19"),
    ("nameConstraints", "X509v3 Name Constraints", "2.5.29.30"),
    (
        "crlDistributionPoints",
        "X509v3 CRL Distribution Points",
        "2.5.29.31",
    ),
    (
        "certificatePolicies",
        "X509v3 Certificate Policies",
        "2.5.29.32",
    ),
    (
        "authorityKeyIdentifier",
        "X509v3 Authority Key Identifier",
        "2.5.29.35",
    ),
    ("extendedKeyUsage", "X509v3 Extended Key Usage", "2.5.29.37"),
    (
        "authorityInfoAccess",
        "Authority Information Access",
        "1.3.6.1.5.5.7.1.1",
    ),
    ("tlsfeature", "TLS Feature", "1.3.6.1.5.5.7.1.24"),
    (
        "ct_precert_scts",
        "CT Precertificate SCTs",
        "1.3.6.1.4.1.11129.2.4.2",
    ),
];

/// An extension's value (the contents of its extnValue OCTET STRING) and whether
/// it is critical. `oid` is in dotted form ("2.5.29.17"), or one of OpenSSL's
/// names for the common extensions ("subjectAltName").
pub fn extension(der: &[u8], oid: &str) -> Result<(Vec<u8>, bool)> {
    let dotted = EXTENSION_NAMES
        .iter()
        .find(|(short, long, _)| *short == oid || *long == oid)
        .map_or(oid, |(_, _, dotted)| dotted);
    let wanted = ObjectIdentifier::from_str(dotted).map_err(|_| {
        Error::usage(
            "the OID must be in dotted decimal form, e.g. \"2.5.29.17\", or a common extension's OpenSSL name",
        )
    })?;
    let cert = parse(der)?;
    let found = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == wanted);
    match found {
        Some(e) => Ok((e.extn_value.as_bytes().to_vec(), e.critical)),
        None => Err(Error::new(
            ErrorCode::ExtensionNotFound,
            format!("the certificate has no extension {oid}"),
        )),
    }
}

/// The text of a DER UTF8String at the start of `data` (bytes after it are
/// ignored, as s2n does).
pub fn utf8_string(data: &[u8]) -> Result<&str> {
    let wrong = || {
        Error::new(
            ErrorCode::InvalidExtensionType,
            "the extension data is not a DER UTF8String",
        )
    };
    let mut reader = SliceReader::new(data).map_err(|_| wrong())?;
    let s = Utf8StringRef::decode(&mut reader).map_err(|_| wrong())?;
    Ok(s.as_str())
}

/// The DNS names a certificate is for: its subjectAltName dNSNames, or, if it has
/// none, the common names of its subject. Lowercased. A certificate that does not
/// parse has none.
pub fn dns_names(der: &[u8]) -> Vec<String> {
    let Ok(cert) = parse(der) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    if let Ok(Some((_, san))) = cert.tbs_certificate.get::<SubjectAltName>() {
        for name in san.0 {
            if let GeneralName::DnsName(dns) = name {
                names.push(dns.as_str().to_ascii_lowercase());
            }
        }
    }
    if names.is_empty() {
        for rdn in cert.tbs_certificate.subject.0.iter() {
            for atv in rdn.0.iter().filter(|a| a.oid == COMMON_NAME) {
                let text = match atv.value.tag() {
                    Tag::Utf8String | Tag::PrintableString | Tag::Ia5String => {
                        std::str::from_utf8(atv.value.value()).ok()
                    }
                    _ => None,
                };
                names.extend(text.map(str::to_ascii_lowercase));
            }
        }
    }
    names
}

/// How a server name matches a certificate's names (`s2n_cert_sni_match`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameMatch {
    Exact,
    Wildcard,
    None,
}

/// How `server_name` matches `names` (as [`dns_names`] gives them): exactly (ASCII
/// case ignored), or by a "*.rest" name covering its first label, as s2n matches.
pub fn match_name(names: &[String], server_name: &str) -> NameMatch {
    let sni = server_name.to_ascii_lowercase();
    if names.contains(&sni) {
        return NameMatch::Exact;
    }
    let wildcard = sni.split_once('.').map(|(_, rest)| format!("*.{rest}"));
    match wildcard {
        Some(w) if names.contains(&w) => NameMatch::Wildcard,
        _ => NameMatch::None,
    }
}

/// A DER UTF8String holding `s` (for tests and fuzz seeds).
pub fn encode_utf8_string(s: &str) -> Vec<u8> {
    Utf8StringRef::new(s)
        .and_then(|u| u.to_der())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::testing::cert_file;
    use crate::pem;

    fn leaf(file: &str) -> Vec<u8> {
        pem::certificates(&cert_file(file), "test").unwrap()[0].to_vec()
    }

    #[test]
    fn subject_alt_name_extension_and_names() {
        let der = leaf("ecdsa_p256_cert.pem");
        let (value, critical) = extension(&der, "2.5.29.17").unwrap();
        assert!(!critical);
        // A SEQUENCE of GeneralNames holding "localhost".
        assert_eq!(value[0], 0x30);
        assert!(value.windows(9).any(|w| w == b"localhost"));
        assert!(dns_names(&der).contains(&"localhost".to_string()));
        assert_eq!(dns_names(&leaf("wrong_name_cert.pem")), ["wrong.example"]);
    }

    #[test]
    fn missing_extension_bad_oid_and_bad_der() {
        let der = leaf("ecdsa_p256_cert.pem");
        let e = extension(&der, "1.2.3.4").unwrap_err();
        assert_eq!(e.code, ErrorCode::ExtensionNotFound);
        let e = extension(&der, "noSuchExtension").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert_eq!(
            extension(&der, "subjectAltName").unwrap(),
            extension(&der, "2.5.29.17").unwrap()
        );
        assert_eq!(
            extension(&der, "X509v3 Subject Alternative Name").unwrap(),
            extension(&der, "2.5.29.17").unwrap()
        );
        let e = extension(&der[..der.len() - 1], "2.5.29.17").unwrap_err();
        assert_eq!(e.code, ErrorCode::CertInvalid);
        assert!(dns_names(b"junk").is_empty());
    }

    #[test]
    fn utf8_strings() {
        let der = encode_utf8_string("héllo");
        assert_eq!(utf8_string(&der).unwrap(), "héllo");
        let mut trailing = der.clone();
        trailing.extend_from_slice(b"xyz");
        assert_eq!(utf8_string(&trailing).unwrap(), "héllo");
        // A PrintableString, a truncated string, nothing.
        for bad in [&[0x13, 0x01, b'a'][..], &der[..der.len() - 1], &[]] {
            let e = utf8_string(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidExtensionType);
        }
    }

    #[test]
    fn name_matching() {
        let names = vec!["localhost".to_string(), "*.example.com".to_string()];
        assert_eq!(match_name(&names, "LocalHost"), NameMatch::Exact);
        assert_eq!(match_name(&names, "www.example.com"), NameMatch::Wildcard);
        assert_eq!(match_name(&names, "a.b.example.com"), NameMatch::None);
        assert_eq!(match_name(&names, "example.com"), NameMatch::None);
    }
}
