use proptest::prelude::*;
use serde_json::{json, Value};

use super::super::{diff, plan, Action, Template};

fn provision() -> impl Strategy<Value = Value> {
    (
        "[a-z0-9.]{1,12}",
        proptest::option::of(0u32..=100),
        proptest::option::of(prop_oneof![
            Just(json!("${computed}")),
            "[a-z0-9-]{1,10}".prop_map(Value::from)
        ]),
        proptest::option::of(prop_oneof![
            Just(json!("${computed}")),
            (1u32..=65_536).prop_map(Value::from)
        ]),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(size, count, image, volume, keypair)| {
            let mut p = json!({"instance_type": size});
            for (key, value) in [
                ("instance_count", count.map(Value::from)),
                ("image", image),
                ("volume_size", volume),
                ("keypair", keypair.map(Value::from)),
            ] {
                if let Some(v) = value {
                    p[key] = v;
                }
            }
            p
        })
}

fn template() -> impl Strategy<Value = Value> {
    (
        proptest::collection::btree_map("[A-Za-z0-9_-]{1,8}", ("[a-z]{0,6}", provision()), 1..5),
        proptest::option::of(".{0,20}"),
        prop_oneof![Just("aws"), Just("linode"), Just("libvirt")],
    )
        .prop_map(|(layers, label, cloud)| {
            let configurations: Vec<Value> = layers
                .into_iter()
                .map(|(flag, (role, provision))| json!({"role": format!("r{role}"), "flag": flag, "provision": provision}))
                .collect();
            let mut t = json!({
                "version": "2017-03-03",
                "vendor": {cloud: {"cred": "backend"}},
                "configurations": configurations,
            });
            if let Some(label) = label {
                t["label"] = json!(label);
            }
            t
        })
}

proptest! {
    #[test]
    fn a_valid_template_goes_back_to_its_json_and_parses_to_itself(value in template()) {
        let t = Template::from_value(&value);
        prop_assert!(t.is_ok(), "{:?}", t);
        let Ok(t) = t else { return Ok(()) };
        prop_assert_eq!(t.to_value(), value);
        prop_assert_eq!(Template::parse(&t.to_value().to_string()), Ok(t));
    }

    #[test]
    fn a_template_compared_with_itself_has_no_changes_and_a_no_op_plan(value in template()) {
        prop_assert!(diff(&value, &value).is_empty());
        if let Ok(t) = Template::from_value(&value) {
            let p = plan(Some(&t), &t);
            prop_assert!(p.layers.iter().all(|l| l.action == Action::NoOp));
            prop_assert!(!p.vendor_changed);
        }
    }

    #[test]
    fn parsing_any_text_never_panics(text in ".{0,200}") {
        let _ = Template::parse(&text);
    }
}
