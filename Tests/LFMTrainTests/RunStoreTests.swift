import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import LFMTrain

@Suite struct RunStoreTests {
    func makeRun(_ store: RunStore, id: String, out: String, status: RunRecord.Status = .finished) throws -> RunDirectory {
        let dir = try store.create(id: id)
        let plan = LaunchPlan(executable: "/x/llamafactory-cli", arguments: ["train", dir.configFile], workingDirectory: dir.path,
                              changes: [LaunchPlan.EnvChange("PYTHONUNBUFFERED", "1")], base: [:])
        var record = RunRecord(id: id, model: "/models/tiny", template: "llama3", datasets: [], stage: "sft", method: "lora",
                               outputDir: out, config: dir.configFile, plan: plan, envPrefix: "/x", detached: false)
        if status != .running { record.finish(exitCode: status == .finished ? 0 : 1) }
        try dir.write(record)
        return dir
    }

    @Test func idsAreTimeStageAndModel() throws {
        let s = try TempDir()
        let store = RunStore(stateDir: s.path(".lfm"))
        let date = Date(timeIntervalSince1970: 1_795_900_000)
        let id = store.newID(stage: "sft", model: "/models/Llama-3.2-1B-Instruct", date: date)
        #expect(id.hasSuffix("-sft-llama-3.2-1b-instruct"))
        #expect(id.count == "yyyyMMdd-HHmmss".count + "-sft-llama-3.2-1b-instruct".count)
        _ = try store.create(id: id)
        #expect(store.newID(stage: "sft", model: "/models/Llama-3.2-1B-Instruct", date: date) == id + "-2")
        #expect(RunStore.shortName("meta-llama/Meta Llama 3!") == "meta-llama-3-")
    }

