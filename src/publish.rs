//! The only module that writes output files. Everything a build produces goes through
//! here as a list of `Output`s, so the rules hold for every file:
//!
//! - a file is written to a temporary name in its destination folder, synced, then renamed
//!   over the old one, so a reader (a web server, a podcast app) never sees half a file,
//!   and a crash at any moment leaves the old or the new file, never a mix; temporary
//!   files a killed build left behind are removed by the next build that writes there;
//! - a file whose bytes are unchanged is not touched, so its mtime stays and rsync, CDNs
//!   and `If-Modified-Since` keep working;
//! - files omroep wrote in an earlier build and no longer produces are removed, and only
//!   those: a manifest in the output folder lists what omroep owns, so a user's own files
//!   there (a CNAME, a favicon) are never deleted.
//!
//! A build killed mid-way may leave temporary files behind; the next build removes them
//! (`remove_stray_temporaries`).
//!
//! A `Stage` compares each output as it is added and stages what changed; in check mode
//! it writes nothing (that is `build --check`). `apply` carries the plan out.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The manifest of files omroep wrote, at the top of the output folder.
pub const MANIFEST: &str = ".omroep-manifest";

/// What to write at one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Bytes rendered in memory.
    Bytes(Vec<u8>),
    /// A file copied as it is (artwork, transcripts, chapters, audio).
    Copy(PathBuf),
}

/// One output file: a `/`-separated path relative to the output folder, and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub path: String,
    pub content: Content,
}

impl Output {
    pub fn bytes(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Output {
            path: path.into(),
            content: Content::Bytes(bytes.into()),
        }
    }

    pub fn copy(path: impl Into<String>, source: impl Into<PathBuf>) -> Self {
        Output {
            path: path.into(),
            content: Content::Copy(source.into()),
        }
    }
}

/// What a build does (or would do) to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
    Removed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Unchanged => "unchanged",
            Change::Removed => "removed",
        }
    }
}

/// Outputs being published. Each output is compared with the disk as it is added and,
/// when it differs, written at once to a temporary file beside its destination, so the
/// build never holds every rendered file in memory. Nothing replaces a published file
/// until `apply`; dropping a stage (a failed build) deletes its temporary files.
pub struct Stage {
    /// The output folder and the mode, shared with the writers it hands out.
    writer: Writer,
    steps: Vec<Step>,
    produced: BTreeSet<String>,
}

struct Step {
    path: String,
    change: Change,
    /// The new content, already on disk under a temporary name (none in check mode).
    pending: Option<tempfile::NamedTempFile>,
}

/// What applying a stage changes, with everything needed to do it.
pub struct Plan {
    root: PathBuf,
    steps: Vec<Step>,
    removals: Vec<String>,
    manifest: Vec<u8>,
    manifest_changed: bool,
}

/// Compares outputs with the disk and writes what changed to temporary files, for a
/// [`Stage`] (see [`Stage::writer`]).
#[derive(Debug, Clone)]
pub struct Writer {
    root: PathBuf,
    check: bool,
}

/// One output compared and, when it changed, written under a temporary name: not yet
/// part of the stage until [`Stage::insert`] takes it (dropped, its file is deleted).
pub struct Staged(Step);

impl Writer {
    /// Compares `output` with the published file and stages its new content when it
    /// differs (in check mode nothing is written).
    pub fn prepare(&self, output: Output) -> Result<Staged> {
        check_relative(&output.path)?;
        if output.path == MANIFEST {
            bail!("{MANIFEST}: this name is reserved for omroep's list of files it wrote");
        }
        let destination = self.root.join(&output.path);
        let change = compare(&destination, &output.content).with_context(|| {
            format!(
                "{}: cannot compare with the new output",
                destination.display()
            )
        })?;
        let pending = if change == Change::Unchanged || self.check {
            None
        } else {
            Some(match &output.content {
                Content::Bytes(bytes) => stage_bytes(&destination, bytes)?,
                Content::Copy(source) => stage_copy(source, &destination)?,
            })
        };
        Ok(Staged(Step {
            path: output.path,
            change,
            pending,
        }))
    }
}

