//! Debian's nginx in front of the instances, configured from the template
//! the documentation shows (`docs/nginx-overcast.conf`), run by the test in
//! a directory of its own.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use super::process::free_port;

/// The template, as docs/scaling.md shows it.
pub const TEMPLATE: &str = include_str!("../../../../docs/nginx-overcast.conf");

/// The instance addresses and the listen address in the template.
const TEMPLATE_UPSTREAMS: [&str; 3] = ["127.0.0.1:3001", "127.0.0.1:3002", "127.0.0.1:3003"];
const TEMPLATE_LISTEN: &str = "127.0.0.1:8080";

/// Where nginx is, or `None` (a missing peer, said through testkit).
pub fn binary() -> Option<PathBuf> {
    for path in ["/usr/sbin/nginx", "/usr/bin/nginx"] {
        if Path::new(path).exists() {
            return Some(PathBuf::from(path));
        }
    }
    testkit::peer_missing("nginx", "apt-get install nginx");
    None
}

/// The template with the instances' ports (one, two or three) and the
/// port nginx listens on.
pub fn site_config(ports: &[u16], listen: u16) -> String {
    assert!((1..=3).contains(&ports.len()));
    let mut lines = Vec::new();
    for line in TEMPLATE.lines() {
        let mut line = line.to_owned();
        if let Some(i) = TEMPLATE_UPSTREAMS.iter().position(|u| line.contains(u)) {
            let Some(port) = ports.get(i) else { continue };
            line = line.replace(TEMPLATE_UPSTREAMS[i], &format!("127.0.0.1:{port}"));
        }
        lines.push(line.replace(TEMPLATE_LISTEN, &format!("127.0.0.1:{listen}")));
    }
    lines.join("\n") + "\n"
}

/// A running nginx.
pub struct Nginx {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl Nginx {
    /// Runs `nginx` (found by [`binary`]) with a configuration of its own in
    /// `dir`: in the foreground, logs, pid and temporary files in `dir`.
    pub async fn start(nginx: &Path, dir: &Path, port: u16, instances: &[u16]) -> Nginx {
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        std::fs::write(dir.join("overcast.conf"), site_config(instances, port)).unwrap();
        let d = dir.display();
        let main = format!(
            "daemon off;\nworker_processes 2;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 2048; }}\n\
             http {{\n    log_format cluster '$upstream_addr $status \"$request\"';\n\
             access_log {d}/access.log cluster;\n\
             client_body_temp_path {d}/tmp/body;\n    proxy_temp_path {d}/tmp/proxy;\n\
             fastcgi_temp_path {d}/tmp/fastcgi;\n    uwsgi_temp_path {d}/tmp/uwsgi;\n\
             scgi_temp_path {d}/tmp/scgi;\n    include {d}/overcast.conf;\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), main).unwrap();
        let child = Command::new(nginx)
            .arg("-p")
            .arg(dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut me = Nginx {
            port,
            dir: dir.to_owned(),
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if let Some(status) = me.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("nginx exited ({status}): {}", me.error_log());
            }
            assert!(
                Instant::now() < deadline,
                "nginx not listening: {}",
                me.error_log()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        me
    }

    /// A free port for nginx to listen on (the instances' public URL names
    /// it before nginx starts).
    pub fn pick_port() -> u16 {
        free_port()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }

    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }

    /// For each request to a path starting with `path` in the access log,
    /// the instances nginx tried, in order (more than one: a retry).
    pub fn upstreams_of(&self, path: &str) -> Vec<Vec<String>> {
        let needle = format!(" {path}");
        self.access_log()
            .lines()
            .filter(|l| l.contains(&needle))
            .map(|l| {
                let tried = l.split(" \"").next().unwrap_or("");
                let tried = tried.rsplit_once(' ').map_or(tried, |(t, _)| t);
                tried.split(", ").map(str::to_owned).collect()
            })
            .collect()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGTERM: the master ends its workers too (SIGKILL would leave
            // them listening); SIGQUIT would wait for open streams.
            super::process::signal("-TERM", child.id());
            let deadline = Instant::now() + Duration::from_secs(5);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
