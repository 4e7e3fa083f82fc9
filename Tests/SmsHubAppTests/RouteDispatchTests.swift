import Foundation
import HTTPTypes
import Logging
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

@testable import SmsHubApp
@testable import SmsHubRepository

/// Sends through a route of SUBMAIL and Huawei accounts, end to end: the API, PostgreSQL, the
/// dispatcher and the simulator over HTTP. A refusal for the account moves a recipient to the next
/// account; a lost answer never does, and a call whose lease lapsed is never made again.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct RouteDispatchTests {
    struct Route {
        var setup: ProviderSendTests.Setup
        var key: String
        var submail: CallbackAccount
        var huawei: CallbackAccount
        var templateID: String

        func dispatcher(timeout: Duration = TestTimeouts.outboundCall) -> Dispatcher {
            Dispatcher(
                repository: PostgresDispatchRepository(database: Database(pool: self.setup.app.pool)),
                accounts: PostgresProviderAccountRepository(database: Database(pool: self.setup.app.pool)),
                caller: self.setup.app.caller(timeout: timeout),
                keyring: testKeyring,
                logger: Logger(label: "test.dispatch"),
                publicBaseURL: self.setup.hub
            )
        }

        /// Sends the template to `numbers` on the tenant's default route; the recipients' ids.
        func send(_ numbers: [String]) async throws -> [String] {
            let list = numbers.map { "\"\($0)\"" }.joined(separator: ",")
            let reply = try await self.setup.app.request(
                .post,
                "/v1/messages",
                bearer: self.key,
                json: #"{"recipients":[\#(list)],"template_id":"\#(self.templateID)","variables":{"code":"1234"}}"#
            )
            #expect(reply.status == .accepted, "\(reply.text)")
            let recipients = try #require(reply.json["recipients"] as? [[String: Any]])
            return recipients.compactMap { $0["id"] as? String }
        }

        func attempts(_ recipient: String) async throws -> [[String: String?]] {
            try await self.setup.app.rows(
                "SELECT step::text, outcome, code FROM send_attempts WHERE recipient_id = '\(recipient)' ORDER BY step, created_at"
            )
        }

        func status(_ recipient: String) async throws -> (status: String, code: String?, description: String?) {
            try await self.setup.app.recipientStatus(try #require(UUID(uuidString: recipient)))
        }
    }

    func withRoute(_ body: @Sendable (Route) async throws -> Void) async throws {
        try await ProviderSendTests().withSetup { setup, _ in
            let tenant = try await setup.app.makeTenant()
            let (submail, _) = try await setup.account(.submail, tenant: tenant)
            let (huawei, _) = try await setup.account(.huawei, tenant: tenant)
            let app = setup.app
            let template = try await app.request(
                .post,
                "/v1/templates",
                bearer: tenant.key,
                json: #"{"name":"code","category":"verification","body":"【Acme】您的验证码是{{code}}"}"#
            )
            #expect(template.status == .created, "\(template.text)")
            let templateID = try #require(template.json["id"] as? String)
            let mapped = try await app.request(
                .put,
                "/v1/templates/\(templateID)/mappings/\(huawei.accountID.uuidString.lowercased())",
                bearer: tenant.key,
                json: #"{"template_id":"tpl-1","channel":"8820122113125","parameters":["code"]}"#
            )
            #expect(mapped.status == .ok, "\(mapped.text)")
            let accounts = [submail.accountID, huawei.accountID].map { "\"\($0.uuidString.lowercased())\"" }.joined(separator: ",")
            let route = try await app.request(
                .post,
                "/v1/routes",
                bearer: tenant.key,
                json: #"{"name":"main","accounts":[\#(accounts)],"is_default":true}"#
            )
            #expect(route.status == .created, "\(route.text)")
            try await body(Route(setup: setup, key: tenant.key, submail: submail, huawei: huawei, templateID: templateID))
        }
    }

    /// The bench's chaos run in small (bench/send-chaos runs 10,000 with kill -9 and two processes):
    /// 400 recipients over SUBMAIL, Huawei and EngageLab, the first refusing, hanging and failing calls,
    /// dispatched by two dispatchers at once, as two instances would.
    @Test func underFaultsAndTwoDispatchersNoNumberIsSentTwiceAndEveryRecipientEnds() async throws {
        try await withRoute { route in
            let app = route.setup.app
            let tenant = (id: route.submail.tenantID.uuidString.lowercased(), key: route.key)
            let (engageLab, _) = try await route.setup.account(.engagelab, tenant: tenant)
            let mapped = try await app.request(
                .put,
                "/v1/templates/\(route.templateID)/mappings/\(engageLab.accountID.uuidString.lowercased())",
                bearer: route.key,
                json: #"{"template_id":"1233","parameters":{"code":"code"}}"#
            )
            #expect(mapped.status == .ok)
            let accounts = [route.submail, route.huawei, engageLab].map { "\"\($0.accountID.uuidString.lowercased())\"" }.joined(separator: ",")
            let three = try await app.request(.post, "/v1/routes", bearer: route.key, json: #"{"name":"three","accounts":[\#(accounts)]}"#)
            let routeID = try #require(three.json["id"] as? String)
            var submail = SendSimulator.Rates()
            (submail.refusePercent, submail.hangPercent, submail.acceptErrorPercent, submail.hang) = (30, 10, 10, .seconds(3))
            await route.setup.senders.setRates(.submail, submail)
            // Each class at least once, whatever the draws: queued faults come first.
            await route.setup.senders.queue(.submail, faults: [.account("903"), .hang(.seconds(3)), .acceptThenError])
            var huawei = SendSimulator.Rates()
            huawei.refusePercent = 20
            await route.setup.senders.setRates(.huawei, huawei)

            let numbers = (0..<400).map { String(format: "+86139%05d%03d", $0 / 8, $0 % 8) }
            for chunk in numbers.slices(of: 100) {
                let list = chunk.map { "\"\($0)\"" }.joined(separator: ",")
                let body = #"{"route_id":"\#(routeID)","recipients":[\#(list)],"template_id":"\#(route.templateID)","variables":{"code":"1"}}"#
                #expect(try await app.request(.post, "/v1/messages", bearer: route.key, json: body).status == .accepted)
            }
            let first = route.dispatcher(timeout: .seconds(1))
            let second = route.dispatcher(timeout: .seconds(1))
            let dispatched = try await eventually(every: .milliseconds(10)) {
                async let a = first.runOnce()
                async let b = second.runOnce()
                _ = try await (a, b)
                return try await app.rows("SELECT 1 FROM message_recipients WHERE status = 'queued'").isEmpty
            }
            #expect(dispatched, "nothing left queued")
            let final = try await eventually {
                try await app.rows("SELECT 1 FROM message_recipients WHERE status_rank(status) < 4").isEmpty
            }
            #expect(final, "every recipient reached a final state by its report")

            var providers: [String: Int] = [:]
            for (_, counts) in await route.setup.senders.sends {
                for (number, count) in counts {
                    #expect(count == 1, "\(number) was sent \(count) times")
                    providers[number, default: 0] += 1
                }
            }
            #expect(providers.values.allSatisfy { $0 == 1 }, "no number reached two providers")
            let moved = try await app.rows(
                """
                SELECT count(*) AS n FROM send_attempts a WHERE a.outcome = 'refused_account' AND a.step < 2
                  AND NOT EXISTS (SELECT 1 FROM send_attempts b WHERE b.recipient_id = a.recipient_id AND b.step = a.step + 1)
                """
            )
            #expect(moved.first?["n"] == "0", "every number refused for an account reached the next")
            let lost = try await app.rows(
                """
                SELECT count(*) FILTER (WHERE n > 1) AS several, count(*) AS lost FROM (
                    SELECT recipient_id, count(*) AS n FROM send_attempts GROUP BY 1 HAVING bool_or(outcome = 'unknown')) x
                """
            )
            #expect(lost.first?["several"] == "0", "a lost answer stays on its one attempt")
            #expect(Int(lost.first?["lost"].flatMap { $0 } ?? "0") ?? 0 > 0, "the faults lost some answers")
            let unattached = try await app.rows("SELECT 1 FROM status_events WHERE recipient_id IS NULL AND source = 'push'")
            #expect(unattached.isEmpty, "every report found its recipient")
        }
    }

    @Test func aRefusalForTheAccountMovesEveryNumberToTheNextAccountOnce() async throws {
        try await withRoute { route in
            await route.setup.senders.queue(.submail, faults: [.account("903")])
            let numbers = ["+8613800000010", "+8613800000017", "+8613800000021"]
            let recipients = try await route.send(numbers)
            #expect(try await route.dispatcher().runOnce() == 1, "SUBMAIL refuses the call")
            // The refused call's window closing does not expire numbers that moved on to Huawei.
            _ = try await route.setup.app.rows("UPDATE dispatch_tasks SET open_until = now() - interval '1 second' RETURNING id")
            let expiry = PostgresExpiryRepository(database: Database(pool: route.setup.app.pool))
            #expect(try await expiry.expireDue(tenantID: route.submail.tenantID, limit: 100).expired == 0)
            #expect(try await recipients.asyncMap { try await route.status($0).status } == ["queued", "queued", "queued"])
            #expect(try await route.dispatcher().runOnce() == 1, "Huawei takes the numbers")
            let sends = await route.setup.senders.sends
            #expect(sends[.submail] == nil, "SUBMAIL sent nothing")
            #expect(sends[.huawei] == Dictionary(uniqueKeysWithValues: numbers.map { ($0, 1) }))
            let expected = ["delivered", "undelivered", "delivered"]
            var states: [String] = []
            let settled = try await eventually {
                states = try await recipients.asyncMap { try await route.status($0).status }
                return states == expected
            }
            #expect(settled, "recipients are \(states)")
            for recipient in recipients {
                let attempts = try await route.attempts(recipient)
                #expect(attempts.map { $0["outcome"] ?? nil } == ["refused_account", "accepted"])
                #expect(attempts.first?["code"] == "903")
            }
            #expect(try await route.dispatcher().runOnce() == 0, "nothing left")
            let shown = try await route.setup.app.request(.get, "/v1/recipients/\(recipients[0])", bearer: route.key)
            let attempts = try #require(shown.json["attempts"] as? [[String: Any]])
            #expect(attempts.map { $0["outcome"] as? String } == ["refused_account", "accepted"])
            #expect(
                attempts.map { $0["provider_account_id"] as? String }
                    == [route.submail.accountID, route.huawei.accountID].map { $0.uuidString.lowercased() }
            )
            #expect(attempts.last?["provider_message_id"] is String, "Huawei's id for the number")
        }
    }

    @Test func aRefusedNumberEndsThereAndALostAnswerNeverFailsOver() async throws {
        try await withRoute { route in
            await route.setup.senders.queue(.submail, faults: [.number("115")])
            let refused = try await route.send(["+8613800000030"])
            #expect(try await route.dispatcher().runOnce() == 1)
            #expect(try await route.status(refused[0]).status == "failed")
            #expect(try await route.status(refused[0]).code == "115")

            // Accepted, then answered after the dispatcher's deadline: unknown, settled by its report.
            await route.setup.senders.queue(.submail, faults: [.hang(.seconds(4))])
            let lost = try await route.send(["+8613800000050"])
            #expect(try await route.dispatcher(timeout: .seconds(2)).runOnce() == 1)
            #expect(try await route.dispatcher().runOnce() == 0, "an unknown outcome is not sent again")
            #expect(try await eventually { try await route.status(lost[0]).status == "delivered" }, "its report settles it")
            #expect(try await route.attempts(lost[0]).map { $0["outcome"] ?? nil } == ["unknown"])
            let sends = await route.setup.senders.sends
            #expect(sends[.huawei] == nil, "no number reached the second account")
            #expect(sends[.submail]?["+8613800000050"] == 1)
        }
    }

    @Test func aTemplateTheProviderLastRejectedIsRefusedBeforeAnyCall() async throws {
        try await withRoute { route in
            let app = route.setup.app
            let submail = route.submail.accountID.uuidString.lowercased()
            let mapped = try await app.request(
                .put,
                "/v1/templates/\(route.templateID)/mappings/\(submail)",
                bearer: route.key,
                json: #"{"project":"P1","variables":{"code":"code"}}"#
            )
            #expect(mapped.status == .ok, "\(mapped.text)")
            func review(_ result: String) async throws {
                _ = try await app.rows(
                    """
                    INSERT INTO review_events (tenant_id, provider_account_id, provider, kind, subject, result, dedup_key, raw)
                    VALUES ('\(route.submail.tenantID)', '\(submail)', 'submail', 'template', 'P1', '\(result)', '\(UUID())', '{}') RETURNING id
                    """
                )
            }
            try await review("rejected")
            let body = #"{"recipients":["+8613800000070"],"template_id":"\#(route.templateID)","variables":{"code":"1"}}"#
            let refused = try await app.request(.post, "/v1/messages", bearer: route.key, json: body)
            expectProblem(refused, .unprocessableContent, code: "validation_failed")
            let fields = (refused.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
            #expect(fields == ["accounts[\(submail)]"])
            #expect(try await app.count("messages") == 0, "nothing stored")
            try await review("approved")
            #expect(try await app.request(.post, "/v1/messages", bearer: route.key, json: body).status == .accepted, "the latest review counts")
        }
    }

    @Test func aCallWhoseLeaseLapsedIsSettledUnknownAndNeverMade() async throws {
        try await withRoute { route in
            let recipients = try await route.send(["+8613800000060", "+8613800000061"])
            let repository = PostgresDispatchRepository(database: Database(pool: route.setup.app.pool))
            let tenantID = route.submail.tenantID
            _ = try await repository.plan(tenantID: tenantID, maxPerTask: 3000, limit: 100)
            // An instance claims the task, then stops before calling: its lease lapses.
            let claimed = try await repository.claim(tenantID: tenantID, limit: 10, perAccount: 4, lease: .seconds(30), owner: UUID())
            #expect(claimed.count == 1 && claimed[0].provider == .submail)
            _ = try await route.setup.app.rows("UPDATE dispatch_tasks SET lease_until = now() - interval '1 second' RETURNING id")
            #expect(try await route.dispatcher().runOnce() == 0, "the lapsed call is not made again")
            for recipient in recipients {
                #expect(try await route.status(recipient).status == "unknown")
                #expect(try await route.status(recipient).code == "outcome_unknown")
                #expect(try await route.attempts(recipient).map { $0["outcome"] ?? nil } == ["unknown"])
            }
            // The instance that held the lease resumes: its outcome is refused by the fence.
            #expect(try await repository.complete(claimed[0], outcome: .numbers([.accepted(providerID: "x", segments: nil)])) == false)
            #expect(await route.setup.senders.sends.isEmpty, "no provider was called")
        }
    }
}
