import Foundation
import SmsHubDomain
import SmsHubSimulator
import TestSupport
import Testing

@testable import SmsHubApp

/// An instance frozen while it holds a dispatch task, whose lease another instance takes over, finds
/// nothing to write when it resumes, whatever the gateway answers to a repeated task id.
@Suite(.tags(.slow), .timeLimit(.minutes(10))) struct FencedLeaseTests {
    /// 900 recipients in three messages (three tasks), two instances.
    func sendThree(_ setup: DispatcherTests.Setup) async throws {
        for batch in 0..<3 {
            _ = try await setup.send((0..<300).map { String(format: "137%04d%04d", batch, $0 * 10) }, content: "batch \(batch)")
        }
    }

    func lapseLeases(_ setup: DispatcherTests.Setup) async throws {
        _ = try await setup.app.rows("UPDATE dispatch_tasks SET lease_until = now() - interval '1 second' WHERE state = 'pending' RETURNING id")
    }

    func expectAllSubmittedOnce(_ setup: DispatcherTests.Setup) async throws {
        let states = try await setup.app.rows("SELECT status, count(*) AS n FROM message_recipients GROUP BY status")
        #expect(states == [["status": "submitted", "n": "900"]], "every accepted recipient stays accepted")
        let tasks = try await setup.app.rows("SELECT state, count(*) AS n FROM dispatch_tasks GROUP BY state")
        #expect(tasks == [["state": "done", "n": "3"]])
        let sent = await setup.simulator.allTasks()
        #expect(sent.count == 3)
        #expect(sent.flatMap(\.mobiles).count == 900, "no recipient was sent twice")
    }

    /// Frozen after claiming, before calling: on resuming it sees its lease gone and does not call.
    @Test(arguments: [GatewaySimulator.RepeatedTaskAnswer.acceptSilently, .refuse(code: "99")])
    func frozenBeforeTheCall(answer: GatewaySimulator.RepeatedTaskAnswer) async throws {
        try await DispatcherTests().withSetup { setup in
            await setup.simulator.answerRepeatedTasks(answer)
            try await self.sendThree(setup)
            let stale = setup.dispatcher()
            let claimed = try await stale.claimRound(OutboundSlots(stale.limits))
            #expect(claimed.count == 3)

            try await self.lapseLeases(setup)
            #expect(try await setup.dispatcher().runOnce() == 3, "the second instance takes the tasks over")

            for task in claimed { await stale.execute(task) }
            try await self.expectAllSubmittedOnce(setup)
            #expect(await setup.simulator.allTasks().allSatisfy { $0.sendCalls == 1 }, "the resumed instance called nothing")
        }
    }

    /// Frozen after the gateway accepted its call, before recording it: the second instance's call is
    /// a repeat (acknowledged, or refused with code 99 and taken as accepted), and the first one's
    /// late outcome is discarded.
    @Test(arguments: [GatewaySimulator.RepeatedTaskAnswer.acceptSilently, .refuse(code: "99")])
    func frozenDuringTheCall(answer: GatewaySimulator.RepeatedTaskAnswer) async throws {
        try await DispatcherTests().withSetup { setup in
            await setup.simulator.answerRepeatedTasks(answer)
            try await self.sendThree(setup)
            let stale = setup.dispatcher()
            let claimed = try await stale.claimRound(OutboundSlots(stale.limits))
            var outcomes: [DispatchOutcome] = []
            for task in claimed { outcomes.append(await stale.send(task)) }
            #expect(outcomes.allSatisfy { $0 == .accepted() })

            try await self.lapseLeases(setup)
            #expect(try await setup.dispatcher().runOnce() == 3)
            let notes = try await setup.app.rows("SELECT DISTINCT last_error FROM dispatch_tasks")
            if case .refuse = answer {
                #expect(notes.map { $0["last_error"] ?? nil }.allSatisfy { $0?.contains("repeated task id (code 99)") == true })
            } else {
                #expect(notes == [["last_error": nil]])
            }

            // The first instance resumes with its answers; each is refused by the fence.
            for (task, outcome) in zip(claimed, outcomes) {
                #expect(try await PostgresDispatchRepositoryProbe(setup).complete(task, .refused(code: "99", message: "late")) == false)
                #expect(try await PostgresDispatchRepositoryProbe(setup).complete(task, outcome) == false)
            }
            try await self.expectAllSubmittedOnce(setup)
            #expect(await setup.simulator.allTasks().allSatisfy { $0.sendCalls == 2 })
        }
    }

    /// A refused first attempt is a refusal: only a retry's refusal may be the gateway's answer to a repeat.
    @Test func aFirstAttemptRefusalStillFails() async throws {
        try await DispatcherTests().withSetup { setup in
            await setup.simulator.answerRepeatedTasks(.refuse(code: "99"))
            _ = try await setup.send(["13800000010"])
            await setup.simulator.injectSendFaults([.code("07")])
            try await setup.dispatcher().runOnce()
            #expect(try await setup.app.rows("SELECT status, status_code FROM message_recipients") == [["status": "failed", "status_code": "07"]])
        }
    }

    /// A call longer than the lease keeps it: a second instance finds nothing to claim meanwhile.
    @Test func aLongCallRenewsItsLease() async throws {
        try await DispatcherTests().withSetup { setup in
            _ = try await setup.send(["13800000020"])
            // The call outlasts the lease several times over; renewals every third of it keep it.
            await setup.simulator.injectSendFaults([.hang(seconds: 6)])
            let base = setup.dispatcher()
            let slow = Dispatcher(
                repository: base.repository,
                accounts: base.accounts,
                caller: setup.app.caller(),
                keyring: base.keyring,
                logger: base.logger,
                lease: .seconds(2)
            )
            async let first = slow.runOnce()
            var claimedMeanwhile = 0
            for _ in 0..<16 {
                try await Task.sleep(for: .milliseconds(300))
                claimedMeanwhile += try await setup.dispatcher().runOnce()
            }
            #expect(try await first == 1)
            #expect(claimedMeanwhile == 0, "the lease was renewed while the call ran")
            #expect(await setup.simulator.allTasks().map(\.sendCalls) == [1])
            #expect(try await setup.app.rows("SELECT state, attempts FROM dispatch_tasks") == [["state": "done", "attempts": "1"]])
        }
    }
}

/// The repository as the dispatcher uses it, for writing an outcome by hand.
struct PostgresDispatchRepositoryProbe {
    let setup: DispatcherTests.Setup

    init(_ setup: DispatcherTests.Setup) {
        self.setup = setup
    }

    func complete(_ task: DispatchTask, _ outcome: DispatchOutcome) async throws -> Bool {
        try await self.setup.dispatcher().repository.complete(task, outcome: outcome)
    }
}
