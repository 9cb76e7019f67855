import ArgumentParser
import Delivery
import Receiver

/// `--tls-cert`, `--tls-key`: serve https (`record`, `sink`), for senders that
/// must deliver to an https URL with no proxy in front.
struct ServerTLSOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Serve https with this certificate (PEM, then any intermediates clients need).", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The certificate's private key (PEM, not encrypted; with --tls-cert).", valueName: "file"))
    var tlsKey: String?

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together: give both") }
    }

    /// How to serve https, or nil for http.
    func load() throws -> ServerTLS? {
        guard let tlsCert, let tlsKey else { return nil }
        do {
            return try ServerTLS(identity: try TLSIdentity(certificateFile: tlsCert, keyFile: tlsKey, keyPassword: nil))
        } catch {
            throw ValidationError("--tls-cert/--tls-key: \(error)")
        }
    }
}
