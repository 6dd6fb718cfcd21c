//! The blocking work behind each driver call, on one open `Connect`.
//! Run only inside `Conn::call` (tokio's blocking pool).

use virt::connect::Connect;
use virt::domain::Domain;
use virt::storage_pool::StoragePool;
use virt::storage_vol::StorageVol;
use virt::sys;

use super::client::{is_gone, Lv};
use super::convert::{self, Facts, NO_IMAGE};
use super::xml::{self, Disk, DomainSpec};
use crate::error::DriverError;
use crate::types::{Action, Image, Machine};

/// The host's name: the one location's id (`localhost` if libvirt has none).
pub fn hostname(c: &Connect) -> Result<String, DriverError> {
    let name = c.hostname().lv()?;
    let name = name.trim();
    Ok(if name.is_empty() { "localhost" } else { name }.to_owned())
}

/// What libvirt reports about `d`.
pub fn facts(d: &Domain) -> Result<Facts, virt::error::Error> {
    let info = d.info()?;
    let active = d.is_active()?;
    Ok(Facts {
        uuid: d.uuid_string()?,
        name: d.name()?,
        state: info.state.known(),
        domain_id: d.id(),
        vcpus: info.nr_virt_cpu,
        memory_kib: (info.memory, info.max_mem),
        cpu_time_ns: info.cpu_time,
        persistent: d.is_persistent()?,
        addresses: if active { addresses(d) } else { Vec::new() },
    })
}

