//! Stacks (Mobingi ALM v3) for the pages: list, describe, apply (a dry run
//! is the plan), update, delete, versions, one version's template, compare
//! two versions, and which stack each machine belongs to. Each function is
//! a thin door onto `service::stacks`, which authorises, exactly as the
//! REST routes in `server::rest::alm` call it.

mod apply_stack;
mod compare_versions;
#[cfg(feature = "ssr")]
mod convert;
mod delete_stack;
mod get_stack;
mod get_template_version;
mod list_stacks;
mod list_versions;
mod may_create_stack;
mod stack_membership;
mod update_stack;

pub use apply_stack::*;
pub use compare_versions::*;
pub use delete_stack::*;
pub use get_stack::*;
pub use get_template_version::*;
pub use list_stacks::*;
pub use list_versions::*;
pub use may_create_stack::*;
pub use stack_membership::*;
pub use update_stack::*;

use domain::stacks::{Diff, Plan};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One machine of a stack's layer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StackMachine {
    /// `<nickname>-<flag>-<n>`.
    pub name: String,
    /// The provider's id (the machine page's address).
    pub machine_id: String,
    /// Its state as last seen.
    pub state: String,
    /// Its public addresses as last seen.
    pub public_ips: Vec<String>,
}

/// One layer (flag) of a stack and the machines it holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StackLayer {
    /// The layer's flag.
    pub flag: String,
    /// Its role in the current template.
    pub role: String,
    /// The machines it holds.
    pub machines: Vec<StackMachine>,
}

/// An agent's last reports (alm-agent, on a machine of the stack).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentReport {
    /// The agent's id.
    pub agent_id: String,
    /// The cloud's id of its machine, as it sent it.
    pub instance_id: String,
    /// The name of the stack's machine it runs on, if known.
    pub machine: Option<String>,
    /// Its last status (free text).
    pub status: Option<String>,
    /// The message that came with it.
    pub message: Option<String>,
    /// Its container's last status.
    pub container_status: Option<String>,
    /// Its last report, Unix ms.
    pub updated_at: i64,
}

/// One entry of a stack's own log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StackEvent {
    /// Its place in the log.
    pub seq: i64,
    /// Unix ms.
    pub at: i64,
    /// `status`, `step`, `agent`, ...
    pub kind: String,
    /// What the service logged.
    pub detail: Value,
}

/// A stack as the pages show it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StackView {
    /// Its id.
    pub stack_id: String,
    /// Three words.
    pub nickname: String,
    /// CloudFormation's status name.
    pub status: String,
    /// The operation running, if any.
    pub operation: Option<String>,
    /// The backend its machines live in.
    pub backend_id: String,
    /// The backend's title (its id when the caller may not see it).
    pub backend_title: String,
    /// The template's `vendor` key (`aws`, `libvirt`, ...).
    pub cloud: String,
    /// The current version.
    pub version_id: String,
    /// The current template, secrets masked.
    pub configuration: Value,
    /// The layers, in the template's order (then flags no longer in it).
    pub layers: Vec<StackLayer>,
    /// The latest events, oldest first (empty in a list).
    pub events: Vec<StackEvent>,
    /// Every agent that reported, its last reports.
    pub agents: Vec<AgentReport>,
    /// Unix ms.
    pub created_at: i64,
    /// When it was deleted, Unix ms.
    pub deleted_at: Option<i64>,
    /// Who made it (an email; empty if unknown).
    pub owner: String,
    /// The caller may update it (`edit:alm.stack`).
    pub may_edit: bool,
    /// The caller may delete it (`delete:alm.stack`).
    pub may_delete: bool,
}

impl StackView {
    /// How many machines it holds.
    pub fn machine_count(&self) -> usize {
        self.layers.iter().map(|l| l.machines.len()).sum()
    }

    /// An operation runs (`*_IN_PROGRESS`): nothing else may begin.
    pub fn busy(&self) -> bool {
        self.status.ends_with("_IN_PROGRESS")
    }

    /// Deleted for good.
    pub fn deleted(&self) -> bool {
        self.deleted_at.is_some() || self.status == "DELETE_COMPLETE"
    }
}

/// The Stacks list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StackList {
    /// The caller may make a stack (`create:alm.stack`).
    pub may_create: bool,
    /// The stacks the caller may see, newest first.
    pub stacks: Vec<StackView>,
}

/// What applying or updating answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    /// The stack (absent on a new stack's plan).
    pub stack_id: Option<String>,
    /// The version it went to (absent on a plan).
    pub version_id: Option<String>,
    /// The status it went to (absent on a plan).
    pub stack_status: Option<String>,
    /// What the service says beside (an update's vendor ignored).
    pub message: Option<String>,
    /// What applying does (or did).
    pub plan: Plan,
}

/// A template being written, kept for the page a plain form post (no
/// JavaScript) returns to: the text (so nothing typed is lost), and its
/// plan once planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The stack it updates; `None` for a new stack.
    pub stack_id: Option<String>,
    /// The text as submitted.
    pub text: String,
    /// Its plan, if it was planned.
    pub plan: Option<Plan>,
    /// The version the plan was made against (an update).
    pub expected_version: String,
}

/// A stored version as listed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// Its id.
    pub version_id: String,
    /// The newest.
    pub latest: bool,
    /// Unix ms.
    pub last_modified: i64,
    /// Bytes.
    pub size: String,
}

/// Two versions compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The older side's template, pretty-printed (secrets masked).
    pub source_text: String,
    /// The newer side's template, pretty-printed (secrets masked).
    pub target_text: String,
    /// What changed, by pointer.
    pub diff: Diff,
    /// What going from the source to the target does.
    pub plan: Plan,
}

/// A machine held by a stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The machine's backend.
    pub backend_id: String,
    /// The machine.
    pub machine_id: String,
    /// The stack.
    pub stack_id: String,
    /// The stack's nickname.
    pub nickname: String,
}

/// A template pretty-printed for the editor and the side-by-side view.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
