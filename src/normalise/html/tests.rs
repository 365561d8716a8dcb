//! The sanitiser's cases: what it keeps, the classic XSS vectors, the tree rules and
//! URL resolution.

use super::*;

fn clean(html: &str) -> String {
    sanitise_relative_to(html, None)
}

fn clean_with_base(html: &str) -> String {
    sanitise_relative_to(html, Some("http://example.com/blog/post/"))
}

/// Runs a table of (input, expected output) cases and reports every failure at once.
fn check(cases: &[(&str, &str)], sanitise: fn(&str) -> String) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(input, expected)| {
            let got = sanitise(input);
            (got != *expected)
                .then(|| format!("{input:?}\n  expected {expected:?}\n  got      {got:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn keeps_ordinary_blog_markup() {
    check(
        &[
            ("safe <b>description</b>", "safe <b>description</b>"),
            ("<p>One</p><p>Two</p>", "<p>One</p><p>Two</p>"),
            ("<h2 id=\"x\">T</h2>", "<h2 id=\"x\">T</h2>"),
            (
                "<ul><li>a</li><li>b</li></ul>",
                "<ul><li>a</li><li>b</li></ul>",
            ),
            (
                "<blockquote cite=\"https://x.test/\">q</blockquote>",
                "<blockquote cite=\"https://x.test/\">q</blockquote>",
            ),
            (
                "<pre><code>let x = 1 &lt; 2;</code></pre>",
                "<pre><code>let x = 1 &lt; 2;</code></pre>",
            ),
            ("<span abbr=\"\"></span>", "<span abbr=\"\"></span>"),
            ("<span checked></span>", "<span checked=\"\"></span>"),
            ("<img>", "<img />"),
            ("<br></br>", "<br />"),
            ("<hr/>", "<hr />"),
            ("<div/>text", "<div></div>text"),
            (
                "<figure><img src=\"https://x.test/a.jpg\" alt=\"A\"><figcaption>c</figcaption></figure>",
                "<figure><img alt=\"A\" src=\"https://x.test/a.jpg\" /><figcaption>c</figcaption></figure>",
            ),
            (
                "<audio controls src=\"https://x.test/a.mp3\"></audio>",
                "<audio controls=\"\" src=\"https://x.test/a.mp3\"></audio>",
            ),
            (
                "<video poster=\"https://x.test/p.jpeg\" preload=\"auto\"><source src=\"https://x.test/v.mp4\" type=\"video/mp4\"><track kind=\"captions\" src=\"https://x.test/c.vtt\" srclang=\"nl\"></video>",
                "<video poster=\"https://x.test/p.jpeg\" preload=\"auto\"><source src=\"https://x.test/v.mp4\" type=\"video/mp4\" /><track kind=\"captions\" src=\"https://x.test/c.vtt\" srclang=\"nl\" /></video>",
            ),
            (
                "<table><tr><td>1</td><td>2</td></tr></table>",
                "<table><tr><td>1</td><td>2</td></tr></table>",
            ),
            ("<ruby>漢<rt>kan</rt></ruby>", "<ruby>漢<rt>kan</rt></ruby>"),
            (
                "<a href=\"https://x.test/\" title=\"t\" target=\"_blank\" rel=\"nofollow\">x</a>",
                "<a href=\"https://x.test/\" rel=\"nofollow\" target=\"_blank\" title=\"t\">x</a>",
            ),
        ],
        clean,
    );
}

#[test]
fn attributes_are_sorted_deduplicated_and_requoted() {
    check(
        &[
            ("<img src=a.png alt=x>", "<img alt=\"x\" src=\"a.png\" />"),
            (
                "<img border=\"0\" i$=\"true\" src=\"http://site.invalid/img.jpg\" />",
                "<img border=\"0\" src=\"http://site.invalid/img.jpg\" />",
            ),
            (
                "<span title=\"first\" TITLE=\"second\">x</span>",
                "<span title=\"first\">x</span>",
            ),
            (
                "<span title='say \"hi\"'>x</span>",
                "<span title=\"say &quot;hi&quot;\">x</span>",
            ),
            (
                "<span title=\"a<b>c&amp;d\">x</span>",
                "<span title=\"a&lt;b&gt;c&amp;d\">x</span>",
            ),
            ("<SPAN CLASS=Big>x</SPAN>", "<span class=\"Big\">x</span>"),
            (
                "<span title=\"&eacute;&#233;\">x</span>",
                "<span title=\"éé\">x</span>",
            ),
        ],
        clean,
    );
}

/// Attributes come out in name order whatever order they are written in, and a repeated
/// name (in any case) keeps its first usable value: the same tag as when written in order
/// once each.
#[test]
fn attributes_out_of_order_or_repeated_are_sorted_and_deduplicated() {
    check(
        &[
            (
                "<a href=\"x\" title=\"t\">y</a>",
                "<a href=\"x\" title=\"t\">y</a>",
            ),
            (
                "<a title=\"t\" href=\"x\">y</a>",
                "<a href=\"x\" title=\"t\">y</a>",
            ),
            (
                "<a href=\"x\" title=\"t\" href=\"z\">y</a>",
                "<a href=\"x\" title=\"t\">y</a>",
            ),
            (
                "<span class=a CLASS=b>x</span>",
                "<span class=\"a\">x</span>",
            ),
            (
                "<a href=\"javascript:alert(1)\" href=\"http://ok.test/\">x</a>",
                "<a href=\"http://ok.test/\">x</a>",
            ),
            (
                "<a href=\"javascript:alert(1)\" title=t href=\"http://ok.test/\">x</a>",
                "<a href=\"http://ok.test/\" title=\"t\">x</a>",
            ),
            (
                "<img alt=a onerror=alert(1) src=\"http://x.test/i.png\" alt=b width=1 ALT=c>",
                "<img alt=\"a\" src=\"http://x.test/i.png\" width=\"1\" />",
            ),
            (
                "<img width=1 src=\"javascript:x\" alt=a>",
                "<img alt=\"a\" width=\"1\" />",
            ),
        ],
        clean,
    );
}

#[test]
fn text_is_decoded_and_escaped() {
    check(
        &[
            ("caf&eacute; &amp; bar", "café &amp; bar"),
            ("a &lt;script&gt; b", "a &lt;script&gt; b"),
            ("5 > 3 and 2 < 4", "5 &gt; 3 and 2 &lt; 4"),
            ("AT&T", "AT&amp;T"),
            ("&nbsp;x", "\u{a0}x"),
            ("&#146;quoted&#148;", "’quoted”"),
            ("line\r\nbreak\rhere", "line\nbreak\nhere"),
            ("nul\0byte\u{1}\u{b}", "nulbyte"),
            ("form\u{c}feed", "form feed"),
            ("bad\u{fffe}\u{ffff}chars\u{fffd}", "badchars\u{fffd}"),
            ("  \n padded \n ", "padded"),
            ("<![CDATA[<b>wrapped</b>]]>", "<b>wrapped</b>"),
            ("<![CDATA[<script></script>]]&gt;", "]]&gt;"),
            ("a]]>b", "a]]&gt;b"),
            ("x<y", "x&lt;y"),
        ],
        clean,
    );
}

#[test]
fn dangerous_elements_are_dropped_with_their_content() {
    check(
        &[
            (
                "safe<script type=\"text/javascript\">location.href='http:/'+'/example.com/';</script> description",
                "safe description",
            ),
            (
                "safe<SCRIPT>alert(1)</SCRIPT> description",
                "safe description",
            ),
            (
                "safe<ScRiPt>alert(1)</sCrIpT > description",
                "safe description",
            ),
            (
                "safe<script>document.write('</scr' + 'ipt>')</script> description",
                "safe description",
            ),
            (
                "safe<script/>alert(1)</script> description",
                "safe description",
            ),
            ("safe<script>alert(1)", "safe"),
            (
                "safe<style>b {color:red}</style> <b>description</b>",
                "safe <b>description</b>",
            ),
            ("<style>@import 'http://evil.test/x.css';</style>ok", "ok"),
            ("a<template><script>x</script><p>t</p></template>b", "ab"),
            (
                "a<svg onload=alert(1)><text>x</text><svg></svg></svg>b",
                "ab",
            ),
            ("a<svg/>b", "ab"),
            ("<svg><script>alert('</svg>')</script></svg>after", "after"),
        ],
        clean,
    );
}

#[test]
fn embedding_and_document_elements_are_unwrapped() {
    check(
        &[
            (
                "safe<applet code=\"foo.class\" codebase=\"http://example.com/\"></applet> <b>description</b>",
                "safe <b>description</b>",
            ),
            (
                "safe<embed src=\"http://example.com/\"> <b>description</b>",
                "safe <b>description</b>",
            ),
            (
                "safe<frameset rows=\"*\"><frame src=\"http://example.com/\"></frameset> <b>description</b>",
                "safe <b>description</b>",
            ),
            (
                "safe<iframe src=\"http://example.com/\"> <b>description</b></iframe>",
                "safe <b>description</b>",
            ),
            (
                "safe<link rel=\"stylesheet\" type=\"text/css\" href=\"http://example.com/evil.css\"> <b>description</b>",
                "safe <b>description</b>",
            ),
            (
                "safe<meta http-equiv=\"Refresh\" content=\"0; URL=http://example.com/\"> <b>description</b>",
                "safe <b>description</b>",
            ),
            (
                "safe<object classid=\"clsid:C932BA85-4374-101B-A56C-00AA003668DC\"> <b>description</b>",
                "safe <b>description</b>",
            ),
            ("<blink>safe</blink> description", "safe description"),
            (
                "<base href=\"http://evil.test/\"><a href=\"x\">x</a>",
                "<a href=\"x\">x</a>",
            ),
            (
                "<noscript><img src=\"https://x.test/real.jpg\"></noscript>",
                "<img src=\"https://x.test/real.jpg\" />",
            ),
            (
                "<form action=\"https://evil.test/\"><input type=password name=p><button>Log in</button></form>",
                "Log in",
            ),
            (
                "<html><head><title>T</title></head><body onload=\"x()\"><p>b</p></body></html>",
                "T<p>b</p>",
            ),
            ("<o:p>word</o:p>", "word"),
            ("<math><mi>x</mi><mo>=</mo><mn>2</mn></math>", "x=2"),
            ("<dialog open>over</dialog>", "over"),
        ],
        clean,
    );
}

#[test]
fn event_handlers_and_unknown_attributes_are_dropped() {
    let handlers = [
        "onabort",
        "onblur",
        "onchange",
        "onclick",
        "ondblclick",
        "onerror",
        "onfocus",
        "onkeydown",
        "onkeypress",
        "onkeyup",
        "onload",
        "onmousedown",
        "onmouseout",
        "onmouseover",
        "onmouseup",
        "onreset",
        "onresize",
        "onsubmit",
        "onunload",
        "ONERROR",
        "onpointerenter",
    ];
    for handler in handlers {
        let input = format!(
            "<img src=\"http://www.ragingplatypus.com/i/cam-full.jpg\" {handler}=\"location.href='http://www.ragingplatypus.com/';\" />"
        );
        assert_eq!(
            clean(&input),
            "<img src=\"http://www.ragingplatypus.com/i/cam-full.jpg\" />",
            "{handler}"
        );
    }
    check(
        &[
            (
                "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>x",
                "x",
            ),
            (
                "<a href=\"https://x.test/\" ping=\"https://tracker.test/\">x</a>",
                "<a href=\"https://x.test/\">x</a>",
            ),
            (
                "<div autofocus accesskey=x tabindex=1>x</div>",
                "<div tabindex=\"1\">x</div>",
            ),
            (
                "<span formaction=\"javascript:alert(1)\">x</span>",
                "<span>x</span>",
            ),
            ("<img src=x onerror=alert(1)>", "<img src=\"x\" />"),
            ("<img src=x onerror=\"alert(1)\"//>", "<img src=\"x\" />"),
            ("<img src=\"x\"onerror=\"alert(1)\">", "<img src=\"x\" />"),
            (
                "<img/src=x/onerror=alert(1)>",
                "<img src=\"x/onerror=alert(1)\" />",
            ),
        ],
        clean,
    );
}

#[test]
fn classic_xss_vectors() {
    check(
        &[
            // Scheme tricks: entities, control characters, whitespace, case.
            ("<a href=\"javascript:alert(1)\">x</a>", "<a>x</a>"),
            ("<a href=\"JaVaScRiPt:alert(1)\">x</a>", "<a>x</a>"),
            ("<a href=\" javascript:alert(1)\">x</a>", "<a>x</a>"),
            ("<a href=\"\u{1}javascript:alert(1)\">x</a>", "<a>x</a>"),
            ("<a href=\"jav&#x09;ascript:alert(1)\">x</a>", "<a>x</a>"),
            ("<a href=\"jav&#x0A;ascript:alert(1)\">x</a>", "<a>x</a>"),
            ("<a href=\"jav\tascript:alert(1)\">x</a>", "<a>x</a>"),
            ("<a href=\"java\0script:alert(1)\">x</a>", "<a>x</a>"),
            (
                "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
                "<a>x</a>",
            ),
            (
                "<a href=\"&#x6A;avascript&#x3A;alert(1)\">x</a>",
                "<a>x</a>",
            ),
            ("<a href=\"&#0000106avascript:alert(1)\">x</a>", "<a>x</a>"),
            ("<a href=\"javascript&colon;alert(1)\">x</a>", "<a>x</a>"),
            ("<a href=javascript:alert(1)>x</a>", "<a>x</a>"),
            ("<a href=\"vbscript:msgbox(1)\">x</a>", "<a>x</a>"),
            ("<a href=\"livescript:x\">x</a>", "<a>x</a>"),
            (
                "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
                "<a>x</a>",
            ),
            ("<a href=\"data:image/png;base64,AAAA\">x</a>", "<a>x</a>"),
            (
                "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\">",
                "<img />",
            ),
            (
                "<img src=\"data:image/png;base64,iVBORw0KGgo=\">",
                "<img src=\"data:image/png;base64,iVBORw0KGgo=\" />",
            ),
            ("<img src=\"file:///etc/passwd\">", "<img />"),
            // Markup tricks.
            ("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"),
            ("<<script>script>alert(1)</script>", "&lt;"),
            ("<!--><script>alert(1)</script>-->", "--&gt;"),
            ("<!-- <script>alert(1)</script> -->ok", "ok"),
            ("<!--[if IE]><script>alert(1)</script><![endif]-->ok", "ok"),
            (
                "<img src=\"x\" title=\"</script><script>alert(1)</script>\">",
                "<img src=\"x\" title=\"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;\" />",
            ),
            (
                "<a title=\"\" onmouseover=alert(1) \"\">x</a>",
                "<a title=\"\">x</a>",
            ),
            (
                "<img src=\"x\" alt='\"' onerror='alert(1)'>",
                "<img alt=\"&quot;\" src=\"x\" />",
            ),
            ("<a href=\"x\" title=\"unclosed>x</a> more", ""),
            // No `>` anywhere after: the `<` is text, escaped.
            (
                "<img src=\"x onerror=alert(1)",
                "&lt;img src=\"x onerror=alert(1)",
            ),
            (
                "<div style=\"background:url(javascript:alert(1))\">x</div>",
                "<div>x</div>",
            ),
            (
                "<div style=\"width: expression(alert(1))\">x</div>",
                "<div>x</div>",
            ),
            (
                "<div style=\"background-image: url(&#1;javascript:alert(1))\">x</div>",
                "<div>x</div>",
            ),
            (
                "<div style=\"-moz-binding: url(http://x.test/x.xml#xss)\">x</div>",
                "<div>x</div>",
            ),
            (
                "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
                "x",
            ),
            (
                "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
                "",
            ),
            ("<isindex type=image src=1 onerror=alert(1)>", ""),
            ("<input onfocus=alert(1) autofocus>", ""),
            (
                "<details open ontoggle=alert(1)>x</details>",
                "<details open=\"\">x</details>",
            ),
            (
                "<a href=\"https://x.test/\" target=\"_blank\">x</a>",
                "<a href=\"https://x.test/\" target=\"_blank\">x</a>",
            ),
            (
                "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
                "<p title=\"&lt;/noscript&gt;&lt;img src=x onerror=alert(1)&gt;\"></p>",
            ),
            (
                "<xmp><img src=x onerror=alert(1)></xmp>",
                "<img src=\"x\" />",
            ),
            (
                "<textarea></textarea><img src=x onerror=alert(1)>",
                "<img src=\"x\" />",
            ),
            (
                "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">ok",
                "ok",
            ),
            ("<body background=\"javascript:alert(1)\">ok", "ok"),
            (
                "<table background=\"javascript:alert(1)\"></table>",
                "<table></table>",
            ),
            (
                "<img lowsrc=\"javascript:alert(1)\" dynsrc=\"javascript:alert(1)\">",
                "<img />",
            ),
        ],
        clean,
    );
}

#[test]
fn urls_are_resolved_against_the_base() {
    check(
        &[
            (
                "<a href=\"other/\">x</a>",
                "<a href=\"http://example.com/blog/post/other/\">x</a>",
            ),
            (
                "<a href=\"/about\">x</a>",
                "<a href=\"http://example.com/about\">x</a>",
            ),
            (
                "<a href=\"../\">x</a>",
                "<a href=\"http://example.com/blog/\">x</a>",
            ),
            (
                "<a href=\"#c\">x</a>",
                "<a href=\"http://example.com/blog/post/#c\">x</a>",
            ),
            (
                "<a href=\"//cdn.test/x\">x</a>",
                "<a href=\"http://cdn.test/x\">x</a>",
            ),
            (
                "<a href=\"  spaced.html \">x</a>",
                "<a href=\"http://example.com/blog/post/spaced.html\">x</a>",
            ),
            (
                "<a href=\"mailto:me@example.com\">x</a>",
                "<a href=\"mailto:me@example.com\">x</a>",
            ),
            ("<a href=\"\">x</a>", "<a href=\"\">x</a>"),
            ("<a href=\" \n \">x</a>", "<a href=\"\">x</a>"),
            ("<a href=\"\u{1} \">x</a>", "<a href=\"\">x</a>"),
            (
                "<a href=\"https://cdn.test/a\u{1}b\">x</a>",
                "<a href=\"https://cdn.test/ab\">x</a>",
            ),
            (
                "<a href=\"https://cdn.test/a?b=1&amp;c=2\">x</a>",
                "<a href=\"https://cdn.test/a?b=1&amp;c=2\">x</a>",
            ),
            (
                "<img src=\"i.png\" longdesc=\"d.html\">",
                "<img longdesc=\"http://example.com/blog/post/d.html\" src=\"http://example.com/blog/post/i.png\" />",
            ),
            (
                "<video poster=\"p.jpeg\"></video>",
                "<video poster=\"http://example.com/blog/post/p.jpeg\"></video>",
            ),
            (
                "<q cite=\"src.html\">q</q>",
                "<q cite=\"http://example.com/blog/post/src.html\">q</q>",
            ),
            (
                "<img src=\"a.jpg\" srcset=\"a-1x.jpg 1x, a-2x.jpg 2x\">",
                "<img src=\"http://example.com/blog/post/a.jpg\" srcset=\"http://example.com/blog/post/a-1x.jpg 1x, http://example.com/blog/post/a-2x.jpg 2x\" />",
            ),
            (
                "<img srcset=\"a.jpg 480w, javascript:alert(1) 800w, /b.jpg 1200w\" sizes=\"(max-width: 600px) 480px, 800px\">",
                "<img sizes=\"(max-width: 600px) 480px, 800px\" srcset=\"http://example.com/blog/post/a.jpg 480w, http://example.com/b.jpg 1200w\" />",
            ),
            (
                "<img srcset=\"https://cdn.test/w_100,h_100/a.jpg 1x,https://cdn.test/b.jpg 2x\">",
                "<img srcset=\"https://cdn.test/w_100,h_100/a.jpg 1x, https://cdn.test/b.jpg 2x\" />",
            ),
            ("<img srcset=\"javascript:alert(1)\">", "<img />"),
            (
                "<a href=\"&#192;\">uri</a>",
                "<a href=\"http://example.com/blog/post/À\">uri</a>",
            ),
            (
                "<a href=\"?a=1&copy=2&amp;b=3\">x</a>",
                "<a href=\"http://example.com/blog/post/?a=1&amp;copy=2&amp;b=3\">x</a>",
            ),
            (
                "<a href=\"feed://example.org/rss\">x</a>",
                "<a href=\"http://example.org/rss\">x</a>",
            ),
            (
                "<img usemap=\"#map\"><map name=\"map\"><area href=\"a.html\" shape=\"rect\" coords=\"0,0,1,1\"></map>",
                "<img usemap=\"#map\" /><map name=\"map\"><area coords=\"0,0,1,1\" href=\"http://example.com/blog/post/a.html\" shape=\"rect\" /></map>",
            ),
        ],
        clean_with_base,
    );
}

#[test]
fn script_is_dropped_wherever_the_text_before_it_ends() {
    // Text runs end where a vectorised search finds `<` or `&`: a tag after text of
    // any length (shorter and longer than the search's chunks), in any case, is a tag.
    for len in 0..40 {
        let text = "x".repeat(len);
        for script in [
            "<script>alert(1)</script>",
            "<SCRIPT>alert(1)</SCRIPT>",
            "<ScRiPt src=\"https://evil.test/x.js\"></sCrIpT>",
            "<img src=x onerror=alert(1)>",
        ] {
            let got = clean(&format!("{text}{script}y"));
            assert!(!got.contains("alert") && !got.contains("evil"), "{got:?}");
            assert!(got.starts_with(&text) && got.ends_with('y'), "{got:?}");
        }
    }
}

#[test]
fn the_web_url_shortcut_agrees_with_the_full_check() {
    let values = [
        "https://cdn.test/a.jpg",
        "http://cdn.test/a?b=1&c=2",
        "https://",
        "http://",
        "https://cdn.test/a b",
        "https://cdn.test/a ",
        " https://cdn.test/a",
        "https://cdn.test/a\t",
        "https://cdn.test/\na",
        "https://cdn.test/a\u{1}b",
        "https://cdn.test/a\u{7f}",
        "HTTPS://cdn.test/a",
        "Http://cdn.test/a",
        "https:/cdn.test/a",
        "https:cdn.test",
        "httpx://cdn.test/a",
        "http://cdn.test/../a/./b",
        "https://cdn.test/\u{e9}t\u{e9}",
        "feed://cdn.test/rss",
        "javascript:alert(1)//https://",
        "data:image/png;base64,AAAA",
        "",
    ];
    for base in [None, Some("http://example.com/blog/post/")] {
        let sanitiser = Sanitiser::new("", base);
        for value in values {
            for images in [false, true] {
                let control = has_ascii_control(value.as_bytes());
                assert_eq!(
                    sanitiser.safe_url(value, images),
                    sanitiser.checked_url(value, images, control),
                    "{value:?}"
                );
            }
        }
    }
    // And through the whole sanitiser, entity-encoded and in upper case.
    check(
        &[
            (
                "<A HREF=\"&#104;ttps://cdn.test/a\">x</A>",
                "<a href=\"https://cdn.test/a\">x</a>",
            ),
            (
                "<a href=\"https://cdn.test/a&quot;onclick=&quot;x\">x</a>",
                "<a href=\"https://cdn.test/a&quot;onclick=&quot;x\">x</a>",
            ),
            (
                "<a href=\"&#x4A;avascript:alert(1)//https://x\">x</a>",
                "<a>x</a>",
            ),
            ("<IMG SRC=\"JaVaScRiPt:alert(1)\">", "<img />"),
        ],
        clean,
    );
}

#[test]
fn an_unsafe_base_does_not_make_urls_unsafe() {
    assert_eq!(
        sanitise_relative_to("<a href=\"x\">x</a>", Some("javascript:alert(1)//")),
        "<a>x</a>"
    );
    let base = url::Url::parse("https://example.com/a/").ok();
    assert_eq!(
        sanitise("<img src=\"b.png\">", base.as_ref()),
        "<img src=\"https://example.com/a/b.png\" />"
    );
}

#[test]
fn inline_styles_are_filtered() {
    check(
        &[
            (
                "<span style=\"color: red;\">x</span>",
                "<span style=\"color: red;\">x</span>",
            ),
            (
                "<span style=\"position: absolute;\">x</span>",
                "<span>x</span>",
            ),
            (
                "<a href=\"http://www.ragingplatypus.com/\" style=\"display:block; position:absolute; left:0; top:0; width:100%; height:100%; z-index:1; background-color:black; background-image:url(http://www.ragingplatypus.com/i/cam-full.jpg); background-x:center; background-y:center; background-repeat:repeat;\">never trust your upstream platypus</a>",
                "<a href=\"http://www.ragingplatypus.com/\" style=\"display: block; width: 100%; height: 100%; background-color: black; background-x: center; background-y: center;\">never trust your upstream platypus</a>",
            ),
            (
                "<span style=\"font-family: 'Lucida Console';\">x</span>",
                "<span style=\"font-family: 'Lucida Console';\">x</span>",
            ),
        ],
        clean,
    );
}

#[test]
fn output_is_balanced_and_cannot_close_the_page() {
    check(
        &[
            ("<b>unclosed", "<b>unclosed</b>"),
            ("<div><p>a<span>b", "<div><p>a<span>b</span></p></div>"),
            ("</div></p>stray", "stray"),
            ("<b><i>x</b>y</i>", "<b><i>x</i></b>y"),
            ("<p>a<p>b", "<p>a</p><p>b</p>"),
            ("<p>a<div>b</div>c</p>", "<p>a</p><div>b</div>c"),
            (
                "<p><b>a<ul><li>b</ul>",
                "<p><b>a</b></p><ul><li>b</li></ul>",
            ),
            ("<ul><li>a<li>b</ul>", "<ul><li>a</li><li>b</li></ul>"),
            (
                "<ul><li>a<div>b<li>c</ul>",
                "<ul><li>a<div>b</div></li><li>c</li></ul>",
            ),
            (
                "<ul><li>a<ul><li>b</ul></ul>",
                "<ul><li>a<ul><li>b</li></ul></li></ul>",
            ),
            (
                "<dl><dt>a<dd>b<dt>c</dl>",
                "<dl><dt>a</dt><dd>b</dd><dt>c</dt></dl>",
            ),
            // A list item with no list of its own would close the page's.
            ("<li>stray</li>", "stray"),
            ("<div><li>stray</li></div>", "<div>stray</div>"),
            ("<dd>stray</dd>", "stray"),
            (
                "<blockquote><li>x</li></blockquote>",
                "<blockquote><li>x</li></blockquote>",
            ),
            (
                "<a href=\"https://a.test/\">a<a href=\"https://b.test/\">b</a>",
                "<a href=\"https://a.test/\">a</a><a href=\"https://b.test/\">b</a>",
            ),
            ("<h1>a<h2>b</h2>", "<h1>a</h1><h2>b</h2>"),
            // Table parts without a table would close the page's cells.
            ("<td>cell</td>", "cell"),
            ("<tr><td>x</td></tr>", "x"),
            (
                "<caption></caption><col></col><colgroup></colgroup><tbody></tbody><thead></thead><tfoot></tfoot><th></th>",
                "",
            ),
            (
                "<table><td>a<td>b</table>",
                "<table><td>a</td><td>b</td></table>",
            ),
            (
                "<table><tr><td>a<tr><td>b</table>",
                "<table><tr><td>a</td></tr><tr><td>b</td></tr></table>",
            ),
            (
                "<table><tr><td><b>a<td>b</table>",
                "<table><tr><td><b>a</b></td><td>b</td></tr></table>",
            ),
            (
                "<table><thead><tr><th>h<tbody><tr><td>d</table>",
                "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table>",
            ),
            (
                "<table><tr><td><table><tr><td>in</td></tr></table></td></tr></table>",
                "<table><tr><td><table><tr><td>in</td></tr></table></td></tr></table>",
            ),
            ("<table><table>x", "<table></table><table>x</table>"),
            (
                "<table><colgroup><col><col></colgroup></table>",
                "<table><colgroup><col /><col /></colgroup></table>",
            ),
            ("<div></table></div>", "<div></div>"),
            (
                "<p>a<table><tr><td>x</td></tr></table>",
                "<p>a</p><table><tr><td>x</td></tr></table>",
            ),
            (
                "<table><tr><td><p>x</td></tr></table>",
                "<table><tr><td><p>x</p></td></tr></table>",
            ),
            (
                "<ruby>a<rt>b<rt>c</ruby>",
                "<ruby>a<rt>b</rt><rt>c</rt></ruby>",
            ),
        ],
        clean,
    );
}

#[test]
fn deep_nesting_is_flattened() {
    let input = "<div>".repeat(10_000) + "deep" + &"</div>".repeat(10_000);
    let output = clean(&input);
    assert_eq!(output.matches("<div>").count(), MAX_DEPTH);
    assert_eq!(output.matches("</div>").count(), MAX_DEPTH);
    assert!(output.contains("deep"));
}

#[test]
fn hostile_input_never_panics_and_stays_balanced() {
    let pieces = [
        "<",
        ">",
        "</",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "&",
        "&#",
        "&#x",
        ";",
        "\"",
        "'",
        "=",
        "<a href=",
        "<script>",
        "</script>",
        "<p>",
        "</p>",
        "<table>",
        "<td>",
        "<li>",
        "é",
        "\0",
        "\r",
        "<svg>",
        "</svg>",
        "<template>",
        "</b>",
        "<b>",
        " ",
        "x",
        "&amp",
        "<img src=",
    ];
    // A deterministic walk through combinations of the pieces.
    let mut random = crate::test_random::Xorshift::new(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3_000 {
        let mut input = String::new();
        for _ in 0..12 {
            input.push_str(pieces[random.below(pieces.len())]);
        }
        let output = clean(&input);
        let mut depth: i64 = 0;
        let mut tokenizer = Tokenizer::new(&output);
        while let Some(token) = tokenizer.next_token() {
            match token {
                Token::StartTag { name, self_closing } => {
                    let void = elements::lookup(name).is_some_and(|e| e.is(VOID));
                    if !void && !self_closing {
                        depth += 1;
                    }
                }
                Token::EndTag { .. } => depth -= 1,
                Token::Ignored => panic!("{input:?} gave markup {output:?}"),
                _ => {}
            }
            assert!(depth >= 0, "{input:?} gave {output:?}");
        }
        assert_eq!(depth, 0, "{input:?} gave {output:?}");
        assert!(
            !output.contains("<script") && !output.contains("<svg"),
            "{input:?}"
        );
        // Sanitising is idempotent: the output is already clean.
        assert_eq!(clean(&output), output, "{input:?}");
    }
}

/// CPU time of the calling thread in seconds, where Linux reports it.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanoseconds / 1e9)
}

/// Speed on typical blog HTML, in MB per CPU-second (wall-clock time where CPU time is
/// not available). Run with
/// `cargo test --release --lib sanitiser_speed -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark: run in release mode"]
fn sanitiser_speed() {
    let post = r#"<p>When we started recording the <a href="/episodes/42">forty-second episode</a>, nobody expected the
<em>conversation</em> to go where it went. Here is what we talked about &mdash; with links:</p>
<h2 id="notes">Show notes</h2>
<ul>
<li><a href="https://example.com/articles/one?utm_source=feed&amp;utm_medium=rss">The first article</a> by Jane Doe</li>
<li><a href="https://example.org/two" title="Second">The second one</a>, which we <strong>really</strong> liked</li>
<li>A <code>cargo build</code> tip: use <code>--timings</code> to see what is slow</li>
</ul>
<figure class="wp-block-image size-large"><img loading="lazy" width="1024" height="576" src="https://example.com/wp-content/uploads/2024/03/photo-1024x576.jpg" alt="The studio" class="wp-image-123" srcset="https://example.com/wp-content/uploads/2024/03/photo-1024x576.jpg 1024w, https://example.com/wp-content/uploads/2024/03/photo-300x169.jpg 300w" sizes="(max-width: 1024px) 100vw, 1024px" /><figcaption>Our studio, before the flood.</figcaption></figure>
<p>Thanks to our sponsors &amp; listeners. <span style="color: #666;">Music by Someone.</span> Comments? Mail <a href="mailto:show@example.com">show@example.com</a>.</p>
<blockquote><p>&ldquo;Nothing is as permanent as a temporary fix.&rdquo;</p></blockquote>
<p>Transcript follows below. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.</p>
"#;
    // One entry's worth at a time, as the feed parser calls it; plain text too, since
    // summaries are made from the same HTML.
    let base = Some("https://example.com/blog/");
    measure("sanitise", post, || sanitise_relative_to(post, base).len());
    measure("plain", post, || crate::normalise::text::plain(post).len());
}

fn measure(label: &str, input: &str, mut run: impl FnMut() -> usize) {
    let rounds = 40_000;
    let mut output_bytes = 0;
    let wall = std::time::Instant::now();
    let cpu = thread_cpu_seconds();
    for _ in 0..rounds {
        output_bytes += run();
    }
    let wall = wall.elapsed().as_secs_f64();
    let cpu = cpu
        .and_then(|start| Some(thread_cpu_seconds()? - start))
        .filter(|&seconds| seconds > 0.0);
    let megabytes = (input.len() * rounds) as f64 / 1_000_000.0;
    println!(
        "{label}: {megabytes:.1} MB ({} B per call); CPU {} s = {} MB/CPU-s; wall {wall:.3} s = {:.0} MB/s; output {output_bytes} B",
        input.len(),
        cpu.map_or("n/a".to_string(), |cpu| format!("{cpu:.3}")),
        cpu.map_or("n/a".to_string(), |cpu| format!("{:.0}", megabytes / cpu)),
        megabytes / wall,
    );
}

/// The one-pass reading gives exactly what the two separate passes give, on markup built
/// from pieces that exercise every branch both take: raw-text and dropped-with-content
/// elements (nested, self-closed, unclosed), unknown and namespaced tags (text for
/// `plain`, dropped by the sanitiser), references, CDATA, comments, URLs, block breaks.
#[test]
fn one_pass_plain_and_html_match_the_separate_passes() {
    const PIECES: &[&str] = &[
        "<p>Hello",
        "</p>",
        " world &amp; friends ",
        "<script>alert('<p>x</p>')</script>",
        "<script/>after",
        "<style>p { color: red }",
        "</style>",
        "<svg><svg><rect/></svg>inside</svg>",
        "<template>hidden<br></template>",
        "<made-up x=\"1\">",
        "</made-up>",
        "<o:p>",
        "</o:p>",
        "&eacute;&#233;&#x263A;&bogus;&",
        "<![CDATA[<b>bold</b>]]>",
        "<!-- comment <p> -->",
        "<a href=\"/rel?x=1&amp;y=2\" onclick=\"evil()\">link</a>",
        "<img src=\"javascript:alert(1)\" alt=\"a &lt; b\">",
        "<br/>",
        "<li>item",
        "<td>cell",
        "\n\t\u{2028}  ",
        "1 < 2 > 0",
        "Vec<T>",
        "<table><tr><td>x</td></tr></table>",
        "<div style=\"color: red; background: url(javascript:x)\">styled</div>",
        "<",
    ];
    let mut random = crate::test_random::Xorshift::new(0x2545_f491_4f6c_dd1d);
    let mut next = move || random.next_u64();
    let mut documents: Vec<String> = PIECES.iter().map(|piece| piece.to_string()).collect();
    for _ in 0..600 {
        let len = 1 + next() % 12;
        let document: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        documents.push(document);
    }
    for document in &documents {
        for base in [None, Some("http://example.com/blog/post/")] {
            assert_eq!(
                sanitise_with_plain(document, base),
                (
                    sanitise_relative_to(document, base),
                    crate::normalise::text::plain(document)
                ),
                "{document:?}"
            );
        }
    }
}

/// Both entry points, as (name, sanitised HTML): text now reaches the escaper (and the
/// collapser) straight from the input, so every attack is tried through each.
fn both_entry_points(html: &str) -> [(&'static str, String); 2] {
    [
        ("sanitise_relative_to", sanitise_relative_to(html, None)),
        ("sanitise_with_plain", sanitise_with_plain(html, None).0),
    ]
}

/// The text loops read up to the first `<` or `&` themselves: a tag or reference after
/// text of any length, in any case, split at any eight-byte chunk boundary, is still
/// seen by the tokenizer, and what follows it is still escaped.
#[test]
fn markup_after_text_of_any_length_is_still_markup() {
    for len in 0..40 {
        let text: String = "ab c\td\n".chars().cycle().take(len).collect();
        for attack in [
            "<script>alert(1)</script>",
            "<SCRIPT>alert(1)</SCRIPT>",
            "<sCrIpT >alert(1)</ScRiPt >",
            "<script\n>alert(1)</script>",
            "<IMG SRC=x ONERROR=alert(1)>",
            "<Iframe src=\"https://evil.test/\"></iFrame>",
            "<svg><script>alert(1)</script></svg>",
            "&lt;script&gt;",
        ] {
            for (entry, got) in both_entry_points(&format!("{text}{attack}y > z")) {
                assert!(
                    !got.contains("<script")
                        && !got.contains("alert")
                        && !got.contains("evil")
                        && !got.to_ascii_lowercase().contains("onerror")
                        && !got.contains("<svg"),
                    "{entry}: {text:?}{attack:?} gave {got:?}"
                );
                assert!(got.ends_with("y &gt; z"), "{entry}: {got:?}");
            }
        }
    }
}

#[test]
fn upper_case_tags_and_entity_tricks_through_the_text_loops() {
    let cases = [
        // Upper-case names are the same elements, written back in lower case.
        ("a<P>b</P>c", "a<p>b</p>c"),
        ("x<B>bold</B >y", "x<b>bold</b>y"),
        // A reference in an attribute's name is not decoded: no `href`, no `onerror`.
        (
            "go <a hr&#101;f=\"javascript:alert(1)\">x</a>",
            "go <a>x</a>",
        ),
        (
            "<img o&#110;error=alert(1) src=\"https://a.test/i.png\">",
            "<img src=\"https://a.test/i.png\" />",
        ),
        // `javascript:` with its letters or colon written as references, or broken by
        // controls that are removed before the scheme is read.
        ("t <a href=\"&#106;avascript:alert(1)\">x</a>", "t <a>x</a>"),
        ("t <a href=\"jav&#x61;script:alert(1)\">x</a>", "t <a>x</a>"),
        (
            "t <a href=\"&#x6A;&#x61;&#x76;&#x61;script&colon;alert(1)\">x</a>",
            "t <a>x</a>",
        ),
        (
            "t <a href=\"jav&#x09;ascript:alert(1)\">x</a>",
            "t <a>x</a>",
        ),
        ("t <a href=\"java\u{0}script:alert(1)\">x</a>", "t <a>x</a>"),
        (
            "t <a href=\"&#0000106avascript:alert(1)\">x</a>",
            "t <a>x</a>",
        ),
        // NUL and other control bytes in text are removed; a NUL inside a tag name makes
        // an unknown element, whose tags are dropped and whose text stays escaped text.
        ("a\u{0}b\u{1}c\u{7}d", "abcd"),
        ("a<scr\u{0}ipt>alert(1)</scr\u{0}ipt>b", "aalert(1)b"),
        ("\u{0}<p>\u{1f}x\u{0}</p>", "<p>x</p>"),
        ("line\r\nbreak\rform\u{c}feed", "line\nbreak\nform feed"),
    ];
    for (input, expected) in cases {
        for (entry, got) in both_entry_points(input) {
            assert_eq!(got, expected, "{entry}: {input:?}");
        }
    }
}

/// A URL attribute's value the long way, with none of the shortcuts: references decoded,
/// `checked_url`, escaped; `None` when the attribute is dropped.
fn url_the_long_way(raw: &str, base: Option<&str>, images: bool) -> Option<String> {
    let sanitiser = Sanitiser::new("", base);
    let decoded = crate::normalise::charref::decode_all(raw, true);
    let checked = sanitiser.checked_url(&decoded, images, has_ascii_control(decoded.as_bytes()))?;
    let mut out = String::new();
    push_attribute_value(&mut out, &checked);
    Some(out)
}

/// Values written as they are, or resolved by writing the base's pieces and the reference
/// straight out, come out byte for byte as the long way gives them, for every shape of
/// reference against every shape of base.
#[test]
fn url_shortcuts_write_what_the_long_way_writes() {
    let references = [
        "",
        "g",
        "./g",
        "../g",
        "../../g",
        "../../../../g",
        "/g",
        "/a/./b/../c",
        "/a/b/..",
        "//host/x",
        "//host",
        "//host/./x/../y?q#f",
        "?q",
        "?q#f",
        "#f",
        "#",
        "?",
        "g?y#s",
        ";x",
        ".",
        "..",
        "./",
        "../",
        "...",
        ".a/..b",
        "a/./../b/",
        "%41%C3%A9",
        "%2e%2e/x",
        "é/ü",
        "ünï/çødé?ß#ø",
        "a&amp;b",
        "?a=1&amp;b=2",
        "../x?a&amp;b#c&amp;d",
        "&amp;",
        "&amp",
        "&am",
        "&#38;",
        "&AMP;",
        "&amp;amp;",
        "&quot;",
        "&lt;x",
        "a&b",
        "a&amp;",
        "g:h",
        "HTTP://x/y",
        "https://x/y",
        "http://x/&amp;y",
        "http://x/a b",
        "http:x",
        "https:",
        "feed://x/y",
        "feed:https://x/y",
        "mailto:a@b",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java&#x09;script:alert(1)",
        "jav&#x61;script:alert(1)",
        "javascript&#58;alert(1)",
        "javascript&colon;alert(1)",
        "%6Aavascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:x",
        " javascript:x",
        "\u{1}javascript:x",
        "data:image/png;base64,AAA",
        "data:text/html,<b>",
        "DATA:image/gif,x",
        " g",
        "g ",
        " g ",
        "\tg",
        "g\n",
        "\u{0}g",
        "g\u{7f}",
        "a\u{b}b",
        "<",
        ">",
        "a>b",
        "\u{fffe}",
        "x\u{ffff}y",
        "\u{feff}x",
        "a b",
        "1:2",
        "a+b:c",
        "+:x",
        "-x",
        "a:",
        ":x",
        "a/b:c",
        "?x:y",
        "#x:y",
    ];
    let bases = [
        None,
        Some("http://a/b/c/d;p?q"),
        Some("http://a"),
        Some("http://a/"),
        Some("http://a?q"),
        Some("https://ex.test/blog/post/"),
        Some("http://a/é/ü"),
        Some("HTTP://A/B/"),
        Some("  http://a/b/  "),
        Some("http://a/b\tc/"),
        Some("feed://a/b/"),
        Some("x:b/c"),
        Some("mailto:x@y"),
        Some("javascript:alert(1)//"),
        Some("data:image/png,AAAA/"),
        Some("http://a/b&amp;c/"),
        Some("http://a/b&c/?d"),
        Some("http://a/b\"c/"),
        Some("http://a/<b>/"),
        Some("http://a/b/#frag"),
        Some("relative/base/"),
        Some(""),
    ];
    let mut failures = Vec::new();
    for base in bases {
        for raw in references {
            for (attribute, images) in [("href", false), ("src", true)] {
                // A value holding `"` is written in single quotes.
                let html = if raw.contains('"') {
                    format!("<a {attribute}='{raw}'>x</a>")
                } else {
                    format!("<a {attribute}=\"{raw}\">x</a>")
                };
                // Attributes are allowed on any kept element: `src` on an `a` is
                // checked as on an `img`.
                let expected = match url_the_long_way(raw, base, images) {
                    Some(value) => format!("<a {attribute}=\"{value}\">x</a>"),
                    None => "<a>x</a>".to_owned(),
                };
                let got = sanitise_relative_to(&html, base);
                if got != expected {
                    failures.push(format!(
                        "{base:?} {raw:?}\n  expected {expected:?}\n  got      {got:?}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// What the shortcuts must never let through, through both entry points.
#[test]
fn url_shortcuts_keep_dangerous_schemes_out() {
    let base = Some("https://ex.test/blog/post/");
    for value in [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "java&#x09;script:alert(1)",
        "java&#10;script:alert(1)",
        "jav&#x61;script:alert(1)",
        "&#106;avascript:alert(1)",
        "javascript&#58;alert(1)",
        "javascript&colon;alert(1)",
        "java\tscript:alert(1)",
        "\u{0}javascript:alert(1)",
        " javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:image/svg+xml,<svg onload=alert(1)>",
    ] {
        for html in [
            format!("<a href=\"{value}\">x</a>"),
            format!("<img src=\"{value}\">"),
        ] {
            for got in [
                sanitise_relative_to(&html, base),
                sanitise_with_plain(&html, base).0,
                sanitise_relative_to(&html, None),
            ] {
                let lower = got.to_ascii_lowercase();
                assert!(
                    !lower.contains("script:") && !lower.contains("data:"),
                    "{html:?} gave {got:?}"
                );
            }
        }
    }
    // Percent-encoded letters are not a scheme: the value is a relative path, resolved.
    assert_eq!(
        sanitise_relative_to("<a href=\"%6Aavascript:alert(1)\">x</a>", base),
        "<a href=\"https://ex.test/blog/post/%6Aavascript:alert(1)\">x</a>"
    );
    // A relative reference against a `javascript:` base takes the base's scheme: dropped.
    assert_eq!(
        sanitise_relative_to("<a href=\"x\">y</a>", Some("javascript:alert(1)//")),
        "<a>y</a>"
    );
}

#[test]
fn relative_urls_resolved_in_every_shape() {
    let base = Some("https://ex.test/blog/post/");
    for (href, expected) in [
        ("../slug/", "https://ex.test/blog/slug/"),
        ("./a", "https://ex.test/blog/post/a"),
        ("/wp-content/x.jpg", "https://ex.test/wp-content/x.jpg"),
        ("?q", "https://ex.test/blog/post/?q"),
        ("#f", "https://ex.test/blog/post/#f"),
        ("//cdn.test/a", "https://cdn.test/a"),
        ("%C3%A9", "https://ex.test/blog/post/%C3%A9"),
        ("é?ü#ß", "https://ex.test/blog/post/é?ü#ß"),
        ("/a?b=1&amp;c=2", "https://ex.test/a?b=1&amp;c=2"),
        ("../../../x", "https://ex.test/x"),
    ] {
        let html = format!("<a href=\"{href}\">x</a>");
        let want = format!("<a href=\"{expected}\">x</a>");
        assert_eq!(sanitise_relative_to(&html, base), want, "{href:?}");
        assert_eq!(sanitise_with_plain(&html, base).0, want, "{href:?}");
    }
}

/// Both ways of writing the output for one input, `COPY` (input copied through in
/// pieces) against every piece written on its own, for both entry points and `bases`,
/// and both against `per_token`, which owes nothing at all.
fn assert_copy_writes_the_same(html: &str, bases: &[Option<&str>]) {
    for &base in bases {
        let reference = per_token::<false>(html, base);
        assert_eq!(
            run::<false, true>(html, base),
            reference,
            "{html:?} against {base:?}"
        );
        assert_eq!(
            run::<false, false>(html, base),
            reference,
            "{html:?} against {base:?}, written piece by piece"
        );
        let reference = per_token::<true>(html, base);
        assert_eq!(
            run::<true, true>(html, base),
            reference,
            "{html:?} against {base:?}, with plain text"
        );
        assert_eq!(
            run::<true, false>(html, base),
            reference,
            "{html:?} against {base:?}, with plain text, written piece by piece"
        );
    }
}

/// The sanitiser's loop as it was before input was copied through: every tag read by
/// the tokenizer (`next_token`, never `copied_tag`), every text run escaped and written
/// as it is read (`push_text_until_markup`, `Plain::push_text_with_html`), nothing ever
/// owed (`span` and `at` moved to each token's start, so `flush` has nothing to write).
fn per_token<const PLAIN: bool>(html: &str, base: Option<&str>) -> (String, String) {
    let mut sanitiser = Sanitiser::new(html, base);
    let mut plain = crate::normalise::text::Plain::with_capacity(0);
    let mut tokenizer = Tokenizer::new(html);
    loop {
        if sanitiser.skipping.is_none()
            && !(PLAIN && plain.is_skipping())
            && let Some(text) = tokenizer.text_ahead()
        {
            let used = if PLAIN {
                plain.push_text_with_html(&mut sanitiser.out, text)
            } else {
                push_text_until_markup(&mut sanitiser.out, text)
            };
            tokenizer.take_text(used);
            continue;
        }
        sanitiser.span = tokenizer.offset();
        sanitiser.at = sanitiser.span;
        sanitiser.flush();
        if !long_token::<PLAIN>(&mut sanitiser, &mut plain, &mut tokenizer) {
            break;
        }
    }
    sanitiser.span = html.len();
    (sanitiser.finish(), plain.finish())
}

/// Shapes that end a copied run, or look as if they could be copied and must not be:
/// script in any case, event handlers, references, upper case, other quoting, controls,
/// `javascript:` with encoded letters, unclosed tags, `</` in odd places.
/// Bases that take each URL path: none, one relative URLs resolve against as written,
/// one holding `&` that sends them the long way, one whose scheme is not allowed.
const BASES: [Option<&str>; 4] = [
    None,
    Some("http://example.com/blog/post/"),
    Some("https://example.com/a?b=1&c=2"),
    Some("javascript:alert(1)//"),
];

const BREAKERS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<scr<script>ipt>",
    "<script",
    " onclick=\"alert(1)\"",
    "<a href=\"https://x.test/\" onmouseover=\"alert(1)\">",
    "<img src=\"x\" onerror=\"alert(1)\" />",
    "<img onerror=alert(1) src=x>",
    "<a href=\"javascript:alert(1)\">",
    "<a href=\"&#106;avascript:alert(1)\">",
    "<a href=\"jav&#x61;script:alert(1)\">",
    "<a href=\"java\tscript:alert(1)\">",
    "<a href=\"java\u{0}script:alert(1)\">",
    "<a href=\" javascript:alert(1)\">",
    "<a href=\"JAVASCRIPT:alert(1)\">",
    "<a href='https://x.test/'>",
    "<a href=https://x.test/>",
    "<a href = \"https://x.test/\">",
    "<a  href=\"https://x.test/\">",
    "<a\thref=\"https://x.test/\">",
    "<a href=\"https://x.test/\"title=\"t\">",
    "<a title=\"t\" href=\"https://x.test/\">",
    "<a href=\"https://x.test/\" href=\"javascript:alert(1)\">",
    "<a href=\"javascript:alert(1)\" href=\"https://x.test/\">",
    "<a href=\"/rel?a=1&amp;b=2\">",
    "<a href=\"https://x.test/?a=1&b=2\">",
    "<a href=\"https://x.test/?a=1&amp;b=2\">",
    "<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
    "<img src=\"data:image/png;base64,AAAA\">",
    "<img srcset=\"/a.png 1x, javascript:alert(1) 2x\">",
    "<div style=\"background: url(javascript:alert(1))\">",
    "<p title=\"a &lt; b\">",
    "<p title=\"a < b > c\">",
    "<p title=\"\u{fffe}\">",
    "<p title=\"line\r\nbreak\">",
    "<p class=\"x\"/>",
    "<P>",
    "<P CLASS=\"x\">",
    "<Br>",
    "<br>",
    "<br/>",
    "<br />",
    "<br >",
    "<p >",
    "<hr/>",
    "</p>",
    "</P>",
    "</p >",
    "</p/>",
    "</em/>",
    "</EM>",
    "</em >",
    "</div>",
    "</li>",
    "</br>",
    "</",
    "</>",
    "</3>",
    "<",
    "<<p>",
    "<p<p>",
    ">",
    "&",
    "&amp;",
    "&lt;",
    "&#8217;",
    "&nbsp;",
    "&bogus;",
    // References the copied path takes itself: the three written back as read, other
    // spellings of the same characters, ones without `;`, controls and noncharacters.
    "&gt;",
    "&AMP;",
    "&#38;",
    "&#x26;",
    "&amp",
    "&lt",
    "&gt",
    "&amp;;",
    "&amp;amp;",
    "&lt;&gt;&amp;",
    "&lt;<br>&gt;",
    "&amp;lt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&quot;",
    "&#0;",
    "&#13;&#10;",
    // A literal `&` before multi-byte text (the plain text's pending space after it too).
    "&\u{e9}",
    "&\u{a0}",
    "&\u{2028}",
    "&\u{fffe}",
    "&#xfffe;",
    "&#128;",
    "&notit;",
    "&#x2028;",
    // A literal `&`, which the copied path writes `&amp;` itself.
    "AT&T",
    "&&amp;&",
    "&#;",
    "&#x;",
    "& <em>",
    "&<br>",
    "<![CDATA[&amp; &lt;b&gt; &#8217;]]>",
    "\u{0}",
    "\u{1}",
    "\r",
    "\r\n",
    "\u{c}",
    "\u{7f}",
    "\u{2028}",
    "\u{fffe}",
    "\"",
    "'",
    "<!-- <p> -->",
    "<![CDATA[<b>x</b>]]>",
    "<svg><p>hidden</p></svg>",
    "<style>p{}</style>",
    "<iframe src=\"https://evil.test/\"></iframe>",
    "<li>",
    "<td>",
    "<table>",
    "<h2>",
    "<a href=\"https://x.test/\">",
    "<img src=\"/a.png\" alt=\"A\" />",
    "<img src=\"a.png\">",
    "<img alt=\"A\" loading=\"lazy\" src=\"https://x.test/a.png\">",
    // Whitespace between tags, taken without the text loops, and its near misses.
    "\n<p>",
    "\n\n<br>",
    " \t\n <em>x</em>",
    "\n</p>",
    "\n< 3",
    "\n<!-- c -->",
    "\n<P>",
    "\n<script>x</script>",
    "\r\n<p>",
    "\n\r<p>",
    "\u{c}<p>",
    "\n\u{b}<p>",
    "\u{a0}\n<p>",
    "\n&amp;",
    "\n&nbsp;<p>",
    "\n",
    " ",
];

/// `escape_reference` gives what `charref::decode` gives, for the three references it
/// knows, and nothing for anything else: every string of up to five bytes after an `&`
/// from the bytes these references (and their near misses) are made of.
#[test]
fn escape_references_decode_as_decode_does() {
    const BYTES: &[u8] = b"&amplgtA;#";
    let mut taken = 0;
    let mut input = Vec::new();
    for len in 0..=5u32 {
        for mut index in 0..BYTES.len().pow(len) {
            input.clear();
            input.push(b'&');
            for _ in 0..len {
                input.push(BYTES[index % BYTES.len()]);
                index /= BYTES.len();
            }
            let text = std::str::from_utf8(&input).unwrap();
            let decoded = crate::normalise::charref::decode(text, false);
            match escape_reference(&input) {
                Some((c, used)) => {
                    assert_eq!(decoded, Some((Decoded::Char(c), used)), "{text:?}");
                    taken += 1;
                }
                None => assert!(
                    !matches!(
                        decoded,
                        Some((Decoded::Char('&' | '<' | '>'), used))
                            if ["&amp;", "&lt;", "&gt;"].contains(&&text[..used])
                    ),
                    "{text:?} not taken"
                ),
            }
        }
    }
    assert!(taken > 0);
}

/// Clean markup of the kind the copied path takes whole.
const CLEAN: &str = "<p class=\"lead\">Some <em>text</em> with <a href=\"https://x.test/a?b=1&amp;c=2\" \
title=\"A link\">a link</a>,\n<strong>bold</strong> and <code>code</code>.</p>\n<figure><img alt=\"An \
image\" height=\"683\" src=\"https://x.test/i.jpg\" width=\"1024\" /><figcaption>Caption</figcaption></figure>\n\
<ul><li>one</li><li>two</li></ul><br /><p>End</p>";

/// The copied path writes byte for byte what the piece-by-piece path writes: on clean
/// markup cut anywhere and followed by each shape that must end a copied run, on every
/// sanitiser test's kind of input, on the repository's feeds read as HTML (escaped and
/// unescaped), and on random mutations of all of these.
#[test]
fn copied_runs_write_what_the_long_way_writes() {
    // A breaker right where a clean run ends, the run cut at every byte (mid-tag too).
    // Every breaker at every cut of the first 64 bytes (each kind of tag and text
    // split), then each cut with a quarter of them, in turn, against one base each.
    for cut in (0..=CLEAN.len()).filter(|&cut| CLEAN.is_char_boundary(cut)) {
        for (index, breaker) in BREAKERS.iter().enumerate() {
            if cut >= 64 && (cut + index) % 4 != 0 {
                continue;
            }
            let html = format!("{}{breaker}{}", &CLEAN[..cut], &CLEAN[cut..]);
            assert_copy_writes_the_same(&html, &[BASES[(cut + index) % BASES.len()]]);
        }
    }
    let mut documents: Vec<String> = vec![CLEAN.to_string()];
    documents.extend(
        BREAKERS
            .iter()
            .map(|breaker| format!("{breaker}{CLEAN}{breaker}")),
    );
    // Nesting past the depth limit, where the copied path's `admit` and the long way's
    // must flatten at the same element.
    for (open, close) in [("<em>", "</em>"), ("<div>", "</div>"), ("<blockquote>", "")] {
        for depth in [255, 256, 257, 300] {
            documents.push(format!(
                "{}{CLEAN}{}",
                open.repeat(depth),
                close.repeat(depth + 1)
            ));
        }
    }
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for folder in ["feeds", "invalid", "content"] {
        let mut stack = vec![fixtures.join(folder)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                let entries = std::fs::read_dir(&path).expect("fixture folder");
                stack.extend(entries.map(|entry| entry.expect("fixture entry").path()));
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                let unescaped = text
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&");
                documents.push(unescaped);
                documents.push(text);
            }
        }
    }
    assert!(documents.len() > 200, "fixtures not found");
    let mut random = crate::test_random::Xorshift::new(0x853c_49e6_748f_ea9b);
    let mut next = move |bound: usize| random.below(bound);
    let originals = documents.len();
    for round in 0..3_000 {
        let source = &documents[next(originals)];
        // A window of a few hundred bytes, mutated a few times.
        let mut at = next(source.len());
        while !source.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + 300 + next(600)).min(source.len());
        while !source.is_char_boundary(end) {
            end -= 1;
        }
        let mut html = source[at..end].to_string();
        for _ in 0..1 + next(4) {
            let mut place = next(html.len() + 1);
            while !html.is_char_boundary(place) {
                place -= 1;
            }
            match next(4) {
                0 | 1 => html.insert_str(place, BREAKERS[next(BREAKERS.len())]),
                2 => {
                    // Upper case from here for a few bytes (ASCII only: boundaries stay).
                    let stop = (place + next(12)).min(html.len());
                    let upper: String = html[place..]
                        .char_indices()
                        .map(|(offset, c)| {
                            if place + offset < stop {
                                c.to_ascii_uppercase()
                            } else {
                                c
                            }
                        })
                        .collect();
                    html.replace_range(place.., &upper);
                }
                _ => html.truncate(place),
            }
        }
        assert_copy_writes_the_same(&html, &[BASES[round % BASES.len()]]);
        if round % 2 == 0 {
            documents.push(html);
        }
    }
    for document in &documents[..originals] {
        assert_copy_writes_the_same(document, &BASES);
    }
}

/// The forms the copied path takes, with what it writes, and forms it must leave to the
/// tokenizer (`None`): each checked on the tag alone, at the start of the input.
#[test]
fn copied_tags_are_the_sanitisers_own_form() {
    let base = Some("http://example.com/blog/post/");
    let cases: &[(&str, Option<&str>)] = &[
        ("<p>", Some("<p>")),
        ("<h2 id=\"x\">", Some("<h2 id=\"x\">")),
        (
            "<a href=\"https://x.test/?a=1&amp;b=2\" title=\"t\">",
            Some("<a href=\"https://x.test/?a=1&amp;b=2\" title=\"t\">"),
        ),
        // Edits in place: a relative URL resolved, an attribute not allowed left out,
        // a value with something to escape, the end of a void or self-closed element.
        (
            "<a href=\"../x/\">",
            Some("<a href=\"http://example.com/blog/x/\">"),
        ),
        (
            "<img alt=\"A\" loading=\"lazy\" src=\"https://x.test/i.png\">",
            Some("<img alt=\"A\" src=\"https://x.test/i.png\" />"),
        ),
        ("<p onclick=\"alert(1)\">", Some("<p>")),
        ("<p title=\"a > b\">", Some("<p title=\"a &gt; b\">")),
        ("<p title=\"&#233;\">", Some("<p title=\"é\">")),
        ("<a href=\"javascript:alert(1)\">", Some("<a>")),
        ("<br>", Some("<br />")),
        ("<br/>", Some("<br />")),
        ("<br />", Some("<br />")),
        ("<p >", Some("<p>")),
        ("<div/>", Some("<div></div>")),
        ("<div class=\"x\" />", Some("<div class=\"x\"></div>")),
        // Left to the tokenizer.
        ("<P>", None),
        ("<p CLASS=\"x\">", None),
        ("<p class='x'>", None),
        ("<p class=x>", None),
        ("<p  class=\"x\">", None),
        ("<p\tclass=\"x\">", None),
        ("<p class = \"x\">", None),
        ("<p class=\"x\"id=\"y\">", None),
        ("<p id=\"y\" class=\"x\">", None),
        ("<p class=\"x\" class=\"y\">", None),
        ("<p hidden>", None),
        ("<p class=\"x\"", None),
        ("<p class=\"x>", None),
        ("<p/ >", None),
        ("<script>", None),
        ("<iframe>", None),
        ("<made-up>", None),
        ("<o:p>", None),
        ("</p>", None),
    ];
    for (tag, expected) in cases {
        let mut sanitiser = Sanitiser::new(tag, base);
        let copied = sanitiser.copied_tag(0);
        match expected {
            Some(expected) => {
                let (end, _) = copied.unwrap_or_else(|| panic!("{tag:?} not copied"));
                assert_eq!(end, tag.len(), "{tag:?}");
                sanitiser.at = end;
                sanitiser.flush();
                assert_eq!(sanitiser.out, *expected, "{tag:?}");
                // And the whole way gives the same.
                assert_eq!(
                    sanitise_relative_to(tag, base),
                    run::<false, false>(tag, base).0
                );
            }
            None => {
                assert!(copied.is_none(), "{tag:?} copied");
                assert_eq!((sanitiser.out.as_str(), sanitiser.span), ("", 0), "{tag:?}");
            }
        }
    }
    // An end tag is copied only when it closes the innermost open element.
    let mut sanitiser = Sanitiser::new("<ul><li></ul></li>", None);
    assert_eq!(sanitiser.copied_tag(0).map(|(end, _)| end), Some(4));
    assert_eq!(sanitiser.copied_tag(4).map(|(end, _)| end), Some(8));
    assert_eq!(sanitiser.copied_tag(8), None, "</ul> closes the li too");
    assert_eq!(sanitiser.copied_tag(13).map(|(end, _)| end), Some(18));
    assert_eq!(sanitiser.stack.len(), 1);
}

/// Clean markup is copied, not rebuilt: walked the way `run` walks it, every text run and
/// every tag of a clean document is left owed (nothing is written before the end), so the
/// whole document reaches the output as one copy. (Comparing outputs cannot show this:
/// both ways write the same bytes.)
#[test]
fn a_clean_document_is_owed_whole() {
    let mut sanitiser = Sanitiser::new(CLEAN, None);
    let mut tokenizer = Tokenizer::new(CLEAN);
    let mut tags = 0;
    while tokenizer.offset() < CLEAN.len() {
        let at = tokenizer.offset();
        if tokenizer.text_ahead().is_some() {
            let (stop, run) = escape::<{ Stop::MARKUP }>(
                &mut sanitiser.out,
                &CLEAN[sanitiser.span..],
                at - sanitiser.span,
                &TEXT_SPECIAL,
            );
            tokenizer.take_text(sanitiser.span + stop - at);
            assert_eq!(run, 0, "text at {at} written");
        } else {
            let (end, _) = sanitiser
                .copied_tag(at)
                .unwrap_or_else(|| panic!("tag at {at} not copied"));
            tokenizer.take_tag(end);
            tags += 1;
        }
    }
    assert_eq!(sanitiser.out, "", "nothing written before the end");
    assert_eq!(tags, 24);
    assert_eq!(sanitise_relative_to(CLEAN, None), CLEAN);
}

/// `make_room_for` returns early for elements without any of the flags its rules need:
/// for every such element its rules, run without that return, must do nothing either —
/// close nothing, write nothing, and let the element open — whatever is open.
#[test]
fn every_element_with_a_room_rule_is_flagged() {
    let stacks: [&[&str]; 6] = [
        &[],
        &["p"],
        &["a"],
        &["li"],
        &["table", "tr"],
        &["ruby", "rt"],
    ];
    let mut unflagged = 0;
    for element in elements::all() {
        if element.is(CLOSES_P | HEADING | TABLE_PART | MAKES_ROOM) {
            continue;
        }
        unflagged += 1;
        for stack in stacks {
            let mut sanitiser = Sanitiser::new("", None);
            sanitiser.stack = stack
                .iter()
                .map(|name| elements::lookup(name).expect("known element"))
                .collect();
            assert!(
                sanitiser.make_room_for_rules(element),
                "{} refused in {stack:?}",
                element.name
            );
            let open: Vec<&str> = sanitiser.stack.iter().map(|open| open.name).collect();
            assert_eq!(open, stack, "{} in {stack:?}", element.name);
            assert_eq!(sanitiser.out, "", "{} in {stack:?}", element.name);
        }
    }
    // Most elements have no rule: the loop is not vacuous.
    assert!(unflagged > 20, "{unflagged}");
}
