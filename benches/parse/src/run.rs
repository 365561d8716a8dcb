//! The `run` command: load the corpus, check every engine reads all of it, measure each
//! engine's throughput over several interleaved rounds, measure peak memory in child
//! processes, time omroep's command line on many files, and print the report as
//! Markdown (the tables of BENCHMARKS.md).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::engines::{self, Engine, Parser};
use crate::measure;
use crate::{flag_number, split_flags};

struct Document {
    name: String,
    bytes: Vec<u8>,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let (positional, flags) = split_flags(args, &["--rounds"])?;
    let [dir] = positional.as_slice() else {
        return Err("usage: omroep-bench-parse run DIR [--rounds N]".into());
    };
    let rounds: usize = flag_number(&flags, "--rounds", 3)?;
    if rounds == 0 {
        return Err("--rounds must be at least 1".into());
    }
    let dir = PathBuf::from(dir);
    let feed_files = xml_files(&dir.join("feeds"))?;
    let small_files = xml_files(&dir.join("small"))?;
    let documents = feed_files
        .iter()
        .map(|path| {
            let bytes = std::fs::read(path)
                .map_err(|error| format!("{}: could not read ({error})", path.display()))?;
            Ok(Document {
                name: file_name(path),
                bytes,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let total: usize = documents.iter().map(|d| d.bytes.len()).sum();
    let largest = documents
        .iter()
        .zip(&feed_files)
        .max_by_key(|(d, _)| d.bytes.len())
        .map(|(d, path)| (d.bytes.len(), path.clone()))
        .ok_or("the corpus has no documents")?;
    let legacy = documents
        .iter()
        .filter(|d| !d.name.contains("utf-8"))
        .count();

    println!("### Corpus\n");
    println!(
        "`{}`: {} documents, {:.1} MB (MB = 10^6 bytes), {} of them in windows-1252 or ISO-8859-1; largest {:.1} MB.\n",
        dir.join("feeds").display(),
        documents.len(),
        total as f64 / 1e6,
        legacy,
        largest.0 as f64 / 1e6
    );

    // One untimed pass: every engine must read every document, and the feed parsers
    // must agree on the entries; it also warms caches and the allocator.
    let parsers: Vec<Parser> = engines::ALL.into_iter().map(Parser::new).collect();
    let mut counts = vec![Vec::new(); parsers.len()];
    let mut warnings = 0;
    for (parser, counts) in parsers.iter().zip(&mut counts) {
        for document in &documents {
            let outcome = parser.parse(&document.bytes).map_err(|error| {
                format!(
                    "{} could not read {}: {error}",
                    parser.engine.key(),
                    document.name
                )
            })?;
            if parser.engine == Engine::Omroep {
                warnings += outcome.warnings;
            }
            counts.push(outcome.count);
        }
    }
    let entries: usize = counts[3].iter().sum();
    let disagree = documents
        .iter()
        .enumerate()
        .filter(|(i, _)| counts[1][*i] != counts[3][*i] || counts[2][*i] != counts[3][*i])
        .map(|(_, d)| d.name.as_str())
        .collect::<Vec<_>>();
    println!(
        "All four read every document. omroep: {entries} entries, {warnings} warnings; feed-rs and omroep disagree on the entry count of {} documents{}.\n",
        disagree.len(),
        if disagree.is_empty() {
            String::new()
        } else {
            format!(" ({})", disagree.join(", "))
        }
    );

    // Interleaved rounds, so that a change in the machine's load hits every engine.
    let mut times = vec![Vec::new(); parsers.len()];
    for _ in 0..rounds {
        for (parser, times) in parsers.iter().zip(&mut times) {
            let start = measure::cpu_time();
            for document in &documents {
                // Errors were ruled out above; the result is kept from the optimiser.
                let _ = std::hint::black_box(parser.parse(std::hint::black_box(&document.bytes)));
            }
            times.push(measure::cpu_time() - start);
        }
    }
    let speeds: Vec<(f64, f64, Duration)> = times
        .iter()
        .map(|times| {
            let mut sorted = times.clone();
            sorted.sort();
            let best = sorted[0];
            let median = sorted[sorted.len() / 2];
            (
                mb_per_second(total, best),
                mb_per_second(total, median),
                best,
            )
        })
        .collect();
    let (tokenizer, baseline, omroep) = (speeds[0].0, speeds[1].0, speeds[3].0);
    let (tokenizer_median, baseline_median, omroep_median) =
        (speeds[0].1, speeds[1].1, speeds[3].1);
    println!("### Throughput\n");
    println!(
        "Parsing speed in MB per CPU-second (user + system time of the process), best and median of {rounds} interleaved rounds over the whole corpus.\n"
    );
    println!(
        "| parser | CPU s (best round) | MB/CPU-s (best) | MB/CPU-s (median) | vs (b) | vs (a) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (engine, (best, median, time)) in engines::ALL.iter().zip(&speeds) {
        println!(
            "| {} | {:.2} | {best:.1} | {median:.1} | {:.2}× | {:.2}× |",
            engine.label(),
            time.as_secs_f64(),
            best / baseline,
            best / tokenizer
        );
    }
    println!();
    println!(
        "Targets, on best rounds (medians in brackets): (d) at least 3× (b): {:.2}× ({:.2}×) — {}. (d) within 3× of (a): (a) is {:.1}× (d) ({:.1}×) — {}.\n",
        omroep / baseline,
        omroep_median / baseline_median,
        verdict(omroep >= 3.0 * baseline),
        tokenizer / omroep,
        tokenizer_median / omroep_median,
        verdict(omroep * 3.0 >= tokenizer)
    );

    let exe =
        std::env::current_exe().map_err(|error| format!("cannot find this program ({error})"))?;
    println!("### Memory\n");
    println!(
        "Resident set high-water mark (VmHWM) of a child process that reads one document and parses it; the document itself is in \"before\". Largest document: {:.1} MB.\n",
        largest.0 as f64 / 1e6
    );
    println!("| parser | RSS before parsing | peak RSS | peak − before | ÷ document size |");
    println!("|---|---:|---:|---:|---:|");
    for engine in engines::ALL {
        let memory = memory(&exe, engine, std::slice::from_ref(&largest.1))?;
        println!(
            "| {} | {:.1} MB | {:.1} MB | {:.1} MB | {:.1} |",
            engine.label(),
            memory.before as f64 / 1e6,
            memory.peak as f64 / 1e6,
            memory.peak.saturating_sub(memory.before) as f64 / 1e6,
            memory.peak.saturating_sub(memory.before) as f64 / largest.0 as f64
        );
    }
    let whole = memory(&exe, Engine::Omroep, &feed_files)?;
    println!(
        "\nomroep over the whole corpus in one process, one document at a time ({} documents, {:.1} MB read in all): peak RSS {:.1} MB, from {:.1} MB at start — bounded by the largest document, not by the corpus.\n",
        feed_files.len(),
        total as f64 / 1e6,
        whole.peak as f64 / 1e6,
        whole.before as f64 / 1e6
    );

    println!("### Command line\n");
    println!(
        "`omroep parse --json FILE…` in one process (omroep's own `Cli` and `commands::parse::run`, JSON lines to a pipe), CPU time of that process:\n"
    );
    println!("| files | MB | CPU s | MB/CPU-s | files/CPU-s | JSON out |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (label, files) in [("small", &small_files), ("feeds", &feed_files)] {
        let result = command_line(&exe, files)?;
        let bytes: u64 = files
            .iter()
            .map(|path| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
            .sum();
        println!(
            "| {} × `{label}/` | {:.1} | {:.2} | {:.1} | {:.0} | {:.1} MB |",
            files.len(),
            bytes as f64 / 1e6,
            result.cpu.as_secs_f64(),
            mb_per_second(bytes as usize, result.cpu),
            files.len() as f64 / result.cpu.as_secs_f64(),
            result.output_bytes as f64 / 1e6
        );
    }
    println!();
    Ok(())
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn mb_per_second(bytes: usize, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64().max(1e-9)
}

fn xml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|error| {
        format!(
            "{}: cannot list ({error}); run `omroep-bench-parse generate` first",
            dir.display()
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "xml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "{}: no .xml files; run `omroep-bench-parse generate` first",
            dir.display()
        ));
    }
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
}

struct Memory {
    before: u64,
    peak: u64,
}

/// Starts `memory ENGINE FILE…` and reads its `before=… peak=…` line.
fn memory(exe: &Path, engine: Engine, files: &[PathBuf]) -> Result<Memory, String> {
    let output = Command::new(exe)
        .arg("memory")
        .arg(engine.key())
        .args(files)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| format!("cannot start the memory child ({error})"))?;
    if !output.status.success() {
        return Err(format!(
            "the memory child for {} failed ({})",
            engine.key(),
            output.status
        ));
    }
    let line = String::from_utf8_lossy(&output.stdout);
    let field = |key: &str| -> Option<u64> {
        line.split_whitespace()
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
    };
    match (field("before"), field("peak")) {
        (Some(before), Some(peak)) => Ok(Memory { before, peak }),
        _ => Err(format!("the memory child printed {line:?}")),
    }
}

/// The child side of `memory`: parse each file in turn, holding one at a time, and print
/// the high-water mark before the first parse and at the end. With one file, "before"
/// includes that file's bytes; with several, it is the process before reading any.
pub fn memory_child(args: &[String]) -> Result<(), String> {
    let [key, files @ ..] = args else {
        return Err("usage: omroep-bench-parse memory ENGINE FILE…".into());
    };
    let engine = Engine::from_key(key).ok_or_else(|| format!("unknown engine {key}"))?;
    let parser = Parser::new(engine);
    let read = |path: &String| {
        std::fs::read(path).map_err(|error| format!("{path}: could not read ({error})"))
    };
    let (before, outcome) = if let [file] = files {
        let bytes = read(file)?;
        let before = measure::peak_rss();
        (
            before,
            parser
                .parse(&bytes)
                .map_err(|error| format!("{file}: {error}"))?,
        )
    } else {
        let before = measure::peak_rss();
        let mut total = engines::Outcome::default();
        for file in files {
            let bytes = read(file)?;
            let outcome = parser
                .parse(&bytes)
                .map_err(|error| format!("{file}: {error}"))?;
            total.count += outcome.count;
        }
        (before, total)
    };
    println!(
        "before={before} peak={} count={}",
        measure::peak_rss(),
        outcome.count
    );
    Ok(())
}

struct CommandLine {
    cpu: Duration,
    output_bytes: u64,
}

/// Runs `cli parse --json FILE…` as a child, checks it printed one line per file, and
/// returns the child's CPU time.
fn command_line(exe: &Path, files: &[PathBuf]) -> Result<CommandLine, String> {
    let start = measure::children_cpu_time();
    let mut child = Command::new(exe)
        .args(["cli", "parse", "--json"])
        .args(files)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|error| format!("cannot start the command line child ({error})"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or("no pipe from the command line child")?;
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let (mut lines, mut bytes, mut errors) = (0usize, 0u64, 0usize);
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|error| format!("reading the command line child ({error})"))?;
        if read == 0 {
            break;
        }
        lines += 1;
        bytes += read as u64;
        // An error line is short; a feed line starts with its source and format.
        if line.len() < 4096 && line.windows(8).any(|w| w == b"\"error\":") {
            errors += 1;
        }
    }
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
    let status = child
        .wait()
        .map_err(|error| format!("waiting for the command line child ({error})"))?;
    let cpu = measure::children_cpu_time() - start;
    if !status.success() || lines != files.len() || errors > 0 {
        return Err(format!(
            "omroep parse --json on {} files: status {status}, {lines} lines, {errors} errors",
            files.len()
        ));
    }
    Ok(CommandLine {
        cpu,
        output_bytes: bytes,
    })
}
