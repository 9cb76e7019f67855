import ArgumentParser
import Delivery

/// `--cert`, `--key`, `--key-password-env`: the client certificate presented
/// to https receivers that require mutual TLS (`replay`, `storm --target`,
/// `record --forward`).
struct ClientCertificateOptions: ParsableArguments {
    @Option(help: ArgumentHelp("For an https:// receiver that requires mutual TLS: present this client certificate (PEM, then any intermediates).",
                               valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("The client certificate's private key (PEM; with --cert).", valueName: "file"))
    var key: String?

    @Option(help: ArgumentHelp("Read the password of an encrypted --key from this environment variable.", valueName: "name"))
    var keyPasswordEnv: String?

    var isGiven: Bool { cert != nil || key != nil || keyPasswordEnv != nil }

    func validate() throws {
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together: give both") }
        if keyPasswordEnv != nil, key == nil { throw ValidationError("--key-password-env applies to --key") }
    }

    /// The certificate and its key, or nil when none was given.
    func load() throws -> TLSIdentity? {
        guard let cert, let key else { return nil }
        let password = try keyPasswordEnv.map { try environmentValue($0, option: "--key-password-env") }
        do throws(TLSIdentityError) {
            return try TLSIdentity(certificateFile: cert, keyFile: key, keyPassword: password)
        } catch .encryptedWithoutPassword {
            throw ValidationError("--key \(key): the private key is encrypted: give its password with --key-password-env NAME")
        } catch {
            throw ValidationError("--cert/--key: \(error)")
        }
    }
}
