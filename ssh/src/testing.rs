//! A throwaway OpenSSH server for tests: its own config, host key and
//! authorized_keys in a temporary directory, on a free loopback port. It
//! never touches port 22 or the system configuration.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::{HostKey, Target};

const SSHD: &str = "/usr/sbin/sshd";

/// A running sshd, killed on drop. Tests log in as the current OS user.
pub struct Sshd {
    pub port: u16,
    /// The current OS user (`id -un`, else `$USER`).
    pub user: String,
    dir: tempfile::TempDir,
    child: Child,
}

impl std::fmt::Debug for Sshd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sshd")
            .field("port", &self.port)
            .field("user", &self.user)
            .field("dir", &self.dir.path())
            .finish()
    }
}

impl Sshd {
    /// Starts sshd. When this machine cannot run one (no `/usr/sbin/sshd`,
    /// or no privilege separation directory) it is a missing peer
    /// ([`testkit::peer_missing`]): a panic under `OVERCAST_REQUIRE_PEERS`
    /// (`make test`), else `None` after a `SKIPPED:` line (the caller
    /// skips). Any other failure panics with sshd's log.
    pub fn start() -> Option<Sshd> {
        if !Path::new(SSHD).exists() {
            testkit::peer_missing(&format!("sshd ({SSHD})"), "apt-get install openssh-server");
            return None;
        }
        let dir = match tempfile::Builder::new().prefix("overcast-sshd-").tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("sshd harness: cannot make a temporary directory: {e}"),
        };
        let host_key = dir.path().join("host_ed25519");
        let keygen = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "", "-f"])
            .arg(&host_key)
            .stdin(Stdio::null())
            .output();
        match keygen {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "sshd harness: ssh-keygen failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => panic!("sshd harness: cannot run ssh-keygen: {e}"),
        }
        // Sessions get these as $HOME and $TMPDIR (sshd's SetEnv): what a
        // test appends to ~/.ssh/authorized_keys or leaves in the
        // temporary directory stays here.
        let made = fs::create_dir_all(dir.path().join("home"))
            .and_then(|()| fs::create_dir_all(dir.path().join("tmp")));
        if let Err(e) = made {
            panic!("sshd harness: cannot make the session home: {e}");
        }
        if let Err(e) = File::create(dir.path().join("authorized_keys")) {
            panic!("sshd harness: cannot create authorized_keys: {e}");
        }
        // sshd insists on its privilege separation directory; making it
        // needs root, and is harmless when it already exists.
        let _ = fs::create_dir_all("/run/sshd");

        let user = current_user();
        let log_path = dir.path().join("sshd.log");
        let mut last_log = String::new();
        for _ in 0..5 {
            let port = free_port();
            let config = dir.path().join("sshd_config");
            if let Err(e) = fs::write(&config, config_text(dir.path(), port)) {
                panic!("sshd harness: cannot write sshd_config: {e}");
            }
            let log = match File::create(&log_path) {
                Ok(log) => log,
                Err(e) => panic!("sshd harness: cannot create the log: {e}"),
            };
            let child = Command::new(SSHD)
                .arg("-D")
                .arg("-e")
                .arg("-f")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn();
            let mut child = match child {
                Ok(child) => child,
                Err(e) => panic!("sshd harness: cannot start {SSHD}: {e}"),
            };
            if wait_listening(&mut child, port) {
                return Some(Sshd {
                    port,
                    user,
                    dir,
                    child,
                });
            }
            let _ = child.kill();
            let _ = child.wait();
            last_log = fs::read_to_string(&log_path).unwrap_or_default();
            if last_log.contains("privilege separation directory") {
                eprintln!("sshd's log: {}", last_log.trim());
                testkit::peer_missing(
                    "sshd's privilege separation directory (/run/sshd)",
                    "sudo mkdir -p /run/sshd",
                );
                return None;
            }
            // Most likely someone took the port in between; try another.
        }
        panic!("sshd harness: sshd did not start; its log:\n{last_log}");
    }

    /// The sessions' `$HOME` (a key deployed to `~/.ssh/authorized_keys`
    /// lands under it, and sshd accepts it from there).
    pub fn home(&self) -> std::path::PathBuf {
        self.dir.path().join("home")
    }

    /// The sessions' `$TMPDIR`.
    pub fn tmp(&self) -> std::path::PathBuf {
        self.dir.path().join("tmp")
    }

    /// Appends a line to authorized_keys (`ssh-ed25519 AAAA...`).
    pub fn authorize(&self, public_openssh: &str) {
        let path = self.dir.path().join("authorized_keys");
        let appended = OpenOptions::new()
            .append(true)
            .open(&path)
            .and_then(|mut f| writeln!(f, "{}", public_openssh.trim()));
        if let Err(e) = appended {
            panic!("sshd harness: cannot write {}: {e}", path.display());
        }
    }

    /// The server's host key, from its `.pub` file.
    pub fn host_key(&self) -> HostKey {
        let path = self.dir.path().join("host_ed25519.pub");
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => panic!("sshd harness: cannot read {}: {e}", path.display()),
        };
        match HostKey::parse(&text) {
            Ok(key) => key,
            Err(e) => panic!("sshd harness: bad host key file: {e}"),
        }
    }

    pub fn target(&self) -> Target {
        Target {
            host: "127.0.0.1".into(),
            port: self.port,
            user: self.user.clone(),
        }
    }

    /// The server's directory (config, keys, log).
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// What sshd has logged so far (it runs with `-e`, LogLevel VERBOSE).
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config_text(dir: &Path, port: u16) -> String {
    let dir = dir.display();
    format!(
        "ListenAddress 127.0.0.1\n\
         Port {port}\n\
         HostKey {dir}/host_ed25519\n\
         PidFile {dir}/sshd.pid\n\
         AuthorizedKeysFile {dir}/authorized_keys {dir}/home/.ssh/authorized_keys\n\
         SetEnv HOME={dir}/home TMPDIR={dir}/tmp\n\
         PubkeyAuthentication yes\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         PermitRootLogin prohibit-password\n\
         UsePAM no\n\
         StrictModes no\n\
         UseDNS no\n\
         MaxStartups 100\n\
         MaxSessions 100\n\
         LogLevel VERBOSE\n\
         Subsystem sftp internal-sftp\n"
    )
}

