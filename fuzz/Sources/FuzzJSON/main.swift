import FuzzSupport
import SmsHubDomain

/// The JSON reader: whatever it accepts has a canonical text that it reads back to the same value,
/// and that text is a fixed point. Both duplicate policies; the selector picks one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let policy: JSONReader.Duplicates = input.selector & 1 == 0 ? .refuse : .refuseDiffering
    guard let value = try? JSONReader.parse(input.body, duplicates: policy) else { return 0 }
    let text = value.canonicalText
    Invariants.require(!text.utf8.contains(0), "a NUL byte in canonical text")
    guard let again = try? JSONReader.parse(Array(text.utf8), duplicates: .refuse) else {
        fatalError("canonical text does not read back: \(text)")
    }
    Invariants.require(again.canonicalText == text, "canonical text is not a fixed point")
    return 0
}
