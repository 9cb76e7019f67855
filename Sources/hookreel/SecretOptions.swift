import ArgumentParser
import Foundation

/// `--secret-env NAME` or `--secret-file PATH`: secrets never go on the command line.
struct SecretOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read the webhook secret from this environment variable.", valueName: "name"))
    var secretEnv: String?

    @Option(help: ArgumentHelp("Read the webhook secret from this file (a trailing newline is ignored).", valueName: "path"))
    var secretFile: String?

    var isGiven: Bool { secretEnv != nil || secretFile != nil }

    func validate() throws {
        if secretEnv != nil && secretFile != nil {
            throw ValidationError("give the secret once: --secret-env or --secret-file, not both")
        }
    }

    /// The secret, or nil when none was asked for.
    func load() throws -> String? {
        if let secretEnv {
            return try environmentValue(secretEnv, option: "--secret-env")
        }
        if let secretFile {
            guard let data = FileManager.default.contents(atPath: secretFile) else {
                throw CommandFailure("--secret-file: cannot read \(secretFile)")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            guard !text.isEmpty else { throw CommandFailure("--secret-file: \(secretFile) is empty") }
            return text
        }
        return nil
    }
}

/// The non-empty value of environment variable `name`, named by `option`
/// (secrets and tokens come from the environment, never the command line).
func environmentValue(_ name: String, option: String) throws -> String {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
        throw CommandFailure("\(option): environment variable \(name) is not set or empty")
    }
    return value
}
