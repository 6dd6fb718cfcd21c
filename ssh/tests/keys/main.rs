//! Key parsing against keys made by ssh-keygen, and the errors operators get.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::Command;

use ssh::{KeyAlgorithm, KeyError, KeyPair};

mod bad_inputs;
mod formats;

/// Whether ssh-keygen runs here; when not, a missing peer (see testkit: the
/// test fails under `OVERCAST_REQUIRE_PEERS`, else skips).
fn have_keygen() -> bool {
    let found = Command::new("ssh-keygen").arg("-?").output().is_ok();
    if !found {
        testkit::peer_missing("ssh-keygen", "apt-get install openssh-client");
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
