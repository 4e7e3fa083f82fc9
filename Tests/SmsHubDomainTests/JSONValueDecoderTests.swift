import Foundation
import SmsHubDomain
import Testing

/// Request types decoded from the one strict parse of their body.
@Suite struct JSONValueDecoderTests {
    struct Update: Decodable, Equatable {
        var name: String?
        var settings: [String: String?]?
        var isDefault: Bool?
        var providerAccountId: UUID?
        var limit: Int?
        var tags: [String]?
    }

    func decode(_ json: String) throws -> Update {
        try JSONValueDecoder().decode(Update.self, from: try JSONReader.parse(Array(json.utf8), duplicates: .refuse))
    }

    @Test func snakeCaseMembersFillCamelCaseFieldsAndNullsAreNil() throws {
        let id = UUID()
        let update = try self.decode(
            #"{"name":"n","settings":{"base_url":"https://x","time_zone":null},"is_default":true,"provider_account_id":"\#(id.uuidString)","limit":7,"tags":["a","b"],"extra":1}"#
        )
        #expect(update.name == "n")
        let expected: [String: String?] = ["base_url": "https://x", "time_zone": nil]
        #expect(update.settings == expected, "dictionary keys are taken as written")
        #expect(update.isDefault == true)
        #expect(update.providerAccountId == id)
        #expect(update.limit == 7)
        #expect(update.tags == ["a", "b"])
        #expect(try self.decode("{}") == Update())
        #expect(try self.decode(#"{"isDefault":false}"#).isDefault == false, "the Swift name itself is found too")
    }

    @Test func wrongShapesAreDecodingErrorsWithTheirPathAndNeverTrap() throws {
        func path(_ json: String) -> String? {
            do {
                _ = try self.decode(json)
                return nil
            } catch let error as DecodingError {
                switch error {
                case .typeMismatch(_, let context), .dataCorrupted(let context), .valueNotFound(_, let context):
                    return context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
                case .keyNotFound(let key, _):
                    return key.stringValue
                @unknown default:
                    return "?"
                }
            } catch {
                return "not a DecodingError: \(error)"
            }
        }
        #expect(path(#"{"name":1}"#) == "name")
        #expect(path(#"{"is_default":"yes"}"#) == "isDefault")
        #expect(path(#"{"limit":99999999999999999999}"#) == "limit", "out of range: a mismatch, not a trap")
        #expect(path(#"{"limit":1.5}"#) == "limit")
        #expect(path(#"{"limit":1e2}"#) == "limit")
        #expect(path(#"{"tags":["a",2]}"#) == "tags.1")
        #expect(path(#"{"settings":{"a":1}}"#) == "settings.a")
        #expect(path(#"{"provider_account_id":"nope"}"#) == "providerAccountId")
        #expect(path(#"[]"#) == "")
    }
}
