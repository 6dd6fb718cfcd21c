//! The template: `version`, `label`, `description`, `vendor` and its layers
//! (`configurations`), in Mobingi's wire names.
//!
//! Optional fields stay optional (`None` when absent) so that a template
//! goes back to exactly the JSON it came from; [`Provision::count`] and
//! [`Provision::keypair`] give the defaults.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::{Computable, Vendor};

/// A stack template, valid by construction when it comes from
/// [`Template::parse`] or [`Template::from_value`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    /// Always [`super::TEMPLATE_VERSION`].
    pub version: String,
    /// The version's label, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What the stack is, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The cloud and the backend the machines go to.
    pub vendor: Vendor,
    /// The layers, at least one, flags unique.
    pub configurations: Vec<Layer>,
}

/// One layer: a group of like machines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layer {
    /// Free text: web, bastion, db, ...
    pub role: String,
    /// The layer's id: unique in the template, `[A-Za-z0-9_-]+`.
    pub flag: String,
    /// The machines.
    pub provision: Provision,
    /// What the layer's agent runs, if anything.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
}

/// The machines of a layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provision {
    /// An image id; computed: the backend's default image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Computable<String>>,
    /// A size id.
    pub instance_type: String,
    /// How many machines, `0..=100`; absent means 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_count: Option<u32>,
    /// A location id; computed: the backend's first location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<Computable<String>>,
    /// Computed: the provider's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_type: Option<Computable<String>>,
    /// In GB; computed: the provider's default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_size: Option<Computable<u32>>,
    /// Whether the machines get the stack's key; absent means true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keypair: Option<bool>,
    /// A script run on each new machine after it is created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
}

impl Provision {
    /// How many machines the layer asks for (default 1).
    pub fn count(&self) -> u32 {
        self.instance_count.unwrap_or(1)
    }

    /// Whether the machines get the stack's key (default true).
    pub fn keypair(&self) -> bool {
        self.keypair.unwrap_or(true)
    }
}

/// What a layer's agent should run (Mobingi's `container` section).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Container {
    /// The container image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The container's environment; every value is a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment_variables: Option<BTreeMap<String, String>>,
    /// The application's repository.
    #[serde(rename = "gitRepo", skip_serializing_if = "Option::is_none")]
    pub git_repo: Option<String>,
    /// The branch, tag or commit.
    #[serde(rename = "gitReference", skip_serializing_if = "Option::is_none")]
    pub git_reference: Option<String>,
    /// A secret: the key the repository is read with.
    #[serde(rename = "gitPrivateKey", skip_serializing_if = "Option::is_none")]
    pub git_private_key: Option<String>,
    /// The image registry's user.
    #[serde(rename = "registryUsername", skip_serializing_if = "Option::is_none")]
    pub registry_username: Option<String>,
    /// A secret: the image registry's password.
    #[serde(rename = "registryPassword", skip_serializing_if = "Option::is_none")]
    pub registry_password: Option<String>,
    /// The ports the container publishes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<u16>>,
}

impl Template {
    /// The template in its wire shape.
    pub fn to_value(&self) -> Value {
        // Serializing these plain structs into a Value cannot fail (string
        // keys only); `Null` would only stand for a bug.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The layer with `flag`.
    pub fn layer(&self, flag: &str) -> Option<&Layer> {
        self.configurations.iter().find(|l| l.flag == flag)
    }
}
