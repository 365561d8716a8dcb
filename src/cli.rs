//! Command-line arguments (clap types) and nothing else: every command turns these raw
//! flags into its own checked settings, so nothing past `commands/` sees clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit status:
  0  everything succeeded
  1  the run finished, but some sources or outputs failed
  2  bad arguments, configuration or store";

/// Publish and aggregate blogs and podcasts.
#[derive(Debug, Parser)]
#[command(name = "omroep", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail; repeat for even more.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// When to use colour on standard error.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// The site's omroep.toml (or its folder); by default found in the current folder or
    /// its parents.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse feeds (files, `-` for standard input, or http(s) URLs) and print what omroep sees.
    Parse(ParseArgs),
    /// Render every feed, the combined index and the OPML into the output folder.
    Build(BuildArgs),
    /// Ingest then build: what cron and CI call.
    Run(BuildArgs),
    /// Create a working site (omroep.toml, a blog and a podcast feed, sample content).
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Write nothing; exit 1 when the outputs or the ledger would change (for CI).
    #[arg(long)]
    pub check: bool,
    /// Accept changes to published identity (guids, enclosure URLs, podcast:guid, dropped
    /// entries) and record them in the ledger, instead of refusing to build.
    #[arg(long)]
    pub allow_identity_change: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (created if missing; must not hold a site yet).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Feed files, `-` for standard input, or http(s) URLs.
    #[arg(required = true, value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Print the normalised feed as JSON (one object; with several sources, one per line).
    #[arg(long)]
    pub json: bool,
    /// Refuse documents larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::ingest::feed::DEFAULT_MAX_BYTES)]
    pub max_bytes: usize,
}

impl Cli {
    /// Where a path argument is relative, it is relative to the current folder.
    pub fn current_dir() -> PathBuf {
        std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
    }
}
