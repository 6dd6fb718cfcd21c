//! What the Home dashboard shows a caller: the backends and machines they
//! may see (counted), the scripts running now, their recent activity, and
//! for a new installation what is left to set up. The same value for the
//! REST API (`GET /v3/dashboard`), the server function and the page.

use serde::{Deserialize, Serialize};

use crate::compute::{BackendState, MachineState, RunState};
use crate::rights::Sections;

/// How many running scripts the dashboard lists (the count covers all).
pub const LATEST_SCRIPTS: usize = 5;

/// How many audit events the dashboard lists.
pub const ACTIVITY: usize = 10;

/// The whole dashboard, for one caller.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// What is left to set up: present when the caller may add keys or
    /// backends, absent otherwise (setting up is not their part).
    pub checklist: Option<Checklist>,
    /// The backends the caller may see, those in trouble (`error`,
    /// `offline`) first, then by title.
    pub backends: Vec<BackendCount>,
    /// The machines the caller may see, counted by state (only states with
    /// machines, most common first).
    pub machines: Vec<StateCount>,
    /// All the machines the caller may see.
    pub machines_total: i64,
    /// Script runs waiting for their machine or running, on machines the
    /// caller may see.
    pub scripts: RunningScripts,
    /// The newest audit events that concern the caller (at most
    /// [`ACTIVITY`]), newest first.
    pub activity: Vec<Activity>,
    /// The sections the caller may open: the dashboard links only to them.
    pub sections: Sections,
}

/// A new installation's first steps, each ticked once done (by anyone).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    /// An SSH key exists.
    pub key: bool,
    /// A backend exists.
    pub backend: bool,
    /// A machine exists (on any backend).
    pub machine: bool,
    /// The caller may add a key (`create:key`): the step links to it.
    #[serde(default)]
    pub may_add_key: bool,
    /// The caller may add a backend (`create:backend`).
    #[serde(default)]
    pub may_add_backend: bool,
    /// The caller may create a machine (`create:machine`).
    #[serde(default)]
    pub may_create_machine: bool,
}

impl Checklist {
    /// Every step is done.
    pub fn complete(self) -> bool {
        self.key && self.backend && self.machine
    }
}

/// A backend, its state and how many of its machines the caller may see.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendCount {
    /// Id.
    pub id: String,
    /// The operator's name for it.
    pub title: String,
    /// Catalogue id.
    pub provider: String,
    /// As its last poll found it.
    pub state: BackendState,
    /// Why it is `offline` or in `error`.
    pub state_reason: Option<String>,
    /// Polled and usable.
    pub enabled: bool,
    /// Its machines the caller may see.
    pub machines: i64,
}

impl BackendState {
    /// Where a backend in this state goes on the dashboard: trouble first.
    pub fn urgency(self) -> u8 {
        match self {
            BackendState::Error => 0,
            BackendState::Offline => 1,
            BackendState::Wait => 2,
            BackendState::Online => 3,
            BackendState::Disabled => 4,
        }
    }
}

/// How many machines are in one state.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCount {
    /// The state.
    pub state: MachineState,
    /// How many.
    pub count: i64,
}

/// The script runs not yet ended.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningScripts {
    /// How many.
    pub count: i64,
    /// The newest of them (at most [`LATEST_SCRIPTS`]), newest first.
    pub latest: Vec<RunningScript>,
}

/// One script run not yet ended.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunningScript {
    /// Run id.
    pub id: String,
    /// The machine's backend.
    pub backend: String,
    /// The machine's id.
    pub machine: String,
    /// The machine's name, while it is known.
    pub machine_name: Option<String>,
    /// The script's first line (at most 120 characters).
    pub script: String,
    /// `waiting` or `running`.
    pub state: RunState,
    /// When it was asked for, Unix ms.
    pub created_at: i64,
    /// When it started on the machine, Unix ms.
    pub started_at: Option<i64>,
}

/// One audit event, as the dashboard shows it (without the address).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// When, Unix ms.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// What was attempted (`create:backend`).
    pub action: String,
    /// On what (`backend/<id>`).
    pub resource: String,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// Free text; never a secret.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trouble_comes_first_and_the_checklist_completes() {
        let mut states = BackendState::ALL.to_vec();
        states.sort_by_key(|s| s.urgency());
        assert_eq!(&states[..2], [BackendState::Error, BackendState::Offline]);
        assert!(!Checklist::default().complete());
        let done = Checklist {
            key: true,
            backend: true,
            machine: true,
            ..Checklist::default()
        };
        assert!(done.complete());
    }
}
