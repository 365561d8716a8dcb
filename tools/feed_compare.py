#!/usr/bin/env python3
"""Compare omroep's reading of real-world feeds with what real feed readers read, field by
field, and count the disagreements per field and per reader.

The corpus lives outside the repository (feeds gathered from public projects' test data);
none of its files belong here. The readers:
- feedparser (the Universal Feed Parser) and podcastparser (gPodder's), imported from this
  Python or from the venv that ../shared/tools/feed-clients installs, each reading every
  entry of every feed;
- podcast-partytime and feedsmith, from saved `feed-clients --json` reports given with
  --clients REPORT.json (they show the feed title and link, the entry count and the first
  three entries).

    python3 tools/feed_compare.py [--omroep BIN] [--clients REPORT.json]... \\
        [--details FILE] PATH...

PATH is a feed file or a folder of them (.xml .rss .atom; JSON Feed is read by none of the
Python readers). The summary table lists, per field, how many values each reader compared
and how many disagreed with omroep; --details writes every disagreement (default
/tmp/feed_compare.txt). A disagreement is not automatically omroep's fault: the details are
for deciding who is right by the specs.
"""

import json
import os
import re
import subprocess
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "fixtures"))
import compare_feedparser as cf  # noqa: E402  (shares the feedparser view of the fixtures)

FEED_SUFFIXES = (".xml", ".rss", ".atom")


def feeds_in(paths):
    found = []
    for path in paths:
        if os.path.isdir(path):
            for folder, _, names in sorted(os.walk(path)):
                found += [os.path.join(folder, n) for n in sorted(names) if n.endswith(FEED_SUFFIXES)]
        else:
            found.append(path)
    return found


def omroep_all(binary, files):
    """One `parse --json` process for every file: {path: object or {"error": …}}."""
    run = subprocess.run([binary, "parse", "--json"] + files + ["/dev/null"], capture_output=True, text=True)
    out = {}
    for line in run.stdout.splitlines():
        obj = json.loads(line)
        out[obj.get("source")] = obj
    return out


def enclosure_fields(prefix, enclosures):
    first = (enclosures or [None])[0] or {}
    return {
        prefix + "enclosure.url": first.get("url"),
        prefix + "enclosure.type": first.get("mime_type"),
        prefix + "enclosure.length": first.get("length"),
    }


def omroep_fields(obj):
    """The compared fields of omroep's object: (feed fields, [entry fields])."""
    feed, entries = cf.omroep_view(obj)
    feed = {k: v for k, v in feed.items() if k not in ("warnings",)}
    podcast = obj.get("podcast", {})
    feed["podcast.guid"] = podcast.get("guid")
    feed["podcast.locked"] = (podcast.get("locked") or {}).get("value")
    feed["podcast.funding"] = [f.get("url") for f in podcast.get("funding", [])][:1] or None
    feed["podcast.owner.email"] = (podcast.get("owner") or {}).get("email")
    # Readers list an iTunes subcategory as a category of its own.
    for view, node in [(feed, obj)] + list(zip(entries, obj.get("entries", []))):
        terms = view.get("categories") or []
        for category in node.get("categories", []):
            terms += category.get("subcategories", [])
        view["categories"] = terms or None
    out = []
    for view, entry in zip(entries, obj.get("entries", [])):
        view.update(enclosure_fields("", view.pop("enclosures")))
        ep = entry.get("podcast", {})
        # The identity a reader shows: the guid, else an id the source gave (an Atom
        # id, an RSS 1.0 rdf:about), not omroep's own hash.
        given = entry.get("id")
        if given is None or given.startswith("urn:omroep:") or (
            given == entry.get("link") and obj.get("format") != "rss1.0"  # rdf:about
        ):
            given = None
        view["guid"] = entry.get("guid") or given
        view["guid_or_fallback"] = view["guid"] or view.get("enclosure.url") or view.get("link")
        view["podcast.persons"] = [p.get("name") for p in ep.get("persons", [])] or None
        view["podcast.chapters"] = (ep.get("chapters") or {}).get("url")
        view["podcast.transcripts"] = [t.get("url") for t in ep.get("transcripts", [])][:1] or None
        out.append(view)
    return feed, out


def feedparser_fields(fp, path):
    feed, entries = cf.feedparser_view(fp, path)
    # feedparser's author/publisher come from managingEditor and webMaster too, not
    # only from itunes:author and itunes:owner, so they are not the same field.
    feed = {k: v for k, v in feed.items() if k not in ("warnings", "podcast.author", "podcast.owner")}
    for view in [feed] + entries:
        # feedparser 6 answers only "yes" (True) and "clean" (False); "no"/"false" read
        # as None, which is not a disagreement about the feed.
        if view.get("podcast.explicit") is None:
            view.pop("podcast.explicit", None)
    for view in entries:
        view.update(enclosure_fields("", view.pop("enclosures")))
        view["guid"] = view.pop("id")
    return feed, entries


