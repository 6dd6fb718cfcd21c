//! Connections to machines: host-key checking, key authentication, running
//! commands with streamed output, and interactive terminals.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::client::{self, Handle, Msg};
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, PublicKey, PublicKeyOrCertificate};
use russh::{ChannelMsg, ChannelReadHalf, ChannelWriteHalf, Disconnect, Sig};
use tokio::net::TcpStream;

use crate::key::{KeyError, KeyPair};

/// Where to connect, and as whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub user: String,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "{}@[{}]:{}", self.user, self.host, self.port)
        } else {
            write!(f, "{}@{}:{}", self.user, self.host, self.port)
        }
    }
}

/// The host key the server presented, OpenSSH public form
/// (`ssh-ed25519 AAAA...`) and its SHA256 fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostKey {
    pub openssh: String,
    pub fingerprint: String,
}

impl HostKey {
    /// Reads a public key line (`ssh-ed25519 AAAA... [comment]`), e.g. a
    /// host key an operator pins by hand or a `/etc/ssh/ssh_host_*.pub`.
    pub fn parse(openssh: &str) -> Result<HostKey, KeyError> {
        let line = openssh.trim();
        if line.is_empty() {
            return Err(KeyError::Empty);
        }
        if line.starts_with("-----BEGIN") && line.contains("PRIVATE KEY") {
            return Err(KeyError::Malformed(
                "this is a private key; a host key is a public key line (ssh-ed25519 AAAA...)"
                    .into(),
            ));
        }
        PublicKey::from_openssh(line)
            .map(|key| HostKey::from_public(&key))
            .map_err(|e| KeyError::Malformed(format!("not a public key line: {e}")))
    }

    fn from_public(key: &PublicKey) -> HostKey {
        let bare = PublicKey::new(key.key_data().clone(), "");
        HostKey {
            openssh: bare.to_openssh().unwrap_or_default(),
            fingerprint: bare.fingerprint(HashAlg::Sha256).to_string(),
        }
    }

    /// The same key: compares type and key data (a comment or spacing does
    /// not count); falls back to the fingerprint when no key text is known.
    fn matches(&self, other: &HostKey) -> bool {
        fn fields(s: &str) -> Vec<&str> {
            s.split_whitespace().take(2).collect()
        }
        if self.openssh.trim().is_empty() || other.openssh.trim().is_empty() {
            return !self.fingerprint.is_empty() && self.fingerprint == other.fingerprint;
        }
        fields(&self.openssh) == fields(&other.openssh)
    }
}

/// Why a connection or an operation on it failed. The messages are meant
/// for the operator.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Connection refused, no route, DNS failure: "cannot reach HOST:PORT: reason".
    #[error("{0}")]
    Unreachable(String),
    /// Connect, handshake and authentication together took longer than allowed.
    #[error("the machine did not complete the SSH connection in time")]
    Timeout,
    #[error("the machine refused key authentication for user {user}")]
    AuthRefused { user: String },
    #[error(
        "the machine's host key has changed: expected {}, it presented {}; refusing to connect",
        expected.fingerprint, presented.fingerprint
    )]
    HostKeyChanged {
        expected: HostKey,
        presented: HostKey,
    },
    #[error("{0}")]
    Channel(String),
    #[error("SSH protocol error: {0}")]
    Protocol(String),
}

impl ConnectError {
    fn from_russh(e: russh::Error) -> ConnectError {
        use russh::Error as E;
        match e {
            E::ChannelOpenFailure(reason) => ConnectError::Channel(format!(
                "the machine refused to open a session ({reason:?})"
            )),
            E::SendError | E::RecvError | E::Disconnect | E::HUP => {
                ConnectError::Channel("the connection to the machine is closed".into())
            }
            E::Version => ConnectError::Protocol(
                "the machine did not answer with an SSH greeting (is this an SSH port?)".into(),
            ),
            E::NoCommonAlgo { kind, .. } => {
                ConnectError::Protocol(format!("no {kind:?} algorithm in common with the machine"))
            }
            E::IO(io) => ConnectError::Protocol(format!(
                "the connection failed during the handshake: {}",
                io_reason(&io)
            )),
            E::KeepaliveTimeout | E::InactivityTimeout | E::ConnectionTimeout => {
                ConnectError::Channel("the machine stopped answering".into())
            }
            other => ConnectError::Protocol(other.to_string()),
        }
    }
}

