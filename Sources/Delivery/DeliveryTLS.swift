import NIOSSL

/// How connections to an `https://` target are secured: TLS verified against
/// the system's trust roots plus, optionally, certificates from a PEM file; or
/// not verified at all, as Orchestrator's AllowInsecureSsl does for receivers
/// with self-signed certificates. A client certificate is presented to
/// receivers that ask for one (mutual TLS).
public struct DeliveryTLS: Sendable {
    /// For `DeliveryClient` (replay, pass-through), which sets up its connections itself.
    let context: NIOSSLContext
    /// The same settings for AsyncHTTPClient: WebhooksClient (`hookreel webhooks`) and
    /// the emulator's deliveries (`orchestrator --ca-file`).
    public let configuration: TLSConfiguration

    /// - Parameters:
    ///   - caFile: a PEM file of certificates to trust besides the system's
    ///     roots (a receiver's self-signed certificate, or a private CA).
    ///   - verifiesCertificates: false accepts any certificate for any name.
    ///   - clientCertificate: presented when the receiver asks for one.
    public init(trusting caFile: String? = nil, verifiesCertificates: Bool = true,
                clientCertificate: TLSIdentity? = nil) throws(DeliveryTLSError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        // Closing a connection waits this long at most for the peer's TLS
        // close_notify (NIO's default is 5 s): a timed-out request's
        // connection slot, and the end of a run, must not wait on it.
        configuration.shutdownTimeout = .milliseconds(100)
        if !verifiesCertificates { configuration.certificateVerification = .none }
        if let clientCertificate {
            configuration.certificateChain = clientCertificate.chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(clientCertificate.key)
        }
        guard let caFile else {
            context = try Self.makeContext(configuration, trustRoots: "the system's trust roots")
            self.configuration = configuration
            return
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(caFile)
        } catch {
            throw DeliveryTLSError(description: "\(caFile): cannot read PEM certificates (\(error))")
        }
        guard !certificates.isEmpty else {
            throw DeliveryTLSError(description: "\(caFile): no PEM certificate in the file")
        }
        configuration.additionalTrustRoots = [.certificates(certificates)]
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            // No system trust roots on this host (no CA bundle): trust the file's alone.
            configuration.additionalTrustRoots = []
            configuration.trustRoots = .certificates(certificates)
            context = try Self.makeContext(configuration, trustRoots: caFile)
        }
        self.configuration = configuration
    }

    private static func makeContext(_ configuration: TLSConfiguration, trustRoots: String) throws(DeliveryTLSError) -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw DeliveryTLSError(description: "cannot set up TLS with \(trustRoots) (\(error))")
        }
    }
}

public struct DeliveryTLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}
