import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: Validating a file in two parts, one per core

/// How ``FileValidator/validateInParts(path:layoutHint:minimumSize:)`` went.
public enum PartsOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Two parts, split at this byte offset, merged.
    case split(at: Int)
    /// One pass (``FileValidator/validateSequentially(path:layoutHint:)``) from the start: why.
    case notSplit(String)
    /// Split, but the parts could not be merged exactly; validated again in one pass: why.
    case fellBack(at: Int, String)

    public var description: String {
        switch self {
        case .split(let at): return "split at byte \(at)"
        case .notSplit(let why): return "one pass (\(why))"
        case .fellBack(let at, let why): return "split at byte \(at), then one pass (\(why))"
        }
    }
}

extension FileValidator {
    /// Files smaller than this are validated in one pass.
    public static let partsMinimumSize = 32 << 20
    static let partChunkSize = 2 << 20

    /// Validates a large JSON array or JSON Lines file as two halves on two cores, each parsed
    /// *and* validated on its own core, then merges the halves into exactly the report of
    /// ``validateSequentially(path:layoutHint:)``:
    ///
    /// - the split is at a record boundary: in JSON Lines after a newline; in an array written one
    ///   record per line block (`json.dump(indent=2)`), before a line `  {` (the first record's
    ///   indentation) that follows a line ending in `},`. The first half must then end right after
    ///   a top-level `,` at the split, or nothing is merged;
    /// - the second half's record indexes and lines are shifted by the first half's records and
    ///   newlines; it checks duplicates only by recording its hashes, which are then run through
    ///   the first half's duplicate table in record order ("same as record N" names the first
    ///   occurrence in the file); past the memory budget of ``DuplicateIndex`` either half spills
    ///   and both halves' sorted runs are merged instead, with the same answers; its "type-changes"
    ///   messages name the file's first record with the field;
    /// - issues are added in record order, so the 1000-per-code cap keeps the same ones.
    ///
    /// Whenever the merge could differ from one pass — a syntax error in either half, a field
    /// whose first type differs between the halves, an unclean split — the file is validated
    /// again in one pass (slower, same report). Small files, one usable CPU, `.txt` files and
    /// arrays without one-record-per-block newlines (minified) are validated in one pass at once.
    public func validateInParts(path: String, layoutHint: RecordLayout? = nil, minimumSize: Int) throws -> (report: ValidationReport, outcome: PartsOutcome) {
        let split: (offset: Int, layout: RecordLayout)
        switch Self.findSplit(path: path, layoutHint: layoutHint, minimumSize: minimumSize) {
        case .failure(let why):
            return (try validateSequentially(path: path, layoutHint: layoutHint), .notSplit(why.reason))
        case .success(let found):
            split = found
        }

        // perf: 2 MiB chunks each, so that two readers hold what one held.
        let first = try RecordReader(path: path, range: 0..<split.offset, layout: split.layout, startsBetweenRecords: false, chunkSize: Self.partChunkSize)
        let second = try RecordReader(path: path, range: split.offset..<Int.max, layout: split.layout, startsBetweenRecords: true, chunkSize: Self.partChunkSize)
        let fileSize = first.fileSize
        let shared = TwoPartShared()
        let head = PartValidation(spec: spec, path: path, isHead: true, limits: duplicateLimits)
        let tail = PartValidation(spec: spec, path: path, isHead: false, limits: duplicateLimits)
        // Both halves on threads with room for the parser's recursion (as the parse-ahead thread
        // of one pass has); this thread waits, reporting progress.
        let group = DispatchGroup()
        for (part, reader, isHead) in [(head, first, true), (tail, second, false)] {
            let box = PartBox(part: part, reader: reader, shared: shared, isHead: isHead)
            group.enter()
            let thread = Thread {
                box.part.run(box.reader, shared: box.shared, report: { box.shared.setBytes($0, head: box.isHead) })
                if box.isHead, box.part.failure != nil { box.shared.cancel() }
                group.leave()
            }
            thread.stackSize = 16 << 20  // the parser recurses up to JSONParser.maxDepth levels
            thread.start()
        }
        let lastProgress = shared.wait(for: group, size: fileSize, progress: onProgress)

        // Anything the merge cannot reproduce exactly: one pass again, progress never going back.
        func again(_ why: String, inMemory: Bool = false) throws -> (report: ValidationReport, outcome: PartsOutcome) {
            var copy = self
            if inMemory { copy.duplicateLimits = .unbounded }
            if let onProgress {
                var shown = lastProgress
                copy.onProgress = { bytes, size in
                    if bytes > shown || bytes == size { shown = bytes; onProgress(bytes, size) }
                }
            }
            return (try copy.validateSequentially(path: path, layoutHint: layoutHint), .fellBack(at: split.offset, why))
        }
        if let failure = head.failure { return try again("first half: \(failure)") }
        if let failure = tail.failure { return try again("second half: \(failure)") }
        if split.layout == .jsonArray, !first.endedBetweenRecords { return try again("the first half did not end between records") }
        for (key, type) in tail.fieldTypes {
            if let earlier = head.fieldTypes[key], earlier.type != type.type {
                return try again("\"\(key)\" is \(earlier.type) in the first half but first \(type.type) in the second")
            }
        }

        guard tail.seen.count == tail.report.records else { return try again("record counts do not match") }
        if head.seen.failed || tail.seen.failed { return try again("the duplicate index's temporary file failed", inMemory: true) }
        // Past the memory budget, duplicates are found at the end from both halves' sorted runs.
        let spilled = head.seen.spilled || tail.seen.spilled
        if spilled, !(head.seen.spill() && tail.seen.spill()) { return try again("no temporary file for the duplicate index", inMemory: true) }

        // Merge: the first half's report goes on with the second half's issues, in record order.
        var report = head.report
        let recordBase = report.records
        let lineBase = first.newlinesRead()
        let kept = tail.report.issues
        var next = 0
        var keptPerCode: [String: Int] = [:]
        var keptErrors = 0, keptWarnings = 0
        func addKept(through record: Int) {
            while next < kept.count, let r = kept[next].record, r <= record {
                var issue = kept[next]
                keptPerCode[issue.code, default: 0] += 1
                if issue.severity == .error { keptErrors += 1 } else { keptWarnings += 1 }
                issue.record = r + recordBase
                issue.line = issue.line.map { $0 + lineBase }
                if let type = tail.typeChangeTypes[next], let key = issue.path {
                    var earliest: (type: String, record: Int)? = head.fieldTypes[key]
                    if earliest == nil, let local = tail.fieldTypes[key] { earliest = (local.type, local.record + recordBase) }
                    if let earliest {
                        issue.message = "\"\(key)\" is \(type) here but \(earliest.type) in record \(earliest.record)"
                    }
                }
                report.add(issue)
                next += 1
            }
        }
        // perf: looked up, not inserted: the first half's table does not grow to the whole file.
        // A record's first copy is in the first half if there is one there, else earlier in the second.
        var d = 0
        for i in 0..<(spilled ? 0 : tail.seen.count) {
            addKept(through: i)
            var firstRecord = head.seen.firstRecord(lookingUp: tail.seen.hash(ofRecord: i))
            if d < tail.seen.localDuplicates.count, Int(tail.seen.localDuplicates[d]) == i {
                if firstRecord == nil { firstRecord = Int(tail.seen.localFirsts[d]) + recordBase }
                d += 1
            }
            if let firstRecord {
                report.add(.duplicate(record: recordBase + i, line: tail.seen.line(ofRecord: i) + lineBase, first: firstRecord))
            }
        }
        addKept(through: Int.max)
        guard next == kept.count else { return try again("an issue without a record in the second half") }
        if spilled {
            do {
                let found = try DuplicateIndex.resolve([(head.seen, 0, 0), (tail.seen, recordBase, lineBase)],
                                                       keep: ValidationReport.keepPerCode, memory: duplicateLimits.mergeMemory)
                report.addDuplicates(count: found.count, kept: found.kept)
            } catch is SpillError {
                return try again("the duplicate index's temporary file failed", inMemory: true)
            }
        }
        // Issues of the second half beyond its own 1000 per code: counted, never kept (the file has
        // at least as many of that code before them).
        for (code, count) in tail.report.counts where count > keptPerCode[code, default: 0] {
            report.counts[code, default: 0] += count - keptPerCode[code, default: 0]
        }
        report.errorCount += tail.report.errorCount - keptErrors
        report.warningCount += tail.report.warningCount - keptWarnings
        report.records += tail.report.records
        report.validRecords += tail.report.validRecords
        report.invalidRecords.append(contentsOf: tail.report.invalidRecords.lazy.map { $0 + recordBase })
        report.fieldsInValidRecords.formUnion(tail.report.fieldsInValidRecords)
        let present = head.present.union(tail.present)
        let ktoTrue = head.ktoTrue + tail.ktoTrue, ktoFalse = head.ktoFalse + tail.ktoFalse
        var coverage = head.fields.coverage
        coverage.merge(tail.fields.coverage)

        // As at the end of one pass.
        report.layout = first.layout
        report.bytes = fileSize
        onProgress?(fileSize, fileSize)
        RecordFieldTracker.addFileIssues(to: &report, spec: spec, present: present, ktoTrue: ktoTrue, ktoFalse: ktoFalse, coverage: coverage)
        return (report, .split(at: split.offset))
    }

