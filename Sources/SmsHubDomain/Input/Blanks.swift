extension StringProtocol where SubSequence == Substring {
    /// Without the spaces and tabs around it (and `extra`, when given); not Foundation's
    /// `trimmingCharacters`, which every callback would pay for (decision 0018).
    func trimmingBlanks(also extra: Character? = nil) -> Substring {
        let unwanted: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == extra }
        guard let first = self.firstIndex(where: { !unwanted($0) }), let last = self.lastIndex(where: { !unwanted($0) }) else { return "" }
        return self[first...last]
    }
}
