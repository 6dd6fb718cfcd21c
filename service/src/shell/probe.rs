//! The probe made when a bare-metal backend is added.

use domain::ErrorKind;
use ssh::{Connection, HostKey, Output, Target};
use store::keys::StoredKey;

use super::{connect_error, connect_with, detect_sudo};
use crate::{keys, Services};

/// The probe made when a bare-metal backend is added: connects with `key`
/// as `user`, trusting the host key on first use.
pub async fn probe(
    services: &Services,
    target: &Target,
    key: &StoredKey,
) -> Result<Probed, ErrorKind> {
    let pair = keys::pair_of(services, key)?;
    let (connection, host_key) = connect_with(target, &pair, None)
        .await
        .map_err(|e| connect_error(e, target))?;
    let sudo = detect_sudo(&connection, &target.user).await;
    let hostname = first_line(&connection, "hostname").await;
    connection.close().await;
    Ok(Probed {
        host_key,
        sudo,
        hostname,
    })
}

/// What a probe found.
#[derive(Debug, Clone)]
pub struct Probed {
    /// The host key presented (pinned by the caller).
    pub host_key: HostKey,
    /// Password-less sudo.
    pub sudo: bool,
    /// `hostname`'s answer.
    pub hostname: Option<String>,
}

async fn first_line(connection: &Connection, command: &str) -> Option<String> {
    let mut exec = connection.exec(command).await.ok()?;
    let mut text = Vec::new();
    while let Some(out) = exec.next().await {
        if let Output::Stdout(bytes) = out {
            text.extend_from_slice(&bytes);
        }
    }
    String::from_utf8_lossy(&text)
        .lines()
        .next()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
}
