import Foundation
import LFMSystem
import LFMCore

/// One line of LLaMA-Factory's `trainer_log.jsonl` (REFERENCE e): a training step (with `loss`),
/// an evaluation (with `eval_loss`), or the final summary line (neither).
public struct TrainerLogEntry: Sendable, Equatable {
    public var currentSteps: Int
    public var totalSteps: Int
    public var loss: Double?
    public var evalLoss: Double?
    public var learningRate: Double?
    public var epoch: Double?
    public var percentage: Double?
    public var elapsed: String?
    public var remaining: String?

    public enum Kind: Sendable, Equatable { case train, eval, summary }
    public var kind: Kind {
        if loss != nil { return .train }
        if evalLoss != nil { return .eval }
        return .summary
    }

    public init(currentSteps: Int, totalSteps: Int, loss: Double? = nil, evalLoss: Double? = nil,
                learningRate: Double? = nil, epoch: Double? = nil, percentage: Double? = nil,
                elapsed: String? = nil, remaining: String? = nil) {
        self.currentSteps = currentSteps
        self.totalSteps = totalSteps
        self.loss = loss
        self.evalLoss = evalLoss
        self.learningRate = learningRate
        self.epoch = epoch
        self.percentage = percentage
        self.elapsed = elapsed
        self.remaining = remaining
    }

    /// Parses one JSON line; nil for anything that is not a trainer_log object.
    public static func parse(_ line: some StringProtocol) -> TrainerLogEntry? {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("{"), let value = try? JSONParser.parse(String(text)),
              let current = value["current_steps"]?.intValue else { return nil }
        func number(_ key: String) -> Double? {
            guard let v = value[key] else { return nil }
            if let d = v.doubleValue { return d }
            if let s = v.stringValue { return Double(s) }
            return nil
        }
        return TrainerLogEntry(
            currentSteps: current, totalSteps: value["total_steps"]?.intValue ?? 0,
            loss: number("loss"), evalLoss: number("eval_loss"), learningRate: number("lr"),
            epoch: number("epoch"), percentage: number("percentage"),
            elapsed: value["elapsed_time"]?.stringValue, remaining: value["remaining_time"]?.stringValue)
    }
}

/// Reads `trainer_log.jsonl` as it grows: only appended bytes are read; an incomplete last line
/// is kept until its newline arrives; a file that shrank (overwritten) is read again from the start.
public final class TrainerLogTail: @unchecked Sendable {
    public let path: String
    private var offset: UInt64 = 0
    private var partial: [UInt8] = []
    private let lock = NSLock()

    public init(path: String) { self.path = path }

    /// Entries completed since the last call.
    public func poll() -> [TrainerLogEntry] {
        lock.lock()
        defer { lock.unlock() }
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        if size < offset {
            offset = 0
            partial = []
        }
        guard size > offset else { return [] }
        try? handle.seek(toOffset: offset)
        let data = (try? handle.read(upToCount: Int(size - offset))) ?? Data()
        offset += UInt64(data.count)
        partial += data
        var entries: [TrainerLogEntry] = []
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: partial[..<newline], as: UTF8.self)
            partial.removeSubrange(...newline)
            if let entry = TrainerLogEntry.parse(line) { entries.append(entry) }
        }
        return entries
    }

    /// Every complete entry of a file (a finished or running run).
    public static func readAll(path: String) -> [TrainerLogEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
        return lines.compactMap(TrainerLogEntry.parse)
    }

    /// Removes the entries after `step` (written past the checkpoint a run resumes from: the
    /// trainer logs those steps again). Atomic; returns how many entries were removed.
    public static func truncate(path: String, after step: Int) throws -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        var kept: [Substring] = []
        for line in lines {
            // A torn last line (the process was killed mid-write) goes too.
            guard let entry = TrainerLogEntry.parse(line) else { continue }
            if entry.currentSteps <= step { kept.append(line) }
        }
        let dropped = lines.count - kept.count
        if dropped > 0 { try AtomicFile.write(kept.map { $0 + "\n" }.joined(), to: path) }
        return dropped
    }
}

