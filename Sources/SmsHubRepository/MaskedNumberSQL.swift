import Postgres

/// How SQL tells whether a masked number (the Gateway's pulls: `138****5678`) fits a recipient: the
/// mask covers the national number the Gateway writes, each `*` one hidden digit.
enum MaskedNumberSQL {
    /// Whether `mask` (a text expression) fits the E.164 number in `column`. `LIKE` with `_` for each
    /// star matches only numbers of the mask's length.
    static func fits(mask: PGQuery, e164Column column: String) -> PGQuery {
        """
        (CASE WHEN \(unescaped: column) LIKE '+86%' THEN substr(\(unescaped: column), 4) ELSE substr(\(unescaped: column), 2) END)
            LIKE replace(\(fragment: mask), '*', '_')
        """
    }
}
