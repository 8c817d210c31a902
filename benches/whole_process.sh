#!/usr/bin/env bash
# What a user waits for: `davscope inspect FILE` against `examples/bare_loop`
# (a bare single-thread quick-xml loop over the same memory-mapped file), run
# alternately; prints the median wall times, their ratio and the peak RSS of
# each as a multiple of the file size.
#
#   benches/whole_process.sh [FILE] [ROUNDS]     (default bench-data/ms-1000k.xml, 7)
#
# Needs GNU time (/usr/bin/time) for the RSS figures.
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-bench-data/ms-1000k.xml}
rounds=${2:-7}
cargo build --release --quiet --bin davscope --example bare_loop
target=${CARGO_TARGET_DIR:-target}/release
size=$(stat -c %s "$file")
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for _ in $(seq "$rounds"); do
  /usr/bin/time -f "bare %e %M" -o "$tmp" -a "$target/examples/bare_loop" "$file" > /dev/null
  /usr/bin/time -f "inspect %e %M" -o "$tmp" -a "$target/davscope" inspect "$file" > /dev/null
done
python3 - "$tmp" "$size" <<'PY'
import statistics, sys
times, rss = {}, {}
for line in open(sys.argv[1]):
    name, secs, kb = line.split()
    times.setdefault(name, []).append(float(secs))
    rss[name] = max(rss.get(name, 0), int(kb))
size = int(sys.argv[2])
for name in ("bare", "inspect"):
    t = times[name]
    label = "bare_loop       " if name == "bare" else "davscope inspect"
    print(f"{label} median {statistics.median(t):.2f} s [{min(t):.2f}..{max(t):.2f}], "
          f"peak RSS {rss[name] * 1024 / size:.2f}x the file")
ratio = statistics.median(times["inspect"]) / statistics.median(times["bare"])
print(f"inspect / bare_loop = {ratio:.2f} over {len(times['bare'])} alternate rounds (goal <= 1.0)")
PY
