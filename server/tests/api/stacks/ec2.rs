//! The seed's first template on EC2 (moto): its `cred` the backend's
//! access key, its region the backend's.

use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use crate::machines::ec2::moto;

#[tokio::test]
async fn the_seed_template_makes_one_running_t2_micro_on_ec2() {
    let Some(moto) = moto().await else { return };
    let app = TestApp::signed_in().await;
    let b = add_backend(
        &app,
        json!({
            "title": "tokyo", "provider": "ec2_ap_northeast",
            "apikey": "AKIAJDZLA", "apisecret": "secret-for-moto", "apiurl": moto.url,
        }),
    )
    .await;
    let seed = json!({
        "version": "2017-03-03",
        "label": "template version label #1",
        "description": "This template creates a sample stack with EC2 instance on AWS",
        "vendor": {"aws": {"cred": "AKIAJDZLA", "region": "ap-northeast-1"}},
        "configurations": [{
            "role": "web",
            "flag": "Web01",
            "provision": {
                "image": "${computed}",
                "volume_type": "${computed}",
                "instance_type": "t2.micro",
                "instance_count": 1,
                "keypair": true
            }
        }]
    });
    let res = app.api(Method::POST, "/v3/alm/template", Some(seed)).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["stack_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stack = wait_for(&app, &id, "CREATE_COMPLETE").await;
    let instance = &stack["instances"]["Web01"][0];
    // As the provider reports it now (the list shows what was first
    // reported, `pending`, until the next poll).
    let backend = app.services().db.backend(&b).await.unwrap().unwrap();
    let driver = service::drivers::for_backend(app.services(), &backend)
        .await
        .unwrap()
        .unwrap();
    let listed = driver.list_machines().await.unwrap();
    let made: Vec<_> = listed
        .iter()
        .filter(|m| m.state != domain::compute::MachineState::Terminated)
        .collect();
    assert_eq!(made.len(), 1, "{listed:?}");
    assert_eq!(made[0].id, instance["machine_id"].as_str().unwrap());
    assert_eq!(made[0].name, instance["name"].as_str().unwrap());
    assert_eq!(made[0].state, domain::compute::MachineState::Running);
    assert_eq!(made[0].size.as_deref(), Some("t2.micro"));
    assert!(
        made[0].tags.contains(&format!("Stack_Name={id}")),
        "{:?}",
        made[0]
    );
    assert!(
        stack["events"]
            .to_string()
            .contains("image ${computed}: the first"),
        "the image chosen is said: {stack}"
    );
}
