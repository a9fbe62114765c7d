import Foundation
import LFMCore
import Testing
@testable import LFMTools

@Suite struct ConvertTests {
    let families: [DataFormat.Family] = [.alpaca, .sharegpt, .openai]

    func convert(_ path: String, to family: DataFormat.Family, out: String, keepHistory: Bool = true) throws -> Converter.Report {
        var options = Converter.Options()
        options.keepHistory = keepHistory
        return try Converter(options: options).convert(try DatasetInput.file(path), to: family, output: out)
    }

    @Test(arguments: ["sft", "preference", "kto"])
    func roundTripEveryFormatPairIsByteIdentical(kind: String) throws {
        let dir = try TempDir()
        let records = kind == "sft" ? alpacaSFT : (kind == "preference" ? alpacaPreference : alpacaKTO)
        // Start from each family's own rendering, then go A → B → A for every pair.
        let alpaca = try dir.records("alpaca.json", records)
        var origin: [DataFormat.Family: String] = [.alpaca: alpaca]
        for family in [DataFormat.Family.sharegpt, .openai] {
            let report = try convert(alpaca, to: family, out: dir.path("\(family).json"))
            #expect(report.skipped.isEmpty && report.lossy.isEmpty)
            origin[family] = report.output
        }
        for a in families {
            for b in families where b != a {
                let there = try convert(origin[a]!, to: b, out: dir.path("\(a)-\(b).jsonl"))
                let back = try convert(there.output, to: a, out: dir.path("\(a)-\(b)-\(a).json"))
                #expect(there.written == records.count && back.written == records.count)
                #expect(there.validation?.hasErrors == false && back.validation?.hasErrors == false)
                #expect(try read(back.output) == read(origin[a]!), "\(kind): \(a) → \(b) → \(a)")
                #expect(try conversations(there.output) == conversations(origin[a]!), "\(kind): \(a) → \(b) keeps every turn")
            }
        }
    }

