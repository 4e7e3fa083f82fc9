package import Testing

extension Tag {
    /// Suites that need the test cluster, a scratch cluster, a live server or a child process: the whole
    /// suite (`make test`) runs them, `make unit` skips them and needs no database.
    @Tag package static var slow: Self
}
