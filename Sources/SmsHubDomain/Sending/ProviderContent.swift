/// What one call sends, in the form the account's provider takes: the hub's template resolved to the
/// provider's own (or, where the provider takes it, the rendered text).
package enum ProviderContent: Sendable, Equatable {
    case submail(SubmailSend.Content)
    case huawei(HuaweiSend.Template, parameters: [String])
    case engageLab(templateID: String, parameters: [String: String])
}