impl Stage {
    /// A stage for the output folder `root`; with `check`, nothing is ever written.
    pub fn new(root: &Path, check: bool) -> Self {
        Stage {
            writer: Writer {
                root: root.to_path_buf(),
                check,
            },
            steps: Vec::new(),
            produced: BTreeSet::new(),
        }
    }

    /// Compares one output with the disk and, when it changed, stages its new content.
    pub fn add(&mut self, output: Output) -> Result<()> {
        let staged = self.writer.prepare(output)?;
        self.insert(staged)
    }

    /// What compares and writes this stage's outputs without holding the stage, so that
    /// several cores can write (and sync) their files at once; [`Stage::insert`] then
    /// records each.
    pub fn writer(&self) -> Writer {
        self.writer.clone()
    }

    /// Records an output a [`Writer`] of this stage prepared. Two outputs for one path
    /// are refused (the second one's temporary file is deleted).
    pub fn insert(&mut self, staged: Staged) -> Result<()> {
        let step = staged.0;
        if !self.produced.insert(step.path.clone()) {
            bail!(
                "{}: two outputs would be written to the same file; give the feeds or assets distinct paths",
                self.writer.root.join(&step.path).display()
            );
        }
        self.steps.push(step);
        Ok(())
    }

    /// Takes back outputs staged earlier (a feed whose later file was refused): their
    /// temporary files are deleted and their published files are left as they are, as if
    /// they had never been added. A path that was not staged is ignored.
    pub fn discard(&mut self, paths: &[String]) {
        self.steps.retain(|step| !paths.contains(&step.path));
        for path in paths {
            self.produced.remove(path);
        }
    }

    /// Ends staging. Files listed in the old manifest but not produced now are to be
    /// removed unless `retain` keeps them (the outputs of a feed that failed this time).
    pub fn finish(mut self, retain: &dyn Fn(&str) -> bool) -> Result<Plan> {
        let root = self.writer.root;
        let old = read_manifest(&root)?;
        let mut kept = self.produced.clone();
        let mut removals = Vec::new();
        for path in &old {
            if self.produced.contains(path) {
                continue;
            }
            if retain(path) {
                kept.insert(path.clone());
            } else if root.join(path).exists() {
                removals.push(path.clone());
            }
        }
        self.steps.sort_by(|a, b| a.path.cmp(&b.path));
        let manifest = manifest_text(&kept);
        let manifest_changed = fs::read(root.join(MANIFEST)).ok().as_deref() != Some(&manifest[..]);
        Ok(Plan {
            root,
            steps: self.steps,
            removals,
            manifest,
            manifest_changed,
        })
    }
}

impl Plan {
    /// Every file and what happens to it, sorted by path.
    pub fn changes(&self) -> Vec<(&str, Change)> {
        let mut changes: Vec<(&str, Change)> = self
            .steps
            .iter()
            .map(|step| (step.path.as_str(), step.change))
            .chain(
                self.removals
                    .iter()
                    .map(|path| (path.as_str(), Change::Removed)),
            )
            .collect();
        changes.sort();
        changes
    }

    /// Whether applying the plan would change anything on disk.
    pub fn changes_anything(&self) -> bool {
        self.manifest_changed
            || !self.removals.is_empty()
            || self
                .steps
                .iter()
                .any(|step| step.change != Change::Unchanged)
    }
}

/// Stages `outputs` and finishes: `Stage` in one call, for callers that have them all.
pub fn plan(root: &Path, outputs: Vec<Output>, retain: &dyn Fn(&str) -> bool) -> Result<Plan> {
    let mut stage = Stage::new(root, false);
    for output in outputs {
        stage.add(output)?;
    }
    stage.finish(retain)
}

