import Configuration

/// Reads settings through swift-configuration with one rule per kind of value. A value that does not
/// follow its rule is a problem, named by key and never quoted (it may be a secret), not a silent
/// fallback: the reader's own typed accessors return nil for a malformed number, so numbers are read
/// as text and checked here.
struct SettingsReader {
    let reader: ConfigReader
    private(set) var problems: [String] = []

    init(_ reader: ConfigReader) {
        self.reader = reader
    }

    /// The text under `setting`, or its default; an empty value counts as unset.
    func text(_ setting: Setting) -> String? {
        self.raw(setting) ?? setting.fallbackText
    }

    func isSet(_ setting: Setting) -> Bool {
        self.raw(setting) != nil
    }

    /// A value the caller cannot do without.
    mutating func required(_ setting: Setting) -> String? {
        guard let value = self.raw(setting) else {
            self.problems.append("\(setting.environmentName) is required")
            return nil
        }
        return value
    }

    /// A count, a port or a duration's number within the setting's range; nil when unset with no default.
    mutating func integer(_ setting: Setting) -> Int? {
        guard let raw = self.raw(setting) else { return setting.fallback }
        guard let value = Int(raw), setting.range.contains(value) else {
            let rule = setting.kind == .port ? "a port number" : "\(setting.range.lowerBound)...\(setting.range.upperBound)"
            self.problems.append("\(setting.environmentName) must be \(rule)")
            return setting.fallback
        }
        return value
    }

    /// A number of a setting that has a default.
    mutating func number(_ setting: Setting) -> Int {
        self.integer(setting) ?? setting.defaultNumber
    }

    mutating func duration(_ setting: Setting) -> Duration {
        let value = self.number(setting)
        return setting.kind == .seconds ? .seconds(value) : .milliseconds(value)
    }

    mutating func flag(_ setting: Setting) -> Bool {
        guard let raw = self.raw(setting) else { return setting.fallback == 1 }
        switch raw.lowercased() {
        case "1", "true", "yes": return true
        case "0", "false", "no": return false
        default:
            self.problems.append("\(setting.environmentName) must be true or false")
            return setting.fallback == 1
        }
    }

    /// A value with a syntax of its own; `expected` says what it should look like.
    mutating func parsed<Value>(_ setting: Setting, expected: String, _ parse: (String) -> Value?) -> Value? {
        guard let raw = self.raw(setting) else { return nil }
        guard let value = parse(raw) else {
            self.problems.append("\(setting.environmentName) must be \(expected)")
            return nil
        }
        return value
    }

    mutating func problem(_ text: String) {
        self.problems.append(text)
    }

    private func raw(_ setting: Setting) -> String? {
        guard let value = self.reader.string(forKey: ConfigKey(setting.key), isSecret: true), !value.isEmpty else { return nil }
        return value
    }
}
