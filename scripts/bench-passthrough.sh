#!/usr/bin/env bash
# Pass-through benchmark (docs/benchmarks.md): what `hookreel record --forward`
# adds to a delivery's latency. `hookreel replay` sends at RATES (default 1000/s
# and 5000/s) for RATE_SECONDS each to a `hookreel sink` answering after
# SINK_LATENCY (default 2ms), first directly, then through `record --forward`
# in each durability mode. Reported: replay's latency p50 and p99 (from the
# schedule) and what the recorder added over direct delivery.
# Target: at most +0.5 ms at p50 and +1 ms at p99 in every mode. Release build,
# loopback only.
#
# PIN=1 runs the recorder on CPU 1 and replay and the sink on CPU 0 (taskset),
# direct runs included: on a two-core machine the three otherwise take turns on
# both cores, and the recorder's added latency then includes the time replay
# and the sink wait for a core it holds (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."

RATES=${RATES:-"1000 5000"}
RATE_SECONDS=${RATE_SECONDS:-10}
SINK_LATENCY=${SINK_LATENCY:-2ms}
WORK=${WORK:-.build/bench-passthrough}
BIN=.build/release/hookreel
PIN=${PIN:-0}
SINK_PORT=18090
RECORDER_PORT=18091

swift build -c release --product hookreel >/dev/null
rm -rf "$WORK" && mkdir -p "$WORK"
[ -d "$WORK/rec" ] || python3 scripts/bench/make-bench-ndjson.py --events 60000 | "$BIN" pack --out "$WORK/rec" 2>/dev/null

# What runs a command on CPU 0 and on CPU 1 (nothing unless PIN=1).
on0=(); on1=()
if [ "$PIN" = 1 ]; then on0=(taskset -c 0); on1=(taskset -c 1); fi

"${on0[@]}" "$BIN" sink --listen 127.0.0.1:$SINK_PORT --latency "$SINK_LATENCY" --seed 1 >/dev/null 2>"$WORK/sink.log" &
sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$SINK_PORT/metrics" >/dev/null 2>&1 && break; sleep 0.1; done

# to_ms TEXT: "812µs", "2.31ms", "1.2s" -> milliseconds
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /µs$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else if (v ~ /s$/) print v * 1000; else print v }'; }

# run_replay RATE URL: prints "p50_ms p99_ms non2xx"
run_replay() {
  local count=$(( $1 * RATE_SECONDS ))
  "${on0[@]}" "$BIN" replay "$WORK/rec" --target "$2" --rate "$1/s" --limit "$count" --quiet --seed 1 > "$WORK/replay.out" 2>&1 || true
  local p50 p99 failed
  read -r p50 p99 <<<"$(awk '$1 == "latency" { print $4, $6 }' "$WORK/replay.out")"
  failed=$(awk '$1 == "failed" { print $2 }' "$WORK/replay.out")
  echo "$(to_ms "$p50") $(to_ms "$p99") ${failed:-?}"
}

printf "replay -> sink answering after %s, %ss per rate; latency from the schedule%s\n\n" "$SINK_LATENCY" "$RATE_SECONDS" \
  "$([ "$PIN" = 1 ] && echo "; replay and the sink on CPU 0, the recorder on CPU 1")"
printf "%-28s %8s %10s %10s %12s %12s %8s\n" "" "rate/s" "p50 ms" "p99 ms" "added p50" "added p99" "failed"
for rate in $RATES; do
  read -r d50 d99 dfail <<<"$(run_replay "$rate" "http://127.0.0.1:$SINK_PORT/hook")"
  printf "%-28s %8s %10.3f %10.3f %12s %12s %8s\n" "direct to the sink" "$rate" "$d50" "$d99" "-" "-" "$dfail"
  for mode in fsync flush async; do
    "${on1[@]}" "$BIN" record --listen 127.0.0.1:$RECORDER_PORT --out "$WORK/through-$mode-$rate" --durability "$mode" \
      --forward "http://127.0.0.1:$SINK_PORT" 2>"$WORK/record-$mode.log" &
    pid=$!
    for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$RECORDER_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    read -r p50 p99 fail <<<"$(run_replay "$rate" "http://127.0.0.1:$RECORDER_PORT/hook")"
    kill -TERM $pid; wait $pid || true
    printf "%-28s %8s %10.3f %10.3f %+12.3f %+12.3f %8s\n" "through record --$mode" "$rate" "$p50" "$p99" \
      "$(awk -v a="$p50" -v b="$d50" 'BEGIN { print a - b }')" "$(awk -v a="$p99" -v b="$d99" 'BEGIN { print a - b }')" "$fail"
  done
done
echo
echo "target: added p50 <= +0.5 ms and added p99 <= +1 ms in every mode"
