use serde_json::json;

use super::super::{diff, Edit};
use super::{json, SEED_1, SEED_2};

#[test]
fn the_seed_compare_gives_rfc_6901_pointers_into_the_source() {
    let d = diff(&json(SEED_1), &json(SEED_2));
    assert!(d.new.is_empty());
    assert_eq!(
        d.removed.into_iter().collect::<Vec<_>>(),
        [(
            "/configurations/0/provision/volume_type".to_owned(),
            json!("${computed}")
        )]
    );
    let edit = |old, new| Edit {
        oldvalue: old,
        newvalue: new,
    };
    assert_eq!(
        d.edited.into_iter().collect::<Vec<_>>(),
        [
            (
                "/configurations/0/provision/instance_count".to_owned(),
                edit(json!(1), json!(2))
            ),
            (
                "/configurations/0/provision/instance_type".to_owned(),
                edit(json!("t2.micro"), json!("m3.medium"))
            ),
            (
                "/label".to_owned(),
                edit(
                    json!("template version label #1"),
                    json!("template version label #2")
                )
            ),
        ]
    );
}

#[test]
fn the_diff_serialises_in_mobingis_names_with_objects_always() {
    let empty = serde_json::to_value(diff(&json(SEED_1), &json(SEED_1))).ok();
    assert_eq!(empty, Some(json!({"new": {}, "removed": {}, "edited": {}})));
    let d = serde_json::to_value(diff(&json(SEED_1), &json(SEED_2))).ok();
    assert_eq!(
        d.as_ref().map(|d| d["edited"]["/label"].clone()),
        Some(
            json!({"oldvalue": "template version label #1", "newvalue": "template version label #2"})
        )
    );
}

#[test]
fn layers_are_matched_by_flag_so_a_layer_inserted_at_the_top_is_one_new_entry() {
    let source = json(SEED_1);
    let mut target = source.clone();
    let bastion =
        json!({"role": "bastion", "flag": "Bastion", "provision": {"instance_type": "t2.nano"}});
    if let Some(layers) = target["configurations"].as_array_mut() {
        layers.insert(0, bastion.clone());
    }
    target["configurations"][1]["provision"]["instance_count"] = json!(3);
    let d = diff(&source, &target);
    assert_eq!(
        d.new.into_iter().collect::<Vec<_>>(),
        [("/configurations/0".to_owned(), bastion)]
    );
    assert!(d.removed.is_empty());
    // The edit points into the source, where Web01 is still at index 0.
    assert_eq!(
        d.edited.keys().collect::<Vec<_>>(),
        ["/configurations/0/provision/instance_count"]
    );
}

#[test]
fn a_layer_gone_is_one_removed_entry_with_the_whole_layer() {
    let source = json!({"configurations": [{"flag": "a", "x": 1}, {"flag": "b", "x": 2}]});
    let target = json!({"configurations": [{"flag": "b", "x": 2}]});
    let d = diff(&source, &target);
    assert_eq!(
        d.removed.into_iter().collect::<Vec<_>>(),
        [("/configurations/0".to_owned(), json!({"flag": "a", "x": 1}))]
    );
    assert!(d.new.is_empty() && d.edited.is_empty());
}

#[test]
fn computed_against_a_concrete_value_is_not_a_change() {
    let source = json!({"provision": {"image": "${computed}", "volume_size": 20}});
    let target = json!({"provision": {"image": "ami-123", "volume_size": "${computed}"}});
    assert!(diff(&source, &target).is_empty());
    assert!(diff(&target, &source).is_empty());
}

#[test]
fn other_arrays_are_compared_by_index() {
    let d = diff(
        &json!({"ports": [80, 443]}),
        &json!({"ports": [8080, 443, 22]}),
    );
    assert_eq!(d.edited.keys().collect::<Vec<_>>(), ["/ports/0"]);
    assert_eq!(
        d.new.into_iter().collect::<Vec<_>>(),
        [("/ports/2".to_owned(), json!(22))]
    );
}

#[test]
fn a_change_of_type_is_one_edit_of_the_whole_value() {
    let d = diff(
        &json!({"container": {"image": "x"}}),
        &json!({"container": "x"}),
    );
    assert_eq!(d.edited.keys().collect::<Vec<_>>(), ["/container"]);
}
