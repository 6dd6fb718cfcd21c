//! The page islands, in five groups. Every group is a split point, and the
//! splitter puts code that several split points share into one chunk per
//! distinct set of them; small chunks compress badly, so fewer groups made
//! lighter pages, as long as no group grew past the goal (350 KB brotli a
//! page with the entry). The Machines table and the machine page, the
//! heaviest, are alone; Home shares its group with the account and the
//! Admin sections, the create wizard with Keys and Backends. The sign-in
//! pages have no island: their forms are plain posts, and they load the
//! entry alone.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{island_group, IslandOf};
use crate::pages::{
    account::AccountView,
    admin::{AuditSection, OAuthSection, RolesSection, TwoFactorPolicySection, UsersIsland},
    backends::BackendsView,
    create_machine::CreateMachineView,
    home::LiveDashboard,
    keys::KeysView,
    machine::MachineView,
    machines::FleetView,
    stacks::{NewStackView, StackView, StacksView},
};

/// Home's dashboard, the account page and the Admin sections.
#[derive(Clone, Copy, Serialize, Deserialize)]
pub enum HomeIsland {
    /// Home's live dashboard.
    Dashboard,
    /// The account page.
    Account,
    /// Admin: users.
    Users,
    /// Admin: roles.
    Roles,
    /// Admin: OAuth clients.
    OAuth,
    /// Admin: two-factor sign-in.
    TwoFactor,
    /// Admin: the audit log.
    Audit,
}

impl IslandOf for HomeIsland {
    const COMPONENT: &'static str = "home_islands";

    fn view(self) -> AnyView {
        match self {
            HomeIsland::Dashboard => view! { <LiveDashboard/> }.into_any(),
            HomeIsland::Account => view! { <AccountView/> }.into_any(),
            HomeIsland::Users => view! { <UsersIsland/> }.into_any(),
            HomeIsland::Roles => view! { <RolesSection/> }.into_any(),
            HomeIsland::OAuth => view! { <OAuthSection/> }.into_any(),
            HomeIsland::TwoFactor => view! { <TwoFactorPolicySection/> }.into_any(),
            HomeIsland::Audit => view! { <AuditSection/> }.into_any(),
        }
    }
}

island_group!(home_islands, "home_islands", HomeIsland);

/// The Machines table.
#[derive(Clone, Copy, Serialize, Deserialize)]
pub enum MachinesIsland {
    /// The table, its filters and its actions.
    Fleet,
}

impl IslandOf for MachinesIsland {
    const COMPONENT: &'static str = "machines_islands";

    fn view(self) -> AnyView {
        view! { <FleetView/> }.into_any()
    }
}

island_group!(machines_islands, "machines_islands", MachinesIsland);

/// One machine's page.
#[derive(Clone, Serialize, Deserialize)]
pub struct MachineIsland {
    /// The backend's id.
    pub backend: String,
    /// The machine's id.
    pub machine: String,
}

impl IslandOf for MachineIsland {
    const COMPONENT: &'static str = "machine_islands";

    fn view(self) -> AnyView {
        let MachineIsland { backend, machine } = self;
        view! { <MachineView backend machine/> }.into_any()
    }
}

island_group!(machine_islands, "machine_islands", MachineIsland);

/// Keys, Backends and a backend's create wizard.
#[derive(Clone, Serialize, Deserialize)]
pub enum InventoryIsland {
    /// The Keys page.
    Keys,
    /// The Backends page.
    Backends,
    /// The create-machines wizard of a backend.
    Create {
        /// The backend's id.
        backend: String,
    },
}

impl IslandOf for InventoryIsland {
    const COMPONENT: &'static str = "inventory_islands";

    fn view(self) -> AnyView {
        match self {
            InventoryIsland::Keys => view! { <KeysView/> }.into_any(),
            InventoryIsland::Backends => view! { <BackendsView/> }.into_any(),
            InventoryIsland::Create { backend } => {
                view! { <CreateMachineView backend/> }.into_any()
            }
        }
    }
}

island_group!(inventory_islands, "inventory_islands", InventoryIsland);

/// The stack pages.
#[derive(Clone, Serialize, Deserialize)]
pub enum StackIsland {
    /// The list.
    Stacks,
    /// The new-stack editor.
    NewStack,
    /// One stack.
    Stack {
        /// The stack's id.
        stack: String,
    },
}

impl IslandOf for StackIsland {
    const COMPONENT: &'static str = "stack_islands";

    fn view(self) -> AnyView {
        match self {
            StackIsland::Stacks => view! { <StacksView/> }.into_any(),
            StackIsland::NewStack => view! { <NewStackView/> }.into_any(),
            StackIsland::Stack { stack } => view! { <StackView stack/> }.into_any(),
        }
    }
}

island_group!(stack_islands, "stack_islands", StackIsland);
