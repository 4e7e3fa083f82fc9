import Foundation
import SmsHubDomain
import Testing

@Suite struct GatewayCopyTallyTests {
    let identity = "s:task:135****0001:DELIVRD:2019-04-12 17:57:08"

    func push(_ number: String) -> GatewayCopy { GatewayCopy(identity: self.identity, pushedNumber: number) }
    var pull: GatewayCopy { GatewayCopy(identity: self.identity, pushedNumber: nil) }

    func decisions(_ copies: [GatewayCopy]) -> [GatewayCopyTally.Decision] {
        var tally = GatewayCopyTally()
        return copies.map { tally.count($0) }
    }

    @Test func aPushAndItsPulledCopyAreOneReportInEitherOrder() {
        let a = "+8613512340001"
        #expect(self.decisions([self.push(a), self.pull]) == [.new(slot: 0), .duplicate])
        // The pulled copy came first: the push names the number it was for.
        #expect(self.decisions([self.pull, self.push(a)]) == [.new(slot: 0), .pairsWithPulled(slot: 0)])
    }

    @Test func numbersMaskedAlikeAreTwoReportsAndTheirPulledCopiesNone() {
        let (a, b) = ("+8613512340001", "+8613598760001")
        #expect(self.decisions([self.push(a), self.push(b), self.pull, self.pull]) == [.new(slot: 0), .new(slot: 1), .duplicate, .duplicate])
        #expect(
            self.decisions([self.pull, self.pull, self.push(a), self.push(b)]) == [
                .new(slot: 0), .new(slot: 1), .pairsWithPulled(slot: 0), .pairsWithPulled(slot: 1),
            ]
        )
        // One push lost: its report comes by the pull alone.
        #expect(self.decisions([self.push(a), self.pull, self.pull]) == [.new(slot: 0), .duplicate, .new(slot: 1)])
        // Pulls and pushes interleaved.
        #expect(
            self.decisions([self.pull, self.push(a), self.push(b), self.pull]) == [
                .new(slot: 0), .pairsWithPulled(slot: 0), .new(slot: 1), .duplicate,
            ]
        )
    }

    @Test func aPushReceivedTwiceIsOneReport() {
        let a = "+8613512340001"
        #expect(self.decisions([self.push(a), self.push(a), self.pull]) == [.new(slot: 0), .duplicate, .duplicate])
        #expect(
            self.decisions([self.pull, self.push(a), self.push(a), self.pull]) == [
                .new(slot: 0), .pairsWithPulled(slot: 0), .duplicate, .new(slot: 1),
            ]
        )
    }

    /// Any number of reports of one identity, each pushed at most once (some lost, some received
    /// twice) and pulled exactly once, in any order: exactly one new copy per report, in slots 0..<n,
    /// and every push either stores its report or names the number of a slot a pull stored, once per slot.
    @Test func everyOrderStoresEachReportOnce() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<2_000 {
            let reports = Int.random(in: 1...6, using: &generator)
            var copies: [GatewayCopy] = []
            for report in 0..<reports {
                let number = "+86135\(String(format: "%04d", report))0001"
                copies.append(self.pull)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: break  // the push was lost
                case 1: copies += [self.push(number), self.push(number)]
                default: copies.append(self.push(number))
                }
            }
            copies.shuffle(using: &generator)
            let decisions = self.decisions(copies)
            var stored: [Int: GatewayCopy] = [:]
            var named = Set<Int>()
            for (copy, decision) in zip(copies, decisions) {
                switch decision {
                case .new(let slot):
                    #expect(stored.updateValue(copy, forKey: slot) == nil)
                case .pairsWithPulled(let slot):
                    #expect(copy.pushedNumber != nil && stored[slot]?.pushedNumber == nil)
                    #expect(named.insert(slot).inserted)
                case .duplicate:
                    break
                }
            }
            #expect(stored.keys.sorted() == Array(0..<reports), "\(copies.map { $0.pushedNumber ?? "pull" })")
            // Every number pushed is named by exactly one slot: its own, or a pulled one it took.
            let pushedNumbers = Set(copies.compactMap(\.pushedNumber))
            #expect(stored.values.filter { $0.pushedNumber != nil }.count + named.count == pushedNumbers.count)
        }
    }
}
