import ArgumentParser

@main
struct Hookreel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookreel",
        abstract: "Record, inspect and replay UiPath Orchestrator webhook deliveries.",
        discussion: """
        A recording is a directory of zstd-compressed NDJSON segments, one request \
        per line (see docs/recording-format.md). `zstdcat DIR/*.ndjson.zst | jq .` reads it too.
        """,
        subcommands: [CatCommand.self, InspectCommand.self, PackCommand.self]
    )
}
