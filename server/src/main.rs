//! `overcast`: the Overcast server and its administration commands.

use std::process::ExitCode;

fn main() -> ExitCode {
    server::cli::main()
}
