import Foundation
import LFMSystem

/// Counts finished chunks and calls the progress callback.
final class ProgressTracker: Sendable {
    private let state: Locked<GenerateProgress>
    private let start: Date
    private let callback: (@Sendable (GenerateProgress) -> Void)?
    private let resumed: Int

    init(total: Int, resumed: Int, records: Int, start: Date, callback: (@Sendable (GenerateProgress) -> Void)?) {
        self.start = start
        self.callback = callback
        self.resumed = resumed
        state = Locked(GenerateProgress(chunksDone: resumed, chunksTotal: total, chunksResumed: resumed, chunksFailed: 0,
                                        records: records, usage: TokenUsage(), elapsedSeconds: 0, etaSeconds: nil))
    }

    var snapshot: GenerateProgress { state.current }

    func chunkDone(records: Int, usage: TokenUsage) {
        state.withLock {
            $0.chunksDone += 1
            $0.records += records
            $0.usage = $0.usage + usage
        }
        report()
    }

    func chunkFailed(usage: TokenUsage) {
        state.withLock {
            $0.chunksDone += 1
            $0.chunksFailed += 1
            $0.usage = $0.usage + usage
        }
        report()
    }

    func report() {
        let elapsed = Date().timeIntervalSince(start)
        let progress = state.withLock { p -> GenerateProgress in
            p.elapsedSeconds = elapsed
            let doneThisRun = p.chunksDone - resumed
            p.etaSeconds = doneThisRun > 0 ? elapsed / Double(doneThisRun) * Double(p.chunksTotal - p.chunksDone) : nil
            return p
        }
        callback?(progress)
    }
}
