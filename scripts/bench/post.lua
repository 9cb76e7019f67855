-- wrk script: POST a realistic job.completed delivery with Orchestrator's headers.
local body_file = os.getenv("BODY_FILE") or "scripts/bench/job-completed.json"
local f = assert(io.open(body_file, "rb"))
wrk.body = f:read("*a"):gsub("%s+$", "")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json; charset=utf-8"
wrk.headers["User-Agent"] = "UiPath-WebhookService/Webhooks"
wrk.headers["X-UiPath-Signature"] = os.getenv("SIGNATURE") or "unchecked"
