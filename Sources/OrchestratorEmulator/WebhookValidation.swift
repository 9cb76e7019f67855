import EventModel
import Foundation
import OrchestratorAPI

extension Webhook {
    /// Checks a webhook about to be stored; the error names the field and the limit.
    /// Event types must be ones `GetEventTypes` lists: `ping` is not among them
    /// (Orchestrator sends it only from the Ping action, to that one webhook).
    func validate() throws(OrchestratorError) {
        if name.allSatisfy(\.isWhitespace) {
            throw .invalid("The Name field is required.")
        }
        try Self.check(name, "Name", maximum: WebhookLimits.maximumNameLength)
        if let description {
            try Self.check(description, "Description", maximum: WebhookLimits.maximumDescriptionLength)
        }
        if url.isEmpty {
            throw .invalid("The Url field is required.")
        }
        try Self.check(url, "Url", maximum: WebhookLimits.maximumUrlLength)
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty else {
            throw .invalid("The Url field must be an absolute http or https URL, not '\(url)'.")
        }
        if let secret {
            try Self.check(secret, "Secret", maximum: WebhookLimits.maximumSecretLength)
        }
        if UUID(uuidString: key) == nil {
            throw .invalid("The Key field must be a GUID, not '\(key)'.")
        }
        for type in events {
            let eventType = EventType(rawValue: type)
            if eventType == .ping {
                throw .invalid("The event type 'ping' cannot be subscribed to; Ping sends it to one webhook on request.")
            }
            guard EventCatalog.isKnown(eventType) else {
                throw .invalid("Unknown event type '\(type)'; GetEventTypes lists the known ones.")
            }
        }
    }

    private static func check(_ value: String, _ field: String, maximum: Int) throws(OrchestratorError) {
        let length = value.utf16.count
        guard length <= maximum else {
            throw .invalid("The field \(field) must be a string with a maximum length of \(maximum) (it has \(length)).")
        }
    }
}
