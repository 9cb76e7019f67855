import Foundation
import OrchestratorAPI
import Testing
import TestSupport
@testable import OrchestratorEmulator

@Suite struct WebhookStoreTests {
    private func changes(_ name: String, url: String = "https://receiver.example/hook") -> WebhookChanges {
        WebhookChanges(name: name, url: url)
    }

    @Test func createAssignsIdsAndKeys() async throws {
        let store = try WebhookStore(path: WebhookStore.inMemoryPath)
        let first = try await store.create(changes("first"))
        let givenKey = "0b6c4a9e-8f1d-4a55-9d0b-6a3f2a1c9e77"
        var withKey = changes("second")
        withKey.key = givenKey
        let second = try await store.create(withKey)
        #expect(first.id == 1 && second.id == 2)
        #expect(UUID(uuidString: first.key) != nil && first.key == first.key.lowercased())
        #expect(second.key == givenKey)
        #expect(first.enabled == false && first.subscribeToAllEvents == false && first.events.isEmpty)
        #expect(try await store.list() == [first, second])
        #expect(try await store.webhook(id: 2) == second)
    }

    @Test func putResetsWhatItLeavesOutButKeepsNameAndKey() async throws {
        let store = try WebhookStore(path: WebhookStore.inMemoryPath)
        var full = WebhookChanges(name: "hook", description: .some("d"), url: "https://a.example/", enabled: true,
                                  secret: .some("s"), subscribeToAllEvents: true, allowInsecureSsl: true,
                                  events: ["job.started"])
        let created = try await store.create(full)
        full = WebhookChanges(url: "https://b.example/")
        let replaced = try await store.replace(id: created.id, with: full)
        #expect(replaced == Webhook(id: created.id, key: created.key, name: "hook", url: "https://b.example/",
                                    enabled: false, subscribeToAllEvents: false, allowInsecureSsl: false, events: []))
    }

    @Test func patchChangesOnlyWhatItHas() async throws {
        let store = try WebhookStore(path: WebhookStore.inMemoryPath)
        let created = try await store.create(WebhookChanges(name: "hook", description: .some("d"), url: "https://a.example/",
                                                            secret: .some("s"), events: ["job.started"]))
        let patched = try await store.patch(id: created.id, with: WebhookChanges(description: .some(nil), enabled: true))
        var expected = created
        expected.description = nil
        expected.enabled = true
        #expect(patched == expected)
        #expect(try await store.webhook(id: created.id) == expected)
    }

    @Test func eventTypesAreKeptOnceInOrder() async throws {
        let store = try WebhookStore(path: WebhookStore.inMemoryPath)
        var body = changes("hook")
        body.events = ["job.faulted", "job.started", "job.faulted"]
        #expect(try await store.create(body).events == ["job.faulted", "job.started"])
    }

    @Test func missingWebhooksAreNotFound() async throws {
        let store = try WebhookStore(path: WebhookStore.inMemoryPath)
        let notFound = OrchestratorError.webhookNotFound(id: 7)
        await #expect(throws: notFound) { try await store.webhook(id: 7) }
        await #expect(throws: notFound) { try await store.replace(id: 7, with: changes("x")) }
        await #expect(throws: notFound) { try await store.patch(id: 7, with: changes("x")) }
        await #expect(throws: notFound) { try await store.delete(id: 7) }
        #expect(notFound.status == 404 && notFound.errorCode == 1002 && notFound.message == "Webhook 7 does not exist.")
    }

    @Test func deletedIdsAreNotReused() async throws {
        let store = try WebhookStore(path: WebhookStore.inMemoryPath)
        let first = try await store.create(changes("a"))
        try await store.delete(id: first.id)
        await #expect(throws: OrchestratorError.webhookNotFound(id: first.id)) { try await store.webhook(id: first.id) }
        #expect(try await store.create(changes("a")).id == first.id + 1)
    }

    @Test func namesAreUniqueIgnoringCase() async throws {
        let store = try WebhookStore(path: WebhookStore.inMemoryPath)
        _ = try await store.create(changes("Billing"))
        let other = try await store.create(changes("other"))
        let conflict = OrchestratorError.nameAlreadyUsed("billing")
        await #expect(throws: conflict) { try await store.create(changes("billing")) }
        await #expect(throws: conflict) { try await store.patch(id: other.id, with: WebhookChanges(name: "billing")) }
        #expect(conflict.status == 409 && conflict.errorCode == 1001 && conflict.message == "The name 'billing' is already used.")
        // Keeping one's own name is no conflict.
        #expect(try await store.replace(id: other.id, with: changes("OTHER")).name == "OTHER")
    }

    @Test func webhooksSurviveARestart() async throws {
        let directory = try TemporaryDirectory("webhook-store")
        defer { directory.remove() }
        let path = directory.file("orchestrator.sqlite")
        var created: [Webhook] = []
        do {
            let store = try WebhookStore(path: path)
            created.append(try await store.create(WebhookChanges(name: "a", url: "https://a.example/", secret: .some("s"),
                                                                 events: ["job.started", "queue.created"])))
            created.append(try await store.create(changes("b")))
            try await store.delete(id: created[1].id)
            created.removeLast()
        }
        let reopened = try WebhookStore(path: path)
        #expect(try await reopened.list() == created)
        #expect(try await reopened.create(changes("c")).id == 3)
    }

    @Test func anUnopenableDatabaseIsAnErrorNamingThePath() throws {
        let path = "/nonexistent-directory/hooks.sqlite"
        #expect { try WebhookStore(path: path) } throws: { error in
            let error = try #require(error as? OrchestratorError)
            return error.kind == .storageFailed && error.message.contains(path)
        }
    }

    @Test func concurrentCreatesGetDistinctIds() async throws {
        let store = try WebhookStore(path: WebhookStore.inMemoryPath)
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<40 {
                group.addTask { try await store.create(WebhookChanges(name: "hook-\(index)", url: "https://r.example/")).id }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(ids) == Set(1...40))
        #expect(try await store.list().map(\.id) == Array(1...40))
    }

    @Test func concurrentCreatesOfOneNameLetOneWin() async throws {
        let directory = try TemporaryDirectory("webhook-store")
        defer { directory.remove() }
        let store = try WebhookStore(path: directory.file("orchestrator.sqlite"))
        let outcomes = await withTaskGroup(of: Result<Webhook, OrchestratorError>.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    do throws(OrchestratorError) { return .success(try await store.create(WebhookChanges(name: "same", url: "https://r.example/"))) }
                    catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { if case .success = $0 { true } else { false } }.count == 1)
        #expect(outcomes.filter { $0 == .failure(.nameAlreadyUsed("same")) }.count == 19)
    }
}
