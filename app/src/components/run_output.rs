//! A run's output as a page shows it: built from [`ShellEvent`]s (a command
//! streamed live, a script followed, a run read back), keeping the latest
//! output only, so megabytes of it never freeze the page.

use domain::shell::ShellEvent;
use leptos::prelude::*;
use server_fn::codec::TextStream;

use crate::{api::machines::take_events, error::AppError};

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunEnd {
    Exit { code: i32, duration_ms: u64 },
    Cancelled { duration_ms: u64 },
    Stopped,
    Failed(String),
}

/// How much output the page keeps: the latest this many bytes (a command
/// printing megabytes must not freeze the page).
const KEEP_BYTES: usize = 256 * 1024;
/// Consecutive output of one stream is joined into pieces of up to this size.
const PIECE_BYTES: usize = 8 * 1024;

/// A run as the page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunView {
    command: String,
    connected: Option<String>,
    /// Output in arrival order: (sequence number, from stderr?, text).
    output: std::collections::VecDeque<(u64, bool, String)>,
    next_piece: u64,
    kept: usize,
    /// Bytes of earlier output no longer shown.
    dropped: usize,
    pub end: Option<RunEnd>,
    /// Why it has not started yet (a script waiting for its machine).
    waiting: Option<String>,
}

impl RunView {
    pub fn started(command: String) -> Self {
        Self {
            command,
            ..Self::default()
        }
    }

    pub fn apply(&mut self, event: ShellEvent) {
        match event {
            ShellEvent::Waiting { message } => self.waiting = Some(message),
            ShellEvent::Connected { user, key, host } => {
                self.waiting = None;
                self.connected = Some(format!("as {user} on {host} with key {key}"));
            }
            ShellEvent::Stdout { data } => self.push(false, data),
            ShellEvent::Stderr { data } => self.push(true, data),
            ShellEvent::Exit { code, duration_ms } => {
                self.end = Some(RunEnd::Exit { code, duration_ms });
            }
            ShellEvent::Cancelled { duration_ms } => {
                self.end = Some(RunEnd::Cancelled { duration_ms });
            }
            ShellEvent::Error { message } => self.end = Some(RunEnd::Failed(message)),
        }
    }

    fn push(&mut self, stderr: bool, data: String) {
        self.kept += data.len();
        match self.output.back_mut() {
            Some(last) if last.1 == stderr && last.2.len() < PIECE_BYTES => last.2.push_str(&data),
            _ => {
                self.output.push_back((self.next_piece, stderr, data));
                self.next_piece += 1;
            }
        }
        while self.kept > KEEP_BYTES && self.output.len() > 1 {
            if let Some((_, _, text)) = self.output.pop_front() {
                self.kept -= text.len();
                self.dropped += text.len();
            }
        }
    }

    /// A run as far as `events` go (it may still be under way).
    pub fn from_events_open(command: String, events: Vec<ShellEvent>) -> Self {
        let mut view = Self::started(command);
        for event in events {
            view.apply(event);
        }
        view
    }

    /// A run read back whole: `events` must end it.
    pub fn from_events(command: String, events: Vec<ShellEvent>) -> Self {
        let mut view = Self::from_events_open(command, events);
        view.end_if_open(RunEnd::Failed(
            "the run ended without an exit status".into(),
        ));
        view
    }

    pub fn end_if_open(&mut self, end: RunEnd) {
        if self.end.is_none() {
            self.end = Some(end);
        }
    }
}

/// How reading a run's streamed answer ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEnd {
    /// The answer ended.
    Closed,
    /// The connection failed, saying why.
    Broken(String),
    /// Nobody shows the run any more (the page moved on).
    Gone,
}

