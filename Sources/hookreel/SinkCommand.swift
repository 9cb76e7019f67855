import ArgumentParser

struct SinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sink", abstract: "(not yet built)")
    func run() async throws {}
}
