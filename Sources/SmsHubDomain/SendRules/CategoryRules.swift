import Foundation

/// What each category's text must and must not say, as providers review it (docs/sending-rules.md,
/// "Categories"): a marketing text tells the reader how to refuse more; a verification code says it is
/// one and carries neither refusal text nor links; a notification carries no refusal text (that is a
/// marketing text's mark). Checked on a template's body when it is created and on a message's text
/// when it is sent, so a provider never rejects one for it after the call.
package enum CategoryRules {
    /// Refusal instructions as Huawei, Aliyun and SUBMAIL ask for them, and in English.
    package static let refusalPhrases = [
        "拒收请回复R", "回R退订", "退订回R", "回T退订", "退订回T", "回TD退订", "退订回TD", "回N退订", "退订回N", "REPLY STOP", "STOP TO UNSUBSCRIBE",
        "STOP TO OPT OUT",
    ]
    /// The words that mark a verification code (Aliyun's list, and its traditional forms and English).
    package static let codeWords = ["验证码", "驗證碼", "注册码", "註冊碼", "校验码", "校驗碼", "动态码", "動態碼", "CODE"]
    static let links = ["HTTP://", "HTTPS://", "WWW."]

    package static func problems(_ text: String, category: TemplateCategory, field: String) -> [FieldProblem] {
        let folded = Self.withoutVariables(text).uppercased().replacingOccurrences(of: " ", with: "")
        let refuses = self.refusalPhrases.contains { folded.contains($0.replacingOccurrences(of: " ", with: "")) }
        switch category {
        case .marketing:
            guard refuses else {
                return [FieldProblem(field: field, message: "is a marketing text and must say how to refuse more, such as 拒收请回复R")]
            }
        case .verification:
            var problems: [FieldProblem] = []
            if !self.codeWords.contains(where: { folded.contains($0) }) {
                problems.append(FieldProblem(field: field, message: "is a verification code and must say so (验证码, 注册码, 校验码, 动态码 or code)"))
            }
            if refuses { problems.append(FieldProblem(field: field, message: "is a verification code and must not carry refusal text")) }
            if self.links.contains(where: { folded.contains($0) }) {
                problems.append(FieldProblem(field: field, message: "is a verification code and must not carry links"))
            }
            return problems
        case .notification:
            if refuses { return [FieldProblem(field: field, message: "is a notification and must not carry refusal text (that marks marketing)")] }
        }
        return []
    }

    /// A template's text without its `{{variables}}`: a variable named `code` does not make a text say
    /// it is a code.
    static func withoutVariables(_ text: String) -> String {
        guard text.contains("{{") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            out += rest[..<open.lowerBound]
            rest = rest[close.upperBound...]
        }
        return out + rest
    }
}
