import Testing
import LFMCore
@testable import LFMGenerate

@Suite struct ReplyParserTests {
    func instructions(_ reply: String) -> [String] { ReplyParser.parse(reply).examples.map(\.instruction) }

    @Test func plainArray() {
        let r = ReplyParser.parse(#"[{"instruction": "Q1", "input": "", "output": "A1"}, {"instruction": "Q2", "output": "A2"}]"#)
        #expect(r.examples == [Example(instruction: "Q1", output: "A1"), Example(instruction: "Q2", output: "A2")])
        #expect(r.rejected.isEmpty)
    }

    @Test func thinkBlockWithBracketsIsStripped() {
        let reply = "<think>They want [a list] of {objects}, like [1, 2]</think>\n[{\"instruction\": \"Q\", \"output\": \"A\"}]"
        #expect(instructions(reply) == ["Q"])
    }

    @Test func strayClosingThinkDropsEverythingBefore() {
        let reply = "okay so [x] ... </think>[{\"question\": \"Q\", \"answer\": \"A\"}]"
        #expect(instructions(reply) == ["Q"])
    }

    @Test func unclosedThinkWithNoAnswerGivesHint() {
        let reply = "<think>Let me consider [the] document {carefully}"
        let r = ReplyParser.parse(reply)
        #expect(r.examples.isEmpty)
        #expect(ReplyParser.failureHint(reply: reply, finishReason: "stop").contains("reasoning"))
        #expect(ReplyParser.failureHint(reply: reply, finishReason: "length").contains("cut off"))
    }

    @Test func codeFenceWithProseAndBracketsAround() {
        let reply = "Sure [here] you go:\n```json\n[{\"instruction\": \"Q\", \"output\": \"A\"}]\n```\nAnything else? [y/n]"
        #expect(instructions(reply) == ["Q"])
    }

    @Test func nestedBracketsInsideStrings() {
        let reply = #"[{"instruction": "What is ] and [ and {x}?", "output": "A \"quoted\" ] } value\\"}]"#
        let r = ReplyParser.parse(reply)
        #expect(r.examples.count == 1)
        #expect(r.examples.first?.instruction == "What is ] and [ and {x}?")
        #expect(r.examples.first?.output == #"A "quoted" ] } value\"#)
    }

    @Test func notFirstBracketToLastBracket() {
        // find('[') / rfind(']') would produce "[see note] ... [{...}] ... [1]" and fail.
        let reply = #"[see note] Records: [{"instruction": "Q", "output": "A"}] Footnote [1]"#
        #expect(instructions(reply) == ["Q"])
    }

    @Test func trailingCommasRepaired() {
        let r = ReplyParser.parse("[{\"instruction\": \"Q\", \"output\": \"A\",}, ]")
        #expect(r.examples.count == 1)
        #expect(r.repairs.contains("trailing commas"))
    }

    @Test func rawNewlinesInStringsRepaired() {
        let r = ReplyParser.parse("[{\"instruction\": \"Q\", \"output\": \"line 1\nline 2\"}]")
        #expect(r.examples.first?.output == "line 1\nline 2")
    }

    @Test func invalidEscapeRepaired() {
        #expect(ReplyParser.parse(#"[{"instruction": "It\'s", "output": "A"}]"#).examples.first?.instruction == "It's")
    }

    @Test func singleObjectInsteadOfArray() {
        #expect(instructions(#"{"instruction": "Q", "output": "A"}"#) == ["Q"])
    }

    @Test(arguments: ["data", "records", "examples", "items", "qa_pairs"])
    func wrapperObjects(key: String) {
        #expect(instructions("{\"\(key)\": [{\"instruction\": \"Q\", \"output\": \"A\"}]}") == ["Q"])
    }

    @Test func alternativeKeyNames() {
        let r = ReplyParser.parse(#"[{"question": "Q1", "context": "C", "answer": "A1"}, {"prompt": "Q2", "response": "A2"}, {"query": "Q3", "completion": "A3"}]"#)
        #expect(r.examples == [Example(instruction: "Q1", input: "C", output: "A1"), Example(instruction: "Q2", output: "A2"), Example(instruction: "Q3", output: "A3")])
    }

    @Test func keysAreCaseInsensitive() {
        #expect(instructions(#"[{"Instruction": "Q", "Output": "A"}]"#) == ["Q"])
    }

    @Test func messagesAndConversations() {
        let reply = """
        [{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}]},
         {"conversations": [{"from": "human", "value": "Q2"}, {"from": "gpt", "value": "A2"}, {"from": "human", "value": "Q3"}, {"from": "gpt", "value": "A3"}]}]
        """
        let r = ReplyParser.parse(reply)
        #expect(r.examples.count == 2)
        #expect(r.examples[0] == Example(instruction: "Q1", output: "A1", system: "S"))
        #expect(r.examples[1].instruction == "Q3")
        #expect(r.examples[1].history == [Example.Exchange(user: "Q2", assistant: "A2")])
    }

    @Test func badRoleOrderIsRejectedWithReason() {
        let r = ReplyParser.parse(#"[{"messages": [{"role": "assistant", "content": "A"}, {"role": "user", "content": "Q"}]}, {"instruction": "ok", "output": "fine"}]"#)
        #expect(r.examples.count == 1)
        #expect(r.rejected.count == 1)
        #expect(r.rejected[0].reason.contains("alternate"))
    }

    @Test func itemsMissingFieldsAreRejected() {
        let r = ReplyParser.parse(#"[{"instruction": "Q"}, {"output": "A"}, "just a string", {"instruction": "Q2", "output": "A2"}]"#)
        #expect(r.examples.count == 1)
        #expect(r.rejected.map(\.reason) == ["no output/answer", "no instruction/question", "not an object (a string)"])
    }

    @Test func truncatedArrayKeepsCompleteRecords() {
        let reply = #"[{"instruction": "Q1", "output": "A1"}, {"instruction": "Q2", "output": "A2"}, {"instruction": "Q3", "outp"#
        let r = ReplyParser.parse(reply)
        #expect(r.examples.map(\.instruction) == ["Q1", "Q2"])
        #expect(r.repairs.contains { $0.contains("truncated") })
    }

    @Test func jsonLinesAndSeveralBlocksAreCombined() {
        let reply = "{\"instruction\": \"Q1\", \"output\": \"A1\"}\n{\"instruction\": \"Q2\", \"output\": \"A2\"}"
        #expect(instructions(reply) == ["Q1", "Q2"])
    }

    @Test func smartQuotesWhenNoPlainQuotes() {
        #expect(instructions("[{“instruction”: “Q”, “output”: “A”}]") == ["Q"])
    }

    @Test func proseOnlyGivesHint() {
        let reply = "I'm sorry, I can't help with that."
        #expect(ReplyParser.parse(reply).foundJSON == false)
        #expect(ReplyParser.failureHint(reply: reply, finishReason: "stop").contains("no JSON"))
    }

    @Test func chineseKeysAndText() {
        #expect(instructions(#"[{"问题": "什么是[配置]？", "答案": "见{手册}。"}]"#) == ["什么是[配置]？"])
    }

    @Test func numbersAndListsBecomeText() {
        let r = ReplyParser.parse(#"[{"instruction": "Steps?", "output": ["one", "two"]}, {"instruction": "How many?", "output": 3}]"#)
        #expect(r.examples.map(\.output) == ["one\ntwo", "3"])
    }

    @Test func answersForPreference() {
        #expect(ReplyParser.parseAnswers(#"["a1", "a2"]"#) == ["a1", "a2"])
        #expect(ReplyParser.parseAnswers("```json\n[{\"answer\": \"a1\"}, {\"answer\": \"a2\"}]\n```") == ["a1", "a2"])
        #expect(ReplyParser.parseAnswers("<think>[x]</think>{\"answers\": [\"a\"]}") == ["a"])
    }

    @Test func unclosedBracketInProseBeforeTheJSON() {
        #expect(instructions(#"Note: see [1 for details. [{"instruction": "Q", "output": "A"}]"#) == ["Q"])
        #expect(instructions(#"Smile :-{ then {"instruction": "Q", "output": "A"}"#) == ["Q"])
    }

    @Test func mismatchedBracketsAreSkipped() {
        #expect(instructions(#"[} oops {"instruction": "Q", "output": "A"}"#) == ["Q"])
    }
}
