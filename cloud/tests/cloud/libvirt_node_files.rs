//! The libvirt driver against the test driver loaded from a node file of our
//! own (`test:///<path>`): a storage pool with a base volume (images,
//! clone on create, delete on destroy) and a host that requires a login.

use std::path::PathBuf;

use cloud::libvirt::Libvirt;
use cloud::{Action, CloudDriver, DriverError, MachineState};

use super::request;

/// A test-driver node file, removed when dropped.
struct NodeFile(PathBuf);

impl NodeFile {
    fn new(tag: &str, xml: &str) -> Self {
        let name = format!("overcast-libvirt-{tag}-{}.xml", std::process::id());
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, xml).unwrap();
        NodeFile(path)
    }

    fn uri(&self) -> String {
        format!("test://{}", self.0.display())
    }
}

impl Drop for NodeFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const WITH_IMAGES: &str = "<node>
  <pool type='dir'>
    <name>images</name>
    <uuid>35bb2ad9-388a-cdfe-461a-b8907f6e53fe</uuid>
    <capacity unit='GiB'>100</capacity>
    <allocation>0</allocation>
    <available unit='GiB'>100</available>
    <target><path>/var/lib/overcast-test/images</path></target>
    <volume type='file'>
      <name>debian-12.qcow2</name>
      <capacity unit='GiB'>2</capacity>
      <allocation unit='GiB'>1</allocation>
      <target><format type='qcow2'/></target>
    </volume>
  </pool>
</node>";

#[tokio::test]
async fn a_base_volume_is_cloned_for_a_machine_and_its_copy_deleted_with_it() {
    let file = NodeFile::new("images", WITH_IMAGES);
    let d = Libvirt::connect(&file.uri()).await.unwrap();

    let images = d.list_images(None).await.unwrap();
    let ids: Vec<_> = images.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["none", "images/debian-12.qcow2"]);
    assert_eq!(images[1].extra["capacity_bytes"], 2u64 << 30);
    let found = d.list_images(Some("DEBIAN")).await.unwrap();
    assert_eq!(found.len(), 1);

    let created = d
        .create_machine(&request(&d, "db-1", "images/debian-12.qcow2").await)
        .await
        .unwrap();
    assert_eq!(created.state, MachineState::Running);
    assert_eq!(created.size.as_deref(), Some("1cpu-512mb"));
    let disk = format!("overcast-{}", created.id);
    let volumes = d.volumes().await.unwrap();
    assert!(volumes.contains(&format!("images/{disk}")), "{volumes:?}");
    let xml = d.domain_xml(&created.id).await.unwrap();
    assert!(xml.contains(&format!("volume='{disk}'")), "{xml}");
    assert!(
        xml.contains("type='qcow2'"),
        "the disk keeps the base's format: {xml}"
    );
    // The copy is a machine's disk, not an image to offer.
    assert_eq!(d.list_images(None).await.unwrap().len(), 2);

    d.machine_action(&created.id, Action::Destroy)
        .await
        .unwrap();
    assert!(d.list_machines().await.unwrap().is_empty());
    assert_eq!(d.volumes().await.unwrap(), ["images/debian-12.qcow2"]);
}

#[tokio::test]
async fn a_host_that_wants_a_login_is_bad_credentials_with_the_reason() {
    let file = NodeFile::new(
        "auth",
        "<node><auth><user password='s3cret'>admin</user></auth></node>",
    );
    let err = Libvirt::connect(&file.uri()).await.unwrap_err();
    assert!(
        matches!(err, DriverError::BadCredentials(ref m) if m.contains("authentication failed")),
        "{err:?}"
    );
}