/// "connection refused", without the "(os error 111)".
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The russh handler: checks (or records) the host key.
struct Checker {
    pinned: Option<HostKey>,
    presented: Arc<Mutex<Option<HostKey>>>,
}

impl client::Handler for Checker {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let presented = match server_key {
            PublicKeyOrCertificate::PublicKey { key, .. } => HostKey::from_public(key),
            PublicKeyOrCertificate::Certificate(cert) => {
                HostKey::from_public(&PublicKey::new(cert.public_key().clone(), ""))
            }
        };
        let accept = self
            .pinned
            .as_ref()
            .is_none_or(|pinned| pinned.matches(&presented));
        if let Ok(mut slot) = self.presented.lock() {
            *slot = Some(presented);
        }
        Ok(accept)
    }
}

/// Connects, checks the host key (if `pinned` is Some the presented key must
/// equal it, else [`ConnectError::HostKeyChanged`]; if None the key is
/// trusted on first use and returned), and authenticates with `key` (RSA
/// signs with rsa-sha2-512/256), all within `timeout`.
pub async fn connect(
    target: &Target,
    key: &KeyPair,
    pinned: Option<&HostKey>,
    timeout: Duration,
) -> Result<(Connection, HostKey), ConnectError> {
    let started = std::time::Instant::now();
    let result = tokio::time::timeout(timeout, connect_inner(target, key, pinned)).await;
    let result = result.unwrap_or(Err(ConnectError::Timeout));
    match &result {
        Ok((_, host_key)) => tracing::debug!(
            machine = %target, host_key = %host_key.fingerprint,
            elapsed_ms = started.elapsed().as_millis() as u64, "ssh connected"
        ),
        Err(e) => tracing::debug!(machine = %target, error = %e, "ssh connect failed"),
    }
    result
}

async fn connect_inner(
    target: &Target,
    key: &KeyPair,
    pinned: Option<&HostKey>,
) -> Result<(Connection, HostKey), ConnectError> {
    let host = target.host.trim_start_matches('[').trim_end_matches(']');
    let shown = if host.contains(':') {
        format!("[{host}]:{}", target.port)
    } else {
        format!("{host}:{}", target.port)
    };
    let stream = TcpStream::connect((host, target.port)).await.map_err(|e| {
        ConnectError::Unreachable(format!("cannot reach {shown}: {}", io_reason(&e)))
    })?;
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "set_nodelay failed");
    }

    let config = Arc::new(client::Config {
        keepalive_interval: Some(Duration::from_secs(30)),
        keepalive_max: 3,
        nodelay: true,
        ..Default::default()
    });
    let presented = Arc::new(Mutex::new(None));
    let checker = Checker {
        pinned: pinned.cloned(),
        presented: Arc::clone(&presented),
    };
    let handshake = client::connect_stream(config, stream, checker).await;
    let presented = presented.lock().ok().and_then(|mut slot| slot.take());
    let mut handle = match handshake {
        Ok(handle) => handle,
        Err(e) => {
            if let (Some(presented), Some(expected)) = (&presented, pinned) {
                if !expected.matches(presented) {
                    return Err(ConnectError::HostKeyChanged {
                        expected: expected.clone(),
                        presented: presented.clone(),
                    });
                }
            }
            return Err(ConnectError::from_russh(e));
        }
    };
    // The handshake only completes after `check_server_key` accepted a key.
    let Some(host_key) = presented else {
        return Err(ConnectError::Protocol(
            "the machine presented no host key".into(),
        ));
    };

    authenticate(&mut handle, &target.user, key).await?;
    Ok((
        Connection {
            handle: Arc::new(handle),
        },
        host_key,
    ))
}

