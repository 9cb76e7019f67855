import EventModel
import Foundation
import NIOHTTP1
import OrchestratorAPI
import Testing
import TestSupport
@testable import OrchestratorEmulator

/// The HTTP API against an in-process emulator on 127.0.0.1.
@Suite struct OrchestratorAPITests {
    /// Expects an Orchestrator error body: the message, the code and a W3C-style trace id.
    private func expectError(_ reply: EmulatorHarness.Reply, status: Int, errorCode: Int, message: String,
                             sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(reply.status == status, "\(reply.text)", sourceLocation: sourceLocation)
        let json = try reply.json()
        #expect(json.keys == ["message", "errorCode", "traceId"], sourceLocation: sourceLocation)
        #expect(json["message"] == .string(message), sourceLocation: sourceLocation)
        #expect(json["errorCode"] == .number("\(errorCode)"), sourceLocation: sourceLocation)
        let traceId = try #require(json["traceId"]?.stringValue)
        let parts = traceId.split(separator: "-", omittingEmptySubsequences: false)
        #expect(parts.map(\.count) == [2, 32, 16, 2] && parts.first == "00" && parts.last == "00"
                && parts.joined().allSatisfy(\.isHexDigit), "\(traceId)", sourceLocation: sourceLocation)
    }

    @Test func everyCallNeedsTheToken() async throws {
        try await EmulatorHarness.with { harness in
            for path in ["/odata/Webhooks", "/odata/Webhooks(1)", "/odata/Webhooks/UiPath.Server.Configuration.OData.GetEventTypes",
                         "/hookreel/deliveries", "/odata/NoSuchThing"] {
                for token in [nil, "wrong", "test-token-longer", "test-toke"] as [String?] {
                    let reply = try await harness.send(.GET, path, token: token)
                    try expectError(reply, status: 401, errorCode: 0, message: "You are not authenticated!")
                    #expect(reply.headers.first(name: "WWW-Authenticate") == "Bearer")
                }
            }
            let reply = try await harness.send(.POST, "/odata/Webhooks", body: EmulatorHarness.body(name: "x"), token: nil)
            #expect(reply.status == 401)
            #expect(try await harness.send(.GET, "/odata/Webhooks").status == 200)
        }
    }

    @Test func theBearerSchemeIsCaseInsensitive() async throws {
        try await EmulatorHarness.with { harness in
            for (authorization, status) in [("bearer \(EmulatorHarness.token)", 200), ("BEARER \(EmulatorHarness.token)", 200),
                                            ("Basic \(EmulatorHarness.token)", 401)] {
                let reply = try await harness.send(.GET, "/odata/Webhooks", authorization: authorization)
                #expect(reply.status == status, "\(authorization)")
            }
        }
    }

    @Test func withoutATokenConfiguredNoneIsNeeded() async throws {
        try await EmulatorHarness.with(token: nil) { harness in
            let reply = try await harness.send(.GET, "/odata/Webhooks", token: nil)
            #expect(reply.status == 200)
        }
    }

    @Test func anOversizedBodyGets413() async throws {
        try await EmulatorHarness.with { harness in
            let huge = #"{"Name":"big","Url":"http://x/","Description":""# + String(repeating: "x", count: 3 << 20) + #""}"#
            let reply = try await harness.send(.POST, "/odata/Webhooks", body: huge)
            #expect(reply.status == 413, "\(reply.text.prefix(200))")
            #expect(reply.text.contains("larger than"), "\(reply.text.prefix(200))")
        }
    }

    @Test func bothURLPrefixesServeTheSameWebhooks() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.create(EmulatorHarness.body(name: "hook"))
            let standalone = try await harness.send(.GET, "/odata/Webhooks(\(id))").json()
            let cloud = try await harness.send(.GET, EmulatorHarness.cloudPrefix + "/odata/Webhooks(\(id))").json()
            let host = "http://127.0.0.1:\(harness.server.port)"
            #expect(standalone["@odata.context"] == .string("\(host)/odata/$metadata#Webhooks/$entity"))
            #expect(cloud["@odata.context"] == .string("\(host)\(EmulatorHarness.cloudPrefix)/odata/$metadata#Webhooks/$entity"))
            #expect(standalone.removing(["@odata.context"]) == cloud.removing(["@odata.context"]))
            let list = try await harness.send(.GET, EmulatorHarness.cloudPrefix + "/odata/Webhooks").json()
            #expect(list["@odata.context"] == .string("\(host)\(EmulatorHarness.cloudPrefix)/odata/$metadata#Webhooks"))
        }
    }

    @Test func postAnswers201WithTheEntityAndItsLocation() async throws {
        try await EmulatorHarness.with { harness in
            let body = """
                {"Name":"billing","Description":"d","Url":"https://r.example/hook","Enabled":true,"Secret":"s",
                 "SubscribeToAllEvents":false,"AllowInsecureSsl":true,"Events":[{"EventType":"job.faulted"}]}
                """
            let reply = try await harness.send(.POST, "/odata/Webhooks", body: body)
            #expect(reply.status == 201)
            let json = try reply.json()
            #expect(json.keys == ["@odata.context", "Key", "Name", "Description", "Url", "Enabled", "Secret",
                                  "SubscribeToAllEvents", "AllowInsecureSsl", "Id", "Events"])
            #expect(json.removing(["@odata.context", "Key", "Id"]) == (try OrderedJSON(parsing: """
                {"Name":"billing","Description":"d","Url":"https://r.example/hook","Enabled":true,"Secret":"s",
                 "SubscribeToAllEvents":false,"AllowInsecureSsl":true,"Events":[{"EventType":"job.faulted"}]}
                """)))
            #expect(reply.headers.first(name: "Location") == "http://127.0.0.1:\(harness.server.port)/odata/Webhooks(1)")
            #expect(reply.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true)
        }
    }

    /// Each documented limit, at the limit (accepted) and one past it (400, code 1000).
    @Test(arguments: [
        (#"{"Url":"https://r.example/"}"#, "The Name field is required."),
        (#"{"Name":"  ","Url":"https://r.example/"}"#, "The Name field is required."),
        (#"{"Name":null,"Url":"https://r.example/"}"#, "The Name field is required."),
        (#"{"Name":"\#(String(repeating: "n", count: 129))","Url":"https://r.example/"}"#,
         "The field Name must be a string with a maximum length of 128 (it has 129)."),
        (#"{"Name":"a","Description":"\#(String(repeating: "d", count: 257))","Url":"https://r.example/"}"#,
         "The field Description must be a string with a maximum length of 256 (it has 257)."),
        (#"{"Name":"a"}"#, "The Url field is required."),
        (#"{"Name":"a","Url":"https://r.example/\#(String(repeating: "u", count: 1983))"}"#,
         "The field Url must be a string with a maximum length of 2000 (it has 2001)."),
        (#"{"Name":"a","Url":"ftp://r.example/"}"#, "The Url field must be an absolute http or https URL, not 'ftp://r.example/'."),
        (#"{"Name":"a","Url":"/relative"}"#, "The Url field must be an absolute http or https URL, not '/relative'."),
        (#"{"Name":"a","Url":"https://r.example/","Secret":"\#(String(repeating: "s", count: 101))"}"#,
         "The field Secret must be a string with a maximum length of 100 (it has 101)."),
        (#"{"Name":"a","Url":"https://r.example/","Events":[{"EventType":"job.exploded"}]}"#,
         "Unknown event type 'job.exploded'; GetEventTypes lists the known ones."),
        (#"{"Name":"a","Url":"https://r.example/","Events":[{"EventType":"ping"}]}"#,
         "The event type 'ping' cannot be subscribed to; Ping sends it to one webhook on request."),
        (#"{"Name":"a","Url":"https://r.example/","Events":["job.started"]}"#,
         "Events[0] must be an object with an EventType string."),
        (#"{"Name":"a","Url":"https://r.example/","Key":"not-a-guid"}"#, "The Key field must be a GUID, not 'not-a-guid'."),
        (#"{"Name":"a","Url":"https://r.example/","Enabled":"yes"}"#, "The property 'Enabled' must be true or false."),
        (#"{"Name":"a","Url":"https://r.example/","Enabled":1}"#, "The property 'Enabled' must be true or false."),
        (#"{"Name":7,"Url":"https://r.example/"}"#, "The property 'Name' must be a string."),
        (#"{"Name":"a","Url":"https://r.example/","SubscribeToAllEvent":true}"#,
         "The property 'SubscribeToAllEvent' does not exist on type 'WebhookDto'."),
        (#"["Name"]"#, "The request body must be a JSON object (a WebhookDto)."),
        (#"{"Name":"a","#, "The request body is not valid JSON."),
    ]) func invalidBodiesAre400(body: String, message: String) async throws {
        try await EmulatorHarness.with { harness in
            try expectError(try await harness.send(.POST, "/odata/Webhooks", body: body),
                            status: 400, errorCode: 1000, message: message)
            #expect(try await harness.send(.GET, "/odata/Webhooks").json()["value"] == .array([]))
        }
    }

    @Test func valuesAtTheLimitsAreAccepted() async throws {
        try await EmulatorHarness.with { harness in
            let url = "https://r.example/" + String(repeating: "u", count: 1982)
            let body = """
                {"Name":"\(String(repeating: "é", count: 128))","Description":"\(String(repeating: "d", count: 256))",
                 "Url":"\(url)","Secret":"\(String(repeating: "s", count: 100))","Events":[{"EventType":"robot.deleted"}]}
                """
            #expect(url.count == 2000)
            let reply = try await harness.send(.POST, "/odata/Webhooks", body: body)
            #expect(reply.status == 201, "\(reply.text)")
        }
    }

    @Test func missingWebhooksAre404() async throws {
        try await EmulatorHarness.with { harness in
            let message = "Webhook 42 does not exist."
            for (method, path, body) in [(.GET, "/odata/Webhooks(42)", nil), (.PUT, "/odata/Webhooks(42)", EmulatorHarness.body(name: "a")),
                                         (.PATCH, "/odata/Webhooks(42)", "{}"), (.DELETE, "/odata/Webhooks(42)", nil),
                                         (.POST, "/odata/Webhooks(42)/UiPath.Server.Configuration.OData.Ping", nil)]
                    as [(HTTPMethod, String, String?)] {
                try expectError(try await harness.send(method, path, body: body), status: 404, errorCode: 1002, message: message)
            }
        }
    }

    @Test func aTakenNameIs409() async throws {
        try await EmulatorHarness.with { harness in
            try await harness.create(EmulatorHarness.body(name: "Billing"))
            let other = try await harness.create(EmulatorHarness.body(name: "other"))
            let message = "The name 'BILLING' is already used."
            try expectError(try await harness.send(.POST, "/odata/Webhooks", body: EmulatorHarness.body(name: "BILLING")),
                            status: 409, errorCode: 1001, message: message)
            try expectError(try await harness.send(.PUT, "/odata/Webhooks(\(other))", body: EmulatorHarness.body(name: "BILLING")),
                            status: 409, errorCode: 1001, message: message)
            try expectError(try await harness.send(.PATCH, "/odata/Webhooks(\(other))", body: #"{"Name":"BILLING"}"#),
                            status: 409, errorCode: 1001, message: message)
        }
    }

    @Test func putReplacesAndPatchMerges() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.create(EmulatorHarness.body(name: "hook", extra: """
                "Description":"d","Enabled":true,"Secret":"s","SubscribeToAllEvents":true,"Events":[{"EventType":"job.started"}]
                """))
            let patched = try await harness.send(.PATCH, "/odata/Webhooks(\(id))", body: #"{"Enabled":false,"Secret":null}"#)
            #expect(patched.status == 200)
            let afterPatch = try patched.json()
            #expect(afterPatch["Enabled"] == .bool(false) && afterPatch["Secret"] == .null)
            #expect(afterPatch["Description"] == .string("d") && afterPatch["SubscribeToAllEvents"] == .bool(true))
            #expect(afterPatch["Events"] == .array([.object([("EventType", .string("job.started"))])]))

            let put = try await harness.send(.PUT, "/odata/Webhooks(\(id))", body: #"{"Url":"https://other.example/","Enabled":true}"#)
            #expect(put.status == 200)
            let afterPut = try put.json()
            #expect(afterPut["Name"] == .string("hook") && afterPut["Key"] == afterPatch["Key"])
            #expect(afterPut["Description"] == .null && afterPut["SubscribeToAllEvents"] == .bool(false))
            #expect(afterPut["Events"] == .array([]) && afterPut["Url"] == .string("https://other.example/"))
            #expect(try await harness.send(.GET, "/odata/Webhooks(\(id))").json() == afterPut)
        }
    }

    @Test func deleteAnswers204() async throws {
        try await EmulatorHarness.with { harness in
            let id = try await harness.create(EmulatorHarness.body(name: "hook"))
            let reply = try await harness.send(.DELETE, "/odata/Webhooks(\(id))")
            #expect(reply.status == 204 && reply.text.isEmpty)
            #expect(try await harness.send(.GET, "/odata/Webhooks(\(id))").status == 404)
        }
    }

    @Test func listQueryOptions() async throws {
        try await EmulatorHarness.with { harness in
            for name in ["c", "a", "b"] {
                try await harness.create(EmulatorHarness.body(name: name, extra: name == "a" ? "\"Enabled\":true" : ""))
            }
            let names = { (reply: EmulatorHarness.Reply) in
                (try reply.json()["value"]?.arrayValue ?? []).map { $0["Name"]?.stringValue ?? "?" }
            }
            #expect(try names(await harness.send(.GET, "/odata/Webhooks")) == ["c", "a", "b"])
            #expect(try names(await harness.send(.GET, "/odata/Webhooks?$orderby=Name%20desc&$top=2")) == ["c", "b"])
            #expect(try names(await harness.send(.GET, "/odata/Webhooks?$orderby=Name&$skip=1")) == ["b", "c"])
            #expect(try names(await harness.send(.GET, "/odata/Webhooks?$filter=Enabled%20eq%20true")) == ["a"])

            let counted = try await harness.send(.GET, "/odata/Webhooks?$top=1&$count=true").json()
            #expect(counted["@odata.count"] == .number("3") && counted["value"]?.arrayValue?.count == 1)
            // The seed's list answer carries a count unasked; `$count=false` leaves it out.
            #expect(try await harness.send(.GET, "/odata/Webhooks").json()["@odata.count"] == .number("3"))
            #expect(try await harness.send(.GET, "/odata/Webhooks?$count=false").json().keys == ["@odata.context", "value"])

            let selected = try await harness.send(.GET, "/odata/Webhooks?$select=Id,Name&$top=1").json()
            #expect(selected["@odata.context"]?.stringValue?.hasSuffix("/odata/$metadata#Webhooks(Id,Name)") == true)
            #expect(selected["value"]?.arrayValue?.first?.keys == ["Name", "Id"])
            let entity = try await harness.send(.GET, "/odata/Webhooks(1)?$select=Url").json()
            #expect(entity.keys == ["@odata.context", "Url"])
            #expect(entity["@odata.context"]?.stringValue?.hasSuffix("#Webhooks(Url)/$entity") == true)
        }
    }

    @Test(arguments: ["$filter=Name%20eq", "$top=1001", "$orderby=Nope", "$select=Nope", "$frobnicate=1", "$top=-1"])
    func badQueryOptionsAre400(query: String) async throws {
        try await EmulatorHarness.with { harness in
            let reply = try await harness.send(.GET, "/odata/Webhooks?\(query)")
            #expect(reply.status == 400)
            let json = try reply.json()
            #expect(json["errorCode"] == .number("1000"))
            #expect(json["message"]?.stringValue?.hasPrefix("Invalid OData query options: ") == true)
        }
    }

    @Test func getEventTypesTakesNoQueryOptions() async throws {
        try await EmulatorHarness.with { harness in
            try expectError(try await harness.send(.GET, "/odata/Webhooks/UiPath.Server.Configuration.OData.GetEventTypes?$filter=Group%20eq%20'job'"),
                            status: 400, errorCode: 1000, message: "The query option '$filter' is not supported on GetEventTypes.")
        }
    }

    @Test func unknownRoutesMethodsAndKeys() async throws {
        try await EmulatorHarness.with { harness in
            try expectError(try await harness.send(.GET, "/odata/Robots"), status: 404, errorCode: 0,
                            message: "No resource at '/odata/Robots'.")
            let reply = try await harness.send(.DELETE, "/odata/Webhooks")
            try expectError(reply, status: 405, errorCode: 0, message: "DELETE is not allowed on '/odata/Webhooks'.")
            #expect(reply.headers.first(name: "Allow") == "GET, POST")
            try expectError(try await harness.send(.GET, "/odata/Webhooks(abc)"), status: 400, errorCode: 1000,
                            message: "The key 'abc' in 'Webhooks(abc)' is not a webhook Id (an Int64).")
        }
    }

    /// Events fan out to enabled, subscribed webhooks; the answer sums the outcomes.
    @Test func eventsFanOutAndDeliveriesAreCounted() async throws {
        try await withReceiver { receiver in
            try await EmulatorHarness.with { harness in
                let jobs = try await harness.create(EmulatorHarness.body(name: "jobs", url: receiver.url("/jobs"), extra: """
                    "Enabled":true,"Secret":"one","Events":[{"EventType":"job.started"}]
                    """))
                try await harness.create(EmulatorHarness.body(name: "all", url: receiver.url("/all"), extra: """
                    "Enabled":true,"SubscribeToAllEvents":true
                    """))
                try await harness.create(EmulatorHarness.body(name: "off", url: receiver.url("/off"), extra: """
                    "SubscribeToAllEvents":true
                    """))
                let started = #"{"Type":"job.started","EventId":"1","Timestamp":"2026-01-01T00:00:00Z"}"#
                let added = #"{"Type":"queueItem.added","EventId":"2","Timestamp":"2026-01-01T00:00:01Z"}"#
                let reply = try await harness.send(.POST, "/hookreel/events", body: started + "\n\n" + added + "\n")
                #expect(reply.status == 200, "\(reply.text)")
                let summary = try JSONDecoder().decode([String: Int].self, from: Data(reply.text.utf8))
                // Unsubscribed: "jobs" for the queue item, "off" (disabled) for both.
                #expect(summary == ["events": 2, "delivered": 3, "failed": 0, "breakerSkipped": 0, "unsubscribed": 3])
                #expect(receiver.received(on: "/jobs").map { String(decoding: $0.body, as: UTF8.self) } == [started])
                #expect(Set(receiver.received(on: "/all").map { String(decoding: $0.body, as: UTF8.self) }) == [started, added])
                #expect(receiver.received(on: "/off").isEmpty)
                let jobsDelivery = try #require(receiver.received(on: "/jobs").first)
                #expect(WebhookSignature(secret: "one").verify(jobsDelivery.body,
                                                               header: jobsDelivery.headers.first(name: WebhookSignature.headerName)) == .valid)

                let deliveries = try await harness.send(.GET, "/hookreel/deliveries")
                #expect(deliveries.status == 200)
                let counts = try JSONDecoder().decode([WebhookDeliveryCounts].self, from: Data(deliveries.text.utf8))
                #expect(counts.first { $0.webhookId == jobs }?.delivered == 1)
                #expect(counts.map(\.delivered).reduce(0, +) == 3)
            }
        }
    }

    @Test func onePrettyPrintedEventIsOneEvent() async throws {
        try await EmulatorHarness.with { harness in
            let reply = try await harness.send(.POST, "/hookreel/events", body: "{\n  \"Type\": \"job.started\"\n}\n")
            #expect(try JSONDecoder().decode([String: Int].self, from: Data(reply.text.utf8))["events"] == 1)
        }
    }

    @Test(arguments: [("", "The body has no event: send one JSON object or NDJSON."),
                      ("{\"Type\":\"job.started\"}\nnot json", "Line 2 of the body is not a JSON object: send one event or NDJSON."),
                      ("[1,2]", "Line 1 of the body is not a JSON object: send one event or NDJSON.")])
    func badEventBodiesAre400(body: String, message: String) async throws {
        try await EmulatorHarness.with { harness in
            try expectError(try await harness.send(.POST, "/hookreel/events", body: body), status: 400, errorCode: 1000, message: message)
        }
    }

    @Test func webhooksSurviveARestartOfTheServer() async throws {
        let directory = try TemporaryDirectory("orchestrator")
        defer { directory.remove() }
        let path = directory.file("orchestrator.sqlite")
        let before = try await EmulatorHarness.with(databasePath: path) { harness in
            try await harness.create(EmulatorHarness.body(name: "kept", extra: "\"Events\":[{\"EventType\":\"job.created\"}]"))
            return try await harness.send(.GET, "/odata/Webhooks").json()["value"]
        }
        let after = try await EmulatorHarness.with(databasePath: path) { harness in
            try await harness.send(.GET, "/odata/Webhooks").json()["value"]
        }
        #expect(after == before && before?.arrayValue?.count == 1)
    }

    @Test func concurrentCreatesThroughTheAPI() async throws {
        try await EmulatorHarness.with { harness in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        try await harness.send(.POST, "/odata/Webhooks", body: EmulatorHarness.body(name: "hook-\(index % 12)")).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 12 && statuses.filter { $0 == 409 }.count == 12)
            let ids = (try await harness.send(.GET, "/odata/Webhooks").json()["value"]?.arrayValue ?? []).map { $0["Id"] }
            #expect(ids == (1...12).map { .number("\($0)") })
        }
    }
}
