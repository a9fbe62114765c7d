import Foundation
import Testing
@testable import LFMTools

/// `PythonTokenCounter` over the `ProcessRunner` seam, against a stand-in "python" that speaks
/// the counter's protocol (READY, then one line of counts per batch: here, characters per text).
@Suite struct PythonTokenCounterTests {
    /// A stand-in interpreter; `before` runs before READY, `perBatch` after each answer.
    func fakePython(_ dir: TempDir, before: String = "", perBatch: String = "") throws -> String {
        let path = try dir.file("bin/python", """
            #!/usr/bin/env python3
            import json, sys
            \(before)
            sys.stdout.write("READY\\n"); sys.stdout.flush()
            while True:
                header = sys.stdin.readline()
                if not header:
                    break
                texts = [json.loads(sys.stdin.readline()) for _ in range(int(header))]
                sys.stdout.write(" ".join(str(len(t)) for t in texts) + "\\n"); sys.stdout.flush()
                \(perBatch)
            """)
        chmod(path, 0o755)
        return path
    }

    /// 1 MiB of warnings on stderr before READY: nobody drained stderr before, so the child
    /// blocked on a full pipe while lfm waited for READY on stdout, for ever.
    @Test func aChattyStderrDoesNotStallTheCounter() async throws {
        let dir = try TempDir()
        let python = try fakePython(dir, before: "sys.stderr.write('warning: noise\\n' * 70000); sys.stderr.flush()")
        let counts = try await offThePool { () throws -> [Int] in
            let counter = try PythonTokenCounter(tokenizer: "fake", python: python)
            return try counter.count(["abc", "", "你好"])
        }
        #expect(counts == [3, 0, 2])
    }

    /// A batch far larger than a pipe holds, answered in order, several times in one process.
    @Test func largeBatchesThroughOneProcess() async throws {
        let dir = try TempDir()
        let python = try fakePython(dir)
        let texts = (0..<20_000).map { String(repeating: "y", count: $0 % 700) }
        let results = try await offThePool { () throws -> [[Int]] in
            let counter = try PythonTokenCounter(tokenizer: "fake", python: python)
            return [try counter.count(texts), try counter.count(["four"]), try counter.count([])]
        }
        #expect(results[0] == texts.map(\.count))
        #expect(results[1] == [4])
        #expect(results[2] == [])
    }

    /// The process dies after its first answer: the next count fails with a message instead of
    /// waiting for ever.
    @Test func aDeadTokenizerIsAnErrorNotAHang() async throws {
        let dir = try TempDir()
        let python = try fakePython(dir, perBatch: "sys.stderr.write('killed by OOM\\n'); sys.exit(1)")
        let outcome = try await offThePool { () -> (first: [Int], second: String) in
            let counter = try PythonTokenCounter(tokenizer: "fake", python: python)
            let first = try counter.count(["ab"])
            do {
                _ = try counter.count(["cd"])
                return (first, "no error")
            } catch {
                return (first, "\(error)")
            }
        }
        #expect(outcome.first == [2])
        #expect(outcome.second.contains("stopped answering"))
    }

    @Test func aTokenizerThatDoesNotLoadIsReportedWithItsReason() async throws {
        let dir = try TempDir()
        let python = try dir.file("bin/python", "#!/bin/sh\necho 'ERROR \"no such model\"'\nexit 3\n")
        chmod(python, 0o755)
        let message = try await offThePool { () -> String in
            do {
                _ = try PythonTokenCounter(tokenizer: "missing", python: python)
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        #expect(message.contains("cannot load tokenizer missing"))
        #expect(message.contains("no such model"))
    }
}
