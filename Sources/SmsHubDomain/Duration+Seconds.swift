extension Duration {
    /// The duration in seconds, fractions kept: what SQL intervals and the HTTP client's timeouts take.
    package var inSeconds: Double {
        Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18
    }
}
