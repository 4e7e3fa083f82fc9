import SmsHubDomain
import Testing

@Suite struct CallbackRequestTests {
    @Test func mediaTypeDropsParametersBlanksAndCase() {
        func mediaType(_ header: String?) -> String? {
            CallbackRequest(headers: header.map { ["Content-Type": $0] } ?? [:], body: []).mediaType
        }
        #expect(mediaType("application/json") == "application/json")
        #expect(mediaType(" Application/JSON ; charset=UTF-8") == "application/json")
        #expect(mediaType("\tapplication/x-www-form-urlencoded;charset=utf-8") == "application/x-www-form-urlencoded")
        #expect(mediaType("multipart/form-data; boundary=AbC") == "multipart/form-data")
        #expect(mediaType(";charset=utf-8") == "")
        #expect(mediaType("") == "")
        #expect(mediaType(nil) == nil)
        // Non-ASCII is kept as it is (it matches no media type a parser accepts).
        #expect(mediaType("applicätion/JSON") == "applicätion/json")
    }
}
