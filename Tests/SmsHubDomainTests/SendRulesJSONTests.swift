import SmsHubDomain
import Testing

@Suite struct SendRulesJSONTests {
    func read(_ json: String) -> Result<SendRules, InvalidFields> {
        SendRules.read(try! JSONReader.parse(Array(json.utf8), duplicates: .refuse))
    }

    @Test func aDocumentRoundTripsAndOmittedMembersKeepTheirDefaults() throws {
        var rules = SendRules()
        rules.optOut.verification = true
        rules.optOut.listBlacklisted = false
        #expect(try self.read(rules.json).get() == rules)
        #expect(SendRules(stored: rules.json) == rules)
        #expect(try self.read("{}").get() == SendRules())
        #expect(try self.read(#"{"opt_out": {"verification": true}}"#).get().optOut.optInByReply == true)
    }

    @Test func wrongTypesAndUnknownMembersAreNamed() {
        guard case .failure(let invalid) = self.read(#"{"opt_out": {"verification": "yes", "optin": true}, "caps2": {}}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(invalid.problems.map(\.field).sorted() == ["caps2", "opt_out.optin", "opt_out.verification"])
        guard case .failure(let notObject) = self.read("[]") else { return }
        #expect(notObject.problems.map(\.field) == ["body"])
    }

    @Test func aStoredDocumentIsReadLeniently() {
        #expect(SendRules(stored: "not json") == SendRules())
        #expect(SendRules(stored: #"{"later": 1, "opt_out": {"verification": true}}"#).optOut.verification)
    }
}
