use serde_json::json;

use super::super::{Computable, Container, Template, COMPUTED, MASK, TEMPLATE_VERSION};
use super::{json, seed, SEED_1, SEED_2};
use crate::providers::ProviderKind;

#[test]
fn the_seed_templates_parse_into_the_model() {
    let t = seed(SEED_1);
    assert_eq!(t.version, TEMPLATE_VERSION);
    assert_eq!(t.label.as_deref(), Some("template version label #1"));
    assert_eq!(t.vendor.cloud, "aws");
    assert_eq!(t.vendor.kind, ProviderKind::Ec2);
    assert_eq!(t.vendor.cred, "AKIAJ...DZLA");
    assert_eq!(t.vendor.region.as_deref(), Some("ap-northeast-1"));
    let web = &t.configurations[0];
    assert_eq!((web.role.as_str(), web.flag.as_str()), ("web", "Web01"));
    assert_eq!(web.provision.image, Some(Computable::Computed));
    assert_eq!(web.provision.volume_type, Some(Computable::Computed));
    assert_eq!(web.provision.instance_type, "t2.micro");
    assert_eq!(web.provision.count(), 1);
    assert!(web.provision.keypair());
    assert_eq!(web.container, None);

    let t = seed(SEED_2);
    assert_eq!(t.configurations[0].provision.instance_type, "m3.medium");
    assert_eq!(t.configurations[0].provision.count(), 2);
    assert_eq!(t.configurations[0].provision.volume_type, None);
}

#[test]
fn the_seed_templates_go_back_to_the_json_they_came_from() {
    for text in [SEED_1, SEED_2] {
        assert_eq!(seed(text).to_value(), json(text));
    }
}

#[test]
fn an_absent_count_is_one_and_an_absent_keypair_is_true_without_being_written_in() {
    let t = Template::parse(
        r#"{"version":"2017-03-03","vendor":{"linode":{"cred":"my linode"}},
            "configurations":[{"role":"db","flag":"db_1","provision":{"instance_type":"g6-nanode-1"}}]}"#,
    );
    let Ok(t) = t else { panic!("parses: {t:?}") };
    assert_eq!(t.vendor.kind, ProviderKind::Linode);
    assert_eq!(t.configurations[0].provision.count(), 1);
    assert!(t.configurations[0].provision.keypair());
    let value = t.to_value();
    assert_eq!(
        value["configurations"][0]["provision"],
        json!({"instance_type": "g6-nanode-1"})
    );
    assert_eq!(value.get("label"), None);
}

fn with_container() -> Template {
    let text = json!({
        "version": "2017-03-03",
        "vendor": {"digitalocean": {"cred": "do"}},
        "configurations": [{
            "role": "web", "flag": "Web01",
            "provision": {"instance_type": "s-1vcpu-1gb", "instance_count": 0,
                          "availability_zone": "ams3", "volume_size": 20,
                          "keypair": false, "script": "#!/bin/sh\necho hi"},
            "container": {
                "image": "registry.mobingi.com/mobingi/ubuntu-apache2-php5",
                "environment_variables": {"Stage": "_development", "DB_PASSWORD": "7zk3FBP37"},
                "gitRepo": "https://github.com/mobingilabs/default-site-php.git",
                "gitReference": "master",
                "gitPrivateKey": "-----BEGIN PRIVATE KEY-----\n...",
                "registryUsername": "deploy",
                "registryPassword": "hunter2",
                "ports": [80, 443]
            }
        }]
    })
    .to_string();
    match Template::parse(&text) {
        Ok(t) => t,
        Err(f) => panic!("parses: {f:?}"),
    }
}

#[test]
fn a_container_layer_is_read_with_its_wire_names_and_round_trips() {
    let t = with_container();
    let Some(c) = &t.configurations[0].container else {
        panic!("has a container")
    };
    assert_eq!(c.git_reference.as_deref(), Some("master"));
    assert_eq!(c.registry_username.as_deref(), Some("deploy"));
    assert_eq!(c.ports, Some(vec![80, 443]));
    let p = &t.configurations[0].provision;
    assert_eq!(p.count(), 0);
    assert!(!p.keypair());
    assert_eq!(p.volume_size, Some(Computable::Known(20)));
    assert_eq!(p.availability_zone, Some(Computable::Known("ams3".into())));
    assert_eq!(Template::from_value(&t.to_value()), Ok(t));
}

#[test]
fn masking_hides_every_secret_and_nothing_else() {
    let t = with_container();
    assert!(t.has_secrets());
    let masked = t.masked();
    let v = masked.to_value();
    let c = &v["configurations"][0]["container"];
    assert_eq!(c["gitPrivateKey"], MASK);
    assert_eq!(c["registryPassword"], MASK);
    assert_eq!(
        c["environment_variables"],
        json!({"Stage": MASK, "DB_PASSWORD": MASK})
    );
    assert_eq!(c["registryUsername"], "deploy");
    assert_eq!(
        c["gitRepo"],
        "https://github.com/mobingilabs/default-site-php.git"
    );
    assert!(!v.to_string().contains("hunter2"));
    assert!(!v.to_string().contains("7zk3FBP37"));
    // A template without secrets is unchanged.
    assert!(!seed(SEED_1).has_secrets());
    assert_eq!(seed(SEED_1).masked(), seed(SEED_1));
    // An empty container has nothing to hide.
    let mut bare = seed(SEED_1);
    bare.configurations[0].container = Some(Container::default());
    assert_eq!(bare.masked(), bare);
}

#[test]
fn computed_is_the_literal_mobingi_wrote() {
    assert_eq!(COMPUTED, "${computed}");
    assert_eq!(
        serde_json::to_value(Computable::<u32>::Computed).ok(),
        Some(json!(COMPUTED))
    );
    assert!(Computable::<u32>::Computed.agrees_with(&Computable::Known(3)));
    assert!(!Computable::Known(2).agrees_with(&Computable::Known(3)));
}

#[test]
fn serde_reads_a_template_with_the_same_rules() {
    let t: Result<Template, _> = serde_json::from_str(SEED_2);
    assert_eq!(t.ok(), Some(seed(SEED_2)));
    let bad: Result<Template, _> = serde_json::from_value(
        json!({"version": "2017-03-03", "vendor": {"aws": {"cred": "k"}}, "configurations": []}),
    );
    let message = bad.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(message, "/configurations: must hold at least one layer");
}
