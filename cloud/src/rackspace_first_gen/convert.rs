//! From v1.0 elements (`<server>`, `<flavor>`, `<image>`) to Overcast's
//! values, and the `<server>` a create sends.

use base64::Engine;
use roxmltree::Node;
use serde_json::{json, Map, Value};

use super::xml::{self, attr, children, escape, number, required, NAMESPACE};
use crate::error::DriverError;
use crate::openstack::map_state;
use crate::types::{CreateMachine, Image, Machine, Size};

/// The user first generation images log in as (its home is `/<user>`).
pub const LOGIN_USER: &str = "root";

/// Where on the new server a create's public key is written (first
/// generation images had no cloud-init: the personality file is the only
/// way in): the login user's `~/.ssh/authorized_keys`.
pub fn authorized_keys() -> String {
    format!("/{LOGIN_USER}/.ssh/authorized_keys")
}

/// Operating systems recognised at the start of an image name.
const SYSTEMS: [&str; 12] = [
    "Ubuntu", "Debian", "CentOS", "Fedora", "Gentoo", "Arch", "Red Hat", "RHEL", "Windows",
    "openSUSE", "FreeBSD", "Oracle",
];

/// One `<server>` (a listing's or a create's answer) in `location`.
pub(crate) fn machine(server: Node<'_, '_>, location: &str) -> Result<Machine, DriverError> {
    let id = required(server, "id")?.to_owned();
    let status = attr(server, "status").unwrap_or("UNKNOWN");
    let mut metadata = Map::new();
    for meta in xml::at(server, "metadata")
        .into_iter()
        .flat_map(|m| children(m, "meta"))
    {
        if let Some(key) = attr(meta, "key") {
            let value = meta.text().unwrap_or_default().trim();
            metadata.insert(key.to_owned(), json!(value));
        }
    }
    Ok(Machine {
        name: attr(server, "name").unwrap_or(&id).to_owned(),
        state: map_state(status),
        public_ips: xml::ips(server, "addresses/public"),
        private_ips: xml::ips(server, "addresses/private"),
        size: attr(server, "flavorId").map(str::to_owned),
        image: attr(server, "imageId").map(str::to_owned),
        location: Some(location.to_owned()),
        // Metadata is set at creation only in v1.0: shown, not offered as tags.
        tags: Vec::new(),
        extra: json!({
            "status": status,
            "progress": number::<u32>(server, "progress"),
            "host_id": attr(server, "hostId"),
            "metadata": metadata,
        }),
        id,
    })
}

/// Every `<server>` of a `<servers>` answer.
pub(crate) fn machines(body: &[u8], location: &str) -> Result<Vec<Machine>, DriverError> {
    let doc = xml::parse(body)?;
    let root = xml::root(&doc, "servers")?;
    children(root, "server")
        .map(|s| machine(s, location))
        .collect()
}

/// Every `<flavor>` of a `<flavors>` answer.
pub(crate) fn sizes(body: &[u8]) -> Result<Vec<Size>, DriverError> {
    let doc = xml::parse(body)?;
    let root = xml::root(&doc, "flavors")?;
    children(root, "flavor")
        .map(|f| {
            let id = required(f, "id")?.to_owned();
            Ok(Size {
                name: attr(f, "name").unwrap_or(&id).to_owned(),
                ram_mb: number(f, "ram"),
                disk_gb: number(f, "disk"),
                cpus: number(f, "vcpus"),
                transfer_gb: None,
                price_hourly: None,
                price_monthly: None,
                extra: json!({}),
                id,
            })
        })
        .collect()
}

