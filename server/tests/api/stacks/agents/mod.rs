//! The agents' door (Mobingi's alm-agent protocol), driven by a client
//! that speaks exactly as alm-agent does (`client`).

mod client;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::*;
use crate::identity;
use client::{read, AlmAgent};

/// A template whose `Web01` layer (`count` machines) runs a container with
/// secrets, and whose `Db01` layer (no machines) has no container.
fn with_container(count: u32) -> Value {
    let mut t = template("libvirt", "kvm", count);
    t["configurations"][0]["container"] = json!({
        "image": "nginx:1.25", "gitRepo": "https://example.com/app.git", "gitReference": "main",
        "gitPrivateKey": "-----BEGIN KEY----- git-secret", "registryUsername": "me",
        "registryPassword": "hunter2-secret", "ports": [80, 443],
        "environment_variables": {"DB_PASSWORD": "swordfish-secret"}
    });
    t["configurations"]
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "db", "flag": "Db01",
            "provision": {"image": "none", "instance_type": "1cpu-512mb", "instance_count": 0, "keypair": false}}));
    t
}

/// A stack applied and complete; its description (with `auth_token`).
async fn applied(app: &TestApp, t: Value) -> Value {
    let res = app.api(Method::POST, "/v3/alm/template", Some(t)).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["stack_id"]
        .as_str()
        .unwrap()
        .to_owned();
    wait_for(app, &id, "CREATE_COMPLETE").await
}

