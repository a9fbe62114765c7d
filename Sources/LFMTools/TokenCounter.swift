import Foundation
import LFMCore

/// Token counts: the model's tokenizer when one is given, otherwise a stated estimate.
public protocol TokenCounter: AnyObject {
    /// A one-line statement of how tokens are counted.
    var method: String { get }
    var isExact: Bool { get }
    func count(_ texts: [String]) throws -> [Int]
}

/// Estimates tokens without a tokenizer: 1 per CJK character (Han, kana, Hangul), 1.3 per
/// Latin word (a run of letters or digits), 1 per other visible symbol.
public final class EstimatedTokenCounter: TokenCounter {
    public init() {}
    public var method: String { "estimate: CJK characters ×1.0 + Latin words ×1.3 + other symbols ×1.0 (pass --tokenizer for exact counts)" }
    public var isExact: Bool { false }

    public func count(_ texts: [String]) throws -> [Int] { texts.map(Self.estimate) }

    /// One token a character: the CJK table of LFMCore (``CJK/contains(_:)``).
    public static func isCJK(_ v: UInt32) -> Bool { CJK.contains(v) }

    public static func estimate(_ text: String) -> Int {
        if let ascii = estimateASCII(text) { return ascii }
        var cjk = 0, words = 0, symbols = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                let c = UInt8(v)
                let alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
                if alnum {
                    if !inWord { words += 1; inWord = true }
                } else {
                    inWord = false
                    if c > 32 && c != 127 { symbols += 1 }
                }
            } else if isCJK(v) {
                inWord = false
                cjk += 1
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if !inWord { words += 1; inWord = true }
            } else {
                inWord = false
                if !scalar.properties.isWhitespace { symbols += 1 }
            }
        }
        return cjk + symbols + Int((Double(words) * 1.3).rounded(.up))
    }

    /// The same estimate on the UTF-8 bytes of an ASCII-only text; nil when it has other bytes.
    static func estimateASCII(_ text: String) -> Int? {
        var copy = text
        return copy.withUTF8 { bytes -> Int? in
            var words = 0, symbols = 0
            var inWord = false
            for c in bytes {
                if c >= 0x80 { return nil }
                let alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
                if alnum {
                    if !inWord { words += 1; inWord = true }
                } else {
                    inWord = false
                    if c > 32 && c != 127 { symbols += 1 }
                }
            }
            return symbols + Int((Double(words) * 1.3).rounded(.up))
        }
    }
}

/// Counts tokens with a Hugging Face tokenizer in the user's LLaMA-Factory Python: one
/// long-lived `python` process reading JSON Lines batches on stdin and answering with counts.
public final class PythonTokenCounter: TokenCounter {
    public let tokenizer: String
    public let python: String
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private var pending: [UInt8] = []

    static let script = """
    import json, sys
    try:
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained(sys.argv[1], trust_remote_code=True)
    except Exception as e:
        sys.stdout.write("ERROR " + json.dumps(str(e)) + "\\n"); sys.stdout.flush(); sys.exit(3)
    # The Rust tokenizer directly, when there is one: same counts, no Python lists of ids.
    backend = getattr(tok, "backend_tokenizer", None) if getattr(tok, "is_fast", False) else None
    fast = getattr(backend, "encode_batch_fast", None) or getattr(backend, "encode_batch", None)
    sys.stdout.write("READY\\n"); sys.stdout.flush()
    while True:
        header = sys.stdin.readline()
        if not header:
            break
        n = int(header)
        texts = [json.loads(sys.stdin.readline()) for _ in range(n)]
        if not texts:
            counts = []
        elif fast is not None:
            counts = [len(e) for e in fast(texts, add_special_tokens=False)]
        else:
            counts = [len(x) for x in tok(texts, add_special_tokens=False)["input_ids"]]
        sys.stdout.write(" ".join(str(n) for n in counts) + "\\n"); sys.stdout.flush()
    """

    public var method: String { "exact: tokenizer \(tokenizer) (text only; the chat template adds a few tokens per turn)" }
    public var isExact: Bool { true }

    public init(tokenizer: String, python: String) throws {
        self.tokenizer = tokenizer
        self.python = python
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ToolError.failed("\(python) is not an executable Python; pass --python PATH (the Python of your LLaMA-Factory environment)")
        }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", Self.script, tokenizer]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        var env = ProcessInfo.processInfo.environment
        env["TOKENIZERS_PARALLELISM"] = "true"
        env["TRANSFORMERS_VERBOSITY"] = "error"
        process.environment = env
        try process.run()
        let first = try readLine()
        if first != "READY" {
            let stderr = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
            process.terminate()
            let reason = first.hasPrefix("ERROR ") ? String(first.dropFirst(6)) : (first.isEmpty ? stderr.suffix(400).description : first)
            throw ToolError.failed("cannot load tokenizer \(tokenizer) with \(python): \(reason)")
        }
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    private func readLine() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let data = output.fileHandleForReading.availableData
            if data.isEmpty {
                let line = String(decoding: pending, as: UTF8.self)
                pending.removeAll()
                return line
            }
            pending.append(contentsOf: data)
        }
    }

    public func count(_ texts: [String]) throws -> [Int] {
        var bytes = Array("\(texts.count)\n".utf8)
        for text in texts {
            JSONPrinter.writeString(text, into: &bytes)
            bytes.append(0x0A)
        }
        try input.fileHandleForWriting.write(contentsOf: bytes)
        let line = try readLine()
        let counts = line.split(separator: " ").compactMap { Int($0) }
        guard counts.count == texts.count else {
            throw ToolError.failed("the tokenizer process stopped answering (\(line.prefix(200)))")
        }
        return counts
    }

    /// The Python of a LLaMA-Factory environment: `--python`, then the workspace's `env`
    /// (a prefix directory), then `python3` on PATH.
    public static func findPython(explicit: String?, env: String?) -> String {
        if let explicit { return explicit }
        if let env, FileManager.default.isExecutableFile(atPath: env + "/bin/python") { return env + "/bin/python" }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "python3"
    }
}
