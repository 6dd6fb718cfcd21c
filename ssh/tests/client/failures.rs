//! Connecting: unreachable and foreign servers, refused and accepted keys.

use super::*;

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
