/// SplitMix64: the same sequence for the same seed, so a simulated fault pattern or a test's
/// interleaving can be replayed. Never for anything secret (`SecureRandom` is).
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64

    package init(seed: UInt64) {
        self.state = seed
    }

    package mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
