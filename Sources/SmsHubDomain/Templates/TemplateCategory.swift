/// What a message is for. Providers review templates by it, and the rules of sending in China differ
/// by it (verification codes have their own caps; marketing has opt-out and daytime windows).
package enum TemplateCategory: String, Sendable, CaseIterable, Codable {
    case verification
    case notification
    case marketing
}
