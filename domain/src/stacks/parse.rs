//! [`Template::parse`]: text to a valid template, or every fault with its
//! pointer.

use std::collections::BTreeMap;

use serde_json::Value;

use super::reader::{whole, Section};
use super::vendor::vendor_kind;
use super::{
    pointer_child, Container, Fault, Layer, Provision, Template, Vendor, COMPUTED,
    MAX_INSTANCE_COUNT, TEMPLATE_VERSION, VENDORS,
};

const TEMPLATE_FIELDS: &[&str] = &[
    "version",
    "label",
    "description",
    "vendor",
    "configurations",
];
const VENDOR_FIELDS: &[&str] = &["cred", "region"];
const LAYER_FIELDS: &[&str] = &["role", "flag", "provision", "container"];
const PROVISION_FIELDS: &[&str] = &[
    "image",
    "instance_type",
    "instance_count",
    "availability_zone",
    "volume_type",
    "volume_size",
    "keypair",
    "script",
];
const CONTAINER_FIELDS: &[&str] = &[
    "image",
    "environment_variables",
    "gitRepo",
    "gitReference",
    "gitPrivateKey",
    "registryUsername",
    "registryPassword",
    "ports",
];

/// The largest volume a layer may ask for, in GB.
const MAX_VOLUME_GB: u32 = 65_536;

impl Template {
    /// Parses a template from JSON text. Text that is not JSON gives one
    /// fault naming the line and column; otherwise every fault is reported,
    /// each with its pointer.
    pub fn parse(text: &str) -> Result<Template, Vec<Fault>> {
        let value: Value = serde_json::from_str(text).map_err(|e| vec![Fault::syntax(&e)])?;
        Template::from_value(&value)
    }

    /// Validates a template already read as JSON (from YAML, say).
    pub fn from_value(value: &Value) -> Result<Template, Vec<Fault>> {
        let mut faults = Vec::new();
        match read_template(value, &mut faults) {
            Some(template) if faults.is_empty() => Ok(template),
            _ => {
                if faults.is_empty() {
                    faults.push(Fault::new("", "is not a template"));
                }
                Err(faults)
            }
        }
    }
}

fn read_template(value: &Value, faults: &mut Vec<Fault>) -> Option<Template> {
    let top = Section::of(value, "", faults)?;
    top.refuse_unknown(TEMPLATE_FIELDS, faults);
    let version = top.required_string("version", faults);
    if let Some(v) = &version {
        if v != TEMPLATE_VERSION {
            faults.push(Fault::new(
                "/version",
                format!("must be \"{TEMPLATE_VERSION}\""),
            ));
        }
    }
    let label = top.string("label", faults);
    let description = top.string("description", faults);
    let vendor = match top.get("vendor") {
        Some(v) => read_vendor(v, faults),
        None => {
            faults.push(Fault::new("/vendor", "is required"));
            None
        }
    };
    let configurations = read_layers(&top, faults);
    Some(Template {
        version: version?,
        label,
        description,
        vendor: vendor?,
        configurations: configurations?,
    })
}

