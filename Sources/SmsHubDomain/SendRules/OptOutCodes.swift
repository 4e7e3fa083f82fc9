/// Status codes by which a provider says the number itself refused the sender (an opt-out) or sits on
/// a blacklist (docs/sending-rules.md, "Opt-out"). Either way the recipient ends there and no other
/// account is tried; an opt-out always joins the tenant's list, a blacklisting when the tenant's
/// rules say so.
package enum OptOutCodes {
    package enum Kind: String, Sendable, Equatable {
        case optOut = "opt_out"
        case blacklist
    }

    package static func kind(provider: Provider, code: String?) -> Kind? {
        guard let code, !code.isEmpty, code.utf8.count <= 32 else { return nil }
        switch provider {
        case .gateway:
            return code == "MBBLACK" ? .blacklist : nil
        case .submail:
            switch code.uppercased() {
            case "253", "UNSUBSCRIBE", "UNSUBED": return .optOut
            case "114", "BLACK", "PUBLOKD", "BLOCKED": return .blacklist
            default: return nil
            }
        case .huawei:
            switch code {
            case "SC:0016": return .optOut
            case "BLACK", "TDBLACK", "TSBLACK", "MBBLACK", "SC:0003", "SC:0005", "E000632": return .blacklist
            default: return nil
            }
        case .engagelab:
            // Its console groups "Unsubscribe" and "Blacklist" failures, but names no codes for them.
            return nil
        }
    }
}
