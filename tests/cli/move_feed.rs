//! `omroep move-feed`: the move recorded in the feed definition, the built feed carrying
//! `itunes:new-feed-url` with the same `podcast:guid`, and the redirect rules printed.

use crate::site_env::{TestEnv, assert_outcome};

const MOVED: &str = "\
feed `podcast` moves from https://example.org/podcast/podcast.xml to https://new.example/show.xml
recorded in feeds/podcast.toml: new_feed_url = https://new.example/show.xml, guid = 4b71b814-4cc2-5e86-acda-721f22857c35 (podcast:guid stays)
the next build writes <itunes:new-feed-url> into public/podcast/podcast.xml

# nginx (inside the old site's server block)
location = /podcast/podcast.xml {
    return 301 https://new.example/show.xml;
}

# Apache (.htaccess or the old site's virtual host)
Redirect 301 /podcast/podcast.xml https://new.example/show.xml

# Caddy (inside the old site's block)
redir /podcast/podcast.xml https://new.example/show.xml 301

# Netlify or Cloudflare Pages (a _redirects file at the top of the old site)
/podcast/podcast.xml https://new.example/show.xml 301
";

fn podcast_guid(feed: &str) -> &str {
    let start = feed.find("<podcast:guid>").expect("a podcast:guid") + "<podcast:guid>".len();
    let end = feed[start..].find('<').expect("its end") + start;
    &feed[start..end]
}

#[test]
fn the_move_is_recorded_built_and_redirected() {
    let env = TestEnv::site();
    assert_eq!(env.run(&["build"]).code, 0);
    let before = env.read("public/podcast/podcast.xml");
    assert_eq!(
        podcast_guid(&before),
        "4b71b814-4cc2-5e86-acda-721f22857c35"
    );
    assert!(!before.contains("new-feed-url"));

    assert_outcome(
        &env.run(&["move-feed", "https://new.example/show.xml"]),
        0,
        MOVED,
        "",
    );
    let definition = env.read("feeds/podcast.toml");
    assert!(
        definition.contains(
            "type = \"episodic\"\n\nnew_feed_url = \"https://new.example/show.xml\"\nguid = \"4b71b814-4cc2-5e86-acda-721f22857c35\"\n\n[[category]]"
        ),
        "{definition}"
    );

    let built = env.run(&["build"]);
    assert_eq!(built.code, 0, "{built:?}");
    let after = env.read("public/podcast/podcast.xml");
    assert!(
        after.contains("<itunes:new-feed-url>https://new.example/show.xml</itunes:new-feed-url>"),
        "{after}"
    );
    assert_eq!(podcast_guid(&after), podcast_guid(&before));

    // Moving again replaces the address; the pinned guid stays as it is.
    let again = env.run(&[
        "move-feed",
        "https://newer.example/show.xml",
        "--feed",
        "podcast",
    ]);
    assert_eq!(again.code, 0, "{again:?}");
    let definition = env.read("feeds/podcast.toml");
    assert!(
        definition.contains("new_feed_url = \"https://newer.example/show.xml\"\nguid = \"4b71b814")
    );
    assert_eq!(definition.matches("new_feed_url").count(), 1);
}

#[test]
fn a_blog_gets_redirects_only_and_mistakes_are_refused() {
    let env = TestEnv::site();
    let definition = env.read("feeds/blog.toml");
    let blog = env.run(&[
        "move-feed",
        "https://new.example/blog.xml",
        "--feed",
        "blog",
    ]);
    assert_eq!(blog.code, 0, "{blog:?}");
    assert!(blog.stdout.starts_with(
        "feed `blog` moves from https://example.org/blog/rss.xml to https://new.example/blog.xml\n\
         nothing recorded: a blog feed has no element that announces a move; the redirects below do it\n\n"
    ));
    assert!(
        blog.stdout
            .ends_with("/blog/rss.xml https://new.example/blog.xml 301\n")
    );
    assert_eq!(env.read("feeds/blog.toml"), definition);

    assert_outcome(
        &env.run(&["move-feed", "https://new.example/x.xml", "--feed", "nope"]),
        2,
        "",
        "omroep: error: --feed nope: no such feed; the feeds are: blog, podcast\n",
    );
    assert_outcome(
        &env.run(&["move-feed", "https://example.org/podcast/podcast.xml"]),
        2,
        "",
        "omroep: error: https://example.org/podcast/podcast.xml: that is where feed `podcast` is now\n",
    );
    assert_outcome(
        &env.run(&["move-feed", "new.example/show.xml"]),
        2,
        "",
        "omroep: error: new.example/show.xml: not an http(s) URL; give the feed's full new address\n",
    );
}
