//! Key pairs: the EC2 key pair holding a given public key, imported when
//! the account does not have it yet.
//!
//! EC2 key pairs are found by name, and a name says nothing about the key
//! it holds (an operator may have a pair of the same name with another
//! key). So Overcast tags the pairs it imports with the key's SHA-256
//! (`overcast:key-sha256`) and finds them by that tag; a name already taken
//! by a pair without the tag gets the digest's first 8 hex digits appended.

use super::client::{Api, Params};
use super::sigv4::sha256_hex;
use super::xml::{self, items, string};
use crate::error::DriverError;
use crate::types::PublicKey;
use base64::Engine as _;

/// The tag Overcast puts on the key pairs it imports.
pub const KEY_TAG: &str = "overcast:key-sha256";

/// A key pair of the account.
#[derive(Debug)]
struct Pair {
    name: String,
    digest: Option<String>,
}

/// The `<type> <base64>` part of an OpenSSH public key (comments differ).
fn key_material(openssh: &str) -> Result<(&str, &str), DriverError> {
    let mut parts = openssh.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some(kind), Some(data)) if kind.starts_with("ssh-") || kind.starts_with("ecdsa-") => {
            Ok((kind, data))
        }
        _ => Err(DriverError::InvalidRequest(
            "the public key is not in OpenSSH format (\"ssh-ed25519 AAAA...\")".into(),
        )),
    }
}

/// The fingerprint Overcast tags its key pairs with.
pub fn key_digest(openssh: &str) -> Result<String, DriverError> {
    let (kind, data) = key_material(openssh)?;
    Ok(sha256_hex(format!("{kind} {data}").as_bytes()))
}

async fn pairs(api: &Api) -> Result<Vec<Pair>, DriverError> {
    let body = api.call("DescribeKeyPairs", &Params::new()).await?;
    let doc = xml::parse(&body)?;
    let found = items(doc.root_element(), "keySet")
        .filter_map(|k| {
            let digest = items(k, "tagSet")
                .find(|t| string(*t, "key").as_deref() == Some(KEY_TAG))
                .and_then(|t| string(t, "value"));
            Some(Pair {
                name: string(k, "keyName")?,
                digest,
            })
        })
        .collect();
    Ok(found)
}

async fn import(api: &Api, name: &str, key: &str, digest: &str) -> Result<String, DriverError> {
    let material = base64::engine::general_purpose::STANDARD.encode(key.trim());
    let params: Params = [
        ("KeyName", name),
        ("PublicKeyMaterial", material.as_str()),
        ("TagSpecification.1.ResourceType", "key-pair"),
        ("TagSpecification.1.Tag.1.Key", KEY_TAG),
        ("TagSpecification.1.Tag.1.Value", digest),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let body = api.call("ImportKeyPair", &params).await?;
    let doc = xml::parse(&body)?;
    Ok(string(doc.root_element(), "keyName").unwrap_or_else(|| name.to_owned()))
}

/// The name of the account's key pair holding `key`, importing it first
/// when no pair carries its digest.
pub(crate) async fn key_name(api: &Api, key: &PublicKey) -> Result<String, DriverError> {
    let digest = key_digest(&key.openssh)?;
    let wanted = key.name.trim();
    if wanted.is_empty()
        || wanted.len() > 200
        || !wanted.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
    {
        return Err(DriverError::InvalidRequest(format!(
            "key name {wanted:?}: EC2 key pair names are 1 to 200 printable ASCII characters here"
        )));
    }
    let known = pairs(api).await?;
    if let Some(p) = known.iter().find(|p| p.digest.as_deref() == Some(&digest)) {
        return Ok(p.name.clone());
    }
    let short = digest.get(..8).unwrap_or(&digest);
    for name in [wanted.to_owned(), format!("{wanted}-{short}")] {
        if known.iter().any(|p| p.name == name) {
            continue;
        }
        match import(api, &name, &key.openssh, &digest).await {
            Ok(imported) => return Ok(imported),
            // Imported meanwhile: ours (a retried import) if it carries the digest.
            Err(DriverError::InvalidRequest(m)) if m.starts_with("InvalidKeyPair.Duplicate") => {
                let again = pairs(api).await?;
                let ours = again
                    .iter()
                    .any(|p| p.name == name && p.digest.as_deref() == Some(&digest));
                if ours {
                    return Ok(name);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Err(DriverError::InvalidRequest(format!(
        "key pairs named {wanted:?} and \"{wanted}-{short}\" exist and hold other keys"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_fingerprinted_without_their_comment() {
        let a = key_digest("ssh-ed25519 AAAA laptop").unwrap();
        assert_eq!(a, key_digest("ssh-ed25519 AAAA  other comment").unwrap());
        assert_ne!(a, key_digest("ssh-ed25519 AAAB").unwrap());
        assert!(key_digest("AAAA").is_err());
    }
}
