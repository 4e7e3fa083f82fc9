/// A message's segments per destination, counted once for mainland numbers and once for the rest
/// (where the rule depends only on the text): a send of 10,000 numbers counts the text twice.
package struct SegmentEstimates: Sendable {
    let mainland: Int
    let abroad: Int

    package init(_ text: String) {
        self.mainland = SegmentCounter.segments(text, rule: .mainland)
        self.abroad = SegmentCounter.segments(text, e164: nil)
    }

    package func segments(_ e164: String) -> Int {
        e164.utf8.starts(with: "+86".utf8) ? self.mainland : self.abroad
    }
}
