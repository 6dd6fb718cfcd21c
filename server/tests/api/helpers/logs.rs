//! What the test servers log: kept for the tests to read, printed on request.

/// What the servers of this process have logged: every `ERROR` line (and,
/// with `OVERCAST_TEST_LOG=<filter>`, what that filter lets through, also
/// printed to stderr), at most [`MAX_LOG_BYTES`].
static LOGGED: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());
const MAX_LOG_BYTES: usize = 8 << 20;

/// The log lines written so far (see [`LOGGED`]).
pub fn logged() -> String {
    let bytes = LOGGED.lock().unwrap_or_else(|p| p.into_inner());
    String::from_utf8_lossy(&bytes).into_owned()
}

struct LogWriter {
    print: bool,
}

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.print {
            let _ = std::io::stderr().write_all(buf);
        }
        let mut kept = LOGGED.lock().unwrap_or_else(|p| p.into_inner());
        if kept.len() + buf.len() <= MAX_LOG_BYTES {
            kept.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the process's log subscriber once (see [`LOGGED`]).
pub(super) fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let asked = std::env::var("OVERCAST_TEST_LOG").ok();
        let print = asked.is_some();
        let filter = asked.unwrap_or_else(|| "error".into());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_ansi(false)
            .with_writer(move || LogWriter { print })
            .try_init();
    });
}
