//! Script runs and their output.

use store::{
    scripts::{OutputChunk, ScriptRun},
    Db,
};

use super::{backend, machine, Races, N};
use crate::on_each_engine;

/// Chunks each writer appends to its run, one after the other.
const CHUNKS: i64 = 10;

fn run(i: usize) -> ScriptRun {
    ScriptRun {
        id: format!("r{i}"),
        backend_id: "b0".into(),
        machine_id: "m0".into(),
        script: "echo hi".into(),
        state: "waiting".into(),
        detail: None,
        exit_code: None,
        ssh_user: None,
        ssh_key: None,
        ssh_host: None,
        created_by: "owner".into(),
        created_at: i as i64,
        started_at: None,
        finished_at: None,
        heartbeat_at: None,
    }
}

/// How many of the runs satisfy `ok`.
async fn runs_where(db: &Db, ok: impl Fn(&ScriptRun) -> bool) -> usize {
    let runs = db.script_runs("b0", "m0").await.unwrap();
    runs.iter().filter(|s| ok(s)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn script_runs_and_output() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            db.insert_backend(&backend(0), &[machine("b0", "m0")])
                .await
                .unwrap();
            r.run("insert_script_run", |db, i| async move {
                db.insert_script_run(&run(i)).await
            })
            .await;
            r.check_eq(
                "insert_script_run: runs",
                runs_where(&db, |_| true).await,
                N,
            );

            r.run("script_run_waiting", |db, i| async move {
                db.script_run_waiting(&format!("r{i}"), "no answer yet")
                    .await
            })
            .await;
            let waiting = runs_where(&db, |s| s.detail.as_deref() == Some("no answer yet"));
            r.check_eq("script_run_waiting: noted", waiting.await, N);

            // Each run's carrier claims, then renews, its lease, all at once.
            let claimed = r
                .run("claim_lease", |db, i| async move {
                    db.claim_lease("script_run", &format!("r{i}"), "carrier", 100, 45_000)
                        .await
                })
                .await;
            r.check_all("claim_lease", &claimed);
            let renewed = r
                .run("renew_lease", |db, i| async move {
                    db.renew_lease("script_run", &format!("r{i}"), "carrier", 110, 45_000)
                        .await
                })
                .await;
            r.check_all("renew_lease", &renewed);

            r.run("script_run_started", |db, i| async move {
                db.script_run_started(&format!("r{i}"), "root", "ops", "10.0.0.1:22", 101)
                    .await
            })
            .await;
            let running = runs_where(&db, |s| s.state == "running" && s.started_at == Some(101));
            r.check_eq("script_run_started: running", running.await, N);

            // Each writer appends its run's chunks in order, all writers at once.
            r.run("append_script_output", |db, i| async move {
                for seq in 1..=CHUNKS {
                    let chunk = OutputChunk {
                        seq,
                        stream: if seq % 2 == 0 { "stderr" } else { "stdout" }.into(),
                        data: format!("run {i} line {seq}\n"),
                    };
                    db.append_script_output(&format!("r{i}"), &chunk).await?;
                }
                Ok::<_, store::StoreError>(())
            })
            .await;
            let mut complete = 0;
            for i in 0..N {
                let chunks = db.script_output(&format!("r{i}"), 0).await.unwrap();
                let got: Vec<_> = chunks.iter().map(|c| (c.seq, c.data.clone())).collect();
                let want: Vec<_> = (1..=CHUNKS)
                    .map(|seq| (seq, format!("run {i} line {seq}\n")))
                    .collect();
                complete += usize::from(got == want);
            }
            r.check_eq(
                "append_script_output: runs with all chunks in order",
                complete,
                N,
            );

            // The carrier goes: its leases released, all at once.
            let released = r
                .run("release_lease", |db, i| async move {
                    db.release_lease("script_run", &format!("r{i}"), "carrier")
                        .await
                })
                .await;
            r.check_all("release_lease", &released);
            // Every instance sweeping at once ends each run no lease covers once.
            let ended = r
                .run("end_unleased_script_runs", |db, _| async move {
                    db.end_unleased_script_runs("instance gone", 1_001).await
                })
                .await;
            r.check_eq(
                "end_unleased_script_runs: ended",
                ended.iter().sum::<u64>(),
                N as u64,
            );
            let abandoned = runs_where(&db, |s| s.state == "error" && s.finished_at == Some(1_001));
            r.check_eq("end_unleased_script_runs: ended runs", abandoned.await, N);

            r.run("script_run_finished", |db, i| async move {
                db.script_run_finished(&format!("r{i}"), "failed", Some(i as i64), None, 1_002)
                    .await
            })
            .await;
            let finished = runs_where(&db, |s| {
                s.state == "failed"
                    && s.exit_code == Some(s.created_at)
                    && s.finished_at == Some(1_002)
            });
            r.check_eq("script_run_finished: finished", finished.await, N);
            r.finish();
        }
    });
}
