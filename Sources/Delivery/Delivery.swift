// Delivery: outbound HTTP. `DeliveryClient` sends requests to one target over
// keep-alive HTTP/1.1 connections on swift-nio: replay's, and, through
// `Forwarder`, the recorder's pass-through (which keeps each answer's content
// type and body too); `WebhookPoster` (the emulator's deliveries) sends single
// requests through AsyncHTTPClient. `DeliveryFailure` sorts every
// failure of all three into timeout, refused, reset or other, the classes the
// reports count. `DeliveryTLS` says how https targets are secured, for the
// client and the forwarder alike (and for WebhooksClient's calls to a
// tenant), with a `TLSIdentity` for receivers that require mutual TLS.
//
// Promises. `DeliveryClient`: at most `connections` open at once, split over
// the loops; one request in flight per connection (no pipelining, as
// Orchestrator sends); every request handed over completes exactly once, with
// a status or a failure, no later than about its timeout. A request that a
// reused connection dropped unanswered is sent once more (the receiver most
// likely closed the idle connection as it went out); nothing else is retried.
// A dead target yields one failure per request, not a hang. `WebhookPoster`
// follows no redirects and does not retry a refused connect, so a dead
// receiver fails at once; https is verified unless `AllowInsecureSsl`.
//
// Threads. Each of `DeliveryClient`'s event loops owns a `LoopConnectionPool`:
// its connections, the requests waiting for one, and a sweep timer that
// expires overdue requests. `send` is called on the loop, and the completion
// runs there. `Forwarder` shares the recorder's server loops, so a forward is
// sent and answered on the loop its request came in on. `WebhookPoster` runs
// on AsyncHTTPClient's shared event loop group and is awaited from tasks.
//
// Hops (`DeliveryClient`). `send(_:onLoop:)` -> the loop's pool -> the most
// recently used idle connection (closed instead when idle for 2 s or more) or
// the waiting queue and a new connection -> `DeliveryConnection` writes head,
// body and end -> response head, body, end -> the completion with a
// `DeliveryOutcome` -> the connection back to the pool, or closed when the
// response did not keep it alive.
//
// Invariants. Pool and connection state is touched only on its loop.
// `sentAt` is when a request was written, not when it was handed over (the
// difference is queueing, which replay reports as part of latency).
// `DeliveryRequest` sets `Host` and `Content-Length`; header values are not
// validated again on this hot path, so callers pass parsed or validated ones.
