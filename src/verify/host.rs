//! The host check: whether the names in a peer's certificate are acceptable.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::CertificateError;
use webpki::EndEntityCert;

/// The server name a client uses when the application set none: rustls needs one,
/// sends no SNI for an IP address, and the default host check refuses this one, as
/// s2n's default check fails when no server name was set.
pub fn no_server_name() -> ServerName<'static> {
    ServerName::from(std::net::Ipv4Addr::UNSPECIFIED)
}

/// The application's verify-host callback (`s2n_verify_host_fn`): true to trust
/// a name of the peer's certificate.
pub trait VerifyHost: Send + Sync + std::fmt::Debug {
    fn verify(&self, name: &[u8]) -> bool;
}

/// How a connection checks the names in its peer's certificate.
#[derive(Clone, Debug)]
pub enum HostRule {
    /// The application's callback, called with each name until one is trusted.
    Callback(Arc<dyn VerifyHost>),
    /// A client's default: the certificate must be valid for the server name set
    /// with `s2n_set_server_name` (RFC 6125 matching, by webpki).
    ServerName,
    /// A server's default, as s2n's: a name in the client's certificate must match
    /// the name the client asked for (SNI; none means no match).
    ClientSni(Option<String>),
}

impl HostRule {
    /// Checks `end_entity`'s names; `server_name` is the client's name for the
    /// server (a client's check).
    pub fn check(
        &self,
        end_entity: &CertificateDer<'_>,
        server_name: Option<&ServerName<'_>>,
    ) -> Result<(), rustls::Error> {
        let trusted = match self {
            HostRule::ServerName => {
                return match server_name {
                    Some(name) if *name != no_server_name() => {
                        let cert = EndEntityCert::try_from(end_entity)
                            .map_err(|_| CertificateError::BadEncoding)?;
                        cert.verify_is_valid_for_subject_name(name)
                            .map_err(|_| CertificateError::NotValidForName.into())
                    }
                    _ => Err(CertificateError::NotValidForName.into()),
                };
            }
            HostRule::Callback(callback) => cert_names(end_entity)?
                .iter()
                .any(|n| callback.verify(n.as_bytes())),
            HostRule::ClientSni(sni) => match sni {
                Some(sni) => cert_names(end_entity)?
                    .iter()
                    .any(|n| default_match(sni, n)),
                None => false,
            },
        };
        match trusted {
            true => Ok(()),
            false => Err(CertificateError::NotValidForName.into()),
        }
    }
}

/// The names a host check is given, as s2n gives them: the DNS and URI names of
/// the subject alternative names, or one empty name when there is none.
///
/// Differs from s2n-tls, which also passes IP address entries (as text) and, with
/// no alternative name, the subject's common name: webpki exposes neither.
pub fn cert_names(end_entity: &CertificateDer<'_>) -> Result<Vec<String>, rustls::Error> {
    let cert = EndEntityCert::try_from(end_entity).map_err(|_| CertificateError::BadEncoding)?;
    let mut names: Vec<String> = cert.valid_dns_names().map(str::to_string).collect();
    names.extend(cert.valid_uri_names().map(str::to_string));
    if names.is_empty() {
        names.push(String::new());
    }
    Ok(names)
}

/// s2n's default host match: the whole name, ignoring ASCII case, or a `*.`
/// wildcard standing for exactly the first label.
pub fn default_match(expected: &str, presented: &str) -> bool {
    if expected.is_empty() {
        return false;
    }
    if expected.eq_ignore_ascii_case(presented) {
        return true;
    }
    match (presented.strip_prefix('*'), expected.find('.')) {
        (Some(suffix), Some(dot)) if presented.len() > 2 && suffix.starts_with('.') => {
            expected[dot..].eq_ignore_ascii_case(suffix)
        }
        _ => false,
    }
}
