/// A self-signed client certificate and its key, for mutual-TLS tests: a test
/// receiver trusts the certificate as its only client CA, and the client
/// presents it (`--cert`, `--key`). Made once with Python's `cryptography`
/// package: EC P-256, CN "hookreel test client", valid from 2020-01-01 to
/// 2126-01-01, CA:TRUE, extendedKeyUsage clientAuth; the encrypted key is
/// `openssl pkcs8 -topk8 -v2 aes-256-cbc` of the same key with `password`.
import Foundation

public enum TestClientCertificate {
    /// The encrypted key's password.
    public static let password = "hookreel-test-password"

    /// Paths of the certificate, its key, and the key encrypted with `password`,
    /// written into `directory` as a user would pass them.
    public static func writeFiles(in directory: TemporaryDirectory) throws -> (certificate: String, key: String, encryptedKey: String) {
        let files = (directory.file("client.pem"), directory.file("client.key"), directory.file("client-encrypted.key"))
        try certificatePEM.write(toFile: files.0, atomically: true, encoding: .utf8)
        try privateKeyPEM.write(toFile: files.1, atomically: true, encoding: .utf8)
        try encryptedPrivateKeyPEM.write(toFile: files.2, atomically: true, encoding: .utf8)
        return files
    }

    public static let certificatePEM = """
-----BEGIN CERTIFICATE-----
MIIBqTCCAVCgAwIBAgIUHXyxLQFtAwI3bMsWyQTmtJt2pz0wCgYIKoZIzj0EAwIw
HzEdMBsGA1UEAwwUaG9va3JlZWwgdGVzdCBjbGllbnQwIBcNMjAwMTAxMDAwMDAw
WhgPMjEyNjAxMDEwMDAwMDBaMB8xHTAbBgNVBAMMFGhvb2tyZWVsIHRlc3QgY2xp
ZW50MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEfYYnLz3q9LwbGRMig8jlCBZH
YxT0xgZiVibTM8pi2DPqjOxkSOGlc+Us5k3BvJv/Q15szIxqt0iy79bUEGuNGaNo
MGYwDwYDVR0TAQH/BAUwAwEB/zATBgNVHSUEDDAKBggrBgEFBQcDAjAdBgNVHQ4E
FgQUkoYglRn6pyWr1G5PIECqylS94PowHwYDVR0jBBgwFoAUkoYglRn6pyWr1G5P
IECqylS94PowCgYIKoZIzj0EAwIDRwAwRAIgZ7Vhl3fSeaufRmyeLMvJ1JnzQI2B
8THwvjyR2zGRr/wCIGDnyHUfx8A6WFeWhMxBVTdTbLlqUvujUgYB8vYHaqxf
-----END CERTIFICATE-----
"""

    public static let privateKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKXmSGXcUqOlzsgER
PL2eUh5PZ6kEJyfJkkqIZSnmMiihRANCAAR9hicvPer0vBsZEyKDyOUIFkdjFPTG
BmJWJtMzymLYM+qM7GRI4aVz5SzmTcG8m/9DXmzMjGq3SLLv1tQQa40Z
-----END PRIVATE KEY-----
"""

    public static let encryptedPrivateKeyPEM = """
-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgpXVl7wU+pjwICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEPv8oYqHDRRYDQVe9SYydfEEgZBS
yaR85yTlYh7lug1gXHwbvSbkZlTi4Lc0Q/NJdH1UyNKFnJ2dxXf07cHcYdd9A37F
gdjo1JcbO3ur33PXgI4gIBcka5rUqI/dk8LfmigcdikFuGtk+e3At2GDwHJAa8fM
7xH/e1LMp/vOoc8uguYv+KbmorCrEm/ECal+fmn0fI+UqGTFNpkIUWDr6q50J5g=
-----END ENCRYPTED PRIVATE KEY-----
"""
}
