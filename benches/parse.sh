#!/usr/bin/env bash
# The parse benchmark (issue 2, "Speed"): builds benches/parse in release mode (its own
# target dir, benches/parse/target), generates the seeded corpus under target/bench-corpus
# (never committed), and prints the report that BENCHMARKS.md quotes.
#
#   benches/parse.sh                     # 80 MB corpus, 3 rounds
#   MEGABYTES=20 ROUNDS=1 benches/parse.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
megabytes="${MEGABYTES:-80}"
rounds="${ROUNDS:-3}"
seed="${SEED:-20261126}"
corpus="${CORPUS:-$root/target/bench-corpus}"

cargo build --release --locked --quiet --manifest-path "$root/benches/parse/Cargo.toml"
bench="$root/benches/parse/target/release/omroep-bench-parse"

"$bench" generate "$corpus" --megabytes "$megabytes" --seed "$seed" >&2

echo "## Parsing"
echo
echo "- Date: $(date -u +%Y-%m-%d)"
echo "- Commit: $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
echo "- Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "- Toolchain: $(rustc --version), release profile"
echo "- Command: \`MEGABYTES=$megabytes ROUNDS=$rounds SEED=$seed benches/parse.sh\`"
echo
"$bench" run "$corpus" --rounds "$rounds"
