// OrchestratorEmulator: a local stand-in for UiPath Orchestrator's Webhooks API
// (docs/orchestrator-emulator.md; the vendor's behaviour in
// docs/orchestrator-webhooks.md §1 and §4). Webhooks are registered, listed,
// changed, deleted and pinged over OData and kept in SQLite; events posted to
// `/hookreel/events` are delivered to the subscribed webhooks as Orchestrator
// delivers them. With an external application configured it is also the
// tenant's identity server: it issues expiring tokens by the client
// credentials grant and enforces the `OR.Webhooks` scopes per route. The wire
// types (`Webhook`, bodies, errors, scopes) are OrchestratorAPI's, shared
// with the client.
//
// Promises. Answers have Orchestrator's shapes: entities with
// `@odata.context`, members in the vendor's order, errors as `{message,
// errorCode, traceId}` (`OrchestratorError`). Each change is one SQLite
// transaction; ids are never reused; names are unique ignoring case. A
// delivery is one POST per event and enabled, subscribed webhook, signed with
// that webhook's secret (no header without one), within a timeout; success is
// any 2xx; nothing is retried; after a failure the webhook's circuit breaker
// drops (and counts) its events for `breakerPeriod`. The events of one batch
// go out one after another, each to its recipients concurrently. Ping reaches
// its webhook even when disabled or while its breaker is open, and neither
// trips nor closes the breaker.
//
// Threads. Hummingbird serves on swift-nio event loops and runs
// `OrchestratorResponder` in a task per connection. `WebhookStore` goes
// through GRDB, which serializes writes and lets reads run beside them (WAL).
// `WebhookDispatcher` delivers to each recipient in a child task; its
// per-webhook counts and breaker state sit behind one `Mutex`. Deliveries go
// out through Delivery's `WebhookPoster`, on AsyncHTTPClient's event loops.
// `TokenIssuer` keeps the issued tokens and their expiry behind a `Mutex`.
//
// Hops. An API call: request -> `OrchestratorResponder`
// (`OrchestratorRoute.parse`, bearer token -> granted scopes, method, the
// route's scope) -> `ODataQuery` or `WebhookChanges` -> `WebhookStore` ->
// `ResponseBodies`. A token request: `OrchestratorResponder` -> `TokenIssuer`. An event: `POST /hookreel/events` ->
// `EventBatch.split` -> per event `WebhookDispatcher.dispatch` (`Type` by
// `EventEnvelope`, recipients filtered, breaker admission) ->
// `WebhookPoster.post` -> counts and breaker updated -> totals answered.
//
// Invariants. Event bodies are delivered byte for byte, never re-encoded: the
// signature is over those bytes. A webhook is validated against the
// `WebhookDto` limits before every write, so the store holds only valid ones.
// Breaker state and counts are kept by webhook id, in memory.