def podcastparser_fields(pp, path):
    with open(path, "rb") as stream:
        parsed = pp.parse("file://" + os.path.abspath(path), stream)
    owner = parsed.get("itunes_owner") or {}
    feed = {
        "title": cf.plain(parsed.get("title")),
        "link": parsed.get("link") or None,
        "language": (parsed.get("language") or "").lower() or None,
        "image.url": parsed.get("cover_url"),
        "podcast.explicit": parsed.get("explicit"),
        "podcast.type": parsed.get("type"),
        "podcast.author": parsed.get("itunes_author"),
        "podcast.owner.email": owner.get("email"),
        "podcast.new_feed_url": parsed.get("new_url"),
        "podcast.funding": [parsed["funding_url"]] if parsed.get("funding_url") else None,
    }
    entries = []
    for ep in parsed.get("episodes", []):
        enclosure = (ep.get("enclosures") or [{}])[0]
        size = enclosure.get("file_size")
        mime = enclosure.get("mime_type")
        view = {
            # podcastparser's guid falls back to the enclosure URL, then the link.
            "guid_or_fallback": ep.get("guid") or None,
            "title": cf.plain(ep.get("title")),
            "link": ep.get("link") or None,
            "published": cf.date(__import__("time").gmtime(ep["published"])) if ep.get("published") else None,
            "enclosure.url": enclosure.get("url"),
            # podcastparser fills in what the feed left out: -1 bytes, octet-stream.
            "enclosure.type": None if mime == "application/octet-stream" else mime,
            "enclosure.length": size if size and size > 0 else None,
            "podcast.duration_seconds": ep.get("total_time") or None,  # 0 means none
            "podcast.explicit": ep.get("explicit"),
            "podcast.season": ep.get("season"),
            "podcast.episode": ep.get("number"),
            "podcast.episode_type": ep.get("type"),
            "image.url": ep.get("episode_art_url"),
            "podcast.persons": [" ".join(p.get("name", "").split()) for p in ep.get("persons", [])] or None,
            "podcast.chapters": ep.get("chapters_json_url"),
            "podcast.transcripts": [ep["transcript_url"]] if ep.get("transcript_url") else None,
        }
        entries.append(view)
    with open(path, "rb") as stream:
        new_uri = b"podcastindex.org/namespace/1.0" in stream.read()
    if new_uri:
        # podcastparser knows only the old GitHub URI of the podcast namespace.
        for view in [feed] + entries:
            for key in ("podcast.funding", "podcast.persons", "podcast.chapters", "podcast.transcripts"):
                view.pop(key, None)
    return feed, entries


def client_fields(report):
    """{path: {client: (feed fields, [entry fields])}} from a feed-clients --json report."""
    out = defaultdict(dict)
    for feed in report.get("feeds", []):
        for name in ("partytime", "feedsmith"):
            client = feed.get("clients", {}).get(name)
            if not client or client.get("status") != "ok":
                continue
            items = []
            for item in client.get("items", []):
                enclosure = item.get("enclosure") or {}
                length = enclosure.get("length")
                items.append(
                    {
                        "title": cf.plain(item.get("title")),
                        "link": item.get("link") or None,
                        "guid": item.get("id") or None,
                        "published": item.get("published") or None,
                        "enclosure.url": enclosure.get("url"),
                        "enclosure.type": enclosure.get("type") or None,
                        "enclosure.length": cf.number(length) if length not in (None, "") else None,
                        "podcast.duration_seconds": item.get("duration_seconds") or None,
                    }
                )
            view = {"title": cf.plain(client.get("title")), "link": client.get("link") or None}
            out[os.path.abspath(feed["file"])][name] = (view, items, client.get("item_count"))
    return out


def names(people):
    """A person list as a set: readers repeat and reorder dc:creator, itunes:author, …"""
    return {tuple(sorted(p.items())) for p in people or []} or None


def same(field, ours, theirs):
    if field == "authors":
        return names(ours) == names(theirs)
    if field == "categories":
        unescape = lambda terms: {cf.html.unescape(t) for t in terms or [] if t} or None
        return unescape(ours) == unescape(theirs)
    if field in ("summary", "content_html", "description", "title"):
        return cf.plain(ours if isinstance(ours, str) else None) == cf.plain(theirs if isinstance(theirs, str) else None)
    if field == "published" and isinstance(theirs, str) and isinstance(ours, str):
        return ours[:19] == theirs[:19]
    if field == "podcast.duration_seconds" and not ours and not theirs:
        return True
    return ours == theirs