async fn authenticate(
    handle: &mut Handle<Checker>,
    user: &str,
    key: &KeyPair,
) -> Result<(), ConnectError> {
    let refused = || ConnectError::AuthRefused {
        user: user.to_owned(),
    };
    if !key.is_rsa() {
        let with_hash = PrivateKeyWithHashAlg::new(key.private_key(), None);
        let result = handle
            .authenticate_publickey(user, with_hash)
            .await
            .map_err(ConnectError::from_russh)?;
        return if result.success() {
            Ok(())
        } else {
            Err(refused())
        };
    }
    // RSA: sign with SHA-2 (OpenSSH refuses SHA-1 `ssh-rsa` signatures).
    // Only a server that did not advertise rsa-sha2 gets a SHA-1 retry.
    let advertised = handle
        .best_supported_rsa_hash()
        .await
        .map_err(ConnectError::from_russh)?;
    let first = match advertised {
        Some(Some(hash)) => hash,
        _ => HashAlg::Sha256,
    };
    let result = handle
        .authenticate_publickey(
            user,
            PrivateKeyWithHashAlg::new(key.private_key(), Some(first)),
        )
        .await
        .map_err(ConnectError::from_russh)?;
    if result.success() {
        return Ok(());
    }
    if !matches!(advertised, Some(Some(_))) {
        let result = handle
            .authenticate_publickey(user, PrivateKeyWithHashAlg::new(key.private_key(), None))
            .await
            .map_err(ConnectError::from_russh)?;
        if result.success() {
            return Ok(());
        }
    }
    Err(refused())
}

/// An authenticated SSH connection. Cheap to clone; every clone drives the
/// same connection, which ends when the last clone (and every channel) is
/// dropped or [`Connection::close`] is called.
#[derive(Clone)]
pub struct Connection {
    handle: Arc<Handle<Checker>>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("closed", &self.handle.is_closed())
            .finish()
    }
}

impl Connection {
    /// Runs one command (through the login shell, with stdin at its end);
    /// output arrives as it is produced.
    ///
    /// Read the [`Execution`] promptly: a reader that falls far behind holds
    /// up every channel of this connection (russh's flow control).
    pub async fn exec(&self, command: &str) -> Result<Execution, ConnectError> {
        let channel = self
            .handle
            .channel_open_session()
            .await
            .map_err(ConnectError::from_russh)?;
        channel
            .exec(true, PidProbe::wrap(command))
            .await
            .map_err(ConnectError::from_russh)?;
        let (mut read, write) = channel.split();
        let early = match await_reply(&mut read, 1, "run the command").await {
            Ok(early) => early,
            Err(e) => {
                let _ = write.close().await;
                return Err(e);
            }
        };
        // Nothing will be typed: a command that reads stdin sees its end
        // instead of waiting forever.
        write.eof().await.map_err(ConnectError::from_russh)?;
        Ok(Execution {
            conn: Arc::clone(&self.handle),
            pid: PidProbe::Waiting(Vec::new()),
            read: Some(read),
            write: Some(write),
            early,
            exit: None,
            finished: false,
        })
    }

    /// Opens an interactive shell on a PTY of `cols` x `rows`.
    pub async fn terminal(
        &self,
        term: &str,
        cols: u32,
        rows: u32,
    ) -> Result<Terminal, ConnectError> {
        let channel = self
            .handle
            .channel_open_session()
            .await
            .map_err(ConnectError::from_russh)?;
        channel
            .request_pty(true, term, cols, rows, 0, 0, &[])
            .await
            .map_err(ConnectError::from_russh)?;
        channel
            .request_shell(true)
            .await
            .map_err(ConnectError::from_russh)?;
        let (mut read, write) = channel.split();
        let early = match await_reply(&mut read, 2, "open a terminal").await {
            Ok(early) => early,
            Err(e) => {
                let _ = write.close().await;
                return Err(e);
            }
        };
        let (closed, closed_rx) = tokio::sync::watch::channel(false);
        let writer = TerminalWriter {
            write: Arc::new(write),
            closed: Arc::new(closed),
        };
        Ok(Terminal {
            reader: TerminalReader {
                read: Some(read),
                writer: writer.clone(),
                closed: closed_rx,
                early,
                exit: None,
                state: ReaderState::Open,
            },
            writer,
        })
    }

