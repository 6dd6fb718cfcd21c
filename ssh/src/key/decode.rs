//! Decoding what an operator pastes: the PEM block, its DER, legacy
//! encrypted PEM, PKCS#8 and OpenSSH containers, each failure named.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use russh::keys::ssh_key;
use russh::keys::PrivateKey;

use russh::keys::Algorithm;

use super::KeyError;

pub(super) fn label_error(label: &str) -> KeyError {
    match label {
        "DSA PRIVATE KEY" => dsa_unsupported(),
        "PUBLIC KEY" | "RSA PUBLIC KEY" | "SSH2 PUBLIC KEY" => KeyError::PublicKey,
        "SSH2 ENCRYPTED PRIVATE KEY" => KeyError::Unsupported(
            "SSH.com (SSH2) private keys cannot be used directly; \
             convert it with `ssh-keygen -i -f KEY`"
                .into(),
        ),
        other if other.ends_with("PRIVATE KEY") => KeyError::Unsupported(format!(
            "\"{other}\" blocks are not supported; use an Ed25519, ECDSA or RSA key"
        )),
        _ => KeyError::NotAKey,
    }
}

/// id-dsa, as PKCS#8 names it.
const DSA_OID: &str = "1.2.840.10040.4.1";

fn dsa_unsupported() -> KeyError {
    KeyError::Unsupported(
        "DSA keys are not supported (OpenSSH disables them); use an Ed25519 or RSA key".into(),
    )
}

pub(super) fn check_algorithm(algorithm: &Algorithm) -> Result<(), KeyError> {
    match algorithm {
        Algorithm::Ed25519 | Algorithm::Rsa { .. } | Algorithm::Ecdsa { .. } => Ok(()),
        Algorithm::Dsa => Err(dsa_unsupported()),
        Algorithm::SkEd25519 | Algorithm::SkEcdsaSha2NistP256 => {
            Err(KeyError::Unsupported(format!(
                "{} is a security-key (FIDO) key, which needs its hardware token; \
             use a regular Ed25519 or RSA key",
                algorithm.as_str()
            )))
        }
        other => Err(KeyError::Unsupported(format!(
            "{} keys are not supported; use an Ed25519, ECDSA or RSA key",
            other.as_str()
        ))),
    }
}

/// One `-----BEGIN X-----` ... `-----END X-----` block, lines trimmed.
pub(super) struct Block<'a> {
    pub(super) label: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: String,
}

impl<'a> Block<'a> {
    pub(super) fn find(text: &'a str) -> Result<Block<'a>, KeyError> {
        let mut lines = text.lines().map(str::trim);
        let label = loop {
            let Some(line) = lines.next() else {
                return Err(KeyError::NotAKey);
            };
            if line.starts_with("---- BEGIN SSH2 ") {
                // The SSH.com format frames with four dashes and spaces.
                let label = line.trim_matches(|c| c == '-' || c == ' ');
                return Err(label_error(label.trim_start_matches("BEGIN ")));
            }
            if let Some(label) = line
                .strip_prefix("-----BEGIN ")
                .and_then(|l| l.strip_suffix("-----"))
            {
                break label;
            }
        };
        if !label.ends_with("PRIVATE KEY") {
            return Err(label_error(label));
        }
        let end = format!("-----END {label}-----");
        let mut headers = Vec::new();
        let mut body = String::new();
        for line in lines {
            if line == end {
                return Ok(Block {
                    label,
                    headers,
                    body,
                });
            }
            if line.starts_with("-----") {
                // Another BEGIN, or an END that does not match.
                return Err(KeyError::Truncated);
            }
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim(), value.trim()));
            } else {
                body.push_str(line);
            }
        }
        Err(KeyError::Truncated)
    }

    pub(super) fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    pub(super) fn body(&self) -> Result<Vec<u8>, KeyError> {
        if self.body.is_empty() {
            return Err(KeyError::Truncated);
        }
        if let Some(c) = self
            .body
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
        {
            return Err(KeyError::Malformed(format!(
                "its body contains {c:?}, which is not base64"
            )));
        }
        BASE64.decode(&self.body).map_err(|e| match e {
            base64::DecodeError::InvalidByte(_, b'=') => {
                KeyError::Malformed("its base64 body has padding in the middle".into())
            }
            _ => KeyError::Truncated,
        })
    }
}

/// A DER document starts with a SEQUENCE whose length covers the rest.
pub(super) fn check_der_length(der: &[u8]) -> Result<(), KeyError> {
    let malformed = || KeyError::Malformed("its body is not a DER-encoded key".into());
    if der.first() != Some(&0x30) {
        return Err(malformed());
    }
    let (header, len) = match der.get(1).copied() {
        None => return Err(KeyError::Truncated),
        Some(n) if n < 0x80 => (2, usize::from(n)),
        Some(n @ 0x81..=0x84) => {
            let count = usize::from(n - 0x80);
            let bytes = der.get(2..2 + count).ok_or(KeyError::Truncated)?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (2 + count, len)
        }
        Some(_) => return Err(malformed()),
    };
    let total = header + len;
    match der.len().cmp(&total) {
        std::cmp::Ordering::Less => Err(KeyError::Truncated),
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Greater => Err(KeyError::Malformed(
            "there is extra data after the key".into(),
        )),
    }
}

