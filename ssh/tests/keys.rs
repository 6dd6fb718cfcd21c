//! Key parsing against keys made by ssh-keygen, and the errors operators get.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::Command;

use ssh::{KeyAlgorithm, KeyError, KeyPair};

fn have_keygen() -> bool {
    let found = Command::new("ssh-keygen").arg("-?").output().is_ok();
    if !found {
        eprintln!("skipping: ssh-keygen not found; apt-get install openssh-client");
    }
    found
}

/// Runs ssh-keygen into `dir/name`; returns the private key file's path.
fn keygen(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-C", "test@example"])
        .args(args)
        .arg("-f")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ssh-keygen {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

/// `type base64` of the `.pub` file ssh-keygen wrote.
fn public_of(private: &Path) -> String {
    let text = std::fs::read_to_string(private.with_extension("pub")).unwrap();
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The SHA256 fingerprint ssh-keygen computes.
fn fingerprint_of(private: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(private.with_extension("pub"))
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned()
}

/// (file name, ssh-keygen arguments, passphrase, expected header, algorithm)
type Case<'a> = (&'a str, &'a [&'a str], Option<&'a str>, &'a str, &'a str);

#[test]
fn parses_every_format_ssh_keygen_writes() {
    if !have_keygen() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases: &[Case] = &[
        (
            "ed25519",
            &["-t", "ed25519", "-N", ""],
            None,
            "OPENSSH PRIVATE KEY",
            "ssh-ed25519",
        ),
        (
            "rsa",
            &["-t", "rsa", "-b", "2048", "-N", ""],
            None,
            "OPENSSH PRIVATE KEY",
            "ssh-rsa",
        ),
        (
            "rsa_pem",
            &["-t", "rsa", "-b", "2048", "-m", "PEM", "-N", ""],
            None,
            "RSA PRIVATE KEY",
            "ssh-rsa",
        ),
        (
            "rsa_pkcs8",
            &["-t", "rsa", "-b", "2048", "-m", "PKCS8", "-N", ""],
            None,
            "PRIVATE KEY",
            "ssh-rsa",
        ),
        (
            "ecdsa256",
            &["-t", "ecdsa", "-b", "256", "-N", ""],
            None,
            "OPENSSH PRIVATE KEY",
            "ecdsa-sha2-nistp256",
        ),
        (
            "ecdsa384",
            &["-t", "ecdsa", "-b", "384", "-N", ""],
            None,
            "OPENSSH PRIVATE KEY",
            "ecdsa-sha2-nistp384",
        ),
        (
            "ecdsa521",
            &["-t", "ecdsa", "-b", "521", "-N", ""],
            None,
            "OPENSSH PRIVATE KEY",
            "ecdsa-sha2-nistp521",
        ),
        (
            "ecdsa_pem",
            &["-t", "ecdsa", "-b", "256", "-m", "PEM", "-N", ""],
            None,
            "EC PRIVATE KEY",
            "ecdsa-sha2-nistp256",
        ),
        (
            "ecdsa384_pkcs8",
            &["-t", "ecdsa", "-b", "384", "-m", "PKCS8", "-N", ""],
            None,
            "PRIVATE KEY",
            "ecdsa-sha2-nistp384",
        ),
        (
            "ed25519_secret",
            &["-t", "ed25519", "-N", "secret"],
            Some("secret"),
            "OPENSSH PRIVATE KEY",
            "ssh-ed25519",
        ),
        (
            "rsa_secret",
            &["-t", "rsa", "-b", "2048", "-N", "secret"],
            Some("secret"),
            "OPENSSH PRIVATE KEY",
            "ssh-rsa",
        ),
        (
            "rsa_pem_secret",
            &["-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "secret"],
            Some("secret"),
            "RSA PRIVATE KEY",
            "ssh-rsa",
        ),
        (
            "ecdsa_pem_secret",
            &["-t", "ecdsa", "-b", "256", "-m", "PEM", "-N", "secret"],
            Some("secret"),
            "EC PRIVATE KEY",
            "ecdsa-sha2-nistp256",
        ),
        (
            "rsa_pkcs8_secret",
            &["-t", "rsa", "-b", "2048", "-m", "PKCS8", "-N", "secret"],
            Some("secret"),
            "ENCRYPTED PRIVATE KEY",
            "ssh-rsa",
        ),
    ];
    for (name, args, passphrase, header, algorithm) in cases {
        let path = keygen(dir.path(), name, args);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with(&format!("-----BEGIN {header}-----")),
            "{name}: ssh-keygen wrote {}",
            text.lines().next().unwrap_or_default()
        );
        let key = KeyPair::parse(&text, *passphrase).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.public_openssh(), public_of(&path), "{name}");
        assert_eq!(key.fingerprint(), fingerprint_of(&path), "{name}");
        assert_eq!(key.algorithm(), *algorithm, "{name}");

        // Pasted with Windows line endings and stray indentation.
        let pasted = format!("\n  {}\n", text.replace('\n', "\r\n  "));
        let again = KeyPair::parse(&pasted, *passphrase).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again.public_openssh(), key.public_openssh(), "{name}");

        // Pasted together with its public line (and a comment above).
        let both = format!("# my key\n{}\n{text}", public_of(&path));
        let again = KeyPair::parse(&both, *passphrase).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again.public_openssh(), key.public_openssh(), "{name}");

        // The canonical stored form is unencrypted OpenSSH and round-trips.
        let stored = key.private_openssh();
        assert!(
            stored.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"),
            "{name}"
        );
        let back = KeyPair::parse(&stored, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back.public_openssh(), key.public_openssh(), "{name}");
        assert_eq!(back.private_openssh(), stored, "{name}");
    }
}

