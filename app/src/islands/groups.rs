//! The page islands, in groups chosen so that a page's code (the entry,
//! its group's module and the chunks shared with other groups) stays small:
//! pages whose islands share most of their code are grouped, and the big
//! ones (the Machines table, the machine page) are alone.

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
    set_password::SetPasswordView,
    setup::SetupView,
    sign_in::SignInView,
    sign_in_code::SignInCodeView,
    stacks::{NewStackView, StackView, StacksView},
};

/// Declares a group of islands without props: its enum, its view and its
/// browser side.
macro_rules! plain_group {
    ($(#[$doc:meta])* $which:ident, $group:ident, $component:literal { $($variant:ident => $view:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Serialize, Deserialize)]
        pub enum $which {
            $(#[allow(missing_docs)] $variant,)*
        }

        impl IslandOf for $which {
            const COMPONENT: &'static str = $component;

            fn view(self) -> AnyView {
                match self {
                    $($which::$variant => view! { <$view/> }.into_any(),)*
                }
            }
        }

        island_group!($group, $component, $which);
    };
}

plain_group!(
    /// The forms of signing in and setting up.
    AuthIsland, auth_islands, "auth_islands" {
        SignIn => SignInView,
        SignInCode => SignInCodeView,
        Setup => SetupView,
        SetPassword => SetPasswordView,
    }
);

plain_group!(
    /// Home's live dashboard.
    HomeIsland, home_islands, "home_islands" { Dashboard => LiveDashboard }
);

plain_group!(
    /// The Machines table.
    MachinesIsland, machines_islands, "machines_islands" { Fleet => FleetView }
);

plain_group!(
    /// Keys and Backends.
    InventoryIsland, inventory_islands, "inventory_islands" {
        Keys => KeysView,
        Backends => BackendsView,
    }
);

plain_group!(
    /// The Admin sections and the account page.
    AdminIsland, admin_islands, "admin_islands" {
        Users => UsersIsland,
        Roles => RolesSection,
        OAuth => OAuthSection,
        TwoFactor => TwoFactorPolicySection,
        Audit => AuditSection,
        Account => AccountView,
    }
);

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

/// The create-machines wizard of a backend.
#[derive(Clone, Serialize, Deserialize)]
pub struct CreateIsland {
    /// The backend's id.
    pub backend: String,
}

impl IslandOf for CreateIsland {
    const COMPONENT: &'static str = "create_islands";

    fn view(self) -> AnyView {
        let CreateIsland { backend } = self;
        view! { <CreateMachineView backend/> }.into_any()
    }
}

island_group!(create_islands, "create_islands", CreateIsland);

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
