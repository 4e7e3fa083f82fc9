import Cryptography
import Foundation
package import SmsHubDomain

/// The send APIs of SUBMAIL, Huawei Cloud and EngageLab, simulated: their authentication checked as
/// the providers check it, an id issued per number, and status reports pushed in each provider's own
/// callback format with the caller's tag. Every number a call accepts is counted, per provider, so a
/// test can show that no number reached two providers.
///
/// Reports follow the number's last digit, as the Gateway simulator's do: 0–5 delivered, 6 refused by
/// the carrier, 7 undelivered, 8 never reported, 9 delivered late. Faults are queued per provider for
/// its next calls, or drawn at rates from a seeded generator for load runs.
package actor SendSimulator {
    package struct Account: Sendable {
        /// SUBMAIL app key, Huawei app secret, EngageLab dev secret.
        var secret: String
        var balance: Int
        /// Where SUBMAIL and EngageLab push reports (Huawei's come with each call).
        var statusURL: String?
        /// SUBMAIL's SUBHOOK key, or EngageLab's SMSHook app key and secret, for signing pushes.
        var callbackKey: String?
        var callbackSecret: String?
    }

    package enum Fault: Sendable, Equatable {
        /// The whole call refused before acceptance, with this provider code.
        case account(String)
        /// Every number of the call refused, with this code.
        case number(String)
        /// Nothing sent; HTTP 500.
        case error
        /// Sent, and answered only after this long (past the caller's deadline).
        case hang(Duration)
        /// Sent, and answered HTTP 502.
        case acceptThenError
        /// The first number accepted, the others refused (multi-number calls).
        case partial
        /// Each report pushed twice.
        case duplicate
        /// Reports pushed final first, then their earlier stages.
        case reorder

        /// `account:903`, `number:115`, `500`, `hang:3`, `accept500`, `partial`, `duplicate`, `reorder`.
        package init?(_ text: Substring) {
            switch text {
            case "500": self = .error
            case "accept500": self = .acceptThenError
            case "partial": self = .partial
            case "duplicate": self = .duplicate
            case "reorder": self = .reorder
            default:
                if text.hasPrefix("account:"), text.count > 8 {
                    self = .account(String(text.dropFirst(8)))
                } else if text.hasPrefix("number:"), text.count > 7 {
                    self = .number(String(text.dropFirst(7)))
                } else if text.hasPrefix("hang:"), let seconds = Double(text.dropFirst(5)), (0...600).contains(seconds) {
                    self = .hang(.milliseconds(Int64(seconds * 1000)))
                } else {
                    return nil
                }
            }
        }
    }

    /// Shares of calls (0 to 100 each) that are refused for the account, accepted and answered too
    /// late, answered 500 without sending, or sent and answered 502.
    package struct Rates: Sendable, Equatable {
        package var refusePercent = 0
        package var hangPercent = 0
        package var errorPercent = 0
        package var acceptErrorPercent = 0
        package var hang: Duration = .seconds(3)
        package var refusalCode: String?

        package init() {}
    }

    /// What the simulator decided for one call.
    enum Decision {
        case refuse(Fault)
        case error
        case accept(answerAfter: Duration?, answerError: Bool, partial: Bool)
    }

    var accounts: [Provider: [String: Account]] = [:]
    var faults: [Provider: [Fault]] = [:]
    var pushFaults: [Provider: [Fault]] = [:]
    var rates: [Provider: Rates] = [:]
    var generator: SeededGenerator
    /// Accepted sends per provider and E.164 number.
    package private(set) var sends: [Provider: [String: Int]] = [:]
    var issued = 0
    let lateReportDelay: Duration

    package init(seed: UInt64 = 1, lateReportDelay: Duration = .seconds(2)) {
        self.generator = SeededGenerator(seed: seed)
        self.lateReportDelay = lateReportDelay
    }

    package func addAccount(_ provider: Provider, key: String, secret: String, balance: Int = 100_000) {
        self.accounts[provider, default: [:]][key] = Account(secret: secret, balance: balance)
    }

    package func setCallbacks(_ provider: Provider, key: String, statusURL: String?, callbackKey: String?, callbackSecret: String?) -> Bool {
        guard self.accounts[provider]?[key] != nil else { return false }
        self.accounts[provider]?[key]?.statusURL = statusURL
        self.accounts[provider]?[key]?.callbackKey = callbackKey
        self.accounts[provider]?[key]?.callbackSecret = callbackSecret
        return true
    }

    package func queue(_ provider: Provider, faults: [Fault]) {
        for fault in faults {
            switch fault {
            case .duplicate, .reorder: self.pushFaults[provider, default: []].append(fault)
            default: self.faults[provider, default: []].append(fault)
            }
        }
    }

    package func setRates(_ provider: Provider, _ rates: Rates) {
        self.rates[provider] = rates
    }

    package func reset() {
        self.sends = [:]
        self.faults = [:]
        self.pushFaults = [:]
        self.rates = [:]
    }

    func account(_ provider: Provider, _ key: String) -> Account? {
        self.accounts[provider]?[key]
    }

    /// The next call's fate: a queued fault first, then one drawn at the provider's rates.
    func decide(_ provider: Provider, defaultRefusal: String) -> Decision {
        if var queued = self.faults[provider], !queued.isEmpty {
            let fault = queued.removeFirst()
            self.faults[provider] = queued
            switch fault {
            case .account, .number: return .refuse(fault)
            case .error: return .error
            case .hang(let delay): return .accept(answerAfter: delay, answerError: false, partial: false)
            case .acceptThenError: return .accept(answerAfter: nil, answerError: true, partial: false)
            case .partial: return .accept(answerAfter: nil, answerError: false, partial: true)
            case .duplicate, .reorder: break
            }
        }
        let rates = self.rates[provider] ?? Rates()
        let draw = Int(self.generator.next() % 100)
        if draw < rates.refusePercent { return .refuse(.account(rates.refusalCode ?? defaultRefusal)) }
        if draw < rates.refusePercent + rates.hangPercent { return .accept(answerAfter: rates.hang, answerError: false, partial: false) }
        if draw < rates.refusePercent + rates.hangPercent + rates.errorPercent { return .error }
        if draw < rates.refusePercent + rates.hangPercent + rates.errorPercent + rates.acceptErrorPercent {
            return .accept(answerAfter: nil, answerError: true, partial: false)
        }
        return .accept(answerAfter: nil, answerError: false, partial: false)
    }

    /// Counts an accepted number and returns the id issued for it.
    func accept(_ provider: Provider, key: String, number: String) -> Int {
        self.sends[provider, default: [:]][number, default: 0] += 1
        self.accounts[provider]?[key]?.balance -= 1
        self.issued += 1
        return self.issued
    }

    func takePushFault(_ provider: Provider) -> Fault? {
        guard var queued = self.pushFaults[provider], !queued.isEmpty else { return nil }
        let fault = queued.removeFirst()
        self.pushFaults[provider] = queued
        return fault
    }

    /// The report a number's last digit calls for, and how long after the send it comes; nil: none.
    func report(for e164: String) -> (outcome: ReportOutcome, after: Duration)? {
        switch e164.last {
        case "6": (.refused, .milliseconds(50))
        case "7": (.undelivered, .milliseconds(50))
        case "8": nil
        case "9": (.delivered, self.lateReportDelay)
        default: (.delivered, .milliseconds(50))
        }
    }

    enum ReportOutcome {
        case delivered
        case refused
        case undelivered
    }
}
