//! Start-up races: instances started at the same moment on an empty
//! database migrate it once; sharing a data directory they make one secret
//! key; with keys of their own, only the first one's key is accepted and
//! the others refuse to start, saying why.

use std::time::Duration;

use sqlx::Row;

use crate::harness::{
    pg::Database,
    process::{Instance, Launch},
};

fn launch(db: &Database, data_dir: std::path::PathBuf) -> Launch {
    Launch {
        database_url: db.url.clone(),
        data_dir,
        public_url: "http://127.0.0.1:9".into(),
        provider_timeout: 2,
        shutdown_grace: 2,
        page_cache_ms: 1000,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_started_at_once_migrate_once_and_make_one_key() {
    let Some(db) = Database::create().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let shared = launch(&db, dir.path().join("data"));
    let mut instances: Vec<Instance> = (0..3).map(|_| Instance::spawn(&shared)).collect();
    for instance in &mut instances {
        instance.ready(Duration::from_secs(60)).await.unwrap();
    }
    let pool = db.pool().await;
    let rows = sqlx::query(
        "SELECT version, COUNT(*) AS n, MIN(CASE WHEN success THEN 1 ELSE 0 END) AS ok \
         FROM _sqlx_migrations GROUP BY version ORDER BY version",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let files = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../migrations/postgres"
    ))
    .unwrap()
    .filter(|e| {
        e.as_ref()
            .unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "sql")
    })
    .count();
    assert_eq!(rows.len(), files, "every migration applied");
    for row in &rows {
        let (version, n, ok): (i64, i64, i32) = (row.get("version"), row.get("n"), row.get("ok"));
        assert_eq!(
            (n, ok),
            (1, 1),
            "migration {version} applied once, successfully"
        );
    }
    let checks: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM settings WHERE name = 'secret_key_check'")
            .fetch_one(&pool)
            .await
            .unwrap()
            .get("n");
    assert_eq!(checks, 1);
    let mut names: Vec<String> = std::fs::read_dir(&shared.data_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["secret.key"], "one key, no temporary file left");
    assert_eq!(
        std::fs::read(shared.data_dir.join("secret.key"))
            .unwrap()
            .len(),
        32
    );
    for instance in &mut instances {
        assert!(instance.is_running(), "{}", instance.log());
        let ok = reqwest::get(instance.url("/healthz"))
            .await
            .unwrap()
            .status();
        assert_eq!(ok, 200);
        instance.kill();
    }
    pool.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_whose_key_does_not_open_the_database_refuses_to_start() {
    let Some(db) = Database::create().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Three at once, each making a key of its own: the first to reach the
    // database decides; the others refuse.
    let launches: Vec<Launch> = (0..3)
        .map(|n| launch(&db, dir.path().join(format!("i{n}/data"))))
        .collect();
    let mut instances: Vec<Instance> = launches.iter().map(Instance::spawn).collect();
    let mut serving = Vec::new();
    for (n, instance) in instances.iter_mut().enumerate() {
        match instance.ready(Duration::from_secs(60)).await {
            Ok(()) => serving.push(n),
            Err(log) => assert!(
                log.contains(
                    "does not open this database's secrets: every instance needs the same key file"
                ),
                "{log}"
            ),
        }
    }
    assert_eq!(serving.len(), 1, "exactly one key accepted");
    let winner = serving[0];
    for (n, instance) in instances.iter_mut().enumerate() {
        if n != winner {
            let status = instance.exited_within(Duration::from_secs(5)).await;
            assert!(status.is_some_and(|s| !s.success()), "{}", instance.log());
        }
    }
    let refused = (winner + 1) % 3;
    let message = instances[refused].log();
    let key_file = launches[refused].data_dir.join("secret.key");
    assert!(
        message.contains(&key_file.display().to_string()),
        "names the key file: {message}"
    );

    // Given the first one's key file, it starts.
    std::fs::copy(launches[winner].data_dir.join("secret.key"), &key_file).unwrap();
    let mut again = Instance::spawn(&launches[refused]);
    again.ready(Duration::from_secs(60)).await.unwrap();
    again.kill();
    drop(instances);
    db.drop_database().await;
}