/// The `ACTIVE` images of an `<images>` answer. Images with a `serverId`
/// are the account's own backups (not public).
pub(crate) fn images(body: &[u8]) -> Result<Vec<Image>, DriverError> {
    let doc = xml::parse(body)?;
    let root = xml::root(&doc, "images")?;
    let mut images = Vec::new();
    for i in children(root, "image") {
        let status = attr(i, "status");
        if status.is_some_and(|s| !s.eq_ignore_ascii_case("ACTIVE")) {
            continue;
        }
        let id = required(i, "id")?.to_owned();
        let name = attr(i, "name").unwrap_or(&id).to_owned();
        let os = SYSTEMS
            .iter()
            .find(|s| {
                name.get(..s.len())
                    .is_some_and(|start| start.eq_ignore_ascii_case(s))
            })
            .map(|s| (*s).to_owned());
        images.push(Image {
            public: attr(i, "serverId").is_none(),
            extra: json!({
                "status": status,
                "created": attr(i, "created"),
                "updated": attr(i, "updated"),
                "server_id": attr(i, "serverId"),
                "min_disk": number::<u64>(i, "minDisk"),
                "min_ram": number::<u64>(i, "minRam"),
            }),
            id,
            name,
            os,
        });
    }
    Ok(images)
}

/// The `<server>` document a create posts: name, image and flavour, and
/// the key (if any) as a personality file in root's `authorized_keys`.
pub(crate) fn create_body(request: &CreateMachine) -> Result<String, DriverError> {
    for (what, value) in [
        ("name", &request.name),
        ("image", &request.image),
        ("size", &request.size),
    ] {
        if value.trim().is_empty() {
            return Err(DriverError::InvalidRequest(format!("the {what} is empty")));
        }
    }
    let mut body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><server xmlns="{NAMESPACE}" name="{}" imageId="{}" flavorId="{}">"#,
        escape(request.name.trim()),
        escape(request.image.trim()),
        escape(request.size.trim()),
    );
    if let Some(key) = &request.key {
        let line = format!("{}\n", key.openssh.trim());
        let encoded = base64::engine::general_purpose::STANDARD.encode(line);
        body.push_str(&format!(
            r#"<personality><file path="{path}">{encoded}</file></personality>"#,
            path = authorized_keys()
        ));
    }
    body.push_str("</server>");
    Ok(body)
}

/// The `<reboot>` action body.
pub(crate) fn reboot_body() -> String {
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><reboot xmlns="{NAMESPACE}" type="SOFT"/>"#)
}

/// The machine a create answered with (`Pending` while `BUILD`). The
/// root password it carries is not kept: the key is the way in.
pub(crate) fn created(body: &[u8], location: &str) -> Result<Machine, DriverError> {
    let doc = xml::parse(body)?;
    let root = xml::root(&doc, "server")?;
    let mut m = machine(root, location)?;
    if let Value::Object(extra) = &mut m.extra {
        extra.insert(
            "admin_pass_sent".into(),
            json!(attr(root, "adminPass").is_some()),
        );
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::PublicKey;

    #[test]
    fn the_create_body_escapes_values_and_carries_the_key() {
        let request = CreateMachine {
            name: "web <1> & \"two\"".into(),
            size: "1".into(),
            image: "11".into(),
            location: "us".into(),
            key: Some(PublicKey {
                name: "k".into(),
                openssh: "ssh-ed25519 AAAA k@h".into(),
            }),
            user_data: None,
        };
        let body = create_body(&request).unwrap();
        let doc = xml::parse(body.as_bytes()).unwrap();
        let server = xml::root(&doc, "server").unwrap();
        assert_eq!(server.attribute("name"), Some("web <1> & \"two\""));
        assert_eq!(server.tag_name().namespace(), Some(NAMESPACE));
        let file = xml::at(server, "personality/file").unwrap();
        assert_eq!(file.attribute("path"), Some(authorized_keys().as_str()));
        let key = base64::engine::general_purpose::STANDARD
            .decode(file.text().unwrap())
            .unwrap();
        assert_eq!(key, b"ssh-ed25519 AAAA k@h\n");
    }

    #[test]
    fn machines_without_an_id_are_a_protocol_error() {
        let body = br#"<servers><server name="x" status="ACTIVE"/></servers>"#;
        assert!(matches!(
            machines(body, "us"),
            Err(DriverError::Protocol(_))
        ));
    }
}