    /// Says goodbye to the server; channels still open end with it.
    pub async fn close(&self) {
        if let Err(e) = self
            .handle
            .disconnect(Disconnect::ByApplication, "", "en")
            .await
        {
            tracing::debug!(error = %e, "ssh disconnect");
        }
    }

    /// Whether the connection has ended (closed, or the machine went away).
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }
}

/// Waits for the server's answers to `count` channel requests sent with
/// want_reply; keeps whatever else arrived meanwhile.
async fn await_reply(
    read: &mut ChannelReadHalf,
    mut count: usize,
    what: &str,
) -> Result<VecDeque<ChannelMsg>, ConnectError> {
    let mut early = VecDeque::new();
    while count > 0 {
        match read.wait().await {
            Some(ChannelMsg::Success) => count -= 1,
            Some(ChannelMsg::Failure) => {
                return Err(ConnectError::Channel(format!(
                    "the machine refused to {what}"
                )));
            }
            Some(ChannelMsg::Close) | None => {
                return Err(ConnectError::Channel(format!(
                    "the machine closed the session instead of agreeing to {what}"
                )));
            }
            Some(other) => early.push_back(other),
        }
    }
    Ok(early)
}

/// The exit code of a process killed by a signal, as a shell reports it.
fn signal_exit(signal: &Sig) -> i32 {
    let number = match signal {
        Sig::HUP => 1,
        Sig::INT => 2,
        Sig::QUIT => 3,
        Sig::ILL => 4,
        Sig::ABRT => 6,
        Sig::FPE => 8,
        Sig::KILL => 9,
        Sig::USR1 => 10,
        Sig::SEGV => 11,
        Sig::PIPE => 13,
        Sig::ALRM => 14,
        Sig::TERM => 15,
        Sig::Custom(name) => match name.as_str() {
            "BUS" => 7,
            "USR2" => 12,
            "STKFLT" => 16,
            "CHLD" => 17,
            "CONT" => 18,
            "STOP" => 19,
            "TSTP" => 20,
            "TTIN" => 21,
            "TTOU" => 22,
            "URG" => 23,
            "XCPU" => 24,
            "XFSZ" => 25,
            "VTALRM" => 26,
            "PROF" => 27,
            "WINCH" => 28,
            "IO" => 29,
            "PWR" => 30,
            "SYS" => 31,
            _ => 0,
        },
    };
    128 + number
}

fn exit_code(status: u32) -> i32 {
    i32::try_from(status).unwrap_or(i32::MAX)
}

/// One piece of a running command's life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    /// The exit status; a process killed by signal N reports 128 + N.
    Exit(i32),
}

/// A command running on the machine.
pub struct Execution {
    conn: Arc<Handle<Checker>>,
    read: Option<ChannelReadHalf>,
    write: Option<ChannelWriteHalf<Msg>>,
    early: VecDeque<ChannelMsg>,
    pid: PidProbe,
    exit: Option<i32>,
    finished: bool,
}

impl fmt::Debug for Execution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Execution")
            .field("pid", &self.pid.pid())
            .field("exit", &self.exit)
            .field("finished", &self.finished)
            .finish()
    }
}

/// The command runs as `echo $$; COMMAND`: the first stdout line is the
/// PID of the user's shell, which sshd made a session (and process group)
/// leader. `cancel` kills that group over a second channel, because sshd
/// refuses "signal" requests in sessions without privilege separation,
/// which includes every root login before OpenSSH 9.8.
#[derive(Debug)]
enum PidProbe {
    /// Stdout so far, still without a newline.
    Waiting(Vec<u8>),
    Known(u32),
    /// The first line was not a PID (an unusual login shell): pass it on.
    Unknown,
}

impl PidProbe {
    fn wrap(command: &str) -> String {
        format!("echo $$; {command}")
    }

    fn pid(&self) -> Option<u32> {
        match self {
            PidProbe::Known(pid) => Some(*pid),
            _ => None,
        }
    }

