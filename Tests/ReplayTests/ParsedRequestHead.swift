import HTTPWire

struct NoRequestHead: Error {}

/// The head of the request `text` begins with, as the recorder's server parses it.
func parsedRequestHead(_ text: String) throws -> RequestHead {
    var parser = RequestParser()
    let parsed: Result<RequestHead?, HTTPWireError> = Array(text.utf8).withUnsafeBytes { bytes in
        var index = 0
        do throws(HTTPWireError) {
            while let part = try parser.read(from: bytes, at: &index) {
                if case .head(let head) = part { return .success(head) }
            }
            return .success(nil)
        } catch {
            return .failure(error)
        }
    }
    guard let head = try parsed.get() else { throw NoRequestHead() }
    return head
}
