import EventModel

/// The `ping` event Orchestrator's Ping action delivers and returns
/// (`PingEventDto`, docs/orchestrator-webhooks.md §3.8), with the seed's fields in
/// the seed's order: `Type, EventId, Timestamp, TenantId, OrganizationUnitId,
/// UserId`. Webhooks are tenant-level, so `OrganizationUnitId` is always null,
/// as in the seed.
enum PingEvent {
    static func body(eventId: String, timestamp: Timestamp, tenantId: Int, userId: Int?) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 160)
        writer.raw("{\"Type\":\"ping\",\"EventId\":")
        writer.string(eventId)
        writer.raw(",\"Timestamp\":")
        writer.string(orchestratorTime(timestamp))
        writer.raw(",\"TenantId\":")
        writer.integer(tenantId)
        writer.raw(",\"OrganizationUnitId\":null,\"UserId\":")
        if let userId { writer.integer(userId) } else { writer.raw("null") }
        writer.raw("}")
        return writer.bytes
    }

    /// Orchestrator's `Timestamp` style (decisions table): UTC, .NET's 7
    /// fractional digits with trailing zeros trimmed, and the dot too when
    /// nothing is left. `Timestamp` holds microseconds, so this trims its
    /// 6-digit RFC 3339 form.
    static func orchestratorTime(_ timestamp: Timestamp) -> String {
        var text = timestamp.description.dropLast()  // the "Z"
        while text.last == "0" { text = text.dropLast() }
        if text.last == "." { text = text.dropLast() }
        return text + "Z"
    }
}
