//! One private key operation (`struct s2n_async_pkey_op`): the digest to sign,
//! the application's signature, and the delivery of that signature to the
//! processing step waiting for it. rs2n makes sign operations only: its suites
//! have no RSA key exchange, so there is never anything to decrypt.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

use rustls::pki_types::CertificateDer;
use rustls::SignatureScheme;
use zeroize::Zeroizing;

use super::check;
use crate::error::{Error, ErrorCode, Result};
use crate::owner::Owner;
use crate::sync;

/// What the waiting step receives: the signature, or why there is none.
pub(crate) type Outcome = Result<Vec<u8>>;

/// A sign operation, shared by the application's handle, the connection and the
/// step waiting for it.
#[derive(Clone, Debug)]
pub struct PkeyOp(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    owner: Owner,
    scheme: SignatureScheme,
    /// What rustls signs (kept for `perform`, which signs the message itself,
    /// and for strict validation).
    message: Vec<u8>,
    digest: Vec<u8>,
    leaf: CertificateDer<'static>,
    strict: bool,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    output: Option<Zeroizing<Vec<u8>>>,
    applied: bool,
    /// The waiting step; None once it has its outcome, or stopped waiting.
    deliver: Option<Sender<Outcome>>,
}

impl PkeyOp {
    pub(crate) fn new(
        owner: Owner,
        scheme: SignatureScheme,
        message: &[u8],
        digest: Vec<u8>,
        leaf: CertificateDer<'static>,
        strict: bool,
        deliver: Sender<Outcome>,
    ) -> Self {
        PkeyOp(Arc::new(Inner {
            owner,
            scheme,
            message: message.to_vec(),
            digest,
            leaf,
            strict,
            state: Mutex::new(State {
                output: None,
                applied: false,
                deliver: Some(deliver),
            }),
        }))
    }

    /// The connection it was made for.
    pub fn owner(&self) -> Owner {
        self.0.owner
    }

    /// The signature scheme the application must sign with.
    pub fn scheme(&self) -> SignatureScheme {
        self.0.scheme
    }

    /// `s2n_async_pkey_op_get_input`: the digest to sign (the hash of the signed
    /// content with the scheme's hash), as s2n gives it.
    pub fn input(&self) -> &[u8] {
        &self.0.digest
    }

    /// `s2n_async_pkey_op_set_output`: the application's signature (replacing any
    /// earlier one, as in s2n).
    pub fn set_output(&self, signature: &[u8]) {
        sync::lock(&self.0.state).output = Some(Zeroizing::new(signature.to_vec()));
    }

    /// `s2n_async_pkey_op_perform`: signs with `sign` (a chain's private key:
    /// scheme and message in, signature out), once.
    pub fn perform(
        &self,
        sign: impl FnOnce(SignatureScheme, &[u8]) -> Result<Vec<u8>>,
    ) -> Result<()> {
        if sync::lock(&self.0.state).output.is_some() {
            return Err(Error::code(ErrorCode::AsyncAlreadyPerformed));
        }
        // No lock while signing: an RSA signature takes a while.
        let signature = sign(self.0.scheme, &self.0.message)?;
        let mut state = sync::lock(&self.0.state);
        if state.output.is_some() {
            return Err(Error::code(ErrorCode::AsyncAlreadyPerformed));
        }
        state.output = Some(Zeroizing::new(signature));
        Ok(())
    }

    /// `s2n_async_pkey_op_apply`: hands the signature to the connection `owner`'s
    /// waiting handshake. With strict validation, a signature that does not
    /// verify is refused (S2N_ERR_VERIFY_SIGNATURE) and the handshake keeps
    /// waiting, as in s2n: set a good output and apply again, or free the op.
    pub fn apply(&self, owner: Owner) -> Result<()> {
        let mut state = sync::lock(&self.0.state);
        if state.applied {
            return Err(Error::code(ErrorCode::AsyncAlreadyApplied));
        }
        let Some(output) = state.output.clone() else {
            return Err(Error::new(
                ErrorCode::AsyncNotPerformed,
                "no output yet: call s2n_async_pkey_op_perform or s2n_async_pkey_op_set_output first",
            ));
        };
        if owner != self.0.owner {
            return Err(Error::new(
                ErrorCode::AsyncWrongConnection,
                "the operation belongs to another connection",
            ));
        }
        let Some(deliver) = state.deliver.take() else {
            return Err(Error::new(
                ErrorCode::AsyncWrongConnection,
                "the connection no longer waits for this operation (it failed, or was wiped or freed)",
            ));
        };
        if self.0.strict {
            if let Err(e) = check::verify(&self.0.leaf, self.0.scheme, &self.0.message, &output) {
                state.deliver = Some(deliver);
                return Err(e);
            }
        }
        state.applied = true;
        // The step may have stopped waiting meanwhile: nothing to do then.
        let _ = deliver.send(Ok(output.to_vec()));
        Ok(())
    }

