#!/usr/bin/env bash
# The traffic half of `make demo`: an embedded `hookreel sink` (lognormal
# latency, 1% errors, signatures checked) receives the storm of
# scenarios/quickstart.yaml (about 20 s) and then the sample recording replayed
# at 500 requests/s; each run's latency report and the sink's summary follow.
set -euo pipefail
HOOKREEL=${HOOKREEL:-.build/debug/hookreel}
OUT=${OUT:-.build/demo}
PORT=${PORT:-18099}
export HOOKREEL_DEMO_SECRET=hookreel-sample-secret   # the sample recording's secret

"$HOOKREEL" sink --listen 127.0.0.1:$PORT --latency 'lognormal(4ms,0.6)' --error-rate 1% --error-status 503 \
  --seed 7 --secret-env HOOKREEL_DEMO_SECRET > "$OUT/sink-summary.txt" 2> "$OUT/sink.log" &
sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

echo "== hookreel storm scenarios/quickstart.yaml --target http://127.0.0.1:$PORT/webhooks --secret-env HOOKREEL_DEMO_SECRET"
"$HOOKREEL" storm scenarios/quickstart.yaml --target "http://127.0.0.1:$PORT/webhooks" --secret-env HOOKREEL_DEMO_SECRET \
  --json "$OUT/storm.json" --html "$OUT/storm.html"
echo

echo "== hookreel replay recordings/sample --target http://127.0.0.1:$PORT/webhooks --rate 500/s --order entity"
"$HOOKREEL" replay recordings/sample --target "http://127.0.0.1:$PORT/webhooks" --rate 500/s --order entity \
  --json "$OUT/replay.json" --html "$OUT/replay.html" --quiet
echo
kill -TERM $sink && wait $sink
trap - EXIT
echo "== the sink's summary (SIGTERM)"
cat "$OUT/sink-summary.txt"
echo
echo "reports: $OUT/storm.html, $OUT/replay.html (self-contained); $OUT/storm.json, $OUT/replay.json (hookreel report FILE)"
