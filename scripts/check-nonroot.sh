#!/usr/bin/env bash
# hookreel as an unprivileged user, as the image (USER 10001) and the
# Kubernetes manifests (runAsUser: 10001) run it: a recorder and a sink on
# loopback, each sent 20 requests by `hookreel replay`, which must all be
# answered 2xx, and the recorder must have kept them.
#
# Run as root (as CI is), everything runs as uid 10001 through setpriv; run as
# another user, as that user. Root may do what others may not (a socket option
# that needs CAP_NET_ADMIN, say) and so hides such failures from every other
# test.
#
#   scripts/check-nonroot.sh [HOOKREEL]     (default .build/debug/hookreel)
set -euo pipefail
cd "$(dirname "$0")/.."

HOOKREEL=${1:-.build/debug/hookreel}
RUN_UID=10001
[ -x "$HOOKREEL" ] || { echo "check-nonroot: $HOOKREEL missing: build first" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A copy the unprivileged user can reach whatever the checkout's permissions.
cp "$HOOKREEL" "$work/hookreel"
cp -r recordings/sample "$work/sample"
chmod 755 "$work"
as_user=()
if [ "$(id -u)" = 0 ]; then
  chown -R "$RUN_UID:$RUN_UID" "$work"
  as_user=(setpriv --reuid "$RUN_UID" --regid "$RUN_UID" --clear-groups)
fi
run() { (cd "$work" && exec "${as_user[@]}" "$@"); }

# Starts a server on 127.0.0.1:0; its pid (hookreel's own, through exec, so
# that SIGTERM reaches it) is appended to pids.
start() {
  local name=$1; shift
  (cd "$work" && exec "${as_user[@]}" ./hookreel "$@" --listen 127.0.0.1:0) >"$work/$name.log" 2>&1 &
  pids+=($!)
}

# The port a server logged, once it has (5 s at most).
port_of() {
  local name=$1 port
  for _ in $(seq 1 50); do
    port=$(sed -n 's/.*address=127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/$name.log" | head -n 1)
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.1
  done
  echo "check-nonroot: $name did not start:" >&2; cat "$work/$name.log" >&2; return 1
}

send() {
  local name=$1 port=$2
  if ! run ./hookreel replay sample --target "http://127.0.0.1:$port/webhooks" --limit 20 --rate 200/s \
      --fail-on 'errors>0%' >"$work/replay-$name.log" 2>&1; then
    echo "check-nonroot: $name as uid $("${as_user[@]}" id -u) did not answer every request 2xx:" >&2
    cat "$work/replay-$name.log" "$work/$name.log" >&2
    exit 1
  fi
}

start sink sink
start record record --out recording --instance nonroot --durability fsync
sink_port=$(port_of sink)
record_port=$(port_of record)
send sink "$sink_port"
send record "$record_port"

# SIGTERM seals the recorder's segment; then all 20 records must be there.
kill -TERM "${pids[1]}"
wait "${pids[1]}" || { echo "check-nonroot: the recorder did not exit 0 on SIGTERM" >&2; cat "$work/record.log" >&2; exit 1; }
records=$(run ./hookreel inspect recording --verify | sed -n 's/^records *\([0-9]*\).*/\1/p')
if [ "$records" != 20 ]; then
  echo "check-nonroot: the recorder kept ${records:-no} records, not 20" >&2
  run ./hookreel inspect recording --verify >&2 || true
  exit 1
fi
echo "check-nonroot: recorder and sink as uid $("${as_user[@]}" id -u): 20 of 20 requests answered 2xx each, 20 records kept"
