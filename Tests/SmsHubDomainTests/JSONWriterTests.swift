import Foundation
import SmsHubDomain
import Testing

@Suite struct JSONWriterTests {
    @Test func commasFollowEveryNesting() throws {
        var json = JSONWriter()
        json.object { json in
            json.key("a")
            json.array { json in
                json.integer(1)
                json.object { _ in }
                json.array { json in
                    json.null()
                    json.bool(false)
                }
                json.string("x")
            }
            json.field("skipped", nil)
            json.field("b", "y")
            json.key("c")
            json.raw(#"{"k": [1, 2]}"#.utf8)
            json.key("d")
            json.array { _ in }
        }
        let text = String(decoding: json.bytes, as: UTF8.self)
        #expect(text == #"{"a":[1,{},[null,false],"x"],"b":"y","c":{"k": [1, 2]},"d":[]}"#)
        #expect((try? JSONSerialization.jsonObject(with: Data(json.bytes))) != nil)
    }

    @Test func stringsAreEscapedAndReadBackAsWritten() throws {
        let texts = ["say \"hi\"\\", "a\nb\tc\r", "\u{0}\u{7}\u{1f}", "é/中 😀", "</script>", ""]
        var json = JSONWriter()
        json.array { json in
            for text in texts { json.string(text) }
        }
        let back = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String])
        #expect(back == texts)
    }

    @Test func uuidsAreLowercaseCanonicalText() throws {
        for id in [
            UUID(), UUID(), UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!,
        ] {
            var json = JSONWriter()
            json.uuid(id)
            #expect(String(decoding: json.bytes, as: UTF8.self) == "\"\(id.uuidString.lowercased())\"")
        }
    }
}
