//! What a caller may do, as the doors tell the pages (`service::rights`
//! decides): a page shows an action only when these say so, so a read-only
//! user is never offered a button that refuses after the click. The
//! service still authorises every act; these only decide what is shown.

use serde::{Deserialize, Serialize};

use crate::inventory::KeySummary;

/// The sections of the product the caller may open at all: the navigation
/// links only these.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sections {
    /// Backends (`view:backend` somewhere).
    pub backends: bool,
    /// Machines (`view:machine` somewhere).
    pub machines: bool,
    /// Keys (`view:key` somewhere).
    pub keys: bool,
    /// Stacks (`view:alm.stack` somewhere).
    pub stacks: bool,
    /// Administration (the master, unnarrowed).
    pub admin: bool,
}

/// What the caller may do on one key.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRights {
    /// Rename it (`edit:key`).
    pub rename: bool,
    /// Make it the default (`edit:key`).
    pub set_default: bool,
    /// Delete it (`delete:key`).
    pub delete: bool,
    /// Read its private part (`read_private:key`).
    pub read_private: bool,
}

/// What the caller may do on one machine besides its power actions (those
/// are the summary's `can_*`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineRights {
    /// Run commands and scripts, open a terminal (`shell:machine`).
    pub shell: bool,
    /// Add and remove tags (`tag:machine`).
    pub tag: bool,
    /// Accept a changed host key (`edit:machine`).
    pub accept_host_key: bool,
    /// Remove a terminated machine from the list (`destroy:machine`).
    pub forget: bool,
    /// Deploy a key to it: `shell:machine` on it and `edit:key` on some key.
    pub deploy_key: bool,
    /// Take at least one of its power actions (reboot, stop, start,
    /// destroy), whatever its state allows now.
    #[serde(default)]
    pub power: bool,
}

/// How a key's association with a machine is known.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    /// A login with the key succeeded (its user and sudo are what that
    /// login found or was told and worked).
    Login,
    /// The key was installed when Overcast created the machine; no login
    /// has used it yet.
    Creation,
    /// Someone associated it by hand; no login has used it yet.
    Hand,
}

impl Proof {
    /// What an association with `last_used` (0: never) is, given whether
    /// the machine was created with the key.
    pub fn of(last_used: i64, installed_at_creation: bool) -> Self {
        match (last_used > 0, installed_at_creation) {
            (true, _) => Self::Login,
            (false, true) => Self::Creation,
            (false, false) => Self::Hand,
        }
    }
}

/// A machine a key opens, as the Keys page shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    /// Backend of the machine.
    pub backend_id: String,
    /// Machine id within the backend.
    pub machine_id: String,
    /// The user the key logs in as.
    pub ssh_user: String,
    /// Whether that user has password-less sudo (root always does).
    pub sudo: bool,
    /// How the association is known.
    pub proof: Proof,
}

impl Opening {
    /// "as root (sudo)", "as deploy" for an association a login proved;
    /// what is known otherwise.
    pub fn describe(&self) -> String {
        match self.proof {
            Proof::Login if self.sudo => format!("opens as {} (sudo)", self.ssh_user),
            Proof::Login => format!("opens as {}", self.ssh_user),
            Proof::Creation => "installed at creation, not yet used".to_owned(),
            Proof::Hand => "associated by hand, not yet used".to_owned(),
        }
    }
}

/// One key of the Keys page: the key, what it opens and what the caller
/// may do to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedKey {
    /// The key as every list shows it.
    pub key: KeySummary,
    /// The machines it opens, and how that is known.
    pub opens: Vec<Opening>,
    /// What the caller may do to it.
    pub may: KeyRights,
}

/// The Keys page's one read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyListing {
    /// The keys the caller may see.
    pub keys: Vec<ListedKey>,
    /// Whether the caller may import or generate a key (`create:key`).
    pub may_create: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opening(proof: Proof, user: &str, sudo: bool) -> Opening {
        Opening {
            backend_id: "b".into(),
            machine_id: "m".into(),
            ssh_user: user.into(),
            sudo,
            proof,
        }
    }

    #[test]
    fn only_a_login_proves_the_user_and_sudo() {
        assert_eq!(Proof::of(5, true), Proof::Login);
        assert_eq!(Proof::of(0, true), Proof::Creation);
        assert_eq!(Proof::of(0, false), Proof::Hand);
        assert_eq!(
            opening(Proof::Login, "root", true).describe(),
            "opens as root (sudo)"
        );
        assert_eq!(
            opening(Proof::Login, "deploy", false).describe(),
            "opens as deploy"
        );
        assert_eq!(
            opening(Proof::Creation, "root", true).describe(),
            "installed at creation, not yet used"
        );
        assert_eq!(
            opening(Proof::Hand, "root", true).describe(),
            "associated by hand, not yet used"
        );
    }
}
