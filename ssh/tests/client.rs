//! The client against a real sshd (skipped when there is none).

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::process::Command;
use std::time::{Duration, Instant};

use ssh::testing::Sshd;
use ssh::{
    connect, ConnectError, Connection, HostKey, KeyAlgorithm, KeyPair, Output, Target,
    TerminalEvent,
};

const TIMEOUT: Duration = Duration::from_secs(10);

/// An sshd that trusts a fresh Ed25519 key.
fn sshd_with_key() -> Option<(Sshd, KeyPair)> {
    let sshd = Sshd::start()?;
    let key = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    sshd.authorize(&key.public_openssh());
    Some((sshd, key))
}

async fn connected() -> Option<(Sshd, Connection)> {
    let (sshd, key) = sshd_with_key()?;
    let (conn, _) = connect(&sshd.target(), &key, None, TIMEOUT)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", sshd.log()));
    Some((sshd, conn))
}

#[derive(Debug, Default)]
struct Ran {
    stdout: String,
    stderr: String,
    exit: Option<i32>,
}

async fn run(conn: &Connection, command: &str) -> Ran {
    let mut exec = conn.exec(command).await.unwrap();
    let mut ran = Ran::default();
    while let Some(out) = exec.next().await {
        assert!(ran.exit.is_none(), "output after Exit: {out:?}");
        match out {
            Output::Stdout(b) => ran.stdout.push_str(&String::from_utf8_lossy(&b)),
            Output::Stderr(b) => ran.stderr.push_str(&String::from_utf8_lossy(&b)),
            Output::Exit(code) => ran.exit = Some(code),
        }
    }
    assert!(exec.next().await.is_none());
    ran
}

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
        eprintln!("skipping: no pgrep on this machine");
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