/// The addresses of a running domain: from the DHCP leases of libvirt's
/// networks, else from the host's ARP table; none where the hypervisor
/// driver offers neither (errors are not the list's failure).
fn addresses(d: &Domain) -> Vec<String> {
    let sources = [
        sys::VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
        sys::VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP,
    ];
    for source in sources {
        let found: Vec<String> = d
            .interface_addresses(source, 0)
            .unwrap_or_default()
            .into_iter()
            .flat_map(|i| i.addrs.into_iter().map(|a| a.addr))
            .collect();
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

/// Every domain, defined or running; one that vanishes meanwhile is left out.
pub fn machines(c: &Connect) -> Result<Vec<Machine>, DriverError> {
    let host = hostname(c)?;
    let mut machines = Vec::new();
    for d in c.list_all_domains(0).lv()? {
        match facts(&d) {
            Ok(f) => machines.push(convert::machine(f, &host)),
            Err(e) if is_gone(&e) => {}
            Err(e) => return Err(super::client::map_error(&e)),
        }
    }
    Ok(machines)
}

fn active_pools(c: &Connect) -> Result<Vec<StoragePool>, DriverError> {
    c.list_all_storage_pools(sys::VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE)
        .lv()
}

/// "No disk", then every volume of every active pool except the disks this
/// driver cloned for its machines (`overcast-<uuid>`).
pub fn images(c: &Connect) -> Result<Vec<Image>, DriverError> {
    let mut images = vec![convert::no_image()];
    for pool in active_pools(c)? {
        let pool_name = pool.name().lv()?;
        for vol in pool.list_all_volumes(0).lv()? {
            let name = vol.name().lv()?;
            if name.starts_with(OWNED_PREFIX) {
                continue;
            }
            let capacity = vol.info().map(|i| i.capacity).unwrap_or(0);
            let path = vol.path().unwrap_or_default();
            images.push(convert::image(&pool_name, &name, &path, capacity));
        }
    }
    Ok(images)
}

/// Every volume of every active pool, as `<pool>/<volume>`.
pub fn volumes(c: &Connect) -> Result<Vec<String>, DriverError> {
    let mut all = Vec::new();
    for pool in active_pools(c)? {
        let pool_name = pool.name().lv()?;
        for vol in pool.list_all_volumes(0).lv()? {
            all.push(format!("{pool_name}/{}", vol.name().lv()?));
        }
    }
    Ok(all)
}

/// Disks cloned for a machine are named after its UUID.
const OWNED_PREFIX: &str = "overcast-";

fn owned_volume(uuid: &str) -> String {
    format!("{OWNED_PREFIX}{uuid}")
}

/// What `create` is asked to define and start.
pub struct Plan {
    pub name: String,
    pub cpus: u32,
    pub memory_mib: u64,
    /// `None` for [`NO_IMAGE`], else (pool, volume).
    pub image: Option<(String, String)>,
    pub location: String,
}

/// Parses an image id: `none` or `<pool>/<volume>`.
pub fn parse_image(id: &str) -> Result<Option<(String, String)>, DriverError> {
    if id == NO_IMAGE {
        return Ok(None);
    }
    match id.split_once('/') {
        Some((pool, vol)) if !pool.is_empty() && !vol.is_empty() => {
            Ok(Some((pool.to_owned(), vol.to_owned())))
        }
        _ => Err(DriverError::InvalidRequest(format!(
            "image {id:?} is neither \"none\" nor \"<pool>/<volume>\""
        ))),
    }
}

/// Clones the image (if any) into `overcast-<uuid>`, defines the domain and
/// starts it; on any failure, undoes what it did and returns the failure.
pub fn create(c: &Connect, plan: Plan) -> Result<Machine, DriverError> {
    let host = hostname(c)?;
    if plan.location != host {
        return Err(DriverError::InvalidRequest(format!(
            "location {:?} is not this host ({host:?})",
            plan.location
        )));
    }
    let kind = domain_kind(c).lv()?;
    // One NIC on libvirt's usual NAT network, where the host has it.
    let network = c.lookup_network_by_name("default").ok();
    let uuid = xml::new_uuid();
    let disk = match &plan.image {
        Some((pool, volume)) => Some(clone_image(c, pool, volume, &owned_volume(&uuid))?),
        None => None,
    };
    let spec = DomainSpec {
        kind,
        name: plan.name,
        uuid: uuid.clone(),
        memory_mib: plan.memory_mib,
        vcpus: plan.cpus,
        disk,
        network: network.map(|_| "default".into()),
    };
    let started = c
        .define_domain_xml(&xml::domain(&spec))
        .and_then(|d| match d.create() {
            Ok(()) => Ok(d),
            Err(e) => {
                let _ = d.undefine();
                Err(e)
            }
        });
    let d = match started {
        Ok(d) => d,
        Err(e) => {
            delete_owned_volume(c, &uuid);
            return Err(super::client::map_error(&e));
        }
    };
    Ok(convert::machine(facts(&d).lv()?, &host))
}

/// `<domain type=..>` for this hypervisor: `kvm` where QEMU offers it.
fn domain_kind(c: &Connect) -> Result<String, virt::error::Error> {
    let kind = c.driver_type()?.to_ascii_lowercase();
    if kind == "qemu" && c.capabilities()?.contains("<domain type='kvm'") {
        return Ok("kvm".into());
    }
    Ok(kind)
}

fn clone_image(c: &Connect, pool: &str, volume: &str, name: &str) -> Result<Disk, DriverError> {
    let missing = |e: DriverError| match e {
        DriverError::NotFound(m) => {
            DriverError::InvalidRequest(format!("image {pool}/{volume}: {m}"))
        }
        e => e,
    };
    let storage = c.lookup_storage_pool_by_name(pool).lv().map_err(missing)?;
    let source = storage
        .lookup_storage_vol_by_name(volume)
        .lv()
        .map_err(missing)?;
    let source_xml = source.xml_desc(0).lv()?;
    let copy = xml::cloned_volume(&source_xml, name)?;
    StorageVol::create_xml_from(&storage, &copy, &source, 0).lv()?;
    Ok(Disk {
        pool: pool.to_owned(),
        volume: name.to_owned(),
        format: xml::volume_format(&source_xml),
    })
}

/// Deletes the disk this driver cloned for domain `uuid`, wherever it is.
fn delete_owned_volume(c: &Connect, uuid: &str) {
    for pool in active_pools(c).unwrap_or_default() {
        if let Ok(vol) = pool.lookup_storage_vol_by_name(&owned_volume(uuid)) {
            let _ = vol.delete(0);
        }
    }
}

/// Runs `action` on the domain whose UUID is `id`.
pub fn act(c: &Connect, id: &str, action: Action) -> Result<(), DriverError> {
    let d = c
        .lookup_domain_by_uuid_string(id)
        .lv()
        .map_err(|e| match e {
            DriverError::NotFound(m) => DriverError::NotFound(format!("machine {id}: {m}")),
            e => e,
        })?;
    match action {
        Action::Reboot => d.reboot(0).lv(),
        Action::Start => d.create().lv(),
        Action::Stop => d.shutdown().lv(),
        Action::Destroy => destroy(c, &d),
    }
}

/// Powers the domain off if it runs, undefines it if it is defined, and
/// deletes the disk this driver cloned for it (other disks are kept).
fn destroy(c: &Connect, d: &Domain) -> Result<(), DriverError> {
    let uuid = d.uuid_string().lv()?;
    if d.is_active().lv()? {
        d.destroy().lv()?;
    }
    if d.is_persistent().lv()? {
        let keep_nothing = sys::VIR_DOMAIN_UNDEFINE_MANAGED_SAVE
            | sys::VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
            | sys::VIR_DOMAIN_UNDEFINE_NVRAM;
        // Drivers without NVRAM (the test driver) refuse that flag.
        if let Err(e) = d.undefine_flags(keep_nothing) {
            if !e.code().is(virt::error::ErrorNumber::InvalidArg) {
                return Err(super::client::map_error(&e));
            }
            d.undefine().lv()?;
        }
    }
    delete_owned_volume(c, &uuid);
    Ok(())
}
