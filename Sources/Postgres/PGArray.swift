/// An array parameter whose elements may be NULL: the columns of a multi-row write, sent as one
/// array per column and turned back into rows with `unnest`.
public struct PGArray<Element: PGArrayElement>: PGEncodable {
    public var elements: [Element?]

    public init(_ elements: [Element?]) {
        self.elements = elements
    }

    public static var pgType: PGType { Element.pgArrayType }
    @inlinable public var pgData: PGData { PGData(type: Element.pgArrayType, bytes: PGArrayLiteral.encode(self.elements)) }
}
