extension Duration {
    /// The duration in seconds, fractions kept: what SQL intervals and the HTTP client's timeouts take.
    public var inSeconds: Double {
        Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18
    }
}
