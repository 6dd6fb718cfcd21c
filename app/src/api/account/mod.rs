//! The signed-in user's own account: password, API tokens, two-factor
//! sign-in.

mod begin_two_factor;
mod change_password;
mod confirm_two_factor;
mod create_token;
mod list_tokens;
mod remove_two_factor;
mod revoke_token;
mod two_factor;

pub use begin_two_factor::*;
pub use change_password::*;
pub use confirm_two_factor::*;
pub use create_token::*;
pub use list_tokens::*;
pub use remove_two_factor::*;
pub use revoke_token::*;
pub use two_factor::*;

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
