//! `TestEnv`: a site in a temporary folder and a way to run `omroep` in it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

/// What one run of the binary printed and returned.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

pub struct TestEnv {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

const WELCOME: &str = "---\ntitle: Welcome\ndate: 2024-03-05T09:00:00Z\nsummary: The first post.\ntags: [news]\n---\n\nHello there.\n";
const ABOUT: &str = "---\ntitle: How this site works\ndate: 2024-03-04T09:00:00Z\ntags: [meta]\n---\n\nPosts are Markdown.\n";
const EPISODE: &str = "---\ntitle: Welcome to the podcast\ndate: 2024-03-06T09:00:00Z\naudio: 001-welcome.mp3\nepisode: 1\nexplicit: false\nsummary: A short hello.\n---\n\nFirst episode.\n";

impl TestEnv {
    /// A fresh `omroep init` site with fixed dates, so outputs are the same on every run.
    pub fn site() -> TestEnv {
        let env = TestEnv::empty();
        let outcome = env.run_in(env._dir.path(), &["init", "site"]);
        assert_eq!(outcome.code, 0, "{outcome:?}");
        env.write("content/posts/welcome.md", WELCOME);
        env.write("content/posts/how-this-site-works.md", ABOUT);
        env.write("content/episodes/001-welcome.md", EPISODE);
        env
    }

    /// A copy of the repository's example site (`omroep.toml`, `feeds/`, and the fixture
    /// content it reads).
    pub fn example() -> TestEnv {
        let env = TestEnv::empty();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for part in ["omroep.toml", "feeds", "fixtures/content"] {
            copy_tree(&repo.join(part), &env.path(part));
        }
        env
    }

    /// An empty temporary folder; the site root is its `site` subfolder.
    pub fn empty() -> TestEnv {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path().join("site");
        TestEnv { _dir: dir, root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        fs::write(path, text).expect("write a file");
    }

    pub fn read(&self, relative: &str) -> String {
        fs::read_to_string(self.path(relative)).expect("read a file")
    }

    /// Runs `omroep ARGS…` in the site root.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.run_in(&self.root, args)
    }

    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Outcome {
        let output = Command::new(env!("CARGO_BIN_EXE_omroep"))
            .args(args)
            .current_dir(dir)
            .env_remove("NO_COLOR")
            .output()
            .expect("run omroep");
        Outcome {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code().unwrap_or(-1),
        }
    }

    /// Every file under the output folder with its bytes, sorted by path.
    pub fn outputs(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(self.path("public"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_file())
            .map(|entry| {
                let relative = entry
                    .path()
                    .strip_prefix(self.path("public"))
                    .expect("inside public")
                    .to_string_lossy()
                    .into_owned();
                (relative, fs::read(entry.path()).expect("read an output"))
            })
            .collect();
        files.sort();
        files
    }

    /// Every file under `relative` with its bytes, sorted by path.
    pub fn tree(&self, relative: &str) -> Vec<(String, Vec<u8>)> {
        let base = self.path(relative);
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&base)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_file())
            .map(|entry| {
                let name = entry
                    .path()
                    .strip_prefix(&base)
                    .expect("inside the folder")
                    .to_string_lossy()
                    .into_owned();
                (name, fs::read(entry.path()).expect("read a file"))
            })
            .collect();
        files.sort();
        files
    }

    /// Sets every output's mtime an hour back, so a rewrite would show.
    pub fn age_outputs(&self) {
        let old = SystemTime::now() - Duration::from_secs(3600);
        for (relative, _) in self.outputs() {
            fs::File::options()
                .write(true)
                .open(self.path("public").join(relative))
                .expect("open an output")
                .set_modified(old)
                .expect("set mtime");
        }
    }

    /// Every output's mtime, sorted by path.
    pub fn mtimes(&self) -> Vec<(String, SystemTime)> {
        self.outputs()
            .into_iter()
            .map(|(relative, _)| {
                let mtime = fs::metadata(self.path("public").join(&relative))
                    .and_then(|meta| meta.modified())
                    .expect("mtime");
                (relative, mtime)
            })
            .collect()
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let relative = entry.path().strip_prefix(from).expect("inside");
        let target = if relative.as_os_str().is_empty() {
            to.to_path_buf()
        } else {
            to.join(relative)
        };
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).expect("create a folder");
        } else {
            fs::create_dir_all(target.parent().expect("a parent")).expect("create a folder");
            fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// Asserts a run's status, standard output and standard error, all of them.
#[track_caller]
pub fn assert_outcome(outcome: &Outcome, code: i32, stdout: &str, stderr: &str) {
    assert_eq!(
        (
            outcome.code,
            outcome.stdout.as_str(),
            outcome.stderr.as_str()
        ),
        (code, stdout, stderr),
        "\n--- stdout\n{}\n--- stderr\n{}",
        outcome.stdout,
        outcome.stderr
    );
}
