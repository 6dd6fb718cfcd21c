//! The test harness: a real server on a loopback port with a fresh SQLite
//! database, and an HTTP client with a cookie jar.

use std::{net::SocketAddr, sync::Arc};

use reqwest::{cookie::CookieStore, header, redirect::Policy, Client, Response};
use server::{config::Settings, Running};

mod logs;
use logs::capture_logs;
pub use logs::logged;

/// Servers run on one runtime shared by every test, which outlives them all;
/// each test's client runs on the test's own runtime. A server task never
/// lands on the runtime of a test that has already finished.
fn server_runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("server runtime")
    })
}

pub const MASTER_EMAIL: &str = "master@example.com";
pub const MASTER_PASSWORD: &str = "correct horse battery staple";

/// One server at a time in this process. Leptos's server-side rendering
/// keeps process-wide state, and with two servers of one process rendering
/// at once a page's resource can stall for good (seen in about 1 run in 40
/// of this suite; 2,000 concurrent renders on one server never stalled).
/// Production runs one server per process, so only the harness needs this.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub struct TestApp {
    turn: Option<std::sync::MutexGuard<'static, ()>>,
    pub addr: SocketAddr,
    pub client: Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    settings: Settings,
    running: Option<Running>,
    _dir: Arc<tempfile::TempDir>,
}

impl TestApp {
    /// A server on a fresh, empty database.
    pub async fn new() -> Self {
        Self::with_settings(|_| {}).await
    }

    /// Like [`TestApp::new`], with settings adjusted first.
    pub async fn with_settings(adjust: impl FnOnce(&mut Settings)) -> Self {
        let turn = ONE_AT_A_TIME
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        capture_logs();
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        let bind: SocketAddr = "127.0.0.1:0".parse().expect("addr");
        let mut settings = Settings::for_data_dir(dir.path().join("data"), bind);
        adjust(&mut settings);
        Self::start(
            Some(turn),
            settings,
            dir,
            Arc::new(reqwest::cookie::Jar::default()),
        )
        .await
    }

    /// A server whose master account exists (not signed in).
    pub async fn with_master() -> Self {
        let app = Self::new().await;
        let services = &app.running.as_ref().expect("running").state.services;
        service::accounts::create_master(services, MASTER_EMAIL, MASTER_PASSWORD, "test")
            .await
            .expect("create master");
        app
    }

    /// A server with the master signed in.
    pub async fn signed_in() -> Self {
        Self::signed_in_with(|_| {}).await
    }