#[test]
fn bad_inputs_get_their_own_errors() {
    if !have_keygen() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    let plain = keygen(dir.path(), "plain", &["-t", "ed25519", "-N", ""]);
    let secret = keygen(dir.path(), "secret", &["-t", "ed25519", "-N", "secret"]);
    let pem_secret = keygen(
        dir.path(),
        "pem",
        &["-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "secret"],
    );
    let pkcs8_secret = keygen(
        dir.path(),
        "p8",
        &["-t", "ecdsa", "-m", "PKCS8", "-N", "secret"],
    );

    let plain_text = read(&plain);
    let half = plain_text[..plain_text.len() / 2].to_owned();
    // The END line survives but lines of the body are gone.
    let lines: Vec<&str> = plain_text.lines().collect();
    let mut cut_body = vec![lines[0], lines[1]];
    cut_body.push(lines[lines.len() - 1]);
    let cut_body = cut_body.join("\n");
    // Whole lines lost, the rest still valid base64 (140 characters).
    let cut_lines = [lines[0], lines[1], lines[2], lines[lines.len() - 1]].join("\n");
    let rsa_pem = read(&keygen(
        dir.path(),
        "rsa_pem",
        &["-t", "rsa", "-b", "2048", "-m", "PEM", "-N", ""],
    ));
    let pem_lines: Vec<&str> = rsa_pem.lines().collect();
    let cut_pem = [
        pem_lines[0],
        pem_lines[1],
        pem_lines[2],
        pem_lines[pem_lines.len() - 1],
    ]
    .join("\n");
    let public_line = std::fs::read_to_string(plain.with_extension("pub")).unwrap();

    let ppk = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\nPublic-Lines: 2\nAAAA\nAAAA\n";
    let cases: Vec<(&str, String, Option<&str>, KeyError)> = vec![
        ("empty", String::new(), None, KeyError::Empty),
        ("whitespace", " \n\t\r\n ".into(), None, KeyError::Empty),
        (
            "garbage",
            "hello, this is my key".into(),
            None,
            KeyError::NotAKey,
        ),
        ("public key line", public_line, None, KeyError::PublicKey),
        (
            "PEM public key",
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n".into(),
            None,
            KeyError::PublicKey,
        ),
        ("truncated (half the file)", half, None, KeyError::Truncated),
        (
            "truncated (body lines lost)",
            cut_body,
            None,
            KeyError::Truncated,
        ),
        (
            "truncated (whole lines lost)",
            cut_lines,
            None,
            KeyError::Truncated,
        ),
        (
            "truncated PEM (whole lines lost)",
            cut_pem,
            None,
            KeyError::Truncated,
        ),
        (
            "no passphrase",
            read(&secret),
            None,
            KeyError::PassphraseNeeded,
        ),
        (
            "empty passphrase",
            read(&secret),
            Some(""),
            KeyError::PassphraseNeeded,
        ),
        (
            "wrong passphrase",
            read(&secret),
            Some("nope"),
            KeyError::WrongPassphrase,
        ),
        (
            "PEM, no passphrase",
            read(&pem_secret),
            None,
            KeyError::PassphraseNeeded,
        ),
        (
            "PEM, wrong passphrase",
            read(&pem_secret),
            Some("nope"),
            KeyError::WrongPassphrase,
        ),
        (
            "PKCS#8, no passphrase",
            read(&pkcs8_secret),
            None,
            KeyError::PassphraseNeeded,
        ),
        (
            "PKCS#8, wrong passphrase",
            read(&pkcs8_secret),
            Some("nope"),
            KeyError::WrongPassphrase,
        ),
    ];
    for (name, text, passphrase, expected) in cases {
        let got = KeyPair::parse(&text, passphrase).map(|k| k.fingerprint());
        assert_eq!(got, Err(expected), "{name}");
    }

    let unsupported = |name: &str, text: &str, mentions: &str| match KeyPair::parse(text, None) {
        Err(KeyError::Unsupported(why)) => {
            assert!(why.contains(mentions), "{name}: {why}");
        }
        other => panic!("{name}: {other:?}"),
    };
    unsupported("PuTTY", ppk, "PuTTY");
    unsupported(
        "PEM public key",
        "-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n",
        "DSA",
    );
    // ssh-keygen may have lost DSA; then there is nothing more to try.
    let dsa = dir.path().join("dsa");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "dsa", "-N", "", "-f"])
        .arg(&dsa)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if made {
        unsupported("DSA (OpenSSH)", &read(&dsa), "DSA");
        let pem = dir.path().join("dsa_pem");
        keygen(dir.path(), "dsa_pem", &["-t", "dsa", "-m", "PEM", "-N", ""]);
        unsupported("DSA (PEM)", &read(&pem), "DSA");
        let pkcs8 = keygen(
            dir.path(),
            "dsa_pkcs8",
            &["-t", "dsa", "-m", "PKCS8", "-N", ""],
        );
        unsupported("DSA (PKCS#8)", &read(&pkcs8), "DSA");
    } else {
        eprintln!("skipping the DSA rows: this ssh-keygen cannot make DSA keys");
    }

    // Messages are sentences an operator can act on.
    for e in [
        KeyError::Empty,
        KeyError::PublicKey,
        KeyError::NotAKey,
        KeyError::Truncated,
        KeyError::PassphraseNeeded,
        KeyError::WrongPassphrase,
    ] {
        let text = e.to_string();
        assert!(text.len() > 10 && !text.contains("Error"), "{text}");
    }
}

