extension StringProtocol where SubSequence == Substring {
    /// Without the spaces and tabs around it (and `extra`, when given). Foundation's
    /// `trimmingCharacters` goes through NSString, which showed up in the profile of every callback.
    func trimmingBlanks(also extra: Character? = nil) -> Substring {
        let unwanted: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == extra }
        guard let first = self.firstIndex(where: { !unwanted($0) }), let last = self.lastIndex(where: { !unwanted($0) }) else { return "" }
        return self[first...last]
    }
}
