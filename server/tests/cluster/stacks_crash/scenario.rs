//! The pieces the stack crash tests and the stacks bench share: an
//! `overcast serve` alone on SQLite, the REST calls (backend, apply,
//! describe), the template of layers, and waiting for a stack.

use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{json, Value};

use super::ec2::{ACCESS_KEY, REGION};
use crate::harness::{
    process::{create_master, Instance, Launch},
    Browser, MASTER_EMAIL, MASTER_PASSWORD,
};

/// Calls to one base URL with the master's API token.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub token: String,
}

impl Api {
    /// A request to `path` with the token.
    pub fn call(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        Client::new()
            .request(method, format!("{}{path}", self.base))
            .header("authorization", &self.token)
            .header("accept", "application/json")
            .timeout(Duration::from_secs(30))
    }

    /// Adds an EC2 backend in [`REGION`] whose API is `url` (moto, or the
    /// proxy before it), its default image the first it lists; its id.
    pub async fn add_ec2_backend(&self, url: &str) -> String {
        let res = self
            .call(reqwest::Method::POST, "/backends")
            .json(&json!({
                "title": "tokyo", "provider": "ec2_ap_northeast",
                "apikey": ACCESS_KEY, "apisecret": "secret-for-moto", "apiurl": url,
                // Polls weigh nothing here.
                "poll_interval": 600_000,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let id = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        // What `"image": "${computed}"` takes: the first image it lists.
        let images: Value = self
            .call(reqwest::Method::GET, &format!("/backends/{id}/images"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let image = images[0]["id"].as_str().expect("an image").to_owned();
        let res = self
            .call(reqwest::Method::PUT, &format!("/backends/{id}"))
            .json(&json!({"default_image": image}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        id
    }

    /// Applies `template`; the new stack's id.
    pub async fn apply(&self, template: &Value) -> String {
        let res = self
            .call(reqwest::Method::POST, "/v3/alm/template")
            .json(template)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        res.json::<Value>().await.unwrap()["stack_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The stack described, every event included; `None` when the
    /// instance does not answer.
    pub async fn describe(&self, stack_id: &str) -> Option<Value> {
        let res = self
            .call(
                reqwest::Method::GET,
                &format!("/v3/alm/stack/{stack_id}?events=all"),
            )
            .send()
            .await
            .ok()?;
        if res.status() != 200 {
            return None;
        }
        res.json().await.ok()
    }

    /// The stack once its status is `status` (panics after `within`).
    pub async fn wait_for(&self, stack_id: &str, status: &str, within: Duration) -> Value {
        let started = Instant::now();
        loop {
            if let Some(stack) = self.describe(stack_id).await {
                if stack["stack_status"] == status {
                    return stack;
                }
                assert!(
                    started.elapsed() < within,
                    "not {status} after {within:?}: {stack}"
                );
            }
            assert!(started.elapsed() < within, "not {status} after {within:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A template of `layers` layers (`Web01`, `Web02`, ...) of `count`
/// `t2.micro` machines each, on the EC2 backend of [`ACCESS_KEY`].
pub fn template(layers: usize, count: u32) -> Value {
    let configurations: Vec<Value> = (1..=layers)
        .map(|n| {
            json!({
                "role": "web",
                "flag": format!("Web{n:02}"),
                "provision": {
                    "image": "${computed}",
                    "instance_type": "t2.micro",
                    "instance_count": count,
                    "keypair": false
                }
            })
        })
        .collect();
    json!({
        "version": "2017-03-03",
        "label": "crash",
        "vendor": {"aws": {"cred": ACCESS_KEY, "region": REGION}},
        "configurations": configurations,
    })
}

/// The stack's step events (`kind` `step`): their details, oldest first.
pub fn steps(stack: &Value) -> Vec<Value> {
    stack["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "step")
        .map(|e| {
            let mut d = e["detail"].clone();
            d["at"] = e["at"].clone();
            d
        })
        .collect()
}

/// `overcast serve` alone on SQLite in `dir`, as one operator would run it:
/// started, restarted on the same database after a crash.
pub struct Single {
    pub launch: Launch,
    pub instance: Instance,
    pub api: Api,
}

impl Single {
    /// Creates the master, starts the process, makes an API token.
    pub async fn start(dir: &std::path::Path, provider_timeout: u64) -> Single {
        let data_dir = dir.join("data");
        let launch = Launch {
            database_url: format!("sqlite://{}", data_dir.join("overcast.db").display()),
            data_dir,
            public_url: "http://127.0.0.1".into(),
            provider_timeout,
            shutdown_grace: 2,
            page_cache_ms: 1000,
        };
        create_master(&launch, MASTER_EMAIL, MASTER_PASSWORD);
        let mut instance = Instance::spawn(&launch);
        if let Err(e) = instance.ready(Duration::from_secs(60)).await {
            panic!("overcast did not start: {e}");
        }
        let token = token(&instance.url("")).await;
        let api = Api {
            base: instance.url(""),
            token,
        };
        Single {
            launch,
            instance,
            api,
        }
    }

    /// A new process on the same data directory and database (the old one
    /// must be gone); the API now points at it.
    pub async fn restart(&mut self) {
        self.instance = Instance::spawn(&self.launch);
        if let Err(e) = self.instance.ready(Duration::from_secs(60)).await {
            panic!("overcast did not restart: {e}");
        }
        self.api.base = self.instance.url("");
    }
}

/// Signs the master in at `base` and makes an API token (`Token <t>`).
pub async fn token(base: &str) -> String {
    let browser = Browser::new();
    let res = browser
        .client
        .post(format!("{base}/api/sign_in"))
        .form(&[("email", MASTER_EMAIL), ("password", MASTER_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "sign in: {}",
        res.status()
    );
    let res = browser
        .client
        .post(format!("{base}/tokens"))
        .header("accept", "application/json")
        .header("x-csrftoken", browser.csrf())
        .json(&json!({"name": "stacks"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let made: Value = res.json().await.unwrap();
    format!("Token {}", made["token"].as_str().unwrap())
}
