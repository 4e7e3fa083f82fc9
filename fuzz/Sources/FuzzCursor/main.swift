import Foundation
import FuzzSupport
import SmsHubDomain

/// Page cursors: nothing but a token this codec sealed reads back, and what reads back is in range.
/// Half the inputs are sealed first (with a time taken from the input), so the fuzzer also explores
/// valid tokens and their one-byte changes.
let codec = PageCursorCodec(key: Array(repeating: 7, count: 32))
let scope = PageCursorCodec.scope(tenant: UUID(uuid: (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)), list: "messages")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCursor(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    if input.selector & 1 == 1, input.body.count >= 8 {
        var bits: UInt64 = 0
        for byte in input.body.prefix(8) { bits = bits << 8 | UInt64(byte) }
        let time = Date(timeIntervalSince1970: Double(bitPattern: bits))
        if let token = codec.token(PageCursor(time: time, id: UUID()), scope: scope) {
            Invariants.require(codec.cursor(token, scope: scope) != nil, "a sealed cursor does not open")
        }
        return 0
    }
    let token = String(decoding: input.body, as: UTF8.self)
    if let cursor = codec.cursor(token, scope: scope) {
        let seconds = cursor.time.timeIntervalSince1970
        Invariants.require(seconds.isFinite && abs(seconds) < 253_402_300_800, "cursor time out of range")
        Invariants.require(codec.token(cursor, scope: scope) == token, "a cursor reads back from a token it would not write")
    }
    return 0
}
