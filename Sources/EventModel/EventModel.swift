// EventModel: the vocabulary every other module shares, with no I/O: the
// recorded request and its NDJSON line codec (docs/recording-format.md),
// `Timestamp`, Orchestrator's event catalog, envelopes and entity lifecycles,
// `X-UiPath-Signature` and the headers of a delivery (docs/orchestrator-webhooks.md),
// body rewrites (with `FreshEntities`, each pass's new job and queue item
// identities, and `GUIDText`, the GUIDs storms and replay write), and `Shard`
// (which part of a sharded run owns an event).
// Random numbers, distributions and arrival curves are in Primitives.
//
// Promises. Encoding is deterministic: a record is written field by field in
// `RecordField` order by `JSONWriter`, never through a dictionary, so the same
// input gives the same bytes (a storm's file depends only on its seed).
// Decoding validates a whole line (strict JSON escapes, UTF-8 and numbers;
// every required field with its type), so a line it accepts is one `jq`
// accepts, yet `RecordLine` materialises only what a caller asks for. Bodies
// stay bytes: the envelope scan reads them and rewrites edit them in place,
// copying everything else byte for byte, so nothing is re-encoded.
//
// Threads. None. Values are `Sendable` and used on any thread; nothing here
// blocks, sleeps or keeps shared state. The wall clock (`Timestamp.now()`) is
// the only thing read from outside.
//
// Hops. In the recorder a body becomes a record: `EventEnvelope` finds `Type`
// and `EventId`, `WebhookSignature` gives the verdict, `appendLine(to:)`
// writes the line. In the readers a line becomes a `RecordLine`, and a
// `RecordedRequest` only on `decode()`.
//
// Invariants. Field names on disk, the signature header's name and event types
// are named constants here (`RecordField`, `WebhookSignature.headerName`,
// `EventType`); other modules use them, not literals. A `Timestamp` is UTC
// microseconds and a record's `received_at` always has six fractional digits.
// The codec, the scanner and timestamps do not go through Foundation's JSON or
// date formatting: they sit on paths that run hundreds of thousands of times a
// second (docs/benchmarks.md).
