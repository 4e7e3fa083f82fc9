extension Array {
    /// The elements in order, in consecutive slices of at most `size` (at least 1) each; none when empty.
    package func slices(of size: Int) -> [[Element]] {
        let step = Swift.max(1, size)
        return stride(from: 0, to: self.count, by: step).map { Array(self[$0..<Swift.min($0 + step, self.count)]) }
    }
}
