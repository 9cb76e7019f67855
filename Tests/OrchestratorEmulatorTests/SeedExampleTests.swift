import EventModel
import Foundation
import Testing
@testable import OrchestratorEmulator

/// Every request/response example of the vendor's seed, reproduced against the
/// emulator: same members in the same order with the same values, apart from
/// ids and generated values, and the v16 members (`Key, Name, Description`) the
/// seed predates.
@Suite struct SeedExampleTests {
    static let v16Members: Set<String> = ["Key", "Name", "Description"]

    private func example(_ method: String, _ pathPrefix: String) throws -> SeedExample {
        try #require(try Seed.examples().first { $0.method == method && $0.odataPath.hasPrefix(pathPrefix) })
    }

    /// The seed's `odata/...` path and query, percent-encoded, under the cloud prefix.
    private func path(_ odataPath: String) -> String {
        let parts = odataPath.split(separator: "?", maxSplits: 1)
        let query = parts.count > 1
            ? "?" + String(parts[1]).addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)! : ""
        return EmulatorHarness.cloudPrefix + "/odata/" + parts[0] + query
    }

    @Test func theSeedHasFiveExamples() throws {
        let examples = try Seed.examples()
        #expect(examples.map { "\($0.method) \($0.odataPath)" } == [
            "GET Webhooks?$filter=Url eq 'http://documentation.azurewebsites.net/webhook/documentation'",
            "GET Webhooks(10)",
            "GET Webhooks/UiPath.Server.Configuration.OData.GetEventTypes()",
            "PUT Webhooks(10)",
            "POST Webhooks(11)/UiPath.Server.Configuration.OData.Ping",
        ])
        #expect(examples.map { $0.requestBody != nil } == [false, false, false, true, false])
    }

    @Test func listWithFilter() async throws {
        let example = try example("GET", "Webhooks?")
        try await EmulatorHarness.with { harness in
            let seedItem = try #require(example.response["value"]?.arrayValue?.first)
            try await harness.create(EmulatorHarness.body(name: "elsewhere", url: "http://documentation.azurewebsites.net/other"))
            let id = try await harness.create(seedItem.removing(["Id"]).adding([("Name", .string("documentation"))]).description)

            let reply = try await harness.send(.GET, path(example.odataPath))
            #expect(reply.status == 200)
            let json = try reply.json()
            json.expectMatches(seed: example.response.rebased(to: harness.base), generated: ["Id"], added: Self.v16Members)
            #expect(json["value"]?.arrayValue?.first?["Id"] == .number("\(id)"))
        }
    }

    @Test func getById() async throws {
        let example = try example("GET", "Webhooks(")
        try await EmulatorHarness.with { harness in
            let id = try await harness.create(
                example.response.removing(["@odata.context", "Id"]).adding([("Name", .string("orchestrator"))]).description)

            let reply = try await harness.send(.GET, path("Webhooks(\(id))"))
            #expect(reply.status == 200)
            let json = try reply.json()
            json.expectMatches(seed: example.response.rebased(to: harness.base), generated: ["Id"], added: Self.v16Members)
            #expect(json["Id"] == .number("\(id)"))
        }
    }

    @Test(arguments: ["()", ""]) func getEventTypes(suffix: String) async throws {
        let example = try example("GET", "Webhooks/UiPath.Server.Configuration.OData.GetEventTypes")
        try await EmulatorHarness.with { harness in
            let reply = try await harness.send(.GET, path("Webhooks/UiPath.Server.Configuration.OData.GetEventTypes" + suffix))
            #expect(reply.status == 200)
            #expect(try reply.json() == example.response.rebased(to: harness.base))
        }
    }

    /// The seed's PUT changes the webhook the Get example shows (Id 10).
    @Test func put() async throws {
        let before = try example("GET", "Webhooks(")
        let example = try example("PUT", "Webhooks(")
        try await EmulatorHarness.with { harness in
            let id = try await harness.create(
                before.response.removing(["@odata.context", "Id"]).adding([("Name", .string("orchestrator"))]).description)

            let reply = try await harness.send(.PUT, path("Webhooks(\(id))"), body: example.requestBody)
            #expect(reply.status == 200)
            let json = try reply.json()
            json.expectMatches(seed: example.response.rebased(to: harness.base), generated: ["Id"], added: Self.v16Members)
            #expect(json["Name"] == .string("orchestrator"), "a PUT without Name keeps it")
            #expect(try await harness.send(.GET, path("Webhooks(\(id))")).json() == json)
        }
    }

    /// Ping delivers a signed `ping` event to the webhook and answers with it.
    @Test func ping() async throws {
        let example = try example("POST", "Webhooks(")
        try await withReceiver { receiver in try await EmulatorHarness.with { harness in
            let id = try await harness.create(EmulatorHarness.body(name: "pinged", url: receiver.url("/hook"),
                                                                   extra: "\"Secret\":\"abcdef\",\"Enabled\":false"))

            let reply = try await harness.send(.POST, path("Webhooks(\(id))/UiPath.Server.Configuration.OData.Ping"))
            #expect(reply.status == 200)
            let json = try reply.json()
            // EventId and Timestamp are fresh; TenantId and UserId name the seed's tenant and user.
            json.expectMatches(seed: example.response.rebased(to: harness.base),
                               generated: ["EventId", "Timestamp", "TenantId", "UserId"])
            let eventId = try #require(json["EventId"]?.stringValue)
            #expect(eventId.count == 32 && eventId.allSatisfy(\.isHexDigit))
            #expect(Timestamp(rfc3339: try #require(json["Timestamp"]?.stringValue)) != nil)

            let delivered = try #require(receiver.received(on: "/hook").first)
            #expect(receiver.received.count == 1)
            #expect(try OrderedJSON(parsing: String(decoding: delivered.body, as: UTF8.self)) == json.removing(["@odata.context"]))
            let signature = delivered.headers.first(name: WebhookSignature.headerName)
            #expect(WebhookSignature(secret: "abcdef").verify(delivered.body, header: signature) == .valid)
        } }
    }
}
