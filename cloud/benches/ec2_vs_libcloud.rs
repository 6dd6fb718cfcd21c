//! Prints the time to list an EC2 account's instances on moto's server
//! through Overcast's EC2 driver (`list_machines`) and through Apache
//! Libcloud's `EC2NodeDriver.list_nodes()` in Python
//! (`scripts/bench/libcloud_list.py`), against the same moto holding the
//! same instances, and their ratio; next to the time moto itself takes to
//! answer (the same DescribeInstances fetched raw, nothing parsed). Then
//! both again on moto's answer replayed at once by a loopback peer: the
//! clients' own cost (request, signing, reading, parsing, converting),
//! which moto's slowness otherwise hides.
//!
//! moto: `OVERCAST_BENCH_MOTO_URL` (a running one), else started here from
//! `OVERCAST_MOTO` or `<workspace>/.tools/moto/bin/moto_server` (with AMI and
//! instance-type validation, as the tests run it). Libcloud: the Python in
//! `OVERCAST_LIBCLOUD_PYTHON`, else `/tmp/lc/bin/python` (made with
//! `python3 -m venv /tmp/lc && /tmp/lc/bin/pip install apache-libcloud`).
//! Either missing: says so and skips that part. `OVERCAST_BENCH_INSTANCES`
//! (default 500) instances are made with one RunInstances when moto holds
//! fewer.
//! Run: `cargo bench -p cloud --bench ec2_vs_libcloud`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use axum::{extract::State, http::header, response::IntoResponse, Router};
use cloud::{ec2::Ec2, http::HttpConfig, CloudDriver, Secret};
use tokio::process::{Child, Command};

const RUNS: usize = 7;
/// moto takes the region (and the service) from the credential scope of
/// the `Authorization` header; it checks no signature.
const MOTO_AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIAOVERCASTBENCH/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0";

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A moto started here; killed when dropped.
struct Started {
    _child: Child,
}

async fn moto() -> Option<(String, Option<Started>)> {
    if let Ok(url) = std::env::var("OVERCAST_BENCH_MOTO_URL") {
        return Some((url, None));
    }
    let binary = std::env::var_os("OVERCAST_MOTO")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".tools/moto/bin/moto_server"));
    if !binary.exists() {
        println!(
            "skipped: moto is not installed ({} is absent); set OVERCAST_MOTO or OVERCAST_BENCH_MOTO_URL, \
             or run: source scripts/peers.sh && ensure_moto",
            binary.display()
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("MOTO_ENABLE_AMI_VALIDATION", "true")
        .env("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => {
            println!("skipped: cannot run {} ({e})", binary.display());
            return None;
        }
    };
    let url = format!("http://127.0.0.1:{port}/");
    let probe = reqwest::Client::new();
    let started = Instant::now();
    while probe.get(format!("{url}moto-api/")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "moto did not answer within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Some((url, Some(Started { _child: child })))
}

/// One EC2 Query call to moto, its answer's body.
async fn raw(client: &reqwest::Client, url: &str, form: &str) -> String {
    let res = client
        .post(url)
        .header("authorization", MOTO_AUTH)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("Version=2016-11-15&{form}"))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{form}: {}", res.status());
    res.text().await.unwrap()
}

