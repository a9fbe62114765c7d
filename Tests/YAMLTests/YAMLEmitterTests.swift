import Testing
@testable import YAML

/// Strings that must come out quoted (they would otherwise read as something else).
let mustQuote = [
    "no", "No", "NO", "on", "On", "off", "OFF", "yes", "Yes", "y", "Y", "n", "N", "true", "True", "false", "null",
    "Null", "~", "", "1e3", "1.0e4", "1e-05", "1.0e-4", "0755", "0x1F", "0o17", "0b11", "2024-01-01",
    "2024-01-01 10:00:00", "1:30", "1:30.5", ".inf", "-.inf", ".nan", "1_000", "123", "-7", "+7", "3.0", ".5",
    "<<", "=",
]

/// Strings with indicators, spaces or control characters that libyaml must quote.
let awkward = [
    " lead", "trail ", "- x", "-", "? x", ": x", "a: b", "a #b", "#c", "&a", "*a", "!t", "|", ">", "%x", "@x", "`x",
    "[a]", "{a}", "a, b", "'q'", "\"dq\"", "tab\there", "bell\u{7}", "nul\u{0}nul", "key:", "   ",
]

/// Strings that are fine plain.
let plainOK = ["hello", "Qwen/Qwen3-4B-Instruct-2507", "sft", "alpaca_en_demo,identity", "inf", "nan", "yess",
               "a-b", "c++", "path/to/file.json", "你好"]

private func valueLine(_ yaml: String) -> Substring {
    yaml.split(separator: "\n").first.map { $0.dropFirst("k: ".count) } ?? ""
}

@Test(arguments: mustQuote)
func ambiguousStringsAreQuotedAndRoundTrip(text: String) throws {
    let yaml = try YAMLEmitter.emit(["k": .string(text)])
    let value = valueLine(yaml)
    #expect(value.first == "'" || value.first == "\"", "\(yaml)")
    let back = try YAMLParser.parse(yaml)
    #expect(back["k"]?.stringValue == text, "\(yaml)")
}

@Test(arguments: awkward)
func awkwardStringsRoundTrip(text: String) throws {
    let yaml = try YAMLEmitter.emit(["k": .string(text), text: "as key"])
    let back = try YAMLParser.parse(yaml)
    #expect(back["k"]?.stringValue == text, "\(yaml)")
    #expect(back.mapping?.keys == ["k", text], "\(yaml)")
}

@Test(arguments: plainOK)
func ordinaryStringsStayPlain(text: String) throws {
    let yaml = try YAMLEmitter.emit(["k": .string(text)])
    #expect(yaml == "k: \(text)\n")
}

@Test func ambiguousKeysAreQuoted() throws {
    let yaml = try YAMLEmitter.emit(["yes": 1, "null": 2, "1": 3, "on": 4])
    #expect(yaml == "'yes': 1\n'null': 2\n'1': 3\n'on': 4\n")
}

