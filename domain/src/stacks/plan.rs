//! [`plan`]: what applying a template to a stack does, per layer, before
//! anything is done. Pure: which machines by name is the service's part.
//!
//! The JSON shape (`?dry_run=true`, the compare answer's `plan`):
//!
//! ```json
//! {"vendor_changed": false,
//!  "layers": [{"flag": "Web01", "role": "web", "action": "replace",
//!              "from": 1, "to": 2,
//!              "why": ["/configurations/0/provision/instance_type"],
//!              "create": ["calm-red-fox-Web01-2", "calm-red-fox-Web01-3"],
//!              "destroy": ["calm-red-fox-Web01-1"]}]}
//! ```
//!
//! `action` is one of `create`, `delete`, `scale`, `replace`, `redeploy`,
//! `no-op`; `from`/`to` are the layer's machine counts before and after;
//! `why` holds the pointers that forced the action, into the new template
//! (into the current one for `delete`); `create`/`destroy` name the
//! machines (the service fills them in: `<nickname>-<flag>-<n>`). Layers come in the new template's
//! order, then the deleted ones in the current template's.

use serde::{Deserialize, Serialize};

use super::computable::agree;
use super::{pointer_child, Layer, Provision, Template};

/// What happens to one layer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// A new layer: its machines are created.
    Create,
    /// The layer is gone: its machines are destroyed.
    Delete,
    /// Only the count changed: machines created, or the highest-numbered
    /// destroyed.
    Scale,
    /// Something a machine cannot change in place did (image, size, zone,
    /// volume, keypair): new machines first, then the old destroyed.
    Replace,
    /// Only the container changed: no machine touched, agents pull it.
    Redeploy,
    /// Nothing the machines or agents see changed.
    NoOp,
}

/// One layer's part of a plan.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerPlan {
    /// The layer's flag.
    pub flag: String,
    /// Its role (in the new template; the current one's for `delete`).
    pub role: String,
    /// What happens.
    pub action: Action,
    /// Machines before (0 for a new layer).
    pub from: u32,
    /// Machines after (0 for a deleted layer).
    pub to: u32,
    /// The pointers that forced the action.
    pub why: Vec<String>,
    /// With `scale`: the container changed too, so the agents of the
    /// machines kept pull it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redeploy: bool,
    /// The machines applying creates, by name (filled in by the service,
    /// which knows the stack's nickname and machines).
    #[serde(default)]
    pub create: Vec<String>,
    /// The machines applying destroys, by name (filled in by the service).
    #[serde(default)]
    pub destroy: Vec<String>,
}

/// What applying a template does.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The new template names another cloud or backend: ignored (a stack
    /// never moves clouds), said so in the answer.
    pub vendor_changed: bool,
    /// One entry per flag.
    pub layers: Vec<LayerPlan>,
}

impl Plan {
    /// Whether applying changes nothing.
    pub fn is_no_op(&self) -> bool {
        self.layers.iter().all(|l| l.action == Action::NoOp)
    }
}

/// The plan from `current` (none for a new stack) to `next`.
pub fn plan(current: Option<&Template>, next: &Template) -> Plan {
    let mut layers = Vec::new();
    for (i, layer) in next.configurations.iter().enumerate() {
        let at = pointer_child("/configurations", &i.to_string());
        let before = current.and_then(|c| c.layer(&layer.flag));
        layers.push(match before {
            None => LayerPlan {
                flag: layer.flag.clone(),
                role: layer.role.clone(),
                action: Action::Create,
                from: 0,
                to: layer.provision.count(),
                why: vec![at],
                redeploy: false,
                create: Vec::new(),
                destroy: Vec::new(),
            },
            Some(before) => compare(before, layer, &at),
        });
    }
    if let Some(current) = current {
        for (i, layer) in current.configurations.iter().enumerate() {
            if next.layer(&layer.flag).is_none() {
                layers.push(LayerPlan {
                    flag: layer.flag.clone(),
                    role: layer.role.clone(),
                    action: Action::Delete,
                    from: layer.provision.count(),
                    to: 0,
                    why: vec![pointer_child("/configurations", &i.to_string())],
                    redeploy: false,
                    create: Vec::new(),
                    destroy: Vec::new(),
                });
            }
        }
    }
    Plan {
        vendor_changed: current.is_some_and(|c| c.vendor != next.vendor),
        layers,
    }
}

/// The provision fields whose change replaces the machines.
fn replacing(before: &Provision, after: &Provision) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if !agree(&before.image, &after.image) {
        fields.push("image");
    }
    if before.instance_type != after.instance_type {
        fields.push("instance_type");
    }
    if !agree(&before.availability_zone, &after.availability_zone) {
        fields.push("availability_zone");
    }
    if !agree(&before.volume_type, &after.volume_type) {
        fields.push("volume_type");
    }
    if !agree(&before.volume_size, &after.volume_size) {
        fields.push("volume_size");
    }
    if before.keypair() != after.keypair() {
        fields.push("keypair");
    }
    fields
}

fn compare(before: &Layer, after: &Layer, at: &str) -> LayerPlan {
    let provision = pointer_child(at, "provision");
    let (from, to) = (before.provision.count(), after.provision.count());
    let replace = replacing(&before.provision, &after.provision);
    let container_changed = before.container != after.container;
    let mut why: Vec<String> = replace
        .iter()
        .map(|field| pointer_child(&provision, field))
        .collect();
    let action = if !replace.is_empty() {
        Action::Replace
    } else if from != to {
        why.push(pointer_child(&provision, "instance_count"));
        Action::Scale
    } else if container_changed {
        why.push(pointer_child(at, "container"));
        Action::Redeploy
    } else {
        Action::NoOp
    };
    if action == Action::Replace && from != to {
        why.push(pointer_child(&provision, "instance_count"));
    }
    let redeploy = action == Action::Scale && container_changed;
    if redeploy {
        why.push(pointer_child(at, "container"));
    }
    LayerPlan {
        flag: after.flag.clone(),
        role: after.role.clone(),
        action,
        from,
        to,
        why,
        redeploy,
        create: Vec::new(),
        destroy: Vec::new(),
    }
}
