//! A bare-metal host once added: rebooted over SSH, polled through its
//! driver, and the page of a machine that is not there.

use reqwest::Method;
use serde_json::{json, Value};

use super::Lab;

#[tokio::test]
async fn a_bare_metal_host_reboots_over_ssh_with_its_reboot_command() {
    let Some(lab) = Lab::new().await else { return };
    lab.import_key("lab").await;
    // A harmless stand-in for `reboot`, so the test machine stays up.
    let res = lab
        .app
        .api(
            Method::POST,
            "/backends",
            Some(json!({
                "title": "host", "provider": "bare_metal", "machine_ip": "127.0.0.1",
                "machine_key": "lab", "machine_user": lab.sshd.user, "machine_port": lab.sshd.port,
                "machine_reboot_command": "touch \"$HOME/rebooted\"",
                "poll_interval": 1000,
            })),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let b = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let machines: Value = lab
        .app
        .get_json(&format!("/backends/{b}/machines"))
        .await
        .json()
        .await
        .unwrap();
    let m = machines[0]["id"].as_str().unwrap().to_owned();
    let path = format!("/backends/{b}/machines/{m}");

    let res = lab
        .app
        .api(Method::POST, &path, Some(json!({"action": "stop"})))
        .await;
    assert_eq!(res.status(), 409);
    let body = res.text().await.unwrap();
    assert!(body.contains("cannot do that: stop"), "{body}");

    let res = lab
        .app
        .api(Method::POST, &path, Some(json!({"action": "reboot"})))
        .await;
    let status = res.status();
    let body = res.text().await.unwrap();
    if status == 409 {
        // Neither root nor passwordless sudo here: the refusal says so.
        assert!(body.contains("needs root or passwordless sudo"), "{body}");
        return;
    }
    assert_eq!(status, 200, "{body}");
    let marker = lab.sshd.home().join("rebooted");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !marker.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the reboot command never ran"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let detail: Value = lab.app.get_json(&path).await.json().await.unwrap();
    assert_eq!(detail["machine"]["state"], "rebooting", "{detail}");
    // The host still answers (the stand-in rebooted nothing): once the
    // reboot's grace is over, a poll finds it `running` again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let detail: Value = lab.app.get_json(&path).await.json().await.unwrap();
        if detail["machine"]["state"] == "running" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {} 20 s after a reboot of a host that answers",
            detail["machine"]["state"]
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// A machine page for a machine that is not there is a 404 offering
/// nothing to run; the page of one that is there offers the tools.
#[tokio::test]
async fn a_machine_page_of_no_machine_is_a_404_without_forms() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let page = lab.app.get_page(&format!("/machines/{b}/{m}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"run-command\""), "the tools are offered");
    assert!(
        html.contains("data-terminal-open"),
        "the terminal is offered"
    );

    for path in [
        format!("/machines/{b}/no-such-machine"),
        "/machines/no-such-backend/x".to_owned(),
    ] {
        let page = lab.app.get_page(&path).await;
        assert_eq!(page.status(), 404, "{path}");
        let html = page.text().await.unwrap();
        assert!(html.contains("not found"), "{path} says so");
        assert!(
            !html.contains("id=\"run-command\""),
            "{path} offers a command form"
        );
        assert!(
            !html.contains("data-terminal-open"),
            "{path} offers a terminal"
        );
        assert!(
            !html.contains("data-testid=\"run-script\""),
            "{path} offers scripts"
        );
    }
}

/// A bare-metal host is polled through its driver like any backend: when
/// its SSH port stops answering, the backend is `offline` saying why and
/// the host `unknown`; when it answers again, `online` and `running`, and
/// its listing keeps the port SSH listens on.
#[tokio::test]
async fn a_bare_metal_host_that_stops_answering_is_offline_until_it_answers_again() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let Lab { app, sshd, .. } = lab;
    let port = sshd.port;
    let services = app.services().clone();
    let stored = || async {
        let backend = services.db.backend(&b).await.unwrap().unwrap();
        let machine = services.db.machine(&b, &m).await.unwrap().unwrap();
        (backend, machine)
    };

    let (backend, _) = stored().await;
    let (state, reason) = service::polling::poll_within(&services, &backend).await;
    assert_eq!((state.as_str(), reason.as_deref()), ("online", None));
    let (_, machine) = stored().await;
    assert_eq!(machine.state, "running");
    assert_eq!(machine.ssh_port, i64::from(port), "the port is kept");

    drop(sshd);
    let (state, reason) = service::polling::poll_within(&services, &backend).await;
    let reason = reason.unwrap_or_default();
    assert_eq!(state.as_str(), "offline", "{reason}");
    assert!(
        reason.contains(&format!("cannot reach 127.0.0.1:{port}")),
        "{reason}"
    );
    let (_, machine) = stored().await;
    assert_eq!(machine.state, "unknown");

    // Something answers on the port again: the host is back.
    let _listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let (state, reason) = service::polling::poll_within(&services, &backend).await;
    assert_eq!((state.as_str(), reason.as_deref()), ("online", None));
    let (_, machine) = stored().await;
    assert_eq!(machine.state, "running");
    assert_eq!(machine.ssh_port, i64::from(port));
}
