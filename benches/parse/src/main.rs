//! `omroep-bench-parse`: parse throughput (MB per CPU-second) and peak memory of omroep
//! against a bare quick-xml pass and feed-rs, on one generated corpus, in one run.
//!
//! `benches/parse.sh` is the way in: it builds this in release mode, runs `generate`,
//! then `run`. The other two commands are what `run` starts as child processes, so that
//! memory is measured in a process that holds nothing else (`memory`) and so that the
//! command line is measured as a user runs it, one process for many files (`cli`).
//!
//! ```text
//! omroep-bench-parse generate DIR [--megabytes N] [--small-files N] [--seed N]
//! omroep-bench-parse run DIR [--rounds N]
//! omroep-bench-parse memory ENGINE FILE…
//! omroep-bench-parse cli parse --json FILE…
//! ```

mod corpus;
mod engines;
mod measure;
mod prose;
mod rng;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser as _;

/// The allocator the shipped `omroep` binary uses (`src/main.rs`), for every engine:
/// the bench measures what users run, and parsing allocates many small strings.
#[global_allocator]
static ALLOCATOR: omroep::alloc::MiMalloc = omroep::alloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("generate") => generate(&args[1..]),
        Some("run") => run::run(&args[1..]),
        Some("memory") => run::memory_child(&args[1..]),
        Some("cli") => return cli(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("omroep-bench-parse: error: {message}");
            ExitCode::from(2)
        }
    }
}

const USAGE: &str = "usage: omroep-bench-parse generate DIR [--megabytes N] [--small-files N] [--seed N] | run DIR [--rounds N] | memory ENGINE FILE… | cli parse --json FILE…";

fn generate(args: &[String]) -> Result<(), String> {
    let (positional, flags) = split_flags(args, &["--megabytes", "--small-files", "--seed"])?;
    let [dir] = positional.as_slice() else {
        return Err(USAGE.to_string());
    };
    let options = corpus::Options {
        megabytes: flag_number(&flags, "--megabytes", 80)?,
        small_files: flag_number(&flags, "--small-files", 2_000)?,
        seed: flag_number(&flags, "--seed", 20_261_126)?,
    };
    let dir = PathBuf::from(dir);
    let summary = corpus::generate(&dir, &options)
        .map_err(|error| format!("{}: could not write the corpus ({error})", dir.display()))?;
    println!(
        "corpus {}: {} documents, {} entries, {:.1} MB ({} in windows-1252 or ISO-8859-1), largest {:.1} MB; {} small files, {:.1} MB",
        dir.display(),
        summary.documents,
        summary.entries,
        summary.bytes as f64 / 1e6,
        summary.non_utf8,
        summary.largest as f64 / 1e6,
        summary.small_files,
        summary.small_bytes as f64 / 1e6,
    );
    Ok(())
}

/// Runs omroep's command line in this process, as `src/main.rs` does, so that the
/// many-files run is measured without building omroep's binary a second time.
fn cli(args: &[String]) -> ExitCode {
    let argv = std::iter::once("omroep".to_string()).chain(args.iter().cloned());
    let cli = match omroep::cli::Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(2);
        }
    };
    let result = match &cli.command {
        omroep::cli::Command::Parse(args) => omroep::commands::parse::run(args),
        _ => {
            eprintln!("omroep-bench-parse: only `parse` runs in process");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(status) => ExitCode::from(status.code() as u8),
        Err(error) => {
            eprintln!("omroep: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// Positional arguments, and `--flag value` pairs in the order given.
pub type SplitArgs = (Vec<String>, Vec<(String, String)>);

/// Splits `--flag value` pairs (only those in `known`) from positional arguments.
pub fn split_flags(args: &[String], known: &[&str]) -> Result<SplitArgs, String> {
    let mut positional = Vec::new();
    let mut flags = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg.starts_with("--") {
            if !known.contains(&arg.as_str()) {
                return Err(format!("unknown option {arg}; {USAGE}"));
            }
            let value = iter.next().ok_or_else(|| format!("{arg} needs a value"))?;
            flags.push((arg.clone(), value.clone()));
        } else {
            positional.push(arg.clone());
        }
    }
    Ok((positional, flags))
}

pub fn flag_number<T: std::str::FromStr>(
    flags: &[(String, String)],
    name: &str,
    default: T,
) -> Result<T, String> {
    match flags.iter().rev().find(|(flag, _)| flag == name) {
        Some((_, value)) => value
            .parse()
            .map_err(|_| format!("{name} {value}: not a number")),
        None => Ok(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| arg.to_string()).collect()
    }

    #[test]
    fn flags_are_split_from_positional_arguments() {
        let (positional, flags) =
            split_flags(&strings(&["dir", "--rounds", "5"]), &["--rounds"]).unwrap();
        assert_eq!(positional, ["dir"]);
        assert_eq!(flag_number(&flags, "--rounds", 3).unwrap(), 5);
        assert_eq!(flag_number(&flags, "--seed", 3).unwrap(), 3);
    }

    #[test]
    fn unknown_or_incomplete_flags_are_refused() {
        assert!(split_flags(&strings(&["--nope", "1"]), &["--rounds"]).is_err());
        assert!(split_flags(&strings(&["--rounds"]), &["--rounds"]).is_err());
        let (_, flags) = split_flags(&strings(&["--rounds", "x"]), &["--rounds"]).unwrap();
        assert!(flag_number::<usize>(&flags, "--rounds", 3).is_err());
    }
}
