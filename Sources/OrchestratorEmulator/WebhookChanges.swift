import EventModel
import Foundation

/// The fields a POST, PUT or PATCH body sets. A property is nil when the body
/// leaves the field out; for the nullable fields, `.some(nil)` is an explicit `null`.
///
/// Property names are matched case-insensitively; `Id` is server-set and
/// ignored, as are OData annotations (`@odata.context` …), so a GET response can
/// be sent back as a PUT body. Any other property is a 400: a typo such as
/// `SubscribeToAllEvent` must not be dropped silently.
struct WebhookChanges: Sendable, Equatable {
    var key: String?
    var name: String?
    var description: String??
    var url: String?
    var enabled: Bool?
    var secret: String??
    var subscribeToAllEvents: Bool?
    var allowInsecureSsl: Bool?
    var events: [String]?
}

/// A property name as it appears in the body.
private struct PropertyName: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension WebhookChanges: Decodable {
    /// Decodes a request body; the error names the property at fault.
    init(json body: [UInt8]) throws(OrchestratorError) {
        do {
            self = try JSONDecoder().decode(WebhookChanges.self, from: Data(body))
        } catch let error as OrchestratorError {
            throw error
        } catch DecodingError.typeMismatch {
            throw .invalid("The request body must be a JSON object (a WebhookDto).")
        } catch {
            throw .invalid("The request body is not valid JSON.")
        }
    }


    /// Throws `OrchestratorError`s naming the property; JSONDecoder passes them through.
    init(from decoder: any Decoder) throws {
        let body = try decoder.container(keyedBy: PropertyName.self)
        self.init()
        for property in body.allKeys {
            switch property.stringValue.lowercased() {
            case "key": key = try Self.string(body, property)
            case "name": name = try Self.string(body, property) ?? ""
            case "description": description = .some(try Self.string(body, property))
            case "url": url = try Self.string(body, property) ?? ""
            case "enabled": enabled = try Self.bool(body, property)
            case "secret": secret = .some(try Self.string(body, property))
            case "subscribetoallevents": subscribeToAllEvents = try Self.bool(body, property)
            case "allowinsecuressl": allowInsecureSsl = try Self.bool(body, property)
            case "events": events = try Self.events(body, property)
            case "id": continue
            case _ where property.stringValue.contains("@"): continue
            default:
                throw OrchestratorError.invalid("The property '\(property.stringValue)' does not exist on type 'WebhookDto'.")
            }
        }
    }

    /// A string, or nil for null.
    private static func string(_ body: KeyedDecodingContainer<PropertyName>, _ property: PropertyName) throws -> String? {
        if try body.decodeNil(forKey: property) { return nil }
        guard let string = try? body.decode(String.self, forKey: property) else {
            throw OrchestratorError.invalid("The property '\(property.stringValue)' must be a string.")
        }
        return string
    }

    private static func bool(_ body: KeyedDecodingContainer<PropertyName>, _ property: PropertyName) throws -> Bool {
        guard let bool = try? body.decode(Bool.self, forKey: property) else {
            throw OrchestratorError.invalid("The property '\(property.stringValue)' must be true or false.")
        }
        return bool
    }

    /// `[{"EventType": "job.started"}, …]`; null means none.
    private static func events(_ body: KeyedDecodingContainer<PropertyName>, _ property: PropertyName) throws -> [String] {
        if try body.decodeNil(forKey: property) { return [] }
        guard var items = try? body.nestedUnkeyedContainer(forKey: property) else {
            throw OrchestratorError.invalid("The property '\(property.stringValue)' must be an array of {\"EventType\": ...} objects.")
        }
        var types: [String] = []
        while !items.isAtEnd {
            let index = types.count
            guard let item = try? items.nestedContainer(keyedBy: PropertyName.self),
                  let typeKey = item.allKeys.first(where: { $0.stringValue.lowercased() == "eventtype" }),
                  let type = try? item.decode(String.self, forKey: typeKey) else {
                throw OrchestratorError.invalid("\(property.stringValue)[\(index)] must be an object with an EventType string.")
            }
            types.append(type)
        }
        return types
    }
}

extension WebhookChanges {
    /// POST: what the body leaves out takes its default (false, null, no events,
    /// a fresh Key); the id is set by the store.
    func makeWebhook(key generatedKey: String) -> Webhook {
        Webhook(id: 0, key: key ?? generatedKey, name: name ?? "", description: description ?? nil,
                url: url ?? "", enabled: enabled ?? false, secret: secret ?? nil,
                subscribeToAllEvents: subscribeToAllEvents ?? false, allowInsecureSsl: allowInsecureSsl ?? false,
                events: events ?? [])
    }

    /// PUT: a full replacement, so omitted fields reset to their defaults (the
    /// seed's PUT leaves out `SubscribeToAllEvents` and answers `false`) — except
    /// `Key` and `Name`, which API versions before v16 do not know and so never
    /// send (the seed's PUT has neither); they keep their stored values.
    func replacing(_ existing: Webhook) -> Webhook {
        var webhook = makeWebhook(key: existing.key)
        webhook.id = existing.id
        webhook.name = name ?? existing.name
        return webhook
    }

    /// PATCH: only the fields the body has change.
    func applied(to existing: Webhook) -> Webhook {
        var webhook = existing
        if let key { webhook.key = key }
        if let name { webhook.name = name }
        if let description { webhook.description = description }
        if let url { webhook.url = url }
        if let enabled { webhook.enabled = enabled }
        if let secret { webhook.secret = secret }
        if let subscribeToAllEvents { webhook.subscribeToAllEvents = subscribeToAllEvents }
        if let allowInsecureSsl { webhook.allowInsecureSsl = allowInsecureSsl }
        if let events { webhook.events = events }
        return webhook
    }
}