    /// Two launches in the same second (two nodes on one host, a script) used to get one id and
    /// share a directory: reserving claims the directory itself, so every caller gets its own.
    @Test func reservingInTheSameSecondGivesDistinctRunDirectories() async throws {
        let s = try TempDir()
        let store = RunStore(stateDir: s.path(".lfm"))
        let date = Date(timeIntervalSince1970: 1_795_900_000)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { try store.reserve(stage: "sft", model: "/models/tiny", date: date).id }
            }
            var ids: [String] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids).count == 8, "\(ids.sorted())")
        let base = RunStore.baseID(stage: "sft", model: "/models/tiny", date: date)
        #expect(Set(ids) == Set([base] + (2...8).map { "\(base)-\($0)" }))
        for id in ids { #expect(FileManager.default.fileExists(atPath: store.directory(id: id).path)) }
        // An existing (even empty) directory is never handed out again.
        #expect(try store.reserve(stage: "sft", model: "/models/tiny", date: date).id == "\(base)-9")
        // Giving back: an empty reservation goes, a directory with files stays.
        let empty = store.directory(id: base)
        empty.release()
        #expect(!FileManager.default.fileExists(atPath: empty.path))
        let used = store.directory(id: "\(base)-2")
        try s.write(".lfm/runs/\(base)-2/train.yaml", "stage: sft\n")
        used.release()
        #expect(FileManager.default.fileExists(atPath: used.configFile))
    }

    @Test func resolvesIdsPrefixesInfixesAndLast() throws {
        let s = try TempDir()
        let store = RunStore(stateDir: s.path(".lfm"))
        #expect(throws: RunError.self) { try store.resolve("last") }
        _ = try makeRun(store, id: "20261124-100000-sft-tiny", out: s.path("o1"))
        _ = try makeRun(store, id: "20261124-110000-dpo-tiny", out: s.path("o2"))
        _ = try makeRun(store, id: "20261125-090000-sft-tiny", out: s.path("o3"))
        #expect(try store.resolve("last").id == "20261125-090000-sft-tiny")
        #expect(try store.resolve("20261124-1100").id == "20261124-110000-dpo-tiny")
        #expect(try store.resolve("dpo").id == "20261124-110000-dpo-tiny")
        #expect(try store.resolve("20261124-100000-sft-tiny").id == "20261124-100000-sft-tiny")
        #expect(throws: RunError.ambiguous("20261124", matches: ["20261124-100000-sft-tiny", "20261124-110000-dpo-tiny"])) {
            try store.resolve("20261124")
        }
        #expect(throws: RunError.self) { try store.resolve("zzz") }
        #expect(store.ids() == ["20261124-100000-sft-tiny", "20261124-110000-dpo-tiny", "20261125-090000-sft-tiny"])
        // A stray folder without run.json is not a run.
        try FileManager.default.createDirectory(atPath: s.path(".lfm/runs/junk"), withIntermediateDirectories: true)
        #expect(store.ids().count == 3)
    }

    @Test func allRunsWithProgressForTheTable() throws {
        let s = try TempDir()
        let store = RunStore(stateDir: s.path(".lfm"))
        try s.write("o1/trainer_log.jsonl", ProgressTests.step1 + "\n" + ProgressTests.summary + "\n")
        try s.write("o1/adapter_model.safetensors", "")
        _ = try makeRun(store, id: "20261124-100000-sft-tiny", out: s.path("o1"))
        _ = try makeRun(store, id: "20261124-110000-sft-tiny", out: s.path("o2"), status: .failed)
        let all = store.all()
        #expect(all.map(\.status) == [.finished, .failed])
        #expect(all[0].progress.step == 10 && all[0].progress.total == 10)
        #expect(all[0].progress.lastLoss == 7.609620571136475)
        #expect(all[0].adapterPath == s.path("o1"))
        #expect(all[1].adapterPath == nil)
        #expect(all[0].duration != nil)
    }

    @Test func runJSONRoundTrips() throws {
        let s = try TempDir()
        let store = RunStore(stateDir: s.path(".lfm"))
        let dir = try makeRun(store, id: "20261124-100000-sft-tiny", out: s.path("o1"))
        let text = s.read(dir.recordFile)
        #expect(text.contains("\"id\": \"20261124-100000-sft-tiny\""))
        #expect(text.contains("\"exit_code\": 0"))
        #expect(text.contains("\"status\": \"finished\""))
        #expect(text.contains("\"argv\": ["))
        #expect(!text.contains("\\/"))
        let record = try dir.readRecord()
        #expect(record.argv == ["/x/llamafactory-cli", "train", dir.configFile])
        #expect(record.environment["PYTHONUNBUFFERED"] == .some("1"))
    }

    @Test func lossPlotIsWellFormedSVGWithOneCurvePerRunAndALegend() throws {
        let plot = LossPlot(series: [
            .init(label: "run-a <sft>", points: (1...10).map { (Double($0), 7.6 - Double($0) * 0.1) },
                  evalPoints: [(5, 7.2), (10, 7.0)]),
            .init(label: "run-b", points: (1...20).map { (Double($0), 0.69 - Double($0) * 0.001) }),
            .init(label: "run-c", points: [(1, 3)]),
        ])
        let svg = plot.svg()
        final class Counter: NSObject, XMLParserDelegate {
            var counts: [String: Int] = [:]
            var texts: [String] = []
            var current = ""
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                counts[name, default: 0] += 1
                current = ""
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                if name == "text" { texts.append(current) }
            }
        }
        let counter = Counter()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = counter
        #expect(parser.parse(), "SVG must be well-formed XML: \(String(describing: parser.parserError))")
        #expect(counter.counts["svg"] == 1)
        #expect(counter.counts["polyline"] == 3)  // a, a's eval, b (c is a single point)
        #expect(counter.counts["circle"] == 1)
        #expect(counter.texts.contains("run-a <sft> (- - eval)"))  // escaped in the file, decoded by the parser
        #expect(counter.texts.contains("run-b"))
        #expect(counter.texts.contains("step") && counter.texts.contains("loss"))
        #expect((counter.counts["text"] ?? 0) > 10)  // tick labels
    }

    @Test func niceTicks() {
        #expect(LossPlot.ticks(0, 10) == [0, 2, 4, 6, 8, 10])
        #expect(LossPlot.ticks(0.5, 0.7).count >= 3)
        let t = LossPlot.ticks(6.82, 6.86)
        #expect(t.allSatisfy { $0 >= 6.82 - 1e-9 && $0 <= 6.86 + 1e-9 })
        #expect(t.count >= 3)
    }
}
