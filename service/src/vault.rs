//! Secrets at rest: cloud credentials and private keys are sealed with
//! AES-256-GCM under a key derived (HKDF-SHA256) from the installation's
//! secret key, with a fresh random nonce each time and the owning row's
//! immutable id as associated data, so a sealed value copied onto another
//! row does not open.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::{
    aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN},
    hkdf,
};

use domain::ErrorKind;

const VERSION: &str = "v1.";
const PURPOSE: &[u8] = b"overcast/seal/v1";

/// Seals and opens secrets. Cheap to clone; never prints its key.
#[derive(Clone)]
pub struct Vault {
    key: std::sync::Arc<LessSafeKey>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(<redacted>)")
    }
}

struct KeyLen;
impl hkdf::KeyType for KeyLen {
    fn len(&self) -> usize {
        32
    }
}

impl Vault {
    /// A vault under the installation's 32-byte secret key.
    pub fn new(secret: &[u8; 32]) -> Result<Self, String> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"overcast").extract(secret);
        let mut derived = [0u8; 32];
        prk.expand(&[PURPOSE], KeyLen)
            .and_then(|okm| okm.fill(&mut derived))
            .map_err(|_| "cannot derive the sealing key".to_owned())?;
        let key = UnboundKey::new(&AES_256_GCM, &derived)
            .map_err(|_| "AES-256-GCM refused the sealing key".to_owned())?;
        Ok(Self {
            key: std::sync::Arc::new(LessSafeKey::new(key)),
        })
    }

    /// Seals `plain` for the row identified by `context`.
    pub fn seal(&self, context: &str, plain: &[u8]) -> Result<String, ErrorKind> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(crate::internal)?;
        let mut buf = plain.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut buf,
            )
            .map_err(|_| crate::internal("sealing failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(format!("{VERSION}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// Opens what [`Vault::seal`] sealed for the same `context`. A value
    /// sealed under another key or for another row is an internal error
    /// (logged, not explained to the caller).
    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, ErrorKind> {
        let body = sealed
            .strip_prefix(VERSION)
            .ok_or_else(|| crate::internal("sealed value has an unknown version"))?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|e| crate::internal(format!("sealed value is not base64: {e}")))?;
        if bytes.len() < NONCE_LEN {
            return Err(crate::internal("sealed value too short"));
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(nonce).map_err(|_| crate::internal("bad nonce"))?;
        let mut buf = rest.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buf)
            .map_err(|_| {
                crate::internal(format!(
                    "a sealed secret of {context} does not open: wrong secret key, or tampered"
                ))
            })?;
        Ok(plain.to_vec())
    }

    /// Seals a UTF-8 string.
    pub fn seal_str(&self, context: &str, plain: &str) -> Result<String, ErrorKind> {
        self.seal(context, plain.as_bytes())
    }

    /// Opens a sealed UTF-8 string.
    pub fn open_str(&self, context: &str, sealed: &str) -> Result<String, ErrorKind> {
        String::from_utf8(self.open(context, sealed)?)
            .map_err(|_| crate::internal("sealed value is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_under_the_same_key_and_context() {
        let vault = Vault::new(&[7u8; 32]).unwrap();
        let sealed = vault.seal_str("ssh_key:1", "secret text").unwrap();
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("secret"));
        assert_eq!(vault.open_str("ssh_key:1", &sealed).unwrap(), "secret text");
        assert_eq!(
            vault.open_str("ssh_key:2", &sealed),
            Err(ErrorKind::Internal)
        );
        let other = Vault::new(&[8u8; 32]).unwrap();
        assert_eq!(
            other.open_str("ssh_key:1", &sealed),
            Err(ErrorKind::Internal)
        );
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(
            vault.open_str("ssh_key:1", &tampered),
            Err(ErrorKind::Internal)
        );
    }

    #[test]
    fn sealing_twice_gives_different_text() {
        let vault = Vault::new(&[1u8; 32]).unwrap();
        assert_ne!(
            vault.seal_str("c", "same").unwrap(),
            vault.seal_str("c", "same").unwrap()
        );
    }
}
