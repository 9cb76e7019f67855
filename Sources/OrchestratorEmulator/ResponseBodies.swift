import EventModel

/// The JSON bodies the API answers with, written field by field so the order
/// is Orchestrator's (JSONEncoder's key order is not specified).
enum ResponseBodies {
    /// `WebhookDto`'s properties in response order: the seed's
    /// `Url, Enabled, Secret, SubscribeToAllEvents, AllowInsecureSsl, Id, Events`,
    /// preceded by the v16 additions `Key, Name, Description`, which the vendor's
    /// API definition declares before `Url`.
    static let webhookProperties = ["Key", "Name", "Description", "Url", "Enabled", "Secret",
                                    "SubscribeToAllEvents", "AllowInsecureSsl", "Id", "Events"]

    /// `@odata.context` of the Webhooks entity set, with OData's `(A,B)` for a
    /// `$select`: `<service>/odata/$metadata#Webhooks(Url,Id)`.
    static func webhooksContext(service: String, select: [String]?) -> String {
        let selected = select.map { "(" + $0.joined(separator: ",") + ")" } ?? ""
        return service + "/odata/$metadata#Webhooks" + selected
    }

    /// `{"@odata.context": …, "@odata.count": …, "value": [WebhookDto…]}`.
    static func webhookCollection(_ webhooks: [Webhook], service: String, select: [String]?, count: Int?) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 256 + webhooks.count * 512)
        writer.raw("{\"@odata.context\":")
        writer.string(webhooksContext(service: service, select: select))
        if let count {
            writer.raw(",\"@odata.count\":")
            writer.integer(count)
        }
        writer.raw(",\"value\":[")
        for (index, webhook) in webhooks.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{")
            appendProperties(of: webhook, select: select, to: &writer)
            writer.raw("}")
        }
        writer.raw("]}")
        return writer.bytes
    }

    /// One `WebhookDto` with `"@odata.context": "…#Webhooks/$entity"` first.
    static func webhookEntity(_ webhook: Webhook, service: String, select: [String]?) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 768)
        writer.raw("{\"@odata.context\":")
        writer.string(webhooksContext(service: service, select: select) + "/$entity")
        writer.raw(",")
        appendProperties(of: webhook, select: select, to: &writer)
        writer.raw("}")
        return writer.bytes
    }

    /// The members of a `WebhookDto`, without braces; `select` keeps only those
    /// named (still in response order).
    private static func appendProperties(of webhook: Webhook, select: [String]?, to writer: inout JSONWriter) {
        var isFirst = true
        for property in webhookProperties where select?.contains(property) ?? true {
            if !isFirst { writer.raw(",") }
            isFirst = false
            writer.string(property)
            writer.raw(":")
            switch property {
            case "Key": writer.string(webhook.key)
            case "Name": writer.string(webhook.name)
            case "Description": appendOptional(webhook.description, to: &writer)
            case "Url": writer.string(webhook.url)
            case "Enabled": appendBool(webhook.enabled, to: &writer)
            case "Secret": appendOptional(webhook.secret, to: &writer)
            case "SubscribeToAllEvents": appendBool(webhook.subscribeToAllEvents, to: &writer)
            case "AllowInsecureSsl": appendBool(webhook.allowInsecureSsl, to: &writer)
            case "Id": writer.integer(webhook.id)
            default:  // "Events"
                writer.raw("[")
                for (index, type) in webhook.events.enumerated() {
                    writer.raw(index == 0 ? "{\"EventType\":" : ",{\"EventType\":")
                    writer.string(type)
                    writer.raw("}")
                }
                writer.raw("]")
            }
        }
    }

    /// GetEventTypes: the subscribable catalog, `{"Name", "Group"}` each, in the seed's order.
    static func eventTypes(service: String) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 2048)
        writer.raw("{\"@odata.context\":")
        writer.string(service + "/odata/$metadata#Collection(UiPath.Application.Dto.Webhooks.WebhookEventTypeDto)")
        writer.raw(",\"value\":[")
        for (index, entry) in EventCatalog.subscribable.enumerated() {
            writer.raw(index == 0 ? "{\"Name\":" : ",{\"Name\":")
            writer.string(entry.type.rawValue)
            writer.raw(",\"Group\":")
            writer.string(entry.group.rawValue)
            writer.raw("}")
        }
        writer.raw("]}")
        return writer.bytes
    }

    /// The Ping action's answer: the delivered `ping` event with
    /// `"@odata.context": "…#UiPath.Webhooks.Dto.PingEventDto"` put first, as in the seed.
    static func pingResult(event: [UInt8], service: String) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: event.count + 128)
        writer.raw("{\"@odata.context\":")
        writer.string(service + "/odata/$metadata#UiPath.Webhooks.Dto.PingEventDto")
        // The event is a JSON object: splice its members in after ours.
        let members = event.drop { $0 != UInt8(ascii: "{") }.dropFirst()
        if members.first(where: { !isJSONWhitespace($0) }) != UInt8(ascii: "}") {
            writer.raw(",")
        }
        members.withUnsafeBytes { writer.append($0) }
        return writer.bytes
    }

    /// `{"message": …, "errorCode": …, "traceId": …}`.
    static func error(_ error: OrchestratorError, traceId: String) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 128 + error.message.utf8.count)
        writer.raw("{\"message\":")
        writer.string(error.message)
        writer.raw(",\"errorCode\":")
        writer.integer(error.errorCode)
        writer.raw(",\"traceId\":")
        writer.string(traceId)
        writer.raw("}")
        return writer.bytes
    }

    private static func appendBool(_ value: Bool, to writer: inout JSONWriter) {
        if value { writer.raw("true") } else { writer.raw("false") }
    }

    private static func appendOptional(_ value: String?, to writer: inout JSONWriter) {
        if let value { writer.string(value) } else { writer.raw("null") }
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
