import Testing
import LFMCore
import LFMTools
@testable import LFMGenerate

@Suite struct RecordTests {
    let example = Example(instruction: "Q", input: "I", output: "A", history: [Example.Exchange(user: "q0", assistant: "a0")], rejected: "R")

    @Test func alpacaShapes() {
        let plain = RecordFormatter(format: .alpaca, systemPrompt: "S").record(Example(instruction: "Q", output: "A"))
        #expect(JSONPrinter(indent: nil).string(plain) == #"{"instruction": "Q", "input": "", "output": "A", "system": "S"}"#)
        let pref = RecordFormatter(format: GenerateFormat(style: .alpaca, preference: true)).record(example)
        #expect(JSONPrinter(indent: nil).string(pref) == #"{"instruction": "Q", "input": "I", "chosen": "A", "rejected": "R", "history": [["q0", "a0"]]}"#)
    }

    @Test func sharegptAndOpenAIShapes() {
        let share = RecordFormatter(format: .sharegpt).record(example)
        #expect(JSONPrinter(indent: nil).string(share) == #"{"conversations": [{"from": "human", "value": "q0"}, {"from": "gpt", "value": "a0"}, {"from": "human", "value": "Q\n\nI"}, {"from": "gpt", "value": "A"}]}"#)
        let openai = RecordFormatter(format: GenerateFormat(style: .openai, preference: true), systemPrompt: "S").record(Example(instruction: "Q", output: "A", rejected: "R"))
        #expect(JSONPrinter(indent: nil).string(openai) == #"{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}], "chosen": {"role": "assistant", "content": "A"}, "rejected": {"role": "assistant", "content": "R"}}"#)
    }

    @Test(arguments: [GenerateFormat.alpaca, .sharegpt, .openai, GenerateFormat(style: .alpaca, preference: true),
                      GenerateFormat(style: .sharegpt, preference: true), GenerateFormat(style: .openai, preference: true)])
    func formatterOutputPassesTheValidator(format: GenerateFormat) {
        let record = RecordFormatter(format: format, systemPrompt: "S").record(example)
        #expect(CoreRecordValidator().problems(in: record, format: format) == [])
    }

    /// LFMCore's rules (the one record validator), plus the warnings that make a generated record
    /// worthless although LLaMA-Factory would accept it.
    @Test func validatorFindsProblems() throws {
        let v = CoreRecordValidator()
        func problems(_ text: String, _ format: GenerateFormat) throws -> [String] { v.problems(in: try JSONParser.parse(text), format: format) }
        #expect(try problems(#"{"instruction": " ", "input": "", "output": "A"}"#, .alpaca) == [#"instruction: the user turn is empty ("instruction" and "input" are empty)"#])
        // A missing "input" is fine (LLaMA-Factory reads it only when present); a number is not an answer.
        #expect(try problems(#"{"instruction": "Q", "output": 3}"#, .alpaca) == [#"output: "output" must be a string, found a number"#])
        #expect(try problems(#"{"instruction": "Q", "input": "", "output": " "}"#, .alpaca).count == 1)
        let badRoles = #"{"messages": [{"role": "user", "content": "Q"}, {"role": "user", "content": "Q2"}]}"#
        #expect(try problems(badRoles, .openai).first?.hasPrefix("messages[1].role: turns must alternate") == true)
        let emptyTurn = #"{"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": ""}]}"#
        #expect(try problems(emptyTurn, .sharegpt) == [#"conversations[1].value: "gpt" message is empty"#])
        let same = #"{"instruction": "Q", "input": "", "chosen": "A", "rejected": "A"}"#
        #expect(try problems(same, GenerateFormat(style: .alpaca, preference: true)) == ["chosen: chosen and rejected are identical"])
        let sameMessages = #"{"messages": [{"role": "user", "content": "Q"}], "chosen": {"role": "assistant", "content": "A"}, "rejected": {"role": "assistant", "content": "A"}}"#
        #expect(try problems(sameMessages, GenerateFormat(style: .openai, preference: true)) == ["chosen: chosen and rejected are identical"])
    }

