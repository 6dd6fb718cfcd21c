//! A session, its CSRF token and an API token made on one instance are
//! honoured by every instance: all three live in the shared database.

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::{Browser, Cluster, Options, MASTER_EMAIL, MASTER_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_its_csrf_token_and_an_api_token_work_on_every_instance() {
    let Some(cluster) = Cluster::start(Options::default()).await else {
        return;
    };
    // Signed in through nginx: some instance made the session.
    let browser = cluster.sign_in().await;
    let csrf = browser.csrf();

    // Round-robin: six requests through nginx reach each instance twice.
    for _ in 0..6 {
        let res = browser
            .client
            .get(cluster.nginx.url("/api/session_info"))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
    }
    for _ in 0..6 {
        let res = browser
            .client
            .get(cluster.nginx.url("/v3/user/role"))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    // nginx's log names the instance that answered each.
    let served_by: std::collections::BTreeSet<String> = cluster
        .nginx
        .upstreams_of("/v3/user/role")
        .into_iter()
        .flatten()
        .collect();
    let ports: std::collections::BTreeSet<String> = cluster
        .instances
        .iter()
        .map(|i| format!("127.0.0.1:{}", i.port))
        .collect();
    assert_eq!(served_by, ports, "round-robin reached every instance");

    // Each instance directly: the cookie session is honoured, a write with
    // the CSRF token made elsewhere is accepted, one without it refused.
    let mut tokens = Vec::new();
    for (n, instance) in cluster.instances.iter().enumerate() {
        let res = browser
            .client
            .get(instance.url("/v3/user/role"))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}: session", instance.id);
        let page = browser
            .client
            .get(instance.url("/machines"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{}: the Machines page", instance.id);

        let refused = browser
            .client
            .post(instance.url("/tokens"))
            .header("accept", "application/json")
            .json(&json!({"name": format!("no-csrf-{n}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403, "{}: no CSRF token", instance.id);
        let made = browser
            .client
            .post(instance.url("/tokens"))
            .header("accept", "application/json")
            .header("x-csrftoken", &csrf)
            .json(&json!({"name": format!("made-on-{n}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), 201, "{}: with the CSRF token", instance.id);
        let made: Value = made.json().await.unwrap();
        tokens.push(made["token"].as_str().unwrap().to_owned());
    }

    // Every token, made on any instance, is accepted by each directly.
    for token in &tokens {
        for instance in &cluster.instances {
            let res = reqwest::Client::new()
                .get(instance.url("/v3/user/role"))
                .header("authorization", format!("Token {token}"))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{}", instance.id);
        }
    }
    // And the cluster's own token, made through nginx.
    for instance in &cluster.instances {
        let res = cluster
            .api(Method::GET, &instance.url("/tokens"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    // Signing out on one instance ends the session on all.
    let out = browser
        .client
        .post(cluster.instances[0].url("/api/sign_out"))
        .header("x-csrftoken", &csrf)
        .send()
        .await
        .unwrap();
    assert!(
        out.status().is_success() || out.status().is_redirection(),
        "{}",
        out.status()
    );
    for instance in &cluster.instances[1..] {
        let res = browser
            .client
            .get(instance.url("/v3/user/role"))
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{}: signed out elsewhere", instance.id);
    }

    // Behind nginx, each client is known by its own address (nginx's
    // X-Forwarded-For, from a trusted proxy): one client's failed sign-ins
    // refuse that client, not every client of the proxy.
    let sign_in = |address: Option<&'static str>, password: &'static str| {
        let mut req = Browser::new()
            .client
            .post(cluster.nginx.url("/api/sign_in"))
            .form(&[("email", MASTER_EMAIL), ("password", password)]);
        if let Some(address) = address {
            req = req.header("x-forwarded-for", address);
        }
        req.send()
    };
    for _ in 0..5 {
        let res = sign_in(Some("203.0.113.7"), "wrong password")
            .await
            .unwrap();
        assert!(res.status().is_client_error(), "{}", res.status());
    }
    let refused = sign_in(Some("203.0.113.7"), MASTER_PASSWORD).await.unwrap();
    assert_eq!(refused.status(), 429, "that address is refused");
    let other = sign_in(None, MASTER_PASSWORD).await.unwrap();
    assert!(
        other.status().is_success() || other.status().is_redirection(),
        "another client is not: {}",
        other.status()
    );
    cluster.finish().await;
}
