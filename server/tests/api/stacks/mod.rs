//! Stacks (ALM v3) through the REST API: on libvirt's test driver (apply,
//! dry run, faults, refusals, describe, versions, compare, delete, resume),
//! and the seed's template on EC2 (moto).

#[cfg(feature = "libvirt")]
mod agents;
#[cfg(feature = "libvirt")]
mod audit;
mod ec2;
mod ec2_update;
#[cfg(feature = "libvirt")]
mod key;
#[cfg(feature = "libvirt")]
mod libvirt;
#[cfg(feature = "libvirt")]
mod libvirt_update;
#[cfg(feature = "libvirt")]
mod masked;
#[cfg(feature = "libvirt")]
mod resume;
#[cfg(feature = "libvirt")]
mod yaml;

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

/// A one-layer template on backend `cred` of cloud `cloud`.
pub fn template(cloud: &str, cred: &str, count: u32) -> Value {
    json!({
        "version": "2017-03-03",
        "label": "test",
        "vendor": {cloud: {"cred": cred}},
        "configurations": [{
            "role": "web",
            "flag": "Web01",
            "provision": {"image": "none", "instance_type": "1cpu-512mb", "instance_count": count, "keypair": false}
        }]
    })
}

/// A libvirt backend on `test:///default`; its id.
pub async fn libvirt_backend(app: &TestApp) -> String {
    add_backend(
        app,
        json!({"title": "kvm", "provider": "libvirt", "apiurl": "test:///default"}),
    )
    .await
}

/// Adds the backend `body` describes (it must be accepted); its id.
pub async fn add_backend(app: &TestApp, body: Value) -> String {
    let res = app.api(Method::POST, "/backends", Some(body)).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The stack described once its status is `status` (within 30 s).
pub async fn wait_for(app: &TestApp, stack_id: &str, status: &str) -> Value {
    let started = Instant::now();
    loop {
        let res = app.get_json(&format!("/v3/alm/stack/{stack_id}")).await;
        assert_eq!(res.status(), 200);
        let stack: Value = res.json().await.unwrap();
        if stack["stack_status"] == status {
            return stack;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "still not {status}: {stack}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The backend's machines' names that are not terminated.
pub async fn live_names(app: &TestApp, backend: &str) -> Vec<String> {
    let machines: Value = app
        .get_json(&format!("/backends/{backend}/machines"))
        .await
        .json()
        .await
        .unwrap();
    machines
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["state"] != "terminated")
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The backend's live machines as its provider reports them now (not
/// Overcast's stored list).
pub async fn on_provider(app: &TestApp, backend: &str) -> Vec<domain::compute::Machine> {
    let backend = app.services().db.backend(backend).await.unwrap().unwrap();
    let driver = service::drivers::for_backend(app.services(), &backend)
        .await
        .unwrap()
        .unwrap();
    driver
        .list_machines()
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.state != domain::compute::MachineState::Terminated)
        .collect()
}

/// The names of the machines of layer `flag` of the stack nicknamed `nick`
/// that the provider has, sorted.
pub async fn layer_on_provider(
    app: &TestApp,
    backend: &str,
    nick: &str,
    flag: &str,
) -> Vec<String> {
    let prefix = format!("{nick}-{flag}-");
    let mut names: Vec<String> = on_provider(app, backend)
        .await
        .into_iter()
        .map(|m| m.name)
        .filter(|n| n.starts_with(&prefix))
        .collect();
    names.sort();
    names
}

/// Sets the backend's default image (what `"image": "${computed}"` takes)
/// to the first image it lists; that image's id.
pub async fn set_default_image(app: &TestApp, backend: &str) -> String {
    let images: Value = app
        .get_json(&format!("/backends/{backend}/images"))
        .await
        .json()
        .await
        .unwrap();
    let image = images[0]["id"]
        .as_str()
        .expect("the backend lists an image")
        .to_owned();
    let res = app
        .api(
            Method::PUT,
            &format!("/backends/{backend}"),
            Some(json!({"default_image": image})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    image
}

/// Applies `template` (it must be accepted: 201); the new stack's id.
pub async fn apply(app: &TestApp, template: Value) -> String {
    let res = app
        .api(Method::POST, "/v3/alm/template", Some(template))
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["stack_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The statuses a described stack's log went through, oldest first.
pub fn statuses(stack: &Value) -> Vec<&str> {
    stack["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "status")
        .map(|e| e["detail"]["status"].as_str().unwrap())
        .collect()
}
