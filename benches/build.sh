#!/usr/bin/env bash
# Benchmark of `omroep build` (issue 3): generates a site of 10,000 entries across 5 feeds
# (four blogs and a podcast whose 2,000 episodes each have their own small MP3), then times
# a full build into an empty output folder and a rebuild with nothing changed, reporting
# wall time, CPU time and peak memory of each; then a full build into an empty output
# folder with the store kept (content already read once), a rebuild after one post is
# edited and one after every content file is touched (as a git checkout does).
#
#   benches/build.sh              # builds the release binary first
#   OMROEP=path/to/omroep benches/build.sh
#   KEEP=1 benches/build.sh       # keep the generated site and print its folder
#   OMROEP_THREADS=1 benches/build.sh   # one thread (omroep uses every core by default)
#
# Targets: full build under 1 s and 200 MB; a no-change rebuild under 0.3 s.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${OMROEP:-}" ]]; then
  cargo build --release --quiet
  OMROEP="$PWD/target/release/omroep"
fi
SITE="$(mktemp -d)"
if [[ -z "${KEEP:-}" ]]; then
  trap 'rm -rf "$SITE"' EXIT
fi

python3 - "$SITE" "$PWD/fixtures/init/episode.mp3" <<'PY'
import os, random, shutil, sys
site, mp3 = sys.argv[1], sys.argv[2]
random.seed(3)
words = ("coaching feedback team leider gesprek vraag stilte grens keuze richting "
         "luisteren vertrouwen moed plan doel tijd energie rust focus groei").split()

def para(n):
    return " ".join(random.choice(words) for _ in range(n)).capitalize() + "."

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

write(f"{site}/omroep.toml", '''title = "Benchmark"
base_url = "https://bench.example/"
media_base_url = "https://media.bench.example/"
language = "nl"
permalink = "/{lang}/{year}/{slug}/"
[author]
name = "Bench Mark"
email = "bench@bench.example"
''')
blogs = [("blog-a", 2500, "nl"), ("blog-b", 2500, "nl"), ("blog-c", 2000, "en"), ("blog-d", 1000, "en")]
for name, count, lang in blogs:
    write(f"{site}/feeds/{name}.toml",
          f'kind = "blog"\ntitle = "{name}"\nlanguage = "{lang}"\n\n[[source]]\nmarkdown = "content/{name}/*.md"\n')
    for i in range(count):
        day = i % 28 + 1
        month = i // 28 % 12 + 1
        year = 2000 + i // 336
        body = "\n\n".join(para(random.randint(40, 90)) for _ in range(random.randint(3, 8)))
        tags = ", ".join(random.sample(words, 2))
        write(f"{site}/content/{name}/{i:05}.md",
              f"---\ntitle: Post {i} of {name}\ndate: {year}-{month:02}-{day:02}T09:00:00Z\n"
              f"slug: {name}-{i:05}\ntags: [{tags}]\n---\n\n{body}\n\n## Meer\n\n- {para(8)}\n- {para(8)}\n")
write(f"{site}/feeds/podcast.toml", '''kind = "podcast"
title = "Bench podcast"
description = "Episodes."
artwork = "content/artwork.jpg"
explicit = false
[[category]]
name = "Education"
[[source]]
markdown = "content/episodes/*.md"
''')
shutil.copy(os.path.join(os.path.dirname(mp3), "artwork.jpg"), f"{site}/content/artwork.jpg")
for i in range(2000):
    day = i % 28 + 1
    month = i // 28 % 12 + 1
    year = 2000 + i // 336
    os.makedirs(f"{site}/content/episodes/audio", exist_ok=True)
    shutil.copy(mp3, f"{site}/content/episodes/audio/{i:05}.mp3")
    write(f"{site}/content/episodes/{i:05}.md",
          f"---\ntitle: Episode {i}\ndate: {year}-{month:02}-{day:02}T06:00:00Z\nslug: episode-{i:05}\n"
          f"audio: audio/{i:05}.mp3\nepisode: {i + 1}\nexplicit: false\n---\n\n{para(60)}\n")
PY

measure() {
  python3 - "$OMROEP" "$SITE" "$1" <<'PY'
import resource, subprocess, sys, time
omroep, site, label = sys.argv[1:]
start = time.perf_counter()
result = subprocess.run([omroep, "build", "-q"], cwd=site, capture_output=True, text=True)
wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
if result.returncode != 0:
    sys.exit(f"omroep build failed ({result.returncode}):\n{result.stderr}")
print(f"| {label} | {wall:.3f} s | {usage.ru_utime + usage.ru_stime:.3f} s | {usage.ru_maxrss / 1024:.0f} MB |")
PY
}

entries=$(find "$SITE/content" -name '*.md' | wc -l)
echo "site: $entries entries in 5 feeds ($(du -sh "$SITE/content" | cut -f1) of content)"
echo "| run | wall | CPU | peak memory |"
echo "| --- | --- | --- | --- |"
measure "full build"
measure "no-change rebuild"
# A full build into an empty output folder with a warm store: the file cache answers for
# every content file, so this is the rendering, validating and writing alone; the full
# build minus this is what reading the content costs.
rm -rf "$SITE/public" "$SITE/.omroep/build-state.json"
measure "full build, warm store"
# One post edited: the no-change path is off, so every feed is rendered again, but the
# store's file cache answers for the 11,999 other files.
sed -i 's/^title: Post 7 of blog-a$/title: Post 7 of blog-a, edited/' "$SITE/content/blog-a/00007.md"
measure "one post edited"
# Every content file touched (a git checkout): each is hashed, none parsed again.
find "$SITE/content" -type f -exec touch {} +
measure "every file touched"
ls -la "$SITE/public" >/dev/null
if [[ -n "${KEEP:-}" ]]; then
  echo "site kept in $SITE"
fi
