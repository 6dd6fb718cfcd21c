//! The stateless group of the suite: properties any peer can prove, even
//! one that answers every call with the same example.

use crate::types::{Action, CreateMachine, Image, Location, Machine, MachineState, Size};
use crate::{CloudDriver, DriverError};

/// What the catalogue check found, for choosing what to create.
#[derive(Clone, Debug)]
pub struct Catalogue {
    /// `list_sizes()`.
    pub sizes: Vec<Size>,
    /// `list_images(None)`.
    pub images: Vec<Image>,
    /// `list_locations()`.
    pub locations: Vec<Location>,
}

/// Panics unless `id` could be put in a URL or a database row as is.
pub fn assert_well_formed_id(what: &str, id: &str) {
    assert!(
        !id.is_empty()
            && id.len() <= 255
            && !id.chars().any(|c| c.is_whitespace() || c.is_control()),
        "{what} id {id:?} is not well formed (empty, too long, or with spaces)"
    );
}

fn assert_unique<'a>(what: &str, ids: impl Iterator<Item = &'a str>) {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        assert_well_formed_id(what, id);
        assert!(seen.insert(id), "{what} id {id:?} appears twice");
    }
}

/// The driver's credentials are accepted.
pub(super) async fn credentials_are_accepted(d: &dyn CloudDriver) {
    if let Err(e) = d.check_credentials().await {
        panic!(
            "{}: check_credentials refused good credentials: {e}",
            d.provider()
        );
    }
}

/// Sizes, images and locations are non-empty with unique, well-formed ids
/// and names, and an image search nothing matches finds nothing.
pub(super) async fn catalogue_is_well_formed(d: &dyn CloudDriver) -> Catalogue {
    let p = d.provider();
    let sizes = d
        .list_sizes()
        .await
        .unwrap_or_else(|e| panic!("{p}: list_sizes: {e}"));
    let images = d
        .list_images(None)
        .await
        .unwrap_or_else(|e| panic!("{p}: list_images: {e}"));
    let locations = d
        .list_locations()
        .await
        .unwrap_or_else(|e| panic!("{p}: list_locations: {e}"));
    assert!(!sizes.is_empty(), "{p}: no sizes");
    assert!(!images.is_empty(), "{p}: no images");
    assert!(!locations.is_empty(), "{p}: no locations");
    assert_unique("size", sizes.iter().map(|s| s.id.as_str()));
    assert_unique("image", images.iter().map(|i| i.id.as_str()));
    assert_unique("location", locations.iter().map(|l| l.id.as_str()));
    let names = sizes
        .iter()
        .map(|s| &s.name)
        .chain(images.iter().map(|i| &i.name));
    for name in names.chain(locations.iter().map(|l| &l.name)) {
        assert!(!name.trim().is_empty(), "{p}: an entry has an empty name");
    }
    let none = d.list_images(Some("overcast-no-such-image-zz9")).await;
    let none = none.unwrap_or_else(|e| panic!("{p}: list_images(search): {e}"));
    assert!(
        none.is_empty(),
        "{p}: a search nothing matches found {} images",
        none.len()
    );
    Catalogue {
        sizes,
        images,
        locations,
    }
}

/// Machines are listed with unique, well-formed ids, addresses that parse,
/// and an object for `extra`.
pub async fn machines_are_well_formed(d: &dyn CloudDriver) -> Vec<Machine> {
    let p = d.provider();
    let machines = d
        .list_machines()
        .await
        .unwrap_or_else(|e| panic!("{p}: list_machines: {e}"));
    assert_unique("machine", machines.iter().map(|m| m.id.as_str()));
    for m in &machines {
        for ip in m.public_ips.iter().chain(&m.private_ips) {
            assert!(
                ip.parse::<std::net::IpAddr>().is_ok(),
                "{p}: machine {}: bad IP {ip:?}",
                m.id
            );
        }
        assert!(
            m.extra.is_object(),
            "{p}: machine {}: extra is not an object",
            m.id
        );
    }
    machines
}

/// A create is accepted and returns a new machine (`None` when the driver
/// cannot create, which must then be `Unsupported`).
pub(super) async fn create_is_accepted(
    d: &dyn CloudDriver,
    request: &CreateMachine,
) -> Option<Machine> {
    let p = d.provider();
    let result = d.create_machine(request).await;
    if !d.capabilities().create {
        assert!(
            matches!(result, Err(DriverError::Unsupported { .. })),
            "{p}: create without the capability: {result:?}"
        );
        return None;
    }
    let m = result.unwrap_or_else(|e| panic!("{p}: create_machine({}): {e}", request.name));
    assert_well_formed_id("machine", &m.id);
    let fresh = [
        MachineState::Pending,
        MachineState::Starting,
        MachineState::Running,
    ];
    assert!(
        fresh.contains(&m.state),
        "{p}: a new machine is {:?}",
        m.state
    );
    Some(m)
}

/// Reboot, stop and start are each accepted when the capabilities say so,
/// and refused as `Unsupported` otherwise.
pub(super) async fn actions_are_accepted(d: &dyn CloudDriver, id: &str) {
    for action in [Action::Reboot, Action::Stop, Action::Start] {
        action_is_accepted(d, id, action).await;
    }
}

async fn action_is_accepted(d: &dyn CloudDriver, id: &str, action: Action) {
    let p = d.provider();
    let result = d.machine_action(id, action).await;
    if d.capabilities().supports(action) {
        if let Err(e) = result {
            panic!("{p}: {} of machine {id}: {e}", action.as_str());
        }
    } else {
        assert!(
            matches!(result, Err(DriverError::Unsupported { .. })),
            "{p}: {} without the capability gave {result:?}",
            action.as_str()
        );
    }
}

/// Every action the capabilities leave out is refused as `Unsupported`
/// (nothing is sent, so this is safe on a live machine).
pub(super) async fn unsupported_actions_are_refused(d: &dyn CloudDriver, id: &str) {
    let caps = d.capabilities();
    for action in Action::ALL.into_iter().filter(|a| !caps.supports(*a)) {
        action_is_accepted(d, id, action).await;
    }
}

/// `set_tags` is accepted, or `Unsupported` without the capability.
pub(super) async fn tags_are_accepted(d: &dyn CloudDriver, id: &str, tags: &[String]) {
    let result = d.set_tags(id, tags).await;
    if d.capabilities().tag {
        if let Err(e) = result {
            panic!("{}: set_tags on {id}: {e}", d.provider());
        }
    } else {
        assert!(
            matches!(result, Err(DriverError::Unsupported { .. })),
            "{result:?}"
        );
    }
}

/// Destroy is accepted (or `Unsupported` without the capability).
pub(super) async fn destroy_is_accepted(d: &dyn CloudDriver, id: &str) {
    action_is_accepted(d, id, Action::Destroy).await;
}

/// An action on an id the provider never issued is `NotFound`.
pub(super) async fn unknown_machine_is_not_found(d: &dyn CloudDriver, unknown_id: &str) {
    let caps = d.capabilities();
    let Some(action) = Action::ALL.into_iter().find(|a| caps.supports(*a)) else {
        return;
    };
    let result = d.machine_action(unknown_id, action).await;
    assert!(
        matches!(result, Err(DriverError::NotFound(_))),
        "{}: {} of unknown machine {unknown_id:?} gave {result:?}",
        d.provider(),
        action.as_str()
    );
}