    /// Takes stdout bytes; returns those that belong to the command.
    fn feed(&mut self, data: &[u8]) -> Vec<u8> {
        let PidProbe::Waiting(buf) = self else {
            return data.to_vec();
        };
        buf.extend_from_slice(data);
        let Some(newline) = buf.iter().position(|b| *b == b'\n') else {
            if buf.len() > 24 {
                let all = std::mem::take(buf);
                *self = PidProbe::Unknown;
                return all;
            }
            return Vec::new();
        };
        let pid = std::str::from_utf8(&buf[..newline])
            .ok()
            .and_then(|line| line.trim().parse::<u32>().ok())
            .filter(|pid| *pid > 1);
        match pid {
            Some(pid) => {
                let rest = buf[newline + 1..].to_vec();
                *self = PidProbe::Known(pid);
                rest
            }
            None => {
                let all = std::mem::take(buf);
                *self = PidProbe::Unknown;
                all
            }
        }
    }

    /// The channel ended: whatever was held back is the command's.
    fn flush(&mut self) -> Vec<u8> {
        match std::mem::replace(self, PidProbe::Unknown) {
            PidProbe::Waiting(buf) => buf,
            other => {
                *self = other;
                Vec::new()
            }
        }
    }
}

impl Execution {
    /// The next piece of output, then `Exit` (the last item, when the server
    /// reported a status), then `None` once the channel is closed.
    pub async fn next(&mut self) -> Option<Output> {
        loop {
            if self.finished {
                return None;
            }
            let msg = match self.early.pop_front() {
                Some(msg) => Some(msg),
                None => match self.read.as_mut() {
                    Some(read) => read.wait().await,
                    None => None,
                },
            };
            match msg {
                Some(ChannelMsg::Data { data }) => {
                    let data = self.pid.feed(&data);
                    if !data.is_empty() {
                        return Some(Output::Stdout(data));
                    }
                }
                Some(ChannelMsg::ExtendedData { data, ext: 1 }) => {
                    return Some(Output::Stderr(data.to_vec()));
                }
                Some(ChannelMsg::ExitStatus { exit_status }) => {
                    self.exit = Some(exit_code(exit_status));
                }
                Some(ChannelMsg::ExitSignal { signal_name, .. }) => {
                    self.exit = Some(signal_exit(&signal_name));
                }
                Some(ChannelMsg::Close) | None => {
                    let held = self.pid.flush();
                    if !held.is_empty() {
                        self.early.push_back(ChannelMsg::Close);
                        return Some(Output::Stdout(held));
                    }
                    self.finished = true;
                    return self.exit.map(Output::Exit);
                }
                Some(_) => {}
            }
        }
    }

    /// Stops the command: SIGTERM to its process group, SIGKILL if it is
    /// still running a second later, then closes the channel. Returns once
    /// the channel is closed (at most a few seconds if the machine stays
    /// silent). Unread output is discarded; `next` then gives `None`.
    pub async fn cancel(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        if let (Some(read), Some(write)) = (self.read.take(), self.write.take()) {
            let early = std::mem::take(&mut self.early);
            let pid = std::mem::replace(&mut self.pid, PidProbe::Unknown);
            let exit = shut_down(&self.conn, early, read, write, pid).await;
            self.exit = exit.or(self.exit);
        }
    }
}

impl Drop for Execution {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        // Dropped mid-run: stop the remote command rather than leave it.
        if let (Some(read), Some(write), Ok(runtime)) = (
            self.read.take(),
            self.write.take(),
            tokio::runtime::Handle::try_current(),
        ) {
            let conn = Arc::clone(&self.conn);
            let early = std::mem::take(&mut self.early);
            let pid = std::mem::replace(&mut self.pid, PidProbe::Unknown);
            runtime.spawn(async move {
                shut_down(&conn, early, read, write, pid).await;
            });
        }
    }
}