    struct NoSplit: Error { let reason: String }

    /// Where to split the file in two, or why not.
    static func findSplit(path: String, layoutHint: RecordLayout?, minimumSize: Int) -> Result<(offset: Int, layout: RecordLayout), NoSplit> {
        if layoutHint == .text { return .failure(NoSplit(reason: "plain text")) }
        if RecordReader.usableCPUs() < 2 { return .failure(NoSplit(reason: "one usable CPU")) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return .failure(NoSplit(reason: "cannot open")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(NoSplit(reason: "cannot stat")) }
        let size = Int(info.st_size)
        guard size >= max(minimumSize, 1 << 16) else { return .failure(NoSplit(reason: "smaller than \(max(minimumSize, 1 << 16)) bytes")) }
        func readAt(_ offset: Int, _ count: Int) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return Array(bytes.prefix(max(0, n)))
        }
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        // The layout, as RecordReader.forEach detects it.
        let head = readAt(0, 1 << 16)
        var p = 0
        if head.count >= 3, head[0] == 0xEF, head[1] == 0xBB, head[2] == 0xBF { p = 3 }
        while p < head.count, isSpace(head[p]) { p += 1 }
        guard p < head.count else { return .failure(NoSplit(reason: "no record in the first 64 KiB")) }
        let layout: RecordLayout
        switch head[p] {
        case UInt8(ascii: "["): layout = .jsonArray
        case UInt8(ascii: "{"): layout = .jsonLines
        default: return .failure(NoSplit(reason: "neither an array nor JSON Lines"))
        }
        let middle = size / 2
        let window = readAt(middle, 1 << 20)
        switch layout {
        case .jsonLines:
            guard let newline = window.firstIndex(of: 0x0A), middle + newline + 1 < size else {
                return .failure(NoSplit(reason: "no newline within 1 MiB of the middle"))
            }
            return .success((middle + newline + 1, .jsonLines))
        default:
            // The first record's indentation: the '{' after '[' must start its own line.
            var q = p + 1
            while q < head.count, head[q] == 0x20 || head[q] == 0x09 || head[q] == 0x0D { q += 1 }
            guard q < head.count, head[q] == 0x0A else { return .failure(NoSplit(reason: "the first record does not start on its own line")) }
            let lineStart = q + 1
            var r = lineStart
            while r < head.count, head[r] == 0x20 || head[r] == 0x09 { r += 1 }
            guard r < head.count, head[r] == UInt8(ascii: "{") else { return .failure(NoSplit(reason: "the first record does not start on its own line")) }
            let indent = Array(head[lineStart..<r])
            // A line "<indent>{" right after a line ending in "},".
            var n = 0
            while let found = window[n...].firstIndex(of: 0x0A) {
                n = found + 1
                guard n + indent.count < window.count else { break }
                guard window[n..<(n + indent.count)].elementsEqual(indent), window[n + indent.count] == UInt8(ascii: "{") else { continue }
                var e = found - 1
                while e >= 0, window[e] == 0x20 || window[e] == 0x09 || window[e] == 0x0D { e -= 1 }
                guard e >= 1, window[e] == UInt8(ascii: ","), window[e - 1] == UInt8(ascii: "}") else { continue }
                return .success((middle + n, .jsonArray))
            }
            return .failure(NoSplit(reason: "no record boundary within 1 MiB of the middle (minified?)"))
        }
    }
}