@Test func typedScalarsArePlain() throws {
    let node: YAMLNode = [
        "i": 3, "neg": -12, "f": 3.0, "lr": .double(0.00001), "small": .double(5e-6), "big": .double(1e16),
        "half": 0.5, "t": true, "f2": false, "n": .null, "inf": .double(.infinity),
    ]
    let yaml = try YAMLEmitter.emit(node)
    #expect(yaml == """
    i: 3
    neg: -12
    f: 3.0
    lr: 1.0e-5
    small: 5.0e-6
    big: 1.0e+16
    half: 0.5
    t: true
    f2: false
    'n': null
    inf: .inf

    """)
    #expect(try YAMLParser.parse(yaml) == node)
}

@Test func plainScalarsPassThroughVerbatim() throws {
    let template = """
    learning_rate: 1.0e-4
    warmup_ratio: 0.1
    bf16: true
    flag: no
    octal: 0755
    odd: 1e3
    empty:
    dataset: identity,alpaca_en_demo
    quoted: 'no'
    dq: "x"

    """
    let node = try YAMLParser.parse(template)
    let yaml = try YAMLEmitter.emit(node)
    #expect(yaml == template)
    #expect(try YAMLParser.parse(yaml) == node)
}

@Test func keyOrderIsPreserved() throws {
    let keys = ["zeta", "alpha", "mid", "beta", "aaa", "zzz", "m2", "b1"]
    var mapping = YAMLMapping()
    for (i, key) in keys.enumerated() { mapping[key] = .int(i) }
    let yaml = try YAMLEmitter.emit(.mapping(mapping))
    #expect(yaml.split(separator: "\n").map { String($0.prefix { $0 != ":" }) } == keys)
    #expect(try YAMLParser.parse(yaml).mapping?.keys == keys)
}

@Test func nestedRoundTrip() throws {
    let node: YAMLNode = [
        "model": ["name": "Qwen/Qwen3-4B", "revision": "main", "dtype": "bf16"],
        "datasets": ["alpaca", "no", "1.0", ["name": "x", "split": "train"], []],
        "empty": .emptyMapping,
        "lr": .double(2e-5),
        "count": 7,
        "ok": false,
        "none": .null,
    ]
    let yaml = try YAMLEmitter.emit(node)
    #expect(try YAMLParser.parse(yaml) == node)
    #expect(yaml.contains("model:\n  name: Qwen/Qwen3-4B\n"))
    #expect(yaml.contains("datasets:\n- alpaca\n- 'no'\n- '1.0'\n- name: x\n  split: train\n- []\n"))
}

@Test func unicodeIsNotEscaped() throws {
    let text = "你好，世界 — café ß Ω"
    let yaml = try YAMLEmitter.emit(["system": .string(text)])
    #expect(yaml == "system: \(text)\n")
    #expect(!yaml.contains("\\u") && !yaml.contains("\\U"))
    #expect(try YAMLParser.parse(yaml)["system"]?.stringValue == text)
}

/// libyaml (like PyYAML) only writes characters up to U+FFFD unescaped: an
/// emoji forces a double-quoted scalar with a `\U` escape. It still round-trips.
@Test func astralCharactersAreEscapedButRoundTrip() throws {
    let text = "中文 😀"
    let yaml = try YAMLEmitter.emit(["k": .string(text)])
    #expect(yaml == "k: \"中文 \\U0001F600\"\n")
    #expect(try YAMLParser.parse(yaml)["k"]?.stringValue == text)
}

@Test func longStringsAreNotFolded() throws {
    let text = (0..<200).map { "word\($0)" }.joined(separator: " ")
    let yaml = try YAMLEmitter.emit(["prompt": .string(text), "q": .string("no " + text)])
    #expect(yaml.split(separator: "\n").count == 2)
    let back = try YAMLParser.parse(yaml)
    #expect(back["prompt"]?.stringValue == text)
    #expect(back["q"]?.stringValue == "no " + text)
}

@Test(arguments: [
    "line1\nline2", "line1\nline2\n", "a\n\n", "\nleading break", "  indented\nsecond", "trailing space \nx",
    "crlf\r\nline", "nel\u{85}x", "ls\u{2028}x", "tab\tin\nblock", "中文\n第二行\n", "x\n\n\ny",
])
func multiLineStringsRoundTrip(text: String) throws {
    let yaml = try YAMLEmitter.emit(["k": .string(text), "after": 1])
    let back = try YAMLParser.parse(yaml)
    #expect(back["k"]?.stringValue == text, "\(yaml)")
    #expect(back["after"]?.intValue == 1)
}

@Test func multiLineUsesLiteralBlock() throws {
    #expect(try YAMLEmitter.emit(["k": "a\nb"]) == "k: |-\n  a\n  b\n")
    #expect(try YAMLEmitter.emit(["k": "a\nb\n"]) == "k: |\n  a\n  b\n")
}

let groupedGolden = """
### model
model_name_or_path: Qwen/Qwen3-4B-Instruct-2507
trust_remote_code: true

### method
stage: sft
do_train: true
finetuning_type: lora
lora_target: all

### dataset
dataset: identity,alpaca_en_demo
template: qwen3_nothink
cutoff_len: 2048
overwrite_cache: true

### train
learning_rate: 1.0e-4
num_train_epochs: 3.0
bf16: true
ddp_timeout: 180000000

"""

@Test func emitGroupedMatchesLLaMAFactoryLayout() throws {
    let groups: [(comment: String?, mapping: YAMLMapping)] = [
        ("model", ["model_name_or_path": "Qwen/Qwen3-4B-Instruct-2507", "trust_remote_code": true]),
        ("method", ["stage": "sft", "do_train": true, "finetuning_type": "lora", "lora_target": "all"]),
        ("dataset", ["dataset": "identity,alpaca_en_demo", "template": "qwen3_nothink", "cutoff_len": 2048,
                     "overwrite_cache": true]),
        ("train", ["learning_rate": .double(1e-4), "num_train_epochs": 3.0, "bf16": true, "ddp_timeout": 180000000]),
    ]
    let yaml = try YAMLEmitter.emitGrouped(groups)
    #expect(yaml == groupedGolden.replacing("1.0e-4", with: "0.0001"))
    var merged = YAMLMapping()
    for group in groups { merged.merge(group.mapping) }
    #expect(try YAMLParser.parse(yaml) == .mapping(merged))

    // A template's verbatim numbers pass through unchanged.
    var train = groups[3].mapping
    train["learning_rate"] = .plain("1.0e-4")
    var withTemplateNumber = groups
    withTemplateNumber[3] = (comment: "train", mapping: train)
    #expect(try YAMLEmitter.emitGrouped(withTemplateNumber) == groupedGolden)
}

@Test func emitGroupedEdgeCases() throws {
    #expect(try YAMLEmitter.emitGrouped([(nil, ["a": 1]), ("two\nlines", ["b": "no"]), ("empty", [:])])
        == "a: 1\n\n### two\n### lines\nb: 'no'\n\n### empty\n")
    #expect(throws: YAMLError.self) { try YAMLEmitter.emitGrouped([(nil, ["a": 1]), (nil, ["a": 2])]) }
    #expect(try YAMLEmitter.emitGrouped([]) == "")
}

@Test func multipleDocumentsRoundTrip() throws {
    let docs: [YAMLNode] = [["a": 1], ["b", "no"], "text"]
    let yaml = try YAMLEmitter.emitAll(docs)
    #expect(try YAMLParser.parseAll(yaml) == docs)
    #expect(yaml == "a: 1\n---\n- b\n- 'no'\n--- text\n")
    #expect(try YAMLEmitter.emit(["a": 1], options: .init(explicitDocumentStart: true)) == "---\na: 1\n")
}

@Test func indentAndWidthOptions() throws {
    let yaml = try YAMLEmitter.emit(["a": ["b": 1]], options: .init(indent: 4))
    #expect(yaml == "a:\n    b: 1\n")
    let words = (0..<40).map { "w\($0)" }.joined(separator: " ")
    let folded = try YAMLEmitter.emit(["k": .string(words)], options: .init(width: 40))
    #expect(folded.split(separator: "\n").count > 1)
    #expect(try YAMLParser.parse(folded)["k"]?.stringValue == words)
}

@Test func taggedScalarsKeepTheirTag() throws {
    let node: YAMLNode = ["s": .scalar(YAMLScalar("5", style: .plain, tag: YAMLTag.str))]
    let yaml = try YAMLEmitter.emit(node)
    #expect(yaml.hasPrefix("s: !!str "))
    #expect(try YAMLParser.parse(yaml)["s"]?.stringValue == "5")
}
