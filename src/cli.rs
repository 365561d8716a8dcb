//! Command-line arguments (clap types) and nothing else: every command turns these raw
//! flags into its own checked settings, so nothing past `commands/` sees clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit status:
  0  everything succeeded
  1  the run finished, but some sources or outputs failed
     (build --check, diff --exit-code: there are changes)
  2  bad arguments, configuration or store
  3  another run is using the store (ingest, run, build); nothing was done";

/// `omroep --version`: the version and the git revision it was built from (`build.rs`).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (git ",
    env!("OMROEP_GIT_REVISION"),
    ")"
);

/// Publish and aggregate blogs and podcasts.
#[derive(Debug, Parser)]
#[command(name = "omroep", version = VERSION, about, after_help = EXIT_CODES)]
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
    /// When to colour errors, warnings and `diff` markers; `auto` honours NO_COLOR.
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
    #[command(after_help = EXIT_CODES)]
    Build(BuildArgs),
    /// Ingest then build: what cron and CI call.
    #[command(after_help = EXIT_CODES)]
    Run(BuildArgs),
    /// Create a working site (omroep.toml, a blog and a podcast feed, sample content).
    Init(InitArgs),
    /// Fetch every remote source of the site's feeds into the store.
    #[command(after_help = EXIT_CODES)]
    Ingest(IngestArgs),
    /// List the remote sources with their state (failures, back-off, moves, retirement).
    Sources(SourcesArgs),
    /// Compare what a build would write with what is published, feed by feed; writes nothing.
    Diff(DiffArgs),
    /// Record that a feed moved to NEW_URL (itunes:new-feed-url) and print redirect rules.
    MoveFeed(MoveFeedArgs),
    /// Print a shell completion script for bash, zsh, fish or PowerShell.
    Completions(CompletionsArgs),
    /// Print omroep's manual page (roff), e.g. `omroep man > omroep.1`.
    Man,
    /// Check feeds against the format, podcast-directory and identity rules (no target:
    /// every feed the site builds, as `build` would write it).
    Validate(ValidateArgs),
    /// Create a new post or episode file, dated now, in the folder its feed reads.
    New(NewArgs),
    /// Turn an existing feed (file or URL) into local content and a feed definition.
    Import(ImportArgs),
}

/// How a reporting command prints its report on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Lines for people.
    Text,
    /// One JSON document, described in docs/json-output.md.
    Json,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    #[command(subcommand)]
    pub what: NewCommand,
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// A Markdown post: `omroep new post "Title"`.
    Post(NewPostArgs),
    /// A Markdown episode for an audio file in the site: `omroep new episode "Title" --audio FILE`.
    Episode(NewEpisodeArgs),
}

#[derive(Debug, Args)]
pub struct NewPostArgs {
    /// The title; the file name and slug come from it, accents folded.
    pub title: String,
    #[command(flatten)]
    pub common: NewCommonArgs,
}

#[derive(Debug, Args)]
pub struct NewEpisodeArgs {
    /// The title; the file name and slug come from it, accents folded.
    pub title: String,
    /// The episode's audio file, inside the site folder; its duration is measured.
    #[arg(long, value_name = "FILE")]
    pub audio: PathBuf,
    #[command(flatten)]
    pub common: NewCommonArgs,
}

