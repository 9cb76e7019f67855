import EventModel
import Foundation
import OrchestratorAPI
import WebhooksClient

/// How `hookreel webhooks` prints webhooks and event types: aligned tables,
/// or JSON in the API's member order. A secret shows only when asked for.
enum WebhookRendering {
    static func render(_ webhook: Webhook, _ output: WebhookOutputOptions) -> String {
        output.json ? json(webhook, showSecrets: output.showSecrets) : details(webhook, showSecrets: output.showSecrets)
    }

    /// The members, `Secret` left out unless `showSecrets`.
    private static func members(showSecrets: Bool) -> [String] {
        WebhookDto.properties.filter { showSecrets || $0 != "Secret" }
    }

    static func json(_ webhook: Webhook, showSecrets: Bool) -> String {
        String(decoding: WebhookDto.object(webhook, select: members(showSecrets: showSecrets)), as: UTF8.self) + "\n"
    }

    /// `{"@odata.count": N, "value": [WebhookDto…]}`, the API's shape without its context.
    static func json(_ collection: WebhookCollection, showSecrets: Bool) -> String {
        var writer = JSONWriter(reservingCapacity: 256 + collection.webhooks.count * 512)
        writer.raw("{")
        if let count = collection.count {
            writer.raw("\"@odata.count\":")
            writer.integer(count)
            writer.raw(",")
        }
        writer.raw("\"value\":[")
        for (index, webhook) in collection.webhooks.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.append(WebhookDto.object(webhook, select: members(showSecrets: showSecrets)))
        }
        writer.raw("]}\n")
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    static func json(_ types: [WebhookEventTypeEntry]) -> String {
        var writer = JSONWriter(reservingCapacity: 64 + types.count * 64)
        writer.raw("{\"value\":[")
        for (index, type) in types.enumerated() {
            writer.raw(index == 0 ? "{\"Name\":" : ",{\"Name\":")
            writer.string(type.name)
            writer.raw(",\"Group\":")
            writer.string(type.group)
            writer.raw("}")
        }
        writer.raw("]}\n")
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// One row per webhook, then how many of how many.
    static func table(_ collection: WebhookCollection, showSecrets: Bool) -> String {
        let rows = collection.webhooks.map { webhook in
            [String(webhook.id), webhook.name, webhook.enabled ? "yes" : "no", events(of: webhook),
             secret(of: webhook, showSecrets: showSecrets), webhook.url]
        }
        let shown = collection.webhooks.count
        let footer = collection.count.map { "\(shown) of \($0) webhooks" } ?? "\(shown) webhooks"
        return aligned([["ID", "NAME", "ENABLED", "EVENTS", "SECRET", "URL"]] + rows) + footer + "\n"
    }

    static func table(_ types: [WebhookEventTypeEntry]) -> String {
        aligned([["NAME", "GROUP"]] + types.map { [$0.name, $0.group] })
    }

    /// One member per line.
    static func details(_ webhook: Webhook, showSecrets: Bool) -> String {
        aligned([
            ["Id", String(webhook.id)],
            ["Key", webhook.key],
            ["Name", webhook.name],
            ["Description", webhook.description ?? "(none)"],
            ["Url", webhook.url],
            ["Enabled", String(webhook.enabled)],
            ["Secret", secret(of: webhook, showSecrets: showSecrets)],
            ["SubscribeToAllEvents", String(webhook.subscribeToAllEvents)],
            ["AllowInsecureSsl", String(webhook.allowInsecureSsl)],
            ["Events", webhook.subscribeToAllEvents ? "(all)" : events(of: webhook)],
        ])
    }

    private static func events(of webhook: Webhook) -> String {
        if webhook.subscribeToAllEvents { return "all" }
        return webhook.events.isEmpty ? "none" : webhook.events.joined(separator: ",")
    }

    /// "(hidden)" when set and not asked for, "(none)" when unset.
    private static func secret(of webhook: Webhook, showSecrets: Bool) -> String {
        guard let secret = webhook.secret, !secret.isEmpty else { return "(none)" }
        return showSecrets ? secret : "(hidden)"
    }

    /// Columns padded to their widest cell, two spaces apart; the last column is not padded.
    private static func aligned(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
