import OrchestratorAPI
import Testing
import WebhooksClient

/// The shared wire types the client builds its calls from: Orchestrator's two
/// URL forms and their identity endpoints, list queries, request bodies.
@Suite struct WireTypesTests {
    @Test(arguments: [
        ("https://cloud.uipath.com/acme/DefaultTenant/orchestrator_", "https://cloud.uipath.com/acme/DefaultTenant/orchestrator_",
         "https://cloud.uipath.com/acme/identity_/connect/token"),
        ("https://cloud.uipath.com/acme/DefaultTenant/orchestrator_/", "https://cloud.uipath.com/acme/DefaultTenant/orchestrator_",
         "https://cloud.uipath.com/acme/identity_/connect/token"),
        ("https://orchestrator.example.com", "https://orchestrator.example.com", "https://orchestrator.example.com/identity/connect/token"),
        ("HTTP://127.0.0.1:8080/", "http://127.0.0.1:8080", "http://127.0.0.1:8080/identity/connect/token"),
        ("https://suite.example:8443/org/t1/orchestrator_", "https://suite.example:8443/org/t1/orchestrator_",
         "https://suite.example:8443/org/identity_/connect/token"),
    ])
    func bothURLForms(text: String, serviceRoot: String, tokenURL: String) throws {
        let address = try OrchestratorAddress(text)
        #expect(address.serviceRoot == serviceRoot)
        #expect(address.identityTokenURL == tokenURL)
        #expect(address.odata("Webhooks(3)") == serviceRoot + "/odata/Webhooks(3)")
    }

    @Test(arguments: [
        ("cloud.uipath.com/acme/t/orchestrator_", "the scheme must be https or http"),
        ("ftp://host", "the scheme must be https or http"),
        ("https://", "no host"),
        ("https://cloud.uipath.com/acme/DefaultTenant", "the path must be /ORG/TENANT/orchestrator_"),
        ("https://cloud.uipath.com/acme/t/orchestrator_/odata/Webhooks", "the path must be /ORG/TENANT/orchestrator_"),
        ("https://host/?x=1", "a query or fragment is not allowed"),
        ("https://user:pw@host", "user info is not allowed"),
    ])
    func badURLsAreRefusedWithTheReason(text: String, reason: String) {
        do {
            let address = try OrchestratorAddress(text)
            Issue.record("\(text) parsed as \(address)")
        } catch {
            #expect(error.reason.hasPrefix(reason), "\(error)")
            #expect(error.description.hasPrefix("'\(text)' is not an Orchestrator URL: "), "\(error)")
        }
    }

    @Test func listQueriesBecomeODataOptions() {
        #expect(WebhookListQuery().queryString == "%24count=true")
        let query = WebhookListQuery(filter: "startswith(Url,'https')", name: "O'Brien's", enabled: false, top: 5, skip: 10,
                                     orderBy: "Name desc")
        #expect(query.filterExpression == "(startswith(Url,'https')) and Name eq 'O''Brien''s' and Enabled eq false")
        #expect(query.queryString == "%24filter=%28startswith%28Url%2C%27https%27%29%29%20and%20Name%20eq%20%27O%27%27Brien%27%27s%27%20and%20Enabled%20eq%20false"
                + "&%24orderby=Name%20desc&%24top=5&%24skip=10&%24count=true")
        #expect(WebhookListQuery(filter: "Enabled eq true").filterExpression == "Enabled eq true")
        let decoded = FormEncoding.decode(query.queryString)
        #expect(decoded.first?.value == query.filterExpression)
    }

    @Test func aBodyCarriesOnlyItsMembersInTheVendorsOrder() throws {
        let changes = WebhookChanges(name: "n", description: .some(nil), url: "https://r.example/h", secret: .some("s"),
                                     allowInsecureSsl: true, events: ["job.started"])
        let json = String(decoding: changes.json, as: UTF8.self)
        #expect(json == #"{"Name":"n","Description":null,"Url":"https://r.example/h","Secret":"s","AllowInsecureSsl":true,"Events":[{"EventType":"job.started"}]}"#)
        #expect(try WebhookChanges(requestBody: changes.json) == changes)
        #expect(WebhookChanges().json == Array("{}".utf8))
    }

    @Test func answersFromNewerOrOlderServersAreRead() throws {
        // A pre-v16 answer (no Key, Name, Description) with a member this client does not know.
        let webhook = try Webhook(answer: Array(#"{"@odata.context":"x","Url":"https://r.example/h","Enabled":true,"Secret":null,"SubscribeToAllEvents":false,"AllowInsecureSsl":false,"Id":4,"Events":[],"Future":1}"#.utf8))
        #expect(webhook == Webhook(id: 4, key: "", name: "", url: "https://r.example/h", enabled: true,
                                   subscribeToAllEvents: false, allowInsecureSsl: false, events: []))
        #expect(throws: WebhookBodyError("The answer must be a JSON object (a WebhookDto).")) {
            _ = try Webhook(answer: Array("[]".utf8))
        }
        #expect(throws: WebhookBodyError("The webhook has no Id.")) {
            _ = try Webhook(answer: Array(#"{"Url":"u"}"#.utf8))
        }
    }
}
