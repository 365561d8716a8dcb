//! Config errors reach the user as one line each: file, line, key, and what is expected.

use crate::site_env::{TestEnv, assert_outcome};

#[test]
fn an_unknown_key_names_file_line_and_key() {
    let env = TestEnv::site();
    env.write(
        "feeds/podcast.toml",
        &env.read("feeds/podcast.toml")
            .replace("explicit = false", "explcit = false"),
    );
    let outcome = env.run(&["build"]);
    assert_outcome(
        &outcome,
        2,
        "",
        "omroep: error: feeds/podcast.toml:5: key `explcit`: unknown key; expected one of \
         `kind`, `title`, `description`, `language`, `source`, `filter`, `limit`, `formats`, \
         `path`, `artwork`, `copyright`, `author`, `category`, `explicit`, `owner`, `type`, \
         `guid`, `locked`, `funding`, `person`, `medium`, `complete`, `block`, `new_feed_url`\n",
    );
    assert!(
        !env.path("public").exists(),
        "nothing is built from a broken config"
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let env = TestEnv::site();
    env.write(
        "feeds/podcast.toml",
        &env.read("feeds/podcast.toml")
            .replace("name = \"Education\"", "name = \"Educaton\"")
            .replace("type = \"episodic\"", "type = \"weekly\""),
    );
    env.write(
        "feeds/blog.toml",
        &format!("limit = 0\n{}", env.read("feeds/blog.toml")),
    );
    assert_outcome(
        &env.run(&["build"]),
        2,
        "",
        "\
omroep: error: feeds/blog.toml:1: key `limit`: expected a number of entries of at least 1, found 0
omroep: error: feeds/podcast.toml:6: key `type`: `weekly` is not allowed; expected `episodic` or `serial`
",
    );
    env.write(
        "feeds/podcast.toml",
        &env.read("feeds/podcast.toml")
            .replace("type = \"weekly\"", "type = \"serial\""),
    );
    assert_outcome(
        &env.run(&["build"]),
        2,
        "",
        "\
omroep: error: feeds/blog.toml:1: key `limit`: expected a number of entries of at least 1, found 0
omroep: error: feeds/podcast.toml:9: key `category[1].name`: `Educaton` is not an Apple Podcasts category; expected one of: Arts, Business, Comedy, Education, Fiction, Government, History, Health & Fitness, Kids & Family, Leisure, Music, News, Religion & Spirituality, Science, Society & Culture, Sports, Technology, True Crime, TV & Film
",
    );
}

#[test]
fn a_missing_site_file_says_how_to_start() {
    let env = TestEnv::empty();
    std::fs::create_dir_all(env.root()).expect("a folder");
    let outcome = env.run(&["build"]);
    assert_eq!((outcome.code, outcome.stdout.as_str()), (2, ""));
    assert!(
        outcome
            .stderr
            .starts_with("omroep: error: omroep.toml: not found in ")
            && outcome.stderr.ends_with(
                " or any parent folder; run `omroep init` to create a site, or pass --config PATH\n"
            ),
        "{}",
        outcome.stderr
    );
}
