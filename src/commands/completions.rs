//! `omroep completions SHELL` and `omroep man`: both generated from the clap definitions
//! in `cli.rs`, so they always list exactly the commands and flags this binary has.
//!
//! The man page is printed rather than made by a build step: packagers run
//! `omroep man > omroep.1` after building, and the page can never drift from the binary.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use super::Status;
use crate::cli::{Cli, CompletionsArgs, Shell};

pub fn completions(args: &CompletionsArgs) -> Result<Status> {
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
    };
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, "omroep", &mut out);
    out.flush()?;
    Ok(Status::Success)
}

pub fn man() -> Result<Status> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(Cli::command()).render(&mut out)?;
    out.flush()?;
    Ok(Status::Success)
}
