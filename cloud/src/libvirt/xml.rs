//! The XML this driver writes (a domain, a cloned volume) and the little it
//! reads back (a volume's format). Every value put into XML goes through
//! [`escape`]; names with characters XML 1.0 cannot carry are refused first.

use crate::error::DriverError;

/// Escapes the five characters with a meaning in XML text and attributes.
pub(super) fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Refuses a machine name libvirt or XML cannot hold: empty, over 200
/// characters, or with control characters (XML 1.0 has no escape for them).
/// Anything else, markup characters included, is escaped and kept as is.
pub(super) fn check_name(name: &str) -> Result<(), DriverError> {
    if name.trim().is_empty() {
        return Err(DriverError::InvalidRequest(
            "the machine name is empty".into(),
        ));
    }
    if name.chars().count() > 200 {
        return Err(DriverError::InvalidRequest(
            "the machine name is longer than 200 characters".into(),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(DriverError::InvalidRequest(
            "the machine name contains control characters".into(),
        ));
    }
    Ok(())
}

/// A disk made from a volume of a storage pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Disk {
    /// The storage pool's name.
    pub pool: String,
    /// The volume's name in that pool.
    pub volume: String,
    /// The volume's format (`qcow2`, `raw`), when libvirt reported one.
    pub format: Option<String>,
}

/// What a new domain is made of.
#[derive(Debug, Clone)]
pub(super) struct DomainSpec {
    /// `<domain type=..>`: `kvm`, `qemu`, `test`, ...
    pub kind: String,
    pub name: String,
    pub uuid: String,
    pub memory_mib: u64,
    pub vcpus: u32,
    pub disk: Option<Disk>,
    /// A libvirt network to attach one virtio NIC to.
    pub network: Option<String>,
}

/// The domain definition for `spec`: an HVM guest booting from its disk,
/// with ACPI (so `shutdown` reaches the guest) and a serial console.
pub(super) fn domain(spec: &DomainSpec) -> String {
    let mut devices = String::new();
    if let Some(disk) = &spec.disk {
        let driver = match &disk.format {
            Some(format) => format!("<driver name='qemu' type='{}'/>", escape(format)),
            None => String::new(),
        };
        devices.push_str(&format!(
            "<disk type='volume' device='disk'>{driver}<source pool='{}' volume='{}'/>\
             <target dev='vda' bus='virtio'/></disk>",
            escape(&disk.pool),
            escape(&disk.volume),
        ));
    }
    if let Some(network) = &spec.network {
        devices.push_str(&format!(
            "<interface type='network'><source network='{}'/><model type='virtio'/></interface>",
            escape(network)
        ));
    }
    devices.push_str("<serial type='pty'/><console type='pty'/>");
    format!(
        "<domain type='{kind}'><name>{name}</name><uuid>{uuid}</uuid>\
         <memory unit='MiB'>{memory}</memory><vcpu>{vcpus}</vcpu>\
         <os><type>hvm</type><boot dev='hd'/></os><features><acpi/><apic/></features>\
         <devices>{devices}</devices></domain>",
        kind = escape(&spec.kind),
        name = escape(&spec.name),
        uuid = escape(&spec.uuid),
        memory = spec.memory_mib,
        vcpus = spec.vcpus,
    )
}

/// The definition of a copy of the volume described by `source_xml` (as
/// `virStorageVolGetXMLDesc` gave it) under `new_name`: the source's own
/// description with its name replaced, as `virsh vol-clone` does, so the
/// copy keeps the format, capacity and permissions.
pub(super) fn cloned_volume(source_xml: &str, new_name: &str) -> Result<String, DriverError> {
    let unreadable = || DriverError::Protocol("a volume description without <name>".into());
    let start = source_xml.find("<name>").ok_or_else(unreadable)? + "<name>".len();
    let end = start + source_xml[start..].find("</name>").ok_or_else(unreadable)?;
    Ok(format!(
        "{}{}{}",
        &source_xml[..start],
        escape(new_name),
        &source_xml[end..]
    ))
}

/// The `<format type='..'/>` of a volume description, when it is a plain
/// word (libvirt writes formats like `qcow2`, `raw`, `iso`).
pub(super) fn volume_format(volume_xml: &str) -> Option<String> {
    let rest = volume_xml.split("<format type=").nth(1)?;
    let quote = rest.chars().next()?;
    let value = rest[1..].split(quote).next()?;
    let plain = !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric());
    plain.then(|| value.to_owned())
}

/// A random (version 4) UUID in libvirt's text form.
pub(super) fn new_uuid() -> String {
    let mut bytes = fastrand::u128(..).to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_escaped_and_control_characters_refused() {
        assert_eq!(escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert!(check_name(r#"a<b>&"c'"#).is_ok());
        assert!(check_name("web\u{1}").is_err());
        assert!(check_name("  ").is_err());
    }

    #[test]
    fn a_domain_carries_its_disk_network_and_escaped_values() {
        let xml = domain(&DomainSpec {
            kind: "kvm".into(),
            name: "a<b".into(),
            uuid: new_uuid(),
            memory_mib: 512,
            vcpus: 1,
            disk: Some(Disk {
                pool: "images".into(),
                volume: "v'1".into(),
                format: Some("qcow2".into()),
            }),
            network: Some("default".into()),
        });
        assert!(xml.contains("<name>a&lt;b</name>"), "{xml}");
        assert!(xml.contains("volume='v&apos;1'"), "{xml}");
        assert!(xml.contains("type='qcow2'") && xml.contains("network='default'"));
    }

    #[test]
    fn a_clone_keeps_the_source_description_under_a_new_name() {
        let source = "<volume type='file'><name>base.qcow2</name><target>\
                      <format type='qcow2'/></target></volume>";
        let copy = cloned_volume(source, "overcast-1").unwrap();
        assert!(copy.contains("<name>overcast-1</name>") && copy.contains("qcow2"));
        assert_eq!(volume_format(source).as_deref(), Some("qcow2"));
        assert_eq!(volume_format("<volume/>"), None);
        assert!(cloned_volume("<volume/>", "x").is_err());
    }

    #[test]
    fn uuids_are_version_4_and_differ() {
        let (a, b) = (new_uuid(), new_uuid());
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, b);
    }
}
