//! Commands: output and exit status, streaming as produced, cancel.

use super::*;

#[tokio::test]
async fn runs_commands_with_stdout_stderr_and_exit_status() {
    let Some((_sshd, conn)) = connected().await else {
        return;
    };
    let started = Instant::now();
    let ran = run(&conn, "true").await;
    eprintln!(
        "exec of `true` on an open connection: {:?}",
        started.elapsed()
    );
    assert_eq!(ran.exit, Some(0));

    let ran = run(&conn, "echo hello").await;
    assert_eq!(
        (ran.stdout.as_str(), ran.stderr.as_str(), ran.exit),
        ("hello\n", "", Some(0))
    );

    let ran = run(&conn, "echo oops >&2; echo fine").await;
    assert_eq!(
        (ran.stdout.as_str(), ran.stderr.as_str(), ran.exit),
        ("fine\n", "oops\n", Some(0))
    );

    let ran = run(&conn, "cat; echo stdin closed").await;
    assert_eq!(ran.stdout, "stdin closed\n");

    let ran = run(&conn, "exit 3").await;
    assert_eq!(ran.exit, Some(3));

    let ran = run(&conn, "kill -TERM $$").await;
    assert_eq!(
        ran.exit,
        Some(128 + 15),
        "a signal exit is 128 + its number"
    );

    // A connection runs several commands at once.
    let (a, b) = tokio::join!(run(&conn, "sleep 0.3; echo a"), run(&conn, "echo b"));
    assert_eq!((a.stdout.as_str(), b.stdout.as_str()), ("a\n", "b\n"));

    conn.close().await;
    let after = tokio::time::timeout(TIMEOUT, conn.exec("true"))
        .await
        .unwrap();
    assert!(matches!(after, Err(ConnectError::Channel(_))), "{after:?}");
    assert!(conn.is_closed());
}

#[tokio::test]
async fn output_streams_as_it_is_produced() {
    let Some((_sshd, conn)) = connected().await else {
        return;
    };
    let mut exec = conn
        .exec("for i in 1 2 3 4 5; do echo $i; sleep 0.2; done")
        .await
        .unwrap();
    let mut chunks = Vec::new();
    let mut text = String::new();
    while let Some(out) = exec.next().await {
        match out {
            Output::Stdout(b) => {
                chunks.push(Instant::now());
                text.push_str(&String::from_utf8_lossy(&b));
            }
            Output::Stderr(b) => panic!("stderr: {}", String::from_utf8_lossy(&b)),
            Output::Exit(code) => assert_eq!(code, 0),
        }
    }
    assert_eq!(text, "1\n2\n3\n4\n5\n");
    assert!(chunks.len() >= 3, "{} chunks", chunks.len());
    let spread = *chunks.last().unwrap() - chunks[0];
    assert!(spread >= Duration::from_millis(600), "spread {spread:?}");
}

/// How many processes match `pattern` (a regex that cannot match itself).
async fn count(conn: &Connection, pattern: &str) -> usize {
    let ran = run(conn, &format!("pgrep -f '{pattern}' || true")).await;
    ran.stdout.lines().count()
}

#[tokio::test]
async fn cancel_stops_the_remote_command() {
    let Some((sshd, conn)) = connected().await else {
        return;
    };
    if run(&conn, "command -v pgrep").await.exit != Some(0) {
        testkit::peer_missing("pgrep", "apt-get install procps");
        return;
    }
    let mut exec = conn.exec("sleep 30.0101").await.unwrap();
    let pattern = "sleep 30[.]0101";
    let seen = Instant::now();
    while count(&conn, pattern).await == 0 {
        assert!(
            seen.elapsed() < Duration::from_secs(5),
            "sleep never started"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let started = Instant::now();
    exec.cancel().await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "cancel took {took:?}");
    eprintln!("cancel took {took:?}");
    assert!(exec.next().await.is_none());
    assert_eq!(
        count(&conn, pattern).await,
        0,
        "sleep survived the cancel\n{}",
        sshd.log()
    );

    // Dropping a running Execution stops the command too.
    let exec = conn.exec("sleep 30.0202").await.unwrap();
    let pattern = "sleep 30[.]0202";
    let seen = Instant::now();
    while count(&conn, pattern).await == 0 {
        assert!(
            seen.elapsed() < Duration::from_secs(5),
            "sleep never started"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(exec);
    let dropped = Instant::now();
    while count(&conn, pattern).await != 0 {
        assert!(
            dropped.elapsed() < Duration::from_secs(5),
            "sleep survived the drop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
