import ArgumentParser

@main
struct Hookreel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hookreel",
        abstract: "Record, replay and synthesize UiPath Orchestrator webhook deliveries, and emulate and call the Webhooks API.",
        discussion: """
        A recording is a directory of zstd-compressed NDJSON segments, one request \
        per line (see docs/recording-format.md). `zstdcat DIR/*.ndjson.zst | jq .` reads it too.
        """,
        subcommands: [
            RecordCommand.self, ReplayCommand.self, StormCommand.self, SinkCommand.self, ReportCommand.self,
            OrchestratorCommand.self, WebhooksCommand.self,
            CatCommand.self, InspectCommand.self, PackCommand.self, RedactCommand.self,
        ]
    )
}