    /// The application let the operation go without applying it
    /// (`s2n_async_pkey_op_free`): the handshake fails.
    pub fn abandon(&self) {
        self.stop(Error::new(
            ErrorCode::AsyncCallbackFailed,
            "the async private key operation was freed without being applied",
        ));
    }

    /// Ends the wait with `error`, unless the signature was already delivered.
    pub(crate) fn stop(&self, error: Error) {
        if let Some(deliver) = sync::lock(&self.0.state).deliver.take() {
            let _ = deliver.send(Err(error));
        }
    }

    /// Whether the waiting step has its outcome (applied, abandoned, stopped).
    pub(crate) fn settled(&self) -> bool {
        sync::lock(&self.0.state).deliver.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::testing::cert_file;
    use crate::pem;
    use crate::pkey::key::ChainKey;
    use std::sync::mpsc::channel;

    fn make_op(strict: bool) -> (PkeyOp, std::sync::mpsc::Receiver<Outcome>, ChainKey) {
        let cert = pem::certificates(&cert_file("ecdsa_p256_cert.pem"), "t").unwrap()[0].clone();
        let der = pem::private_key(&cert_file("ecdsa_p256_key.pem")).unwrap();
        let private = rustls::crypto::ring::sign::any_supported_type(&der).unwrap();
        let key = ChainKey::new(cert.clone(), Some(private)).unwrap();
        let scheme = SignatureScheme::ECDSA_NISTP256_SHA256;
        let digest = check::digest(scheme, b"signed").unwrap();
        let (tx, rx) = channel();
        let op = PkeyOp::new(Owner::new(7), scheme, b"signed", digest, cert, strict, tx);
        (op, rx, key)
    }

    #[test]
    fn perform_then_apply_delivers_once() {
        let (op, rx, key) = make_op(true);
        assert_eq!(op.input().len(), 32);
        let e = op.apply(Owner::new(7)).unwrap_err();
        assert_eq!(e.code, ErrorCode::AsyncNotPerformed);
        op.perform(|s, m| key.sign_now(s, m)).unwrap();
        assert_eq!(
            op.perform(|s, m| key.sign_now(s, m)).unwrap_err().code,
            ErrorCode::AsyncAlreadyPerformed
        );
        let e = op.apply(Owner::new(8)).unwrap_err();
        assert_eq!(e.code, ErrorCode::AsyncWrongConnection);
        assert!(!op.settled());
        op.apply(Owner::new(7)).unwrap();
        assert!(op.settled());
        assert_eq!(
            op.apply(Owner::new(7)).unwrap_err().code,
            ErrorCode::AsyncAlreadyApplied
        );
        let sig = rx.recv().unwrap().unwrap();
        check::verify(&op.0.leaf, op.scheme(), b"signed", &sig).unwrap();
        op.abandon();
        assert!(rx.try_recv().is_err(), "nothing after the signature");
    }

    #[test]
    fn strict_validation_refuses_a_wrong_signature_and_keeps_waiting() {
        let (op, rx, key) = make_op(true);
        op.set_output(b"not a signature");
        let e = op.apply(Owner::new(7)).unwrap_err();
        assert_eq!(e.code, ErrorCode::VerifySignature);
        assert!(!op.settled() && rx.try_recv().is_err());
        let good = key.sign_now(op.scheme(), b"signed").unwrap();
        op.set_output(&good);
        op.apply(Owner::new(7)).unwrap();
        assert!(rx.recv().unwrap().is_ok());
    }

    #[test]
    fn fast_validation_passes_anything_and_abandon_fails_the_wait() {
        let (op, rx, _) = make_op(false);
        op.set_output(b"garbage");
        op.apply(Owner::new(7)).unwrap();
        assert_eq!(rx.recv().unwrap().unwrap(), b"garbage");
        let (op, rx, _) = make_op(false);
        op.abandon();
        let e = rx.recv().unwrap().unwrap_err();
        assert_eq!(e.code, ErrorCode::AsyncCallbackFailed);
        assert!(op.settled());
        op.set_output(b"late");
        assert_eq!(
            op.apply(Owner::new(7)).unwrap_err().code,
            ErrorCode::AsyncWrongConnection
        );
    }
}
