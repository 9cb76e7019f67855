import EventModel
import Foundation
import Hummingbird
import NIOCore
import Logging
import OrchestratorAPI
import Primitives

/// Answers the Webhooks OData API and the `hookreel` routes (see
/// docs/orchestrator-emulator.md). Every failure becomes an `OrchestratorError`
/// answered in Orchestrator's error shape with a fresh trace id.
struct OrchestratorResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    /// Webhook bodies are small; Orchestrator's own limits are far below this.
    static let maximumAPIBodySize = 1 << 20
    /// `POST /hookreel/events` takes NDJSON batches.
    static let maximumEventsBodySize = 64 << 20
    /// What Orchestrator's OData responses carry.
    static let odataContentType = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"
    static let jsonContentType = "application/json; charset=utf-8"

    let store: WebhookStore
    let dispatcher: WebhookDispatcher
    /// A bearer token that grants every scope; nil: none.
    let token: String?
    /// The identity endpoint's tokens; with neither it nor `token`, calls need no token.
    let issuer: TokenIssuer

    func respond(to request: Request, context: Context) async throws -> Response {
        do throws(OrchestratorError) {
            let parsed: Result<(route: OrchestratorRoute, servicePath: String), OrchestratorError>
            do throws(OrchestratorError) {
                parsed = .success(try OrchestratorRoute.parse(path: request.uri.path))
            } catch {
                parsed = .failure(error)
            }
            // The token endpoint is how a client gets a token: it needs none.
            if case .success((.token, _)) = parsed {
                return try await issueToken(request)
            }
            let scopes = try grantedScopes(request)
            return try await handle(request, route: parsed.get(), scopes: scopes)
        } catch {
            let traceId = Self.makeTraceId()
            context.logger.debug("answered with an error", metadata: [
                "status": "\(error.status)", "message": "\(error.message)", "traceId": "\(traceId)",
            ])
            var headers = HTTPFields()
            if error.kind == .methodNotAllowed, let route = try? OrchestratorRoute.parse(path: request.uri.path).route {
                headers[.allow] = route.methods.joined(separator: ", ")
            }
            if error.kind == .notAuthenticated {
                headers[.wwwAuthenticate] = "Bearer"
            }
            if error.kind == .missingScope, let route = try? OrchestratorRoute.parse(path: request.uri.path).route,
               let access = route.access(method: request.method.rawValue) {
                // RFC 6750 §3.1: the scope the call needs.
                headers[.wwwAuthenticate] = "Bearer error=\"insufficient_scope\", scope=\"\(access.scope.rawValue)\""
            }
            return Self.response(status: error.status, json: ResponseBodies.error(error, traceId: traceId),
                                 contentType: Self.jsonContentType, headers: headers)
        }
    }

    private func handle(_ request: Request, route: (OrchestratorRoute, String),
                        scopes: Set<WebhooksScope>) async throws(OrchestratorError) -> Response {
        let (route, servicePath) = route
        let method = request.method.rawValue
        guard route.methods.contains(method) else {
            throw OrchestratorError(.methodNotAllowed, "\(method) is not allowed on '\(request.uri.path)'.")
        }
        if let access = route.access(method: method), !access.isAllowed(by: scopes) {
            throw .missingScope(access, call: "\(method) \(request.uri.path)")
        }
        // `@odata.context` is absolute, so it names the host the client used.
        let service = "http://\(request.head.authority ?? "localhost")\(servicePath)"
        let parameters = OrchestratorRoute.queryParameters(request.uri.query)

        switch (route, method) {
        case (.webhooks, "GET"):
            let query = try Self.odataQuery(parameters)
            let (page, count) = query.apply(to: try await store.list())
            // The seed's list answer has `@odata.count` though its URL has no
            // `$count`; so it is there unless `$count=false`.
            let isCountAsked = parameters.contains { $0.name.lowercased() == "$count" }
            let body = ResponseBodies.webhookCollection(page, service: service, select: query.select,
                                                        count: !isCountAsked || query.count ? count : nil)
            return Self.odata(status: 200, body)
        case (.webhooks, _):  // POST
            let changes = try WebhookChanges(request: try await Self.body(of: request, upTo: Self.maximumAPIBodySize))
            let webhook = try await store.create(changes)
            var headers = HTTPFields()
            headers[.location] = "\(service)/odata/Webhooks(\(webhook.id))"
            return Self.odata(status: 201, ResponseBodies.webhookEntity(webhook, service: service, select: nil), headers: headers)
        case (.webhook(let id), "GET"):
            let query = try Self.odataQuery(parameters)
            let webhook = try await store.webhook(id: id)
            return Self.odata(status: 200, ResponseBodies.webhookEntity(webhook, service: service, select: query.select))
        case (.webhook(let id), "DELETE"):
            try await store.delete(id: id)
            return Response(status: .noContent)
        case (.webhook(let id), _):  // PUT, PATCH
            let changes = try WebhookChanges(request: try await Self.body(of: request, upTo: Self.maximumAPIBodySize))
            let webhook = method == "PUT"
                ? try await store.replace(id: id, with: changes)
                : try await store.patch(id: id, with: changes)
            return Self.odata(status: 200, ResponseBodies.webhookEntity(webhook, service: service, select: nil))
        case (.eventTypes, _):
            if let option = parameters.first(where: { $0.name.hasPrefix("$") }) {
                throw .invalid("The query option '\(option.name)' is not supported on GetEventTypes.")
            }
            return Self.odata(status: 200, ResponseBodies.eventTypes(service: service))
        case (.ping(let id), _):
            let webhook = try await store.webhook(id: id)
            let event = await dispatcher.ping(webhook, eventId: Self.randomHex(words: 2),
                                              timestamp: .now())
            return Self.odata(status: 200, ResponseBodies.pingResult(event: event, service: service))
        case (.events, _):
            let events = try EventBatch.split(try await Self.body(of: request, upTo: Self.maximumEventsBodySize))
            // All webhooks: the dispatcher skips (and counts) disabled ones.
            let recipients = try await store.list()
            var total = EventBatch.Totals(events: events.count)
            // One event at a time, so each receiver sees a batch in its order;
            // a shutdown stops the batch between events.
            for event in events where !Task.isCancelled {
                total.add(await dispatcher.dispatch(eventBody: event, to: recipients))
            }
            return Self.response(status: 200, json: Self.encode(total), contentType: Self.jsonContentType)
        case (.deliveries, _):
            return Self.response(status: 200, json: Self.encode(dispatcher.deliveries()), contentType: Self.jsonContentType)
        case (.token, _):  // answered before authentication, in `respond`
            throw OrchestratorError(.routeNotFound, "No resource at '\(request.uri.path)'.")
        }
    }

    /// The identity endpoint: a form POST with the client credentials grant.
    /// Refusals are OAuth's shape, not Orchestrator's (RFC 6749 §5.2).
    private func issueToken(_ request: Request) async throws(OrchestratorError) -> Response {
        guard request.method == .post else {
            throw OrchestratorError(.methodNotAllowed, "\(request.method.rawValue) is not allowed on '\(request.uri.path)'.")
        }
        let form = OrchestratorRoute.queryParameters(
            String(decoding: try await Self.body(of: request, upTo: Self.maximumAPIBodySize), as: UTF8.self))
        var headers = HTTPFields()
        // RFC 6749 §5.1: token answers are not cached.
        headers[.cacheControl] = "no-store"
        do throws(TokenRequestError) {
            let answer = try issuer.issue(form: form)
            return Self.response(status: 200, json: Self.encode(answer), contentType: Self.jsonContentType, headers: headers)
        } catch {
            return Self.response(status: 400, json: Self.encode(error.answer), contentType: Self.jsonContentType, headers: headers)
        }
    }

    /// The scopes the request's bearer token grants: all of them with the
    /// `--token-env` token, or when no token is configured at all; an issued
    /// token's own. A missing, unknown or expired token is a 401.
    private func grantedScopes(_ request: Request) throws(OrchestratorError) -> Set<WebhooksScope> {
        let everything = Set(WebhooksScope.allCases)
        guard token != nil || issuer.application != nil else { return everything }
        guard let given = Self.bearerToken(request) else { throw .notAuthenticated }
        if let token, constantTimeEquals(given, token) { return everything }
        guard let scopes = issuer.scopes(of: given) else { throw .notAuthenticated }
        return scopes
    }

    /// The token of `Authorization: Bearer <token>`; the scheme is case-insensitive, the token is not.
    private static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer " else { return nil }
        return header.dropFirst(7).trimmingCharacters(in: .whitespaces)
    }

    private static func odataQuery(_ parameters: [(name: String, value: String)]) throws(OrchestratorError) -> ODataQuery {
        do {
            return try ODataQuery(parameters: parameters, properties: .webhook)
        } catch {
            throw .invalid("Invalid OData query options: \(error.message)")
        }
    }

    private static func body(of request: Request, upTo limit: Int) async throws(OrchestratorError) -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw OrchestratorError(.payloadTooLarge, "The request body is larger than \(limit) bytes.")
        } catch is NIOTooManyBytesError {
            throw OrchestratorError(.payloadTooLarge, "The request body is larger than \(limit) bytes.")
        } catch {
            throw .invalid("Cannot read the request body: \(error)")
        }
    }

    private static func encode(_ value: some Encodable) -> [UInt8] {
        // Only plain structs, arrays and Timestamps: encoding cannot fail.
        (try? Array(JSONEncoder().encode(value))) ?? Array("null".utf8)
    }

    private static func odata(status: Int, _ body: [UInt8], headers: HTTPFields = [:]) -> Response {
        response(status: status, json: body, contentType: odataContentType, headers: headers)
    }

    private static func response(status: Int, json: [UInt8], contentType: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = contentType
        return Response(status: .init(code: status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// W3C trace-context style, as Orchestrator's `traceId`: `00-<32 hex>-<16 hex>-00`.
    static func makeTraceId() -> String {
        "00-\(randomHex(words: 2))-\(randomHex(words: 1))-00"
    }

    /// Random 64-bit words as hex, 16 digits each (two make a GUID "N").
    private static func randomHex(words: Int) -> String {
        (0..<words).map { _ in Hex.digits(.random(in: .min ... .max)) }.joined()
    }
}
