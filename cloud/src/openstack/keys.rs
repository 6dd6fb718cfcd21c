//! Key pairs (`os-keypairs`): the account's copy of a public key, found by
//! its material or imported under a name Nova accepts.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::Api;
use crate::error::DriverError;
use crate::types::PublicKey;

/// A key pair of `os-keypairs` (each wrapped in `{"keypair": ...}`).
#[derive(Debug, Deserialize)]
pub(crate) struct KeyPair {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) public_key: String,
}

/// The wrapper `os-keypairs` lists key pairs in.
#[derive(Debug, Deserialize)]
pub(crate) struct KeyPairItem {
    pub(crate) keypair: KeyPair,
}

/// The `<type> <base64>` part of an OpenSSH public key (comments differ).
pub(crate) fn material(openssh: &str) -> Result<(&str, &str), DriverError> {
    let mut parts = openssh.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(kind), Some(data))
            if ["ssh-", "ecdsa-", "sk-"]
                .iter()
                .any(|p| kind.starts_with(p)) =>
        {
            Ok((kind, data))
        }
        _ => Err(DriverError::InvalidRequest(
            "the public key is not in OpenSSH format (\"ssh-ed25519 AAAA...\")".into(),
        )),
    }
}

/// A key pair name every Nova accepts (letters, digits, `-`, `_`).
pub(crate) fn nova_name(name: &str) -> String {
    let clean: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .take(200)
        .collect();
    if clean.is_empty() {
        "overcast".into()
    } else {
        clean
    }
}

/// 32 bits of FNV-1a over the key material, as 8 hex digits: a stable
/// suffix when another key already holds the wanted name.
fn short_hash(data: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", h & 0xffff_ffff)
}

/// The name of the account's key pair holding `key`, importing it first
/// when the account does not have it.
pub(crate) async fn key_name(api: &Api, key: &PublicKey) -> Result<String, DriverError> {
    let wanted = material(&key.openssh)?;
    let pairs: Vec<KeyPairItem> = api.get("/os-keypairs", "keypairs").await?;
    let same = |pairs: &[KeyPairItem]| {
        pairs
            .iter()
            .find(|p| material(&p.keypair.public_key).ok() == Some(wanted))
            .map(|p| p.keypair.name.clone())
    };
    if let Some(name) = same(&pairs) {
        return Ok(name);
    }
    let mut name = nova_name(&key.name);
    if pairs.iter().any(|p| p.keypair.name == name) {
        name = format!("{name}-{}", short_hash(wanted.1));
    }
    let body = json!({ "keypair": { "name": name, "public_key": key.openssh.trim() } });
    match api.call(Method::POST, "/os-keypairs", Some(&body)).await {
        Ok(_) => Ok(name),
        // Imported meanwhile by someone else (409): use theirs.
        Err(DriverError::InvalidRequest(reason)) => {
            let pairs: Vec<KeyPairItem> = api.get("/os-keypairs", "keypairs").await?;
            same(&pairs).ok_or(DriverError::InvalidRequest(reason))
        }
        Err(e) => Err(e),
    }
}

/// Standard base64 with padding (Nova's `user_data`).
pub(crate) fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_data_is_base64_with_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"#!/bin/sh\n"), "IyEvYmluL3NoCg==");
    }

    #[test]
    fn key_names_and_material_are_what_nova_takes() {
        assert_eq!(nova_name("ops@laptop key"), "ops-laptop-key");
        assert_eq!(nova_name("  "), "overcast");
        assert_eq!(
            material("ssh-ed25519 AAAA c").unwrap(),
            ("ssh-ed25519", "AAAA")
        );
        assert!(material("AAAA").is_err());
        assert_eq!(short_hash("AAAA").len(), 8);
    }
}
