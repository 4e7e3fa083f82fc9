import Foundation
import SmsHubDomain
import Testing

@Suite struct AttemptTagTests {
    @Test func tagsRoundTripAndNothingElseReadsAsOne() {
        let id = UUID()
        let tag = AttemptTag.of(id)
        #expect(tag.utf8.count == 32 && tag == tag.lowercased())
        #expect(AttemptTag.attempt(tag) == id)
        #expect(AttemptTag.attempt(tag.uppercased()) == id)
        for other in ["", "x", String(tag.dropLast()), tag + "0", String(repeating: "g", count: 32), id.uuidString] {
            #expect(AttemptTag.attempt(other) == nil, "\(other)")
        }
    }
}