#[tokio::test]
async fn unreachable_port() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let target = Target {
        host: "127.0.0.1".into(),
        port,
        user: "nobody".into(),
    };
    let key = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    match connect(&target, &key, None, TIMEOUT).await {
        Err(ConnectError::Unreachable(why)) => {
            assert!(
                why.starts_with(&format!("cannot reach 127.0.0.1:{port}: ")),
                "{why}"
            );
            assert!(why.contains("refused"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    let target = Target {
        host: "no-such-host.invalid".into(),
        port: 22,
        user: "x".into(),
    };
    assert!(matches!(
        connect(&target, &key, None, TIMEOUT).await,
        Err(ConnectError::Unreachable(_))
    ));
}

#[tokio::test]
async fn silent_or_foreign_servers() {
    let key = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    // Accepts (the kernel's backlog) but never speaks.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = Target {
        host: "127.0.0.1".into(),
        port: silent.local_addr().unwrap().port(),
        user: "x".into(),
    };
    let result = connect(&target, &key, None, Duration::from_millis(300)).await;
    assert!(matches!(result, Err(ConnectError::Timeout)), "{result:?}");

    // Speaks something else.
    let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = http.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Ok((mut s, _)) = http.accept().await {
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        }
    });
    let target = Target {
        host: "127.0.0.1".into(),
        port,
        user: "x".into(),
    };
    let result = connect(&target, &key, None, TIMEOUT).await;
    assert!(
        matches!(result, Err(ConnectError::Protocol(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn unauthorized_key_is_refused() {
    let Some((sshd, _authorized)) = sshd_with_key() else {
        return;
    };
    let stranger = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    match connect(&sshd.target(), &stranger, None, TIMEOUT).await {
        Err(ConnectError::AuthRefused { user }) => assert_eq!(user, sshd.user),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn host_key_trust_on_first_use_then_pinning() {
    let Some((sshd, key)) = sshd_with_key() else {
        return;
    };
    let started = Instant::now();
    let (conn, host_key) = connect(&sshd.target(), &key, None, TIMEOUT).await.unwrap();
    let ran = run(&conn, "true").await;
    eprintln!("connect + `true`: {:?}", started.elapsed());
    assert_eq!(ran.exit, Some(0));
    assert_eq!(host_key, sshd.host_key());
    assert!(host_key.fingerprint.starts_with("SHA256:"));
    conn.close().await;

    // The pinned key is accepted (a comment on it does not matter).
    let mut pinned = host_key.clone();
    pinned.openssh.push_str(" root@somewhere");
    let (conn, again) = connect(&sshd.target(), &key, Some(&pinned), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(again, host_key);
    conn.close().await;
}

#[tokio::test]
async fn changed_host_key_is_refused_before_authenticating() {
    let Some((sshd, key)) = sshd_with_key() else {
        return;
    };
    let other = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    let expected = HostKey::parse(&other.public_openssh()).unwrap();
    match connect(&sshd.target(), &key, Some(&expected), TIMEOUT).await {
        Err(e @ ConnectError::HostKeyChanged { .. }) => {
            let text = e.to_string();
            let ConnectError::HostKeyChanged {
                expected: exp,
                presented,
            } = e
            else {
                unreachable!()
            };
            assert_eq!(exp, expected);
            assert_eq!(presented, sshd.host_key());
            assert!(
                text.contains(&expected.fingerprint) && text.contains(&presented.fingerprint),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Give sshd a moment to log, then make sure no key was even offered.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = sshd.log();
    assert!(
        !log.contains("Accepted publickey") && !log.contains("Failed publickey"),
        "{log}"
    );
}

#[tokio::test]
async fn rsa_and_ecdsa_keys_authenticate() {
    let Some(sshd) = Sshd::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in [
        ("rsa", ["-t", "rsa", "-b", "2048"]),
        ("ecdsa", ["-t", "ecdsa", "-b", "384"]),
    ] {
        let path = dir.path().join(name);
        let status = Command::new("ssh-keygen")
            .args(["-q", "-N", ""])
            .args(args)
            .arg("-f")
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success());
        let key = KeyPair::parse(&std::fs::read_to_string(&path).unwrap(), None).unwrap();
        sshd.authorize(&key.public_openssh());
        let (conn, _) = connect(&sshd.target(), &key, None, TIMEOUT)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}\n{}", sshd.log()));
        let ran = run(&conn, &format!("echo {name}")).await;
        assert_eq!(ran.stdout, format!("{name}\n"));
        conn.close().await;
    }
    // OpenSSH 9 refuses SHA-1 `ssh-rsa`; it accepted ours, so it was SHA-2.
    let log = sshd.log();
    assert!(
        log.contains("Accepted publickey") && log.contains(" RSA SHA256:"),
        "{log}"
    );
}

/// Reads terminal events until the screen shows `needle`.
async fn read_until(term: &mut ssh::Terminal, needle: &str) -> String {
    let mut screen = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !screen.contains(needle) {
        let event = tokio::time::timeout_at(deadline.into(), term.next())
            .await
            .unwrap_or_else(|_| panic!("no {needle:?} on the screen: {screen:?}"));
        match event {
            Some(TerminalEvent::Data(b)) => screen.push_str(&String::from_utf8_lossy(&b)),
            other => panic!("{other:?} before {needle:?}: {screen:?}"),
        }
    }
    screen
}

#[tokio::test]
async fn terminal_runs_a_shell() {
    let Some((_sshd, conn)) = connected().await else {
        return;
    };
    let mut term = conn.terminal("xterm-256color", 80, 24).await.unwrap();
    // `h""i` keeps the echoed command line from matching the output.
    term.write(b"echo h\"\"i-there\n").await.unwrap();
    read_until(&mut term, "hi-there").await;

    term.write(b"stty size\n").await.unwrap();
    read_until(&mut term, "24 80").await;
    term.resize(120, 40).await.unwrap();
    term.write(b"stty size\n").await.unwrap();
    read_until(&mut term, "40 120").await;

    term.write(b"exit\n").await.unwrap();
    let mut ending = Vec::new();
    while let Some(event) = tokio::time::timeout(TIMEOUT, term.next()).await.unwrap() {
        if !matches!(event, TerminalEvent::Data(_)) {
            ending.push(event);
        }
    }
    assert_eq!(ending, [TerminalEvent::Exit(0), TerminalEvent::Closed]);
    term.close().await;
}

#[tokio::test]
async fn terminal_halves_work_concurrently() {
    let Some((_sshd, conn)) = connected().await else {
        return;
    };
    let term = conn.terminal("xterm", 80, 24).await.unwrap();
    let (writer, mut reader) = term.split();
    let typist = writer.clone();
    let typing = tokio::spawn(async move {
        for i in 0..3 {
            typist
                .write(format!("echo l\"\"ine-{i}\n").as_bytes())
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let mut screen = String::new();
    while !screen.contains("line-2") {
        match tokio::time::timeout(TIMEOUT, reader.next()).await.unwrap() {
            Some(TerminalEvent::Data(b)) => screen.push_str(&String::from_utf8_lossy(&b)),
            other => panic!("{other:?}: {screen:?}"),
        }
    }
    typing.await.unwrap();
    // Closing from the writer ends the reader.
    writer.close().await;
    let mut last = None;
    while let Some(event) = tokio::time::timeout(TIMEOUT, reader.next()).await.unwrap() {
        last = Some(event);
    }
    assert_eq!(last, Some(TerminalEvent::Closed));
}
