// OrchestratorEmulator: the Webhooks OData API over SQLite, and fan-out delivery.