#[derive(Debug, Args)]
pub struct NewCommonArgs {
    /// The feed to add it to (its file name in feeds/, without .toml); needed when
    /// several feeds could take it.
    #[arg(long, value_name = "NAME")]
    pub feed: Option<String>,
    /// Mark it as a draft (never published until you remove `draft: true`).
    #[arg(long)]
    pub draft: bool,
    /// Its date instead of now (`2024-03-05 09:30`, in the site's time zone unless an
    /// offset is given); a future date schedules it.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Print the created file's path (text) or a JSON object describing it.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The feed to import: a file or an http(s) URL.
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// The feed definition to write (feeds/NAME.toml) or merge into, when it exists;
    /// by default a name made from the feed's title.
    #[arg(long, value_name = "NAME")]
    pub feed: Option<String>,
    /// Where the Markdown files go, relative to the site root (for a new feed
    /// definition); by default content/NAME.
    #[arg(long, value_name = "FOLDER")]
    pub into: Option<String>,
    /// Write nothing; list what would be written.
    #[arg(long)]
    pub dry_run: bool,
    /// Follow at most this many RFC 5005 `next` pages after the first.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_pages: usize,
    /// Refuse documents larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::ingest::feed::DEFAULT_MAX_BYTES)]
    pub max_bytes: usize,
    /// Print the report as text or JSON.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Compare with the site published at this base URL instead of the output folder.
    #[arg(long, value_name = "URL")]
    pub against: Option<String>,
    /// Compare only this feed (its file name in feeds/, without .toml).
    #[arg(long, value_name = "NAME")]
    pub feed: Option<String>,
    /// Exit 1 when there are differences (like `git diff --exit-code`).
    #[arg(long)]
    pub exit_code: bool,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct MoveFeedArgs {
    /// The feed's new public URL (http or https).
    #[arg(value_name = "NEW_URL")]
    pub new_url: String,
    /// The feed that moves (its file name in feeds/, without .toml); needed when the site
    /// has more than one podcast feed.
    #[arg(long, value_name = "NAME")]
    pub feed: Option<String>,
    /// How to print what was recorded and the redirect rules.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
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
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Publish feeds even when `omroep validate`'s rules find errors in them (reported as
    /// warnings), instead of keeping their previous outputs.
    #[arg(long)]
    pub allow_invalid: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (created if missing; must not hold a site yet).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// How to print the list of files created.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Feed files, `-` for standard input, or http(s) URLs.
    #[arg(required = true, value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Print the normalised feed as JSON (one object; with several sources, one per line).
    #[arg(long)]
    pub json: bool,
    /// `--format json` is `--json`.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Refuse documents larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::ingest::feed::DEFAULT_MAX_BYTES)]
    pub max_bytes: usize,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Ingest only the sources of this feed (its file name in feeds/, without .toml).
    #[arg(long, value_name = "NAME")]
    pub feed: Option<String>,
    /// Print the run's summary as JSON on standard output (the same as `--format json`).
    #[arg(long)]
    pub json: bool,
    /// How to print the run's summary.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Requests in flight at once, over all hosts.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Requests in flight at once to one host.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    pub per_host: u16,
    /// Seconds allowed to connect to a server.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = positive_seconds)]
    pub connect_timeout: f64,
    /// Seconds allowed for a whole request, body included (cuts off trickling servers).
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0, value_parser = positive_seconds)]
    pub timeout: f64,
    /// Refuse responses larger than this many bytes, on the wire or decompressed.
    #[arg(long, value_name = "BYTES", default_value_t = crate::ingest::remote::DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
}

#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// List only the sources that need attention: failing, retired or moved.
    #[arg(long)]
    pub failing: bool,
    /// Print the list as JSON on standard output (the same as `--format json`).
    #[arg(long)]
    pub json: bool,
    /// How to print the list.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Fetch this retired or backed-off source again on the next run (its configured URL).
    #[arg(long, value_name = "URL", conflicts_with_all = ["failing", "json"])]
    pub enable: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Feed files, `-` for standard input, or http(s) URLs; none: every feed the site
    /// builds, rendered in memory as `build` would write it.
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Print a rule's full text and how to fix what it finds, then exit.
    #[arg(long, value_name = "RULE", conflicts_with = "targets")]
    pub explain: Option<String>,
    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
    /// Fail (exit 1) on warnings too, not only on errors.
    #[arg(long)]
    pub strict: bool,
    /// Also check the hosting over HTTP: the feed URL and its ETag, each enclosure (HEAD
    /// length and type, range requests) and artwork, redirects (the `online/…` rules).
    #[arg(long)]
    pub online: bool,
    /// Refuse documents larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = crate::ingest::feed::DEFAULT_MAX_BYTES)]
    pub max_bytes: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    /// Grouped by target and entry, coloured on a terminal.
    Text,
    /// One JSON object: `findings` and `summary`.
    Json,
    /// SARIF 2.1.0, for CI code annotations.
    Sarif,
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0 => Ok(seconds),
        _ => Err(format!(
            "{text:?} is not a number of seconds between 0 and 86400"
        )),
    }
}

impl GlobalArgs {
    /// How much to print, and when in colour, as `report` takes them.
    pub fn report_settings(&self) -> (crate::report::Level, crate::report::Color) {
        let color = match self.color {
            ColorChoice::Auto => crate::report::Color::Auto,
            ColorChoice::Always => crate::report::Color::Always,
            ColorChoice::Never => crate::report::Color::Never,
        };
        (
            crate::report::Level::from_flags(self.quiet, self.verbose),
            color,
        )
    }
}

impl ParseArgs {
    /// Whether JSON was asked for, by `--json` or `--format json`.
    pub fn json(&self) -> bool {
        self.json || self.format == ReportFormat::Json
    }
}

impl IngestArgs {
    /// Whether JSON was asked for, by `--json` or `--format json`.
    pub fn json(&self) -> bool {
        self.json || self.format == ReportFormat::Json
    }
}

impl SourcesArgs {
    /// Whether JSON was asked for, by `--json` or `--format json`.
    pub fn json(&self) -> bool {
        self.json || self.format == ReportFormat::Json
    }
}

impl Cli {
    /// Where a path argument is relative, it is relative to the current folder.
    pub fn current_dir() -> PathBuf {
        std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
    }
}
