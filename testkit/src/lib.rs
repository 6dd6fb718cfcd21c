//! What every test crate shares about test peers (sshd, moto, mimic, Prism,
//! PostgreSQL, openssl, ssh-keygen, ...): the one decision of what a test
//! does when a peer it needs is missing.
//!
//! - Under `OVERCAST_REQUIRE_PEERS=1` (set by `make test`, so by CI) the
//!   test fails: [`peer_missing`] panics with the command that installs it.
//! - Otherwise (a plain `cargo test` on a developer's machine) the test may
//!   skip: [`peer_missing`] prints `SKIPPED: <test>: ...` on stderr, appends
//!   that line to the file named by `OVERCAST_SKIP_LOG` when it is set (so
//!   a runner can count the skips), and returns; the caller then returns
//!   without testing.
//!
//! ```no_run
//! fn sshd() -> Option<u16> {
//!     if !std::path::Path::new("/usr/sbin/sshd").exists() {
//!         testkit::peer_missing("sshd", "apt-get install openssh-server");
//!         return None;
//!     }
//!     Some(22)
//! }
//! ```
//!
//! No dependencies, so any crate can take it as a dev-dependency.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::Path;

/// Set (to anything but empty or `0`): a missing peer fails the test.
pub const REQUIRE_PEERS: &str = "OVERCAST_REQUIRE_PEERS";

/// A file each skip appends one line to.
pub const SKIP_LOG: &str = "OVERCAST_SKIP_LOG";

/// True when a missing peer must fail the test (`OVERCAST_REQUIRE_PEERS`).
pub fn peers_required() -> bool {
    std::env::var_os(REQUIRE_PEERS).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Says that `what`, a peer this test needs, is missing; `install` is the
/// command that installs it.
///
/// Panics (the test fails) when [`peers_required`]. Otherwise prints
/// `SKIPPED: <test>: <what> is missing; install it with: <install>` on
/// stderr (past libtest's capture, so it shows), appends that line to `OVERCAST_SKIP_LOG` when set, and returns:
/// the caller then skips (returns without testing).
#[track_caller]
pub fn peer_missing(what: &str, install: &str) {
    if peers_required() {
        panic!("{}", failure(what, install));
    }
    let line = skip_line(&current_test(), what, install);
    // Straight to stderr: libtest captures `eprintln!` and shows it only
    // for failed tests, and a skip must show.
    let _ = writeln!(std::io::stderr(), "{line}");
    if let Some(log) = std::env::var_os(SKIP_LOG) {
        if let Err(e) = append(Path::new(&log), &line) {
            panic!(
                "cannot record a skip in {} ({SKIP_LOG}): {e}",
                Path::new(&log).display()
            );
        }
    }
}

/// The message a test fails with when a required peer is missing.
pub fn failure(what: &str, install: &str) -> String {
    format!(
        "{what} is missing; install it with: {install} \
         ({REQUIRE_PEERS} is set: a missing peer fails instead of skipping)"
    )
}

/// One line (whatever `what` holds) saying which test skipped and why.
pub fn skip_line(test: &str, what: &str, install: &str) -> String {
    let line = format!("SKIPPED: {test}: {what} is missing; install it with: {install}");
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Appends `line` and a newline to `log` in one write (`O_APPEND`), so
/// tests in parallel threads and processes do not mix their lines.
pub fn append(log: &Path, line: &str) -> std::io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(log)?;
    file.write_all(format!("{line}\n").as_bytes())
}

/// The running test's name: libtest names each test's thread after it
/// (an async test's body runs on that thread too).
fn current_test() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" && !name.starts_with("tokio-runtime") => name.to_owned(),
        _ => "a test".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skip_is_one_line_naming_the_test_the_peer_and_its_install() {
        let line = skip_line(
            "client::exec::cancel",
            "a runnable sshd (fatal:\n  no privilege separation directory)",
            "sudo mkdir -p /run/sshd",
        );
        assert_eq!(
            line,
            "SKIPPED: client::exec::cancel: a runnable sshd (fatal: no privilege \
             separation directory) is missing; install it with: sudo mkdir -p /run/sshd"
        );
    }

    #[test]
    fn the_failure_names_the_peer_and_its_install() {
        let text = failure("moto", "source scripts/peers.sh && ensure_moto");
        assert!(text.starts_with(
            "moto is missing; install it with: source scripts/peers.sh && ensure_moto"
        ));
        assert!(text.contains(REQUIRE_PEERS));
    }

    #[test]
    fn skips_append_one_line_each() {
        let log = std::env::temp_dir().join(format!("testkit-skips-{}", std::process::id()));
        let _ = std::fs::remove_file(&log);
        append(&log, "SKIPPED: a: x").unwrap();
        append(&log, "SKIPPED: b: y").unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        let _ = std::fs::remove_file(&log);
        assert_eq!(text, "SKIPPED: a: x\nSKIPPED: b: y\n");
    }

    #[test]
    fn the_test_is_named_after_its_thread() {
        assert_eq!(current_test(), "tests::the_test_is_named_after_its_thread");
    }
}

/// Mobingi's own ALM v3 examples, verbatim (their `cred` is the access key
/// id `AKIAJ...DZLA` in `ap-northeast-1`): the domain's and the API's
/// tests both start from them.
pub mod alm_seeds {
    /// The apply example (template version label #1).
    pub const SEED_1: &str = include_str!("../data/alm/seed-1.json");
    /// The update example (template version label #2).
    pub const SEED_2: &str = include_str!("../data/alm/seed-2.json");
    /// The `body` of the compare example 2: a trailing comma after
    /// `"keypair": true`.
    pub const COMPARE_EXAMPLE_2_BODY: &str =
        include_str!("../data/alm/compare-example-2-body.json");
}
