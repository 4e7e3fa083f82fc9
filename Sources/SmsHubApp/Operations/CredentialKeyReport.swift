import Logging
package import SmsHubDomain

/// What `serve` says at start about the stored credentials: how many each configured key seals, and
/// how many are sealed under keys it does not have (those accounts cannot send or verify callbacks).
package struct CredentialKeyReport: Sendable, Equatable {
    package var underActive = 0
    package var underPrevious = 0
    package var unopenable = 0
    package var unknownKeyIDs: [String] = []

    package static func make(counts: [String: Int], keyring: SecretKeyring) -> CredentialKeyReport {
        var report = CredentialKeyReport()
        let previous = Set(keyring.previousKeyIDs)
        for (keyID, count) in counts.sorted(by: { $0.key < $1.key }) {
            if keyID == keyring.active.id {
                report.underActive += count
            } else if previous.contains(keyID) {
                report.underPrevious += count
            } else {
                report.unopenable += count
                report.unknownKeyIDs.append(keyID)
            }
        }
        return report
    }

    func log(_ logger: Logger) {
        let metadata: Logger.Metadata = [
            "active_key": "\(self.underActive)", "previous_keys": "\(self.underPrevious)", "unknown_keys": "\(self.unopenable)",
        ]
        if self.unopenable > 0 {
            logger.error(
                "provider credentials are sealed under master keys this instance does not have; those accounts cannot send or verify callbacks",
                metadata: metadata.merging(["key_ids": "\(self.unknownKeyIDs.joined(separator: ","))"]) { $1 }
            )
        } else if self.underPrevious > 0 {
            logger.notice(
                "provider credentials are still sealed under previous master keys; run 'smshub rekey' before removing them",
                metadata: metadata
            )
        } else {
            logger.info("provider credentials are all sealed under the active master key", metadata: metadata)
        }
    }
}
