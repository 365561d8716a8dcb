//! `omroep parse`: files, standard input, URLs served locally, several sources as JSON
//! Lines, the human summary, and the errors a user meets.

use serde_json::{Value, json};

use crate::support::{Route, omroep, serve};

const SHOW: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel>
<title>De Show</title>
<link>https://show.example/</link>
<description>Een podcast</description>
<language>nl</language>
<itunes:explicit>no</itunes:explicit>
<item>
<title>Aflevering 2</title>
<guid isPermaLink="false">ep-2</guid>
<pubDate>Tue, 05 Mar 2024 09:00:00 GMT</pubDate>
<enclosure url="/media/2.mp3" type="audio/mpeg" length="1234"/>
<itunes:duration>30:34</itunes:duration>
</item>
<item>
<title>Aflevering 1</title>
<guid isPermaLink="false">ep-1</guid>
<pubDate>someday</pubDate>
</item>
</channel>
</rss>
"#;

fn show_json() -> Value {
    json!({
        "format": "rss2.0",
        "title": "De Show",
        "link": "https://show.example/",
        "description": "Een podcast",
        "language": "nl",
        "podcast": {"explicit": false},
        "entries": [
            {
                "id": "ep-2",
                "guid": "ep-2",
                "guid_is_permalink": false,
                "title": "Aflevering 2",
                "published": "2024-03-05T09:00:00Z",
                "enclosures": [{
                    "url": "https://show.example/media/2.mp3",
                    "mime_type": "audio/mpeg",
                    "length": 1234
                }],
                "podcast": {"duration_seconds": 1834}
            },
            {
                "id": "ep-1",
                "guid": "ep-1",
                "guid_is_permalink": false,
                "title": "Aflevering 1"
            }
        ],
        "warnings": ["entry 2: pubDate \"someday\" is not a date omroep can read; omitted"]
    })
}

fn folder_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, content) in files {
        std::fs::write(dir.path().join(name), content).expect("the test file is written");
    }
    dir
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

#[test]
fn one_file_as_json_is_the_contract_object() {
    let dir = folder_with(&[("show.xml", SHOW)]);
    let out = omroep(dir.path(), &["parse", "show.xml", "--json"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    assert!(out.stdout.ends_with("}\n"));
    assert_eq!(json_of(&out.stdout), show_json());
}

#[test]
fn the_human_summary() {
    let dir = folder_with(&[("show.xml", SHOW)]);
    let out = omroep(dir.path(), &["parse", "show.xml"], b"");
    assert_eq!(out.code, 0);
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.stdout,
        "format:   rss2.0\n\
         title:    De Show\n\
         link:     https://show.example/\n\
         entries:  2\n\
         \x20 2024-03-05  Aflevering 2\n\
         \x20 ----------  Aflevering 1\n\
         warnings: 1\n\
         \x20 - entry 2: pubDate \"someday\" is not a date omroep can read; omitted\n"
    );
}

#[test]
fn standard_input() {
    let dir = folder_with(&[]);
    let out = omroep(dir.path(), &["parse", "-", "--json"], SHOW.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(json_of(&out.stdout), show_json());
}

#[test]
fn several_sources_are_json_lines_and_one_failure_does_not_stop_the_others() {
    let dir = folder_with(&[
        ("show.xml", SHOW),
        (
            "page.html",
            "<!DOCTYPE html><html><head><title>x</title></head></html>",
        ),
    ]);
    let out = omroep(
        dir.path(),
        &[
            "parse",
            "show.xml",
            "missing.xml",
            "page.html",
            "-",
            "--json",
        ],
        SHOW.as_bytes(),
    );
    assert_eq!(out.code, 1);
    let lines: Vec<Value> = out.stdout.lines().map(json_of).collect();
    let mut expected_show = show_json();
    expected_show["source"] = json!("show.xml");
    let mut expected_stdin = show_json();
    expected_stdin["source"] = json!("-");
    assert_eq!(
        lines,
        vec![
            expected_show,
            json!({
                "source": "missing.xml",
                "error": "missing.xml: could not open (No such file or directory (os error 2)); check the path"
            }),
            json!({
                "source": "page.html",
                "error": "page.html: got an HTML page, not a feed; it links to no feed (no <link rel=\"alternate\">)"
            }),
            expected_stdin,
        ]
    );
    // Each line starts with its source, so a reader can tell them apart at a glance.
    assert!(
        out.stdout
            .lines()
            .all(|line| line.starts_with("{\"source\":"))
    );
    assert_eq!(
        out.stderr,
        "omroep: error: missing.xml: could not open (No such file or directory (os error 2)); check the path\n\
         omroep: error: page.html: got an HTML page, not a feed; it links to no feed (no <link rel=\"alternate\">)\n"
    );
}

#[test]
fn a_single_failing_source_prints_nothing_on_stdout() {
    let dir = folder_with(&[("notes.xml", "<?xml version=\"1.0\"?><notes><note/></notes>")]);
    let out = omroep(dir.path(), &["parse", "notes.xml", "--json"], b"");
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "omroep: error: notes.xml: not a feed: the root element is <notes>, not <rss>, <rdf:RDF> or <feed>\n"
    );
}

#[test]
fn documents_over_the_size_limit_are_refused() {
    let dir = folder_with(&[("show.xml", SHOW)]);
    let out = omroep(
        dir.path(),
        &["parse", "show.xml", "--max-bytes", "100"],
        b"",
    );
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        format!(
            "omroep: error: show.xml: document is {} bytes, over the limit of 100 bytes; raise --max-bytes if it is really a feed\n",
            SHOW.len()
        )
    );
}

