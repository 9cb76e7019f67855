// Synthesis: scenario model, lifecycles, seeded generator -> events.