fn read_vendor(value: &Value, faults: &mut Vec<Fault>) -> Option<Vendor> {
    let section = Section::of(value, "/vendor", faults)?;
    let names = || {
        VENDORS
            .iter()
            .map(|(k, _)| *k)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let keys: Vec<&String> = section.keys().collect();
    let [cloud] = keys.as_slice() else {
        let found = if keys.is_empty() {
            "none".to_owned()
        } else {
            keys.iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        faults.push(Fault::new(
            "/vendor",
            format!("must name exactly one cloud ({}); found {found}", names()),
        ));
        return None;
    };
    let at = section.at(cloud);
    let Some(kind) = vendor_kind(cloud) else {
        faults.push(Fault::new(
            at,
            format!("unknown cloud; expected one of {}", names()),
        ));
        return None;
    };
    let inner = Section::of(section.get(cloud)?, &at, faults)?;
    for key in inner.keys() {
        if key == "secret" {
            faults.push(Fault::new(
                inner.at(key),
                "templates carry no cloud secrets: the secret belongs to the backend `cred` names",
            ));
        } else if !VENDOR_FIELDS.contains(&key.as_str()) {
            faults.push(Fault::new(
                inner.at(key),
                format!(
                    "unknown field; expected one of {}",
                    VENDOR_FIELDS.join(", ")
                ),
            ));
        }
    }
    let cred = inner.required_string("cred", faults);
    let region = inner.string("region", faults);
    Some(Vendor {
        cloud: cloud.to_string(),
        kind,
        cred: cred?,
        region,
    })
}

fn read_layers(top: &Section<'_>, faults: &mut Vec<Fault>) -> Option<Vec<Layer>> {
    let at = "/configurations";
    let items = match top.get("configurations") {
        None => {
            faults.push(Fault::new(at, "is required"));
            return None;
        }
        Some(Value::Array(items)) if items.is_empty() => {
            faults.push(Fault::new(at, "must hold at least one layer"));
            return None;
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            faults.push(Fault::new(at, "must be a list of layers"));
            return None;
        }
    };
    let mut first_at: BTreeMap<&str, usize> = BTreeMap::new();
    let mut layers = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let here = pointer_child(at, &i.to_string());
        if let Some(Value::String(flag)) = item.get("flag") {
            if let Some(first) = first_at.get(flag.as_str()) {
                faults.push(Fault::new(
                    pointer_child(&here, "flag"),
                    format!("duplicate flag \"{flag}\" (first at /configurations/{first})"),
                ));
            } else {
                first_at.insert(flag, i);
            }
        }
        layers.push(read_layer(item, &here, faults));
    }
    layers.into_iter().collect()
}

/// Whether `flag` is a valid layer id: `[A-Za-z0-9_-]+`.
pub(super) fn valid_flag(flag: &str) -> bool {
    !flag.is_empty()
        && flag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn read_layer(value: &Value, at: &str, faults: &mut Vec<Fault>) -> Option<Layer> {
    let layer = Section::of(value, at, faults)?;
    layer.refuse_unknown(LAYER_FIELDS, faults);
    let role = layer.required_string("role", faults);
    let flag = layer.required_string("flag", faults);
    if let Some(f) = &flag {
        if !valid_flag(f) {
            faults.push(Fault::new(
                layer.at("flag"),
                "must be letters, digits, `_` or `-` ([A-Za-z0-9_-]+)",
            ));
        }
    }
    let provision = match layer.get("provision") {
        Some(v) => read_provision(v, &layer.at("provision"), faults),
        None => {
            faults.push(Fault::new(layer.at("provision"), "is required"));
            None
        }
    };
    let container = match layer.get("container") {
        Some(v) => Some(read_container(v, &layer.at("container"), faults)?),
        None => None,
    };
    Some(Layer {
        role: role?,
        flag: flag?,
        provision: provision?,
        container,
    })
}

fn read_provision(value: &Value, at: &str, faults: &mut Vec<Fault>) -> Option<Provision> {
    let p = Section::of(value, at, faults)?;
    p.refuse_unknown(PROVISION_FIELDS, faults);
    let instance_type = p.required_string("instance_type", faults);
    if instance_type.as_deref() == Some(COMPUTED) {
        faults.push(Fault::new(
            p.at("instance_type"),
            format!("must name a size: \"{COMPUTED}\" is not offered for it"),
        ));
    }
    let image = p.computable_string("image", faults);
    let instance_count = p.number("instance_count", 0, MAX_INSTANCE_COUNT, faults);
    let availability_zone = p.computable_string("availability_zone", faults);
    let volume_type = p.computable_string("volume_type", faults);
    let volume_size = p.computable_number("volume_size", 1, MAX_VOLUME_GB, faults);
    let keypair = p.boolean("keypair", faults);
    let script = p.string("script", faults);
    Some(Provision {
        image,
        instance_type: instance_type?,
        instance_count,
        availability_zone,
        volume_type,
        volume_size,
        keypair,
        script,
    })
}

fn read_container(value: &Value, at: &str, faults: &mut Vec<Fault>) -> Option<Container> {
    let c = Section::of(value, at, faults)?;
    c.refuse_unknown(CONTAINER_FIELDS, faults);
    let environment_variables = c.get("environment_variables").and_then(|v| {
        let env = Section::of(v, &c.at("environment_variables"), faults)?;
        let vars: BTreeMap<String, String> = env
            .keys()
            .filter_map(|k| env.string(k, faults).map(|s| (k.clone(), s)))
            .collect();
        Some(vars)
    });
    let ports = c.get("ports").and_then(|v| match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let at = pointer_child(&c.at("ports"), &i.to_string());
                whole(p, &at, 1, u32::from(u16::MAX), faults).and_then(|n| u16::try_from(n).ok())
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Option<Vec<u16>>>(),
        _ => {
            faults.push(Fault::new(c.at("ports"), "must be a list of port numbers"));
            None
        }
    });
    Some(Container {
        image: c.string("image", faults),
        environment_variables,
        git_repo: c.string("gitRepo", faults),
        git_reference: c.string("gitReference", faults),
        git_private_key: c.string("gitPrivateKey", faults),
        registry_username: c.string("registryUsername", faults),
        registry_password: c.string("registryPassword", faults),
        ports,
    })
}

/// A template read through serde (a stored version, a request body) is
/// validated like [`Template::from_value`]; the faults become one error
/// message, `"; "`-separated.
impl<'de> serde::Deserialize<'de> for Template {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Template::from_value(&value).map_err(|faults| {
            let text: Vec<String> = faults.iter().map(Fault::to_string).collect();
            serde::de::Error::custom(text.join("; "))
        })
    }
}