    /// [`TestApp::signed_in`] with settings adjusted first.
    pub async fn signed_in_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let app = Self::with_settings(adjust).await;
        let services = &app.running.as_ref().expect("running").state.services;
        service::accounts::create_master(services, MASTER_EMAIL, MASTER_PASSWORD, "test")
            .await
            .expect("create master");
        let res = app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await;
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "{}",
            res.status()
        );
        app
    }

    async fn start(
        turn: Option<std::sync::MutexGuard<'static, ()>>,
        mut settings: Settings,
        dir: Arc<tempfile::TempDir>,
        jar: Arc<reqwest::cookie::Jar>,
    ) -> Self {
        let running = server_runtime()
            .spawn(server::start(settings.clone()))
            .await
            .expect("start task")
            .expect("server starts");
        settings.bind = running.addr;
        let client = Client::builder()
            .redirect(Policy::none())
            .timeout(std::time::Duration::from_secs(15))
            .cookie_provider(jar.clone())
            .build()
            .expect("client");
        Self {
            turn,
            addr: running.addr,
            client,
            jar,
            settings,
            running: Some(running),
            _dir: dir,
        }
    }

    /// Stops the server and starts a new process-equivalent on the same
    /// database and port, keeping the client's cookies.
    pub async fn restart(self) -> Self {
        self.restart_reporting().await.0
    }

    /// [`TestApp::restart`], also saying how the stop went (with the
    /// settings' `shutdown_grace`).
    pub async fn restart_reporting(mut self) -> (Self, server::startup::Stopped) {
        let running = self.running.take().expect("running");
        let stopped = server_runtime()
            .spawn(running.stop())
            .await
            .expect("stop task");
        let settings = self.settings.clone();
        let dir = self._dir.clone();
        let jar = self.jar.clone();
        // Hand the turn over: dropping `self` must not let another test in.
        let turn = self.turn.take();
        drop(self);
        (Self::start(turn, settings, dir, jar).await, stopped)
    }

    /// A second client without cookies, against the same server.
    pub fn anonymous_client(&self) -> Client {
        Client::builder()
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    /// The server's data directory (database, secret key).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.settings.data_dir.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn services(&self) -> &service::Services {
        &self.running.as_ref().expect("running").state.services
    }

    /// The value of a cookie in the jar.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let url = self.url("/").parse().expect("url");
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split(';').find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    }

    pub fn csrf(&self) -> String {
        self.cookie("csrftoken").expect("csrftoken cookie set")
    }

    /// Calls a server function with a form body, as the hydrated page does.
    pub async fn server_fn(
        &self,
        name: &str,
        form: &[(&str, &str)],
        csrf: Option<&str>,
    ) -> Response {
        let mut req = self
            .client
            .post(self.url(&format!("/api/{name}")))
            .form(form);
        if let Some(token) = csrf {
            req = req.header("X-CSRFToken", token);
        }
        req.send().await.expect("request")
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.server_fn("sign_in", &[("email", email), ("password", password)], None)
            .await
    }

    /// A REST call with the cookie session (and its CSRF header) and a JSON body.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Response {
        let mut req = self
            .client
            .request(method, self.url(path))
            .header(header::ACCEPT, "application/json");
        if let Some(token) = self.cookie("csrftoken") {
            req = req.header("X-CSRFToken", token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("request")
    }

    /// A REST call with the cookie session (and its CSRF header) and a body
    /// sent as it is, of `content_type`.
    pub async fn api_text(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> Response {
        let mut req = self
            .client
            .request(method, self.url(path))
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, content_type)
            .body(body.to_owned());
        if let Some(token) = self.cookie("csrftoken") {
            req = req.header("X-CSRFToken", token);
        }
        req.send().await.expect("request")
    }

    /// A request with API credentials in `Authorization` (no cookies) and an
    /// optional JSON body.
    pub async fn as_caller(
        &self,
        method: reqwest::Method,
        path: &str,
        authorization: &str,
        body: Option<serde_json::Value>,
    ) -> Response {
        let mut req = self
            .anonymous_client()
            .request(method, self.url(path))
            .header(header::AUTHORIZATION, authorization);
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.expect("request")
    }

    /// A fresh client with its own cookie jar.
    pub fn client_with_cookies() -> Client {
        Client::builder()
            .redirect(Policy::none())
            .cookie_store(true)
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .expect("client")
    }

    /// Signs `email` in on a client of its own (its own cookie jar): the
    /// client, and the sign-in's answer.
    pub async fn session_of(&self, email: &str, password: &str) -> (Client, Response) {
        let client = Self::client_with_cookies();
        let res = client
            .post(self.url("/api/sign_in"))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("request");
        (client, res)
    }

    /// Signs in from a fresh client (no cookies), returning the response.
    pub async fn sign_in_fresh(&self, email: &str, password: &str) -> Response {
        self.anonymous_client()
            .post(self.url("/api/sign_in"))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("request")
    }

    /// GET as a browser navigating to a page.
    pub async fn get_page(&self, path: &str) -> Response {
        self.get_accepting(path, "text/html,application/xhtml+xml")
            .await
    }

    pub async fn get_json(&self, path: &str) -> Response {
        self.get_accepting(path, "application/json").await
    }

    /// GET with the session's cookies, accepting `accept`.
    async fn get_accepting(&self, path: &str, accept: &str) -> Response {
        self.client
            .get(self.url(path))
            .header(header::ACCEPT, accept)
            .send()
            .await
            .expect("request")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            server_runtime().spawn(running.stop());
        }
    }
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The HTML `client` gets at `url` (a whole URL, as [`TestApp::url`] makes
/// it) when asking for `text/html`, whatever the status.
pub async fn get_html(client: &Client, url: &str) -> String {
    client
        .get(url)
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body")
}

/// `Authorization: Basic` for an email and password.
pub fn basic(email: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{email}:{password}"))
    )
}
