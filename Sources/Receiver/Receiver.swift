// Receiver: the servers that take webhook deliveries in. `Recorder`
// (`hookreel record`) keeps every request in a recording; `Sink` (`hookreel
// sink`) answers as a configured receiver would and keeps an account of what
// arrived (docs/recording-format.md, "Durability contract"; threads in
// docs/architecture.md).
//
// Promises. The recorder keeps every POST byte for byte and answers 2xx only
// once its record is as durable as the configured `Durability` says (`fsync`:
// synced, `flush`: written, `async`: queued, written within 100 ms). A request
// whose record cannot be written gets 503 and is not kept, so its retry is no
// duplicate; `/healthz` says 503 until writing works again. In pass-through
// mode the caller gets the real receiver's answer (or 502), and a record that
// cannot be written never becomes an error for the caller. Both servers answer
// the requests of one connection in order, and answer a request they cannot
// parse with 400 and a close only after the answers owed before it.
//
// Threads. Event loops (swift-nio, raw channels) own the connections: each
// `WireConnectionHandler` (one type for both servers) is confined to its
// channel's loop, and a loop never touches the disk. `RecordLog`'s writer thread owns
// the `SegmentWriter` (the open segment and the next `seq`), builds records
// and makes each batch durable with one flush. Pass-through forwards are sent
// and answered on the request's own loop (`Forwarder`, over a `DeliveryClient`
// on the server's loops). `LoopWorkQueue` brings answers given on other
// threads back to a loop, one loop task per burst. What the loops share (the
// services `RecorderService` and `SinkCore`) is immutable or behind a `Mutex`
// or atomics.
//
// Hops. Recorder: socket -> loop (`WireConnectionHandler`: HTTPWire's parser,
// limits, deadlines; then `RecorderService`: routing, and `RecordingPolicy`'s
// decision, which checks the signature only when `--require-signature` needs
// it now) -> `RecordLog.append(building:)` -> writer thread (record built,
// `seq` given, appended, batch flushed) -> completion -> `AnswerSlot` -> the
// loop's `LoopWorkQueue` -> the answer is written once every earlier answer
// of the connection is. Sink: socket -> loop -> `SinkCore.receive` (verdict,
// planned status and latency, tally, optional record) -> a timer on the loop
// -> the answer, after every earlier answer of the connection.
//
// Nothing of a request reaches a service before its last byte arrived and
// HTTPWire accepted it: bytes it refuses are answered 400 (after the answers
// owed) and the connection closed, so a refused request is never recorded.
//
// Invariants. `seq` is given on the writer thread only, in append order, so it
// is contiguous per instance; the records of a failed batch are forgotten and
// their `seq` values used again. An answer is written only on its
// connection's loop. `InFlightRequests` rises once per request and falls once
// when it is answered or its connection goes, so shutdown can wait for it.
// A loop never waits for the disk or sleeps: what is slow happens on the
// writer thread, and held answers are timers.
