#!/usr/bin/env bash
# Recorder benchmark, peers in the same run (docs/benchmarks.md): wrk POSTs a ~1.4 KB
# job.completed delivery with 64 connections for DURATION against
#   - nginx answering 204 (`location / { return 204; }`), measured before and after;
#   - hookreel record in each durability mode (fsync, flush, async);
#   - two swift-nio floors (Benchmarks/ServerFloor): a bare NIOHTTP1 server set
#     up as the recorder's listener, and raw channels with no HTTP handlers,
#     each with one and two event loops. They show what the stack itself allows.
# Targets: fsync >= 0.5x nginx requests/s, async >= 0.8x. Release build, loopback only.
# CPU per request is the recorder's user + system time (from /proc) over the
# requests wrk completed. BASELINE_BIN=path/to/older/hookreel also measures an
# older build's recorder in the same run, for a before/after comparison.
# PRODUCTION=1 adds what recording production traffic costs, each in fsync and
# async: --redact of two values of the body, --only-type that keeps every
# delivery, --skip-type that keeps none, and --forward to the nginx above.
# TLS=1 adds https (--tls-cert/--tls-key, an EC P-256 certificate made with
# openssl) in fsync and async, against nginx serving https with the same
# certificate in the same run (keep-alive: one handshake per connection).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WORK=${WORK:-.build/bench-recorder}
BIN=.build/release/hookreel
BASELINE_BIN=${BASELINE_BIN:-}
NGINX_PORT=18080
RECORDER_PORT=18081
FLOOR_PORT=18082
NGINX_TLS_PORT=18083

command -v wrk >/dev/null && command -v nginx >/dev/null || {
  [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk nginx-light >/dev/null || { echo "needs wrk and nginx (apt-get install wrk nginx-light)"; exit 1; }
}
swift build -c release --product hookreel >/dev/null
swift build -c release --product server-floor >/dev/null
rm -rf "$WORK" && mkdir -p "$WORK"
WORK=$(realpath "$WORK")

nginx -c "$PWD/scripts/bench/nginx.conf" -p "$WORK" &
nginx_pid=$!
nginx_tls_pid=
trap 'kill $nginx_pid $nginx_tls_pid 2>/dev/null || true' EXIT
if [ -n "${TLS:-}" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/tls.key" -out "$WORK/tls.pem" 2>/dev/null
  cat > "$WORK/nginx-tls.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx-tls.pid;
error_log $WORK/nginx-tls.err warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_buffer_size 64k;
    server {
        listen 127.0.0.1:$NGINX_TLS_PORT ssl reuseport;
        ssl_certificate $WORK/tls.pem;
        ssl_certificate_key $WORK/tls.key;
        location / { return 204; }
    }
}
EOF
  nginx -c "$WORK/nginx-tls.conf" -p "$WORK" &
  nginx_tls_pid=$!
fi
sleep 0.5

# run_wrk PORT [SCHEME]: prints "requests/s p99 non-2xx requests"
run_wrk() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s scripts/bench/post.lua "${2:-http}://127.0.0.1:$1/webhooks/orchestrator" > "$WORK/wrk.out"
  awk '/Requests\/sec/ { rps = $2 } /^ +99%/ { p99 = $2 } /Non-2xx/ { bad = $NF } / requests in / { n = $1 }
       END { print rps, p99, (bad == "" ? 0 : bad), n }' "$WORK/wrk.out"
}

# cpu_seconds PID: user + system CPU seconds the process has used so far
cpu_seconds() {
  awk -v tck="$(getconf CLK_TCK)" '{ print ($14 + $15) / tck }' "/proc/$1/stat"
}

read -r nginx1 nginx1_p99 _ <<<"$(run_wrk $NGINX_PORT)"
nginx_tls=0
[ -n "${TLS:-}" ] && read -r nginx_tls nginx_tls_p99 _ <<<"$(run_wrk $NGINX_TLS_PORT https)"
results=()
builds=("this:$BIN")
[ -n "$BASELINE_BIN" ] && builds+=("baseline:$BASELINE_BIN")
# variant = label|durability|extra record options
variants=("fsync|fsync|" "flush|flush|" "async|async|")
if [ -n "${TLS:-}" ]; then
  for mode in fsync async; do variants+=("$mode+tls|$mode|--tls-cert $WORK/tls.pem --tls-key $WORK/tls.key"); done
fi
if [ -n "${PRODUCTION:-}" ]; then
  for mode in fsync async; do
    variants+=("$mode+redact|$mode|--redact /Job/OutputArguments --redact /Job/Robot/Name"
               "$mode+only-type(keeps-all)|$mode|--only-type job.*"
               "$mode+skip-type(keeps-none)|$mode|--skip-type job.*"
               "$mode+forward(nginx)|$mode|--forward http://127.0.0.1:$NGINX_PORT/")
  done
