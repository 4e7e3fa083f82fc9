import Foundation
import SmsHubDomain
import Testing

@Suite struct TenantRulesTests {
    @Test func namesAreTrimmedAndBounded() {
        #expect(NameRules.normalise("  Acme  ") == "Acme")
        #expect(NameRules.normalise("短信 平台") == "短信 平台")
        #expect(NameRules.normalise("") == nil)
        #expect(NameRules.normalise(" \n\t ") == nil)
        #expect(NameRules.normalise(String(repeating: "x", count: 200)) != nil)
        #expect(NameRules.normalise(String(repeating: "x", count: 201)) == nil)
        #expect(NameRules.normalise("a\u{0}b") == nil)
        #expect(NameRules.normalise("a\u{7}b") == nil)
    }

    @Test func apiKeysHaveTheDocumentedShape() {
        let material = APIKeyMaterial.generate()
        #expect(APIKeyMaterial.looksLikeKey(material.secret))
        #expect(material.secret.hasPrefix(material.prefix + "_"))
        #expect(material.prefix.count == 13)
        #expect(material.hash == APIKeyMaterial.hash(of: material.secret))
        #expect(material.hash.count == 32)
        let other = APIKeyMaterial.generate()
        #expect(other.secret != material.secret)
        #expect(!APIKeyMaterial.looksLikeKey("smsh_short"))
        #expect(!APIKeyMaterial.looksLikeKey(String(material.secret.dropFirst())))
    }
}
