//! Tests of the template model, its faults, masking, diff and plan, on
//! Mobingi's own seed templates first.

mod compare;
mod faults;
mod parsing;
mod planning;
mod props;

use serde_json::Value;

use super::{Fault, Template};

/// The seed's apply example (template version label #1), verbatim.
pub(super) const SEED_1: &str = r#"{
  "version": "2017-03-03",
  "label": "template version label #1",
  "description": "This template creates a sample stack with EC2 instance on AWS",
  "vendor": {
    "aws": {
      "cred": "AKIAJ...DZLA",
      "region": "ap-northeast-1"
    }
  },
  "configurations": [
    {
      "role": "web",
      "flag": "Web01",
      "provision": {
        "image": "${computed}",
        "volume_type": "${computed}",
        "instance_type": "t2.micro",
        "instance_count": 1,
        "keypair": true
      }
    }
  ]
}"#;

/// The seed's update example (template version label #2), verbatim.
pub(super) const SEED_2: &str = r#"{
  "version": "2017-03-03",
  "label": "template version label #2",
  "description": "This template creates a sample stack with EC2 instance on AWS",
  "vendor": {
    "aws": {
      "cred": "AKIAJ...DZLA",
      "region": "ap-northeast-1"
    }
  },
  "configurations": [
    {
      "role": "web",
      "flag": "Web01",
      "provision": {
        "image": "${computed}",
        "instance_type": "m3.medium",
        "instance_count": 2,
        "keypair": true
      }
    }
  ]
}"#;

/// The `body` of the seed's compare example 2, verbatim: a trailing comma
/// after `"keypair": true`.
pub(super) const COMPARE_EXAMPLE_2_BODY: &str = "{\n \"version\": \"2017-03-03\",\n \"label\": \"template version label #2\",\n \"description\": \"This template creates a sample stack with EC2 instance on AWS\",\n \"vendor\": {\n \"aws\": {\n \"cred\": \"AKIAJ...DZLA\",\n \"region\": \"ap-northeast-1\"\n }\n },\n \"configurations\": [\n {\n \"role\": \"web\",\n \"flag\": \"Web01\",\n \"provision\": {\n \"image\": \"${computed}\", \"instance_type\": \"m3.medium\",\n \"instance_count\": 2,\n \"keypair\": true,\n }\n }\n ]\n }";

pub(super) fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

pub(super) fn seed(text: &str) -> Template {
    match Template::parse(text) {
        Ok(t) => t,
        Err(faults) => panic!("the seed template parses: {faults:?}"),
    }
}

/// The faults of `value`, displayed, in the order found.
pub(super) fn faults_of(value: &Value) -> Vec<String> {
    match Template::from_value(value) {
        Ok(_) => Vec::new(),
        Err(faults) => faults.iter().map(Fault::to_string).collect(),
    }
}

/// SEED_1 with `edit` applied to it.
pub(super) fn seed_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut value = json(SEED_1);
    edit(&mut value);
    value
}
