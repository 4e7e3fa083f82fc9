/// What an account contributes to parsing its callbacks: settings (time zone, app key) and secrets.
public struct CallbackAccountContext: Sendable {
    public var settings: ProviderSettings
    package var secrets: ProviderSecrets

    public init(settings: ProviderSettings, secrets: ProviderSecrets) {
        self.settings = settings
        self.secrets = secrets
    }
}

public struct ParsedCallback: Sendable, Equatable {
    public var events: [ProviderEvent]
    /// EngageLab's `{}` check when a URL is saved: answer 200, store nothing.
    package var isURLCheck: Bool
    /// A token the provider signs once per event, to be claimed before the events are stored.
    package var oneUseToken: OneUseToken?

    package init(events: [ProviderEvent], isURLCheck: Bool = false, oneUseToken: OneUseToken? = nil) {
        self.events = events
        self.isURLCheck = isURLCheck
        self.oneUseToken = oneUseToken
    }
}
