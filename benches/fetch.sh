#!/usr/bin/env bash
# The fetch benchmark (issue 5): 1,000 generated feeds (blogs and podcasts, 20–100 entries,
# ~300 MB, served gzipped with ETags by benches/fetch-baseline's bench-server on
# 127.0.0.1–127.0.0.16) are ingested by omroep into a fresh store, then ingested again when
# every feed answers 304. The minimal loop (reqwest + feed-rs, concurrency 16, nothing
# stored) runs against the same server in the same session as the baseline.
#
# Wall time, CPU time (user + system) and peak memory come from /usr/bin/time -v.
# Targets: omroep's full ingest ≤ 1.5 × the baseline's wall time, the all-304 run
# < 0.3 s including opening the store, peak memory < 120 MB.
#
# Usage: benches/fetch.sh [FEEDS] [BYTES]      (defaults 1000 and 300000000)
#        OMROEP=path/to/omroep benches/fetch.sh  (measure a given build)
# Only loopback addresses are used; nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
feeds=${1:-1000}
bytes=${2:-300000000}
port=${PORT:-18080}

# OMROEP=PATH measures that omroep binary instead of building this tree's (to compare
# two builds against the same baseline).
omroep=${OMROEP:-}
echo "== building (release)"
if [[ -z "$omroep" ]]; then
  cargo build --release --quiet
  omroep="$root/target/release/omroep"
fi
CARGO_TARGET_DIR="$root/target" cargo build --release --quiet \
  --manifest-path benches/fetch-baseline/Cargo.toml

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== generating and serving the corpus"
"$root/target/release/bench-server" --site "$work/site" --port "$port" \
  --feeds "$feeds" --bytes "$bytes" > "$work/server.log" &
server_pid=$!
for _ in $(seq 600); do
  grep -q '^ready' "$work/server.log" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done
grep '^ready' "$work/server.log"

# measure NAME COMMAND…: runs it under /usr/bin/time -v and prints one line.
measure() {
  local name=$1
  shift
  local status=0
  /usr/bin/time -v -o "$work/time.txt" "$@" > "$work/out.txt" 2> "$work/err.txt" || status=$?
  if [[ $status -ne 0 ]]; then
    echo "$name exited with status $status" >&2
    tail -5 "$work/err.txt" >&2
    exit 1
  fi
  awk -v name="$name" -F': ' '
    /Elapsed \(wall clock\)/ {
      n = split($2, t, ":"); wall = 0
      for (i = 1; i <= n; i++) wall = wall * 60 + t[i]
    }
    /User time/   { user = $2 }
    /System time/ { sys = $2 }
    /Maximum resident set size/ { rss = $2 }
    END { printf "%-28s wall %7.2f s   cpu %7.2f s   peak %6.1f MB\n", name, wall, user + sys, rss / 1024 }
  ' "$work/time.txt" | tee -a "$work/results.txt"
}

echo "== runs"
measure "baseline (reqwest+feed-rs)" "$root/target/release/baseline" "$work/site/urls.txt"
cat "$work/err.txt"
(cd "$work/site" && measure "omroep ingest" "$omroep" ingest --json)
python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]; print("  omroep:", t)' "$work/out.txt"
(cd "$work/site" && measure "omroep ingest (all 304)" "$omroep" ingest --json)
python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["totals"]; print("  omroep:", t)' "$work/out.txt"
measure "baseline all-304 (2 rounds)" "$root/target/release/baseline" "$work/site/urls.txt" --rounds 2
cat "$work/err.txt"
echo "store: $(du -h "$work/site/.omroep/store.sqlite" | cut -f1)"

awk '
  /^baseline \(reqwest/ { base = $4 }
  /^omroep ingest  / { full = $4 }
  END { if (base > 0) printf "omroep / baseline wall: %.2fx (target <= 1.5x)\n", full / base }
' "$work/results.txt"