/// Carries out a plan: renames the staged files into place, removes what is gone, updates
/// the manifest. The manifest is first written with the union of old and new files, so an
/// interrupted build never forgets a file it may already have written.
pub fn apply(plan: Plan) -> Result<()> {
    fs::create_dir_all(&plan.root)
        .with_context(|| format!("{}: cannot create the output folder", plan.root.display()))?;
    let manifest_path = plan.root.join(MANIFEST);
    if plan.manifest_changed {
        let mut union: BTreeSet<String> = read_manifest(&plan.root)?.into_iter().collect();
        union.extend(plan.steps.iter().map(|step| step.path.clone()));
        write_atomic(&manifest_path, &manifest_text(&union))?;
    }
    let mut folders: BTreeSet<PathBuf> = BTreeSet::from([plan.root.clone()]);
    for step in &plan.steps {
        if let Some(folder) = plan.root.join(&step.path).parent() {
            folders.insert(folder.to_path_buf());
        }
    }
    for step in plan.steps {
        if let Some(temp) = step.pending {
            let destination = plan.root.join(&step.path);
            finish(temp, &destination)?;
        }
    }
    for path in &plan.removals {
        let file = plan.root.join(path);
        match fs::remove_file(&file) {
            Ok(()) => remove_empty_parents(&plan.root, &file),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(error).with_context(|| format!("{}: cannot remove", file.display()));
            }
        }
    }
    if plan.manifest_changed {
        write_atomic(&manifest_path, &plan.manifest)?;
    }
    Ok(())
}

/// The name a temporary file of this process starts with: the process id in it lets a
/// later build tell the leftovers of a killed build from the files of one still running.
fn temp_prefix() -> String {
    format!("{TEMP_PREFIX}{}-", std::process::id())
}

const TEMP_PREFIX: &str = ".omroep-";

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, synced, given
/// the old file's permissions (or 0644), renamed over `path`, then the folder synced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let temp = stage_bytes(path, bytes)?;
    finish(temp, path)
}

/// A new temporary file in `destination`'s folder, named so that
/// [`remove_stray_temporaries`] takes it when a build killed mid-way leaves it behind.
pub(crate) fn temp_beside(destination: &Path) -> Result<tempfile::NamedTempFile> {
    let folder = destination
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(folder)
        .with_context(|| format!("{}: cannot create the folder", folder.display()))?;
    tempfile::Builder::new()
        .prefix(&temp_prefix())
        .suffix(".tmp")
        .tempfile_in(folder)
        .with_context(|| format!("{}: cannot create a temporary file", folder.display()))
}

/// The new content of `destination`, written and synced under a temporary name beside it.
fn stage_bytes(destination: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let mut temp = temp_beside(destination)?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", destination.display()))?;
    Ok(temp)
}

/// A copy of `source` staged for `destination`, keeping the source's mtime so the next
/// build can tell an unchanged copy by size and mtime without reading it again.
fn stage_copy(source: &Path, destination: &Path) -> Result<tempfile::NamedTempFile> {
    let mut input =
        File::open(source).with_context(|| format!("{}: cannot read", source.display()))?;
    let modified = input.metadata().and_then(|meta| meta.modified()).ok();
    let mut temp = temp_beside(destination)?;
    io::copy(&mut input, temp.as_file_mut())
        .and_then(|_| temp.as_file().sync_all())
        .with_context(|| {
            format!(
                "{}: cannot copy to {}",
                source.display(),
                destination.display()
            )
        })?;
    if let Some(modified) = modified {
        // Best effort: without it the next build compares the bytes instead.
        let _ = temp.as_file().set_modified(modified);
    }
    Ok(temp)
}

