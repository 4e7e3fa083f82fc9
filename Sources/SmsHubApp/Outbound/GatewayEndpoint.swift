import Foundation
import SmsHubDomain

/// Where, and as whom, to call one tenant's Gateway account: what the dispatcher and the pollers both need.
struct GatewayEndpoint {
    var credentials: GatewayAPI.Credentials
    var baseURL: String
    var timeZone: TimeZone

    /// nil when the tenant has no Gateway account with this id.
    static func load(
        tenantID: UUID,
        accountID: UUID,
        accounts: any ProviderAccountRepository,
        keyring: SecretKeyring
    ) async throws -> GatewayEndpoint? {
        guard let record = try await accounts.record(tenantID: tenantID, id: accountID), record.account.provider == .gateway else {
            return nil
        }
        let secrets = try keyring.open(record.sealed, tenantID: tenantID, accountID: accountID)
        let settings = record.account.settings
        return GatewayEndpoint(
            credentials: GatewayAPI.Credentials(account: settings["account"] ?? "", password: secrets["api_password"] ?? ""),
            baseURL: settings["base_url"] ?? "",
            timeZone: settings.timeZone
        )
    }
}
