import Testing
@testable import OrchestratorEmulator
