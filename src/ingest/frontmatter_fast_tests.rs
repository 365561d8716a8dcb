//! Differential tests of the YAML fast path (`simple_yaml`) against serde-saphyr
//! (`saphyr_yaml`): whenever the fast path accepts a block, its fields (keys, lines, values
//! and their types) must equal serde-saphyr's. Blocks come from the fixtures, the bench
//! generators' shapes, and mutations that put every YAML special character at every
//! position and every tricky scalar in every value slot.

use super::*;

/// Asserts the fast path agrees with serde-saphyr on `block`; returns whether it accepted.
fn agrees(block: &str) -> bool {
    let Some(fast) = simple_yaml(block) else {
        return false;
    };
    match saphyr_yaml(block) {
        Ok(slow) => assert_eq!(fast, slow, "fast path differs on block {block:?}"),
        Err(e) => panic!("fast path accepted a block serde-saphyr refuses ({e}): {block:?}"),
    }
    true
}

/// The YAML block of a file beginning with `---`, up to its closing fence.
fn yaml_block(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest
        .find("\n---\n")
        .map(|i| i + 1)
        .or_else(|| rest.starts_with("---\n").then_some(0))?;
    Some(&rest[..end])
}

fn markdown_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

#[test]
fn the_fast_path_matches_serde_saphyr_on_every_fixture() {
    let mut files = Vec::new();
    markdown_files(std::path::Path::new("fixtures"), &mut files);
    markdown_files(std::path::Path::new("tests"), &mut files);
    let mut blocks = 0;
    let mut accepted = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if let Some(block) = yaml_block(&text) {
            blocks += 1;
            accepted += usize::from(agrees(block));
        }
    }
    assert!(blocks >= 10, "only {blocks} YAML fixtures found");
    assert!(
        accepted >= 3,
        "the fast path took only {accepted} of {blocks} fixtures"
    );
}

/// The front matter shapes of `benches/build.sh` and `benches/local_content.rs`.
const BENCH_SHAPES: [&str; 3] = [
    "title: Post 7 of blog-a\ndate: 2024-03-05T09:00:00Z\nslug: blog-a-00007\ntags: [rust, feeds, t3]\n",
    "title: Episode 12\ndate: 2024-01-05T06:00:00Z\nslug: episode-00012\naudio: audio/00012.mp3\nepisode: 13\nexplicit: false\n",
    "title: Post number 3\ndate: 2023-04-05\ntags: [coaching, t3]\nlang: nl\nauthors: [Anne de Vries]\n",
];

#[test]
fn the_bench_shapes_take_the_fast_path_with_serde_saphyrs_result() {
    for block in BENCH_SHAPES {
        assert!(agrees(block), "fast path declined {block:?}");
    }
    let fields = simple_yaml(BENCH_SHAPES[1]).unwrap();
    assert_eq!(fields[4].value, Value::Integer(13));
    assert_eq!(fields[5].value, Value::Bool(false));
    assert_eq!(fields[5].line, 7);
}

#[test]
fn every_special_character_at_every_position_reads_as_serde_saphyr_reads_it() {
    let specials: Vec<char> = (' '..='~')
        .filter(|c| !c.is_ascii_alphanumeric())
        .chain([
            '\t', '\r', '\n', 'é', '\u{a0}', '\u{85}', '\u{2028}', '\u{feff}', '\u{7f}',
        ])
        .collect();
    let bases = [
        "title: Hallo, wereld\ndate: 2024-03-05T09:00:00+01:00\ntags: [a, b2]\n",
        "n: 12\nx:\nurl: https://example.org/a?b=c\n",
    ];
    let mut accepted = 0;
    let mut tried = 0;
    for base in bases {
        let boundaries: Vec<usize> = (0..=base.len())
            .filter(|&i| base.is_char_boundary(i))
            .collect();
        for &at in &boundaries {
            for &c in &specials {
                let mut inserted = base.to_string();
                inserted.insert(at, c);
                tried += 1;
                accepted += usize::from(agrees(&inserted));
                if at < base.len() {
                    let mut replaced = base.to_string();
                    let old = replaced[at..].chars().next().unwrap();
                    replaced.replace_range(at..at + old.len_utf8(), c.encode_utf8(&mut [0; 4]));
                    tried += 1;
                    accepted += usize::from(agrees(&replaced));
                }
            }
        }
    }
    // The mutations must exercise the fast path, not only its refusals.
    assert!(
        accepted * 10 > tried,
        "fast path accepted {accepted} of {tried}"
    );
}

