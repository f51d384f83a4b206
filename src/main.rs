//! The `cccd` command line: a thin layer that parses arguments, calls the library and prints text or JSON.
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
