import NIOSSL

/// How connections to an `https://` target are secured: TLS verified against
/// the system's trust roots plus, optionally, certificates from a PEM file; or
/// not verified at all, as Orchestrator's AllowInsecureSsl does for receivers
/// with self-signed certificates.
public struct DeliveryTLS: Sendable {
    let context: NIOSSLContext

    /// - Parameters:
    ///   - caFile: a PEM file of certificates to trust besides the system's
    ///     roots (a receiver's self-signed certificate, or a private CA).
    ///   - verifiesCertificates: false accepts any certificate for any name.
    public init(trusting caFile: String? = nil, verifiesCertificates: Bool = true) throws(DeliveryTLSError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if !verifiesCertificates { configuration.certificateVerification = .none }
        if let caFile {
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
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw DeliveryTLSError(description: "cannot set up TLS (\(error))")
        }
    }
}

public struct DeliveryTLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}
