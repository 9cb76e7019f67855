import Logging
import OrchestratorAPI
import OrchestratorEmulator
import Testing
import WebhooksClient

/// An emulator on 127.0.0.1 and an ephemeral port that knows a bearer token
/// and an external application, and clients for it in either URL form.
struct ClientHarness {
    static let bearerToken = "static-token"
    static let application = ExternalApplication(clientId: "hookreel-app", clientSecret: "app-secret")

    enum Form: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case automationCloud, standalone
        var testDescription: String { rawValue }
    }

    enum Credentials: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case bearer, clientCredentials
        var testDescription: String { rawValue }
    }

    let server: OrchestratorServer

    /// Runs `body` against a fresh emulator and stops it afterwards, also when `body` throws.
    static func with<T>(tokenLifetime: Duration = .seconds(3600), _ body: (ClientHarness) async throws -> T) async throws -> T {
        let server = try await OrchestratorServer.start(
            configuration: OrchestratorConfiguration(databasePath: ":memory:", token: bearerToken,
                                                     externalApplication: application, tokenLifetime: tokenLifetime,
                                                     deliveryTimeout: .seconds(5)),
            logger: Logger(label: "webhooks-client-test"))
        do {
            let result = try await body(ClientHarness(server: server))
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    func address(_ form: Form) throws -> OrchestratorAddress {
        switch form {
        case .automationCloud: try OrchestratorAddress("http://127.0.0.1:\(server.port)/acme/DefaultTenant/orchestrator_")
        case .standalone: try OrchestratorAddress("http://127.0.0.1:\(server.port)")
        }
    }

    func authentication(_ credentials: Credentials, scope: String = "OR.Webhooks",
                        secret: String = application.clientSecret) -> WebhooksAuthentication {
        switch credentials {
        case .bearer: .bearer(Self.bearerToken)
        case .clientCredentials:
            .clientCredentials(ClientCredentials(clientId: Self.application.clientId, clientSecret: secret, scopes: [scope]))
        }
    }

    /// Runs `body` with a client, shut down afterwards.
    func withClient<T>(_ form: Form = .automationCloud, _ authentication: WebhooksAuthentication,
                       _ body: (WebhooksClient) async throws -> T) async throws -> T {
        let client = WebhooksClient(address: try address(form), authentication: authentication, timeout: .seconds(10))
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }
}

/// The error `body` throws, or nil when it succeeds (any other error fails the test).
func clientError(_ body: () async throws -> Void) async -> WebhooksClientError? {
    do {
        try await body()
        return nil
    } catch let error as WebhooksClientError {
        return error
    } catch {
        Issue.record("not a WebhooksClientError: \(error)")
        return nil
    }
}
