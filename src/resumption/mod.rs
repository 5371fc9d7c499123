//! Session resumption: ticket keys and their windows, the sealed ticket format, the
//! per-connection ticket issuer (server), and client sessions.
pub mod cache;
pub mod client;
pub mod client_session;
pub mod seal;
pub mod server;
pub mod session_bytes;
pub mod session_line;
pub mod session_registry;
pub mod ticket_keys;
pub mod ticketer;