pub(super) fn decode_openssh(
    bytes: &[u8],
    passphrase: Option<&str>,
) -> Result<PrivateKey, KeyError> {
    let key = PrivateKey::from_bytes(bytes).map_err(openssh_error)?;
    // The public half and the algorithm are readable without the passphrase.
    check_algorithm(&key.algorithm())?;
    if !key.is_encrypted() {
        return Ok(key);
    }
    let Some(passphrase) = passphrase else {
        return Err(KeyError::PassphraseNeeded);
    };
    key.decrypt(passphrase).map_err(|e| match e {
        ssh_key::Error::Crypto | ssh_key::Error::Encoding(_) => KeyError::WrongPassphrase,
        ssh_key::Error::Decrypted => KeyError::Malformed("it claims to be encrypted".into()),
        other => KeyError::Unsupported(format!("cannot decrypt it: {other}")),
    })
}

fn openssh_error(e: ssh_key::Error) -> KeyError {
    use ssh_key::encoding::Error as Enc;
    use ssh_key::Error as E;
    match e {
        E::Encoding(Enc::Length) => KeyError::Truncated,
        E::AlgorithmUnknown | E::AlgorithmUnsupported { .. } => KeyError::Unsupported(
            "its key type is not supported; use an Ed25519, ECDSA or RSA key".into(),
        ),
        E::Encoding(Enc::CharacterEncoding) | E::Encoding(Enc::Label(_)) => {
            KeyError::Malformed("it is not an OpenSSH private key inside".into())
        }
        other => KeyError::Malformed(other.to_string()),
    }
}

/// Decrypts a PEM body under `Proc-Type: 4,ENCRYPTED` (OpenSSL's legacy
/// scheme: key = MD5(passphrase || salt), AES-128-CBC, PKCS#7 padding), as
/// `ssh-keygen -m PEM -N ...` writes it.
pub(super) fn decrypt_legacy_pem(
    body: &[u8],
    dek_info: &str,
    passphrase: Option<&str>,
) -> Result<Vec<u8>, KeyError> {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockModeDecrypt, KeyIvInit};

    let (cipher, iv_hex) = dek_info
        .split_once(',')
        .ok_or_else(|| KeyError::Malformed("its DEK-Info line is unreadable".into()))?;
    if !cipher.trim().eq_ignore_ascii_case("AES-128-CBC") {
        return Err(KeyError::Unsupported(format!(
            "PEM encryption with {}; re-encrypt the key with `ssh-keygen -p -f KEY`",
            cipher.trim()
        )));
    }
    let iv = decode_hex(iv_hex.trim())
        .filter(|iv| iv.len() == 16)
        .ok_or_else(|| KeyError::Malformed("its DEK-Info IV is not 16 hex bytes".into()))?;
    let Some(passphrase) = passphrase else {
        return Err(KeyError::PassphraseNeeded);
    };
    if body.is_empty() || !body.len().is_multiple_of(16) {
        return Err(KeyError::Truncated);
    }
    let mut md5 = md5::Context::new();
    md5.consume(passphrase.as_bytes());
    md5.consume(&iv[..8]);
    let aes_key = md5.finalize().0;
    let decryptor = cbc::Decryptor::<aes::Aes128>::new_from_slices(&aes_key, &iv)
        .map_err(|_| KeyError::Malformed("its DEK-Info IV has the wrong length".into()))?;
    let mut buf = body.to_vec();
    let plain = decryptor
        .decrypt_padded::<Pkcs7>(&mut buf)
        .map_err(|_| KeyError::WrongPassphrase)?
        .to_vec();
    // A wrong passphrase yields noise; noise is not a DER SEQUENCE.
    check_der_length(&plain).map_err(|_| KeyError::WrongPassphrase)?;
    Ok(plain)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Hands a clean PEM block to russh's decoder (PKCS#1, SEC1, PKCS#8).
pub(super) fn decode_with_russh(
    label: &str,
    der: &[u8],
    passphrase: Option<&str>,
    encrypted: bool,
) -> Result<PrivateKey, KeyError> {
    let mut pem = format!("-----BEGIN {label}-----\n");
    let body = BASE64.encode(der);
    for chunk in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    russh::keys::decode_secret_key(&pem, passphrase).map_err(|e| {
        use russh::keys::Error as E;
        match e {
            E::UnknownAlgorithm(oid) if oid.to_string() == DSA_OID => dsa_unsupported(),
            E::UnknownAlgorithm(oid) => KeyError::Unsupported(format!(
                "the key algorithm {oid} is not supported; use an Ed25519, ECDSA or RSA key"
            )),
            E::Pkcs8(ref inner) if encrypted && is_unsupported_scheme(&inner.to_string()) => {
                KeyError::Unsupported(format!(
                    "its PKCS#8 encryption ({inner}); re-encrypt the key with \
                     `ssh-keygen -p -f KEY`"
                ))
            }
            _ if encrypted => KeyError::WrongPassphrase,
            other => KeyError::Malformed(other.to_string()),
        }
    })
}

/// pkcs5 reports schemes it cannot do (PBES1, unknown ciphers) as
/// "unsupported"/"no PBES1"; a wrong passphrase is "decryption failed".
fn is_unsupported_scheme(error: &str) -> bool {
    let error = error.to_ascii_lowercase();
    error.contains("unsupported") || error.contains("pbes1")
}
