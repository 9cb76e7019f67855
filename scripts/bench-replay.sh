#!/usr/bin/env bash
# Replay benchmark, peers in the same run (docs/benchmarks.md), all against nginx
# answering 204 on loopback, with a ~1.4 KB job.completed body:
#   1. max rate: `hookreel replay --rate max --concurrency C` against `wrk -cC`
#      (target: >= 0.8x wrk's requests/s);
#   2. constant rates 1000/s, 5000/s, 20000/s for RATE_SECONDS each: achieved
#      rate (target: within 1%), schedule lag p99 (target: < 2 ms), next to
#      `hey -q` sending the same total;
#   3. peak memory replaying 100,000 and 1,000,000 events (target: < 100 MiB,
#      and within 20% of each other).
# CPU per request is replay's user + system time over the requests it sent.
# BASELINE_BIN=path/to/older/hookreel also runs the max-rate and constant-rate
# rows with an older build, in the same run, for a before/after comparison.
# Release build; loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-64}
MAX_SECONDS=${MAX_SECONDS:-10}
RATE_SECONDS=${RATE_SECONDS:-20}
RATES=${RATES:-"1000 5000 20000"}
HEY_WORKERS=${HEY_WORKERS:-50}
WORK=${WORK:-.build/bench-replay}
BIN=.build/release/hookreel
BASELINE_BIN=${BASELINE_BIN:-}
PORT=18080
URL="http://127.0.0.1:$PORT/webhooks/orchestrator"
BODY=scripts/bench/job-completed.json

