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
    // `"image": "${computed}"` needs the backend's default image.
    let res = app
        .api(Method::POST, "/v3/alm/template", Some(seed.clone()))
        .await;
    assert_eq!(res.status(), 400);
    let refused: Value = res.json().await.unwrap();
    assert_eq!(
        refused["field"], "/configurations/0/provision/image",
        "{refused}"
    );
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("tokyo") && message.contains("default_image"),
        "{refused}"
    );
    assert!(app.services().db.stacks(true).await.unwrap().is_empty());
    let image = set_default_image(&app, &b).await;

    let res = app.api(Method::POST, "/v3/alm/template", Some(seed)).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let applied: Value = res.json().await.unwrap();
    assert_eq!(
        applied["computed"]["Web01"]["image"],
        image.as_str(),
        "{applied}"
    );
    assert_eq!(
        applied["computed"]["Web01"]["volume_type"],
        "provider default"
    );
    let zone = applied["computed"]["Web01"]["availability_zone"]
        .as_str()
        .unwrap();
    assert!(zone.starts_with("ap-northeast-1"), "{applied}");
    let id = applied["stack_id"].as_str().unwrap().to_owned();
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
    assert_eq!(
        made[0].image.as_deref(),
        Some(image.as_str()),
        "{:?}",
        made[0]
    );
    assert!(
        stack["events"].to_string().contains(&format!(
            "image ${{computed}}: {image}, tokyo (ec2_ap_northeast)'s default image"
        )),
        "the image chosen is said: {stack}"
    );
}
