//! mist.io's probe: whether a machine's SSH port answers (timed TCP
//! connects, like ping without raw sockets), and, for a caller who may open
//! a shell on it, its uptime, load, processors and logged-in users read
//! over SSH.

use std::time::{Duration, Instant};

use domain::{inventory::MachineProbe, resource, ErrorKind};

use crate::{authz, machines, shell, Actor, Services};

/// Connections tried to the SSH port.
const TRIES: u32 = 3;
/// How long one connection may take.
const TRY_TIMEOUT: Duration = Duration::from_secs(2);
/// What is read from the machine, one figure a line.
const READ: &str = "cat /proc/uptime; cat /proc/loadavg; nproc; who | wc -l";

/// Probes a machine at `host` (one of its own addresses; its first by
/// default). `key`, when given, must name a key (mist.io clients send it;
/// Overcast logs in with the keys that open the machine).
pub async fn probe(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    host: Option<&str>,
    key: Option<&str>,
) -> Result<MachineProbe, ErrorKind> {
    let target = resource::machine(backend_id, machine_id);
    authz::authorize(actor, "view:machine", &target)?;
    let (machine, backend) = machines::find(services, actor, backend_id, machine_id).await?;
    let summary = machines::summary(&machine, &backend);
    let addresses: Vec<&String> = summary
        .public_ips
        .iter()
        .chain(&summary.private_ips)
        .collect();
    let host = match host.map(str::trim).filter(|h| !h.is_empty()) {
        Some(h) if addresses.iter().any(|a| a.as_str() == h) => h.to_owned(),
        Some(h) => {
            return Err(ErrorKind::invalid(
                "host",
                format!("{h:?} is not an address of this machine"),
            ))
        }
        None => addresses
            .first()
            .map(|a| (*a).clone())
            .ok_or_else(|| ErrorKind::Conflict {
                message: format!("machine {:?} has no address to probe", summary.name),
            })?,
    };
    if let Some(name) = key.map(str::trim).filter(|k| !k.is_empty()) {
        if services
            .db
            .key_by_name(name)
            .await
            .map_err(crate::internal)?
            .is_none()
        {
            return Err(ErrorKind::invalid(
                "key",
                format!("no key is named {name:?}"),
            ));
        }
    }
    let addr = format!("{host}:{}", summary.ssh_port);
    let mut probe = reach(&addr).await;
    if probe.packets_rx == 0 {
        probe.detail = Some(format!("{addr} did not answer"));
    } else if !authz::decide(actor, "shell:machine", &target).is_allowed() {
        probe.detail = Some("reading the machine's figures needs shell:machine".into());
    } else {
        match read_figures(services, actor, backend_id, machine_id).await {
            Ok(text) => fill(&mut probe, &text),
            Err(e) => probe.detail = Some(e.to_string()),
        }
    }
    Ok(probe)
}

/// Timed connections to `addr`.
async fn reach(addr: &str) -> MachineProbe {
    let mut times = Vec::new();
    for _ in 0..TRIES {
        let started = Instant::now();
        if let Ok(Ok(_)) =
            tokio::time::timeout(TRY_TIMEOUT, tokio::net::TcpStream::connect(addr)).await
        {
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let rx = u32::try_from(times.len()).unwrap_or(TRIES);
    let round = |ms: f64| (ms * 1000.0).round() / 1000.0;
    MachineProbe {
        host: addr.to_owned(),
        packets_tx: TRIES,
        packets_rx: rx,
        packets_loss: f64::from(TRIES - rx) * 100.0 / f64::from(TRIES),
        rtt_min: times.iter().copied().reduce(f64::min).map(round),
        rtt_max: times.iter().copied().reduce(f64::max).map(round),
        rtt_avg: (!times.is_empty()).then(|| round(times.iter().sum::<f64>() / f64::from(rx))),
        ..MachineProbe::default()
    }
}

/// The figures' text, read over SSH.
async fn read_figures(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
) -> Result<String, ErrorKind> {
    let opened = shell::open(services, actor, backend_id, machine_id).await?;
    let mut exec = opened
        .connection
        .exec(READ)
        .await
        .map_err(|e| shell::connect_error(e, &opened.target))?;
    let mut out = Vec::new();
    while let Some(chunk) = exec.next().await {
        if let ssh::Output::Stdout(bytes) = chunk {
            out.extend(bytes);
            if out.len() > 64 * 1024 {
                break;
            }
        }
    }
    opened.connection.close().await;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Reads `/proc/uptime`, `/proc/loadavg`, `nproc` and `who | wc -l`, one a
/// line; a figure that does not parse stays empty.
fn fill(probe: &mut MachineProbe, text: &str) {
    let mut lines = text.lines();
    probe.uptime = lines
        .next()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|w| w.parse::<f64>().ok());
    probe.loadavg = lines.next().and_then(|l| {
        let mut w = l.split_whitespace().map(|w| w.parse::<f64>().ok());
        Some([w.next()??, w.next()??, w.next()??])
    });
    probe.cores = lines.next().and_then(|l| l.trim().parse().ok());
    probe.users = lines.next().and_then(|l| l.trim().parse().ok());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figures_are_read_one_a_line() {
        let mut p = MachineProbe::default();
        fill(
            &mut p,
            "12345.67 2345.01\n0.10 0.20 0.30 1/123 4567\n4\n2\n",
        );
        assert_eq!(p.uptime, Some(12345.67));
        assert_eq!(p.loadavg, Some([0.1, 0.2, 0.3]));
        assert_eq!((p.cores, p.users), (Some(4), Some(2)));
        let mut q = MachineProbe::default();
        fill(&mut q, "garbage\n");
        assert_eq!(q, MachineProbe::default());
    }
}
