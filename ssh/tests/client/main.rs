//! The client against a real sshd (`Sshd::start`: without one, skipped under
//! a plain `cargo test`, failed under `OVERCAST_REQUIRE_PEERS`, see testkit).

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::process::Command;
use std::time::{Duration, Instant};

use ssh::testing::Sshd;
use ssh::{
    connect, ConnectError, Connection, HostKey, KeyAlgorithm, KeyPair, Output, Target,
    TerminalEvent,
};

mod exec;
mod failures;
mod host_keys;
mod terminal;

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
