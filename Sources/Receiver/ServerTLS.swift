import Delivery
import NIOSSL

/// How the recorder and the sink serve https (`--tls-cert`, `--tls-key`):
/// for tenants that must deliver to an https URL with no proxy in front.
/// Clients are not asked for a certificate.
public struct ServerTLS: Sendable {
    let context: NIOSSLContext

    public init(identity: TLSIdentity) throws(ServerTLSError) {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: identity.chain.map { .certificate($0) }, privateKey: .privateKey(identity.key))
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerTLSError(description: "cannot set up TLS with the certificate (\(error))")
        }
    }
}

public struct ServerTLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}
