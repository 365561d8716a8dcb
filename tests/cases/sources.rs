//! `omroep sources`: every source with its state, `--failing`, `--json`, `--enable`.

use crate::support::{Reply, Server, Site, json_feed, redirect, response, stderr, stdout};

#[test]
fn sources_lists_states_and_failing_lists_those_that_need_attention() {
    let feed = json_feed("Good", &[("https://blog.example/1", "One", None)]);
    let server = Server::start(move |hit| match hit.path.as_str() {
        "/good" | "/new-home" => Reply::Raw(response(200, &[], &feed)),
        "/moved" => redirect(301, "/new-home"),
        "/gone" => Reply::Raw(response(410, &[], b"")),
        _ => Reply::Raw(response(500, &[], b"")),
    });
    let [good, moved, gone, broken] =
        ["/good", "/moved", "/gone", "/broken"].map(|path| server.url(path));
    let site = Site::new(&[
        ("blog", vec![good.clone(), moved.clone()]),
        ("planet", vec![good.clone(), gone.clone(), broken.clone()]),
    ]);
    // Before any run every source is new.
    let json: serde_json::Value =
        serde_json::from_slice(&site.run(&["sources", "--json"]).stdout).unwrap();
    let states: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["new"; 4]);

    assert_eq!(site.run(&["ingest"]).status.code(), Some(1));

    let listing = site.run(&["sources"]);
    assert_eq!(listing.status.code(), Some(0));
    let text = stdout(&listing);
    assert!(
        text.contains(&format!(
            "ok       {good}  [blog, planet] 1 entries  \"Good\"\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "         moved permanently to {}; update the feed definition\n",
            server.url("/new-home")
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("retired  {gone}  [planet] 0 entries\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "`omroep sources --enable {gone}` fetches it again"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("failing  {broken}  [planet] 0 entries\n")),
        "{text}"
    );
    assert!(
        text.contains(
            "         error: the server answered 500 Internal Server Error (1 failures in a row)\n"
        ),
        "{text}"
    );

    let failing = site.run(&["sources", "--failing", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&failing.stdout).unwrap();
    let urls: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, [moved.as_str(), gone.as_str(), broken.as_str()]);
    assert_eq!(rows[0]["moved_to"], server.url("/new-home"));
    assert_eq!(rows[1]["state"], "retired");
    assert_eq!(rows[1]["last_status"], 410);
    assert_eq!(rows[2]["consecutive_failures"], 1);
    assert!(rows[2]["next_fetch"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn enable_brings_a_retired_source_back() {
    let server = Server::start(|_| Reply::Raw(response(410, &[], b"")));
    let gone = server.url("/gone");
    let site = Site::new(&[("planet", vec![gone.clone()])]);
    site.run(&["ingest"]);
    site.run(&["ingest"]);
    assert_eq!(server.hits().len(), 1);

    let enabled = site.run(&["sources", "--enable", &gone]);
    assert_eq!(enabled.status.code(), Some(0));
    assert_eq!(
        stderr(&enabled),
        format!("{gone}: enabled; the next ingest fetches it\n")
    );
    site.run(&["ingest"]);
    assert_eq!(server.hits().len(), 2);

    let unknown = site.run(&["sources", "--enable", "https://nowhere.example/"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("the store has no such source"));
}
