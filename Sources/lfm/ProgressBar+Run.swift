extension ProgressBar {
    /// Runs `body` and clears the bar when it returns or throws (before anything is printed).
    func run<T>(_ body: (ProgressBar) throws -> T) rethrows -> T {
        defer { finish() }
        return try body(self)
    }
}
