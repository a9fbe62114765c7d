import Foundation
import Testing

/// Many `lfm register` processes at once against one registry: the lock serialises them, nothing is
/// lost, and the file stays valid JSON with the original entries intact.
// Serialized: each test starts 16-20 processes at once; two such tests side by side on a two-core
// machine only make each other slow.
@Suite("Concurrent register", .serialized, .enabled(if: binaryAvailable))
struct ConcurrentRegisterTests {
    @Test("20 parallel registers into one registry all land", arguments: [20])
    func parallelRegisters(_ count: Int) async throws {
        let dir = try TempDir()
        let root = try dir.checkout()
        let original = try dir.bytes("lf/data/dataset_info.json")
        let originalObject = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
        var sources: [String] = []
        for i in 0..<count {
            let record = #"{"instruction": "question \#(i)", "input": "", "output": "answer \#(i)"}"#
            sources.append(try dir.write("in/set\(i).json", "[\(record)]"))
        }
        let running = try sources.map { try RunningLFM(["register", $0, "--lf-dir", root], cwd: dir.path) }
        var results: [CLIResult] = []
        for process in running { results.append(await process.wait()) }
        for (i, result) in results.enumerated() {
            #expect(result.status == 0, "set\(i): \(result.stderr)")
        }

        let final = try dir.bytes("lf/data/dataset_info.json")
        let object = try #require(try JSONSerialization.jsonObject(with: final) as? [String: Any], "registry is not valid JSON")
        #expect(object.count == 104 + count)
        for i in 0..<count {
            let entry = object["set\(i)"] as? [String: Any]
            #expect(entry?["file_name"] as? String == "set\(i).json")
            #expect(FileManager.default.fileExists(atPath: root + "/data/set\(i).json"))
        }
        // The original 104 entries are intact, and the file still begins with them byte for byte.
        func canonical(_ value: Any?) throws -> Data {
            try JSONSerialization.data(withJSONObject: value ?? NSNull(), options: [.sortedKeys, .fragmentsAllowed])
        }
        for (name, value) in originalObject {
            #expect(try canonical(object[name]) == canonical(value), "\(name)")
        }
        #expect(final.prefix(original.count - 3) == original.prefix(original.count - 3))
        #expect(final.last == UInt8(ascii: "\n"))
        // No temporary files left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root + "/data").filter { $0.hasPrefix(".") && !$0.hasSuffix(".lock") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("16 parallel registers of the same name: one wins, the others fail cleanly, the data file survives", arguments: 1...3)
    func sameNameRace(_ round: Int) async throws {
        let dir = try TempDir()
        let root = try dir.checkout()
        let source = try dir.write("in/same.json", #"[{"instruction": "q\#(round)", "input": "", "output": "a"}]"#)
        let running = try (0..<16).map { _ in try RunningLFM(["register", source, "--lf-dir", root], cwd: dir.path) }
        var results: [CLIResult] = []
        for process in running { results.append(await process.wait()) }
        #expect(results.filter { $0.status == 0 }.count == 1)
        for result in results where result.status != 0 {
            #expect(result.status == 1)
            #expect(result.stderr.contains("a dataset named \"same\" is already registered"), "\(result.stderr)")
        }
        #expect(try dir.bytes("lf/data/same.json") == Data(contentsOf: URL(fileURLWithPath: source)), "the registered data file was deleted")
        let object = try #require(try JSONSerialization.jsonObject(with: dir.bytes("lf/data/dataset_info.json")) as? [String: Any])
        #expect(object.count == 105)
        #expect((object["same"] as? [String: Any])?["file_name"] as? String == "same.json")
    }
}