/// A summary of a run's progress for `lfm status`, `lfm runs` and the live progress line.
public struct ProgressSummary: Sendable, Equatable {
    public var step: Int = 0
    public var total: Int = 0
    public var lastLoss: Double?
    public var lastEvalLoss: Double?
    public var learningRate: Double?
    public var percentage: Double?
    public var elapsed: String?
    public var remaining: String?
    /// (step, loss) for training lines, in order.
    public var losses: [(step: Int, loss: Double)] = []
    /// (step, eval_loss) for evaluation lines.
    public var evalLosses: [(step: Int, loss: Double)] = []
    public var finished = false

    public init() {}

    public init(entries: [TrainerLogEntry]) {
        for entry in entries { add(entry) }
    }

    public mutating func add(_ entry: TrainerLogEntry) {
        // A resumed run appends to the same file starting again at its checkpoint's step: the
        // later lines replace the earlier ones from that step on.
        if entry.kind == .train, let last = losses.last, entry.currentSteps <= last.step {
            losses.removeAll { $0.step >= entry.currentSteps }
            evalLosses.removeAll { $0.step >= entry.currentSteps }
        }
        step = entry.currentSteps
        total = entry.totalSteps
        if let p = entry.percentage { percentage = p }
        if let e = entry.elapsed { elapsed = e }
        if let r = entry.remaining { remaining = r }
        switch entry.kind {
        case .train:
            lastLoss = entry.loss
            learningRate = entry.learningRate ?? learningRate
            losses.append((entry.currentSteps, entry.loss!))
        case .eval:
            lastEvalLoss = entry.evalLoss
            evalLosses.append((entry.currentSteps, entry.evalLoss!))
        case .summary:
            finished = entry.totalSteps > 0 && entry.currentSteps >= entry.totalSteps
        }
    }

    public static func == (a: ProgressSummary, b: ProgressSummary) -> Bool {
        a.step == b.step && a.total == b.total && a.lastLoss == b.lastLoss && a.lastEvalLoss == b.lastEvalLoss
            && a.losses.map(\.step) == b.losses.map(\.step) && a.losses.map(\.loss) == b.losses.map(\.loss)
            && a.finished == b.finished
    }

    /// `step 3/10  30%  loss 7.6123  lr 9.8e-05  elapsed 0:00:02  ETA 0:00:05`
    public var line: String {
        var parts = ["step \(step)/\(total)"]
        if let percentage { parts.append(String(format: "%3.0f%%", percentage)) }
        if let lastLoss { parts.append(String(format: "loss %.4f", lastLoss)) }
        if let lastEvalLoss { parts.append(String(format: "eval_loss %.4f", lastEvalLoss)) }
        if let learningRate { parts.append(String(format: "lr %.2e", learningRate)) }
        if let elapsed { parts.append("elapsed \(elapsed)") }
        if let remaining, !finished { parts.append("ETA \(remaining)") }
        return parts.joined(separator: "  ")
    }

    /// The loss curve in block characters, at most `width` wide (bucket means).
    public func sparkline(width: Int = 40) -> String {
        Sparkline.render(losses.map(\.loss), width: width)
    }
}

public enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    public static func render(_ values: [Double], width: Int = 40) -> String {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty, width > 0 else { return "" }
        var buckets: [Double] = []
        if finite.count <= width {
            buckets = finite
        } else {
            for i in 0..<width {
                let lo = i * finite.count / width
                let hi = max(lo + 1, (i + 1) * finite.count / width)
                let slice = finite[lo..<hi]
                buckets.append(slice.reduce(0, +) / Double(slice.count))
            }
        }
        let minV = buckets.min()!, maxV = buckets.max()!
        let span = maxV - minV
        return String(buckets.map { v in
            span <= 0 ? blocks[3] : blocks[min(7, Int((v - minV) / span * 7.999))]
        })
    }
}
