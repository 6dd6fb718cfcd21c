//! Deploying a key to a machine: its public part appended to the login
//! user's `~/.ssh/authorized_keys` through a key that already opens the
//! machine, then proved by logging in with the new key.

use domain::{resource, ErrorKind};
use ssh::{HostKey, Output};
use store::keys::KeyMachine;

use super::{find, pair_of};
use crate::{audit, authz, internal, shell, Actor, Services};

/// What a deployed key opens the machine as.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct Deployed {
    /// The key's name.
    pub key: String,
    /// The user it logs in as.
    pub ssh_user: String,
    /// Whether that user may sudo without a password.
    pub sudo: bool,
}

/// Appends key `name` to the authorized keys of the user a working key
/// opens the machine as (once: a key already there is not added again),
/// proves it by logging in with it, and associates it. Needs `edit:key` on
/// the key and `shell:machine` on the machine.
pub async fn deploy(
    services: &Services,
    actor: &Actor,
    name: &str,
    backend_id: &str,
    machine_id: &str,
) -> Result<Deployed, ErrorKind> {
    authz::authorize(actor, "edit:key", &resource::key(name))?;
    let target = resource::machine(backend_id, machine_id);
    authz::authorize(actor, "shell:machine", &target)?;
    let key = find(services, name).await?;
    let pair = pair_of(services, &key)?;
    let opened = shell::open(services, actor, backend_id, machine_id).await?;
    let line = pair.public_openssh();
    let mut exec = opened
        .connection
        .exec(&append_command(&line))
        .await
        .map_err(|e| shell::connect_error(e, &opened.target))?;
    let (mut code, mut stderr) = (None, Vec::new());
    while let Some(out) = exec.next().await {
        match out {
            Output::Exit(c) => code = Some(c),
            Output::Stderr(bytes) => stderr.extend_from_slice(&bytes),
            Output::Stdout(_) => {}
        }
    }
    opened.connection.close().await;
    if code != Some(0) {
        let why = String::from_utf8_lossy(&stderr).trim().to_owned();
        return Err(ErrorKind::Upstream {
            message: format!(
                "could not add the key to {}'s authorized keys on {}:{}: {}",
                opened.target.user,
                opened.target.host,
                opened.target.port,
                if why.is_empty() {
                    format!("exit status {code:?}")
                } else {
                    why
                }
            ),
        });
    }
    // Proof: the new key logs in, against the host key pinned already.
    let pinned = services
        .db
        .host_key(backend_id, machine_id)
        .await
        .map_err(internal)?
        .map(|p| HostKey {
            openssh: p.openssh,
            fingerprint: p.fingerprint,
        });
    let (connection, _) = shell::connect_with(&opened.target, &pair, pinned.as_ref())
        .await
        .map_err(|e| shell::connect_error(e, &opened.target))?;
    let sudo = shell::detect_sudo(&connection, &opened.target.user).await;
    connection.close().await;
    services
        .db
        .associate_key(&KeyMachine {
            key_id: key.id.clone(),
            backend_id: backend_id.to_owned(),
            machine_id: machine_id.to_owned(),
            ssh_user: opened.target.user.clone(),
            sudo,
            last_used_at: services.now(),
        })
        .await
        .map_err(internal)?;
    audit::success(
        services,
        actor,
        "edit:key",
        &target,
        &format!(
            "deployed key {} for {} (opened with key {})",
            key.name, opened.target.user, opened.key
        ),
    )
    .await?;
    Ok(Deployed {
        key: key.name,
        ssh_user: opened.target.user.clone(),
        sudo,
    })
}

/// The command that adds `line` to `~/.ssh/authorized_keys` unless it is
/// there already, creating the directory and file with the modes sshd's
/// StrictModes wants.
fn append_command(line: &str) -> String {
    // A public key line holds no single quote (base64, algorithm, comment
    // without quotes is enforced below), so it is safe inside '...'.
    let line = line.replace('\'', "");
    format!(
        "umask 077; mkdir -p \"$HOME/.ssh\" && touch \"$HOME/.ssh/authorized_keys\" && \
         {{ grep -qxF '{line}' \"$HOME/.ssh/authorized_keys\" || \
         printf '%s\\n' '{line}' >> \"$HOME/.ssh/authorized_keys\"; }}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_cannot_leave_its_quotes() {
        let cmd = append_command("ssh-ed25519 AAAA x'; rm -rf / #");
        assert!(!cmd.contains("x'"), "{cmd}");
        assert_eq!(cmd.matches('\'').count(), 6, "{cmd}");
    }
}
