#!/usr/bin/env python3
"""Writes realistic hookreel records (NDJSON, recording-format v1) to stdout.

Job and queue-item lifecycles as Orchestrator delivers them (docs/orchestrator-webhooks.md
§3.4, §3.6), signed with a known secret, from one or more recorder instances.
Used to make the committed sample recording and the benchmark corpus:

    scripts/make-sample-ndjson.py --events 2000 --instances 2 | hookreel pack --out recordings/sample
"""
import argparse, base64, datetime, hashlib, hmac, json, random, uuid

SECRET = "hookreel-sample-secret"

def iso7(t):  # Orchestrator style: 7 fractional digits, trailing zeros trimmed
    s = t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"
    return s.rstrip("0").rstrip(".") + "Z"

def micros(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

def job_events(rng, now, tenant):
    key = str(uuid.UUID(int=rng.getrandbits(128)))
    job_id = rng.randrange(10**8, 10**9)
    robot = {"Id": rng.randrange(1, 400), "Name": f"robot-{rng.randrange(1, 400):03d}", "MachineName": f"VM-RPA-{rng.randrange(1, 60):02d}"}
    release = {"Id": rng.randrange(1, 90), "Key": str(uuid.UUID(int=rng.getrandbits(128))), "ProcessKey": rng.choice(["InvoiceIntake", "VendorSync", "ClaimsTriage", "PayrollCheck"])}
    folder = rng.choice([12, 12, 27, 31])
    start = now
    job = {"Id": job_id, "Key": key, "State": "Running", "StartTime": iso7(start), "Info": "Waiting for execution to start...",
           "OutputArguments": None, "Robot": robot, "Release": release}
    yield "job.started", {"Job": dict(job), "TenantId": tenant, "OrganizationUnitId": folder}, start
    end = start + datetime.timedelta(seconds=rng.uniform(2, 90))
    outcome = rng.random()
    if outcome < 0.85:
        job.update(State="Successful", EndTime=iso7(end), Info="Job completed",
                   OutputArguments={"ProcessedCount": rng.randrange(1, 500), "Status": "OK", "Notes": "batch " + str(rng.randrange(10**6))})
        yield "job.completed", {"Job": job, "TenantId": tenant, "OrganizationUnitId": folder}, end
    else:
        job.update(State="Faulted", EndTime=iso7(end), OutputArguments={},
                   Info="System.Exception: Selector not found for 'Submit'\r\n   at UiPath.Core.Activities.ClickActivity.Execute()\r\n   at System.Activities.CodeActivity.InternalExecute()")
        yield "job.faulted", {"Job": job, "TenantId": tenant, "OrganizationUnitId": folder}, end

def queue_events(rng, now, tenant):
    queue = {"Id": 7, "Name": "Invoices-EU", "Description": "Supplier invoices to post", "MaxNumberOfRetries": 2,
             "AcceptAutomaticallyRetry": True, "EnforceUniqueReference": False}
    item = {"Id": rng.randrange(10**7, 10**8), "Key": str(uuid.UUID(int=rng.getrandbits(128))), "QueueDefinitionId": 7,
            "Status": "New", "ReviewStatus": "None", "Priority": rng.choice(["High", "Normal", "Low"]),
            "CreationTime": iso7(now), "SecondsInPreviousAttempts": 0, "RetryNumber": 0,
            "SpecificContent": {"InvoiceNumber": f"INV-{rng.randrange(10**6):06d}", "Amount": round(rng.uniform(10, 90000), 2),
                                "Currency": rng.choice(["EUR", "USD", "GBP"]), "Supplier": rng.choice(["Acme GmbH", "Globex SA", "Initech Ltd", "Umbrella BV"])}}
    yield "queueItem.added", {"Queue": queue, "QueueItems": [dict(item)], "TenantId": tenant, "UserId": 44}, now
    t = now + datetime.timedelta(seconds=rng.uniform(0.5, 30))
    item.update(Status="InProgress", StartProcessing=iso7(t))
    yield "queueItem.transactionStarted", {"QueueItem": dict(item), "Queue": queue, "TenantId": tenant, "UserId": 44}, t
    t2 = t + datetime.timedelta(seconds=rng.uniform(0.2, 20))
    if rng.random() < 0.9:
        item.update(Status="Successful", EndProcessing=iso7(t2), Output={"PostedDocument": f"51{rng.randrange(10**8):08d}"})
        yield "queueItem.transactionCompleted", {"QueueItem": item, "Queue": queue, "TenantId": tenant, "UserId": 44}, t2
    else:
        item.update(Status="Failed", EndProcessing=iso7(t2),
                    ProcessingException={"Reason": "SAP timeout", "Details": "The SAP GUI did not respond within 30 s", "Type": "ApplicationException"})
        yield "queueItem.transactionFailed", {"QueueItem": item, "Queue": queue, "TenantId": tenant, "UserId": 44}, t2

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=2000)
    p.add_argument("--instances", type=int, default=1)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--start", default="2026-11-02T09:00:00")
    args = p.parse_args()
    rng = random.Random(args.seed)
    start = datetime.datetime.fromisoformat(args.start)
    pending = []
    t = start
    while len(pending) < args.events:
        t += datetime.timedelta(seconds=rng.expovariate(8.0))
        gen = job_events(rng, t, 1) if rng.random() < 0.5 else queue_events(rng, t, 1)
        pending.extend(gen)
    pending = pending[:args.events]
    pending.sort(key=lambda e: e[2])
    seqs = [0] * args.instances
    out = []
    event_id = 307348000
    for type_, payload, when in pending:
        event_id += rng.randrange(1, 40)
        body_obj = {"Type": type_, "EventId": str(event_id), "Timestamp": iso7(when + datetime.timedelta(milliseconds=rng.uniform(5, 40)))}
        body_obj.update(payload)
        body = json.dumps(body_obj, separators=(",", ":"), ensure_ascii=False)
        sig = base64.b64encode(hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).digest()).decode()
        inst = rng.randrange(args.instances)
        seqs[inst] += 1
        received = when + datetime.timedelta(milliseconds=rng.uniform(40, 60))
        record = {"v": 1, "seq": seqs[inst], "instance": f"sample-{chr(97 + inst)}", "received_at": micros(received),
                  "method": "POST", "path": "/webhooks/orchestrator", "query": "",
                  "headers": {"content-type": "application/json; charset=utf-8", "user-agent": "UiPath-WebhookService/Webhooks",
                              "x-uipath-signature": sig, "content-length": str(len(body.encode()))},
                  "body": body, "type": type_, "event_id": body_obj["EventId"], "remote": f"10.20.0.{inst + 5}:{rng.randrange(30000, 60000)}",
                  "signature": "valid", "status": 202, "source": "recorded"}
        out.append(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
    print("\n".join(out))

if __name__ == "__main__":
    main()
