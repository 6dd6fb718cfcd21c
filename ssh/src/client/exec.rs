//! One command: its output as it comes, its exit, and stopping it.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use russh::client::{Handle, Msg};
use russh::{ChannelMsg, ChannelReadHalf, ChannelWriteHalf, Sig};

use super::*;

/// The exit code of a process killed by a signal, as a shell reports it.
pub(super) fn signal_exit(signal: &Sig) -> i32 {
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

pub(super) fn exit_code(status: u32) -> i32 {
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
    pub(super) conn: Arc<Handle<Checker>>,
    pub(super) read: Option<ChannelReadHalf>,
    pub(super) write: Option<ChannelWriteHalf<Msg>>,
    pub(super) early: VecDeque<ChannelMsg>,
    pub(super) pid: PidProbe,
    pub(super) exit: Option<i32>,
    pub(super) finished: bool,
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
pub(super) enum PidProbe {
    /// Stdout so far, still without a newline.
    Waiting(Vec<u8>),
    Known(u32),
    /// The first line was not a PID (an unusual login shell): pass it on.
    Unknown,
}

impl PidProbe {
    pub(super) fn wrap(command: &str) -> String {
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
pub(super) async fn shut_down(
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
pub(super) async fn kill_group(conn: &Handle<Checker>, signal: &str, pid: u32) {
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
pub(super) struct Watch<'a> {
    pub(super) exit: &'a mut Option<i32>,
    pub(super) pid: &'a mut PidProbe,
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