private struct PartBox: @unchecked Sendable {
    let part: PartValidation
    let reader: RecordReader
    let shared: TwoPartShared
    let isHead: Bool
}

/// One half of ``FileValidator/validateInParts(path:layoutHint:minimumSize:)``: the same
/// per-record work as ``FileValidator/validateSequentially(path:layoutHint:)``, with record
/// indexes local to the half. The first half (`isHead`) checks duplicates as one pass does; the
/// second only records each record's hash and line, for the merge.
private final class PartValidation {
    let spec: DatasetSpec
    let isHead: Bool
    var report: ValidationReport
    var fields: RecordFieldTracker
    var fieldTypes: [String: (type: String, record: Int)] { fields.fieldTypes }
    var present: Set<String> { fields.present }
    var ktoTrue: Int { fields.ktoTrue }
    var ktoFalse: Int { fields.ktoFalse }
    /// The half's own duplicate index (record numbers local to the half); the second half's
    /// keeps each record's line and its duplicates within the half, for the merge.
    let seen: DuplicateIndex
    /// For each kept "type-changes" issue (index in `report.issues`): the record's type.
    var typeChangeTypes: [Int: String] = [:]
    var failure: Error?

    private struct Stopped: Error {}

    init(spec: DatasetSpec, path: String, isHead: Bool, limits: DuplicateLimits) {
        self.spec = spec
        self.isHead = isHead
        seen = DuplicateIndex(isHead ? .leading : .trailing, limits: limits)
        fields = RecordFieldTracker(spec: spec)
        report = ValidationReport(path: path)
    }

