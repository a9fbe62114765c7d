import LFMCore
import LFMGenerate
import Foundation

/// Human output for `lfm generate`.
enum GenerateReport {
    static func printPreview(_ plan: GeneratePreview) {
        let rows = plan.files.map { [$0.path, "\($0.characters)", "\($0.chunks)"] }
        Terminal.out(Terminal.table(["FILE", "CHARACTERS", "CHUNKS"], rows, rightAligned: [1, 2]))
        for skipped in plan.skippedDocuments { Terminal.warning("skipped \(skipped.path): \(skipped.reason)") }
        Terminal.out("""
            \(Plural.count(plan.chunks, "chunk")) (average \(plan.averageChunkCharacters), largest \(plan.largestChunkCharacters) characters), \
            \(plan.chunksAlreadyDone) already done
            \(Plural.count(plan.requests, "request")) to \(plan.baseURL) for \(plan.format) records
            estimated tokens: \(plan.estimatedPromptTokens) prompt + \(plan.estimatedCompletionTokens) completion (\(plan.estimationMethod))
            """)
    }

    static func printSummary(_ s: GenerateSummary) {
        for skipped in s.skippedDocuments { Terminal.warning("skipped \(skipped.path): \(skipped.reason)") }
        for warning in s.warnings { Terminal.warning(warning) }
        let mark = s.recordsWritten > 0 ? Terminal.paint("✔ ", .green) : ""
        Terminal.out("\(mark)\(s.recordsWritten) \(s.format) record\(s.recordsWritten == 1 ? "" : "s") from \(Plural.count(s.documents, "document")) → \(s.outputPath)")
        Terminal.out("  chunks: \(s.chunksTotal) (\(s.chunksGenerated) generated, \(s.chunksResumed) resumed, \(s.chunksFailed) failed)")
        Terminal.out("  dropped: \(s.invalidRecords) invalid, \(s.unusableItems) unusable, \(s.exactDuplicatesRemoved + s.normalizedDuplicatesRemoved) duplicates")
        Terminal.out("  tokens: \(s.usage.promptTokens) prompt + \(s.usage.completionTokens) completion in \(s.requests) requests (\(s.retries) retries), \(duration(s.elapsedSeconds))")
        printFailures(s)
    }

    /// Why chunks failed, each cause once: an error when nothing was written, else a warning.
    static func printFailures(_ s: GenerateSummary) {
        guard s.chunksFailed > 0 else {
            if s.recordsWritten == 0 { Terminal.error("no records were written: the documents gave \(s.chunksTotal) chunks") }
            return
        }
        let head = "\(s.chunksFailed) of \(s.chunksTotal) \(s.chunksTotal == 1 ? "chunk" : "chunks") gave no records"
        func report(_ message: String) {
            if s.recordsWritten == 0 { Terminal.error(message) } else { Terminal.warning(message) }
        }
        if s.failures.count == 1, let only = s.failures.first {
            report("\(head): \(only.cause)")
        } else {
            report(s.failures.isEmpty ? head : head + ":")
            for failure in s.failures { Terminal.err("  \(failure.chunks) × \(failure.cause)") }
        }
        Terminal.hint("details and raw replies are in \(s.failedDirectory); run the same command again to retry those chunks")
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m"
    }
}
