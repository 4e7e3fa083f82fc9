/// How the Gateway writes numbers. It is a mainland gateway: a Chinese number is its 11-digit
/// national number, in a send and in the reports. Any other number goes out in full E.164 with its
/// plus (11 bare digits starting with 1 would read as a mainland mobile), and shows in reports and
/// masks as its E.164 digits.
public enum GatewayNumber {
    /// A number of a send's `mobiles`.
    package static func outgoing(_ e164: String) -> String {
        self.mainland(e164) ?? e164
    }

    /// The number as the gateway's reports show it, before masking.
    public static func shown(_ e164: String) -> String {
        self.mainland(e164) ?? String(e164.drop(while: { $0 == "+" }))
    }

    private static func mainland(_ e164: String) -> String? {
        e164.hasPrefix("+86") ? String(e164.dropFirst(3)) : nil
    }
}
