import Crypto

/// New identities for the jobs and queue items of one pass of a replay
/// (`--fresh-ids`), so that each pass is a new set of lifecycles rather than
/// the same jobs starting again. A recorded entity gets the same new `Key` and
/// `Id` in every event of the pass, and other ones in other passes. Each is a
/// pure function of (seed, pass, recorded value), so the shards of a run,
/// given the same seed, agree on all of them (docs/replay.md, "What is sent").
///
/// - `Key`: the first 16 bytes of SHA-256 over the seed and the pass (each 8
///   bytes, big-endian) followed by the recorded `Key`'s UTF-8 bytes, written
///   as a version-4 GUID (`GUIDText`). A hash rather than a counter, because a
///   shard sees only its own entities; 122 bits, so new keys do not meet.
/// - `Id`: the recorded `Id` plus `idStride` times (1 + pass modulo
///   `idPeriod`). Recorded ids below `idStride` (the documented samples' have
///   at most six digits) thus never meet those of another pass, and show in
///   the last ten digits of their new ones, which stay below 2^53, exact in
///   JavaScript. Ids repeat after `idPeriod` passes and, unlike keys, do not
///   depend on the seed.
public struct FreshEntities: Sendable, Equatable {
    /// What each pass adds to a recorded `Id`, times (1 + pass).
    public static let idStride: Int64 = 10_000_000_000
    /// Passes after which ids repeat: the most that keeps them below 2^53.
    public static let idPeriod = 900_000

    public let seed: UInt64
    /// From 0, the first pass.
    public let pass: Int

    public init(seed: UInt64, pass: Int) {
        self.seed = seed
        self.pass = pass
    }

    /// The new `Key` for the entity whose recorded `Key` has these UTF-8 bytes,
    /// as the two halves `GUIDText` writes.
    public func key(replacing recorded: UnsafeRawBufferPointer) -> (high: UInt64, low: UInt64) {
        var hash = SHA256()
        withUnsafeBytes(of: (seed.bigEndian, UInt64(truncatingIfNeeded: pass).bigEndian)) { hash.update(bufferPointer: $0) }
        hash.update(bufferPointer: recorded)
        return hash.finalize().withUnsafeBytes { digest in
            (UInt64(bigEndian: digest.loadUnaligned(as: UInt64.self)),
             UInt64(bigEndian: digest.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }

    /// The new `Id` of the entity recorded with `recorded` (also for an
    /// `AncestorId`, which names an earlier `Id` of the same queue item).
    public func id(replacing recorded: Int64) -> Int64 {
        recorded &+ Self.idStride * Int64(1 + pass % Self.idPeriod)
    }
}
