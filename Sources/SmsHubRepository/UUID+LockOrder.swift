import Foundation

extension UUID {
    /// The one order in which writers lock rows by id, so that two never wait on each other: the
    /// bytes' order, which is PostgreSQL's order of uuids and that of their text. (Compared through
    /// `uuidString`, every comparison formatted two strings with snprintf.)
    static func precedes(_ a: UUID, _ b: UUID) -> Bool {
        withUnsafeBytes(of: a.uuid) { x in withUnsafeBytes(of: b.uuid) { y in x.lexicographicallyPrecedes(y) } }
    }
}
