import ArgumentParser
import Delivery
import Foundation
import OrchestratorAPI
import WebhooksClient

/// `--orchestrator`, the credentials and the TLS options of `hookreel webhooks`
/// and `record --register`: which tenant to call and how to prove who calls.
struct TenantOptions: ParsableArguments {
    /// Read when `--orchestrator` is not given.
    static let orchestratorVariable = "HOOKREEL_ORCHESTRATOR"

    @Option(help: ArgumentHelp(
        "The tenant's Orchestrator URL: https://cloud.uipath.com/ORG/TENANT/orchestrator_ (Automation Cloud; Automation Suite on its own host) or https://HOST (Standalone). Default: $\(orchestratorVariable).",
        valueName: "url"))
    var orchestrator: String?

    @Option(help: ArgumentHelp("Send this bearer token, read from this environment variable.", valueName: "name"))
    var tokenEnv: String?

    @Option(help: ArgumentHelp("Fetch tokens with this external application's client credentials (with --client-secret-env).",
                               valueName: "id"))
    var clientId: String?

    @Option(help: ArgumentHelp("Read the external application's secret from this environment variable.", valueName: "name"))
    var clientSecretEnv: String?

    @Option(help: ArgumentHelp(
        "With --client-id: the scopes to ask for, space-separated (default \(WebhooksScope.default.rawValue); OR.Webhooks.Read allows only list, get and event-types).",
        valueName: "scopes"))
    var scope: String?

    @Option(help: ArgumentHelp(
        "With --client-id: the identity token endpoint (default: the one that belongs to --orchestrator, https://cloud.uipath.com/ORG/identity_/connect/token or https://HOST/identity/connect/token).",
        valueName: "url"))
    var identityUrl: String?

    @Option(help: ArgumentHelp("With an https:// tenant: also trust the certificates in this PEM file (a private CA).",
                               valueName: "path"))
    var caFile: String?

    @Flag(help: "With an https:// tenant: accept any certificate for any name. For test installations only.")
    var insecure = false

    /// Whether any of these options was given.
    var isGiven: Bool {
        orchestrator != nil || tokenEnv != nil || clientId != nil || clientSecretEnv != nil || scope != nil || identityUrl != nil
            || caFile != nil || insecure
    }

    /// Checks what was given; whether a tenant is needed at all is the command's to check (`check()`).
    func validate() throws {
        if isGiven { try check() }
    }

    /// Checks that a tenant and one way to authenticate are given, consistently.
    func check() throws {
        switch (tokenEnv, clientId) {
        case (nil, nil):
            throw ValidationError("give --token-env NAME (a bearer token) or --client-id ID --client-secret-env NAME")
        case (.some, .some):
            throw ValidationError("give one way to authenticate: --token-env or --client-id, not both")
        case (.some, nil):
            if clientSecretEnv != nil || scope != nil || identityUrl != nil {
                throw ValidationError("--client-secret-env, --scope and --identity-url apply to --client-id")
            }
        case (nil, .some):
            if clientSecretEnv == nil { throw ValidationError("--client-id needs --client-secret-env NAME") }
            if let scope, scope.split(separator: " ").isEmpty { throw ValidationError("--scope: give at least one scope") }
        }
        _ = try address()
    }

    /// The tenant, from `--orchestrator` or the environment.
    func address() throws -> OrchestratorAddress {
        let text: String
        let source: String
        if let orchestrator {
            text = orchestrator
            source = "--orchestrator"
        } else if let value = ProcessInfo.processInfo.environment[Self.orchestratorVariable], !value.isEmpty {
            text = value
            source = Self.orchestratorVariable
        } else {
            throw ValidationError("give --orchestrator URL or set \(Self.orchestratorVariable)")
        }
        do {
            return try OrchestratorAddress(text)
        } catch {
            throw ValidationError("\(source): \(error)")
        }
    }

    /// A client for the tenant; secrets are read from the environment here.
    func makeClient() throws -> WebhooksClient {
        try check()
        let address = try address()
        let authentication: WebhooksAuthentication
        if let tokenEnv {
            authentication = .bearer(try environmentValue(tokenEnv, option: "--token-env"))
        } else {
            let secret = try environmentValue(clientSecretEnv ?? "", option: "--client-secret-env")
            let scopes = (scope ?? WebhooksScope.default.rawValue).split(separator: " ").map(String.init)
            authentication = .clientCredentials(ClientCredentials(clientId: clientId ?? "", clientSecret: secret,
                                                                  scopes: scopes, tokenURL: identityUrl))
        }
        return WebhooksClient(address: address, authentication: authentication, tls: try tls(for: address))
    }

    /// nil: the system's trust roots.
    private func tls(for address: OrchestratorAddress) throws -> DeliveryTLS? {
        guard caFile != nil || insecure else { return nil }
        let urls = [address.serviceRoot] + (identityUrl.map { [$0] } ?? [])
        guard urls.contains(where: { $0.lowercased().hasPrefix("https:") }) else {
            throw ValidationError("--ca-file and --insecure apply to https:// URLs")
        }
        do {
            return try DeliveryTLS(trusting: caFile, verifiesCertificates: !insecure)
        } catch {
            throw ValidationError(caFile == nil ? "https: \(error)" : "--ca-file: \(error)")
        }
    }
}
