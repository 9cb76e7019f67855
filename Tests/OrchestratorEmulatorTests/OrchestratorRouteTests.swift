import Testing
@testable import OrchestratorEmulator

@Suite struct OrchestratorRouteTests {
    @Test(arguments: [
        ("/odata/Webhooks", OrchestratorRoute.webhooks, ""),
        ("/odata/Webhooks/", .webhooks, ""),
        ("/acme/default/orchestrator_/odata/Webhooks", .webhooks, "/acme/default/orchestrator_"),
        ("/odata/Webhooks(4)", .webhook(id: 4), ""),
        ("/odata/Webhooks%284%29", .webhook(id: 4), ""),
        ("/acme/default/orchestrator_/odata/Webhooks(-1)", .webhook(id: -1), "/acme/default/orchestrator_"),
        ("/odata/Webhooks/UiPath.Server.Configuration.OData.GetEventTypes", .eventTypes, ""),
        ("/odata/Webhooks/UiPath.Server.Configuration.OData.GetEventTypes()", .eventTypes, ""),
        ("/odata/Webhooks(11)/UiPath.Server.Configuration.OData.Ping", .ping(id: 11), ""),
        ("/odata/Webhooks(11)/UiPath.Server.Configuration.OData.Ping()", .ping(id: 11), ""),
        ("/hookreel/events", .events, ""),
        ("/hookreel/deliveries", .deliveries, ""),
    ])
    func parses(path: String, route: OrchestratorRoute, servicePath: String) throws {
        let parsed = try OrchestratorRoute.parse(path: path)
        #expect(parsed.route == route)
        #expect(parsed.servicePath == servicePath)
    }

    @Test(arguments: [
        "/", "/odata", "/odata/Robots", "/odata/Webhooks/Extra/More", "/odata/Webhooks/UiPath.Server.Configuration.OData.Ping",
        "/odata/Webhooks(1)/UiPath.Server.Configuration.OData.GetEventTypes", "/acme/orchestrator_/odata/Webhooks",
        "/acme/default/other_/odata/Webhooks", "/hookreel/events/1", "/odata/webhooks",
    ])
    func unknownPathsAreNotFound(path: String) {
        #expect { try OrchestratorRoute.parse(path: path) } throws: { error in
            (error as? OrchestratorError)?.kind == .routeNotFound
        }
    }

    @Test(arguments: ["/odata/Webhooks(abc)", "/odata/Webhooks()", "/odata/Webhooks(99999999999999999999)",
                      "/odata/Webhooks(1.5)/UiPath.Server.Configuration.OData.Ping"])
    func keysThatAreNotInt64AreInvalid(path: String) {
        #expect { try OrchestratorRoute.parse(path: path) } throws: { error in
            (error as? OrchestratorError)?.kind == .invalidRequest
        }
    }

    @Test func queryParametersAreDecodedInOrder() {
        let parameters = OrchestratorRoute.queryParameters("$filter=Name%20eq%20'a+b%2Bc'&$top=2&flag&%24count=true")
        #expect(parameters.map(\.name) == ["$filter", "$top", "flag", "$count"])
        #expect(parameters.map(\.value) == ["Name eq 'a b+c'", "2", "", "true"])
        #expect(OrchestratorRoute.queryParameters(nil).isEmpty)
    }
}
