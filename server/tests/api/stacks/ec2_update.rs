//! The seed's two templates, verbatim but for `cred`, on EC2 (moto in
//! `ap-northeast-1`): applied, updated (one `t2.micro` replaced by two
//! `m3.medium`), listed by version, described by version, compared in both
//! request forms, and the seed's broken compare example refused.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::alm_seeds::{COMPARE_EXAMPLE_2_BODY, SEED_1, SEED_2};

use super::*;
use crate::machines::ec2::moto;

const KEY: &str = "AKIAJDZLA";

/// A seed text with its `cred` naming the test's backend.
fn ours(seed: &str) -> String {
    seed.replace("AKIAJ...DZLA", KEY)
}

async fn compare(app: &TestApp, body: Value) -> Value {
    let res = app
        .api(Method::POST, "/v3/alm/template/compare", Some(body))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    res.json().await.unwrap()
}

fn assert_seed_diff(compared: &Value) {
    let diff = &compared["diff"];
    let edited = diff["edited"].as_object().unwrap();
    let mut paths: Vec<&str> = edited.keys().map(String::as_str).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "/configurations/0/provision/instance_count",
            "/configurations/0/provision/instance_type",
            "/label"
        ],
        "{compared}"
    );
    assert_eq!(
        edited["/configurations/0/provision/instance_type"],
        json!({"oldvalue": "t2.micro", "newvalue": "m3.medium"})
    );
    assert_eq!(
        edited["/configurations/0/provision/instance_count"],
        json!({"oldvalue": 1, "newvalue": 2})
    );
    let removed: Vec<&String> = diff["removed"].as_object().unwrap().keys().collect();
    assert_eq!(removed, ["/configurations/0/provision/volume_type"]);
    assert_eq!(diff["new"], json!({}));
}

#[tokio::test]
async fn the_seed_update_replaces_one_t2_micro_by_two_m3_medium() {
    let Some(moto) = moto().await else { return };
    let app = TestApp::signed_in().await;
    let b = add_backend(
        &app,
        json!({"title": "tokyo", "provider": "ec2_ap_northeast",
               "apikey": KEY, "apisecret": "secret-for-moto", "apiurl": moto.url}),
    )
    .await;
    set_default_image(&app, &b).await;
    let res = app
        .api_text(
            Method::POST,
            "/v3/alm/template",
            "application/json",
            &ours(SEED_1),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let applied: Value = res.json().await.unwrap();
    let id = applied["stack_id"].as_str().unwrap().to_owned();
    let v1 = applied["version_id"].as_str().unwrap().to_owned();
    let created = wait_for(&app, &id, "CREATE_COMPLETE").await;
    let micro = created["instances"]["Web01"][0]["machine_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let path = format!("/v3/alm/template/{id}");
    let res = app
        .api_text(Method::PUT, &path, "application/json", &ours(SEED_2))
        .await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["status"], "success");
    assert_eq!(updated["stack_status"], "UPDATE_IN_PROGRESS");
    assert_eq!(updated["stack_id"], id.as_str());
    let v2 = updated["version_id"].as_str().unwrap().to_owned();
    assert_ne!(v1, v2);
    let layer = &updated["plan"]["layers"][0];
    assert_eq!(layer["action"], "replace", "{updated}");
    assert_eq!(layer["destroy"].as_array().unwrap().len(), 1, "{updated}");
    assert_eq!(layer["create"].as_array().unwrap().len(), 2, "{updated}");

    let done = wait_for(&app, &id, "UPDATE_COMPLETE").await;
    assert_eq!(done["version_id"], v2.as_str());
    let live = on_provider(&app, &b).await;
    assert_eq!(live.len(), 2, "{live:?}");
    for m in &live {
        assert_eq!(m.size.as_deref(), Some("m3.medium"), "{m:?}");
        assert!(m.tags.contains(&format!("Stack_Name={id}")), "{m:?}");
        assert_ne!(m.id, micro);
    }
    assert_eq!(done["instances"]["Web01"].as_array().unwrap().len(), 2);

    // Versions: two, `latest` on the newer.
    let versions: Value = app
        .get_json(&format!("/v3/alm/template?stack_id={id}"))
        .await
        .json()
        .await
        .unwrap();
    let listed: Vec<(&str, bool)> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["version_id"].as_str().unwrap(), v["latest"] == true))
        .collect();
    assert_eq!(listed, [(v2.as_str(), true), (v1.as_str(), false)]);

    // Each version's body, by id, by `latest` and by none.
    for (query, label) in [
        (format!("?version_id={v1}"), "template version label #1"),
        (format!("?version_id={v2}"), "template version label #2"),
        ("?version_id=latest".to_owned(), "template version label #2"),
        (String::new(), "template version label #2"),
    ] {
        let body: Value = app
            .get_json(&format!("{path}{query}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["label"], label, "{query}: {body}");
    }

    // Compare, both request forms.
    let by_ids = compare(
        &app,
        json!({"id": [{&id: {"version": v1}}, {&id: {"version": v2}}]}),
    )
    .await;
    assert_seed_diff(&by_ids);
    let by_body = compare(
        &app,
        json!({"id": [{&id: {"version": v1}}], "body": [ours(SEED_2)]}),
    )
    .await;
    assert_seed_diff(&by_body);
    assert_eq!(by_body["plan"]["layers"][0]["action"], "replace");

    // The seed's compare example 2, verbatim: a trailing comma.
    let res = app
        .api(
            Method::POST,
            "/v3/alm/template/compare",
            Some(json!({"id": [{&id: {"version": v1}}], "body": [COMPARE_EXAMPLE_2_BODY]})),
        )
        .await;
    assert_eq!(res.status(), 400);
    let error: Value = res.json().await.unwrap();
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("line 19") && message.contains("column"),
        "{error}"
    );
}