async fn run() {
    let Some((url, _moto)) = moto().await else {
        return;
    };
    let wanted: usize = std::env::var("OVERCAST_BENCH_INSTANCES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500);
    let driver = ec2(&url);
    let client = reqwest::Client::new();

    let have = driver.list_machines().await.unwrap().len();
    if have < wanted {
        let images = driver.list_images(None).await.unwrap();
        let image = &images.first().expect("moto lists no image").id;
        let n = wanted - have;
        let t = Instant::now();
        raw(
            &client,
            &url,
            &format!(
                "Action=RunInstances&ImageId={image}&InstanceType=t2.micro&MinCount={n}&MaxCount={n}"
            ),
        )
        .await;
        println!("made {n} instances on moto in {}", ms(t.elapsed()));
    }

    let count = have.max(wanted);

    // moto alone: the driver's request (MaxResults=1000, one page), fetched
    // raw and not parsed.
    let mut moto_alone = Vec::new();
    let mut body = String::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        body = raw(&client, &url, "Action=DescribeInstances&MaxResults=1000").await;
        moto_alone.push(t.elapsed());
    }
    let moto_alone = median(moto_alone);
    // The same answer replayed at once by a loopback peer: what each client
    // spends on its own (request, signing, reading, parsing, converting).
    let replay = replay(Box::leak(body.clone().into_boxed_str())).await;

    let ours = time_ours(&driver, count).await;
    let ours_replayed = time_ours(&ec2(&replay), count).await;
    println!(
        "{count} instances on moto ({:.2} MB of XML in its answer), median of {RUNS} runs:",
        body.len() as f64 / 1e6
    );
    println!(
        "  moto's answer alone (raw fetch, not parsed): {}",
        ms(moto_alone)
    );
    println!(
        "  Overcast EC2 driver list_machines: {} on moto, {} on moto's answer replayed by a loopback peer",
        ms(ours),
        ms(ours_replayed)
    );

    let python = std::env::var_os("OVERCAST_LIBCLOUD_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/lc/bin/python"));
    if !python.exists() {
        println!(
            "  Libcloud: skipped ({} is absent; python3 -m venv /tmp/lc && /tmp/lc/bin/pip install apache-libcloud, \
             or set OVERCAST_LIBCLOUD_PYTHON)",
            python.display()
        );
        return;
    }
    let Some((version, theirs)) = libcloud(&python, &url, count).await else {
        return;
    };
    let Some((_, theirs_replayed)) = libcloud(&python, &replay, count).await else {
        return;
    };
    println!(
        "  Libcloud {version} list_nodes: {} on moto, {} on the replayed answer",
        ms(theirs),
        ms(theirs_replayed)
    );
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "  ratio Libcloud / Overcast: {:.2} on moto (moto's own time included), {:.1} on the replayed answer (the clients alone)",
        ratio(theirs, ours),
        ratio(theirs_replayed, ours_replayed)
    );
}

fn ec2(url: &str) -> Ec2 {
    let config = HttpConfig {
        endpoint: Some(url.to_owned()),
        timeout: Duration::from_secs(120),
        ..HttpConfig::default()
    };
    Ec2::with_config(
        "AKIAOVERCASTBENCH".into(),
        Secret::new("moto-checks-no-signature"),
        "ec2_us_east",
        &config,
    )
    .unwrap()
}

async fn time_ours(driver: &Ec2, expect: usize) -> Duration {
    // One unmeasured run: the connection warms up.
    assert_eq!(driver.list_machines().await.unwrap().len(), expect);
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let listed = driver.list_machines().await.unwrap().len();
        runs.push(t.elapsed());
        assert_eq!(listed, expect);
    }
    median(runs)
}

/// A loopback peer answering every request with `body` at once.
async fn replay(body: &'static str) -> String {
    async fn answer(State(body): State<&'static str>) -> impl IntoResponse {
        ([(header::CONTENT_TYPE, "text/xml")], body)
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let app = Router::new().fallback(answer).with_state(body);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// Runs scripts/bench/libcloud_list.py against `url`: Libcloud's version
/// and its median, or `None` having said why not.
async fn libcloud(python: &Path, url: &str, expect: usize) -> Option<(String, Duration)> {
    let out = Command::new(python)
        .arg(workspace().join("scripts/bench/libcloud_list.py"))
        .arg(url)
        .arg(RUNS.to_string())
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        stdout
            .split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .map(str::to_owned)
    };
    let (Some(nodes), Some(secs)) = (field("nodes="), field("median_s=")) else {
        println!(
            "  Libcloud: skipped ({}{})",
            stdout.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    };
    assert_eq!(nodes, expect.to_string(), "Libcloud listed {nodes} nodes");
    Some((
        field("version=").unwrap_or_default(),
        Duration::from_secs_f64(secs.parse().unwrap()),
    ))
}
