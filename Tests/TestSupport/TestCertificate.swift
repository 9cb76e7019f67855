/// A self-signed certificate for 127.0.0.1 and localhost (valid until 2126)
/// and its key, for https tests (the test receivers serve it; a test trusts
/// it as a user would with `--ca-file`). Made once with:
///   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \\
///     -subj "/CN=hookreel test receiver" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost"
public enum TestCertificate {
    public static let certificatePEM = """
-----BEGIN CERTIFICATE-----
MIIBtTCCAVugAwIBAgIUHJK/hiBqz+xtV1pdL88ijUShl+owCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWaG9va3JlZWwgdGVzdCByZWNlaXZlcjAgFw0yNjExMzAwMDI1
MDBaGA8yMTI2MTEwNjAwMjUwMFowITEfMB0GA1UEAwwWaG9va3JlZWwgdGVzdCBy
ZWNlaXZlcjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABOrz+7AjiCia1KAWad/c
sNSEd50etMbpzw83LgffTikNnXPv33WTPycdmthUvl4OlxtRDw/9l62WU1lRF5jj
aIGjbzBtMB0GA1UdDgQWBBTNnFGjxdClnn05MEX1cIcudFNF8jAfBgNVHSMEGDAW
gBTNnFGjxdClnn05MEX1cIcudFNF8jAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQT
MBGHBH8AAAGCCWxvY2FsaG9zdDAKBggqhkjOPQQDAgNIADBFAiEAuqSzR6+GWuPG
krG9wBqGac7F1QORRRd6JyOFxlsCvGkCIGCoFlhJopv5s60theKOydan8Ew6u4bM
QX+szIYyETdO
-----END CERTIFICATE-----
"""

    public static let privateKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg67eOqdSQPYPSU0No
O+q3l/ssqXP4OVE5quP8vhu5eh6hRANCAATq8/uwI4gomtSgFmnf3LDUhHedHrTG
6c8PNy4H304pDZ1z7991kz8nHZrYVL5eDpcbUQ8P/ZetllNZUReY42iB
-----END PRIVATE KEY-----
"""
}
