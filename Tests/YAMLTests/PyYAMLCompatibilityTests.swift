import Foundation
import Testing
import TestSupport
@testable import YAML

/// Runs the real PyYAML (`python3` + `yaml`) over our output. These tests are
/// skipped (not silently passed) where python3 or PyYAML is missing.
enum PyYAML {
    static let isAvailable: Bool = runChildSync("/usr/bin/env", ["python3", "-c", "import yaml"])?.status == 0

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// `python3 ARGUMENTS` through lfm's process runner: both pipes read at once, awaited.
    static func run(_ arguments: [String]) async throws -> Result {
        let child = try await runChild("/usr/bin/env", ["python3"] + arguments)
        return Result(status: child.status, stdout: child.stdout, stderr: child.stderr)
    }

    static func withTempFile<R>(_ contents: String, _ body: (String) async throws -> R) async throws -> R {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("lfm-yaml-\(UUID().uuidString).yaml").path
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    /// `yaml.safe_load` of a YAML mapping, as key → (Python type name, value text).
    /// Strings come back as themselves, floats as `repr`, others as `repr`.
    static func load(_ yaml: String) async throws -> [String: (type: String, value: String)] {
        let script = """
        import yaml, sys, json
        d = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
        print(json.dumps({str(k): [type(v).__name__, v if isinstance(v, str) else repr(v)] for k, v in d.items()}))
        """
        let result = try await withTempFile(yaml) { try await run(["-c", script, $0]) }
        guard result.status == 0 else { throw PyYAMLFailure(message: result.stderr + "\n" + yaml) }
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String]] ?? [:]
        return object.mapValues { (type: $0[0], value: $0[1]) }
    }

    struct PyYAMLFailure: Error, CustomStringConvertible { var message: String; var description: String { message } }
}

@Test(.enabled(if: PyYAML.isAvailable, "needs python3 with PyYAML"))
func pyYAMLReadsQuotedStringsAsStrings() async throws {
    let strings = mustQuote + awkward.filter { !$0.contains("\u{0}") && !$0.contains("\u{7}") } + plainOK
        + ["line1\nline2", "a\n", "  indented\nsecond", "crlf\r\nx", "中文 😀", "你好，世界",
           (0..<200).map { "w\($0)" }.joined(separator: " ")]
    var mapping = YAMLMapping()
    for (i, text) in strings.enumerated() { mapping["k\(i)"] = .string(text) }
    let yaml = try YAMLEmitter.emit(.mapping(mapping))
    let loaded = try await PyYAML.load(yaml)
    #expect(loaded.count == strings.count)
    for (i, text) in strings.enumerated() {
        let entry = loaded["k\(i)"]
        #expect(entry?.type == "str", "\(text.debugDescription) read as \(String(describing: entry))")
        #expect(entry?.value == text, "\(text.debugDescription)")
    }
}

@Test(.enabled(if: PyYAML.isAvailable, "needs python3 with PyYAML"))
func pyYAMLReadsTypedScalars() async throws {
    let doubles: [Double] = [0.1, 3.0, 0.5, 1e-4, 1e-5, 5e-6, 2e-5, 1.5e-7, 1e16, 1.25e20, -2.5e-7, 0, 1e10, 123.456]
    var mapping = YAMLMapping()
    for (i, d) in doubles.enumerated() { mapping["d\(i)"] = .double(d) }
    mapping["i"] = 42
    mapping["neg"] = -7
    mapping["t"] = true
    mapping["f"] = false
    mapping["n"] = .null
    mapping["inf"] = .double(.infinity)
    mapping["nan"] = .double(.nan)
    mapping["yes"] = "a key that PyYAML would read as True unless quoted"
    let emitted = try YAMLEmitter.emit(.mapping(mapping))
    let loaded = try await PyYAML.load(emitted)
    for (i, d) in doubles.enumerated() {
        let entry = loaded["d\(i)"]
        #expect(entry?.type == "float", "\(d) → \(String(describing: entry))")
        #expect(entry.flatMap { Double($0.value) } == d, "\(d) → \(String(describing: entry))")
    }
    #expect(loaded["i"]?.type == "int" && loaded["i"]?.value == "42")
    #expect(loaded["neg"]?.type == "int" && loaded["neg"]?.value == "-7")
    #expect(loaded["t"]?.type == "bool" && loaded["t"]?.value == "True")
    #expect(loaded["f"]?.type == "bool" && loaded["f"]?.value == "False")
    #expect(loaded["n"]?.type == "NoneType")
    #expect(loaded["inf"]?.type == "float" && loaded["inf"]?.value == "inf")
    #expect(loaded["nan"]?.type == "float" && loaded["nan"]?.value == "nan")
    #expect(loaded["yes"]?.type == "str")
}

