use serde_json::{json, Value};

use super::super::Template;
use super::{faults_of, seed_with, COMPARE_EXAMPLE_2_BODY};

fn layer(flag: &str, provision: Value) -> Value {
    json!({"role": "web", "flag": flag, "provision": provision})
}

fn provision_fault(key: &str, value: Value) -> Vec<String> {
    faults_of(&seed_with(|t| {
        t["configurations"][0]["provision"][key] = value
    }))
}

#[test]
fn the_seed_compare_example_2_body_is_refused_with_its_line_and_column() {
    let Err(faults) = Template::parse(COMPARE_EXAMPLE_2_BODY) else {
        panic!("a trailing comma is not JSON")
    };
    assert_eq!(faults.len(), 1);
    assert_eq!(faults[0].pointer, "");
    assert_eq!(
        faults[0].to_string(),
        "invalid JSON at line 19, column 2: trailing comma"
    );
}

#[test]
fn text_that_ends_early_names_where_it_ended() {
    let Err(faults) = Template::parse("{\"version\": ") else {
        panic!("not JSON")
    };
    assert!(
        faults[0]
            .message
            .starts_with("invalid JSON at line 1, column 12"),
        "{faults:?}"
    );
}

#[test]
fn the_document_must_be_an_object() {
    assert_eq!(faults_of(&json!([])), ["must be an object"]);
}

#[test]
fn the_version_must_be_mobingis() {
    assert_eq!(
        faults_of(&seed_with(|t| t["version"] = json!("2018-01-01"))),
        ["/version: must be \"2017-03-03\""]
    );
    assert_eq!(
        faults_of(&seed_with(|t| {
            if let Some(o) = t.as_object_mut() {
                o.remove("version");
            }
        })),
        ["/version: is required"]
    );
    assert_eq!(
        faults_of(&seed_with(|t| t["version"] = json!(2017))),
        ["/version: must be a string"]
    );
}

#[test]
fn unknown_fields_of_every_known_section_are_refused() {
    let faults = faults_of(&seed_with(|t| {
        t["stack_name"] = json!("x");
        t["vendor"]["aws"]["zone"] = json!("a");
        t["configurations"][0]["network"] = json!({});
        t["configurations"][0]["provision"]["subnet"] = json!("s");
        t["configurations"][0]["container"] = json!({"imagee": "x"});
    }));
    let pointers: Vec<&str> = faults.iter().filter_map(|f| f.split(": ").next()).collect();
    assert_eq!(
        pointers,
        [
            "/stack_name",
            "/vendor/aws/zone",
            "/configurations/0/network",
            "/configurations/0/provision/subnet",
            "/configurations/0/container/imagee"
        ]
    );
    assert!(faults[0].contains("unknown field; expected one of version, label"));
}

#[test]
fn wrong_types_are_named_by_pointer() {
    assert_eq!(
        faults_of(&seed_with(|t| t["label"] = json!(1))),
        ["/label: must be a string"]
    );
    assert_eq!(
        provision_fault("keypair", json!("yes")),
        ["/configurations/0/provision/keypair: must be true or false"]
    );
    assert_eq!(
        provision_fault("image", json!(5)),
        ["/configurations/0/provision/image: must be a string or \"${computed}\""]
    );
    assert_eq!(
        provision_fault("instance_count", json!("2")),
        ["/configurations/0/provision/instance_count: must be a whole number"]
    );
    assert_eq!(
        provision_fault("instance_count", json!(1.5)),
        ["/configurations/0/provision/instance_count: must be a whole number"]
    );
    assert_eq!(
        provision_fault("volume_size", json!("big")),
        ["/configurations/0/provision/volume_size: must be a whole number or \"${computed}\""]
    );
    assert_eq!(
        provision_fault("image", json!("")),
        ["/configurations/0/provision/image: must not be empty"]
    );
    assert_eq!(
        faults_of(&seed_with(
            |t| t["configurations"][0]["provision"] = json!("t2.micro")
        )),
        ["/configurations/0/provision: must be an object"]
    );
    assert_eq!(
        faults_of(&seed_with(|t| t["configurations"][0] = json!(7))),
        ["/configurations/0: must be an object"]
    );
    assert_eq!(
        faults_of(&seed_with(|t| t["configurations"] = json!({}))),
        ["/configurations: must be a list of layers"]
    );
}

#[test]
fn counts_out_of_range_are_refused() {
    for count in [json!(101), json!(-1), json!(4_294_967_297_u64)] {
        assert_eq!(
            provision_fault("instance_count", count),
            ["/configurations/0/provision/instance_count: must be between 0 and 100"]
        );
    }
    assert_eq!(
        provision_fault("instance_count", json!(0)),
        Vec::<String>::new()
    );
    assert_eq!(
        provision_fault("instance_count", json!(100)),
        Vec::<String>::new()
    );
    assert_eq!(
        provision_fault("volume_size", json!(0)),
        ["/configurations/0/provision/volume_size: must be between 1 and 65536"]
    );
}

