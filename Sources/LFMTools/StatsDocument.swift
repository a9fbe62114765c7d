/// `lfm stats --json` (docs/json.md): a `StatsCollector.Report` as numbers, in the order the
/// human report reads.
public struct StatsDocument: Encodable, Sendable {
    /// A length distribution: exact percentiles up to `LengthDistribution.exactLimit` values.
    public struct Distribution: Encodable, Sendable, Equatable {
        public var count: Int
        public var min: Int
        public var median: Int
        public var p90: Int
        public var p99: Int
        public var max: Int
        /// Rounded to 2 decimals.
        public var mean: Double
        /// False when the percentiles come from power-of-two bins (very large files).
        public var exact: Bool

        public init(_ d: LengthDistribution) {
            let p = d.percentiles([50, 90, 99])
            count = d.count
            min = d.count == 0 ? 0 : d.min
            (median, p90, p99) = (p[0], p[1], p[2])
            max = d.max
            mean = StatsDocument.rounded(d.mean, places: 2)
            exact = d.isExact
        }
    }

    /// One field's lengths in characters and tokens.
    public struct Lengths: Encodable, Sendable {
        public var chars: Distribution
        public var tokens: Distribution
    }

    /// The measured fields in report order (`prompt`, `response` or `chosen`/`rejected`, or `text`;
    /// then `system`, `total`): an object keyed by these fixed lower-case names.
    public struct Fields: Encodable, Sendable {
        public var fields: [(name: String, lengths: Lengths)]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            for field in fields { try c.encode(field.lengths, forKey: Key(stringValue: field.name)) }
        }
    }

    /// A histogram bin of total tokens per record: `from`...`to` (powers of two).
    public struct Bin: Encodable, Sendable, Equatable {
        public var from: Int
        public var to: Int
        public var count: Int
    }

    public struct Empty: Encodable, Sendable, Equatable {
        public var prompts: Int
        public var responses: Int
        public var turns: Int
    }

    public var path: String
    public var format: String
    public var records: Int
    public var unreadable: Int
    public var tokenMethod: String
    public var tokensExact: Bool
    public var fields: Fields
    /// Total tokens per record, non-empty bins only.
    public var histogram: [Bin]
    public var cutoffLen: Int?
    /// Share of records `cutoff_len` truncates (0...1, 4 decimals); null without --cutoff-len.
    public var truncatedShare: Double?
    public var suggestedCutoffLen: Int
    public var turns: Distribution
    public var empty: Empty
    public var duplicates: Int
    /// CJK characters among CJK characters and Latin letters (0...1, 4 decimals).
    public var cjkShare: Double
    public var cjkCharacters: Int
    public var latinLetters: Int

    public init(_ r: StatsCollector.Report) {
        path = r.path
        format = r.format.description
        records = r.records
        unreadable = r.unreadable
        tokenMethod = r.tokenMethod
        tokensExact = r.tokensExact
        fields = Fields(fields: r.fields.filter { $0.chars.count > 0 }.map {
            ($0.name, Lengths(chars: Distribution($0.chars), tokens: Distribution($0.tokens)))
        })
        histogram = (r.field("total")?.tokens.bins ?? []).enumerated().filter { $0.element > 0 }.map { k, n in
            Bin(from: k == 0 ? 0 : 1 << (k - 1), to: k == 0 ? 0 : (1 << k) - 1, count: n)
        }
        cutoffLen = r.cutoffLen
        truncatedShare = r.cutoffLen.map { Self.rounded(r.truncatedShare(at: $0), places: 4) }
        suggestedCutoffLen = r.suggestedCutoff
        turns = Distribution(r.turns)
        empty = Empty(prompts: r.emptyPrompts, responses: r.emptyResponses, turns: r.emptyTurns)
        duplicates = r.duplicates
        cjkShare = Self.rounded(r.cjkShare, places: 4)
        cjkCharacters = r.cjkCharacters
        latinLetters = r.latinLetters
    }

    static func rounded(_ value: Double, places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
