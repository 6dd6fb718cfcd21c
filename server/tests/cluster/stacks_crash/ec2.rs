//! The EC2 side of the stack crash tests and the stacks bench: moto (the
//! stateful EC2 peer, see scripts/peers.sh `ensure_moto`), a proxy before it
//! that counts `RunInstances` calls and holds their answers (the call has
//! landed at moto, its caller does not know yet: the moment a crash is worst
//! for), and moto asked directly what instances it has.

use std::{
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use axum::{body::Bytes, extract::State, http::HeaderMap, response::IntoResponse, Router};

/// The region the tests and the bench use (the seed template's).
pub const REGION: &str = "ap-northeast-1";
/// The backend's access key (moto checks no signature).
pub const ACCESS_KEY: &str = "AKIAJDZLA";

const INSTALL_MOTO: &str = "source scripts/peers.sh && ensure_moto";

/// A moto server on a loopback port, killed when dropped.
pub struct Moto {
    child: Child,
    pub url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    /// Starts moto (`OVERCAST_MOTO`, else `<repo>/.tools/moto`); `None`
    /// when it is missing (`testkit::peer_missing`: a failure under
    /// `OVERCAST_REQUIRE_PEERS`).
    pub async fn start() -> Option<Moto> {
        let bin = std::env::var("OVERCAST_MOTO").ok().or_else(|| {
            let local = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../.tools/moto/bin/moto_server"
            );
            std::path::Path::new(local)
                .exists()
                .then(|| local.to_owned())
        });
        let Some(bin) = bin else {
            testkit::peer_missing("moto", INSTALL_MOTO);
            return None;
        };
        let port = crate::harness::process::free_port();
        let child = match Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ENABLE_AMI_VALIDATION", "true")
            .env("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => {
                testkit::peer_missing(&format!("moto at {bin} ({e})"), INSTALL_MOTO);
                return None;
            }
        };
        let moto = Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..200 {
            if reqwest::get(format!("{}/moto-api/", moto.url))
                .await
                .is_ok()
            {
                return Some(moto);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("moto did not start");
    }

    /// The instances moto has that are not terminated (nor shutting down).
    pub async fn live_instances(&self) -> Vec<Ec2Instance> {
        let body = "Action=DescribeInstances&Version=2016-11-15\
             &Filter.1.Name=instance-state-name&Filter.1.Value.1=pending\
             &Filter.1.Value.2=running&Filter.1.Value.3=stopping&Filter.1.Value.4=stopped";
        let xml = reqwest::Client::new()
            .post(&self.url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-amz-date", "20240101T000000Z")
            .header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20240101/{REGION}/ec2/aws4_request, \
                     SignedHeaders=host, Signature=0"
                ),
            )
            .body(body)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        instances_of(&xml)
    }
}

/// An instance as moto describes it.
#[derive(Debug, Clone)]
pub struct Ec2Instance {
    pub id: String,
    /// Its tags, `key=value`.
    pub tags: Vec<String>,
}

impl Ec2Instance {
    /// Its `Name` tag.
    pub fn name(&self) -> Option<&str> {
        self.tags.iter().find_map(|t| t.strip_prefix("Name="))
    }
}

/// The instances of a `DescribeInstancesResponse`, one per reservation (a
/// `RunInstances` of one machine, as Overcast and Libcloud make them: moto
/// writes an instance's `tagSet` before its `instanceId`).
fn instances_of(xml: &str) -> Vec<Ec2Instance> {
    let between = |text: &str, open: &str, close: &str| -> String {
        text.split(open)
            .nth(1)
            .and_then(|t| t.split(close).next())
            .unwrap_or_default()
            .to_owned()
    };
    xml.split("<reservationId>")
        .skip(1)
        .map(|reservation| {
            let tags = between(reservation, "<tagSet>", "</tagSet>")
                .split("<key>")
                .skip(1)
                .map(|kv| {
                    let key = kv.split('<').next().unwrap_or_default();
                    format!("{key}={}", between(kv, "<value>", "<"))
                })
                .collect();
            Ec2Instance {
                id: between(reservation, "<instanceId>", "<"),
                tags,
            }
        })
        .collect()
}

/// A proxy before moto: every call passes through; a `RunInstances`
/// reaches moto at once and its answer is held `hold` before it goes back.
#[derive(Clone)]
pub struct Proxy {
    pub url: String,
    inner: Arc<Inner>,
}

struct Inner {
    moto: String,
    hold: Duration,
    client: reqwest::Client,
    /// `RunInstances` calls that moto has answered.
    landed: AtomicUsize,
}

impl Proxy {
    /// Serves on a loopback port, forwarding to `moto`.
    pub async fn start(moto: &str, hold: Duration) -> Proxy {
        let inner = Arc::new(Inner {
            moto: moto.to_owned(),
            hold,
            client: reqwest::Client::new(),
            landed: AtomicUsize::new(0),
        });
        let app = Router::new().fallback(forward).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Proxy { url, inner }
    }

    /// How many `RunInstances` calls moto has answered so far.
    pub fn landed(&self) -> usize {
        self.inner.landed.load(Ordering::SeqCst)
    }
}

async fn forward(
    State(inner): State<Arc<Inner>>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let run = body.starts_with(b"Action=RunInstances");
    let mut request = inner.client.request(
        reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap(),
        format!("{}{uri}", inner.moto),
    );
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = request.body(body).send().await.unwrap();
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/xml")
        .to_owned();
    let text = answer.bytes().await.unwrap();
    if run {
        inner.landed.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(inner.hold).await;
    }
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        [("content-type", content_type)],
        text,
    )
}
