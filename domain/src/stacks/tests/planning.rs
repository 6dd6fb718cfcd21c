use serde_json::{json, Value};

use super::super::{plan, Action, LayerPlan, Template};
use super::{json, seed, seed_with, SEED_1, SEED_2};

fn template(value: Value) -> Template {
    match Template::from_value(&value) {
        Ok(t) => t,
        Err(f) => panic!("valid: {f:?}"),
    }
}

fn edited(edit: impl FnOnce(&mut Value)) -> Template {
    template(seed_with(edit))
}

fn only(p: &super::super::Plan) -> &LayerPlan {
    assert_eq!(p.layers.len(), 1, "{p:?}");
    &p.layers[0]
}

#[test]
fn a_new_stack_creates_every_layer() {
    let p = plan(None, &seed(SEED_1));
    let web = only(&p);
    assert_eq!((web.action, web.from, web.to), (Action::Create, 0, 1));
    assert_eq!(web.why, ["/configurations/0"]);
    assert!(!p.vendor_changed);
}

#[test]
fn the_seed_update_replaces_web01_for_its_new_size_and_count() {
    let p = plan(Some(&seed(SEED_1)), &seed(SEED_2));
    let web = only(&p);
    assert_eq!(
        (web.flag.as_str(), web.action, web.from, web.to),
        ("Web01", Action::Replace, 1, 2)
    );
    // volume_type went from computed to absent (left to Overcast): no change.
    assert_eq!(
        web.why,
        [
            "/configurations/0/provision/instance_type",
            "/configurations/0/provision/instance_count"
        ]
    );
}

#[test]
fn a_count_change_alone_scales() {
    let next = edited(|t| t["configurations"][0]["provision"]["instance_count"] = json!(3));
    let web = plan(Some(&seed(SEED_1)), &next).layers.remove(0);
    assert_eq!(
        (web.action, web.from, web.to, web.redeploy),
        (Action::Scale, 1, 3, false)
    );
    assert_eq!(web.why, ["/configurations/0/provision/instance_count"]);
    let none = edited(|t| t["configurations"][0]["provision"]["instance_count"] = json!(0));
    let web = plan(Some(&seed(SEED_1)), &none).layers.remove(0);
    assert_eq!((web.action, web.from, web.to), (Action::Scale, 1, 0));
}

#[test]
fn image_zone_volume_and_keypair_changes_replace() {
    for (key, value) in [
        ("image", json!("ami-1")),
        ("availability_zone", json!("ap-northeast-1a")),
        ("volume_size", json!(30)),
        ("keypair", json!(false)),
    ] {
        let before = edited(|t| {
            t["configurations"][0]["provision"][key] = json!({"image": "ami-0", "availability_zone": "ap-northeast-1c", "volume_size": 8, "keypair": true})[key].clone()
        });
        let after = edited(|t| t["configurations"][0]["provision"][key] = value);
        let web = plan(Some(&before), &after).layers.remove(0);
        assert_eq!(web.action, Action::Replace, "{key}");
        assert_eq!(web.why, [format!("/configurations/0/provision/{key}")]);
    }
}

#[test]
fn computed_against_a_concrete_value_or_an_implied_default_is_no_change() {
    let before = seed(SEED_1);
    let after = edited(|t| {
        t["configurations"][0]["provision"]["image"] = json!("ami-123");
        t["configurations"][0]["provision"]["volume_type"] = json!("gp2");
        if let Some(p) = t["configurations"][0]["provision"].as_object_mut() {
            p.remove("instance_count");
            p.remove("keypair");
        }
        t["label"] = json!("only the label");
    });
    let p = plan(Some(&before), &after);
    assert_eq!(only(&p).action, Action::NoOp);
    assert!(only(&p).why.is_empty());
    assert!(p.is_no_op());
}

#[test]
fn a_container_change_alone_redeploys_and_with_a_count_change_scales_and_redeploys() {
    let before = seed(SEED_1);
    let after = edited(|t| t["configurations"][0]["container"] = json!({"image": "nginx"}));
    let web = plan(Some(&before), &after).layers.remove(0);
    assert_eq!((web.action, web.from, web.to), (Action::Redeploy, 1, 1));
    assert_eq!(web.why, ["/configurations/0/container"]);
    let more = edited(|t| {
        t["configurations"][0]["container"] = json!({"image": "nginx"});
        t["configurations"][0]["provision"]["instance_count"] = json!(2);
    });
    let web = plan(Some(&before), &more).layers.remove(0);
    assert_eq!((web.action, web.redeploy), (Action::Scale, true));
    assert_eq!(
        web.why,
        [
            "/configurations/0/provision/instance_count",
            "/configurations/0/container"
        ]
    );
}

#[test]
fn layers_added_and_removed_are_created_and_deleted_by_flag() {
    let before = edited(|t| {
        t["configurations"] = json!([
            {"role": "web", "flag": "Web01", "provision": {"instance_type": "t2.micro", "instance_count": 2}},
            {"role": "bastion", "flag": "Bastion", "provision": {"instance_type": "t2.nano"}},
        ]);
    });
    let after = edited(|t| {
        t["configurations"] = json!([
            {"role": "db", "flag": "Db", "provision": {"instance_type": "t2.large", "instance_count": 3}},
            {"role": "web", "flag": "Web01", "provision": {"instance_type": "t2.micro", "instance_count": 2}},
        ]);
    });
    let p = plan(Some(&before), &after);
    let summary: Vec<(&str, Action, u32, u32)> = p
        .layers
        .iter()
        .map(|l| (l.flag.as_str(), l.action, l.from, l.to))
        .collect();
    assert_eq!(
        summary,
        [
            ("Db", Action::Create, 0, 3),
            ("Web01", Action::NoOp, 2, 2),
            ("Bastion", Action::Delete, 1, 0)
        ]
    );
    assert_eq!(p.layers[2].why, ["/configurations/1"]);
}

#[test]
fn a_vendor_change_is_reported_not_planned() {
    let after = edited(|t| t["vendor"] = json!({"linode": {"cred": "other"}}));
    let p = plan(Some(&seed(SEED_1)), &after);
    assert!(p.vendor_changed);
    assert_eq!(only(&p).action, Action::NoOp);
}

#[test]
fn the_plan_has_its_documented_json_shape() {
    let p = plan(Some(&seed(SEED_1)), &seed(SEED_2));
    assert_eq!(
        serde_json::to_value(&p).ok(),
        Some(json!({
            "vendor_changed": false,
            "layers": [{
                "flag": "Web01", "role": "web", "action": "replace", "from": 1, "to": 2,
                "why": ["/configurations/0/provision/instance_type", "/configurations/0/provision/instance_count"],
                "create": [], "destroy": []
            }]
        }))
    );
    let noop = serde_json::to_value(Action::NoOp).ok();
    assert_eq!(noop, Some(json!("no-op")));
    let _ = json(SEED_2);
}
