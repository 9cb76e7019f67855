import Foundation
import NIOSSL

/// A certificate and its private key, read from PEM files and checked against
/// each other before any connection is made: what a client presents to a
/// receiver that requires mutual TLS (`--cert`, `--key`), or what the
/// recorder and the sink serve https with (`--tls-cert`, `--tls-key`).
public struct TLSIdentity: Sendable {
    public let chain: [NIOSSLCertificate]
    public let key: NIOSSLPrivateKey

    /// - Parameters:
    ///   - certificateFile: PEM: the certificate, then any intermediates the
    ///     peer needs to reach its CA.
    ///   - keyFile: PEM: the certificate's private key, encrypted or not.
    ///   - keyPassword: the password of an encrypted key.
    public init(certificateFile: String, keyFile: String, keyPassword: String?) throws(TLSIdentityError) {
        let certificateBytes = try Self.contents(of: certificateFile)
        guard let chain = try? NIOSSLCertificate.fromPEMBytes(certificateBytes), !chain.isEmpty else {
            throw .noCertificate(path: certificateFile)
        }
        let keyText = String(decoding: try Self.contents(of: keyFile), as: UTF8.self)
        guard keyText.contains("-----BEGIN"), keyText.contains("PRIVATE KEY-----") else { throw .noPrivateKey(path: keyFile) }
        // PKCS #8 (`ENCRYPTED PRIVATE KEY`) or the older `Proc-Type: 4,ENCRYPTED` header.
        let isEncrypted = keyText.contains("ENCRYPTED")
        if isEncrypted, keyPassword == nil { throw .encryptedWithoutPassword(path: keyFile) }
        let key: NIOSSLPrivateKey
        do {
            if isEncrypted, let keyPassword {
                key = try NIOSSLPrivateKey(bytes: Array(keyText.utf8), format: .pem) { setPassword in
                    setPassword(Array(keyPassword.utf8))
                }
            } else {
                key = try NIOSSLPrivateKey(bytes: Array(keyText.utf8), format: .pem)
            }
        } catch {
            throw isEncrypted ? .wrongPassword(path: keyFile) : .noPrivateKey(path: keyFile)
        }
        // BoringSSL refuses a key that is not the certificate's when both are
        // set on a context: found here rather than at the first handshake.
        var check = TLSConfiguration.makeClientConfiguration()
        check.trustRoots = .certificates([])
        check.certificateChain = chain.map { .certificate($0) }
        check.privateKey = .privateKey(key)
        guard (try? NIOSSLContext(configuration: check)) != nil else {
            throw .keyDoesNotMatch(keyPath: keyFile, certificatePath: certificateFile)
        }
        self.chain = chain
        self.key = key
    }

    private static func contents(of path: String) throws(TLSIdentityError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read it" : "no such file")
        }
        return Array(data)
    }
}

/// Why a certificate or its key cannot be used; each names its file.
public enum TLSIdentityError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case noCertificate(path: String)
    case noPrivateKey(path: String)
    case encryptedWithoutPassword(path: String)
    case wrongPassword(path: String)
    case keyDoesNotMatch(keyPath: String, certificatePath: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): \(reason)"
        case .noCertificate(let path): "\(path): no PEM certificate in the file"
        case .noPrivateKey(let path): "\(path): no PEM private key in the file"
        case .encryptedWithoutPassword(let path): "\(path): the private key is encrypted and no password was given"
        case .wrongPassword(let path): "\(path): cannot decrypt the private key: wrong password"
        case .keyDoesNotMatch(let keyPath, let certificatePath): "\(keyPath): the private key is not the one of the certificate in \(certificatePath)"
        }
    }
}
