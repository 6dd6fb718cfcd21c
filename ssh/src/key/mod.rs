//! Private keys: parsing what an operator pastes, generating new ones, and
//! the canonical stored form (unencrypted OpenSSH).

use std::fmt;
use std::sync::Arc;

use russh::keys::ssh_key::private::{KeypairData, RsaKeypair};
use russh::keys::ssh_key::LineEnding;
use russh::keys::{Algorithm, EcdsaCurve, HashAlg, PrivateKey};

mod decode;

use decode::{
    check_algorithm, check_der_length, decode_openssh, decode_with_russh, decrypt_legacy_pem,
    label_error, Block,
};

/// The algorithms Overcast generates keys with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    Ed25519,
    Rsa4096,
}

/// Why a key could not be read or made. The messages are meant for the
/// operator who pasted the key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("no key given")]
    Empty,
    #[error("this is a public key; paste the private key (it starts with -----BEGIN)")]
    PublicKey,
    #[error(
        "not a private key: expected a PEM or OpenSSH block (-----BEGIN ... PRIVATE KEY-----)"
    )]
    NotAKey,
    #[error(
        "the key is truncated: its -----END line or part of its body is missing; paste the whole file"
    )]
    Truncated,
    #[error("the key is encrypted; give its passphrase")]
    PassphraseNeeded,
    #[error("the passphrase does not decrypt this key")]
    WrongPassphrase,
    #[error("unsupported key: {0}")]
    Unsupported(String),
    #[error("the key is damaged: {0}")]
    Malformed(String),
    #[error("could not generate a key: {0}")]
    Generate(String),
}

