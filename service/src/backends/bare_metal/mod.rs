//! A bare-metal backend: a host reached over SSH. Added by logging in with
//! the named key ([`add`]); from then on driven like every other backend,
//! through its driver ([`BareMetal`]): polls list the host with its state
//! (`state::host_state`), and its one action, reboot, runs over SSH.

mod driver;
mod state;

pub use driver::BareMetal;

use domain::ErrorKind;
use ssh::Target;
use store::{
    backends::{StoredBackend, StoredMachine},
    keys::KeyMachine,
};

use super::{short_id, Added, NewBackend};
use crate::{internal, shell, Services};

/// A host reached over SSH: checked by logging in with the named key.
pub(super) async fn add(
    services: &Services,
    title: &str,
    new: &NewBackend,
) -> Result<Added, ErrorKind> {
    let host = new
        .machine_ip
        .clone()
        .ok_or_else(|| ErrorKind::invalid("machine_ip", "give the host's address"))?;
    if host.len() > 253 || host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
        return Err(ErrorKind::invalid(
            "machine_ip",
            "must be a host name or an IP address",
        ));
    }
    let key_name = new
        .machine_key
        .clone()
        .ok_or_else(|| ErrorKind::invalid("machine_key", "choose the key that opens this host"))?;
    let user = new
        .machine_user
        .clone()
        .unwrap_or_else(|| "root".to_owned());
    if user.len() > 32 || user.contains(char::is_whitespace) {
        return Err(ErrorKind::invalid(
            "machine_user",
            "must be a user name without spaces",
        ));
    }
    let port = match &new.machine_port {
        None => 22,
        Some(p) => p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
            ErrorKind::invalid("machine_port", "must be a port number from 1 to 65535")
        })?,
    };
    let key = services
        .db
        .key_by_name(&key_name)
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            ErrorKind::invalid("machine_key", format!("no key is named {key_name:?}"))
        })?;
    let target = Target {
        host: host.clone(),
        port,
        user: user.clone(),
    };
    let probed = shell::probe(services, &target, &key)
        .await
        .map_err(|e| match e {
            ErrorKind::Upstream { message } | ErrorKind::Conflict { message } => {
                ErrorKind::invalid("machine_ip", format!("could not log in: {message}"))
            }
            other => other,
        })?;
    let now = services.now();
    let id = short_id();
    let machine_id = short_id();
    let backend = StoredBackend {
        config: serde_json::json!({
            "machine_ip": host,
            "machine_user": user,
            "machine_port": port,
            "machine_key": key_name,
            "reboot_command": new.machine_reboot_command.as_deref().unwrap_or("reboot"),
        })
        .to_string(),
        ..super::proved(
            services,
            id.clone(),
            title,
            cloud::bare_metal::PROVIDER,
            new,
        )?
    };
    let machine = StoredMachine {
        backend_id: id.clone(),
        id: machine_id.clone(),
        name: probed.hostname.clone().unwrap_or_else(|| host.clone()),
        state: "running".into(),
        public_ips: serde_json::json!([host]).to_string(),
        private_ips: "[]".into(),
        ssh_port: i64::from(port),
        extra: "{}".into(),
        seen_at: now,
    };
    let association = KeyMachine {
        key_id: key.id,
        backend_id: id,
        machine_id,
        ssh_user: user,
        sudo: probed.sudo,
        last_used_at: now,
    };
    Ok((backend, vec![machine], Some((association, probed.host_key))))
}
