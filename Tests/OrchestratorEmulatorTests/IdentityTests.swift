import Foundation
import NIOHTTP1
import OrchestratorAPI
import Testing
@testable import OrchestratorEmulator

/// The emulator as identity server: the client credentials grant at both
/// URL forms' token endpoints, tokens that expire, and scopes enforced per
/// route (docs/orchestrator-emulator.md, Authentication).
@Suite struct IdentityTests {
    static let application = ExternalApplication(clientId: "hookreel-app", clientSecret: "app-secret")
    static let tokenPaths = ["/acme/identity_/connect/token", "/identity/connect/token"]

    static func form(scope: String? = nil, secret: String = application.clientSecret,
                     clientId: String = application.clientId, grantType: String? = "client_credentials") -> String {
        var pairs: [(name: String, value: String)] = []
        if let grantType { pairs.append(("grant_type", grantType)) }
        pairs += [("client_id", clientId), ("client_secret", secret)]
        if let scope { pairs.append(("scope", scope)) }
        return FormEncoding.encode(pairs)
    }

    /// Fetches a token for `scope`; fails the test unless the endpoint issues one.
    static func token(_ harness: EmulatorHarness, scope: String? = nil, path: String = tokenPaths[1]) async throws -> String {
        let reply = try await harness.sendForm(path, form(scope: scope))
        try #require(reply.status == 200, "\(reply.text)")
        return try #require(try reply.json()["access_token"]?.stringValue)
    }

