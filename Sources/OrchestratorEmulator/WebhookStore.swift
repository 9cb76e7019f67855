import Foundation
import GRDB
import OrchestratorAPI

/// The registered webhooks, in SQLite through GRDB.
///
/// Layout (migration "v1"): one table `webhook`, a row per webhook; `events` is
/// a JSON array of event type names. `id` is AUTOINCREMENT so a deleted webhook's
/// id is never handed out again (as with Orchestrator's SQL Server identity),
/// and `name` is UNIQUE COLLATE NOCASE: SQL Server's default collation compares
/// names case-insensitively. A file database runs in WAL mode; every change is
/// one transaction, so a crash loses at most the change in flight. GRDB
/// serializes writes, which makes a read-modify-write (PATCH) atomic.
public final class WebhookStore: Sendable {
    /// The `databasePath` that selects a private in-memory database (tests).
    public static let inMemoryPath = ":memory:"

    private let database: any DatabaseWriter
    private let path: String

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String) throws(OrchestratorError) {
        self.path = path
        do {
            if path == Self.inMemoryPath {
                database = try DatabaseQueue()
            } else {
                database = try DatabasePool(path: path)
            }
            try Self.migrator.migrate(database)
        } catch {
            throw OrchestratorError(.storageFailed, "Cannot open the webhook database '\(path)': \(error)")
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: WebhookRecord.databaseTableName) { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("key", .text).notNull()
                table.column("name", .text).notNull().unique().collate(.nocase)
                table.column("description", .text)
                table.column("url", .text).notNull()
                table.column("enabled", .boolean).notNull()
                table.column("secret", .text)
                table.column("subscribeToAllEvents", .boolean).notNull()
                table.column("allowInsecureSsl", .boolean).notNull()
                table.column("events", .jsonText).notNull()
            }
        }
        return migrator
    }

    /// Every webhook, ordered by id.
    public func list() async throws(OrchestratorError) -> [Webhook] {
        try await perform("list the webhooks", name: nil, readOnly: true) { db in
            try WebhookRecord.order(Column("id")).fetchAll(db).map(\.webhook)
        }
    }

    public func webhook(id: Int64) async throws(OrchestratorError) -> Webhook {
        try await perform("read webhook \(id)", name: nil, readOnly: true) { db in try Self.fetch(id, db) }
    }

    /// Stores a new webhook (POST); a Key is generated when the body has none.
    func create(_ changes: WebhookChanges) async throws(OrchestratorError) -> Webhook {
        var webhook = changes.makeWebhook(key: UUID().uuidString.lowercased())
        webhook.events = webhook.events.removingDuplicates()
        try webhook.validate()
        return try await perform("create a webhook", name: webhook.name) { [webhook] db in
            var record = WebhookRecord(webhook, id: nil)
            try record.insert(db)
            var stored = webhook
            stored.id = record.id ?? 0
            return stored
        }
    }

    /// PUT: replaces the webhook (see `WebhookChanges.replacing`).
    func replace(id: Int64, with changes: WebhookChanges) async throws(OrchestratorError) -> Webhook {
        try await update(id: id, name: changes.name) { changes.replacing($0) }
    }

    /// PATCH: changes only the fields the body has.
    func patch(id: Int64, with changes: WebhookChanges) async throws(OrchestratorError) -> Webhook {
        try await update(id: id, name: changes.name) { changes.applied(to: $0) }
    }

    public func delete(id: Int64) async throws(OrchestratorError) {
        let deleted = try await perform("delete webhook \(id)", name: nil) { db in
            try WebhookRecord.deleteOne(db, key: id)
        }
        if !deleted { throw .webhookNotFound(id: id) }
    }

    /// Reads, changes, validates and writes back in one transaction.
    private func update(id: Int64, name: String?,
                        _ change: @escaping @Sendable (Webhook) -> Webhook) async throws(OrchestratorError) -> Webhook {
        try await perform("update webhook \(id)", name: name) { db in
            var webhook = change(try Self.fetch(id, db))
            webhook.events = webhook.events.removingDuplicates()
            try webhook.validate()
            try WebhookRecord(webhook, id: id).update(db)
            return webhook
        }
    }

    private static func fetch(_ id: Int64, _ db: Database) throws -> Webhook {
        guard let record = try WebhookRecord.fetchOne(db, key: id) else { throw OrchestratorError.webhookNotFound(id: id) }
        return record.webhook
    }

    /// Runs `body` in a transaction: a read one when `readOnly`, so reads do not
    /// queue behind the writer (every delivered event lists the webhooks), else
    /// a write one. A unique-constraint failure is the name `name` being taken
    /// (the only unique column).
    private func perform<T: Sendable>(_ operation: String, name: String?, readOnly: Bool = false,
                                      _ body: @escaping @Sendable (Database) throws -> T) async throws(OrchestratorError) -> T {
        do {
            return readOnly ? try await database.read(body) : try await database.write(body)
        } catch let error as OrchestratorError {
            throw error
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw .nameAlreadyUsed(name ?? "")
        } catch {
            throw OrchestratorError(.storageFailed, "Cannot \(operation) in '\(path)': \(error)")
        }
    }
}

/// A `webhook` row.
private struct WebhookRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "webhook"

    var id: Int64?
    var key: String
    var name: String
    var description: String?
    var url: String
    var enabled: Bool
    var secret: String?
    var subscribeToAllEvents: Bool
    var allowInsecureSsl: Bool
    /// Stored as JSON text (GRDB encodes nested Codable values as JSON).
    var events: [String]

    init(_ webhook: Webhook, id: Int64?) {
        self.id = id
        key = webhook.key
        name = webhook.name
        description = webhook.description
        url = webhook.url
        enabled = webhook.enabled
        secret = webhook.secret
        subscribeToAllEvents = webhook.subscribeToAllEvents
        allowInsecureSsl = webhook.allowInsecureSsl
        events = webhook.events
    }

    var webhook: Webhook {
        Webhook(id: id ?? 0, key: key, name: name, description: description, url: url, enabled: enabled,
                secret: secret, subscribeToAllEvents: subscribeToAllEvents, allowInsecureSsl: allowInsecureSsl,
                events: events)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each kept once.
    func removingDuplicates() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
