/// A self-signed certificate for 127.0.0.1 and localhost and its key, for
/// https tests (the test receivers serve it; a test trusts it as a user would
/// with `--ca-file`). Made once with Python's `cryptography` package: EC P-256,
/// valid from 2020-01-01 to 2126-01-01, subjectAltName IP:127.0.0.1 and
/// DNS:localhost, CA:TRUE (as `openssl req -x509` makes a self-signed one).
import Foundation

public enum TestCertificate {
    /// Writes the certificate into `directory`, as a user would pass it with
    /// `--ca-file`; returns its path.
    public static func writeCertificate(in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("receiver.pem")
        try certificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    public static let certificatePEM = """
-----BEGIN CERTIFICATE-----
MIIBtTCCAVugAwIBAgIUV4SSjBS9YYfPzAEqjK+hucsM8WIwCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWaG9va3JlZWwgdGVzdCByZWNlaXZlcjAgFw0yMDAxMDEwMDAw
MDBaGA8yMTI2MDEwMTAwMDAwMFowITEfMB0GA1UEAwwWaG9va3JlZWwgdGVzdCBy
ZWNlaXZlcjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABHwjBnoLuoPUWcUcb2id
oBzOjSs1q5uQYNdA6FTTAchXk7WV5k2KdI3OPnQkSTqYcu9yPc4KB/hpzUIzp6sO
JmyjbzBtMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2FsaG9zdDAPBgNVHRMBAf8EBTAD
AQH/MB0GA1UdDgQWBBRtErc0HBsbSWt6AC5EyyXD3x6xwzAfBgNVHSMEGDAWgBRt
Erc0HBsbSWt6AC5EyyXD3x6xwzAKBggqhkjOPQQDAgNIADBFAiAUCf24xC2zEBWT
jKZKd2GJDFww4RJ1cGBsyzW+bvBnAwIhAPl6a5ZvXHAiJ3I0S9jyMWgxIik1xrhW
C17QO6WNd8Lg
-----END CERTIFICATE-----
"""

    public static let privateKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtSapDYbZcr6wPqn3
E/wCg71AwokjqTTMgLfln+icMYShRANCAAR8IwZ6C7qD1FnFHG9onaAczo0rNaub
kGDXQOhU0wHIV5O1leZNinSNzj50JEk6mHLvcj3OCgf4ac1CM6erDiZs
-----END PRIVATE KEY-----
"""
}