@Test(.enabled(if: PyYAML.isAvailable, "needs python3 with PyYAML"))
func resolverAgreesWithLivePyYAML() async throws {
    let candidates = [
        "", "~", "null", "Null", "NULL", "nULL", "yes", "Yes", "YES", "yEs", "no", "NO", "on", "ON", "off", "Off",
        "true", "TRUE", "tRue", "y", "Y", "n", "N", "0", "-0", "+12", "00", "0755", "09", "0x1F", "0x_1F", "0b101",
        "0o17", "1_000", "1__0", "1_", "_1", "1:30", "190:20:30", "1:60", "1:5", "1,000", "1e3", "1.0e4", "1e-05",
        "1.0e10", "1.0e+4", "1.0e-4", "6.8e-5", "1.e+3", ".5", "+.5", "-.5", "5.", "0.", "3.0", "1.5_0", "1:30.5",
        ".inf", "-.inf", "+.Inf", ".INF", ".nan", ".NaN", "+.nan", "inf", "nan", ".", "._5", "2024-01-01",
        "2024-1-1", "2024-01-01 10:00:00", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 Z",
        "2024-01-01T10:00:00Z", "<<", "=", "hello", "4bit", "-1_0", "0b", "1.0E-4", "1.0e-04", "+0x1f",
    ]
    let script = """
    import yaml, sys, json
    out = []
    for s in json.load(open(sys.argv[1], encoding="utf-8")):
        try:
            out.append(type(yaml.safe_load("k: " + s + "\\n")["k"]).__name__)
        except Exception:
            out.append("error")
    print(json.dumps(out))
    """
    let json = String(decoding: try JSONSerialization.data(withJSONObject: candidates), as: UTF8.self)
    let result = try await PyYAML.withTempFile(json) { try await PyYAML.run(["-c", script, $0]) }
    try #require(result.status == 0, "\(result.stderr)")
    let types = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String])
    let names: [YAMLScalar.Kind: Set<String>] = [
        .null: ["NoneType"], .bool: ["bool"], .int: ["int"], .float: ["float"], .timestamp: ["date", "datetime"],
        .merge: ["error"], .value: ["error"], .string: ["str"],
    ]
    for (text, type) in zip(candidates, types) {
        let kind = YAMLResolver.resolve(text)
        #expect(names[kind]?.contains(type) == true, "\(text.debugDescription): ours \(kind), PyYAML \(type)")
        if kind == .string { #expect(!YAMLResolver.isAmbiguousAsPlain(text) || type == "str") }
        if type != "str" { #expect(YAMLResolver.isAmbiguousAsPlain(text), "\(text.debugDescription)") }
    }
}

@Test(.enabled(if: PyYAML.isAvailable, "needs python3 with PyYAML"))
func pyYAMLReadsGroupedConfig() async throws {
    let yaml = try YAMLEmitter.emitGrouped([
        ("model", ["model_name_or_path": "Qwen/Qwen3-4B-Instruct-2507", "trust_remote_code": true]),
        ("train", ["learning_rate": .double(1e-5), "num_train_epochs": 3.0, "output_dir": "saves/中文",
                   "report_to": "none", "resume": "no"]),
    ])
    let loaded = try await PyYAML.load(yaml)
    #expect(loaded["model_name_or_path"]?.value == "Qwen/Qwen3-4B-Instruct-2507")
    #expect(loaded["trust_remote_code"]?.type == "bool")
    #expect(loaded["learning_rate"]?.type == "float" && loaded["learning_rate"]?.value == "1e-05")
    #expect(loaded["num_train_epochs"]?.type == "float" && loaded["num_train_epochs"]?.value == "3.0")
    #expect(loaded["output_dir"]?.value == "saves/中文")
    #expect(loaded["report_to"]?.type == "str")
    #expect(loaded["resume"]?.type == "str" && loaded["resume"]?.value == "no")
}