def match(ours_entries, theirs):
    """Pairs podcastparser's episodes (sorted by date) with omroep's (document order)."""
    pairs = []
    for ep in theirs:
        hit = None
        for entry in ours_entries:
            keys = (entry.get("guid"), entry.get("enclosure.url"), entry.get("link"))
            if ep.get("guid_or_fallback") and ep["guid_or_fallback"] in keys:
                hit = entry
                break
        if hit is None:
            hit = next((e for e in ours_entries if e.get("title") == ep.get("title")), None)
        pairs.append((hit, ep))
    return pairs


def main():
    args = sys.argv[1:]
    binary = os.path.join(ROOT, "target", "debug", "omroep")
    details_path = "/tmp/feed_compare.txt"
    reports = []
    paths = []
    while args:
        arg = args.pop(0)
        if arg == "--omroep":
            binary = args.pop(0)
        elif arg == "--clients":
            reports.append(args.pop(0))
        elif arg == "--details":
            details_path = args.pop(0)
        else:
            paths.append(arg)
    if not paths:
        sys.exit(__doc__)
    fp = cf.find_feedparser()
    import logging

    import podcastparser as pp

    logging.disable(logging.WARNING)  # podcastparser logs every undeclared prefix

    files = [os.path.abspath(f) for f in feeds_in(paths)]
    ours_all = omroep_all(binary, files)
    clients = defaultdict(dict)
    for report in reports:
        with open(report, encoding="utf-8") as handle:
            for path, views in client_fields(json.load(handle)).items():
                clients[path].update(views)

    compared = defaultdict(lambda: defaultdict(int))
    differ = defaultdict(lambda: defaultdict(int))
    details = []

    def note(reader, path, where, field, ours, theirs):
        compared[field][reader] += 1
        if not same(field, ours, theirs):
            differ[field][reader] += 1
            details.append("%s\t%s\t%s\t%s\tomroep=%s\t%s=%s" % (
                field, reader, os.path.relpath(path, "/tmp"), where,
                cf.cell(ours), reader, cf.cell(theirs)))

    for path in files:
        obj = ours_all.get(path, {"error": "no output"})
        if "error" in obj:
            ours_feed, ours_entries = {}, []
            details.append("error\tomroep\t%s\t-\t%s" % (path, obj["error"]))
        else:
            ours_feed, ours_entries = omroep_fields(obj)
        readings = {}
        try:
            readings["feedparser"] = feedparser_fields(fp, path) + (None,)
        except Exception as error:  # a reader's crash is its own problem, not a disagreement
            details.append("error\tfeedparser\t%s\t-\t%s" % (path, error))
        try:
            readings["podcastparser"] = podcastparser_fields(pp, path) + (None,)
        except Exception as error:
            details.append("error\tpodcastparser\t%s\t-\t%s" % (path, str(error).splitlines()[0]))
        readings.update(clients.get(path, {}))
        for reader, (feed, entries, count) in readings.items():
            for field, theirs in feed.items():
                if field in ours_feed and (theirs is not None or ours_feed[field] is not None):
                    note(reader, path, "feed", field, ours_feed[field], theirs)
            count = len(entries) if count is None else count
            note(reader, path, "feed", "entries (count)", len(ours_entries), count)
            if reader == "podcastparser":
                pairs = match(ours_entries, entries)
            else:
                pairs = list(zip(ours_entries, entries))
            for index, (ours, theirs) in enumerate(pairs):
                if ours is None:
                    note(reader, path, "episode %r" % theirs.get("title"), "entry (matched)", None, theirs.get("guid_or_fallback"))
                    continue
                for field, value in theirs.items():
                    if field in ours and (value is not None or ours[field] is not None):
                        note(reader, path, "entry %d" % index, field, ours[field], value)

    readers = ["feedparser", "podcastparser", "partytime", "feedsmith"]
    print("%d feeds; omroep errors: %d" % (len(files), sum(1 for f in files if "error" in ours_all.get(f, {"error": 1}))))
    print("%-26s" % "field" + "".join("%22s" % r for r in readers))
    for field in sorted(compared):
        row = "%-26s" % field
        for reader in readers:
            n = compared[field].get(reader, 0)
            row += "%22s" % ("%d/%d" % (differ[field].get(reader, 0), n) if n else "-")
        print(row)
    total = sum(sum(d.values()) for d in differ.values())
    print("disagreements (differ/compared per reader); total %d; details in %s" % (total, details_path))
    with open(details_path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(sorted(details)) + "\n")


if __name__ == "__main__":
    main()
