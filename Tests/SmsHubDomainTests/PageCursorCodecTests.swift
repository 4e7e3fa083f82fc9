import Cryptography
import Foundation
import SmsHubDomain
import Testing

@Suite struct PageCursorCodecTests {
    let codec = PageCursorCodec(key: Array(repeating: 7, count: 32))
    let scope = PageCursorCodec.scope(tenant: UUID(), list: "messages")

    @Test func roundTripsToTheMicrosecond() throws {
        let cursor = PageCursor(time: Date(timeIntervalSince1970: 1_700_000_000.123_456), id: UUID())
        let token = try #require(self.codec.token(cursor, scope: self.scope))
        let decoded = try #require(self.codec.cursor(token, scope: self.scope))
        #expect(decoded.id == cursor.id)
        #expect(abs(decoded.time.timeIntervalSince1970 - 1_700_000_000.123_456) < 0.000_001)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test func refusesCursorsOfAnotherScopeOrKey() throws {
        let cursor = PageCursor(time: Date(timeIntervalSince1970: 1_700_000_000), id: UUID())
        let token = try #require(self.codec.token(cursor, scope: self.scope))
        #expect(self.codec.cursor(token, scope: PageCursorCodec.scope(tenant: UUID(), list: "messages")) == nil, "another tenant")
        #expect(self.codec.cursor(token, scope: self.scope.replacingOccurrences(of: "messages", with: "replies")) == nil, "another list")
        #expect(PageCursorCodec(key: Array(repeating: 8, count: 32)).cursor(token, scope: self.scope) == nil, "another key")
    }

    @Test func refusesEveryChangedByteAndForgery() throws {
        let cursor = PageCursor(time: Date(timeIntervalSince1970: 1_700_000_000), id: UUID())
        let token = try #require(self.codec.token(cursor, scope: self.scope))
        var bytes = try #require(Base64URL.decode(token.utf8))
        for index in bytes.indices {
            bytes[index] ^= 0x01
            #expect(self.codec.cursor(Base64URL.encode(bytes), scope: self.scope) == nil, "byte \(index)")
            bytes[index] ^= 0x01
        }
        for forged in ["", "garbage", "bm90LWEtY3Vyc29y", String(repeating: "A", count: 500), "!!!", "%", token + "A", String(token.dropLast())] {
            #expect(self.codec.cursor(forged, scope: self.scope) == nil, "\(forged)")
        }
    }

    /// The cursor that stopped the server: a time near Int64.max microseconds, now refused at
    /// sealing (no stored row has it) and never read back from a token.
    @Test func extremeTimesNeitherTrapNorSeal() {
        for seconds in [9.2e12, -9.2e12, Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, .infinity, .nan] {
            #expect(self.codec.token(PageCursor(time: Date(timeIntervalSince1970: seconds), id: UUID()), scope: self.scope) == nil)
        }
        let year9999 = PageCursor(time: Date(timeIntervalSince1970: 253_402_300_799), id: UUID())
        #expect(self.codec.token(year9999, scope: self.scope).flatMap { self.codec.cursor($0, scope: self.scope) } == year9999)
    }

    @Test func base64URLHasOneSpellingPerByteString() {
        #expect(Base64URL.decode("AA".utf8) == [0])
        #expect(Base64URL.decode("AB".utf8) == nil, "bits past the data")
        #expect(Base64URL.decode("A".utf8) == nil)
        #expect(Base64URL.decode("AA==".utf8) == nil)
        for count in 0..<20 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64URL.decode(Base64URL.encode(bytes).utf8) == bytes)
        }
    }
}
