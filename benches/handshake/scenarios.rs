//! The scenarios measured: protocol version (through an rs2n policy name) and
//! how the client resumes, if at all.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Resume {
    /// Full handshakes, no resumption configured.
    None,
    /// Stateless tickets (TLS1.3 PSK tickets or TLS1.2 RFC 5077 tickets).
    Ticket,
    /// TLS1.2 session ID through the server's session storage.
    SessionId,
}

pub struct Scenario {
    pub name: &'static str,
    pub policy: &'static str,
    pub version: rustls::ProtocolVersion,
    pub resume: Resume,
}

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "TLS1.3 full",
        policy: "default_tls13",
        version: rustls::ProtocolVersion::TLSv1_3,
        resume: Resume::None,
    },
    Scenario {
        name: "TLS1.3 resumed (ticket)",
        policy: "default_tls13",
        version: rustls::ProtocolVersion::TLSv1_3,
        resume: Resume::Ticket,
    },
    Scenario {
        name: "TLS1.2 full",
        policy: "20240501",
        version: rustls::ProtocolVersion::TLSv1_2,
        resume: Resume::None,
    },
    Scenario {
        name: "TLS1.2 resumed (ticket)",
        policy: "20240501",
        version: rustls::ProtocolVersion::TLSv1_2,
        resume: Resume::Ticket,
    },
    Scenario {
        name: "TLS1.2 resumed (session ID)",
        policy: "20240501",
        version: rustls::ProtocolVersion::TLSv1_2,
        resume: Resume::SessionId,
    },
];
