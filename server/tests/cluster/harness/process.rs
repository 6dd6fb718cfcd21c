//! One `overcast serve` process: started with its own data directory and
//! port, asked for its instance id, stopped by SIGKILL or SIGTERM.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A free loopback port (bound, then let go).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How an instance is started.
#[derive(Clone)]
pub struct Launch {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub public_url: String,
    /// `--provider-timeout`, seconds (a poll's lease is this plus 10 s).
    pub provider_timeout: u64,
    /// `--shutdown-grace`, seconds.
    pub shutdown_grace: u64,
    /// `--page-cache-ms`.
    pub page_cache_ms: u64,
}

/// A running `overcast serve`.
pub struct Instance {
    pub port: u16,
    pub data_dir: PathBuf,
    child: Option<Child>,
    /// Its id (`overcast_instance_info`), once read.
    pub id: String,
}

impl Instance {
    /// Starts the process; it logs to `<data dir>/../<port>.log`.
    pub fn spawn(launch: &Launch) -> Instance {
        let port = free_port();
        std::fs::create_dir_all(&launch.data_dir).unwrap();
        let log_path = log_file(&launch.data_dir, port);
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_overcast"))
            .arg("serve")
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(&launch.data_dir)
            .args(["--public-url", &launch.public_url])
            .args(["--provider-timeout", &launch.provider_timeout.to_string()])
            .args(["--shutdown-grace", &launch.shutdown_grace.to_string()])
            .args(["--page-cache-ms", &launch.page_cache_ms.to_string()])
            .args(["--log-level", "warn"])
            // nginx runs on this host: its forwarding headers name the client.
            .args(["--trusted-proxy", "127.0.0.1"])
            .env("DATABASE_URL", &launch.database_url)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        Instance {
            port,
            data_dir: launch.data_dir.clone(),
            child: Some(child),
            id: String::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// What it wrote to its log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(log_file(&self.data_dir, self.port)).unwrap_or_default()
    }

    /// Waits until `/healthz` answers (then reads the instance id), or the
    /// process ends: `Err` with its log.
    pub async fn ready(&mut self, within: Duration) -> Result<(), String> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().unwrap()) {
                return Err(format!("exited ({status}): {}", self.log()));
            }
            if let Ok(res) = client.get(self.url("/healthz")).send().await {
                if res.status().is_success() {
                    break;
                }
            }
            if Instant::now() > deadline {
                return Err(format!("not ready in {within:?}: {}", self.log()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let metrics = client
            .get(self.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        self.id = metrics
            .lines()
            .find_map(|l| l.strip_prefix("overcast_instance_info{instance=\""))
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no instance id in /metrics: {metrics}"))
            .to_owned();
        Ok(())
    }

    /// Waits up to `within` for the process to end by itself; its status.
    pub async fn exited_within(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.as_mut()?.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().unwrap().is_none())
    }

    /// SIGKILL: gone at once, nothing released.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM: a graceful shutdown; waits for the process to end.
    pub async fn terminate(&mut self) -> Duration {
        let started = Instant::now();
        if let Some(child) = self.child.as_ref() {
            assert!(signal("-TERM", child.id()), "kill -TERM");
        }
        let status = self.exited_within(Duration::from_secs(60)).await;
        assert!(status.is_some(), "SIGTERM did not stop it: {}", self.log());
        self.child = None;
        started.elapsed()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

fn log_file(data_dir: &Path, port: u16) -> PathBuf {
    data_dir
        .parent()
        .unwrap_or(data_dir)
        .join(format!("overcast-{port}.log"))
}

/// Sends a signal by `kill(1)`, so the tests need no libc bindings;
/// whether it was sent.
pub fn signal(which: &str, pid: u32) -> bool {
    Command::new("kill")
        .args([which, &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success())
}

/// `overcast admin create-master` on the database.
pub fn create_master(launch: &Launch, email: &str, password: &str) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_overcast"))
        .args([
            "admin",
            "create-master",
            "--email",
            email,
            "--password-stdin",
        ])
        .arg("--data-dir")
        .arg(&launch.data_dir)
        .env("DATABASE_URL", &launch.database_url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "create-master: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
