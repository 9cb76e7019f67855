/// The headers Orchestrator sends with every delivery besides the signature
/// (`WebhookSignature.headerName`), as it spells them. Replay, the emulator's
/// deliveries and synthesized recordings all carry these.
public enum OrchestratorHeaders {
    public static let contentType = "application/json; charset=utf-8"
    public static let userAgent = "UiPath-WebhookService/Webhooks"

    /// In the order Orchestrator sends them.
    public static let fields = [
        HeaderField(name: "Content-Type", value: contentType),
        HeaderField(name: "User-Agent", value: userAgent),
    ]
}
