//! The master's administration: users, roles and their attachment, the
//! audit log. Each function is a thin door onto `service`.

mod attach_role;
mod create_role;
mod create_user;
mod delete_role;
mod delete_user;
mod detach_role;
mod list_audit;
mod list_roles;
mod list_users;
mod oauth_clients;
mod password_link;
mod require_two_factor;
mod reset_two_factor;
mod set_user_disabled;

pub use attach_role::*;
pub use create_role::*;
pub use create_user::*;
pub use delete_role::*;
pub use delete_user::*;
pub use detach_role::*;
pub use list_audit::*;
pub use list_roles::*;
pub use list_users::*;
pub use oauth_clients::*;
pub use password_link::*;
pub use require_two_factor::*;
pub use reset_two_factor::*;
pub use set_user_disabled::*;

use serde::{Deserialize, Serialize};

/// A user as the Admin page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    /// Username.
    pub username: String,
    /// Email.
    pub email: String,
    /// Disabled?
    pub disabled: bool,
    /// The master account?
    pub is_master: bool,
    /// Signs in with two factors?
    pub two_factor: bool,
    /// Names and ids of attached roles.
    pub roles: Vec<(String, String)>,
}

/// A role as the Admin page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The scope, pretty-printed JSON.
    pub scope: String,
}

/// One audit entry for the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    /// Unix ms.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// From where.
    pub address: String,
    /// What.
    pub action: String,
    /// On what, as recorded.
    pub resource: String,
    /// On what, with ids of roles and backends replaced by their names.
    pub resource_name: Option<String>,
    /// How it ended.
    pub outcome: String,
    /// Notes.
    pub detail: String,
}

/// One page of the audit log for the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPageRows {
    /// The entries, newest first.
    pub rows: Vec<AuditRow>,
    /// Which page this is (0: the newest).
    pub page: u32,
    /// Whether older entries follow.
    pub more: bool,
}
