//! SSH keys: the list, importing and generating, renaming, the default key,
//! deleting, and reading the public part or (guarded and audited) the
//! private part. Each function is a thin door onto `service::keys`.

mod delete_key;
mod deploy_key;
mod generate_key;
mod import_key;
mod key_listing;
mod list_keys;
mod public_key;
mod rename_key;
mod reveal_private_key;
mod set_default_key;

pub use delete_key::*;
pub use deploy_key::*;
pub use generate_key::*;
pub use import_key::*;
pub use key_listing::*;
pub use list_keys::*;
pub use public_key::*;
pub use rename_key::*;
pub use reveal_private_key::*;
pub use set_default_key::*;

use domain::inventory::KeySummary;
use serde::{Deserialize, Serialize};

/// A key just generated: the private part is shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewKey {
    /// The private key, OpenSSH format.
    pub private: String,
    /// The public key, OpenSSH format.
    pub public: String,
    /// The stored key.
    pub key: Option<KeySummary>,
}

/// A private key revealed on request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealedKey {
    /// The key's name.
    pub name: String,
    /// The private key, OpenSSH format.
    pub private: String,
}
