import Foundation
import Hummingbird
import SmsHubDomain

extension Parameters {
    /// A UUID path segment; a malformed one is a 400 naming the parameter.
    func uuid(_ name: String) throws -> UUID {
        guard let raw = self.get(name), let id = UUID(uuidString: raw) else {
            throw Problem.invalidParameter(name, "\(name) must be a UUID.")
        }
        return id
    }
}