#[test]
fn a_url_is_fetched_and_its_final_address_is_the_base() {
    // No channel link: relative URLs resolve against the URL the feed came from, after
    // the redirect. The bytes are ISO-8859-1 and only the HTTP header says so.
    let mut body = b"<rss version=\"2.0\"><channel><title>Caf".to_vec();
    body.push(0xe9);
    body.extend_from_slice(
        b"</title><item><title>One</title><link>posts/1.html</link>\
          <enclosure url=\"../media/1.mp3\" type=\"audio/mpeg\" length=\"5\"/></item></channel></rss>",
    );
    let base = serve(vec![
        Route::redirect("/old.xml", "/feeds/rss.xml"),
        Route::ok(
            "/feeds/rss.xml",
            "application/rss+xml; charset=ISO-8859-1",
            body,
        ),
    ]);
    let dir = folder_with(&[]);
    let url = format!("{base}/old.xml");
    let out = omroep(dir.path(), &["parse", &url, "--json"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    let id = format!("{base}/feeds/posts/1.html");
    assert_eq!(
        json_of(&out.stdout),
        json!({
            "format": "rss2.0",
            "title": "Café",
            "entries": [{
                "id": id,
                "title": "One",
                "link": id,
                "enclosures": [{
                    "url": format!("{base}/media/1.mp3"),
                    "mime_type": "audio/mpeg",
                    "length": 5
                }]
            }]
        })
    );
}

#[test]
fn an_http_charset_outside_the_whatwg_list_is_read() {
    // DOS code page 850 bytes, named only by the header, in a spelling WHATWG does not
    // list; the declaration is wrong. Read as windows-1252, 0x82 would be `‚`.
    let body = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\
        <rss version=\"2.0\"><channel><title>Caf\x82 \x9c5</title>\
        <link>https://example.org/</link></channel></rss>"
        .to_vec();
    let base = serve(vec![Route::ok(
        "/feed.xml",
        "application/rss+xml; charset=\"IBM_850\"",
        body,
    )]);
    let dir = folder_with(&[]);
    let url = format!("{base}/feed.xml");
    let out = omroep(dir.path(), &["parse", &url, "--json"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    assert_eq!(
        json_of(&out.stdout),
        json!({
            "format": "rss2.0",
            "title": "Caf\u{e9} \u{a3}5",
            "link": "https://example.org/"
        })
    );
}

#[test]
fn an_html_page_at_a_url_names_its_feeds() {
    let page = r#"<!DOCTYPE html><html><head>
        <link rel="alternate" type="application/rss+xml" href="/feed.xml">
        <link rel="alternate" type="application/feed+json" href="feed.json">
        </head><body></body></html>"#;
    let base = serve(vec![Route::ok("/blog/", "text/html; charset=utf-8", page)]);
    let dir = folder_with(&[]);
    let url = format!("{base}/blog/");
    let out = omroep(dir.path(), &["parse", &url], b"");
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        format!(
            "omroep: error: {url}: got an HTML page, not a feed; use one of its feeds: {base}/feed.xml, {base}/blog/feed.json\n"
        )
    );
}

#[test]
fn http_errors_and_oversized_bodies() {
    let big = Route {
        chunked: true,
        ..Route::ok("/big.xml", "application/rss+xml", vec![b' '; 5000])
    };
    let base = serve(vec![big]);
    let dir = folder_with(&[]);
    let missing = format!("{base}/missing.xml");
    let oversized = format!("{base}/big.xml");
    let out = omroep(
        dir.path(),
        &[
            "parse",
            &missing,
            &oversized,
            "--max-bytes",
            "4096",
            "--json",
        ],
        b"",
    );
    assert_eq!(out.code, 1);
    let lines: Vec<Value> = out.stdout.lines().map(json_of).collect();
    assert_eq!(
        lines,
        vec![
            json!({"source": missing, "error": format!("{missing}: the server answered HTTP 404 Not Found")}),
            json!({"source": oversized, "error": format!("{oversized}: document is over the limit of 4096 bytes; raise --max-bytes if it is really a feed")}),
        ]
    );
}

#[test]
fn a_url_nobody_answers_is_an_error_not_a_hang() {
    // Bind a port, then free it: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port");
    let url = format!("http://127.0.0.1:{port}/feed.xml");
    let dir = folder_with(&[]);
    let out = omroep(dir.path(), &["parse", &url], b"");
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with(&format!("omroep: error: {url}: could not connect: ")),
        "{}",
        out.stderr
    );
    assert_eq!(out.stderr.lines().count(), 1);
}

#[test]
fn content_location_is_the_base_and_content_language_the_fallback_language() {
    let body = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry>
        <link rel="alternate" type="text/html" href="/relative/link"/></entry></feed>"#;
    let located = Route {
        path: "/feed.atom",
        head: "HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\n\
               Content-Location: http://example.com/\r\nContent-Language: en, nl\r\n"
            .into(),
        body: body.into(),
        chunked: false,
        etag: None,
    };
    let french = Route {
        path: "/fr.xml",
        head: "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Language: en\r\n".into(),
        body: "<rss><channel><language>fr</language></channel></rss>".into(),
        chunked: false,
        etag: None,
    };
    let base = serve(vec![located, french]);
    let dir = folder_with(&[]);
    let atom = format!("{base}/feed.atom");
    let rss = format!("{base}/fr.xml");
    let out = omroep(dir.path(), &["parse", &atom, &rss, "--json"], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<Value> = out.stdout.lines().map(json_of).collect();
    assert_eq!(
        lines,
        vec![
            json!({
                "source": atom,
                "format": "atom0.3",
                "language": "en",
                "entries": [{
                    "id": "http://example.com/relative/link",
                    "link": "http://example.com/relative/link"
                }]
            }),
            json!({"source": rss, "format": "rss2.0", "language": "fr"}),
        ]
    );
}
