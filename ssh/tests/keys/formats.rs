//! Every format ssh-keygen writes parses; generated keys round-trip.

use super::*;

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
fn generated_keys_round_trip_and_ssh_keygen_reads_them() {
    let keygen = have_keygen();
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

        if keygen {
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
