import ArgumentParser
import EventModel

/// `--redact`, `--redact-hash`, `--redact-key-env`, `--redact-strict`: what
/// `record` and `redact` replace in bodies before they are stored.
struct RedactionOptions: ParsableArguments {
    @Option(name: .customLong("redact"), help: ArgumentHelp(
        "Replace the value at this JSON Pointer in every stored body (`*` for every array element), e.g. "
            + "/Job/InputArguments or /QueueItems/*/SpecificContent; repeatable.",
        valueName: "pointer"), transform: { text throws(RedactionPointerError) in try RedactionPointer(parsing: text) })
    var pointers: [RedactionPointer] = []

    @Flag(help: "Replace with a keyed hash (HMAC-SHA256, key from --redact-key-env) instead of a marker, so equal values stay equal.")
    var redactHash = false

    @Option(help: ArgumentHelp("With --redact-hash: the environment variable holding the hash key.", valueName: "name"))
    var redactKeyEnv: String?

    @Flag(help: "Refuse (422, not kept) bodies that are not JSON instead of keeping them as they are.")
    var redactStrict = false

    func validate() throws {
        if pointers.isEmpty, redactHash || redactKeyEnv != nil || redactStrict {
            throw ValidationError("--redact-hash, --redact-key-env and --redact-strict apply to --redact")
        }
        if redactHash != (redactKeyEnv != nil) {
            throw ValidationError("--redact-hash and --redact-key-env go together: the hash is keyed with the variable's value")
        }
    }

    /// The redaction asked for; nil without `--redact`.
    func load() throws -> BodyRedaction? {
        guard !pointers.isEmpty else { return nil }
        guard let redactKeyEnv else { return BodyRedaction(pointers: pointers) }
        let key = try environmentValue(redactKeyEnv, option: "--redact-key-env")
        return BodyRedaction(pointers: pointers, hashKey: Array(key.utf8))
    }
}
