//! `overcast`: the Overcast server and its administration commands.

use std::process::ExitCode;

/// See server/Cargo.toml: a page's render allocates and frees thousands of
/// small strings.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    server::cli::main()
}
