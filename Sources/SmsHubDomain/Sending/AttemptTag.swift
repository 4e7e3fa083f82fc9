import Cryptography
package import Foundation

/// The hub's id of one call to a provider, in the field the provider echoes in its callbacks (SUBMAIL
/// `tag`, Huawei `extend`, EngageLab `custom_args`): 32 lowercase hex digits, which every one of them
/// takes (SUBMAIL allows 32 characters, Huawei no braces).
package enum AttemptTag {
    package static func of(_ id: UUID) -> String {
        withUnsafeBytes(of: id.uuid) { Hex.encode($0) }
    }

    /// The attempt a callback names; nil for anything that is not a tag the hub wrote.
    package static func attempt(_ tag: String) -> UUID? {
        guard tag.utf8.count == 32, let bytes = Hex.decode(tag), bytes.count == 16 else { return nil }
        return bytes.withUnsafeBytes { raw in
            UUID(uuid: raw.loadUnaligned(as: uuid_t.self))
        }
    }
}

extension AttemptTag {
    /// What a dispatch task's recipients are keyed by for its status reports
    /// (`provider_message_id`): the Gateway echoes its taskId, the others the tag the call carries.
    package static func reportKey(task: UUID, provider: Provider) -> String {
        provider == .gateway ? task.uuidString.lowercased() : self.of(task)
    }

    /// The id a callback's event attaches by: the hub's tag where the callback carries one the hub
    /// wrote (every recipient of that call has it, beside their numbers), else the provider's own id.
    package static func attachmentKey(tag: String?, providerID: String) -> String {
        guard let tag, self.attempt(tag) != nil else { return providerID }
        return tag.lowercased()
    }
}