/// TERM, KILL, close; returns the exit code seen on the way, if any.
async fn shut_down(
    conn: &Handle<Checker>,
    early: VecDeque<ChannelMsg>,
    mut read: ChannelReadHalf,
    write: ChannelWriteHalf<Msg>,
    mut pid: PidProbe,
) -> Option<i32> {
    let mut exit = None;
    let mut watch = Watch {
        exit: &mut exit,
        pid: &mut pid,
    };
    for msg in early {
        if watch.see(msg) {
            return exit;
        }
    }
    // The PID line comes first; a command cancelled right away may not have
    // printed it yet.
    if matches!(watch.pid, PidProbe::Waiting(_))
        && watch
            .until(&mut read, Duration::from_secs(1), |w| {
                !matches!(w.pid, PidProbe::Waiting(_))
            })
            .await
    {
        return exit;
    }
    for (signal, name) in [(Sig::TERM, "TERM"), (Sig::KILL, "KILL")] {
        // sshd honours this where it can (privilege-separated sessions).
        if write.signal(signal).await.is_err() {
            return exit;
        }
        if let Some(pid) = watch.pid.pid() {
            kill_group(conn, name, pid).await;
        }
        if watch
            .until(&mut read, Duration::from_secs(1), |_| false)
            .await
        {
            return exit;
        }
    }
    // russh forgets a channel as soon as we send our close (the server's
    // answering close never reaches the reader), so there is nothing to
    // wait for after this.
    let _ = write.close().await;
    exit
}

/// Runs `kill -SIGNAL -PID` on a channel of its own; waits for it (briefly).
async fn kill_group(conn: &Handle<Checker>, signal: &str, pid: u32) {
    let Ok(channel) = conn.channel_open_session().await else {
        return;
    };
    // dash's kill knows no `--`; `-SIGNAL -PGID` works in every sh.
    let command = format!("kill -{signal} -{pid} 2>/dev/null");
    if channel.exec(false, command).await.is_err() {
        return;
    }
    let (mut read, _write) = channel.split();
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while read.wait().await.is_some() {}
    })
    .await;
}

/// Discards output while watching for the PID line, the exit status and
/// the end of the channel.
struct Watch<'a> {
    exit: &'a mut Option<i32>,
    pid: &'a mut PidProbe,
}

impl Watch<'_> {
    /// True if the channel is over.
    fn see(&mut self, msg: ChannelMsg) -> bool {
        match msg {
            ChannelMsg::Data { data } => {
                self.pid.feed(&data);
            }
            ChannelMsg::ExitStatus { exit_status } => *self.exit = Some(exit_code(exit_status)),
            ChannelMsg::ExitSignal { signal_name, .. } => {
                *self.exit = Some(signal_exit(&signal_name));
            }
            ChannelMsg::Close => return true,
            _ => {}
        }
        false
    }

    /// Reads until the channel ends (true), `done` holds or `wait` passes.
    async fn until(
        &mut self,
        read: &mut ChannelReadHalf,
        wait: Duration,
        done: impl Fn(&Self) -> bool,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        while !done(self) {
            match tokio::time::timeout_at(deadline, read.wait()).await {
                Err(_) => return false,
                Ok(None) => return true,
                Ok(Some(msg)) => {
                    if self.see(msg) {
                        return true;
                    }
                }
            }
        }
        false
    }
}

/// What an interactive terminal produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TerminalEvent {
    /// Bytes for the screen (a PTY merges stdout and stderr).
    Data(Vec<u8>),
    /// The shell exited with this status (given just before `Closed`).
    Exit(i32),
    /// The session is over; `next` gives `None` from now on.
    Closed,
}

/// An interactive shell on a PTY. [`Terminal::split`] gives halves that a
/// websocket loop can drive concurrently.
#[derive(Debug)]
pub struct Terminal {
    reader: TerminalReader,
    writer: TerminalWriter,
}

impl Terminal {
    /// Sends keystrokes (or pasted text).
    pub async fn write(&self, data: &[u8]) -> Result<(), ConnectError> {
        self.writer.write(data).await
    }

    /// Tells the shell the window is now `cols` x `rows`.
    pub async fn resize(&self, cols: u32, rows: u32) -> Result<(), ConnectError> {
        self.writer.resize(cols, rows).await
    }

