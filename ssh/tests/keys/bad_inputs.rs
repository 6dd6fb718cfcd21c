//! Bad input, each with its own error.

use super::*;

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
    // DSA keys as ssh-keygen wrote them (OpenSSH 9.2, 1024 bits, no
    // passphrase; throwaway keys kept in fixtures/): newer ssh-keygens
    // cannot make DSA keys any more, and operators may still paste them.
    for (name, text) in [
        ("DSA (OpenSSH)", include_str!("fixtures/dsa_openssh")),
        ("DSA (PEM)", include_str!("fixtures/dsa_pem")),
        ("DSA (PKCS#8)", include_str!("fixtures/dsa_pkcs8")),
    ] {
        unsupported(name, text, "DSA");
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
