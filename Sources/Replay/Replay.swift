// Replay: pacers, scheduler, open-loop engine.
