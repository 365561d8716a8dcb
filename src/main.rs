//! The `omroep` binary: parse arguments, run the command, map the result to an exit
//! status (listed in `--help`). Errors are printed here and only here, as one line.

use std::process::ExitCode;

use clap::Parser;
use omroep::cli::{Cli, Command};
use omroep::commands::{self, Status};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Parse(args) => commands::parse::run(args),
        Command::Build(args) => commands::build::run(&cli.global, args),
        Command::Run(args) => commands::run::run(&cli.global, args),
        Command::Init(args) => commands::init::run(&cli.global, args),
        Command::Ingest(args) => commands::ingest::run(args, &cli.global),
        Command::Sources(args) => commands::sources::run(args, &cli.global),
        Command::New(args) => commands::new::run(args, &cli.global),
        Command::Import(args) => commands::import::run(args, &cli.global),
    };
    let status = match result {
        Ok(status) => status,
        Err(error) => {
            if is_broken_pipe(&error) {
                Status::Success
            } else {
                omroep::report::error(&format!("{error:#}"));
                Status::of_error(&error)
            }
        }
    };
    ExitCode::from(status.code() as u8)
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