for tool in wrk nginx hey; do
  command -v $tool >/dev/null || {
    [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk nginx-light hey >/dev/null || { echo "needs wrk, nginx and hey (apt-get install wrk nginx-light hey)"; exit 1; }
  }
done
swift build -c release --product hookreel >/dev/null
mkdir -p "$WORK"
for n in 100000 1000000; do
  [ -d "$WORK/rec-$n" ] || python3 scripts/bench/make-bench-ndjson.py --events $n | "$BIN" pack --out "$WORK/rec-$n" 2>/dev/null
done

nginx -c "$PWD/scripts/bench/nginx.conf" -p "$WORK" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null || true' EXIT
sleep 0.5

# replay BIN ARGS...: runs that build's replay quietly; prints
# "achieved_rate lag_p99 latency_p99 service_p99 cpu_us_per_request"
replay() {
  local bin=$1
  shift
  /usr/bin/time -f "%U %S" -o "$WORK/replay.cpu" "$bin" replay "$@" --target "$URL" --quiet --json "$WORK/replay.json" > "$WORK/replay.out"
  awk -v cpu="$(awk '{ print $1 + $2 }' "$WORK/replay.cpu")" -v worst="$(worst_second "$WORK/replay.json")" '
       /^rate/ { for (i = 1; i <= NF; i++) if ($i == "achieved") { r = $(i + 1); sub(/\/s.*/, "", r) } }
       /^requests/ { n = $2 }
       /^latency +[0-9]/ { lat = $6 } /^service time/ { svc = $7 } /^schedule lag/ { lag = $7 }
       END { printf "%s %s %s %s %.1f %s\n", r, lag, lat, svc, cpu * 1e6 / n, worst }' "$WORK/replay.out"
}

# worst_second RESULT.json: the largest distance, in percent, of a whole
# second's completions from the run's mean per second (first and last second
# left out: they are partial)
worst_second() {
  python3 -c '
import json, sys
seconds = [s["completed"] for s in json.load(open(sys.argv[1]))["statistics"]["completed_per_second"]][1:-1]
mean = sum(seconds) / len(seconds) if seconds else 0
print("%.2f%%" % (max(abs(s - mean) for s in seconds) / mean * 100) if mean else "-")
' "$1"
}

builds=("this:$BIN")
[ -n "$BASELINE_BIN" ] && builds+=("baseline:$BASELINE_BIN")

echo "== max rate, $CONNECTIONS connections, ${MAX_SECONDS}s each"
wrk -t2 -c"$CONNECTIONS" -d"${MAX_SECONDS}s" --latency -s scripts/bench/post.lua "$URL" > "$WORK/wrk.out"
wrk_rps=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk.out")
maxrate_rows=()
for build in "${builds[@]}"; do
  read -r hr_rps _ hr_p99 _ hr_cpu _ <<<"$(replay "${build#*:}" "$WORK/rec-1000000" --rate max --concurrency "$CONNECTIONS" --duration "${MAX_SECONDS}s")"
  maxrate_rows+=("${build%%:*} $hr_rps $hr_p99 $hr_cpu")
done
wrk_rps2=$(wrk -t2 -c"$CONNECTIONS" -d"${MAX_SECONDS}s" -s scripts/bench/post.lua "$URL" | awk '/Requests\/sec/ { print $2 }')
awk -v w1="$wrk_rps" -v w2="$wrk_rps2" '
BEGIN { w = (w1 + w2) / 2; printf "wrk (mean of before/after: %.0f, %.0f)  %10.0f req/s\n", w1, w2, w }
{ printf "hookreel replay --rate max (%s) %10.0f req/s  %.2fx wrk  (latency p99 %s, CPU %s us/req; target >= 0.80x)\n", $1, $2, $2 / w, $3, $4 }
' <<<"$(printf '%s\n' "${maxrate_rows[@]}")"

echo
echo "== constant rates, ${RATE_SECONDS}s each (hookreel: uniform arrivals; hey: -q per worker x $HEY_WORKERS workers)"
printf "%-8s %-9s %12s %9s %12s %12s %10s %12s   %14s %12s\n" "target" "build" "hookreel/s" "off by" "lag p99" "latency p99" "CPU us/req" "worst second" "hey/s" "hey p99"
for rate in $RATES; do
  total=$((rate * RATE_SECONDS))
  rows=()
  for build in "${builds[@]}"; do
    rows+=("${build%%:*} $(replay "${build#*:}" "$WORK/rec-1000000" --rate "$rate/s" --limit "$total")")
  done
  hey -n "$total" -c "$HEY_WORKERS" -q $((rate / HEY_WORKERS)) -m POST -T "application/json; charset=utf-8" \
      -H "User-Agent: UiPath-WebhookService/Webhooks" -D "$BODY" "$URL" > "$WORK/hey.out"
  hey_rps=$(awk '/Requests\/sec/ { print $2 }' "$WORK/hey.out")
  hey_p99=$(awk '/ 99% in/ { print $3 * 1000 "ms" }' "$WORK/hey.out")
  awk -v r="$rate" -v hr="$hey_rps" -v hp="$hey_p99" '{
    printf "%-8s %-9s %12.1f %8.2f%% %12s %12s %10s %12s   %14s %12s\n", r "/s", $1, $2, ($2 - r) / r * 100, $3, $4, $6, $7,
      NR == 1 ? sprintf("%.1f", hr) : "", NR == 1 ? hp : ""
  }' <<<"$(printf '%s\n' "${rows[@]}")"
done
echo "targets: achieved within 1% of the target (and every whole second within 1% of the mean), schedule lag p99 < 2ms"

echo
echo "== peak memory (max RSS) replaying at max rate"
for n in 100000 1000000; do
  /usr/bin/time -f "%M" -o "$WORK/rss-$n" "$BIN" replay "$WORK/rec-$n" --target "$URL" --rate max --concurrency "$CONNECTIONS" --quiet > /dev/null
done
awk -v a="$(cat "$WORK/rss-100000")" -v b="$(cat "$WORK/rss-1000000")" 'BEGIN {
  printf "100,000 events   %6.1f MiB\n1,000,000 events %6.1f MiB  (%+.0f%%; targets: < 100 MiB, within 20%%)\n", a / 1024, b / 1024, (b - a) / a * 100
}'
