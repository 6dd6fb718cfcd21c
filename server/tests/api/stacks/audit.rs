//! What a stack does to its machines is in the audit log, as the stack:
//! each machine's creation and, when the stack is deleted, its destruction,
//! on the machine's own resource (so its page's Activity shows them).

use reqwest::Method;
use store::audit::AuditFilter;

use super::*;

/// The audit entries of `action` on machines, by the stack `nick`: their
/// resources, sorted.
async fn by_stack(app: &TestApp, nick: &str, action: &str) -> Vec<String> {
    let filter = AuditFilter {
        actor: Some(format!("stack {nick}")),
        action: Some(action.to_owned()),
        outcome: Some("success".into()),
        since: None,
        limit: 100,
    };
    let mut resources: Vec<String> = app
        .services()
        .db
        .audit_entries(&filter)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.resource)
        .collect();
    resources.sort();
    resources
}

#[tokio::test]
async fn a_stack_s_machines_are_created_and_destroyed_on_the_record() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let id = apply(&app, template("libvirt", "kvm", 2)).await;
    let stack = wait_for(&app, &id, "CREATE_COMPLETE").await;
    let nick = stack["nickname"].as_str().unwrap().to_owned();
    let mut machines: Vec<String> = stack["instances"]["Web01"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| format!("backend/{b}/machine/{}", i["machine_id"].as_str().unwrap()))
        .collect();
    machines.sort();
    assert_eq!(machines.len(), 2, "{stack}");
    assert_eq!(by_stack(&app, &nick, "create:machine").await, machines);
    assert!(by_stack(&app, &nick, "destroy:machine").await.is_empty());

    let res = app
        .api(Method::DELETE, &format!("/v3/alm/stack/{id}"), None)
        .await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    wait_for(&app, &id, "DELETE_COMPLETE").await;
    assert_eq!(by_stack(&app, &nick, "destroy:machine").await, machines);
}
