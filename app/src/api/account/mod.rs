//! The signed-in user's own account: password and API tokens.

mod change_password;
mod create_token;
mod list_tokens;
mod revoke_token;

pub use change_password::*;
pub use create_token::*;
pub use list_tokens::*;
pub use revoke_token::*;

use serde::{Deserialize, Serialize};

/// A token as the page lists it (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    /// Id.
    pub id: String,
    /// Label.
    pub name: String,
    /// Created, Unix ms.
    pub created_at: i64,
    /// Expires, Unix ms.
    pub expires_at: Option<i64>,
    /// Last used, Unix ms.
    pub last_used_at: i64,
}
