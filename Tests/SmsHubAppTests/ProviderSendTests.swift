import Foundation
import HTTPTypes
import Logging
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// The SUBMAIL, Huawei and EngageLab send adapters over real HTTP against the simulator, which checks
/// each provider's authentication and pushes its reports, with the call's tag, to the hub's own
/// callback URLs: every report finds its recipient by the tag, whether or not the send's answer came.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct ProviderSendTests {
    struct Setup {
        var app: AppHarness
        var senders: SendSimulator
        var simulator: String
        var hub: String

        /// A hub account of `provider` that sends through the simulator, registered there too.
        func account(_ provider: Provider, tenant: (id: String, key: String)? = nil) async throws -> (CallbackAccount, ProviderSendCall.Target) {
            let (settings, credentials): ([String: String], [String: String])
            switch provider {
            case .submail:
                settings = ["app_id": "10000", "base_url": self.simulator]
                credentials = ["subhook_key": "subhook", "app_key": "submail-app-key"]
            case .huawei:
                settings = ["app_key": "hw-app", "base_url": self.simulator]
                credentials = ["app_secret": "hw-secret"]
            default:
                settings = ["app_key": "smshook-key", "dev_key": "dev", "base_url": self.simulator]
                credentials = ["app_secret": "smshook-secret", "dev_secret": "dev-secret"]
            }
            let account = try await self.app.makeAccount(provider.rawValue, settings: settings, credentials: credentials, tenant: tenant)
            switch provider {
            case .submail:
                await self.senders.addAccount(.submail, key: "10000", secret: "submail-app-key")
                _ = await self.senders.setCallbacks(
                    .submail,
                    key: "10000",
                    statusURL: self.url(account, "events"),
                    callbackKey: nil,
                    callbackSecret: "subhook"
                )
            case .huawei:
                await self.senders.addAccount(.huawei, key: "hw-app", secret: "hw-secret")
            default:
                await self.senders.addAccount(.engagelab, key: "dev", secret: "dev-secret")
                _ = await self.senders.setCallbacks(
                    .engagelab,
                    key: "dev",
                    statusURL: self.url(account, "events"),
                    callbackKey: "smshook-key",
                    callbackSecret: "smshook-secret"
                )
            }
            let sending = try SendingAccount.of(provider, settings: ProviderSettings(settings), secrets: ProviderSecrets(credentials)).get()
            return (account, ProviderSendCall.Target(tenantID: account.tenantID, accountID: account.accountID, account: sending))
        }

        /// The account's callback URL on the running hub.
        func url(_ account: CallbackAccount, _ purpose: String) -> String {
            self.hub + account.path(purpose)
        }

        func content(_ provider: Provider) -> ProviderContent {
            switch provider {
            case .submail: .submail(.text("【Acme】您的验证码是1234"))
            case .huawei: .huawei(HuaweiSend.Template(id: "tpl-1", channel: "8820122113125", signature: nil), parameters: ["1234"])
            default: .engageLab(templateID: "1233", parameters: ["code": "1234"])
            }
        }
    }

    func withSetup(_ body: @Sendable (Setup, ProviderSendCall) async throws -> Void) async throws {
        let senders = SendSimulator(lateReportDelay: .milliseconds(200))
        try await withApp { app in
            try await withLiveSimulator(GatewaySimulator(accounts: []), senders: senders) { simulator in
                let hub = "http://127.0.0.1:\(try #require(app.client.port))"
                let call = ProviderSendCall(caller: app.caller(timeout: .seconds(2)))
                try await body(Setup(app: app, senders: senders, simulator: simulator, hub: hub), call)
            }
        }
    }

    @Test(arguments: [Provider.submail, .huawei, .engagelab])
    func reportsOfEveryProviderFindTheirRecipientsByTheTag(provider: Provider) async throws {
        try await withSetup { setup, call in
            let (account, target) = try await setup.account(provider)
            let tag = AttemptTag.of(UUID())
            let numbers = ["+8613800000010", "+8613800000017", "+8613800000019"]
            let recipients = try await setup.app.seedRecipients(account, numbers.map { (number: $0, e164: $0, providerMessageID: tag) })
            let statusURL = setup.url(account, provider == .huawei ? "status" : "events")
            let outcomes = await call.send(target, numbers: numbers, content: setup.content(provider), tag: tag, statusCallback: statusURL)
            for outcome in outcomes {
                guard case .accepted(let id, _) = outcome, id != nil else {
                    Issue.record("\(provider): \(outcome)")
                    return
                }
            }
            #expect(await setup.senders.sends[provider]?.count == 3)
            let expected = ["delivered", "undelivered", "delivered"]
            var states: [String] = []
            let settled = try await eventually {
                states = try await recipients.asyncMap { try await setup.app.recipientStatus($0).status }
                return states == expected
            }
            #expect(settled, "\(provider): recipients are \(states)")
        }
    }

    @Test func refusalsAreClassifiedAndALostAnswerIsSettledByItsReport() async throws {
        try await withSetup { setup, call in
            let (account, target) = try await setup.account(.submail)
            let url = setup.url(account, "events")
            func send(_ number: String, fault: SendSimulator.Fault) async throws -> (NumberOutcome, UUID, String) {
                await setup.senders.queue(.submail, faults: [fault])
                let tag = AttemptTag.of(UUID())
                let id = try await setup.app.seedRecipients(account, [(number: number, e164: number, providerMessageID: tag)])[0]
                let outcome = await call.send(target, numbers: [number], content: setup.content(.submail), tag: tag, statusCallback: url)
                return (outcome[0], id, tag)
            }
            #expect(
                try await send("+8613800000020", fault: .account("903")).0 == .refusedForAccount(Refusal(code: "903", message: "simulated refusal"))
            )
            #expect(
                try await send("+8613800000030", fault: .number("115")).0 == .refusedForNumber(Refusal(code: "115", message: "simulated refusal"))
            )
            let (failed, _, _) = try await send("+8613800000040", fault: .error)
            guard case .unknown = failed else {
                Issue.record("a 500 leaves the number unknown: \(failed)")
                return
            }
            // Accepted, then answered after the caller's deadline: unknown, and the report settles it.
            let (late, recipient, _) = try await send("+8613800000050", fault: .hang(.seconds(4)))
            guard case .unknown = late else {
                Issue.record("an answer past the deadline is unknown: \(late)")
                return
            }
            #expect(try await eventually { try await setup.app.recipientStatus(recipient).status == "delivered" }, "the late report settles it")
            let counted = await setup.senders.sends[.submail] ?? [:]
            #expect(counted == ["+8613800000050": 1], "only the call that was accepted reached a number")
        }
    }

    @Test func submailAndEngageLabBalancesAreReadOnDemandAndHuaweiHasNone() async throws {
        try await withSetup { setup, _ in
            for provider in [Provider.submail, .engagelab] {
                let (account, _) = try await setup.account(provider)
                let path = "/v1/provider-accounts/\(account.accountID.uuidString.lowercased())/balance/refresh"
                let read = try await setup.app.request(.post, path, bearer: account.key)
                #expect(read.status == .ok, "\(provider): \(read.text)")
                #expect(read.json["balance"] as? Double == 100_000, "\(provider): \(read.text)")
            }
            let lacking = try await setup.app.makeAccount("engagelab", settings: ["app_key": "k"], credentials: ["app_secret": "s"])
            let incomplete = try await setup.app.request(
                .post,
                "/v1/provider-accounts/\(lacking.accountID.uuidString.lowercased())/balance/refresh",
                bearer: lacking.key
            )
            expectProblem(incomplete, .unprocessableContent, code: "validation_failed")
            #expect(incomplete.text.contains("settings.dev_key") && incomplete.text.contains("credentials.dev_secret"), "\(incomplete.text)")
            let (huawei, _) = try await setup.account(.huawei)
            let refused = try await setup.app.request(
                .post,
                "/v1/provider-accounts/\(huawei.accountID.uuidString.lowercased())/balance/refresh",
                bearer: huawei.key
            )
            expectProblem(refused, .unprocessableContent, code: "validation_failed")
        }
    }

    @Test func submailAndEngageLabBalancesArePolledOnTheGatewaysSchedule() async throws {
        try await withSetup { setup, _ in
            let app = setup.app
            let tenant = try await app.makeTenant()
            let (submail, _) = try await setup.account(.submail, tenant: tenant)
            let (engageLab, _) = try await setup.account(.engagelab, tenant: tenant)
            _ = try await setup.account(.huawei, tenant: tenant)
            // SUBMAIL's alert is above the simulator's balance of 100,000: its first poll crosses it.
            let patched = try await app.request(
                .patch,
                "/v1/provider-accounts/\(submail.accountID.uuidString.lowercased())",
                bearer: tenant.key,
                json: #"{"settings":{"balance_alert_below":"200000"}}"#
            )
            #expect(patched.status == .ok, "\(patched.text)")
            let hook = try await app.request(
                .post,
                "/v1/webhook-endpoints",
                bearer: tenant.key,
                json: #"{"url":"\#(setup.simulator)/sim/webhooks/balances","event_types":["balance.below_threshold"]}"#
            )
            #expect(hook.status == .created, "\(hook.text)")
            let database = Database(pool: app.pool)
            var poller = GatewayPoller(
                polls: PostgresPollRepository(database: database),
                accounts: PostgresProviderAccountRepository(database: database),
                events: PostgresEventStore(database: database),
                caller: app.caller(timeout: TestTimeouts.outboundCall),
                keyring: testKeyring,
                logger: Logger(label: "test.poll")
            )
            poller.providerBalances = ProviderBalanceReader(
                gateway: nil,
                accounts: PostgresProviderAccountRepository(database: database),
                polls: PostgresPollRepository(database: database),
                keyring: testKeyring,
                caller: app.caller(timeout: TestTimeouts.outboundCall)
            )
            #expect(try await poller.runOnce() == 2, "SUBMAIL and EngageLab; Huawei has no balance API")
            #expect(try await poller.runOnce() == 0, "not due again within the interval")
            let balances = try await app.rows("SELECT provider_account_id::text AS account, balance::text AS balance FROM balances ORDER BY 1")
            #expect(
                Set(balances.compactMap { $0["account"] ?? nil })
                    == Set([submail.accountID, engageLab.accountID].map { $0.uuidString.lowercased() })
            )
            let alerts = try await app.rows(
                "SELECT data->>'provider_account_id' AS account FROM webhook_events WHERE type = 'balance.below_threshold'"
            )
            #expect(alerts.map { $0["account"] ?? nil } == [submail.accountID.uuidString.lowercased()])
        }
    }

    @Test func anAccountWithoutSendingCredentialsNamesWhatItLacks() {
        guard case .failure(let invalid) = SendingAccount.of(.huawei, settings: ProviderSettings([:]), secrets: ProviderSecrets([:])) else {
            Issue.record("an account without credentials cannot send")
            return
        }
        #expect(invalid.problems.map(\.field) == ["settings.app_key", "credentials.app_secret", "settings.base_url"])
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
