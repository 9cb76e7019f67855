#!/usr/bin/env bash
# Storm benchmark, peer in the same run (docs/benchmarks.md): `hookreel storm
# --out` writing scripts/bench/storm.yaml (about 1,000,000 events) into a
# recording, against `zstd -3` compressing the same records as NDJSON.
# Target: at least 0.5x zstd's records/s. Release build; best of RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
WORK=${WORK:-.build/bench-storm}
BIN=.build/release/hookreel
SCENARIO=scripts/bench/storm.yaml
START=2026-12-01T00:00:00Z

command -v zstd >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq zstd >/dev/null; }
swift build -c release --product hookreel >/dev/null
rm -rf "$WORK" && mkdir -p "$WORK"

# seconds COMMAND...: wall seconds of one run
seconds() { local s e; s=$(date +%s.%N); "$@"; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN { print e - s }'; }

storm_times=()
for _ in $(seq "$RUNS"); do
  rm -rf "$WORK/rec"
  storm_times+=("$(seconds "$BIN" storm "$SCENARIO" --out "$WORK/rec" --start "$START" --quiet 2>/dev/null)")
done
best_storm=$(printf '%s\n' "${storm_times[@]}" | sort -g | head -1)
"$BIN" cat "$WORK/rec" > "$WORK/storm.ndjson"
records=$(wc -l < "$WORK/storm.ndjson")
bytes=$(stat -c %s "$WORK/storm.ndjson")

zstd_times=()
for _ in $(seq "$RUNS"); do
  zstd_times+=("$(seconds sh -c "zstd -3 -q -c '$WORK/storm.ndjson' > /dev/null")")
done
best_zstd=$(printf '%s\n' "${zstd_times[@]}" | sort -g | head -1)

awk -v n="$records" -v b="$bytes" -v s="$best_storm" -v z="$best_zstd" 'BEGIN {
  printf "%d records, %.0f MB of NDJSON; best of runs\n", n, b / 1e6
  printf "hookreel storm --out   %10.0f records/s  (%.2f s)\n", n / s, s
  printf "zstd -3 (same NDJSON)  %10.0f records/s  (%.2f s)\n", n / z, z
  printf "ratio                  %10.2fx  (target >= 0.5x)\n", (n / s) / (n / z)
}'
