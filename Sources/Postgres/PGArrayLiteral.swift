/// PostgreSQL's text form of one-dimensional arrays: `{a,"b c",NULL}`.
enum PGArrayLiteral {
    /// nil elements are written as SQL NULL. Built as bytes, each element writing itself: the columns
    /// of a batch write (a send's thousands of recipients) pass through here.
    static func encode<Element: PGArrayElement>(_ elements: some Collection<Element?>) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(2 + elements.count * 24)
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            guard let element else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            element.appendPGArrayElement(to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `text` in double quotes, its quotes and backslashes escaped. Always quoting is valid for every
    /// element type and spares deciding which need it.
    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Elements of a one-dimensional array literal; nil elements are SQL NULL. Returns nil when malformed.
    static func decode(_ text: Substring) -> [String?]? {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 2, scalars.first == "{", scalars.last == "}" else { return nil }
        var elements: [String?] = []
        var index = 1
        let end = scalars.count - 1
        if index == end { return [] }
        while index < end {
            if scalars[index] == "\"" {
                var value = String.UnicodeScalarView()
                index += 1
                var closed = false
                while index < end {
                    let c = scalars[index]
                    if c == "\\" {
                        index += 1
                        guard index < end else { return nil }
                        value.append(scalars[index])
                    } else if c == "\"" {
                        closed = true
                        index += 1
                        break
                    } else {
                        value.append(c)
                    }
                    index += 1
                }
                guard closed else { return nil }
                elements.append(String(value))
            } else {
                var value = String.UnicodeScalarView()
                while index < end, scalars[index] != "," {
                    if scalars[index] == "{" || scalars[index] == "\"" { return nil }  // nested arrays are not supported
                    value.append(scalars[index])
                    index += 1
                }
                let string = String(value)
                elements.append(string == "NULL" ? nil : string)
            }
            if index < end {
                guard scalars[index] == "," else { return nil }
                index += 1
                if index == end { return nil }
            }
        }
        return elements
    }
}
