import Foundation
import LFMCore

/// `lfm split`: a reproducible train/val(/test) split. Pass 1 counts the records (and reads the
/// stratification field); a seeded shuffle assigns exact counts (per stratum with
/// `stratify`); pass 2 streams each record to its file in the input's layout.
public struct Splitter {
    public struct Options: Sendable {
        public var val: Double
        public var test: Double = 0
        public var seed: UInt64 = 42
        public var stratify: String?
        public var force = false
        /// Assign and count the parts, write nothing (and validate nothing). Otherwise every part is
        /// validated against its own fields before any is moved into place: one invalid part, and
        /// no file is written.
        public var dryRun = false
        public init(val: Double) { self.val = val }
    }

    public struct Part: Sendable {
        public var name: String
        public var path: String
        public var records: Int
        /// The input's spec restricted to the fields this part's records carry: what the part is
        /// validated and registered with.
        public var spec: DatasetSpec
    }

    public struct Report: Sendable {
        public var records = 0
        public var parts: [Part] = []
        /// Stratum value → (train, val, test) counts.
        public var strata: [(value: String, counts: [Int])] = []
        public var validation: [ValidationReport] = []
        /// False when a part failed validation (nothing was written) or in a dry run.
        public var written = false
    }

    public var options: Options
    public init(options: Options) { self.options = options }

    /// The output paths for `input` in `directory`: NAME_train.EXT, NAME_val.EXT, NAME_test.EXT.
    public func paths(for input: DatasetInput, directory: String) -> [(name: String, path: String)] {
        let ext = input.layoutHint == .text ? "jsonl" : ((input.path as NSString).pathExtension.isEmpty ? "json" : (input.path as NSString).pathExtension)
        var parts = ["train", "val"]
        if options.test > 0 { parts.append("test") }
        return parts.map { ("\(input.name)_\($0)", "\(directory)/\(input.name)_\($0).\(ext)") }
    }

    /// 0 = train, 1 = val, 2 = test for each record, in order.
    public func assignments(count: Int, strata: [Int32]?) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var groups: [Int32: [Int32]] = [:]
        if let strata {
            for (i, s) in strata.enumerated() { groups[s, default: []].append(Int32(i)) }
        } else {
            groups[0] = (0..<count).map { Int32($0) }
        }
        for key in groups.keys.sorted() {
            var members = groups[key]!
            var rng = SplitMix64(seed: options.seed &+ UInt64(bitPattern: Int64(key)) &* 0x9E37_79B9)
            // Fisher–Yates with a platform-independent generator.
            if members.count > 1 {
                for i in stride(from: members.count - 1, to: 0, by: -1) {
                    let j = rng.below(i + 1)
                    members.swapAt(i, j)
                }
            }
            let n = members.count
            let nTest = Int((Double(n) * options.test).rounded())
            let nVal = Int((Double(n) * options.val).rounded())
            for (position, index) in members.enumerated() {
                result[Int(index)] = position < nVal ? 1 : (position < nVal + nTest ? 2 : 0)
            }
        }
        return result
    }

    public func split(_ input: DatasetInput, directory: String) throws -> Report {
        guard options.val > 0, options.test >= 0, options.val + options.test < 1 else {
            throw ToolError.usage("--val and --test must be fractions with val > 0 and val + test < 1")
        }
        var report = Report()
        var strata: [Int32]? = options.stratify == nil ? nil : []
        var strataValues: [String: Int32] = [:]
        var strataNames: [String] = []
        let printer = JSONPrinter(indent: nil)
        try input.forEach { _, record in
            report.records += 1
            if let field = options.stratify {
                let value = record[field].map { $0.stringValue ?? printer.string($0) } ?? "(missing)"
                if let id = strataValues[value] { strata!.append(id) } else {
                    let id = Int32(strataNames.count)
                    strataValues[value] = id
                    strataNames.append(value)
                    strata!.append(id)
                }
            }
        }
        guard report.records > 0 else { throw ToolError.unreadable("\(input.path) has no records") }
        let assignment = assignments(count: report.records, strata: strata)
        let targets = paths(for: input, directory: directory)
        let writers = try targets.map { try RecordWriter(path: $0.path, force: options.force, protecting: [input.path], dryRun: options.dryRun) }
        var fields = [Set<String>](repeating: [], count: targets.count)
        try input.forEach { location, record in
            let value: JSONValue = input.layoutHint == .text ? .object(JSONObject([JSONMember("text", record["text"] ?? .string(""))])) : record
            let part = Int(assignment[location.index])
            if let object = value.objectValue {
                for key in object.keys where !fields[part].contains(key) { fields[part].insert(key) }
            }
            try writers[part].write(value)
        }
        let partSpec = { (i: Int) in input.layoutHint == .text ? input.spec : input.spec.restricted(toFields: fields[i]) }
        report.parts = targets.indices.map { Part(name: targets[$0].name, path: targets[$0].path, records: writers[$0].count, spec: partSpec($0)) }
        if let strata {
            var counts = [[Int]](repeating: [0, 0, 0], count: strataNames.count)
            for (i, s) in strata.enumerated() { counts[Int(s)][Int(assignment[i])] += 1 }
            report.strata = strataNames.enumerated().map { ($1, counts[$0]) }
        }
        // All or nothing: each part against its own columns, before any is moved into place.
        for (i, writer) in writers.enumerated() where writer.count > 0 && !options.dryRun {
            guard let temp = try writer.finish() else { continue }
            var validation = try DatasetCheck().validate(path: temp, spec: report.parts[i].spec)
            validation.path = targets[i].path
            report.validation.append(validation)
        }
        if report.validation.contains(where: { $0.hasErrors }) { return report }
        for writer in writers { try writer.commit() }
        report.written = !options.dryRun
        return report
    }
}

/// `lfm sample`: `n` records chosen uniformly by reservoir sampling (one pass, `n` records in
/// memory), written in their original order.
public struct Sampler {
    public var count: Int
    public var seed: UInt64
    public init(count: Int, seed: UInt64 = 42) {
        self.count = count
        self.seed = seed
    }

    public func sample(_ input: DatasetInput) throws -> (records: [JSONValue], indexes: [Int], total: Int) {
        var rng = SplitMix64(seed: seed)
        var reservoir: [(Int, JSONValue)] = []
        reservoir.reserveCapacity(Swift.min(count, 1 << 16))
        var total = 0
        try input.forEach { location, record in
            total += 1
            if reservoir.count < count {
                reservoir.append((location.index, record))
            } else {
                let j = rng.below(total)
                if j < count { reservoir[j] = (location.index, record) }
            }
        }
        reservoir.sort { $0.0 < $1.0 }
        return (reservoir.map(\.1), reservoir.map(\.0), total)
    }

    /// Writes `records` to `output` (.json or .jsonl); with `dryRun` only counts them.
    @discardableResult
    public func write(_ records: [JSONValue], to output: String, force: Bool, protecting inputs: [String], dryRun: Bool = false) throws -> Int {
        let writer = try RecordWriter(path: output, force: force, protecting: inputs, dryRun: dryRun)
        for record in records { try writer.write(record) }
        try writer.commit()
        return writer.count
    }
}
