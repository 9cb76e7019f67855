extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// Whole microseconds, truncated towards zero; cheap enough for the
    /// per-request path.
    @inline(__always)
    public var wholeMicroseconds: Int64 {
        let (whole, attoseconds) = components
        return whole &* 1_000_000 &+ attoseconds / 1_000_000_000_000
    }
}