    @Test func goldenShareGPTAndOpenAIOutput() throws {
        let dir = try TempDir()
        let input = try dir.records("in.json", [alpacaSFT[1]])
        let sharegpt = try convert(input, to: .sharegpt, out: dir.path("sg.json"))
        #expect(try read(sharegpt.output) == """
        [
          {
            "conversations": [
              {
                "from": "human",
                "value": "Name three colours."
              },
              {
                "from": "gpt",
                "value": "Red, green and blue."
              },
              {
                "from": "human",
                "value": "And two more?"
              },
              {
                "from": "gpt",
                "value": "Yellow and purple."
              }
            ],
            "system": "You are terse."
          }
        ]

        """)
        let openai = try convert(input, to: .openai, out: dir.path("oa.jsonl"))
        #expect(try read(openai.output) == #"""
        {"messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Name three colours."}, {"role": "assistant", "content": "Red, green and blue."}, {"role": "user", "content": "And two more?"}, {"role": "assistant", "content": "Yellow and purple."}]}

        """#)
        let entry = DatasetEntry.makeObject(fileName: "oa.jsonl", spec: openai.spec)
        #expect(JSONPrinter(indent: nil).string(.object(entry)) == #"{"file_name": "oa.jsonl", "formatting": "sharegpt", "columns": {"messages": "messages"}, "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant", "observation_tag": "tool", "function_tag": "function_call", "system_tag": "system"}}"#)
    }

    @Test func goldenPreferenceToShareGPT() throws {
        let dir = try TempDir()
        let input = try dir.records("in.json", [alpacaPreference[0]])
        let report = try convert(input, to: .sharegpt, out: dir.path("sg.jsonl"))
        #expect(try read(report.output) == #"{"conversations": [{"from": "human", "value": "Say hi."}], "chosen": {"from": "gpt", "value": "Hi!"}, "rejected": {"from": "gpt", "value": "No."}}"# + "\n")
        #expect(report.spec.ranking && report.spec.columns.chosen == "chosen")
    }

    @Test func lossReportsCountWhatIsLost() throws {
        let dir = try TempDir()
        let input = try dir.records("tools.json", [
            json(#"{"conversations": [{"from": "human", "value": "Weather?"}, {"from": "function_call", "value": "{\"name\": \"w\"}"}, {"from": "observation", "value": "sunny"}, {"from": "gpt", "value": "Sunny."}], "tools": "[]"}"#),
            json(#"{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}, {"from": "human", "value": "c"}, {"from": "gpt", "value": "d"}]}"#),
            json(#"{"conversations": [{"from": "human", "value": "e"}, {"from": "gpt", "value": "f"}]}"#),
        ])
        let full = try convert(input, to: .alpaca, out: dir.path("a.json"))
        #expect(full.read == 3 && full.written == 2)
        #expect(full.skipped.entries.map(\.message) == ["tool calls and tool results cannot be written in Alpaca"])
        #expect(full.skipped.entries[0].examples == [0])
        #expect(full.lossy.isEmpty)
        #expect(try readRecords(full.output)[0]["history"] == json(#"[["a", "b"]]"#))

        let last = try convert(input, to: .alpaca, out: dir.path("b.json"), keepHistory: false)
        #expect(last.lossy.count("earlier turns dropped (only the last exchange kept)") == 1)
        #expect(try readRecords(last.output)[0] == json(#"{"instruction": "c", "input": "", "output": "d"}"#))

        let withInput = try dir.records("in.json", [json(#"{"instruction": "Sum", "input": "1 2", "output": "3"}"#)])
        let joined = try convert(withInput, to: .sharegpt, out: dir.path("c.json"))
        #expect(joined.lossy.entries.count == 1 && joined.lossy.total == 1)
        #expect(try readRecords(joined.output)[0]["conversations"]?.arrayValue?[0]["value"] == .string("Sum\n1 2"))
    }

    @Test func invalidRoleOrderIsSkippedNotWritten() throws {
        let dir = try TempDir()
        let input = try dir.records("bad.json", [
            json(#"{"messages": [{"role": "assistant", "content": "x"}, {"role": "user", "content": "y"}]}"#),
            json(#"{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}"#),
        ])
        let report = try convert(input, to: .sharegpt, out: dir.path("o.json"))
        #expect(report.written == 1 && report.skipped.total == 1)
        #expect(report.validation?.hasErrors == false)
    }

    @Test func openAIToolCallsBecomeFunctionTurns() throws {
        let dir = try TempDir()
        let input = try dir.records("calls.jsonl", [
            json(#"{"messages": [{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "w", "arguments": "{}"}}]}, {"role": "tool", "content": "sunny"}, {"role": "assistant", "content": "Sunny."}]}"#),
        ], jsonl: true)
        let report = try convert(input, to: .sharegpt, out: dir.path("o.json"))
        let turns = try readRecords(report.output)[0]["conversations"]?.arrayValue ?? []
        #expect(turns.map { $0["from"]?.stringValue ?? "" } == ["human", "function_call", "observation", "gpt"])
        #expect(turns[1]["value"] == .string(#"{"name": "w", "arguments": "{}"}"#))
        #expect(report.validation?.hasErrors == false)
    }

    @Test func layoutFollowsTheOutputExtension() throws {
        let dir = try TempDir()
        let input = try dir.records("in.jsonl", alpacaSFT, jsonl: true)
        let report = try convert(input, to: .alpaca, out: dir.path("out.json"))
        #expect(report.layout == .jsonArray)
        #expect(try read(report.output).hasPrefix("[\n  {\n"))
        #expect(try readRecords(report.output) == readRecords(input))
        #expect(throws: ToolError.self) { try convert(input, to: .alpaca, out: dir.path("out.txt")) }
    }

    @Test func neverOverwritesInputOrExistingOutput() throws {
        let dir = try TempDir()
        let input = try dir.records("in.json", alpacaSFT)
        let before = try read(input)
        #expect(throws: ToolError.self) { try convert(input, to: .sharegpt, out: input) }
        _ = try convert(input, to: .sharegpt, out: dir.path("o.json"))
        #expect(throws: ToolError.outputExists(dir.path("o.json"))) { try convert(input, to: .sharegpt, out: dir.path("o.json")) }
        #expect(try read(input) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    @Test func registeredNameInAndRegisterOut() throws {
        let dir = try TempDir()
        let (workspace, _) = try Workspace.initialize(directory: dir.path, env: nil)
        let file = try dir.records("data/chats.json", [
            json(#"{"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}], "system": "s"}"#),
        ])
        _ = try Registrar(workspace: workspace).register(Registrar.Request(source: file, currentDirectory: "/"))
        let input = try DatasetInput.resolve("chats", currentDirectory: "/") { workspace }
        #expect(input.registered && input.family == .sharegpt)
        let report = try Converter().convert(input, to: .alpaca, output: dir.path("chats_alpaca.json"))
        let outcome = try OutputRegistrar.register(path: report.output, name: "chats_alpaca", spec: report.spec, format: report.format, workspace: workspace, force: false)
        #expect(outcome.report?.hasErrors == false)
        let entry = try workspace.registry.read().entry(named: "chats_alpaca")
        #expect(entry?.spec.columns.system == "system")
        #expect(entry?.spec.formatting == .alpaca)
        #expect(throws: (any Error).self) { try DatasetInput.resolve("chatz", currentDirectory: "/") { workspace } }
    }

    @Test func mergeConvertsToTheFirstFormat() throws {
        let dir = try TempDir()
        let a = try dir.records("a.json", Array(alpacaSFT.prefix(2)))
        let b = try dir.records("b.jsonl", [json(#"{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "r"}]}"#)], jsonl: true)
        let inputs = try [a, b].map { try DatasetInput.file($0) }
        let report = try Converter().transcode(inputs, to: OutputFormat(family: .alpaca, kind: .sft), output: dir.path("m.json"))
        #expect(report.written == 3 && report.validation?.hasErrors == false)
        #expect(try readRecords(report.output)[2] == json(#"{"instruction": "q", "input": "", "output": "r"}"#))
        let pref = try DatasetInput.file(try dir.records("p.json", alpacaPreference))
        #expect(throws: ToolError.self) {
            try Converter().transcode([inputs[0], pref], to: OutputFormat(family: .alpaca, kind: .sft), output: dir.path("x.json"))
        }
    }
}

@Suite struct DemoDataTests {
    static let demo = "/work/shared/llamafactory/data"

    /// LLaMA-Factory's own demo files, through every family and back: what the converters
    /// read (system, turns, answers, tools) is unchanged, and every output validates.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: demo + "/dpo_en_demo.json")),
          arguments: ["alpaca_en_demo.json", "dpo_en_demo.json", "kto_en_demo.json", "glaive_toolcall_en_demo.json", "alpaca_zh_demo.json"])
    func demoFilesKeepTheirConversations(file: String) throws {
        let dir = try TempDir()
        let source = try DatasetInput.file(Self.demo + "/" + file)
        let original = try conversations(source.path)
        for family in [DataFormat.Family.alpaca, .sharegpt, .openai] where family != source.family {
            let report = try Converter().convert(source, to: family, output: dir.path("\(family).jsonl"))
            #expect(report.validation?.hasErrors == false, "\(file) → \(family)")
            let converted = try conversations(report.output)
            if report.skipped.isEmpty {
                #expect(converted.count == original.count)
                // Extras (e.g. the KTO label under another name) aside, the conversations match.
                #expect(converted.map(\.turns) == original.map(\.turns), "\(file) → \(family)")
                #expect(converted.map(\.system) == original.map(\.system))
                #expect(converted.map(\.answer) == original.map(\.answer))
            } else {
                #expect(family == .alpaca && file.hasPrefix("glaive"))
                #expect(report.written + report.skipped.total == original.count)
            }
        }
    }
}

/// `dryRun` on the writers: the same counts and checks as a real run, nothing on disk.
@Suite struct DryRunTests {
    static func listing(_ dir: TempDir) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: dir.path).sorted()
    }

    @Test func converterCountsAndWritesNothing() throws {
        let dir = try TempDir()
        let input = try DatasetInput.file(try dir.records("in.json", alpacaSFT))
        let before = try Self.listing(dir)
        var options = Converter.Options()
        options.dryRun = true
        let dry = try Converter(options: options).convert(input, to: .sharegpt, output: dir.path("sub/out.jsonl"))
        #expect(try Self.listing(dir) == before)
        #expect(dry.validation == nil)
        let real = try Converter().convert(input, to: .sharegpt, output: dir.path("sub/out.jsonl"))
        #expect(dry.read == real.read && dry.written == real.written && dry.written == alpacaSFT.count)
        #expect(dry.lossy == real.lossy && dry.skipped == real.skipped)
        #expect(dry.spec == real.spec)
        // An existing output still needs force, as in a real run.
        #expect(throws: ToolError.self) { try Converter(options: options).convert(input, to: .sharegpt, output: real.output) }
    }

    @Test func splitterDedupeAndSamplerWriteNothing() throws {
        let dir = try TempDir()
        let input = try DatasetInput.file(try dir.records("in.json", alpacaSFT + [alpacaSFT[0]]))
        let before = try Self.listing(dir)
        var options = Splitter.Options(val: 0.2)
        options.dryRun = true
        let split = try Splitter(options: options).split(input, directory: dir.path("parts"))
        #expect(split.parts.map(\.records).reduce(0, +) == alpacaSFT.count + 1)
        #expect(split.parts.map(\.records) == Splitter(options: Splitter.Options(val: 0.2)).assignments(count: alpacaSFT.count + 1, strata: nil)
            .reduce(into: [0, 0]) { $0[Int($1)] += 1 })
        let deduper = Deduper()
        var report = try deduper.find(input)
        try deduper.writeKept(input, report: &report, output: dir.path("kept.json"), force: false, dryRun: true)
        #expect(report.written == alpacaSFT.count)
        let sampler = Sampler(count: 2)
        #expect(try sampler.write(try sampler.sample(input).records, to: dir.path("s.jsonl"), force: false, protecting: [input.path], dryRun: true) == 2)
        #expect(try Self.listing(dir) == before)
    }

    @Test func registrationDryRunLeavesTheRegistry() throws {
        let dir = try TempDir()
        let (workspace, _) = try Workspace.initialize(directory: dir.path, env: nil)
        let registry = try Data(contentsOf: URL(fileURLWithPath: workspace.registry.path))
        let input = try DatasetInput.file(try dir.records("in.json", alpacaSFT))
        let path = dir.path("in_sharegpt.json")
        var options = Converter.Options()
        options.dryRun = true
        let report = try Converter(options: options).convert(input, to: .sharegpt, output: path)
        let planned = try OutputRegistrar.registration(path: path, name: nil, spec: report.spec, format: report.format,
                                                       workspace: workspace, force: false, dryRun: true)
        #expect(planned.dryRun && planned.name == "in_sharegpt")
        #expect(planned.destination == workspace.dataDir + "/in_sharegpt.json")
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.registry.path)) == registry)
        #expect(!FileManager.default.fileExists(atPath: path) && !FileManager.default.fileExists(atPath: planned.destination))
        // The real registration lands where the dry run said, with the same entry.
        _ = try Converter().convert(input, to: .sharegpt, output: path)
        let real = try OutputRegistrar.registration(path: path, name: nil, spec: report.spec, format: report.format,
                                                    workspace: workspace, force: false, dryRun: false)
        #expect(real.name == planned.name && real.destination == planned.destination)
        #expect(try workspace.registry.read().entry(named: "in_sharegpt") != nil)
        // Now the name is taken: a dry run without force says so, like the real run.
        #expect(throws: (any Error).self) {
            try OutputRegistrar.registration(path: path, name: nil, spec: report.spec, format: report.format,
                                             workspace: workspace, force: false, dryRun: true)
        }
    }
}