/// Reads the answer of a streaming server function that sends a run as
/// JSON lines (`machines/run`, `scripts/follow`): every event, as it
/// arrives, is applied to the run through `update`, which says whether
/// anyone still shows it (false: reading stops).
pub async fn read_run_stream(
    stream: TextStream<AppError>,
    update: impl Fn(&mut dyn FnMut(&mut RunView)) -> bool,
) -> StreamEnd {
    use futures::StreamExt;
    let mut stream = stream.into_inner();
    let mut pending = String::new();
    while let Some(chunk) = stream.next().await {
        let text = match chunk {
            Ok(text) => text,
            Err(e) => return StreamEnd::Broken(e.to_string()),
        };
        let events = take_events(&mut pending, &text);
        if events.is_empty() {
            continue;
        }
        let mut events = events.into_iter();
        if !update(&mut |run| events.by_ref().for_each(|event| run.apply(event))) {
            return StreamEnd::Gone;
        }
    }
    StreamEnd::Closed
}

/// A run's header, output and ending.
#[component]
pub fn RunOutput(
    run: Signal<RunView>,
    /// Put before the elements' test ids (two runs on one page).
    #[prop(default = "")]
    testid: &'static str,
) -> impl IntoView {
    let pieces = move || run.with(|r| r.output.iter().cloned().collect::<Vec<_>>());
    let dropped = move || {
        run.with(|r| {
            (r.dropped > 0).then(|| {
                format!(
                    "… {} KiB of earlier output not shown (the page keeps the last {} KiB)\n",
                    r.dropped / 1024,
                    KEEP_BYTES / 1024
                )
            })
        })
    };
    let status = move || {
        run.with(|r| match &r.end {
            None => match &r.waiting {
                Some(why) => ("running", format!("{why}…")),
                None => ("running", "running…".to_owned()),
            },
            Some(RunEnd::Exit { code, duration_ms }) => (
                if *code == 0 { "ok" } else { "failed" },
                format!("exit {code} in {duration_ms} ms"),
            ),
            Some(RunEnd::Cancelled { duration_ms }) => {
                ("failed", format!("stopped after {duration_ms} ms"))
            }
            Some(RunEnd::Stopped) => ("failed", "stopped".to_owned()),
            Some(RunEnd::Failed(message)) => ("failed", message.clone()),
        })
    };
    view! {
        <div class="run-output" data-testid=format!("{testid}run")>
            <p class="muted">
                <code>{move || run.with(|r| r.command.clone())}</code>
                " "
                {move || run.with(|r| r.connected.clone())}
            </p>
            <pre class="output" data-testid=format!("{testid}output") aria-live="polite">{move || dropped().map(|d| view! { <span class="muted">{d}</span> })}<For
                each=pieces
                // A piece that grew is a new key, so its text is redrawn.
                key=|(seq, _, text)| (*seq, text.len())
                children=|(_, stderr, text)| view! { <span class=if stderr { "stderr" } else { "stdout" }>{text}</span> }
            /></pre>
            <p class=move || format!("run-status {}", status().0) data-testid=format!("{testid}run-status") role="status">{move || status().1}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_joined_into_pieces_and_only_the_latest_is_kept() {
        let mut run = RunView::started("yes".into());
        run.push(false, "a".into());
        run.push(false, "b".into());
        run.push(true, "err".into());
        let texts: Vec<_> = run.output.iter().map(|(_, e, t)| (*e, t.clone())).collect();
        assert_eq!(texts, [(false, "ab".to_owned()), (true, "err".to_owned())]);

        let chunk = "y\n".repeat(4096); // 8 KiB
        for _ in 0..100 {
            run.push(false, chunk.clone());
        }
        assert!(run.kept <= KEEP_BYTES, "{} kept", run.kept);
        assert!(run.dropped >= 100 * chunk.len() - KEEP_BYTES);
        assert_eq!(run.kept + run.dropped, 100 * chunk.len() + 5);
        let keys: Vec<_> = run.output.iter().map(|(seq, _, _)| *seq).collect();
        assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "keys stay unique and ordered"
        );
    }
}
