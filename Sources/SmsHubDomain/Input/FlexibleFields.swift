/// Reads the string fields of a body that may be JSON or form-encoded (Gateway, Huawei, SUBMAIL).
///
/// `credentialFields` authenticate the request (SUBMAIL's `token` and `signature`): they are read, and
/// left out of the raw payload that is stored, where they would outlive their use.
enum FlexibleFields {
    static func fields(
        of request: CallbackRequest,
        allowJSON: Bool,
        allowForm: Bool,
        allowMultipart: Bool = false,
        signatureFields: Set<String> = [],
        credentialFields: Set<String> = []
    ) throws(CallbackError) -> (fields: [String: String], raw: String) {
        func raw(_ fields: [String: String]) -> String {
            JSONObject.serialise(credentialFields.isEmpty ? fields : fields.filter { !credentialFields.contains($0.key) })
        }
        if request.method == .get {
            let fields = try FormBody.urlEncoded(Array(request.query.utf8), field: "query", signatureFields: signatureFields)
            return (fields, raw(fields))
        }
        switch request.mediaType {
        case "application/json" where allowJSON:
            let object = try JSONObject.parse(request.body)
            let stored = credentialFields.isEmpty ? object : JSONObject(object.members.filter { !credentialFields.contains($0.key) })
            return (object.textFields, stored.canonicalText)
        case "application/x-www-form-urlencoded" where allowForm:
            let fields = try FormBody.urlEncoded(request.body, signatureFields: signatureFields)
            return (fields, raw(fields))
        case "multipart/form-data" where allowMultipart:
            let fields = try FormBody.multipart(request.body, boundary: request.headerParameter("boundary"), signatureFields: signatureFields)
            return (fields, raw(fields))
        default:
            var accepted: [String] = []
            if allowJSON { accepted.append("application/json") }
            if allowForm { accepted.append("application/x-www-form-urlencoded") }
            if allowMultipart { accepted.append("multipart/form-data") }
            throw .unsupportedMediaType(accepted.joined(separator: " or "))
        }
    }
}