#[tokio::test]
async fn an_agent_gets_a_token_reads_its_config_reports_and_is_held_to_its_stack() {
    let app = TestApp::signed_in().await;
    libvirt_backend(&app).await;
    let stack = applied(&app, with_container(1)).await;
    let id = stack["stack_id"].as_str().unwrap().to_owned();
    let secret = stack["auth_token"].as_str().unwrap().to_owned();
    let machine = stack["instances"]["Web01"][0].clone();
    let instance_id = machine["machine_id"].as_str().unwrap().to_owned();

    // A wrong secret: 401, audited.
    let mut agent = AlmAgent::new(&app, &id);
    let (status, _) = agent.authenticate("not-the-token").await;
    assert_eq!(status, 401);
    let audit: Value = app.get_json("/v3/audit").await.json().await.unwrap();
    assert!(audit.to_string().contains("wrong client secret"), "{audit}");

    let (status, token) = agent.authenticate(&secret).await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(token["token_type"], "Bearer");
    assert!(token["expires_in"].as_i64().unwrap() > 25_200, "{token}");

    // Its layer's configuration, secrets in clear, under both sets of names.
    let (status, config) = agent.config(&id, "Web01").await;
    assert_eq!(status, 200, "{config}");
    for (seed, almagent, value) in [
        ("image", "container_image", json!("nginx:1.25")),
        (
            "gitRepo",
            "container_git_repo",
            json!("https://example.com/app.git"),
        ),
        ("gitReference", "container_git_reference", json!("main")),
        (
            "gitPrivateKey",
            "container_git_private_key",
            json!("-----BEGIN KEY----- git-secret"),
        ),
        (
            "registryUsername",
            "container_registry_username",
            json!("me"),
        ),
        (
            "registryPassword",
            "container_registry_password",
            json!("hunter2-secret"),
        ),
        ("ports", "container_ports", json!([80, 443])),
        (
            "environment_variables",
            "container_env_vars",
            json!({"DB_PASSWORD": "swordfish-secret"}),
        ),
    ] {
        assert_eq!(config[seed], value, "{seed}: {config}");
        assert_eq!(config[almagent], value, "{almagent}: {config}");
    }
    let updated = config["container_updated"].as_i64().unwrap();
    assert!(updated > 1_500_000_000, "{config}");
    assert_eq!(config["updated"], updated);
    let (status, empty) = agent.config(&id, "Db01").await;
    assert_eq!((status, empty), (StatusCode::OK, json!({})));
    assert_eq!(agent.config(&id, "Nope01").await.0, 404);

    // A view-only user reads it masked; the master (edit:alm.stack) in clear.
    identity::create_user_with_scope(
        &app,
        json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:alm.stack"], "Resource": ["*"]}
        ]}),
    )
    .await;
    let viewer = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    let path = format!("/v3/alm/agent/config?stack_id={id}&flag=Web01");
    let (status, masked) = read(app.as_caller(Method::GET, &path, &viewer, None).await).await;
    assert_eq!(status, 200, "{masked}");
    assert_eq!(masked["image"], "nginx:1.25");
    for field in [
        "gitPrivateKey",
        "container_git_private_key",
        "container_registry_password",
    ] {
        assert_eq!(masked[field], "****", "{field}: {masked}");
    }
    assert_eq!(masked["container_env_vars"]["DB_PASSWORD"], "****");
    assert!(!masked.to_string().contains("secret"), "{masked}");
    let (status, _) = read(
        app.as_caller(Method::POST, "/v3/alm/agent/agent_status", &viewer, None)
            .await,
    )
    .await;
    assert_eq!(status, 403);
    let (status, clear) = read(app.get_json(&path).await).await;
    assert_eq!(
        (status, &clear["gitPrivateKey"]),
        (StatusCode::OK, &config["gitPrivateKey"])
    );
    assert_eq!(
        read(
            app.get_json("/v3/alm/agent/config?stack_id=nope&flag=Web01")
                .await
        )
        .await
        .0,
        404
    );

    // Reports: 200 {"status": "success"}; describe shows them on the machine.
    let agent_id = "5f0c6a36-64f1-4b43-9d2a-3a1f6c9b7e10";
    let ok = (StatusCode::OK, json!({"status": "success"}));
    assert_eq!(
        agent
            .agent_status(&id, agent_id, "uptodate", &instance_id)
            .await,
        ok
    );
    assert_eq!(
        agent
            .container_status(agent_id, "starting", &instance_id)
            .await,
        ok
    );
    let described: Value = app
        .get_json(&format!("/v3/alm/stack/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let on_machine = &described["instances"]["Web01"][0]["agents"][0];
    assert_eq!(on_machine["agent_id"], agent_id, "{described}");
    assert_eq!(on_machine["status"], "uptodate");
    assert_eq!(on_machine["container_status"], "starting");
    assert_eq!(described["agents"][0]["machine"], machine["name"]);
    assert_eq!(described["agents"][0]["flag"], "Web01");
    let reports = described["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "agent")
        .count();
    assert_eq!(reports, 2, "{described}");

    // Bounded free text: 400.
    let long = "x".repeat(101);
    assert_eq!(agent.agent_status(&id, agent_id, &long, "").await.0, 400);
    assert_eq!(agent.agent_status(&id, "", "uptodate", "").await.0, 400);

    // Held to its own stack's agent routes: 403 elsewhere.
    let other = applied(&app, template("libvirt", "kvm", 0)).await;
    let other_id = other["stack_id"].as_str().unwrap();
    assert_eq!(
        agent
            .agent_status(other_id, agent_id, "uptodate", "")
            .await
            .0,
        403
    );
    assert_eq!(agent.config(other_id, "Web01").await.0, 403);
    assert_eq!(
        agent
            .agent_status("no-such-stack", agent_id, "uptodate", "")
            .await
            .0,
        403
    );
    for path in [
        "/backends",
        "/v3/alm/stack",
        &format!("/v3/alm/stack/{id}"),
        "/tokens",
        "/v3/user/role",
    ] {
        assert_eq!(agent.get(path).await.0, 403, "{path}");
    }

    // Once the stack is deleted, the token and the credentials are dead.
    let res = app
        .api(Method::DELETE, &format!("/v3/alm/stack/{id}"), None)
        .await;
    assert_eq!(res.status(), 202);
    wait_for(&app, &id, "DELETE_COMPLETE").await;
    assert_eq!(agent.config(&id, "Web01").await.0, 401);
    assert_eq!(
        agent.agent_status(&id, agent_id, "stopped", "").await.0,
        401
    );
    assert_eq!(agent.authenticate(&secret).await.0, 401);
}

#[tokio::test]
async fn describe_shows_each_agent_with_the_machine_it_runs_on() {
    let app = TestApp::signed_in().await;
    libvirt_backend(&app).await;
    let stack = applied(&app, with_container(1)).await;
    let id = stack["stack_id"].as_str().unwrap();
    let machine = &stack["instances"]["Web01"][0];
    let services = app.services();
    let account = services
        .db
        .account_by_email(MASTER_EMAIL)
        .await
        .unwrap()
        .unwrap();
    let master = service::session::actor_for(
        services,
        account,
        service::session::Credential::Session,
        "test",
        None,
    )
    .await
    .unwrap();
    let on_machine = service::stacks::agents::AgentStatus {
        stack_id: id.into(),
        agent_id: "a-1".into(),
        status: "error".into(),
        message: Some("docker pull failed\nretrying".into()),
        instance_id: machine["machine_id"].as_str().map(Into::into),
    };
    service::stacks::agents::report_agent(services, &master, &on_machine)
        .await
        .unwrap();
    let elsewhere = service::stacks::agents::ContainerStatus {
        stack_id: id.into(),
        agent_id: "a-2".into(),
        container_id: "c-9".into(),
        status: "complete".into(),
        instance_id: None,
    };
    service::stacks::agents::report_container(services, &master, &elsewhere)
        .await
        .unwrap();

    let described = service::stacks::describe(services, &master, id)
        .await
        .unwrap();
    let agents: Vec<_> = described
        .agents
        .iter()
        .map(|a| (a.agent_id.as_str(), a.machine.clone()))
        .collect();
    assert_eq!(
        agents,
        [
            ("a-1", machine["name"].as_str().map(Into::into)),
            ("a-2", None)
        ]
    );
    let first = &described.instances["Web01"][0];
    assert_eq!(first.agents.len(), 1, "{:?}", first.agents);
    assert_eq!(first.agents[0].status.as_deref(), Some("error"));
    assert_eq!(
        first.agents[0].message.as_deref(),
        Some("docker pull failed\nretrying")
    );
    assert_eq!(
        described.agents[1].container_status.as_deref(),
        Some("complete")
    );
    assert_eq!(described.agents[1].container_id.as_deref(), Some("c-9"));
}

#[tokio::test]
async fn thirty_agents_reporting_at_once_each_get_200_and_one_row() {
    let app = TestApp::signed_in().await;
    libvirt_backend(&app).await;
    let stack = applied(&app, with_container(0)).await;
    let id = stack["stack_id"].as_str().unwrap().to_owned();
    let secret = stack["auth_token"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for n in 0..30 {
        let mut agent = AlmAgent::new(&app, &id);
        let (id, secret) = (id.clone(), secret.clone());
        tasks.push(tokio::spawn(async move {
            let (status, body) = agent.authenticate(&secret).await;
            assert_eq!(status, 200, "{body}");
            let me = format!("agent-{n:02}");
            let instance = format!("i-{n:02}");
            let ok = (StatusCode::OK, json!({"status": "success"}));
            assert_eq!(
                agent.agent_status(&id, &me, "uptodate", &instance).await,
                ok
            );
            assert_eq!(agent.container_status(&me, "complete", "").await, ok);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let rows = app.services().db.stack_agents(&id).await.unwrap();
    assert_eq!(rows.len(), 30);
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(row.agent_id, format!("agent-{n:02}"));
        assert_eq!(row.instance_id, format!("i-{n:02}"));
        assert_eq!(row.status.as_deref(), Some("uptodate"));
        assert_eq!(row.container_status.as_deref(), Some("complete"));
    }
}

#[tokio::test]
async fn container_updated_grows_when_an_update_changes_the_container_only() {
    let app = TestApp::signed_in().await;
    libvirt_backend(&app).await;
    let mut t = with_container(0);
    let stack = applied(&app, t.clone()).await;
    let id = stack["stack_id"].as_str().unwrap().to_owned();
    let mut agent = AlmAgent::new(&app, &id);
    assert_eq!(
        agent
            .authenticate(stack["auth_token"].as_str().unwrap())
            .await
            .0,
        200
    );
    let updated = |c: &Value| c["container_updated"].as_i64().unwrap();
    let first = updated(&agent.config(&id, "Web01").await.1);
    let path = format!("/v3/alm/template/{id}");

    // A label change: the container is the same, `updated` stays.
    t["label"] = json!("relabelled");
    let res = app.api(Method::PUT, &path, Some(t.clone())).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    wait_for(&app, &id, "UPDATE_COMPLETE").await;
    assert_eq!(updated(&agent.config(&id, "Web01").await.1), first);

    // A secret changed (only the container): it grows, at once.
    t["configurations"][0]["container"]["registryPassword"] = json!("rotated-secret");
    let res = app.api(Method::PUT, &path, Some(t)).await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    wait_for(&app, &id, "UPDATE_COMPLETE").await;
    let (status, config) = agent.config(&id, "Web01").await;
    assert_eq!(status, 200);
    assert!(updated(&config) > first, "{config}");
    assert_eq!(config["container_registry_password"], "rotated-secret");
}