#[test]
fn generated_keys_round_trip_and_ssh_keygen_reads_them() {
    for alg in [KeyAlgorithm::Ed25519, KeyAlgorithm::Rsa4096] {
        let key = KeyPair::generate(alg).unwrap();
        let stored = key.private_openssh();
        let back = KeyPair::parse(&stored, None).unwrap();
        assert_eq!(back.public_openssh(), key.public_openssh());
        assert_eq!(back.fingerprint(), key.fingerprint());
        assert!(key.fingerprint().starts_with("SHA256:"));
        let expected_alg = match alg {
            KeyAlgorithm::Ed25519 => "ssh-ed25519",
            KeyAlgorithm::Rsa4096 => "ssh-rsa",
        };
        assert_eq!(key.algorithm(), expected_alg);
        assert!(key
            .public_openssh()
            .starts_with(&format!("{expected_alg} AAAA")));
        assert_eq!(key.public_openssh().split(' ').count(), 2, "no comment");
        let debug = format!("{key:?}");
        assert!(
            !debug.contains("PRIVATE") && debug.contains("SHA256:"),
            "{debug}"
        );

        if have_keygen() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("k");
            std::fs::write(&path, &stored).unwrap();
            let mut perms = std::fs::metadata(&path).unwrap().permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
            std::fs::set_permissions(&path, perms).unwrap();
            let out = Command::new("ssh-keygen")
                .arg("-y")
                .arg("-f")
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let derived = String::from_utf8(out.stdout).unwrap();
            assert_eq!(
                derived
                    .split_whitespace()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" "),
                key.public_openssh()
            );
            if alg == KeyAlgorithm::Rsa4096 {
                let out = Command::new("ssh-keygen")
                    .arg("-l")
                    .arg("-f")
                    .arg(&path)
                    .output()
                    .unwrap();
                assert!(String::from_utf8_lossy(&out.stdout).starts_with("4096 "));
            }
        }
    }
}