fn free_port() -> u16 {
    match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()) {
        Ok(addr) => addr.port(),
        Err(e) => panic!("sshd harness: cannot find a free port: {e}"),
    }
}

/// True once the port accepts; false if sshd exits or 10 s pass.
fn wait_listening(child: &mut Child, port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            // Still ours? (If sshd could not bind, someone else answered.)
            std::thread::sleep(Duration::from_millis(20));
            return matches!(child.try_wait(), Ok(None));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn current_user() -> String {
    let from_id = Command::new("id")
        .arg("-un")
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .filter(|name| !name.is_empty());
    from_id
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "root".into())
}

impl Sshd {
    /// Gives the server a new host key (as a reinstalled machine would
    /// have) and makes it re-read its configuration (SIGHUP re-executes
    /// sshd); returns once it accepts connections again.
    pub fn replace_host_key(&mut self) {
        let key = self.dir.path().join("host_ed25519");
        let _ = fs::remove_file(&key);
        let _ = fs::remove_file(key.with_extension("pub"));
        let made = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "", "-f"])
            .arg(&key)
            .stdin(Stdio::null())
            .output();
        if !matches!(&made, Ok(out) if out.status.success()) {
            panic!("sshd harness: ssh-keygen failed: {made:?}");
        }
        let hup = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status();
        if !matches!(hup, Ok(s) if s.success()) {
            panic!("sshd harness: cannot signal sshd: {hup:?}");
        }
        // sshd re-executes itself; wait until it listens again.
        std::thread::sleep(Duration::from_millis(300));
        if !wait_listening(&mut self.child, self.port) {
            panic!(
                "sshd harness: sshd did not come back; its log:\n{}",
                self.log()
            );
        }
    }
}