    pub async fn next(&mut self) -> Option<TerminalEvent> {
        self.reader.next().await
    }

    /// Closes the session.
    pub async fn close(&mut self) {
        self.reader.close().await;
    }

    /// Separates reading from writing; the writer is `Clone`. Dropping the
    /// reader closes the session.
    pub fn split(self) -> (TerminalWriter, TerminalReader) {
        (self.writer, self.reader)
    }
}

/// The sending half of a [`Terminal`].
#[derive(Clone)]
pub struct TerminalWriter {
    write: Arc<ChannelWriteHalf<Msg>>,
    /// Set when we close: russh never tells the reader about a close we
    /// sent, so the writer does.
    closed: Arc<tokio::sync::watch::Sender<bool>>,
}

impl fmt::Debug for TerminalWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TerminalWriter").finish_non_exhaustive()
    }
}

impl TerminalWriter {
    pub async fn write(&self, data: &[u8]) -> Result<(), ConnectError> {
        self.write
            .data(data)
            .await
            .map_err(ConnectError::from_russh)
    }

    pub async fn resize(&self, cols: u32, rows: u32) -> Result<(), ConnectError> {
        self.write
            .window_change(cols, rows, 0, 0)
            .await
            .map_err(ConnectError::from_russh)
    }

    /// Closes the session; the reader then gives `Closed`.
    pub async fn close(&self) {
        if !self.closed.send_replace(true) {
            let _ = self.write.close().await;
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ReaderState {
    Open,
    /// The channel closed; `Exit` (if known) and `Closed` are still to come.
    Closing,
    Done,
}

/// The receiving half of a [`Terminal`]. Dropping it closes the session.
pub struct TerminalReader {
    read: Option<ChannelReadHalf>,
    writer: TerminalWriter,
    closed: tokio::sync::watch::Receiver<bool>,
    early: VecDeque<ChannelMsg>,
    exit: Option<i32>,
    state: ReaderState,
}

impl fmt::Debug for TerminalReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TerminalReader")
            .field("exit", &self.exit)
            .field("state", &self.state)
            .finish()
    }
}

impl TerminalReader {
    /// Screen output as it comes, then `Exit` (when the shell reported a
    /// status), then `Closed`, then `None`.
    pub async fn next(&mut self) -> Option<TerminalEvent> {
        loop {
            match self.state {
                ReaderState::Done => return None,
                ReaderState::Closing => {
                    if let Some(code) = self.exit.take() {
                        return Some(TerminalEvent::Exit(code));
                    }
                    self.state = ReaderState::Done;
                    return Some(TerminalEvent::Closed);
                }
                ReaderState::Open => {}
            }
            let msg = match (self.early.pop_front(), self.read.as_mut()) {
                (Some(msg), _) => Some(msg),
                (None, Some(read)) => {
                    let closed = &mut self.closed;
                    tokio::select! {
                        biased;
                        msg = read.wait() => msg,
                        _ = closed.wait_for(|closed| *closed) => None,
                    }
                }
                (None, None) => None,
            };
            match msg {
                Some(ChannelMsg::Data { data } | ChannelMsg::ExtendedData { data, .. }) => {
                    return Some(TerminalEvent::Data(data.to_vec()));
                }
                Some(ChannelMsg::ExitStatus { exit_status }) => {
                    self.exit = Some(exit_code(exit_status));
                }
                Some(ChannelMsg::ExitSignal { signal_name, .. }) => {
                    self.exit = Some(signal_exit(&signal_name));
                }
                Some(ChannelMsg::Close) | None => self.state = ReaderState::Closing,
                Some(_) => {}
            }
        }
    }

    /// Closes the session. `next` then gives `None`.
    pub async fn close(&mut self) {
        if self.state == ReaderState::Done {
            return;
        }
        self.state = ReaderState::Done;
        self.early.clear();
        self.read = None;
        self.writer.close().await;
    }
}

impl Drop for TerminalReader {
    fn drop(&mut self) {
        if self.state != ReaderState::Open || self.read.is_none() {
            return;
        }
        let writer = self.writer.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { writer.close().await });
        }
    }
}