fi
for build in "${builds[@]}"; do
  name=${build%%:*} bin=${build#*:}
  for variant in "${variants[@]}"; do
    IFS='|' read -r label mode extra <<<"$variant"
    out="$WORK/rec-$name-${label//[^a-z0-9+-]/_}"
    # shellcheck disable=SC2086 # extra holds separate options
    "$bin" record --listen 127.0.0.1:$RECORDER_PORT --out "$out" --durability "$mode" $extra 2>"$WORK/record-$name-${label//[^a-z0-9+-]/_}.log" &
    pid=$!
    scheme=http
    [[ $label == *+tls ]] && scheme=https
    for _ in $(seq 100); do curl -kfsS "$scheme://127.0.0.1:$RECORDER_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
    before=$(cpu_seconds $pid)
    read -r rps p99 bad total <<<"$(run_wrk $RECORDER_PORT $scheme)"
    cpu=$(awk -v a="$before" -v b="$(cpu_seconds $pid)" -v n="$total" 'BEGIN { printf "%.1f", (b - a) * 1e6 / n }')
    kill -TERM $pid; wait $pid
    ratio=$("$BIN" inspect "$out" --json | awk -F': ' '/"compression_ratio"/ { gsub(/,/, "", $2); print $2 }')
    [ "$name" = baseline ] && label="$label(baseline)"
    results+=("$label $rps $p99 $bad ${ratio:-0} $cpu")
  done
done
for floor in "http 1" "http 2" "raw 1" "raw 2"; do
  read -r mode loops <<<"$floor"
  .build/release/server-floor $FLOOR_PORT "$loops" "$mode" &
  pid=$!
  for _ in $(seq 50); do curl -fsS -o /dev/null -X POST "http://127.0.0.1:$FLOOR_PORT/" 2>/dev/null && break; sleep 0.1; done
  read -r rps p99 bad _ <<<"$(run_wrk $FLOOR_PORT)"
  kill -TERM $pid; wait $pid
  results+=("floor:$mode/$loops $rps $p99 $bad - -")
done
read -r nginx2 nginx2_p99 _ <<<"$(run_wrk $NGINX_PORT)"

awk -v n1="$nginx1" -v n2="$nginx2" -v p1="$nginx1_p99" -v p2="$nginx2_p99" -v c="$CONNECTIONS" -v d="$DURATION" \
    -v nt="$nginx_tls" -v pt="${nginx_tls_p99:-}" '
BEGIN {
  nginx = (n1 + n2) / 2
  printf "wrk -t%s -c%d -d%s, ~1.4 KB job.completed POST; nginx = mean of a run before and after\n\n", ENVIRON["THREADS"] ? ENVIRON["THREADS"] : 2, c, d
  printf "%-48s %12s %10s %10s %10s %8s %12s\n", "", "requests/s", "vs nginx", "p99", "non-2xx", "ratio", "CPU us/req"
  printf "%-48s %12.0f %10s %10s %10s %8s   (runs: %.0f, %.0f; p99 %s, %s)\n", "nginx return 204", nginx, "1.00x", p1, "-", "-", n1, n2, p1, p2
  if (nt > 0) printf "%-48s %12.0f %9.2fx %10s %10s %8s   (https rows are also compared with this)\n", "nginx return 204, https", nt, nt / nginx, pt, "-", "-"
}
$1 ~ /\+tls$/ { printf "%-48s %12.0f %9.2fx %10s %10s %7.1fx %12s   %.2fx of nginx https\n", "record --durability " $1, $2, $2 / nginx, $3, $4, $5, $6, $2 / nt; next }
$1 !~ /^floor:/ { printf "%-48s %12.0f %9.2fx %10s %10s %7.1fx %12s\n", "record --durability " $1, $2, $2 / nginx, $3, $4, $5, $6 }
$1 ~ /^floor:/ {
  split(substr($1, 7), f, "/")
  if (!floors++) print "\nswift-nio floors (answer 202, record nothing):"
  printf "%-48s %12.0f %9.2fx %10s %10s\n", (f[1] == "http" ? "NIOHTTP1 pipeline, " : "raw channels, ") f[2] " loop" (f[2] > 1 ? "s" : ""), $2, $2 / nginx, $3, $4
}
END { print "\ntargets: fsync >= 0.50x, async >= 0.80x; ratio = uncompressed / compressed bytes written" }
' <<<"$(printf '%s\n' "${results[@]}")"