/// A private key (with its public half). Cheap to clone; `Debug` shows only
/// the algorithm and fingerprint.
#[derive(Clone)]
pub struct KeyPair {
    key: Arc<PrivateKey>,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair")
            .field("algorithm", &self.algorithm())
            .field("fingerprint", &self.fingerprint())
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// Accepts RSA, ECDSA (P-256/384/521) and Ed25519 private keys in PEM
    /// (PKCS#1 `BEGIN RSA PRIVATE KEY`, SEC1 `BEGIN EC PRIVATE KEY`, PKCS#8
    /// `BEGIN PRIVATE KEY` / `BEGIN ENCRYPTED PRIVATE KEY`, legacy
    /// `Proc-Type: 4,ENCRYPTED` PEM with AES-128-CBC) and OpenSSH
    /// (`BEGIN OPENSSH PRIVATE KEY`) formats. The passphrase is only used
    /// when the key is encrypted; an empty one counts as none.
    pub fn parse(text: &str, passphrase: Option<&str>) -> Result<KeyPair, KeyError> {
        let passphrase = passphrase.filter(|p| !p.is_empty());
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            return Err(KeyError::Empty);
        }
        if text.starts_with("PuTTY-User-Key-File-") {
            return Err(KeyError::Unsupported(
                "PuTTY .ppk keys cannot be used directly; export it in OpenSSH format \
                 (PuTTYgen: Conversions > Export OpenSSH key)"
                    .into(),
            ));
        }
        if !text.contains("-----BEGIN ") && !text.contains("---- BEGIN ") {
            return Err(if looks_like_public_key(text) {
                KeyError::PublicKey
            } else {
                KeyError::NotAKey
            });
        }
        let block = Block::find(text)?;
        let key = match block.label {
            "OPENSSH PRIVATE KEY" => decode_openssh(&block.body()?, passphrase)?,
            "RSA PRIVATE KEY" | "EC PRIVATE KEY" => {
                let der = match block.header("DEK-Info") {
                    Some(dek) => decrypt_legacy_pem(&block.body()?, dek, passphrase)?,
                    None if block.header("Proc-Type").is_some() => {
                        return Err(KeyError::Malformed(
                            "it says it is encrypted but has no DEK-Info line".into(),
                        ));
                    }
                    None => {
                        let der = block.body()?;
                        check_der_length(&der)?;
                        der
                    }
                };
                decode_with_russh(block.label, &der, None, false)?
            }
            "PRIVATE KEY" => {
                let der = block.body()?;
                check_der_length(&der)?;
                decode_with_russh(block.label, &der, None, false)?
            }
            "ENCRYPTED PRIVATE KEY" => {
                let der = block.body()?;
                check_der_length(&der)?;
                let Some(passphrase) = passphrase else {
                    return Err(KeyError::PassphraseNeeded);
                };
                decode_with_russh(block.label, &der, Some(passphrase), true)?
            }
            other => return Err(label_error(other)),
        };
        KeyPair::from_private(key)
    }

    /// Makes a new key: Ed25519, or RSA with a 4096-bit modulus.
    pub fn generate(alg: KeyAlgorithm) -> Result<KeyPair, KeyError> {
        let mut rng = russh::keys::key::safe_rng();
        let key = match alg {
            KeyAlgorithm::Ed25519 => PrivateKey::random(&mut rng, Algorithm::Ed25519)
                .map_err(|e| KeyError::Generate(e.to_string()))?,
            KeyAlgorithm::Rsa4096 => {
                let pair = RsaKeypair::random(&mut rng, 4096)
                    .map_err(|e| KeyError::Generate(e.to_string()))?;
                PrivateKey::new(KeypairData::Rsa(pair), "")
                    .map_err(|e| KeyError::Generate(e.to_string()))?
            }
        };
        KeyPair::from_private(key).map_err(|e| KeyError::Generate(e.to_string()))
    }

    fn from_private(mut key: PrivateKey) -> Result<KeyPair, KeyError> {
        check_algorithm(&key.algorithm())?;
        if key.is_encrypted() {
            return Err(KeyError::PassphraseNeeded);
        }
        // The comment is the pasted file's business, not ours: the stored
        // form and the public line carry none.
        key.set_comment("");
        // Both forms must encode, so the infallible accessors below hold.
        key.to_openssh(LineEnding::LF)
            .map_err(|e| KeyError::Malformed(e.to_string()))?;
        key.public_key()
            .to_openssh()
            .map_err(|e| KeyError::Malformed(e.to_string()))?;
        Ok(KeyPair { key: Arc::new(key) })
    }

    /// The public key as one authorized_keys line, without a comment:
    /// `ssh-ed25519 AAAA...`.
    pub fn public_openssh(&self) -> String {
        self.key.public_key().to_openssh().unwrap_or_default()
    }

    /// The private key as unencrypted OpenSSH PEM: the canonical stored form.
    /// `KeyPair::parse(&k.private_openssh(), None)` gives the same key back.
    pub fn private_openssh(&self) -> String {
        self.key
            .to_openssh(LineEnding::LF)
            .map(|pem| pem.as_str().to_owned())
            .unwrap_or_default()
    }

    /// `SHA256:...`, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }

    /// The SSH name of the key type: `ssh-ed25519`, `ssh-rsa`,
    /// `ecdsa-sha2-nistp256`, `ecdsa-sha2-nistp384`, `ecdsa-sha2-nistp521`.
    pub fn algorithm(&self) -> &'static str {
        match self.key.algorithm() {
            Algorithm::Ed25519 => "ssh-ed25519",
            Algorithm::Rsa { .. } => "ssh-rsa",
            Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP256,
            } => "ecdsa-sha2-nistp256",
            Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP384,
            } => "ecdsa-sha2-nistp384",
            Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP521,
            } => "ecdsa-sha2-nistp521",
            // `from_private` admits nothing else.
            _ => "unknown",
        }
    }

    pub(crate) fn is_rsa(&self) -> bool {
        self.key.algorithm().is_rsa()
    }

    pub(crate) fn private_key(&self) -> Arc<PrivateKey> {
        Arc::clone(&self.key)
    }
}

fn looks_like_public_key(text: &str) -> bool {
    const PREFIXES: &[&str] = &["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-"];
    PREFIXES.iter().any(|p| text.starts_with(p))
}
