import Foundation

/// The path segments of Orchestrator's two URL forms (docs/orchestrator-webhooks.md §4.1).
public enum OrchestratorPaths {
    /// What precedes the entity sets: `…/odata/Webhooks`.
    public static let odata = "odata"
    /// Automation Cloud's service segment: `/{org}/{tenant}/orchestrator_`.
    public static let cloudService = "orchestrator_"
    /// Automation Cloud's identity server: `/{org}/identity_/connect/token`.
    public static let cloudIdentity = "identity_"
    /// Standalone's identity server: `/identity/connect/token`.
    public static let standaloneIdentity = "identity"
    /// The token endpoint under the identity server.
    public static let token = ["connect", "token"]
    /// `Webhooks/UiPath.Server.Configuration.OData.GetEventTypes`
    public static let getEventTypesAction = "UiPath.Server.Configuration.OData.GetEventTypes"
    /// `Webhooks({Id})/UiPath.Server.Configuration.OData.Ping`
    public static let pingAction = "UiPath.Server.Configuration.OData.Ping"
}

/// A tenant's Orchestrator URL in either form: Automation Cloud's
/// `https://cloud.uipath.com/ORG/TENANT/orchestrator_` (Automation Suite and
/// Cloud Dedicated use it on their own hosts) or Standalone's `https://HOST`.
/// It knows where the OData API and the identity token endpoint are.
public struct OrchestratorAddress: Sendable, Equatable, CustomStringConvertible {
    public enum Form: Sendable, Equatable {
        case automationCloud(organization: String, tenant: String)
        case standalone
    }

    public let form: Form
    /// `https://host[:port]`
    public let origin: String
    /// What precedes `/odata/`: `https://cloud.uipath.com/acme/DefaultTenant/orchestrator_`, or the origin.
    public let serviceRoot: String

    public var description: String { serviceRoot }

    /// Parses `text`; a trailing `/` is allowed, a query, a fragment or user info are not.
    public init(_ text: String) throws(OrchestratorAddressError) {
        func failure(_ reason: String) -> OrchestratorAddressError { OrchestratorAddressError(url: text, reason: reason) }
        guard let components = URLComponents(string: text) else { throw failure("not a URL") }
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw failure("the scheme must be https or http")
        }
        guard let host = components.host, !host.isEmpty else { throw failure("no host") }
        guard components.user == nil, components.password == nil else { throw failure("user info is not allowed") }
        guard components.query == nil, components.fragment == nil else { throw failure("a query or fragment is not allowed") }
        let hostText = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        origin = "\(scheme)://\(hostText)" + (components.port.map { ":\($0)" } ?? "")
        let segments = components.path.split(separator: "/").map(String.init)
        switch segments.count {
        case 0:
            form = .standalone
            serviceRoot = origin
        case 3 where segments[2] == OrchestratorPaths.cloudService:
            form = .automationCloud(organization: segments[0], tenant: segments[1])
            serviceRoot = "\(origin)/\(segments[0])/\(segments[1])/\(OrchestratorPaths.cloudService)"
        default:
            throw failure("the path must be /ORG/TENANT/\(OrchestratorPaths.cloudService) (Automation Cloud) or empty (Standalone), not '\(components.path)'")
        }
    }

    /// `serviceRoot/odata/<path>`; `path` is already percent-encoded where needed.
    public func odata(_ path: String) -> String {
        "\(serviceRoot)/\(OrchestratorPaths.odata)/\(path)"
    }

    /// The identity server's token endpoint for this tenant:
    /// `https://cloud.uipath.com/ORG/identity_/connect/token` or `https://HOST/identity/connect/token`.
    public var identityTokenURL: String {
        let token = OrchestratorPaths.token.joined(separator: "/")
        switch form {
        case .automationCloud(let organization, _): return "\(origin)/\(organization)/\(OrchestratorPaths.cloudIdentity)/\(token)"
        case .standalone: return "\(origin)/\(OrchestratorPaths.standaloneIdentity)/\(token)"
        }
    }
}

public struct OrchestratorAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public let url: String
    public let reason: String
    public var description: String {
        "'\(url)' is not an Orchestrator URL: \(reason) (expected https://cloud.uipath.com/ORG/TENANT/orchestrator_ or https://HOST)"
    }
}
