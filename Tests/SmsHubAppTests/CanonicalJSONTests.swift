import Foundation
import SmsHubDomain
import SmsHubSimulator
import Testing

/// The simulator's JSON writer, and the domain's for form fields.
@Suite struct CanonicalJSONTests {
    private func parsed(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    @Test func parsedBodiesAreWrittenWithSortedKeysAndTheirTypes() throws {
        let body = #"{"z":1,"a":true,"m":[1.5,false,null,"x",{"b":-3,"a":0}],"n":{"k":"v"},"big":12345678901234,"e":1e-7,"s":"\u00e9/\u4e2d"}"#
        let text = CanonicalJSON.text(try self.parsed(body))
        #expect(text == #"{"a":true,"big":12345678901234,"e":1e-07,"m":[1.5,false,null,"x",{"a":0,"b":-3}],"n":{"k":"v"},"s":"é/中","z":1}"#)
        // Whatever it writes reads back as the same value.
        let again = try #require(try self.parsed(text) as? NSDictionary)
        #expect(again == (try self.parsed(body) as? NSDictionary))
    }

    @Test func zeroAndOneStayNumbersAndBooleansStayBooleans() throws {
        #expect(CanonicalJSON.text(try self.parsed(#"{"a":0,"b":1,"c":false,"d":true,"e":1.0}"#)) == #"{"a":0,"b":1,"c":false,"d":true,"e":1.0}"#)
    }

    @Test func formFieldsAndEscapes() {
        let fields = ["status": "DELIVRD", "quote": "say \"hi\"\\", "lines": "a\nb\tc\r", "bell": "\u{7}", "empty": ""]
        #expect(JSONObject.serialise(fields) == #"{"bell":"\u0007","empty":"","lines":"a\nb\tc\r","quote":"say \"hi\"\\","status":"DELIVRD"}"#)
        #expect(JSONObject.serialise([:]) == "{}")
        // The same text as the simulator's writer makes of the same fields.
        #expect(JSONObject.serialise(fields) == CanonicalJSON.text(fields as [String: Any]))
    }

    @Test func whatJSONCannotHoldIsAnEmptyObject() {
        #expect(CanonicalJSON.text(["when": Date()] as [String: Any]) == "{}")
        #expect(CanonicalJSON.text(["x": Double.nan] as [String: Any]) == "{}")
    }
}
