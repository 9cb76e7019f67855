// OrchestratorAPI: the Webhooks API's wire vocabulary, shared by the emulator
// that answers it (OrchestratorEmulator) and the client that calls it
// (WebhooksClient), so neither writes the types twice
// (docs/orchestrator-webhooks.md §4, docs/orchestrator-emulator.md).
//
// Promises. `Webhook` is a `WebhookDto`; `WebhookChanges` is a body's members,
// decoded strictly from requests and leniently from answers, and encoded in
// the vendor's member order (`WebhookDto.properties`). `ErrorBody` is
// Orchestrator's error shape; `WebhooksScope` and `WebhooksAccess` say which
// scope each call needs; `OrchestratorAddress` knows a tenant's two URL forms
// and where its identity token endpoint is; `AccessTokenAnswer`,
// `OAuthErrorAnswer` and `ClientCredentialsGrant` are the identity server's
// client credentials exchange.
//
// Threads. None: values and pure functions only; no I/O.
//
// Invariants. Member order on the wire is `WebhookDto.properties`; a body is
// never re-encoded through JSONEncoder, whose key order is not specified.
