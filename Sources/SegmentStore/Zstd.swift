import CZstd

/// A zstd library call failed.
struct ZstdError: Error, CustomStringConvertible {
    let message: String
    init(code: Int) { message = String(cString: ZSTD_getErrorName(code)) }
    init(_ message: String) { self.message = message }
    var description: String { "zstd: \(message)" }
}

/// Streaming compression into a growing byte buffer. Frames carry a content
/// checksum, so damage is reported as a corrupt frame: at the latest when the
/// frame ends (most damage already breaks the decoding of its block, and a
/// record line rarely survives it as valid JSON).
final class ZstdCompressor {
    private let context: OpaquePointer
    private var scratch: [UInt8]

    init(level: Int32) throws(ZstdError) {
        guard let context = ZSTD_createCCtx() else { throw ZstdError("cannot allocate a compression context") }
        self.context = context
        scratch = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level))
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1))
    }

    deinit { ZSTD_freeCCtx(context) }

    enum Directive {
        /// Buffer input; output appears as blocks fill.
        case `continue`
        /// Emit everything buffered so far as complete blocks (a flush point).
        case flush
        /// Finish the frame (the next call starts a new one).
        case end

        var zstd: ZSTD_EndDirective {
            switch self {
            case .continue: ZSTD_e_continue
            case .flush: ZSTD_e_flush
            case .end: ZSTD_e_end
            }
        }
    }

    /// Compresses `input`, appending whatever output is ready to `output`.
    func compress(_ input: UnsafeRawBufferPointer, _ directive: Directive, into output: inout [UInt8]) throws(ZstdError) {
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            var remaining = 0
            let produced = scratch.withUnsafeMutableBytes { buffer in
                var destination = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
                remaining = ZSTD_compressStream2(context, &destination, &source, directive.zstd)
                return destination.pos
            }
            try check(remaining)
            output.append(contentsOf: scratch[..<produced])
            let done = directive == .continue ? source.pos == source.size : remaining == 0
            if done { return }
        }
    }

    func compress(_ input: [UInt8], _ directive: Directive, into output: inout [UInt8]) throws(ZstdError) {
        let result = input.withUnsafeBytes { buffer in
            Result { () throws(ZstdError) in try compress(buffer, directive, into: &output) }
        }
        try result.get()
    }

    /// Drops any half-built frame so the next call starts afresh.
    func reset() {
        ZSTD_CCtx_reset(context, ZSTD_reset_session_only)
    }
}

/// Streaming decompression of one file's worth of frames (zstd frames and
/// skippable frames, concatenated in any number).
final class ZstdDecompressor {
    /// Compressed bytes handed to zstd per call (see `decompress`).
    static let inputPerCall = 4 << 10

    private let context: OpaquePointer
    /// True between frames: at the start, and after each frame's last byte.
    private(set) var isAtFrameBoundary = true

    init() throws(ZstdError) {
        guard let context = ZSTD_createDCtx() else { throw ZstdError("cannot allocate a decompression context") }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses from `input[inputOffset...]` into `output[outputOffset...]`
    /// until the input is used up or the output is full, advancing both offsets.
    func decompress(
        _ input: UnsafeRawBufferPointer, inputOffset: inout Int,
        into output: UnsafeMutableRawBufferPointer, outputOffset: inout Int
    ) throws(ZstdError) {
        var destination = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: outputOffset)
        defer { outputOffset = destination.pos }
        while inputOffset < input.count && destination.pos < destination.size {
            // At most `inputPerCall` bytes a call: when a call fails, zstd keeps
            // what it decoded in that call, so this bounds what damage costs.
            var source = ZSTD_inBuffer(src: input.baseAddress, size: min(input.count, inputOffset + Self.inputPerCall), pos: inputOffset)
            let hint = ZSTD_decompressStream(context, &destination, &source)
            try check(hint)
            inputOffset = source.pos
            isAtFrameBoundary = hint == 0
        }
    }

    /// Flushes output zstd still holds after the last input (when the output
    /// filled up exactly as the input ran out).
    func drain(into output: UnsafeMutableRawBufferPointer, outputOffset: inout Int) throws(ZstdError) {
        var source = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        var destination = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: outputOffset)
        defer { outputOffset = destination.pos }
        while destination.pos < destination.size {
            let before = destination.pos
            let hint = ZSTD_decompressStream(context, &destination, &source)
            try check(hint)
            // A call that produced nothing says nothing about frame boundaries.
            if destination.pos == before { return }
            isAtFrameBoundary = hint == 0
        }
    }
}

private func check(_ result: Int) throws(ZstdError) {
    if ZSTD_isError(result) != 0 { throw ZstdError(code: result) }
}
