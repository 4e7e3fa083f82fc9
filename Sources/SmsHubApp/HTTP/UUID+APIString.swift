import Foundation

extension UUID {
    /// Ids are lowercase strings in the API, the URLs it hands out and the log: one rendering, so an id
    /// copied from one is found in the others (`UUID.description` is uppercase).
    var apiString: String { self.uuidString.lowercased() }
}
