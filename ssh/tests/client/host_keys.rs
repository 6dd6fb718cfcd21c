//! Host keys: trusted on first use, then pinned; a changed one refused.

use super::*;

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
