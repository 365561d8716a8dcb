//! `omroep init [DIR]`: scaffold a site that builds at once: `omroep.toml`, a blog feed and
//! a podcast feed, two sample posts and one sample episode (a short real MP3 and square
//! artwork that meet Apple's rules, embedded in the binary), and a `.gitignore`.
//!
//! It never overwrites: a folder that already holds a site (or any of the files) is
//! refused before anything is written. Sample dates are today's date (UTC), so the new
//! site's feeds look like the user's own from the first build.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::Status;
use crate::cli::{Cli, GlobalArgs, InitArgs, ReportFormat};

const EPISODE_MP3: &[u8] = include_bytes!("../../fixtures/init/episode.mp3");
const ARTWORK_JPG: &[u8] = include_bytes!("../../fixtures/init/artwork.jpg");

const SITE: &str = r#"# The site; every key is described in omroep's README.
title = "My site"
description = "Posts and episodes, published with omroep."
# Where the output folder is served; change this before you publish.
base_url = "https://example.org/"
language = "en"
permalink = "/{year}/{slug}/"
# output = "public"
# media_base_url = "https://media.example.org/"   # where audio is served, if not base_url
# timezone = "Europe/Amsterdam"   # dates written without an offset; default UTC

[author]
name = "Your Name"
email = "you@example.org"
"#;

const BLOG: &str = r#"kind = "blog"
title = "My blog"
description = "What I write."

[[source]]
markdown = "content/posts/*.md"
"#;

const PODCAST: &str = r#"kind = "podcast"
title = "My podcast"
description = "What I say."
artwork = "content/artwork.jpg"
explicit = false
type = "episodic"

[[category]]
name = "Education"
subcategories = ["How To"]

[[source]]
markdown = "content/episodes/*.md"
"#;

const GITIGNORE: &str = "/public/\n/.omroep/\n";

/// Creates the site; prints each file created.
pub fn run(global: &GlobalArgs, args: &InitArgs) -> Result<Status> {
    let dir = Cli::current_dir().join(&args.dir);
    let today = chrono::Utc::now().date_naive();
    let yesterday = today.pred_opt().unwrap_or(today);
    let files = scaffold(&today.to_string(), &yesterday.to_string());
    create(&dir, &files)?;
    if args.format == ReportFormat::Json {
        let created: Vec<String> = files
            .iter()
            .map(|(path, _)| args.dir.join(path).to_string_lossy().into_owned())
            .collect();
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &serde_json::json!({ "created": created }))?;
        writeln!(stdout)?;
    } else if !global.quiet {
        let mut stdout = std::io::stdout().lock();
        for (path, _) in &files {
            writeln!(stdout, "created {}", args.dir.join(path).display())?;
        }
        writeln!(
            stdout,
            "next: cd {} && omroep run   (then open public/index.html)",
            args.dir.display()
        )?;
    }
    Ok(Status::Success)
}

/// Every file of a new site, by path relative to its folder.
fn scaffold(today: &str, yesterday: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let welcome = format!(
        "---\ntitle: Welcome\ndate: {today}\nsummary: The first post of this site.\ntags: [news]\n---\n\n\
         This is the first post. Edit `content/posts/welcome.md`, or add a new `.md` file beside it,\n\
         then run `omroep run` again.\n\n<!-- more -->\n\nEverything after the marker above is in the feeds but not in the summary.\n"
    );
    let about = format!(
        "---\ntitle: How this site works\ndate: {yesterday}\ntags: [meta]\n---\n\n\
         Posts are Markdown files with front matter. Feeds are defined in `feeds/`, one file each.\n"
    );
    let episode = format!(
        "---\ntitle: Welcome to the podcast\ndate: {today}\naudio: 001-welcome.mp3\nepisode: 1\nexplicit: false\n\
         summary: A short hello, to show how an episode is published.\n---\n\n\
         Each episode is a Markdown file that names its audio file.\n"
    );
    vec![
        ("omroep.toml".into(), SITE.into()),
        ("feeds/blog.toml".into(), BLOG.into()),
        ("feeds/podcast.toml".into(), PODCAST.into()),
        ("content/posts/welcome.md".into(), welcome.into_bytes()),
        (
            "content/posts/how-this-site-works.md".into(),
            about.into_bytes(),
        ),
        (
            "content/episodes/001-welcome.md".into(),
            episode.into_bytes(),
        ),
        (
            "content/episodes/001-welcome.mp3".into(),
            EPISODE_MP3.to_vec(),
        ),
        ("content/artwork.jpg".into(), ARTWORK_JPG.to_vec()),
        (".gitignore".into(), GITIGNORE.into()),
    ]
}

/// Writes every file, after checking that none exists yet.
fn create(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    if dir.join(crate::config::SITE_FILE).exists() || dir.join(crate::config::FEEDS_DIR).exists() {
        bail!(
            "{}: already holds a site (omroep.toml or feeds/); choose an empty folder",
            dir.display()
        );
    }
    for (path, _) in files {
        if dir.join(path).exists() {
            bail!(
                "{}: already exists; omroep init never overwrites, choose an empty folder",
                dir.join(path).display()
            );
        }
    }
    for (path, bytes) in files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create the folder", parent.display()))?;
        }
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&full)
            .with_context(|| format!("{}: cannot create", full.display()))?;
        file.write_all(bytes)
            .with_context(|| format!("{}: cannot write", full.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_media_meet_the_podcast_rules() {
        let art = crate::ingest::artwork::inspect(ARTWORK_JPG).unwrap();
        assert_eq!((art.width, art.height), (1400, 1400));
        assert!(crate::ingest::artwork::warnings(&art).is_empty());
        assert_eq!(&EPISODE_MP3[..3], b"ID3");
    }

    #[test]
    fn refuses_a_folder_that_holds_a_site() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("omroep.toml"), "title = \"x\"").unwrap();
        let error = create(dir.path(), &scaffold("2024-01-02", "2024-01-01")).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("already holds a site (omroep.toml or feeds/); choose an empty folder")
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("omroep.toml")).unwrap(),
            "title = \"x\""
        );
    }
}
