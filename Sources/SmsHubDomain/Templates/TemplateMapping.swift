/// How one account sends a hub template: the provider's own template for it, as the tenant registered
/// it there. SUBMAIL may also take the rendered text, which it matches against its approved templates.
package enum TemplateMapping: Sendable, Equatable {
    /// A SUBMAIL project and, per project variable, the hub variable that fills it; nil sends the text.
    case submail(project: String?, variables: [String: String])
    /// A Huawei template, its signature's channel number, the signature name (generic templates only),
    /// and the hub variables that fill its parameters, in order.
    case huawei(templateID: String, channel: String, signature: String?, parameters: [String])
    /// An EngageLab template and, per template parameter, the hub variable that fills it.
    case engageLab(templateID: String, parameters: [String: String])
    /// The Gateway sends the rendered text.
    case gateway

    package static let maxIDBytes = 64

    /// The provider's id of the template, as its review events name it (SUBMAIL's project).
    package var providerTemplateID: String? {
        switch self {
        case .submail(let project, _): project
        case .huawei(let id, _, _, _), .engageLab(let id, _): id
        case .gateway: nil
        }
    }

    /// Problems with the mapping against the template's variables: every provider variable names a
    /// hub variable, and every id is one the provider's request can carry.
    package func problems(for body: TemplateBody, field: String = "mapping") -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func id(_ value: String, _ name: String) {
            if value.isEmpty || value.utf8.count > Self.maxIDBytes
                || value.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0 == "{" || $0 == "}" })
            {
                problems.append(FieldProblem(field: "\(field).\(name)", message: "must be 1 to \(Self.maxIDBytes) printable bytes"))
            }
        }
        func known(_ names: some Sequence<String>, _ name: String) {
            for variable in names where !body.variables.contains(variable) {
                problems.append(
                    FieldProblem(
                        field: "\(field).\(name)",
                        message: "names \(variable.prefix(utf8Bytes: 40)), which is not a variable of the template"
                    )
                )
            }
        }
        switch self {
        case .submail(let project, let variables):
            if let project { id(project, "project") }
            known(variables.values, "variables")
        case .huawei(let templateID, let channel, let signature, let parameters):
            id(templateID, "template_id")
            id(channel, "channel")
            if let signature, signature.isEmpty || signature.utf8.count > 64 {
                problems.append(FieldProblem(field: "\(field).signature", message: "must be 1 to 64 bytes"))
            }
            known(parameters, "parameters")
        case .engageLab(let templateID, let parameters):
            id(templateID, "template_id")
            known(parameters.values, "parameters")
        case .gateway:
            break
        }
        return problems
    }

    /// What the account sends for the template filled with `values` (already checked by
    /// `TemplateBody.render`, whose text is `rendered`).
    package func content(rendered: String, values: [String: String]) -> ProviderContent? {
        switch self {
        case .submail(nil, _):
            return .submail(.text(rendered))
        case .submail(let project?, let variables):
            return .submail(.project(project, variables: variables.compactMapValues { values[$0] }))
        case .huawei(let templateID, let channel, let signature, let parameters):
            return .huawei(
                HuaweiSend.Template(id: templateID, channel: channel, signature: signature),
                parameters: parameters.map { values[$0] ?? "" }
            )
        case .engageLab(let templateID, let parameters):
            return .engageLab(templateID: templateID, parameters: parameters.compactMapValues { values[$0] })
        case .gateway:
            return nil
        }
    }
}