    @Test(arguments: tokenPaths)
    func theTokenEndpointIssuesBearerTokens(path: String) async throws {
        try await EmulatorHarness.with(externalApplication: Self.application) { harness in
            let reply = try await harness.sendForm(path, Self.form())
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.headers["Cache-Control"] == ["no-store"])
            let answer = try JSONDecoder().decode(AccessTokenAnswer.self, from: Data(reply.text.utf8))
            #expect(answer.expiresIn == 3600)
            #expect(answer.tokenType == "Bearer")
            #expect(answer.scope == "OR.Webhooks")
            #expect(answer.accessToken.count == 64 && answer.accessToken != EmulatorHarness.token)
            #expect(try await harness.send(.GET, "/odata/Webhooks", token: answer.accessToken).status == 200)
            #expect(harness.server.tokensIssued == 1)
        }
    }

    @Test(arguments: [
        (form(grantType: nil), "invalid_request"),
        (form(grantType: "password"), "unsupported_grant_type"),
        (form(secret: "wrong"), "invalid_client"),
        (form(secret: ""), "invalid_client"),
        (form(clientId: "someone-else"), "invalid_client"),
        (form(scope: "OR.Webhooks OR.Jobs"), "invalid_scope"),
    ])
    func refusedTokenRequests(form: String, error: String) async throws {
        try await EmulatorHarness.with(externalApplication: Self.application) { harness in
            let reply = try await harness.sendForm(Self.tokenPaths[0], form)
            #expect(reply.status == 400)
            let answer = try JSONDecoder().decode(OAuthErrorAnswer.self, from: Data(reply.text.utf8))
            #expect(answer.error == error, "\(reply.text)")
            #expect(answer.errorDescription?.isEmpty == false)
            #expect(harness.server.tokensIssued == 0)
        }
    }

    @Test func withoutAnApplicationNoTokenIsIssued() async throws {
        try await EmulatorHarness.with { harness in
            let reply = try await harness.sendForm(Self.tokenPaths[1], Self.form())
            #expect(reply.status == 400)
            #expect(reply.text.contains("invalid_client"), "\(reply.text)")
            #expect(reply.text.contains("--client-id"), "\(reply.text)")
        }
    }

    @Test func theTokenEndpointTakesOnlyPost() async throws {
        try await EmulatorHarness.with(externalApplication: Self.application) { harness in
            let reply = try await harness.send(.GET, Self.tokenPaths[1], token: nil)
            #expect(reply.status == 405)
            #expect(reply.headers["Allow"] == ["POST"])
        }
    }

    /// Which calls each scope allows; the rest answer 403 naming the scope.
    @Test func scopesAreEnforcedPerRoute() async throws {
        try await EmulatorHarness.with(externalApplication: Self.application) { harness in
            let id = try await harness.create(EmulatorHarness.body(name: "scoped", url: "http://127.0.0.1:1/hook"))
            let calls: [(HTTPMethod, String, String?, WebhooksAccess)] = [
                (.GET, "/odata/Webhooks", nil, .read),
                (.GET, "/acme/default/orchestrator_/odata/Webhooks(\(id))", nil, .read),
                (.GET, "/odata/Webhooks/\(OrchestratorPaths.getEventTypesAction)", nil, .read),
                (.POST, "/odata/Webhooks", EmulatorHarness.body(name: "other"), .write),
                (.PATCH, "/odata/Webhooks(\(id))", #"{"Enabled":false}"#, .write),
                (.PUT, "/odata/Webhooks(\(id))", EmulatorHarness.body(name: "scoped", url: "http://127.0.0.1:1/hook"), .write),
                (.POST, "/acme/default/orchestrator_/odata/Webhooks(\(id))/\(OrchestratorPaths.pingAction)", nil, .write),
                (.DELETE, "/odata/Webhooks(\(id + 100))", nil, .write),
            ]
            let read = try await Self.token(harness, scope: "OR.Webhooks.Read")
            let write = try await Self.token(harness, scope: "OR.Webhooks.Write")
            for (method, path, body, access) in calls {
                for (token, granted) in [(read, WebhooksAccess.read), (write, WebhooksAccess.write)] {
                    let reply = try await harness.send(method, path, body: body, token: token)
                    if access == granted {
                        #expect(reply.status != 403 && reply.status != 401, "\(method) \(path): \(reply.text)")
                    } else {
                        #expect(reply.status == 403, "\(method) \(path): \(reply.text)")
                        #expect(reply.text.contains("does not grant the scope \(access.scope.rawValue) (or OR.Webhooks)"),
                                "\(reply.text)")
                        #expect(try reply.json()["errorCode"] == .number("0"))
                        #expect(reply.headers["WWW-Authenticate"]
                                == ["Bearer error=\"insufficient_scope\", scope=\"\(access.scope.rawValue)\""])
                    }
                }
            }
            // Both narrow scopes together, or the full one, allow everything.
            let both = try await Self.token(harness, scope: "OR.Webhooks.Read OR.Webhooks.Write")
            let full = try await Self.token(harness, scope: "OR.Webhooks")
            for token in [both, full] {
                #expect(try await harness.send(.GET, "/odata/Webhooks", token: token).status == 200)
                #expect(try await harness.send(.PATCH, "/odata/Webhooks(\(id))", body: #"{"Enabled":true}"#, token: token).status == 200)
            }
            // The hookreel routes take any valid token.
            #expect(try await harness.send(.GET, "/hookreel/deliveries", token: read).status == 200)
        }
    }

    @Test func anIssuedTokenExpires() async throws {
        try await EmulatorHarness.with(externalApplication: Self.application, tokenLifetime: .seconds(1)) { harness in
            let reply = try await harness.sendForm(Self.tokenPaths[0], Self.form())
            let answer = try JSONDecoder().decode(AccessTokenAnswer.self, from: Data(reply.text.utf8))
            #expect(answer.expiresIn == 1)
            #expect(try await harness.send(.GET, "/odata/Webhooks", token: answer.accessToken).status == 200)
            try await Task.sleep(for: .milliseconds(1100))
            let expired = try await harness.send(.GET, "/odata/Webhooks", token: answer.accessToken)
            #expect(expired.status == 401)
            #expect(expired.text.contains("You are not authenticated!"))
            // The static token never expires and grants everything.
            #expect(try await harness.send(.POST, "/odata/Webhooks", body: EmulatorHarness.body(name: "n")).status == 201)
        }
    }
}
