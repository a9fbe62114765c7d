/// "1 record", "2 records": counts in messages people read.
public enum Plural {
    /// `count` and `noun`, the noun in the plural unless the count is 1 (`plural` for irregular nouns).
    public static func count(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? noun : plural ?? noun + "s")
    }
}
