#!/usr/bin/env bash
# Segment encode/decode benchmarks, peers measured in the same run (docs/benchmarks.md):
#   - hookreel cat RECORDING > /dev/null   vs  zstdcat SEGMENTS > /dev/null   (bytes/s; target >= 0.5x)
#   - hookreel pack (segment writing)       vs  zstd -3 on the same NDJSON     (records/s; target >= 0.5x)
#   - compression ratio of written segments vs  zstd -3                        (target >= 0.9x)
#   - cat on a storm recording too (`storm --out` of scenarios/month-end-invoices.yaml
#     at --load-scale 20): its records are smaller and more alike      (target >= 0.5x)
# Each measurement is the best of RUNS runs. Release build, local files only.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-200000}
RUNS=${RUNS:-3}
WORK=${WORK:-.build/bench-segments}
BIN=.build/release/hookreel

swift build -c release --product hookreel >/dev/null
mkdir -p "$WORK"
corpus="$WORK/corpus-$EVENTS.ndjson"
if [ ! -s "$corpus" ]; then
  echo "making a corpus of $EVENTS records..." >&2
  python3 scripts/make-sample-ndjson.py --events "$EVENTS" --instances 1 --seed 11 > "$corpus"
fi
records=$(wc -l < "$corpus")
bytes=$(stat -c %s "$corpus")

# best_of CMD...: prints the shortest wall time in seconds over RUNS runs.
best_of() {
  local best=""
  for _ in $(seq "$RUNS"); do
    local start end t
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }')
    if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then best=$t; fi
  done
  echo "$best"
}

pack_hookreel() { rm -rf "$WORK/rec"; "$BIN" pack "$corpus" --out "$WORK/rec" 2>/dev/null; }
pack_zstd() { zstd -q -f -3 "$corpus" -o "$WORK/corpus.zst"; }
cat_hookreel() { "$BIN" cat "$WORK/rec" > /dev/null; }
cat_zstd() { zstdcat "$WORK"/rec/*.ndjson.zst > /dev/null; }
storm="$WORK/storm-month-end-x20"
if [ ! -d "$storm" ]; then
  echo "making the storm corpus..." >&2
  "$BIN" storm scenarios/month-end-invoices.yaml --load-scale 20 --start 2026-01-01T00:00:00Z --out "$storm" 2>/dev/null
fi
storm_bytes=$(zstdcat "$storm"/*.ndjson.zst | wc -c)
storm_records=$(zstdcat "$storm"/*.ndjson.zst | wc -l)
cat_storm_hookreel() { "$BIN" cat "$storm" > /dev/null; }
cat_storm_zstd() { zstdcat "$storm"/*.ndjson.zst > /dev/null; }

t_pack=$(best_of pack_hookreel)
t_zstd=$(best_of pack_zstd)
t_cat=$(best_of cat_hookreel)
t_zstdcat=$(best_of cat_zstd)
t_storm_cat=$(best_of cat_storm_hookreel)
t_storm_zstdcat=$(best_of cat_storm_zstd)

seg_bytes=$(cat "$WORK"/rec/*.ndjson.zst | wc -c)
zstd_bytes=$(stat -c %s "$WORK/corpus.zst")

awk -v n="$records" -v b="$bytes" -v tp="$t_pack" -v tz="$t_zstd" -v tc="$t_cat" -v tzc="$t_zstdcat" \
    -v sb="$seg_bytes" -v zb="$zstd_bytes" -v runs="$RUNS" \
    -v sbytes="$storm_bytes" -v sn="$storm_records" -v tsc="$t_storm_cat" -v tszc="$t_storm_zstdcat" 'BEGIN {
  printf "corpus: %d records, %.1f MB of NDJSON (best of %d runs each)\n\n", n, b / 1e6, runs
  printf "%-34s %12s %12s %9s\n", "", "hookreel", "peer", "ratio"
  printf "%-34s %10.0f/s %10.0f/s %8.2fx   (peer: zstd -3; target >= 0.5x)\n", "segment writing, records/s", n / tp, n / tz, tz / tp
  printf "%-34s %10.1fx %10.1fx %8.2fx   (peer: zstd -3; target >= 0.9x)\n", "compression ratio", b / sb, b / zb, (b / sb) / (b / zb)
  printf "%-34s %8.0fMB/s %8.0fMB/s %8.2fx   (peer: zstdcat; target >= 0.5x)\n", "cat > /dev/null, NDJSON bytes/s", b / tc / 1e6, b / tzc / 1e6, tzc / tc
  printf "\nstorm corpus: %d records, %.1f MB of NDJSON\n", sn, sbytes / 1e6
  printf "%-34s %8.0fMB/s %8.0fMB/s %8.2fx   (peer: zstdcat; target >= 0.5x)\n", "cat > /dev/null, NDJSON bytes/s", sbytes / tsc / 1e6, sbytes / tszc / 1e6, tszc / tsc
}'
