import EventModel
import Foundation

/// The members a `WebhookDto` body carries: what a POST, PUT or PATCH sets, and
/// what an answer holds. A property is nil when the body leaves the member
/// out; for the nullable members, `.some(nil)` is an explicit `null`.
///
/// The emulator decodes request bodies into it; the client encodes its
/// requests from it and decodes answers through it (`Webhook(answer:)`).
/// Property names are matched case-insensitively; OData annotations
/// (`@odata.context` …) are skipped. Any other unknown property is an error
/// unless `ignoresUnknownProperties`: a request typo such as
/// `SubscribeToAllEvent` must not be dropped silently, while a client reading
/// a newer server's answer should not fail on a member it does not know.
public struct WebhookChanges: Sendable, Equatable {
    /// Server-set; the emulator ignores it in request bodies.
    public var id: Int64?
    public var key: String?
    public var name: String?
    public var description: String??
    public var url: String?
    public var enabled: Bool?
    public var secret: String??
    public var subscribeToAllEvents: Bool?
    public var allowInsecureSsl: Bool?
    public var events: [String]?

    public init(id: Int64? = nil, key: String? = nil, name: String? = nil, description: String?? = nil,
                url: String? = nil, enabled: Bool? = nil, secret: String?? = nil, subscribeToAllEvents: Bool? = nil,
                allowInsecureSsl: Bool? = nil, events: [String]? = nil) {
        self.id = id
        self.key = key
        self.name = name
        self.description = description
        self.url = url
        self.enabled = enabled
        self.secret = secret
        self.subscribeToAllEvents = subscribeToAllEvents
        self.allowInsecureSsl = allowInsecureSsl
        self.events = events
    }

    /// Whether no member is set (an empty PATCH).
    public var isEmpty: Bool { self == WebhookChanges() }
}

/// A body that is not a `WebhookDto`; the message names the property at fault.
public struct WebhookBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A property name as it appears in the body.
struct PropertyName: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension WebhookChanges: Decodable {
    /// The decoder's `userInfo` key that makes unknown properties skipped rather than refused.
    public static let ignoresUnknownProperties = CodingUserInfoKey(rawValue: "hookreel.ignoresUnknownProperties")!

    /// Decodes a request body (strictly); the error names the property at fault.
    public init(requestBody body: [UInt8]) throws(WebhookBodyError) {
        self = try WebhookJSON.decode(WebhookChanges.self, from: body, ignoringUnknownProperties: false,
                                      subject: "request body", what: "a JSON object (a WebhookDto)")
    }

    /// Throws `WebhookBodyError`s naming the property; JSONDecoder passes them through.
    public init(from decoder: any Decoder) throws {
        let body = try decoder.container(keyedBy: PropertyName.self)
        let ignoresUnknown = decoder.userInfo[Self.ignoresUnknownProperties] as? Bool ?? false
        self.init()
        for property in body.allKeys {
            switch property.stringValue.lowercased() {
            case "id": id = try Self.integer(body, property)
            case "key": key = try Self.string(body, property)
            case "name": name = try Self.string(body, property) ?? ""
            case "description": description = .some(try Self.string(body, property))
            case "url": url = try Self.string(body, property) ?? ""
            case "enabled": enabled = try Self.bool(body, property)
            case "secret": secret = .some(try Self.string(body, property))
            case "subscribetoallevents": subscribeToAllEvents = try Self.bool(body, property)
            case "allowinsecuressl": allowInsecureSsl = try Self.bool(body, property)
            case "events": events = try Self.events(body, property)
            case _ where property.stringValue.contains("@") || ignoresUnknown: continue
            default:
                throw WebhookBodyError("The property '\(property.stringValue)' does not exist on type 'WebhookDto'.")
            }
        }
    }

    /// A string, or nil for null.
    private static func string(_ body: KeyedDecodingContainer<PropertyName>, _ property: PropertyName) throws -> String? {
        if try body.decodeNil(forKey: property) { return nil }
        guard let string = try? body.decode(String.self, forKey: property) else {
            throw WebhookBodyError("The property '\(property.stringValue)' must be a string.")
        }
        return string
    }

    /// An Int64, or nil for null (the emulator ignores `Id` in requests, whatever it holds).
    private static func integer(_ body: KeyedDecodingContainer<PropertyName>, _ property: PropertyName) throws -> Int64? {
        try? body.decode(Int64.self, forKey: property)
    }

    private static func bool(_ body: KeyedDecodingContainer<PropertyName>, _ property: PropertyName) throws -> Bool {
        guard let bool = try? body.decode(Bool.self, forKey: property) else {
            throw WebhookBodyError("The property '\(property.stringValue)' must be true or false.")
        }
        return bool
    }

    /// `[{"EventType": "job.started"}, …]`; null means none.
    private static func events(_ body: KeyedDecodingContainer<PropertyName>, _ property: PropertyName) throws -> [String] {
        if try body.decodeNil(forKey: property) { return [] }
        guard var items = try? body.nestedUnkeyedContainer(forKey: property) else {
            throw WebhookBodyError("The property '\(property.stringValue)' must be an array of {\"EventType\": ...} objects.")
        }
        var types: [String] = []
        while !items.isAtEnd {
            let index = types.count
            guard let item = try? items.nestedContainer(keyedBy: PropertyName.self),
                  let typeKey = item.allKeys.first(where: { $0.stringValue.lowercased() == "eventtype" }),
                  let type = try? item.decode(String.self, forKey: typeKey) else {
                throw WebhookBodyError("\(property.stringValue)[\(index)] must be an object with an EventType string.")
            }
            types.append(type)
        }
        return types
    }
}

extension WebhookChanges {
    /// The body as JSON: the members that are set, in `WebhookDto.properties`
    /// order (`Id` never: the server sets it).
    public var json: [UInt8] {
        var writer = JSONWriter(reservingCapacity: 512)
        writer.raw("{")
        var isFirst = true
        if let key { Self.member("Key", &isFirst, &writer); writer.string(key) }
        if let name { Self.member("Name", &isFirst, &writer); writer.string(name) }
        if let description { Self.member("Description", &isFirst, &writer); WebhookDto.writeOptional(description, to: &writer) }
        if let url { Self.member("Url", &isFirst, &writer); writer.string(url) }
        if let enabled { Self.member("Enabled", &isFirst, &writer); WebhookDto.writeBool(enabled, to: &writer) }
        if let secret { Self.member("Secret", &isFirst, &writer); WebhookDto.writeOptional(secret, to: &writer) }
        if let subscribeToAllEvents {
            Self.member("SubscribeToAllEvents", &isFirst, &writer)
            WebhookDto.writeBool(subscribeToAllEvents, to: &writer)
        }
        if let allowInsecureSsl {
            Self.member("AllowInsecureSsl", &isFirst, &writer)
            WebhookDto.writeBool(allowInsecureSsl, to: &writer)
        }
        if let events { Self.member("Events", &isFirst, &writer); WebhookDto.writeEvents(events, to: &writer) }
        writer.raw("}")
        return writer.bytes
    }

    /// `"name":`, after a comma unless it is the first member.
    private static func member(_ name: String, _ isFirst: inout Bool, _ writer: inout JSONWriter) {
        if !isFirst { writer.raw(",") }
        isFirst = false
        writer.string(name)
        writer.raw(":")
    }
}
