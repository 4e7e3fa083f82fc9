import SmsHubDomain
import Testing

/// One rule for how the Gateway writes numbers, in sends and in the reports whose masks are matched.
@Suite struct GatewayNumberTests {
    @Test func mainlandNumbersAreNationalEverywhere() {
        #expect(GatewayNumber.outgoing("+8613800000001") == "13800000001")
        #expect(GatewayNumber.shown("+8613800000001") == "13800000001")
        #expect(PhoneNumber.parse("+8613800000001")?.gatewayMask == "138****0001")
        #expect(PhoneNumber.parse("+16505550123")?.gatewayMask == "165****0123")
        #expect(PhoneNumber.mask("138****0001", matches: "+8613800000001"))
    }

    @Test func otherNumbersKeepTheirPlusWhenSent() {
        // Eleven bare digits starting with 1 would be read as a mainland mobile.
        #expect(GatewayNumber.outgoing("+16505550123") == "+16505550123")
        #expect(GatewayNumber.shown("+16505550123") == "16505550123")
        #expect(PhoneNumber.mask("165****0123", matches: "+16505550123"))
        #expect(!PhoneNumber.mask("138****0123", matches: "+16505550123"))
    }
}
