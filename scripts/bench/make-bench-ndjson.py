#!/usr/bin/env python3
"""Bench recording: N records of the ~1.4 KB job.completed body wrk posts, one
per millisecond, each with its own EventId; pipe into `hookreel pack`."""
import argparse, json

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, required=True)
    p.add_argument("--body", default="scripts/bench/job-completed.json")
    args = p.parse_args()
    body = open(args.body, encoding="utf-8").read().strip()
    marker = '"EventId":"307348658"'
    assert marker in body, "the body's EventId is expected to be 307348658"
    start_us = 1_796_000_000_000_000
    head = '{"v":1,"seq":%d,"instance":"bench","received_at":"%s","method":"POST","path":"/webhooks/orchestrator","query":"",' \
           '"headers":{"content-type":"application/json; charset=utf-8","user-agent":"UiPath-WebhookService/Webhooks"},"body":'
    tail = ',"type":"job.completed","event_id":"%d","status":202,"source":"recorded"}\n'
    out = []
    for i in range(args.events):
        event_id = 400_000_000 + i
        text = body.replace(marker, '"EventId":"%d"' % event_id)
        t = start_us + i * 1000
        stamp = "2026-12-01T%02d:%02d:%02d.%06dZ" % ((t // 3_600_000_000) % 24, (t // 60_000_000) % 60, (t // 1_000_000) % 60, t % 1_000_000)
        out.append(head % (i + 1, stamp) + json.dumps(text, ensure_ascii=False) + tail % event_id)
        if len(out) >= 10000:
            print("".join(out), end="")
            out = []
    print("".join(out), end="")

if __name__ == "__main__":
    main()
