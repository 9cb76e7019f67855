import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Testing
@testable import OrchestratorEmulator

/// An emulator on 127.0.0.1 and an ephemeral port, with a client for it.
struct EmulatorHarness {
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var text: String
        func json() throws -> OrderedJSON { try OrderedJSON(parsing: text) }
    }

    static let token = "test-token"
    /// The Automation Cloud prefix the tests use (`/{org}/{tenant}/orchestrator_`).
    static let cloudPrefix = "/acme/default/orchestrator_"

    let server: OrchestratorServer
    let client: HTTPClient

    /// The service root that replaces `Seed.base` in the seed's URLs and contexts.
    var base: String { "http://127.0.0.1:\(server.port)/acme/default" }

    static func start(databasePath: String = WebhookStore.inMemoryPath, token: String? = EmulatorHarness.token,
                      externalApplication: ExternalApplication? = nil, tokenLifetime: Duration = .seconds(3600),
                      breakerPeriod: Duration = .seconds(3600)) async throws -> EmulatorHarness {
        let server = try await OrchestratorServer.start(
            configuration: OrchestratorConfiguration(databasePath: databasePath, token: token,
                                                     externalApplication: externalApplication, tokenLifetime: tokenLifetime,
                                                     deliveryTimeout: .seconds(5), breakerPeriod: breakerPeriod),
            logger: Logger(label: "orchestrator-test"))
        return EmulatorHarness(server: server, client: HTTPClient(eventLoopGroup: .singletonMultiThreadedEventLoopGroup))
    }

    /// Runs `body` against a fresh emulator and stops it afterwards, also when `body` throws.
    static func with<T>(databasePath: String = WebhookStore.inMemoryPath, token: String? = EmulatorHarness.token,
                        externalApplication: ExternalApplication? = nil, tokenLifetime: Duration = .seconds(3600),
                        breakerPeriod: Duration = .seconds(3600),
                        _ body: (EmulatorHarness) async throws -> T) async throws -> T {
        let harness = try await start(databasePath: databasePath, token: token, externalApplication: externalApplication,
                                      tokenLifetime: tokenLifetime, breakerPeriod: breakerPeriod)
        do {
            let result = try await body(harness)
            try await harness.stop()
            return result
        } catch {
            try? await harness.stop()
            throw error
        }
    }

    func stop() async throws {
        try await client.shutdown()
        await server.shutdown()
    }

    /// Sends `method path` (path from the root, e.g. `/odata/Webhooks`) with the
    /// bearer token unless `token` says otherwise (nil: no Authorization header).
    func send(_ method: HTTPMethod, _ path: String, body: String? = nil,
              token: String? = EmulatorHarness.token) async throws -> Reply {
        try await send(method, path, body: body, authorization: token.map { "Bearer \($0)" })
    }

    /// Sends with `authorization` as the Authorization header (nil: none).
    func send(_ method: HTTPMethod, _ path: String, body: String? = nil, authorization: String?) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)\(path)")
        request.method = method
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, text: String(buffer: bytes))
    }

    /// POSTs `form` (`application/x-www-form-urlencoded`) to `path`, without a token.
    func sendForm(_ path: String, _ form: String) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, text: String(buffer: bytes))
    }

    /// Creates a webhook through the API; returns its Id.
    @discardableResult
    func create(_ body: String) async throws -> Int64 {
        let reply = try await send(.POST, "/odata/Webhooks", body: body)
        try #require(reply.status == 201, "\(reply.text)")
        guard case .number(let id) = try #require(try reply.json()["Id"]) else { throw OrderedJSON.SyntaxError(offset: 0) }
        return try #require(Int64(id))
    }

    /// A body with the required fields; `extra` adds members (`"Enabled":true`).
    static func body(name: String, url: String = "https://receiver.example/hook", extra: String = "") -> String {
        "{\"Name\":\"\(name)\",\"Url\":\"\(url)\"\(extra.isEmpty ? "" : "," + extra)}"
    }
}

/// Runs `body` with a fresh `WebhookReceiver` and stops it afterwards, also when `body` throws.
func withReceiver<T>(_ script: @escaping WebhookReceiver.Script = { _, _ in .init() },
                     _ body: (WebhookReceiver) async throws -> T) async throws -> T {
    let receiver = try await WebhookReceiver.start(script)
    do {
        let result = try await body(receiver)
        try await receiver.stop()
        return result
    } catch {
        try? await receiver.stop()
        throw error
    }
}

extension OrderedJSON {
    /// Expects `self` to have `seed`'s members in `seed`'s order with equal
    /// values, apart from members named in `generated` (present, any value) and
    /// members named in `added` (the v16 fields the seed predates), at any depth.
    func expectMatches(seed: OrderedJSON, generated: Set<String>, added: Set<String> = [],
                       path: String = "$", sourceLocation: SourceLocation = #_sourceLocation) {
        switch (self, seed) {
        case (.object(let members), .object(let seedMembers)):
            let keys = members.map(\.key).filter { !added.contains($0) }
            #expect(keys == seedMembers.map(\.key), "members of \(path)", sourceLocation: sourceLocation)
            for (key, seedValue) in seedMembers where !generated.contains(key) {
                guard let value = self[key] else { continue }
                value.expectMatches(seed: seedValue, generated: generated, added: added, path: "\(path).\(key)",
                                    sourceLocation: sourceLocation)
            }
        case (.array(let items), .array(let seedItems)):
            #expect(items.count == seedItems.count, "length of \(path)", sourceLocation: sourceLocation)
            for (index, (item, seedItem)) in zip(items, seedItems).enumerated() {
                item.expectMatches(seed: seedItem, generated: generated, added: added, path: "\(path)[\(index)]",
                                   sourceLocation: sourceLocation)
            }
        default:
            #expect(self == seed, "\(path)", sourceLocation: sourceLocation)
        }
    }

    /// The seed's JSON with its service root replaced by the emulator's.
    func rebased(to base: String) -> OrderedJSON {
        switch self {
        case .string(let text): .string(text.replacingOccurrences(of: Seed.base, with: base))
        case .array(let items): .array(items.map { $0.rebased(to: base) })
        case .object(let members): .object(members.map { ($0.key, $0.value.rebased(to: base)) })
        default: self
        }
    }

    /// The object without the named members (e.g. `@odata.context`, `Id`), as a JSON text to POST.
    func removing(_ names: Set<String>) -> OrderedJSON {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { !names.contains($0.key) })
    }

    /// Adds members at the end.
    func adding(_ extra: [(key: String, value: OrderedJSON)]) -> OrderedJSON {
        guard case .object(let members) = self else { return self }
        return .object(members + extra)
    }
}
