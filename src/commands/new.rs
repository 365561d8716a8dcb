//! `omroep new post|episode "Title"`: create one content file (see `create::new_entry`)
//! and print its path, or with `--format json` an object describing it. Errors go to
//! standard error as one line; nothing is written when anything is wrong.

use std::io::Write;

use anyhow::Result;

use super::Status;
use crate::cli::{Cli, GlobalArgs, NewArgs, NewCommand, ReportFormat};
use crate::config;
use crate::create::new_entry::{self, Request};
use crate::create::place::Want;
use crate::ingest::fields;
use crate::report;

pub fn run(args: &NewArgs, global: &GlobalArgs) -> Result<Status> {
    let cwd = Cli::current_dir();
    let site = match super::build::load_site(global, &cwd) {
        Ok(site) => site,
        Err(status) => return Ok(status),
    };
    let (want, title, audio, common) = match &args.what {
        NewCommand::Post(post) => (Want::Post, &post.title, None, &post.common),
        NewCommand::Episode(episode) => (
            Want::Episode,
            &episode.title,
            Some(episode.audio.clone()),
            &episode.common,
        ),
    };
    let date = match &common.date {
        None => None,
        Some(raw) => match fields::parse_date(raw, site.timezone) {
            Some(date) => Some(date),
            None => {
                report::error(&format!(
                    "--date: expected a date such as `2024-03-05` or `2024-03-05 09:30`, found `{raw}`"
                ));
                return Ok(Status::Fatal);
            }
        },
    };
    let request = Request {
        want,
        title: title.clone(),
        feed: common.feed.clone(),
        audio,
        draft: common.draft,
        date,
    };
    let mut created = match new_entry::create(&site, &cwd, &request) {
        Ok(created) => created,
        Err(message) => {
            report::error(&message);
            return Ok(Status::Fatal);
        }
    };
    created.path = config::shown_path(&site.root.join(&created.path), &cwd)
        .to_string_lossy()
        .into_owned();
    let mut out = std::io::stdout().lock();
    match common.format {
        ReportFormat::Text => writeln!(out, "{}", report::clean(&created.path))?,
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &created)?;
            writeln!(out)?;
        }
    }
    Ok(Status::Success)
}
