//! How the C layer names a connection in the callbacks the connection makes.

/// cbindgen:ignore
/// An opaque token the C layer gives a connection (its handle's address) and gets
/// back in each application callback the connection makes (cache, session ticket),
/// so the callback receives the right `struct s2n_connection *`. The core never
/// reads it; a connection made from Rust has [`Owner::NONE`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Owner(usize);

/// cbindgen:ignore
impl Owner {
    /// No C handle: a connection used from Rust.
    pub const NONE: Owner = Owner(0);

    pub fn new(token: usize) -> Self {
        Owner(token)
    }

    pub fn token(self) -> usize {
        self.0
    }
}
