extension RecordLocation {
    /// A location for a record that does not come from a file (e.g. one generated in memory).
    public init(record index: Int, line: Int = 0, offset: Int = 0) {
        self.init(index: index, line: line, offset: offset)
    }
}
