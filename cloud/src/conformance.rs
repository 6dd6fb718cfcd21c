//! The suite every driver runs against its peer (object_store's
//! `integration.rs` idea; Libcloud's opt-in mixin rotted), through one
//! entry point: [`run`], given what the peer can prove ([`Abilities`]).
//!
//! Each property panics with a message naming it. They come in two groups:
//!
//! - **Stateless** (any peer, even one that answers every call with the
//!   same example, like Prism on an OpenAPI description): credentials,
//!   catalogue and machine lists well formed, an image search that finds
//!   nothing finds nothing, a create accepted, every action and tag call
//!   accepted or refused as the capabilities say, destroy accepted; and,
//!   where the peer can tell, the created machine listed and unknown ids
//!   `NotFound`.
//! - **Stateful** (a peer that keeps machines: moto, mimic, libvirt's test
//!   driver): the created machine is listed, actions move its state, tags
//!   stick, destroy removes it.
//!
//! The driver runs behind the capability guard ([`crate::guarded`]), as
//! the service uses it: what its capabilities leave out must be refused.

use std::sync::Arc;
use std::time::Duration;

use crate::types::{CreateMachine, Machine};
use crate::{CloudDriver, Guarded};

mod stateful;
mod stateless;

pub use stateful::wait_until;
pub use stateless::{assert_well_formed_id, machines_are_well_formed, Catalogue};

/// How long stateful checks wait for a state, and how often they look.
#[derive(Clone, Copy, Debug)]
pub struct Wait {
    /// Give up after this long.
    pub timeout: Duration,
    /// Time between two listings.
    pub interval: Duration,
}

/// What the peer a driver's test runs against can prove: [`run`] checks
/// every property these allow. Start from [`Abilities::stateless`] or
/// [`Abilities::stateful`] and name what differs.
#[derive(Clone, Debug)]
pub struct Abilities {
    /// The create the suite sends (with a key and user data where the
    /// driver takes them).
    pub create: CreateMachine,
    /// The machine actions, tags and destroy are sent to when the peer
    /// answers them only for a machine it recorded; `None`: the machine the
    /// create returned.
    pub act_on: Option<String>,
    /// The peer answers tag calls (a recording without them cannot). A
    /// driver without the `tag` capability is checked to refuse them either
    /// way.
    pub tags: bool,
    /// The peer lists the machine a create returned.
    pub lists_created: bool,
    /// Ids the peer never issued: an action on each must be `NotFound`.
    /// Empty where the peer cannot tell.
    pub unknown_ids: Vec<String>,
    /// The peer keeps machines between calls: actions change their state,
    /// tags stick and destroy removes them, each seen within this wait.
    /// `None` for a peer without memory.
    pub keeps_state: Option<Wait>,
}

impl Abilities {
    /// A peer without memory that accepts every well-formed call (Prism on
    /// an OpenAPI description): the stateless group.
    pub fn stateless(create: CreateMachine) -> Self {
        Abilities {
            create,
            act_on: None,
            tags: true,
            lists_created: false,
            unknown_ids: Vec::new(),
            keeps_state: None,
        }
    }

    /// A peer that keeps machines (moto, mimic, libvirt's test driver) and
    /// answers `unknown_id` with "not found": every property.
    pub fn stateful(create: CreateMachine, unknown_id: &str, wait: Wait) -> Self {
        Abilities {
            lists_created: true,
            unknown_ids: vec![unknown_id.to_owned()],
            keeps_state: Some(wait),
            ..Abilities::stateless(create)
        }
    }
}

/// What a run saw, for a test's own checks after it.
#[derive(Clone, Debug)]
pub struct Ran {
    /// The sizes, images and locations listed.
    pub catalogue: Catalogue,
    /// The machines listed before the create.
    pub machines: Vec<Machine>,
    /// The machine the create returned (`None` without the capability).
    pub created: Option<Machine>,
}

/// Runs every property `peer` can prove against `driver`, behind the
/// capability guard: credentials, catalogue, machines, unknown ids, a
/// create; then, on the machine acted on, every action (accepted, or
/// refused without the capability), tags and destroy, each only accepted
/// on a peer without memory, seen to take effect on one that keeps state.
/// Panics naming the first property that fails.
pub async fn run(driver: Arc<dyn CloudDriver>, peer: &Abilities) -> Ran {
    let guarded = Guarded::new(driver);
    let d: &dyn CloudDriver = &guarded;
    stateless::credentials_are_accepted(d).await;
    let catalogue = stateless::catalogue_is_well_formed(d).await;
    let machines = machines_are_well_formed(d).await;
    for id in &peer.unknown_ids {
        stateless::unknown_machine_is_not_found(d, id).await;
    }
    let created = stateless::create_is_accepted(d, &peer.create).await;
    if let Some(m) = &created {
        if peer.lists_created {
            stateful::created_machine_is_listed(d, m).await;
        }
        let target = peer.act_on.as_deref().unwrap_or(&m.id);
        stateless::unsupported_actions_are_refused(d, target).await;
        let tags = ["overcast".to_owned(), "conformance".to_owned()];
        let tag = d.capabilities().tag;
        if !tag {
            stateless::tags_are_accepted(d, target, &tags).await;
        }
        match peer.keeps_state {
            Some(wait) => {
                stateful::actions_change_state(d, target, wait).await;
                if tag && peer.tags {
                    stateful::tags_are_listed(d, target, &tags, wait).await;
                }
                stateful::destroy_removes_it(d, target, wait).await;
            }
            None => {
                stateless::actions_are_accepted(d, target).await;
                if tag && peer.tags {
                    stateless::tags_are_accepted(d, target, &tags).await;
                }
                stateless::destroy_is_accepted(d, target).await;
            }
        }
    }
    Ran {
        catalogue,
        machines,
        created,
    }
}
