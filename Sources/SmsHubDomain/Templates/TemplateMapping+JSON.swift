/// A mapping as the API takes and shows it, and as `template_mappings.mapping` stores it: one object
/// whose fields depend on the account's provider.
///
/// - SUBMAIL: `{"project": "…"?, "variables": {"<project variable>": "<hub variable>"}}`
/// - Huawei: `{"template_id": "…", "channel": "…", "signature": "…"?, "parameters": ["<hub variable>", …]}`
/// - EngageLab: `{"template_id": "…", "parameters": {"<template parameter>": "<hub variable>"}}`
/// - Gateway: `{}` (it sends the rendered text)
extension TemplateMapping {
    package static let maxNames = 20

    static let fields: [Provider: Set<String>] = [
        .submail: ["project", "variables"],
        .huawei: ["template_id", "channel", "signature", "parameters"],
        .engagelab: ["template_id", "parameters"],
        .gateway: [],
    ]

    package static func read(_ value: JSONValue, provider: Provider, field: String = "mapping") -> Result<TemplateMapping, InvalidFields> {
        var problems: [FieldProblem] = []
        guard case .object(let members) = value else { return .failure(InvalidFields([FieldProblem(field: field, message: "must be an object")])) }
        // A misspelt field would otherwise be dropped without a word.
        let known = Self.fields[provider] ?? []
        for member in members where !known.contains(member.key) {
            problems.append(
                FieldProblem(field: "\(field).\(member.key.prefix(utf8Bytes: 64))", message: "is not a field of a \(provider.rawValue) mapping")
            )
        }
        func string(_ key: String, required: Bool) -> String? {
            switch value[key] {
            case .string(let text)?: return text
            case nil, .null?:
                if required { problems.append(FieldProblem(field: "\(field).\(key)", message: "is required")) }
                return nil
            default:
                problems.append(FieldProblem(field: "\(field).\(key)", message: "must be a string"))
                return nil
            }
        }
        func names(_ key: String) -> [String: String] {
            guard let member = value[key], member != .null else { return [:] }
            guard case .object(let members) = member, members.count <= Self.maxNames,
                members.allSatisfy({ if case .string = $0.value { true } else { false } })
            else {
                problems.append(FieldProblem(field: "\(field).\(key)", message: "must be an object of at most \(Self.maxNames) strings"))
                return [:]
            }
            var out: [String: String] = [:]
            for member in members {
                if case .string(let name) = member.value, member.key.utf8.count <= Self.maxIDBytes { out[member.key] = name }
            }
            return out
        }
        let mapping: TemplateMapping
        switch provider {
        case .submail:
            mapping = .submail(project: string("project", required: false), variables: names("variables"))
        case .huawei:
            var parameters: [String] = []
            switch value["parameters"] {
            case nil, .null?: break
            case .array(let elements)? where elements.count <= Self.maxNames:
                for element in elements {
                    if case .string(let name) = element { parameters.append(name) }
                }
                if parameters.count != elements.count {
                    problems.append(FieldProblem(field: "\(field).parameters", message: "must be an array of strings"))
                }
            default:
                problems.append(FieldProblem(field: "\(field).parameters", message: "must be an array of at most \(Self.maxNames) strings"))
            }
            mapping = .huawei(
                templateID: string("template_id", required: true) ?? "",
                channel: string("channel", required: true) ?? "",
                signature: string("signature", required: false),
                parameters: parameters
            )
        case .engagelab:
            mapping = .engageLab(templateID: string("template_id", required: true) ?? "", parameters: names("parameters"))
        case .gateway:
            mapping = .gateway
        }
        guard problems.isEmpty else { return .failure(InvalidFields(problems)) }
        return .success(mapping)
    }

    package func write(into out: inout JSONWriter) {
        func names(_ key: String, _ values: [String: String], _ out: inout JSONWriter) {
            out.key(key)
            out.object { object in
                for (name, variable) in values.sorted(by: { $0.key < $1.key }) { object.field(name, variable) }
            }
        }
        out.object { object in
            switch self {
            case .submail(let project, let variables):
                if let project { object.field("project", project) }
                names("variables", variables, &object)
            case .huawei(let templateID, let channel, let signature, let parameters):
                object.field("template_id", templateID)
                object.field("channel", channel)
                if let signature { object.field("signature", signature) }
                object.key("parameters")
                object.array { list in
                    for parameter in parameters { list.string(parameter) }
                }
            case .engageLab(let templateID, let parameters):
                object.field("template_id", templateID)
                names("parameters", parameters, &object)
            case .gateway:
                break
            }
        }
    }

    package var jsonText: String {
        var out = JSONWriter()
        self.write(into: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }
}
