import OrchestratorAPI

/// How a POST, PUT or PATCH body makes the webhook the store keeps
/// (docs/orchestrator-emulator.md, WebhookDto).
extension WebhookChanges {
    /// Decodes a request body; a body that is not a `WebhookDto` is a 400.
    init(request body: [UInt8]) throws(OrchestratorError) {
        do throws(WebhookBodyError) {
            self = try WebhookChanges(requestBody: body)
        } catch {
            throw .invalid(error.message)
        }
    }

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