#[test]
fn tricky_scalars_in_every_slot_read_as_serde_saphyr_reads_them() {
    let scalars = [
        "",
        "~",
        "null",
        "Null",
        "NULL",
        "nULL",
        "true",
        "True",
        "TRUE",
        "tRUE",
        "yes",
        "Yes",
        "y",
        "Y",
        "n",
        "N",
        "no",
        "on",
        "On",
        "off",
        "OFF",
        "false",
        "0",
        "-0",
        "00",
        "007",
        "7",
        "-7",
        "+7",
        "1_000",
        "123456789012345678",
        "1234567890123456789",
        "99999999999999999999",
        "-9223372036854775808",
        "1.5",
        "1e3",
        "1E3",
        ".5",
        "5.",
        ".inf",
        "-.inf",
        ".nan",
        "inf",
        "Infinity",
        "nan",
        "NaN",
        "0x1f",
        "0o17",
        "0b101",
        "0X1F",
        "12:30",
        "1:20:30",
        "2024-03-05",
        "2024-03-05T09:00:00Z",
        "2024-03-05 09:00:00",
        "2024-03-05t09:00:00z",
        "2024-03-05T09:00:00+01:00",
        "2024-03-05T09:00:00.5-05:30",
        "2024-3-5",
        "2024-03-05T",
        "2024-03-05T09",
        "20240305",
        "a: b",
        "a:b",
        "a:",
        "a #b",
        "a#b",
        "C#",
        "- a",
        "-a",
        "?",
        "? a",
        ":a",
        "<<",
        "=",
        "a,b",
        "[a]",
        "[a, b]",
        "[a,b]",
        "[ a , b ]",
        "[]",
        "[ ]",
        "[a, ]",
        "[, a]",
        "[a, [b]]",
        "[a, {b: c}]",
        "[a: b]",
        "[1, true, ~, null, 2024-03-05]",
        "{a: b}",
        "'a'",
        "\"a\"",
        "a'b",
        "a\"b",
        "a\\nb",
        "&a b",
        "*a",
        "!t a",
        "!!str 1",
        "| a",
        "> a",
        "%a",
        "@a",
        "`a",
        "a  b",
        "a ",
        "Één",
        "ß",
        "/path/to/x.mp3",
        "_x",
        "x_",
        "a b c",
        "https://example.org/x?y=1&z=2#top",
        "mailto:a@b.nl",
    ];
    let keys = [
        "title", "on", "y", "null", "_k", "a-b", "2024", "k k", "<<", "\"q\"", "é",
    ];
    for value in scalars {
        for block in [
            format!("title: {value}\n"),
            format!("a: 1\ntitle: {value}\nb: x\n"),
            format!("tags: [{value}]\n"),
            format!("tags: [x, {value}, y]\n"),
            format!("title:  {value}  \r\n"),
        ] {
            agrees(&block);
        }
    }
    for key in keys {
        agrees(&format!("{key}: x\n"));
        agrees(&format!("a: 1\n{key}: x\n"));
    }
}

#[test]
fn the_fast_path_declines_what_it_does_not_fully_understand() {
    for block in [
        "title: 'quoted'\n",
        "title: x # comment\n",
        "# comment\ntitle: x\n",
        "title: a: b\n",
        "a: &anchor x\nb: *anchor\n",
        "title: !tag x\n",
        "summary: |\n  text\n",
        "summary: >\n  text\n",
        "tags:\n  - a\n",
        "tags:\n- a\n",
        "title: x\n---\nb: y\n",
        "title:\tx\n",
        "title: x\ntitle: y\n",
        "on: x\n",
        "n: 1.5\n",
        "n: 007\n",
        "title: multi\n  line\n",
    ] {
        assert!(simple_yaml(block).is_none(), "fast path took {block:?}");
    }
}

#[test]
fn blocks_past_serde_saphyrs_limits_are_left_to_it() {
    // A key longer than serde-saphyr's key scan, more fields or list items than its event
    // budget: the fast path must decline each (it accepted all three once; `agrees` panics
    // on a block the fast path reads and serde-saphyr refuses).
    let long_key = format!("k{}: x\n", "a".repeat(1100));
    let many_fields: String = (0..6000).map(|i| format!("k{i}: x\n")).collect();
    let long_list = format!("tags: [{}]\n", vec!["a"; 20_000].join(", "));
    for block in [&long_key, &many_fields, &long_list] {
        assert!(
            !agrees(block),
            "fast path read a block of {} bytes",
            block.len()
        );
    }
    // Just inside both limits the fast path still reads the block.
    let key = format!("k{}: x\n", "a".repeat(SIMPLE_KEY_MAX_BYTES - 1));
    assert!(agrees(&key));
    let fields: String = (0..500).map(|i| format!("k{i}: x\n")).collect();
    assert!(agrees(&fields));
}
