//! Prints what stacks (ALM v3) give on this machine (figures, never
//! asserted), one `overcast serve` on SQLite with an EC2 backend on moto
//! (`ap-northeast-1`):
//! 1. `concurrency`: a 20-machine stack (two layers of 10) applied, from
//!    `POST /v3/alm/template` to `CREATE_COMPLETE`, against the sum of 20
//!    single creates one after another through `POST /backends/{id}/machines`
//!    (the concurrency ratio), and against the same 20 machines created one
//!    after another by Apache Libcloud's `create_node` on the same moto
//!    (scripts/bench/libcloud_create.py; skipped, saying so, without
//!    Libcloud: `source scripts/peers.sh && ensure_libcloud`);
//! 2. `compare`: plan and compare of two 200-layer templates, by
//!    `domain::stacks` directly, through `POST /v3/alm/template/compare` and
//!    `POST /v3/alm/template?dry_run=true` (medians);
//! 3. `resume`: a four-layer stack's process killed (SIGKILL) as its 2nd
//!    create landed, restarted on the same database: the time from the kill
//!    to the resumed stack's next step (the stack's lease must expire first).
//!
//! Run: `cargo bench -p server --bench stacks` (or one part: `-- compare`)
//! with moto installed (`source scripts/peers.sh && ensure_moto`). It runs
//! the pieces of the cluster tests (server/tests/cluster/stacks_crash/).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/cluster/harness/mod.rs"]
#[allow(dead_code)]
mod harness;

#[path = "../tests/cluster/stacks_crash/ec2.rs"]
#[allow(dead_code)]
mod ec2;

#[path = "../tests/cluster/stacks_crash/scenario.rs"]
#[allow(dead_code)]
mod scenario;

#[path = "stacks/compare.rs"]
mod compare;

use std::{
    path::PathBuf,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use ec2::{Moto, Proxy};
use reqwest::Method;
use scenario::{steps, template, Api, Single};
use serde_json::{json, Value};

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let part = |name: &str| only.as_deref().is_none_or(|o| o == name);
    rt.block_on(async {
        if part("concurrency") {
            concurrency().await;
        }
        if part("compare") {
            compare::figures().await;
        }
        if part("resume") {
            resume().await;
        }
    });
}

/// moto, or the bench ends saying how to get it.
pub async fn moto() -> Moto {
    match Moto::start().await {
        Some(moto) => moto,
        None => {
            eprintln!("moto is missing: source scripts/peers.sh && ensure_moto");
            std::process::exit(1);
        }
    }
}

/// A backend's first image and first location (a stack step and a single
/// create then do the same work).
async fn first_image_and_location(api: &Api, backend: &str) -> (String, String) {
    let first = |path: String| async move {
        let list: Value = api
            .call(Method::GET, &path)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        list[0]["id"].as_str().unwrap().to_owned()
    };
    (
        first(format!("/backends/{backend}/images")).await,
        first(format!("/backends/{backend}/locations")).await,
    )
}

async fn concurrency() {
    let moto = moto().await;
    let dir = tempfile::tempdir().unwrap();
    let single = Single::start(dir.path(), 30).await;
    let api = &single.api;
    let backend = api.add_ec2_backend(&moto.url).await;
    let (image, location) = first_image_and_location(api, &backend).await;

    let mut stack = template(2, 10);
    for layer in stack["configurations"].as_array_mut().unwrap() {
        layer["provision"]["image"] = json!(image);
        layer["provision"]["availability_zone"] = json!(location);
    }
    let started = Instant::now();
    let stack_id = api.apply(&stack).await;
    let done = api
        .wait_for(&stack_id, "CREATE_COMPLETE", Duration::from_secs(300))
        .await;
    let wall = started.elapsed();
    let made: usize = done["instances"]
        .as_object()
        .unwrap()
        .values()
        .map(|ms| ms.as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(made, 20, "{done}");

    let mut sum = Duration::ZERO;
    for n in 0..20 {
        let t = Instant::now();
        let res = api
            .call(Method::POST, &format!("/backends/{backend}/machines"))
            .json(&json!({"name": format!("single-{n}"), "size": "t2.micro",
                          "image": image, "location": location}))
            .send()
            .await
            .unwrap();
        sum += t.elapsed();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
    let ratio = sum.as_secs_f64() / wall.as_secs_f64();
    println!("20 t2.micro on moto (ap-northeast-1), Overcast on SQLite:");
    println!("  stack of two layers of 10, apply to CREATE_COMPLETE: {wall:.2?}");
    println!(
        "  20 single creates one after another (POST /backends/{{id}}/machines), sum: {sum:.2?}"
    );
    println!("  concurrency ratio (sum of singles / stack): {ratio:.2}");

    let python = std::env::var_os("OVERCAST_LIBCLOUD_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".tools/libcloud/bin/python"));
    if !python.exists() {
        println!(
            "  Libcloud: skipped ({} is absent; source scripts/peers.sh && ensure_libcloud)",
            python.display()
        );
        return;
    }
    let out = std::process::Command::new(&python)
        .arg(workspace().join("scripts/bench/libcloud_create.py"))
        .args([moto.url.as_str(), "20", image.as_str()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        stdout
            .split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .map(str::to_owned)
    };
    let Some(total) = field("total_s=") else {
        println!(
            "  Libcloud: skipped ({}{})",
            stdout.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return;
    };
    let theirs = Duration::from_secs_f64(total.parse().unwrap());
    println!(
        "  Libcloud {} create_node x20 one after another: {theirs:.2?}; Libcloud / stack: {:.2}; \
         Libcloud / Overcast singles: {:.2}",
        field("version=").unwrap_or_default(),
        theirs.as_secs_f64() / wall.as_secs_f64(),
        theirs.as_secs_f64() / sum.as_secs_f64()
    );
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

async fn resume() {
    let moto = moto().await;
    let proxy = Proxy::start(&moto.url, Duration::from_secs(2)).await;
    let dir = tempfile::tempdir().unwrap();
    let mut single = Single::start(dir.path(), 10).await;
    single.api.add_ec2_backend(&proxy.url).await;
    let stack_id = single.api.apply(&template(4, 1)).await;
    while proxy.landed() < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    single.instance.kill();
    let killed = Instant::now();
    let killed_at = unix_ms();
    single.restart().await;
    let restarted = killed.elapsed();
    let next = loop {
        let stack = single.api.describe(&stack_id).await.unwrap();
        if let Some(at) = steps(&stack)
            .iter()
            .filter_map(|s| s["at"].as_i64())
            .find(|at| *at > killed_at)
        {
            break at - killed_at;
        }
        assert!(killed.elapsed() < Duration::from_secs(120), "not resumed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    single
        .api
        .wait_for(&stack_id, "CREATE_COMPLETE", Duration::from_secs(60))
        .await;
    println!(
        "SIGKILL at the 2nd of 4 creates, restart on SQLite: process ready in {restarted:.2?}; \
         next step {next} ms after the kill (the stack's lease, 60 s from its last renewal, \
         must expire; StackResume looks every 10 s); CREATE_COMPLETE with 4 machines, {} \
         RunInstances",
        proxy.landed()
    );
}

/// The workspace's root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
