extension StringProtocol {
    /// At most `limit` bytes of UTF-8, cut between Unicode scalars. `prefix(_:)` counts Characters,
    /// and one Character may hold any number of combining scalars, so it bounds nothing in bytes.
    package func prefix(utf8Bytes limit: Int) -> String {
        var bytes = 0
        var end = self.unicodeScalars.startIndex
        for index in self.unicodeScalars.indices {
            let length = UTF8.width(self.unicodeScalars[index])
            guard bytes + length <= limit else { break }
            bytes += length
            end = self.unicodeScalars.index(after: index)
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: self.unicodeScalars[..<end])
        return text
    }
}
