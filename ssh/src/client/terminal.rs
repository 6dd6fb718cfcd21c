//! An interactive terminal on a PTY.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

use russh::client::Msg;
use russh::{ChannelMsg, ChannelReadHalf, ChannelWriteHalf};

use super::exec::{exit_code, signal_exit};
use super::*;

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
    pub(super) reader: TerminalReader,
    pub(super) writer: TerminalWriter,
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
    pub(super) write: Arc<ChannelWriteHalf<Msg>>,
    /// Set when we close: russh never tells the reader about a close we
    /// sent, so the writer does.
    pub(super) closed: Arc<tokio::sync::watch::Sender<bool>>,
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
pub(super) enum ReaderState {
    Open,
    /// The channel closed; `Exit` (if known) and `Closed` are still to come.
    Closing,
    Done,
}

/// The receiving half of a [`Terminal`]. Dropping it closes the session.
pub struct TerminalReader {
    pub(super) read: Option<ChannelReadHalf>,
    pub(super) writer: TerminalWriter,
    pub(super) closed: tokio::sync::watch::Receiver<bool>,
    pub(super) early: VecDeque<ChannelMsg>,
    pub(super) exit: Option<i32>,
    pub(super) state: ReaderState,
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
