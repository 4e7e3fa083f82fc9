import FuzzSupport
import SmsHubDomain

/// Form, query and multipart readers: every field they return is storable text, and the raw payload
/// made of them is JSON the reader takes back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzForm(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = FuzzInput(start, count)
    let fields: [String: String]?
    switch input.selector % 3 {
    case 0: fields = try? FormBody.urlEncoded(input.body, signatureFields: ["signature"])
    case 1: fields = try? FormBody.multipart(input.body, boundary: "b", signatureFields: ["signature"])
    default:
        // The boundary from the first line, as a header would carry it.
        let line = input.body.prefix { $0 != 10 }
        fields = try? FormBody.multipart(Array(input.body.dropFirst(line.count)), boundary: String(decoding: line, as: UTF8.self))
    }
    guard let fields else { return 0 }
    for (name, value) in fields {
        Invariants.text(name, max: 1 << 20)
        Invariants.text(value, max: 1 << 20)
    }
    let raw = JSONObject.serialise(fields)
    Invariants.require((try? JSONReader.parse(Array(raw.utf8), duplicates: .refuse)) != nil, "form raw payload is not JSON")
    return 0
}