/// Removes the temporary files (`.omroep-*.tmp`) that a build killed mid-way left in
/// `folder` (and, when `recursive`, below it). Only files last modified before `before`
/// (the start of this build) are taken, so the files a build running at the same moment
/// is staging are left alone. Returns how many were removed; what cannot be removed stays
/// (it only takes space).
pub fn remove_stray_temporaries(
    folder: &Path,
    recursive: bool,
    before: std::time::SystemTime,
) -> usize {
    let walker = walkdir::WalkDir::new(folder)
        .follow_links(false)
        .max_depth(if recursive { usize::MAX } else { 1 });
    let mut removed = 0;
    for entry in walker.into_iter().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy();
        if !entry.file_type().is_file() || !name.starts_with(".omroep-") || !name.ends_with(".tmp")
        {
            continue;
        }
        let stale = entry
            .metadata()
            .ok()
            .and_then(|meta| meta.modified().ok())
            .is_some_and(|modified| modified < before);
        if stale && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Renames a staged file over its destination, with the old file's permissions.
fn finish(temp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    // A temporary file is created 0600; published files must stay readable by the web
    // server, so keep the old file's mode, else use the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)
            .map(|meta| meta.permissions().mode() & 0o7777)
            .unwrap_or(0o644);
        temp.as_file()
            .set_permissions(fs::Permissions::from_mode(mode))
            .with_context(|| format!("{}: cannot set permissions", path.display()))?;
    }
    temp.persist(path)
        .map_err(|error| error.error)
        .with_context(|| format!("{}: cannot replace the file", path.display()))?;
    // The rename is durable only once the folder is synced; not every platform allows
    // opening a folder, and a failure here loses nothing that was not already at risk.
    if let Some(folder) = path.parent()
        && let Ok(dir) = File::open(folder)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Whether `destination` already holds `content`.
fn compare(destination: &Path, content: &Content) -> io::Result<Change> {
    let meta = match fs::metadata(destination) {
        Ok(meta) if meta.is_file() => meta,
        Ok(_) => {
            return Err(io::Error::other(
                "a folder or special file is in the way of an output file",
            ));
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Change::Created),
        Err(error) => return Err(error),
    };
    let same = match content {
        Content::Bytes(bytes) => {
            meta.len() == bytes.len() as u64 && file_holds(destination, bytes)?
        }
        Content::Copy(source) => {
            let source_meta = fs::metadata(source)?;
            if meta.len() != source_meta.len() {
                false
            } else if meta.modified().ok().is_some()
                && meta.modified().ok() == source_meta.modified().ok()
            {
                true
            } else {
                same_bytes(source, destination)?
            }
        }
    };
    Ok(if same {
        Change::Unchanged
    } else {
        Change::Updated
    })
}

/// Whether the file holds exactly `bytes`, read a block at a time and compared with the
/// matching part of `bytes` where it lies: reading the whole file first held a second
/// copy of every output (up to 11 MB each, two at once while two cores compare) beside
/// the rendered one, which set a rebuild's peak memory.
fn file_holds(path: &Path, bytes: &[u8]) -> io::Result<bool> {
    let mut file = File::open(path)?;
    let mut block = vec![0u8; BLOCK];
    let mut rest = bytes;
    loop {
        let n = fill(&mut file, &mut block)?;
        match rest.split_at_checked(n) {
            Some((head, tail)) if block[..n] == *head => rest = tail,
            _ => return Ok(false),
        }
        if n < BLOCK {
            // The file ended: it holds `bytes` if they ended too.
            return Ok(rest.is_empty());
        }
    }
}

/// Whether the two files hold the same bytes (see [`same_content`]).
fn same_bytes(a: &Path, b: &Path) -> io::Result<bool> {
    same_content(File::open(a)?, File::open(b)?)
}

/// The size of the blocks [`same_content`] compares.
const BLOCK: usize = 64 * 1024;

/// Whether `a` and `b` yield the same bytes, compared a block at a time so that neither
/// is held whole. Each block is filled from both sides (a read may return fewer bytes
/// than asked before the end), so blocks line up whatever sizes the reads return.
fn same_content(mut a: impl Read, mut b: impl Read) -> io::Result<bool> {
    let mut left = vec![0u8; BLOCK];
    let mut right = vec![0u8; BLOCK];
    loop {
        let n = fill(&mut a, &mut left)?;
        let m = fill(&mut b, &mut right)?;
        if left[..n] != right[..m] {
            return Ok(false);
        }
        if n < BLOCK {
            // Both ended (equal blocks have equal lengths).
            return Ok(true);
        }
    }
}

/// Reads into `block` until it is full or the reader ends, retrying interrupted reads;
/// returns how many bytes it holds.
fn fill(reader: &mut impl Read, block: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < block.len() {
        match reader.read(&mut block[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// Refuses any path that could leave the output folder or name a hidden file.
fn check_relative(path: &str) -> Result<()> {
    let safe = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..");
    if !safe {
        bail!("`{path}`: not a safe output path (it must stay inside the output folder)");
    }
    Ok(())
}

fn manifest_text(paths: &BTreeSet<String>) -> Vec<u8> {
    let mut text = String::from(
        "# Files omroep wrote here; it removes them when no feed produces them anymore.\n",
    );
    for path in paths {
        text.push_str(path);
        text.push('\n');
    }
    text.into_bytes()
}

/// The files listed in the manifest. Lines that are not safe relative paths are ignored:
/// the manifest is a file on disk, and nothing in it may make omroep delete outside the
/// output folder.
fn read_manifest(root: &Path) -> Result<Vec<String>> {
    let path = root.join(MANIFEST);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(error).with_context(|| format!("{}: cannot read", path.display()));
        }
    };
    Ok(text
        .lines()
        .filter(|line| !line.starts_with('#') && check_relative(line).is_ok() && *line != MANIFEST)
        .map(str::to_string)
        .collect())
}

/// After removing a file, removes the folders it leaves empty, up to the output folder.
fn remove_empty_parents(root: &Path, file: &Path) {
    let mut folder = file.parent();
    while let Some(current) = folder {
        if current == root || !current.starts_with(root) || fs::remove_dir(current).is_err() {
            break;
        }
        folder = current.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn keep_nothing(_: &str) -> bool {
        false
    }

    fn build(root: &Path, outputs: Vec<Output>) -> Vec<(String, Change)> {
        let plan = plan(root, outputs, &keep_nothing).unwrap();
        let changes = plan
            .changes()
            .into_iter()
            .map(|(path, change)| (path.to_string(), change))
            .collect();
        apply(plan).unwrap();
        changes
    }

    fn age(path: &Path) {
        let old = SystemTime::now() - Duration::from_secs(3600);
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }

    #[test]
    fn an_output_is_unchanged_only_when_every_byte_matches_across_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big.xml");
        // Three and a half blocks of the comparison, so that a difference can sit in a
        // later block than the first.
        let bytes: Vec<u8> = (0..229_376u32).map(|i| (i % 251) as u8).collect();
        fs::write(&file, &bytes).unwrap();
        let same = Content::Bytes(bytes.clone());
        assert_eq!(compare(&file, &same).unwrap(), Change::Unchanged);
        for at in [0, 65_535, 65_536, 200_000, bytes.len() - 1] {
            let mut other = bytes.clone();
            other[at] ^= 1;
            let other = Content::Bytes(other);
            assert_eq!(
                compare(&file, &other).unwrap(),
                Change::Updated,
                "byte {at}"
            );
        }
        // The file's length checked while reading, not only from its metadata.
        assert!(file_holds(&file, &bytes[..bytes.len() - 1]).is_ok_and(|same| !same));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(file_holds(&file, &longer).is_ok_and(|same| !same));
        assert!(file_holds(&file, &bytes).unwrap());
        // A file of whole blocks ends on an empty read.
        fs::write(&file, &bytes[..2 * BLOCK]).unwrap();
        assert!(file_holds(&file, &bytes[..2 * BLOCK]).unwrap());
        assert!(!file_holds(&file, &bytes[..2 * BLOCK + 1]).unwrap());
        assert!(!file_holds(&file, &bytes[..2 * BLOCK - 1]).unwrap());
        let missing = Content::Bytes(bytes);
        let gone = dir.path().join("gone.xml");
        assert_eq!(compare(&gone, &missing).unwrap(), Change::Created);
    }

    /// A reader that returns at most `step` bytes per read and is interrupted before
    /// every other read.
    struct Choppy<'a> {
        rest: &'a [u8],
        step: usize,
        interrupt: bool,
    }

    impl Read for Choppy<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.step).min(self.rest.len());
            buf[..n].copy_from_slice(&self.rest[..n]);
            self.rest = &self.rest[n..];
            Ok(n)
        }
    }

    struct BrokenReader;

    impl Read for BrokenReader {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk gone"))
        }
    }

    #[test]
    fn contents_are_compared_across_short_and_interrupted_reads() {
        let bytes: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
        let choppy = |rest, step| Choppy {
            rest,
            step,
            interrupt: false,
        };
        assert!(same_content(choppy(&bytes, 1000), choppy(&bytes, 4097)).unwrap());
        assert!(same_content(choppy(&bytes, 7), &bytes[..]).unwrap());
        assert!(same_content(&b""[..], choppy(b"", 3)).unwrap());
        let mut other = bytes.clone();
        other[BLOCK + 3] ^= 1;
        assert!(!same_content(choppy(&bytes, 1000), choppy(&other, 999)).unwrap());
        // A prefix differs, at a block's end and short of it, on either side.
        for end in [BLOCK, BLOCK * 2, bytes.len() - 1] {
            assert!(!same_content(choppy(&bytes[..end], 512), &bytes[..]).unwrap());
            assert!(!same_content(&bytes[..], choppy(&bytes[..end], 512)).unwrap());
        }
        // Other errors are reported, not taken for a difference.
        let broken = io::repeat(0).take(10).chain(BrokenReader);
        assert!(same_content(broken, &bytes[..]).is_err());
    }

    #[test]
    fn stray_temporaries_of_a_killed_build_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("blog")).unwrap();
        let stray = [
            root.join(".omroep-a1b2.tmp"),
            root.join("blog/.omroep-c3.tmp"),
        ];
        let kept = [
            root.join("blog/rss.xml"),
            root.join(".omroep-notes.txt"),
            root.join("draft.tmp"),
        ];
        for file in stray.iter().chain(&kept) {
            fs::write(file, "x").unwrap();
        }
        let start = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
        assert_eq!(remove_stray_temporaries(root, false, start), 1);
        assert!(!stray[0].exists() && stray[1].exists());
        assert_eq!(remove_stray_temporaries(root, true, start), 1);
        assert!(stray.iter().all(|file| !file.exists()));
        assert!(kept.iter().all(|file| file.exists()));
        // One made after the build started belongs to a build running now.
        fs::write(&stray[0], "x").unwrap();
        let earlier = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        assert_eq!(remove_stray_temporaries(root, true, earlier), 0);
        assert!(stray[0].exists());
    }

    #[test]
    fn writes_then_leaves_unchanged_files_alone() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("public");
        let outputs = || {
            vec![
                Output::bytes("a/rss.xml", "<rss/>"),
                Output::bytes("index.html", "hi"),
            ]
        };
        assert_eq!(
            build(&root, outputs()),
            [
                ("a/rss.xml".into(), Change::Created),
                ("index.html".into(), Change::Created)
            ]
        );
        assert_eq!(
            fs::read_to_string(root.join("a/rss.xml")).unwrap(),
            "<rss/>"
        );
        age(&root.join("a/rss.xml"));
        let before = fs::metadata(root.join("a/rss.xml"))
            .unwrap()
            .modified()
            .unwrap();
        let second = plan(&root, outputs(), &keep_nothing).unwrap();
        assert!(!second.changes_anything());
        apply(second).unwrap();
        let after = fs::metadata(root.join("a/rss.xml"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(before, after);
    }

    #[test]
    fn published_files_are_world_readable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        build(dir.path(), vec![Output::bytes("feed.json", "{}")]);
        let mode = fs::metadata(dir.path().join("feed.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn changed_bytes_are_replaced_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        build(dir.path(), vec![Output::bytes("x.xml", "one")]);
        let changes = build(dir.path(), vec![Output::bytes("x.xml", "two")]);
        assert_eq!(changes, [("x.xml".into(), Change::Updated)]);
        assert_eq!(fs::read_to_string(dir.path().join("x.xml")).unwrap(), "two");
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|name| !name.ends_with(".tmp")),
            "{names:?}"
        );
    }

    #[test]
    fn removes_only_files_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("CNAME"), "coach.example").unwrap();
        build(
            dir.path(),
            vec![
                Output::bytes("old/rss.xml", "x"),
                Output::bytes("kept.xml", "y"),
            ],
        );
        let changes = build(dir.path(), vec![Output::bytes("kept.xml", "y")]);
        assert_eq!(
            changes,
            [
                ("kept.xml".into(), Change::Unchanged),
                ("old/rss.xml".into(), Change::Removed)
            ]
        );
        assert!(
            !dir.path().join("old").exists(),
            "the emptied folder is removed too"
        );
        assert!(dir.path().join("CNAME").exists());
    }

    #[test]
    fn retained_files_survive_and_stay_in_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        build(dir.path(), vec![Output::bytes("failed/rss.xml", "old")]);
        let plan = plan(dir.path(), vec![], &|path| path.starts_with("failed/")).unwrap();
        assert!(plan.changes().is_empty());
        apply(plan).unwrap();
        assert!(dir.path().join("failed/rss.xml").exists());
        let later = super::plan(dir.path(), vec![], &keep_nothing).unwrap();
        assert_eq!(later.changes(), [("failed/rss.xml", Change::Removed)]);
    }

    #[test]
    fn copies_keep_the_source_mtime_and_are_detected_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("art.jpg");
        fs::write(&source, b"jpeg bytes").unwrap();
        age(&source);
        let root = dir.path().join("public");
        build(&root, vec![Output::copy("show/art.jpg", &source)]);
        assert_eq!(fs::read(root.join("show/art.jpg")).unwrap(), b"jpeg bytes");
        assert_eq!(
            build(&root, vec![Output::copy("show/art.jpg", &source)]),
            [("show/art.jpg".into(), Change::Unchanged)]
        );
        fs::write(&source, b"JPEG BYTES").unwrap();
        assert_eq!(
            build(&root, vec![Output::copy("show/art.jpg", &source)]),
            [("show/art.jpg".into(), Change::Updated)]
        );
        assert_eq!(fs::read(root.join("show/art.jpg")).unwrap(), b"JPEG BYTES");
    }

    #[test]
    fn refuses_paths_outside_the_output_folder_and_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["../x", "/etc/passwd", "a//b", "a/./b", ""] {
            assert!(
                plan(dir.path(), vec![Output::bytes(bad, "x")], &keep_nothing).is_err(),
                "{bad}"
            );
        }
        let twice = vec![Output::bytes("a.xml", "1"), Output::bytes("a.xml", "2")];
        let error = match plan(dir.path(), twice, &keep_nothing) {
            Err(error) => error.to_string(),
            Ok(_) => panic!("two outputs with one path were accepted"),
        };
        assert!(
            error.contains("two outputs would be written to the same file"),
            "{error}"
        );
    }

    #[test]
    fn a_dropped_stage_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        build(dir.path(), vec![Output::bytes("feed.xml", "old")]);
        let mut stage = Stage::new(dir.path(), false);
        stage.add(Output::bytes("feed.xml", "new")).unwrap();
        stage.add(Output::bytes("sub/other.xml", "new")).unwrap();
        drop(stage);
        assert_eq!(
            fs::read_to_string(dir.path().join("feed.xml")).unwrap(),
            "old"
        );
        let temporaries: Vec<_> = walkdir::WalkDir::new(dir.path())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(temporaries.is_empty(), "{temporaries:?}");
    }

    #[test]
    fn discarded_outputs_leave_the_old_file_no_temporary_and_no_manifest_line() {
        let dir = tempfile::tempdir().unwrap();
        build(dir.path(), vec![Output::bytes("blog/rss.xml", "old")]);
        let mut stage = Stage::new(dir.path(), false);
        stage.add(Output::bytes("blog/rss.xml", "new")).unwrap();
        stage.add(Output::bytes("blog/atom.xml", "new")).unwrap();
        stage.add(Output::bytes("other/rss.xml", "kept")).unwrap();
        stage.discard(&["blog/rss.xml".to_string(), "blog/atom.xml".to_string()]);
        let temporaries = walkdir::WalkDir::new(dir.path().join("blog"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
            .count();
        assert_eq!(temporaries, 0);
        // The retained old file stays; the discarded new one is not created.
        let plan = stage.finish(&|path| path == "blog/rss.xml").unwrap();
        assert_eq!(plan.changes(), [("other/rss.xml", Change::Created)]);
        apply(plan).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("blog/rss.xml")).unwrap(),
            "old"
        );
        assert!(!dir.path().join("blog/atom.xml").exists());
        assert_eq!(
            fs::read_to_string(dir.path().join("other/rss.xml")).unwrap(),
            "kept"
        );
    }

    #[test]
    fn a_check_stage_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("public");
        let mut stage = Stage::new(&root, true);
        stage.add(Output::bytes("a/feed.xml", "x")).unwrap();
        let plan = stage.finish(&keep_nothing).unwrap();
        assert_eq!(plan.changes(), [("a/feed.xml", Change::Created)]);
        assert!(plan.changes_anything());
        assert!(!root.exists());
    }

    #[test]
    fn a_hostile_manifest_cannot_delete_outside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("public");
        fs::create_dir_all(&root).unwrap();
        fs::write(dir.path().join("precious"), "x").unwrap();
        fs::write(root.join(MANIFEST), "../precious\n/etc/hostname\n").unwrap();
        build(&root, vec![]);
        assert!(dir.path().join("precious").exists());
    }
}
