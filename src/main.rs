//! The `omroep` binary: parse arguments, run the command, map the result to an exit
//! status (listed in `--help`). Errors are printed here and only here, as one line.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use omroep::cli::{Cli, Command};
use omroep::commands::{self, Status};

/// mimalloc instead of the system allocator: see its line in Cargo.toml.
#[global_allocator]
static ALLOCATOR: omroep::alloc::MiMalloc = omroep::alloc::MiMalloc;

fn main() -> ExitCode {
    omroep::alloc::configure();
    let cli = parse_arguments();
    let (level, color) = cli.global.report_settings();
    omroep::report::init(level, color);
    let result = match &cli.command {
        Command::Parse(args) => commands::parse::run(args),
        Command::Build(args) => commands::build::run(&cli.global, args),
        Command::Run(args) => commands::run::run(&cli.global, args),
        Command::Init(args) => commands::init::run(&cli.global, args),
        Command::Ingest(args) => commands::ingest::run(args, &cli.global),
        Command::Sources(args) => commands::sources::run(args, &cli.global),
        Command::Diff(args) => commands::diff::run(&cli.global, args),
        Command::MoveFeed(args) => commands::move_feed::run(&cli.global, args),
        Command::Completions(args) => commands::completions::completions(args),
        Command::Man => commands::completions::man(),
        Command::Validate(args) => commands::validate::run(&cli.global, args),
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

/// Parses the command line, with clap's own help and errors coloured as `--color` and
/// `NO_COLOR` say (clap reads them before the flags are parsed, so they are looked up
/// here first).
fn parse_arguments() -> Cli {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut choice = None;
    for (index, arg) in args.iter().enumerate() {
        let Some(arg) = arg.to_str() else { continue };
        if arg == "--" {
            break;
        }
        let value = match arg.strip_prefix("--color") {
            Some("") => args.get(index + 1).and_then(|next| next.to_str()),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some(value) = value {
            choice = Some(value.to_string());
        }
    }
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    let color = match choice.as_deref() {
        Some("always") => clap::ColorChoice::Always,
        Some("never") => clap::ColorChoice::Never,
        _ if no_color => clap::ColorChoice::Never,
        _ => clap::ColorChoice::Auto,
    };
    let matches = Cli::command().color(color).get_matches_from(args);
    Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