    @Test func formatNames() {
        #expect(GenerateFormat(name: "alpaca") == .alpaca)
        #expect(GenerateFormat(name: "ShareGPT-preference") == GenerateFormat(style: .sharegpt, preference: true))
        #expect(GenerateFormat(name: "dpo") == GenerateFormat(style: .alpaca, preference: true))
        #expect(GenerateFormat(name: "messages") == .openai)
        #expect(GenerateFormat(name: "csv") == nil)
    }

    @Test func dedupeExactAndNormalized() {
        var d = Deduplicator()
        let a1 = d.admit("What is LoRA?"); #expect(a1)
        let a2 = d.admit("What is LoRA?"); #expect(!a2)
        let a3 = d.admit("  what IS   lora ? "); #expect(!a3)
        let a4 = d.admit("ＷＨＡＴ　ｉｓ　ＬｏＲＡ？"); #expect(!a4)  // full-width
        let a5 = d.admit("What is QLoRA?"); #expect(a5)
        let a6 = d.admit("什么是LoRA？"); #expect(a6)
        // Full-width punctuation folds; whitespace collapses but still separates (the rule of
        // `lfm dedupe`, Deduper.normalize), so an added space makes a different prompt.
        let a7 = d.admit("什么是LoRA?"); #expect(!a7)
        let a8 = d.admit("什么是 LoRA?"); #expect(a8)
        #expect(d.exactDuplicates == 1)
        #expect(d.normalizedDuplicates == 3)
    }

    @Test func promptLanguageAndTemplates() throws {
        let english = Chunk(index: 0, source: "a.md", headingPath: ["Manual", "Install"], text: "Install the package with apt.")
        let chinese = Chunk(index: 1, source: "b.md", headingPath: [], text: "使用 apt 安装软件包，然后运行配置命令。")
        let builder = PromptBuilder(format: .alpaca, perChunk: 7)
        #expect(!builder.isChinese(english.text))
        #expect(builder.isChinese(chinese.text))
        let en = builder.messages(for: english).map(\.content).joined()
        #expect(en.contains("Write 7 "))
        #expect(en.contains("Manual > Install"))
        #expect(en.contains(english.text))
        #expect(builder.messages(for: chinese).map(\.content).joined().contains("编写 7 条"))
        #expect(!PromptBuilder(format: .alpaca, perChunk: 1, language: .english).isChinese(chinese.text))

        let custom = PromptBuilder(format: .openai, perChunk: 3, userTemplate: "{n} from {source} [{heading}] as {format}: {text} {unknown}")
        let tricky = Chunk(index: 0, source: "s.txt", headingPath: ["H"], text: "literal {n} stays")
        let filled = custom.messages(for: tricky)
        #expect(filled.count == 1)
        #expect(filled[0].content.hasPrefix("3 from s.txt [H] as {\"messages\""))
        #expect(filled[0].content.hasSuffix(": literal {n} stays {unknown}"))
    }

    @Test func promptTemplateNeedsTextPlaceholder() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let bad = try dir.write("bad.txt", "no placeholder")
        #expect(throws: GenerateError.self) { try PromptBuilder.loadTemplate(path: bad) }
        #expect(throws: GenerateError.self) { try PromptBuilder.loadTemplate(path: dir.file("missing.txt")) }
    }

    @Test func tokenEstimateIsTheStatsEstimate() {
        // One rule with `lfm stats`: CJK characters x1.0, Latin words x1.3, other symbols x1.0.
        #expect(TokenEstimator.estimate(String(repeating: "word ", count: 100)) == 130)
        #expect(TokenEstimator.estimate(String(repeating: "中", count: 300)) == 300)
        #expect(TokenEstimator.estimate("Hello, world!") == 2 + 3)
        for text in ["", "Ｗhat is LoRA？", "混合 text 123", String(repeating: "a", count: 400)] {
            #expect(TokenEstimator.estimate(text) == EstimatedTokenCounter.estimate(text))
        }
    }
}
