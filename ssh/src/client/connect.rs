//! Connecting: the host-key check and key authentication.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::client::{self, Handle};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};
use tokio::net::TcpStream;

use super::*;
use crate::key::KeyPair;

/// The russh handler: checks (or records) the host key.
pub(super) struct Checker {
    pub(super) pinned: Option<HostKey>,
    pub(super) presented: Arc<Mutex<Option<HostKey>>>,
}

impl client::Handler for Checker {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let presented = match server_key {
            PublicKeyOrCertificate::PublicKey { key, .. } => HostKey::from_public(key),
            PublicKeyOrCertificate::Certificate(cert) => {
                HostKey::from_public(&PublicKey::new(cert.public_key().clone(), ""))
            }
        };
        let accept = self
            .pinned
            .as_ref()
            .is_none_or(|pinned| pinned.matches(&presented));
        if let Ok(mut slot) = self.presented.lock() {
            *slot = Some(presented);
        }
        Ok(accept)
    }
}

/// Connects, checks the host key (if `pinned` is Some the presented key must
/// equal it, else [`ConnectError::HostKeyChanged`]; if None the key is
/// trusted on first use and returned), and authenticates with `key` (RSA
/// signs with rsa-sha2-512/256), all within `timeout`.
pub async fn connect(
    target: &Target,
    key: &KeyPair,
    pinned: Option<&HostKey>,
    timeout: Duration,
) -> Result<(Connection, HostKey), ConnectError> {
    let started = std::time::Instant::now();
    let result = tokio::time::timeout(timeout, connect_inner(target, key, pinned)).await;
    let result = result.unwrap_or(Err(ConnectError::Timeout));
    match &result {
        Ok((_, host_key)) => tracing::debug!(
            machine = %target, host_key = %host_key.fingerprint,
            elapsed_ms = started.elapsed().as_millis() as u64, "ssh connected"
        ),
        Err(e) => tracing::debug!(machine = %target, error = %e, "ssh connect failed"),
    }
    result
}

pub(super) async fn connect_inner(
    target: &Target,
    key: &KeyPair,
    pinned: Option<&HostKey>,
) -> Result<(Connection, HostKey), ConnectError> {
    let host = target.host.trim_start_matches('[').trim_end_matches(']');
    let shown = if host.contains(':') {
        format!("[{host}]:{}", target.port)
    } else {
        format!("{host}:{}", target.port)
    };
    let stream = TcpStream::connect((host, target.port)).await.map_err(|e| {
        ConnectError::Unreachable(format!("cannot reach {shown}: {}", io_reason(&e)))
    })?;
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "set_nodelay failed");
    }

    let config = Arc::new(client::Config {
        keepalive_interval: Some(Duration::from_secs(30)),
        keepalive_max: 3,
        nodelay: true,
        ..Default::default()
    });
    let presented = Arc::new(Mutex::new(None));
    let checker = Checker {
        pinned: pinned.cloned(),
        presented: Arc::clone(&presented),
    };
    let handshake = client::connect_stream(config, stream, checker).await;
    let presented = presented.lock().ok().and_then(|mut slot| slot.take());
    let mut handle = match handshake {
        Ok(handle) => handle,
        Err(e) => {
            if let (Some(presented), Some(expected)) = (&presented, pinned) {
                if !expected.matches(presented) {
                    return Err(ConnectError::HostKeyChanged {
                        expected: expected.clone(),
                        presented: presented.clone(),
                    });
                }
            }
            return Err(ConnectError::from_russh(e));
        }
    };
    // The handshake only completes after `check_server_key` accepted a key.
    let Some(host_key) = presented else {
        return Err(ConnectError::Protocol(
            "the machine presented no host key".into(),
        ));
    };

    authenticate(&mut handle, &target.user, key).await?;
    Ok((
        Connection {
            handle: Arc::new(handle),
        },
        host_key,
    ))
}

pub(super) async fn authenticate(
    handle: &mut Handle<Checker>,
    user: &str,
    key: &KeyPair,
) -> Result<(), ConnectError> {
    let refused = || ConnectError::AuthRefused {
        user: user.to_owned(),
    };
    if !key.is_rsa() {
        let with_hash = PrivateKeyWithHashAlg::new(key.private_key(), None);
        let result = handle
            .authenticate_publickey(user, with_hash)
            .await
            .map_err(ConnectError::from_russh)?;
        return if result.success() {
            Ok(())
        } else {
            Err(refused())
        };
    }
    // RSA: sign with SHA-2 (OpenSSH refuses SHA-1 `ssh-rsa` signatures).
    // Only a server that did not advertise rsa-sha2 gets a SHA-1 retry.
    let advertised = handle
        .best_supported_rsa_hash()
        .await
        .map_err(ConnectError::from_russh)?;
    let first = match advertised {
        Some(Some(hash)) => hash,
        _ => HashAlg::Sha256,
    };
    let result = handle
        .authenticate_publickey(
            user,
            PrivateKeyWithHashAlg::new(key.private_key(), Some(first)),
        )
        .await
        .map_err(ConnectError::from_russh)?;
    if result.success() {
        return Ok(());
    }
    if !matches!(advertised, Some(Some(_))) {
        let result = handle
            .authenticate_publickey(user, PrivateKeyWithHashAlg::new(key.private_key(), None))
            .await
            .map_err(ConnectError::from_russh)?;
        if result.success() {
            return Ok(());
        }
    }
    Err(refused())
}
