/// What a claimed task sends through its account: the provider's template for the hub template the
/// message named, filled with its values, or the message's text where the provider takes text.
package enum DispatchContent {
    /// `values` is nil for a message sent as raw content; `mapping` is the account's mapping of the
    /// message's template, if it has one. A refusal here is for the account: the next one of the route
    /// may have the template.
    package static func of(
        provider: Provider,
        text: String,
        mapping: TemplateMapping?,
        values: [String: String]?
    ) -> Result<ProviderContent, Refusal> {
        if let mapping, let values, let content = mapping.content(rendered: text, values: values) {
            return .success(content)
        }
        if provider == .submail { return .success(.submail(.text(text))) }
        return .failure(
            Refusal(code: "template_not_mapped", message: "the account has no template of its provider for this message")
        )
    }
}

extension Refusal: Error {}
