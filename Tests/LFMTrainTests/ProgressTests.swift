import LFMSystem
import Foundation
import Testing
@testable import LFMTrain

/// trainer_log.jsonl parsing. Sample lines are the ones measured from LLaMA-Factory 0.9.5
/// (Tests/Conformance/README.md); the eval line has the shape LogCallback writes (REFERENCE e).
@Suite struct ProgressTests {
    static let step1 = #"{"current_steps": 1, "total_steps": 10, "loss": 7.609620571136475, "lr": 0.0001, "epoch": 0.02, "percentage": 10.0, "elapsed_time": "0:00:00", "remaining_time": "0:00:03"}"#
    static let dpo = #"{"current_steps": 2, "total_steps": 10, "loss": 0.6931471824645996, "accuracy": 0.0, "lr": 9.755282581475769e-05, "epoch": 0.04, "percentage": 20.0, "elapsed_time": "0:00:01", "remaining_time": "0:00:02"}"#
    static let eval = #"{"current_steps": 2, "total_steps": 10, "eval_loss": 7.5, "epoch": 0.04, "percentage": 20.0, "elapsed_time": "0:00:01", "remaining_time": "0:00:02"}"#
    static let summary = #"{"current_steps": 10, "total_steps": 10, "epoch": 0.2, "percentage": 100.0, "elapsed_time": "0:00:04", "remaining_time": "0:00:00"}"#

    @Test func parsesTrainEvalAndSummaryLines() throws {
        let a = try #require(TrainerLogEntry.parse(Self.step1))
        #expect(a.kind == .train)
        #expect(a.currentSteps == 1 && a.totalSteps == 10)
        #expect(a.loss == 7.609620571136475)
        #expect(a.learningRate == 0.0001)
        #expect(a.remaining == "0:00:03")
        #expect(TrainerLogEntry.parse(Self.dpo)?.learningRate == 9.755282581475769e-05)
        let e = try #require(TrainerLogEntry.parse(Self.eval))
        #expect(e.kind == .eval && e.evalLoss == 7.5 && e.loss == nil)
        #expect(TrainerLogEntry.parse(Self.summary)?.kind == .summary)
        #expect(TrainerLogEntry.parse("{\"current_steps\": 1, \"total") == nil)
        #expect(TrainerLogEntry.parse("not json") == nil)
        #expect(TrainerLogEntry.parse("{}") == nil)
    }

    @Test func tailReadsOnlyCompleteAppendedLines() throws {
        let s = try TempDir()
        let file = s.path("trainer_log.jsonl")
        let tail = TrainerLogTail(path: file)
        #expect(tail.poll().isEmpty)  // no file yet
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: try s.write("trainer_log.jsonl", "")))
        let line = Self.step1 + "\n"
        let cut = line.index(line.startIndex, offsetBy: 40)
        handle.write(Data(line[..<cut].utf8))
        #expect(tail.poll().isEmpty)  // partial line kept back
        handle.write(Data(line[cut...].utf8))
        #expect(tail.poll().map(\.currentSteps) == [1])
        handle.write(Data((Self.dpo + "\n" + Self.eval + "\n" + Self.summary).utf8))
        #expect(tail.poll().map(\.kind) == [.train, .eval])  // summary has no newline yet
        handle.write(Data("\n".utf8))
        #expect(tail.poll().map(\.kind) == [.summary])
        #expect(tail.poll().isEmpty)
        try handle.close()
        // Overwritten (a --fresh run deletes the old log): start again from the top.
        try s.write("trainer_log.jsonl", Self.step1 + "\n")
        #expect(tail.poll().map(\.currentSteps) == [1])
        #expect(TrainerLogTail.readAll(path: file).count == 1)
    }

    @Test func summaryLineSparklineAndFinish() {
        var p = ProgressSummary()
        for line in [Self.step1, Self.dpo, Self.eval] { p.add(TrainerLogEntry.parse(line)!) }
        #expect(p.step == 2 && p.total == 10)
        #expect(p.lastLoss == 0.6931471824645996)
        #expect(p.lastEvalLoss == 7.5)
        #expect(p.losses.count == 2 && p.evalLosses.count == 1)
        #expect(p.line.contains("step 2/10"))
        #expect(p.line.contains("loss 0.6931"))
        #expect(p.line.contains("ETA 0:00:02"))
        #expect(!p.finished)
        p.add(TrainerLogEntry.parse(Self.summary)!)
        #expect(p.finished)
        #expect(!p.line.contains("ETA"))
        #expect(p.lastLoss == 0.6931471824645996)  // the summary has no loss: last loss kept
    }

    @Test func resumedRunReplacesStepsFromItsCheckpoint() {
        func line(_ step: Int, _ loss: Double) -> TrainerLogEntry {
            TrainerLogEntry(currentSteps: step, totalSteps: 10, loss: loss)
        }
        // Interrupted at step 8, resumed from checkpoint-5 (appended to the same file).
        let p = ProgressSummary(entries: (1...8).map { line($0, 9) } + (6...10).map { line($0, 1) })
        #expect(p.losses.map(\.step) == Array(1...10))
        #expect(p.losses.map(\.loss) == Array(repeating: 9, count: 5) + Array(repeating: 1, count: 5))
    }

    @Test func sparklineScalesAndBuckets() {
        #expect(Sparkline.render([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█")
        #expect(Sparkline.render([3, 3, 3]) == "▄▄▄")
        #expect(Sparkline.render([]) == "")
        let long = Sparkline.render((0..<1000).map { Double(1000 - $0) }, width: 20)
        #expect(long.count == 20)
        #expect(long.first == "█" && long.last == "▁")
    }

    @Test func sha256KnownVectors() {
        #expect(SHA256Digest.hex(of: [UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256Digest.hex(of: long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var split = SHA256Digest()
        split.update(long.prefix(10))
        split.update(long.dropFirst(10))
        #expect(split.finalize() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
