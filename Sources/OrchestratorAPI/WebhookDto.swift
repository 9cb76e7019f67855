import EventModel
import Foundation

/// `WebhookDto` as JSON (docs/orchestrator-webhooks.md §4.4), written member by
/// member so the order is Orchestrator's (JSONEncoder's key order is not specified).
public enum WebhookDto {
    /// The properties in response order: the seed's `Url, Enabled, Secret,
    /// SubscribeToAllEvents, AllowInsecureSsl, Id, Events`, preceded by the v16
    /// additions `Key, Name, Description`, which the vendor's API definition
    /// declares before `Url`.
    public static let properties = ["Key", "Name", "Description", "Url", "Enabled", "Secret",
                                    "SubscribeToAllEvents", "AllowInsecureSsl", "Id", "Events"]

    /// The members of `webhook`, without braces; `select` keeps only those named
    /// (still in response order).
    public static func writeMembers(of webhook: Webhook, select: [String]? = nil, to writer: inout JSONWriter) {
        var isFirst = true
        for property in properties where select?.contains(property) ?? true {
            if !isFirst { writer.raw(",") }
            isFirst = false
            writer.string(property)
            writer.raw(":")
            switch property {
            case "Key": writer.string(webhook.key)
            case "Name": writer.string(webhook.name)
            case "Description": writeOptional(webhook.description, to: &writer)
            case "Url": writer.string(webhook.url)
            case "Enabled": writeBool(webhook.enabled, to: &writer)
            case "Secret": writeOptional(webhook.secret, to: &writer)
            case "SubscribeToAllEvents": writeBool(webhook.subscribeToAllEvents, to: &writer)
            case "AllowInsecureSsl": writeBool(webhook.allowInsecureSsl, to: &writer)
            case "Id": writer.integer(webhook.id)
            default: writeEvents(webhook.events, to: &writer)  // "Events"
            }
        }
    }

    /// `{…}`: one webhook as an object.
    public static func object(_ webhook: Webhook, select: [String]? = nil) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 512)
        writer.raw("{")
        writeMembers(of: webhook, select: select, to: &writer)
        writer.raw("}")
        return writer.bytes
    }

    /// `[{"EventType": "job.started"}, …]`
    static func writeEvents(_ types: [String], to writer: inout JSONWriter) {
        writer.raw("[")
        for (index, type) in types.enumerated() {
            writer.raw(index == 0 ? "{\"EventType\":" : ",{\"EventType\":")
            writer.string(type)
            writer.raw("}")
        }
        writer.raw("]")
    }

    static func writeBool(_ value: Bool, to writer: inout JSONWriter) {
        if value { writer.raw("true") } else { writer.raw("false") }
    }

    static func writeOptional(_ value: String?, to writer: inout JSONWriter) {
        if let value { writer.string(value) } else { writer.raw("null") }
    }
}

extension Webhook {
    /// A webhook from an answer's members (`GET Webhooks(id)`, a POST's or
    /// PATCH's answer, an item of a collection). Members an older server or a
    /// `$select` leaves out take their defaults ("" for `Key` and `Name`);
    /// unknown members are skipped.
    public init(answer changes: WebhookChanges) throws(WebhookBodyError) {
        guard let id = changes.id else { throw WebhookBodyError("The webhook has no Id.") }
        self.init(id: id, key: changes.key ?? "", name: changes.name ?? "", description: changes.description ?? nil,
                  url: changes.url ?? "", enabled: changes.enabled ?? false, secret: changes.secret ?? nil,
                  subscribeToAllEvents: changes.subscribeToAllEvents ?? false,
                  allowInsecureSsl: changes.allowInsecureSsl ?? false, events: changes.events ?? [])
    }

    /// A webhook from an entity answer's JSON.
    public init(answer body: [UInt8]) throws(WebhookBodyError) {
        try self.init(answer: WebhookJSON.decode(WebhookChanges.self, from: body, ignoringUnknownProperties: true,
                                                 what: "a JSON object (a WebhookDto)"))
    }
}

/// `GET Webhooks`' answer: `{"@odata.count": N, "value": [WebhookDto…]}`.
public struct WebhookCollection: Sendable, Equatable {
    public var webhooks: [Webhook]
    /// All webhooks the filter matched, before `$top`/`$skip`; nil when the server left it out.
    public var count: Int?

    public init(webhooks: [Webhook], count: Int?) {
        self.webhooks = webhooks
        self.count = count
    }

    private struct Body: Decodable {
        var value: [WebhookChanges]
        var count: Int?
        enum CodingKeys: String, CodingKey {
            case value
            case count = "@odata.count"
        }
    }

    public init(answer body: [UInt8]) throws(WebhookBodyError) {
        let decoded = try WebhookJSON.decode(Body.self, from: body, ignoringUnknownProperties: true,
                                             what: "a collection of webhooks ({\"value\": [...]})")
        var webhooks: [Webhook] = []
        for (index, item) in decoded.value.enumerated() {
            do throws(WebhookBodyError) {
                webhooks.append(try Webhook(answer: item))
            } catch {
                throw WebhookBodyError("value[\(index)]: \(error.message)")
            }
        }
        self.init(webhooks: webhooks, count: decoded.count)
    }
}

/// One entry of GetEventTypes' answer.
public struct WebhookEventTypeEntry: Sendable, Equatable, Codable {
    public var name: String
    public var group: String

    public init(name: String, group: String) {
        self.name = name
        self.group = group
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case group = "Group"
    }

    /// `{"value": [{"Name", "Group"}…]}`
    public static func list(answer body: [UInt8]) throws(WebhookBodyError) -> [WebhookEventTypeEntry] {
        struct Body: Decodable { var value: [WebhookEventTypeEntry] }
        return try WebhookJSON.decode(Body.self, from: body, ignoringUnknownProperties: true,
                                      what: "a collection of event types ({\"value\": [{\"Name\", \"Group\"}...]})").value
    }
}

enum WebhookJSON {
    /// Decodes `body`, turning decoding errors into a `WebhookBodyError` that says what was expected.
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], ignoringUnknownProperties: Bool,
                                     subject: String = "answer", what: String) throws(WebhookBodyError) -> T {
        let decoder = JSONDecoder()
        decoder.userInfo[WebhookChanges.ignoresUnknownProperties] = ignoringUnknownProperties
        do {
            return try decoder.decode(type, from: Data(body))
        } catch let error as WebhookBodyError {
            throw error
        } catch DecodingError.typeMismatch, DecodingError.keyNotFound, DecodingError.valueNotFound {
            throw WebhookBodyError("The \(subject) must be \(what).")
        } catch {
            throw WebhookBodyError("The \(subject) is not valid JSON.")
        }
    }
}
