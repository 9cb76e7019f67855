import Testing
import Foundation

/// The vendor's request/response examples (Fixtures/orchestrator-webhooks-
/// requests.txt, the seed), parsed from the file rather than transcribed: each
/// request is a method line (`GET`, `PUT`, `POST`) followed by its URL, then
/// the JSON blocks up to the next request (the page shows every block twice;
/// repeats are dropped). A PUT's first block is its body, the last one is the
/// response.
struct SeedExample {
    var method: String
    /// As in the seed, with `Seed.base` in front.
    var url: String
    var requestBody: String?
    var response: OrderedJSON

    /// The last path segment(s) after `/odata/` and the query, as sent to the emulator.
    var odataPath: String {
        String(url[url.range(of: "/odata/")!.upperBound...])
    }
}

enum Seed {
    /// The seed's service root; tests replace it with the emulator's.
    static let base = "https://govcloud.uipath.us/{organizationName}/{tenantName}"

    static func examples() throws -> [SeedExample] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/orchestrator-webhooks-requests", withExtension: "txt"))
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        var examples: [SeedExample] = []
        var blocks: [String] = []
        var request: (method: String, url: String)?

        func finish() throws {
            guard let request else { return }
            let response = try OrderedJSON(parsing: try #require(blocks.last))
            examples.append(SeedExample(method: request.method, url: request.url,
                                        requestBody: blocks.count > 1 ? blocks.first : nil, response: response))
        }

        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            if ["GET", "PUT", "POST", "PATCH", "DELETE"].contains(line), index + 1 < lines.count,
               lines[index + 1].hasPrefix("https://") {
                try finish()
                request = (line, lines[index + 1].trimmingCharacters(in: .whitespaces))
                blocks = []
                index += 2
            } else if line == "{" {
                // A block ends at the first line where the text so far parses.
                var text = ""
                while index < lines.count {
                    text += lines[index] + "\n"
                    index += 1
                    if (try? OrderedJSON(parsing: text)) != nil { break }
                }
                if blocks.last != text { blocks.append(text) }
            } else {
                index += 1
            }
        }
        try finish()
        return examples
    }
}