    func run(_ reader: RecordReader, shared: TwoPartShared, report progress: (Int) -> Void) {
        let validator = RecordValidator(spec: spec)
        var issues: [ValidationIssue] = []
        var lastProgress = 0
        do {
            try reader.forEach { location, record in
                issues.removeAll(keepingCapacity: true)
                validator.validate(record, at: location, into: &issues)
                let typeChanges = fields.observe(record, at: location, issues: &issues)
                let hash = RecordHasher.hash(record)
                if isHead {
                    if let first = seen.add(hash: hash, line: location.line) {
                        issues.append(.duplicate(record: location.index, line: location.line, first: first))
                    }
                } else {
                    guard location.line <= Int(UInt32.max), location.index < Int(UInt32.max) else { throw Stopped() }
                    _ = seen.add(hash: hash, line: location.line)
                }
                report.records += 1
                var invalid = false
                var typeChange = 0
                for issue in issues {
                    if issue.severity == .error { invalid = true }
                    let keptBefore = report.issues.count
                    report.add(issue)
                    // Only this loop makes "type-changes" issues, in the order of `typeChanges`.
                    if issue.code == "type-changes" {
                        if report.issues.count > keptBefore, !isHead { typeChangeTypes[keptBefore] = typeChanges[typeChange] }
                        typeChange += 1
                    }
                }
                fields.count(record, at: location, invalid: invalid, in: &report)
                if reader.bytesRead - lastProgress > (8 << 20) {
                    lastProgress = reader.bytesRead
                    progress(reader.bytesRead)
                    if shared.cancelled { throw Stopped() }
                }
            }
        } catch is Stopped {
            failure = NoSplitMerge.stopped
        } catch {
            failure = error
        }
    }
}

private enum NoSplitMerge: Error, CustomStringConvertible {
    case stopped
    var description: String { "stopped" }
}
