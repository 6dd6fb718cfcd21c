//! Connections to machines: host-key checking, key authentication, running
//! commands with streamed output, and interactive terminals.

mod connect;
mod exec;
mod terminal;

pub use connect::connect;
pub use exec::{Execution, Output};
pub use terminal::{Terminal, TerminalEvent, TerminalReader, TerminalWriter};

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use russh::client::Handle;
use russh::keys::{HashAlg, PublicKey};
use russh::{ChannelMsg, ChannelReadHalf, Disconnect};

use crate::key::KeyError;
use connect::Checker;
use exec::PidProbe;
use terminal::ReaderState;

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
