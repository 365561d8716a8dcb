//! `omroep run`: ingest, then build; what cron and CI call.
//!
//! Ingesting local content (Markdown posts, audio folders) happens inside the build, which
//! reads each file once per run. Fetching remote sources into the store comes with the
//! fetcher (issue 5) and belongs here, between loading the config and building, so that a
//! failed source makes the run partial while the build still goes ahead.

use anyhow::Result;

use super::Status;
use super::build::{build_and_report, load_site};
use crate::cli::{BuildArgs, Cli, GlobalArgs};

pub fn run(global: &GlobalArgs, args: &BuildArgs) -> Result<Status> {
    let cwd = Cli::current_dir();
    let site = match load_site(global, &cwd) {
        Ok(site) => site,
        Err(status) => return Ok(status),
    };
    build_and_report(&site, global, args, &cwd)
}
