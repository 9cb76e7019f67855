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

# replay ARGS...: runs hookreel replay quietly; prints "achieved_rate lag_p99 latency_p99 service_p99"
replay() {
  "$BIN" replay "$@" --target "$URL" --quiet > "$WORK/replay.out"
  awk '/^rate/ { for (i = 1; i <= NF; i++) if ($i == "achieved") { r = $(i + 1); sub(/\/s.*/, "", r) } }
       /^latency +[0-9]/ { lat = $6 } /^service time/ { svc = $7 } /^schedule lag/ { lag = $7 }
       END { print r, lag, lat, svc }' "$WORK/replay.out"
}

echo "== max rate, $CONNECTIONS connections, ${MAX_SECONDS}s each"
wrk -t2 -c"$CONNECTIONS" -d"${MAX_SECONDS}s" --latency -s scripts/bench/post.lua "$URL" > "$WORK/wrk.out"
wrk_rps=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk.out")
read -r hr_rps _ hr_p99 _ <<<"$(replay "$WORK/rec-1000000" --rate max --concurrency "$CONNECTIONS" --duration "${MAX_SECONDS}s")"
wrk_rps2=$(wrk -t2 -c"$CONNECTIONS" -d"${MAX_SECONDS}s" -s scripts/bench/post.lua "$URL" | awk '/Requests\/sec/ { print $2 }')
awk -v w1="$wrk_rps" -v w2="$wrk_rps2" -v h="$hr_rps" -v p="$hr_p99" 'BEGIN {
  w = (w1 + w2) / 2
  printf "wrk (mean of before/after: %.0f, %.0f)  %10.0f req/s\n", w1, w2, w
  printf "hookreel replay --rate max           %10.0f req/s  %.2fx wrk  (latency p99 %s; target >= 0.80x)\n", h, h / w, p
}'

echo
echo "== constant rates, ${RATE_SECONDS}s each (hookreel: uniform arrivals; hey: -q per worker x $HEY_WORKERS workers)"
printf "%-8s %14s %9s %12s %12s   %14s %12s\n" "target" "hookreel/s" "off by" "lag p99" "latency p99" "hey/s" "hey p99"
for rate in $RATES; do
  total=$((rate * RATE_SECONDS))
  read -r achieved lag latency _ <<<"$(replay "$WORK/rec-1000000" --rate "$rate/s" --limit "$total")"
  hey -n "$total" -c "$HEY_WORKERS" -q $((rate / HEY_WORKERS)) -m POST -T "application/json; charset=utf-8" \
      -H "User-Agent: UiPath-WebhookService/Webhooks" -D "$BODY" "$URL" > "$WORK/hey.out"
  hey_rps=$(awk '/Requests\/sec/ { print $2 }' "$WORK/hey.out")
  hey_p99=$(awk '/ 99% in/ { print $3 * 1000 "ms" }' "$WORK/hey.out")
  awk -v r="$rate" -v a="$achieved" -v lag="$lag" -v lat="$latency" -v hr="$hey_rps" -v hp="$hey_p99" 'BEGIN {
    printf "%-8s %14.1f %8.2f%% %12s %12s   %14.1f %12s\n", r "/s", a, (a - r) / r * 100, lag, lat, hr, hp
  }'
done
echo "targets: achieved within 1% of the target, schedule lag p99 < 2ms"

echo
echo "== peak memory (max RSS) replaying at max rate"
for n in 100000 1000000; do
  /usr/bin/time -f "%M" -o "$WORK/rss-$n" "$BIN" replay "$WORK/rec-$n" --target "$URL" --rate max --concurrency "$CONNECTIONS" --quiet > /dev/null
done
awk -v a="$(cat "$WORK/rss-100000")" -v b="$(cat "$WORK/rss-1000000")" 'BEGIN {
  printf "100,000 events   %6.1f MiB\n1,000,000 events %6.1f MiB  (%+.0f%%; targets: < 100 MiB, within 20%%)\n", a / 1024, b / 1024, (b - a) / a * 100
}'
