//! Records the git revision omroep is built from, for `omroep --version`.
//!
//! `OMROEP_GIT_REVISION` in the environment wins (for builds from a tarball, where a
//! packager knows the revision); else `git rev-parse --short HEAD`; else `unknown`. The
//! script reruns only when HEAD or the branch it points at moves, so it costs nothing on
//! an ordinary rebuild.

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=OMROEP_GIT_REVISION");
    let revision = std::env::var("OMROEP_GIT_REVISION")
        .ok()
        .filter(|value| !value.trim().is_empty())
        .or_else(|| git(&["rev-parse", "--short", "HEAD"]))
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=OMROEP_GIT_REVISION={revision}");

    // What moves when a commit is made or checked out: HEAD itself, the branch file it
    // names, and packed-refs (where a branch lives after `git gc`).
    if let Some(git_dir) = git(&["rev-parse", "--git-dir"]).map(PathBuf::from) {
        println!("cargo:rerun-if-changed={}", git_dir.join("HEAD").display());
        if let Some(common) = git(&["rev-parse", "--git-common-dir"]).map(PathBuf::from) {
            println!(
                "cargo:rerun-if-changed={}",
                common.join("packed-refs").display()
            );
            if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
                println!("cargo:rerun-if-changed={}", common.join(branch).display());
            }
        }
    } else {
        // Not in a git checkout: nothing to watch but the script itself.
        println!("cargo:rerun-if-changed=build.rs");
    }
}