#[test]
fn instance_type_is_required_and_never_computed() {
    assert_eq!(
        provision_fault("instance_type", json!("${computed}")),
        ["/configurations/0/provision/instance_type: must name a size: \"${computed}\" is not offered for it"]
    );
    let faults = faults_of(&seed_with(|t| {
        t["configurations"][0]["provision"] = json!({})
    }));
    assert_eq!(
        faults,
        ["/configurations/0/provision/instance_type: is required"]
    );
}

#[test]
fn flags_are_unique_and_of_letters_digits_dashes_and_underscores() {
    let faults = faults_of(&seed_with(|t| {
        t["configurations"] = json!([
            layer("Web01", json!({"instance_type": "t2.micro"})),
            layer("Web01", json!({"instance_type": "t2.micro"})),
            layer("web 01", json!({"instance_type": "t2.micro"})),
            {"role": "db", "provision": {"instance_type": "t2.micro"}},
        ]);
    }));
    assert_eq!(
        faults,
        [
            "/configurations/1/flag: duplicate flag \"Web01\" (first at /configurations/0)",
            "/configurations/2/flag: must be letters, digits, `_` or `-` ([A-Za-z0-9_-]+)",
            "/configurations/3/flag: is required",
        ]
    );
}

#[test]
fn configurations_must_hold_a_layer() {
    assert_eq!(
        faults_of(&seed_with(|t| t["configurations"] = json!([]))),
        ["/configurations: must hold at least one layer"]
    );
}

#[test]
fn the_vendor_names_exactly_one_known_cloud_and_a_backend() {
    let two = faults_of(&seed_with(|t| t["vendor"]["linode"] = json!({"cred": "l"})));
    assert_eq!(two.len(), 1);
    assert!(
        two[0].starts_with("/vendor: must name exactly one cloud (aws, ec2, digitalocean"),
        "{two:?}"
    );
    assert!(two[0].ends_with("found aws, linode"), "{two:?}");
    let none = faults_of(&seed_with(|t| t["vendor"] = json!({})));
    assert!(none[0].ends_with("found none"), "{none:?}");
    let azure = faults_of(&seed_with(|t| {
        t["vendor"] = json!({"azure": {"cred": "a"}})
    }));
    assert_eq!(azure.len(), 1);
    assert!(
        azure[0].starts_with("/vendor/azure: unknown cloud; expected one of aws"),
        "{azure:?}"
    );
    assert_eq!(
        faults_of(&seed_with(|t| t["vendor"]["aws"] = json!({"region": "r"}))),
        ["/vendor/aws/cred: is required"]
    );
    assert_eq!(
        faults_of(&seed_with(|t| t["vendor"]["aws"]["cred"] = json!(" "))),
        ["/vendor/aws/cred: must not be empty"]
    );
}

#[test]
fn a_cloud_secret_in_the_template_is_refused_pointing_at_the_backend() {
    assert_eq!(
        faults_of(&seed_with(|t| t["vendor"]["aws"]["secret"] = json!("wJalr..."))),
        ["/vendor/aws/secret: templates carry no cloud secrets: the secret belongs to the backend `cred` names"]
    );
}

#[test]
fn container_values_are_checked_one_by_one() {
    let faults = faults_of(&seed_with(|t| {
        t["configurations"][0]["container"] = json!({
            "environment_variables": {"OK": "1", "PORT": 80},
            "ports": [80, 70000, "443"],
            "gitRepo": false,
        });
    }));
    assert_eq!(
        faults,
        [
            "/configurations/0/container/environment_variables/PORT: must be a string",
            "/configurations/0/container/ports/1: must be between 1 and 65535",
            "/configurations/0/container/ports/2: must be a whole number",
            "/configurations/0/container/gitRepo: must be a string",
        ]
    );
}

#[test]
fn every_fault_is_reported_at_once() {
    let faults = faults_of(&json!({
        "version": "1",
        "vendor": {"aws": {"cred": "k", "secret": "s"}},
        "configurations": [
            layer("a", json!({"instance_type": "x", "instance_count": 101})),
            layer("a", json!({"instance_type": "x", "instance_count": 1, "keypair": 1})),
        ]
    }));
    assert_eq!(faults.len(), 5, "{faults:?}");
    assert!(faults.contains(
        &"/configurations/0/provision/instance_count: must be between 0 and 100".to_owned()
    ));
    assert!(
        faults.contains(&"/configurations/1/provision/keypair: must be true or false".to_owned())
    );
}

#[test]
fn pointers_escape_tilde_and_slash() {
    let faults = faults_of(&seed_with(|t| t["a/b~c"] = json!(1)));
    assert!(
        faults[0].starts_with("/a~1b~0c: unknown field"),
        "{faults:?}"
    );
}
