// Replay: plays events (a recording, or a storm the command line hands in as a
// `ReplayEventSource`) against one target at a controlled rate and measures
// every request (docs/replay.md; threads in docs/architecture.md).
//
// Promises. Open loop: each request's send time comes from the pacer, it is
// never sent before that time, and its latency counts from that time however
// late it actually left (no coordinated omission). At most `maximumInFlight`
// requests are sent-or-held at once; later ones wait and keep their send time.
// With `--order entity`, two events of one job or queue item are never in
// flight together and leave in the order they came. Memory does not grow with
// the input: sources hand out one event at a time.
//
// Threads. `ReplayEngine.run` waits, off the cooperative pool, for one
// dedicated thread: the driver (`ReplayDriver`, open loop), which owns the
// `ReplayScheduler` and the `RequestPreparer` (and through it the pacer and
// the event source); or, for `--rate max` without `--order entity`, the feed
// (`ClosedLoopDriver`), which owns the preparer and keeps a `RequestFeed`
// filled for workers on the event loops. Each event loop owns its connections
// (Delivery's per-loop pool) and its `StatisticsBox`. `DriverInbox` carries
// completions back to the driver; `ProgressCounters` are atomics any thread
// may read.
//
// Hops. Source event -> `RequestPreparer` (send time from the pacer, rewrites,
// Orchestrator's headers, entity) -> `ReplayScheduler` (`.send`, up to
// `ReplayEngine.releaseAhead` before the send time) -> a batch for loop i ->
// a timer on loop i at the send time -> `DeliveryClient` -> the response -> a
// `RequestSample` in loop i's statistics -> a completion in the driver's
// inbox. At the end each loop's statistics are read on that loop and merged
// into the `RunResult`.
//
// Invariants. Pacers and the scheduler never read a clock or sleep, so their
// tests are tables. The scheduler is touched only by the driver thread, a
// loop's statistics only on that loop, and a sample is recorded without a
// lock.
