/// An array parameter whose elements may be NULL: the columns of a multi-row write, sent as one
/// array per column and turned back into rows with `unnest`.
package struct PGArray<Element: PGArrayElement>: PGEncodable {
    package var elements: [Element?]

    package init(_ elements: [Element?]) {
        self.elements = elements
    }

    package static var pgType: PGType { Element.pgArrayType }
    package var pgData: PGData { PGData(type: Element.pgArrayType, bytes: PGArrayLiteral.encode(self.elements)) }
}
