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

extension Request {
    /// `limit` and `cursor` query parameters of list endpoints.
    func pagination() throws -> (limit: Int, cursor: PageCursor?) {
        var limit = PageSize.default
        if let raw = self.uri.queryParameters["limit"] {
            guard let value = Int(String(raw)), (1...PageSize.maximum).contains(value) else {
                throw Problem.invalidParameter("limit", "limit must be an integer from 1 to \(PageSize.maximum).")
            }
            limit = value
        }
        var cursor: PageCursor?
        if let raw = self.uri.queryParameters["cursor"] {
            guard let value = PageCursor(token: String(raw)) else {
                throw Problem.invalidParameter("cursor", "cursor is not one this service issued.")
            }
            cursor = value
        }
        return (limit, cursor)
    }
}
