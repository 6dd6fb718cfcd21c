//! The command line: `overcast serve`, `overcast admin create-master`.

use std::{io::BufRead, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::{config::Settings, startup};

/// Overcast: a self-hosted control panel for every cloud you run.
///
/// Every setting can be given as a flag or through the environment variable
/// shown beside it. With no database URL, Overcast keeps a SQLite file in
/// the data directory, created and migrated at start.
#[derive(Parser, Debug)]
#[command(name = "overcast", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server (pages, API, background jobs) until interrupted.
    Serve,
    /// Administration without the web interface.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand, Debug)]
enum AdminCommand {
    /// Create the master account of a new installation (headless setup).
    CreateMaster {
        /// The master account's email, what sign-in takes.
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input
        /// (required: passwords never go on the command line).
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(&cli.settings.log_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("overcast: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("overcast: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve => serve(cli.settings).await,
        Command::Admin {
            command:
                AdminCommand::CreateMaster {
                    email,
                    password_stdin,
                },
        } => create_master(&cli.settings, &email, password_stdin).await,
    }
}

async fn serve(settings: Settings) -> Result<(), String> {
    let running = startup::start(settings.clone()).await?;
    tracing::info!(
        address = %running.addr,
        database = %store::redact_url(&settings.database_url()),
        instance = %running.instance(),
        "Overcast is listening on http://{}",
        running.addr
    );
    shutdown_signal().await?;
    let grace = std::time::Duration::from_secs(settings.shutdown_grace);
    tracing::info!(
        instance = %running.instance(),
        grace_s = settings.shutdown_grace,
        "shutting down (SIGTERM or Ctrl-C)"
    );
    running.shutdown(grace).await;
    Ok(())
}

async fn shutdown_signal() -> Result<(), String> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| e.to_string())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.map_err(|e| e.to_string()),
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map_err(|e| e.to_string())
    }
}

async fn create_master(
    settings: &Settings,
    email: &str,
    password_stdin: bool,
) -> Result<(), String> {
    if !password_stdin {
        return Err("give --password-stdin and the password on standard input".into());
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']);
    let services = startup::connect(settings).await?;
    let created = service::accounts::create_master(&services, email, password, "cli").await;
    services.db.close().await;
    let account = created.map_err(|kind| kind.to_string())?;
    println!("created the master account {}", account.email);
    Ok(())
}

fn init_tracing(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
