import Foundation
import LFMCore
import LFMSystem

// lfm-bench: validation throughput and memory, `lfm list` and startup time (docs/performance.md).
//
//   swift build -c release && swift run -c release lfm-bench validate --size 100MB
//   swift run -c release lfm-bench validate --size 1GB --runs 3 [--dir DIR] [--no-python]
//   swift run -c release lfm-bench list [--runs 10]
//   lfm-bench nearstudy [--pairs N]      (dedupe's near-duplicate precision/recall, both estimators)
//   lfm-bench measure-validate FILE      (one measurement; what `validate` runs in a child)
//   lfm-bench measure-parse FILE         (reading and parsing only, one thread)
//   lfm-bench selfcheck FILE...          (parse-ahead reader == plain reader)
//   lfm-bench selfcheck-parts [--min BYTES] [--generate DIR] FILE...  (two-part validator == one pass)

let usage = """
    usage: lfm-bench validate --size 100MB|1GB|SIZE [--cjk] [--dir DIR] [--runs N] [--no-python] [--one-core] [--only json|jsonl]
           lfm-bench generate --size SIZE [--cjk] [--dir DIR]   (write both files, print their mix)
           lfm-bench list [--runs N] [--data DIR]
           lfm-bench nearstudy [--pairs N] [--background N] [--seed S] [--threshold T] [--dir DIR]
           lfm-bench measure-validate FILE
    """

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Peak resident set of this process in KiB (VmHWM).
func peakRSSKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

func parseSize(_ text: String) -> Int? {
    let upper = text.uppercased()
    for (suffix, factor) in [("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("B", 1)] where upper.hasSuffix(suffix) {
        return Int(upper.dropLast(suffix.count)).map { $0 * factor }
    }
    return Int(upper)
}

func option(_ name: String, in args: [String]) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// Runs a child with posix_spawn (Foundation's Process adds ~40 ms of waiting on Linux, which
/// would swamp startup times); returns (stdout, wall seconds, exit status).
@discardableResult
func runChild(_ executable: String, _ arguments: [String], stdoutToNull: Bool = false) throws -> (String, Double, Int32) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var fds: [Int32] = [-1, -1]
    if stdoutToNull {
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    } else {
        guard pipe(&fds) == 0 else { throw BenchError("pipe failed") }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
    }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let start = now()
    let rc = posix_spawn(&pid, executable, &actions, nil, argv, environ)
    guard rc == 0 else { throw BenchError("cannot run \(executable): \(String(cString: strerror(rc)))") }
    var output: [UInt8] = []
    if !stdoutToNull {
        close(fds[1])
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n > 0 { output.append(contentsOf: chunk[0..<n]) } else if n == 0 || errno != EINTR { break }
        }
        close(fds[0])
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let wall = now() - start
    return (String(decoding: output, as: UTF8.self), wall, (status >> 8) & 0xFF)
}

let selfPath = Bundle.main.executablePath ?? CommandLine.arguments[0]
let binDir = (selfPath as NSString).deletingLastPathComponent

// MARK: measure-validate (child)

/// What `lfm validate FILE` does: sample, detect the format, validate every record.
func measureValidate(_ path: String) throws {
    let start = now()
    let sample = try FileValidator.sample(path: path)
    let detected = try FormatDetector().detect(sample: sample.records, layout: sample.layout)
    let report = try FileValidator(spec: detected.spec).validate(path: path)
    let seconds = now() - start
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    print("seconds=\(seconds) cpu=\(cpu) records=\(report.records) errors=\(report.errorCount) warnings=\(report.warningCount) hwm_kib=\(peakRSSKiB()) format=\(detected.format.description.replacingOccurrences(of: " ", with: "_"))")
}

func parseFields(_ line: String) -> [String: String] {
    var fields: [String: String] = [:]
    for part in line.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
        let kv = part.split(separator: "=", maxSplits: 1)
        if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
    }
    return fields
}

let pythonScript = """
    import json, sys, time, resource
    p = sys.argv[1]
    t = time.perf_counter()
    n = 0
    with open(p, encoding="utf-8") as f:
        if p.endswith(".jsonl"):
            for line in f:
                if line.strip():
                    json.loads(line); n += 1
        else:
            n = len(json.load(f))
    dt = time.perf_counter() - t
    u = resource.getrusage(resource.RUSAGE_SELF)
    print(f"seconds={dt} cpu={u.ru_utime + u.ru_stime} records={n} hwm_kib={u.ru_maxrss}")
    """

struct Row {
    var file: String
    var bytes: Int
    var records: String
    var lfmSeconds: [Double] = []
    var lfmRSS: [Int] = []
    var pySeconds: [Double] = []
    var pyRSS: [Int] = []
    /// User + system seconds of each child: what the load disturbs least.
    var lfmCPU: [Double] = []
    var pyCPU: [Double] = []
}

func mbps(_ bytes: Int, _ seconds: Double) -> String { String(format: "%.0f", Double(bytes) / 1e6 / seconds) }
func mib(_ kib: Int) -> String { String(format: "%.1f MiB", Double(kib) / 1024) }

func benchValidate(_ args: [String]) throws {
    guard let sizeText = option("--size", in: args), let size = parseSize(sizeText) else {
        print(usage)
        exit(64)
    }
    let dir = option("--dir", in: args) ?? (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/lfm-bench"
    let runs = Int(option("--runs", in: args) ?? "") ?? (size >= 500_000_000 ? 3 : 5)
    let python = !args.contains("--no-python")
    let only = option("--only", in: args)
    let cjk = args.contains("--cjk")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)

    let oneCore = args.contains("--one-core") && FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset")
    let loadBefore = loadAverage()
    var rows: [Row] = []
    var oneCoreRows: [(String, Int, [Double], [Double])] = []
    for lines in [false, true] {
        let ext = lines ? "jsonl" : "json"
        if let only, only != ext { continue }
        let path = try benchFile(dir: dir, sizeText: sizeText, size: size, lines: lines, cjk: cjk)
        let bytes = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        var row = Row(file: (path as NSString).lastPathComponent, bytes: bytes, records: "")
        for run in 0..<runs {
            let (out, _, status) = try runChild(selfPath, ["measure-validate", path])
            let f = parseFields(out)
            guard status == 0, let s = f["seconds"].flatMap(Double.init), let rss = f["hwm_kib"].flatMap(Int.init) else {
                throw BenchError("measure-validate failed (\(status)): \(out)")
            }
            row.lfmSeconds.append(s)
            row.lfmRSS.append(rss)
            if let c = f["cpu"].flatMap(Double.init) { row.lfmCPU.append(c) }
            row.records = "\(f["records"] ?? "?") (\(f["errors"] ?? "?") errors, \(f["warnings"] ?? "?") warnings)"
            FileHandle.standardError.write("lfm \(row.file) run \(run + 1): \(mbps(bytes, s)) MB/s, \(mib(rss))\n".data(using: .utf8)!)
            if python {
                let (pout, _, pstatus) = try runChild("/usr/bin/env", ["python3", "-c", pythonScript, path])
                let pf = parseFields(pout)
                if pstatus == 0, let ps = pf["seconds"].flatMap(Double.init), let prss = pf["hwm_kib"].flatMap(Int.init) {
                    row.pySeconds.append(ps)
                    row.pyRSS.append(prss)
                    if let c = pf["cpu"].flatMap(Double.init) { row.pyCPU.append(c) }
                    FileHandle.standardError.write("python \(row.file) run \(run + 1): \(mbps(bytes, ps)) MB/s, \(mib(prss))\n".data(using: .utf8)!)
                }
            }
        }
        rows.append(row)
        if oneCore {
            // The same measurement pinned to one CPU: no parse-ahead thread (RecordReader reads the
            // affinity mask), so this is the single-thread speed; cpu is user + system seconds.
            var wall: [Double] = [], cpu: [Double] = []
            for _ in 0..<runs {
                let (out, _, status) = try runChild("/usr/bin/taskset", ["-c", "0", selfPath, "measure-validate", path])
                let f = parseFields(out)
                guard status == 0, let s = f["seconds"].flatMap(Double.init), let c = f["cpu"].flatMap(Double.init) else { continue }
                wall.append(s)
                cpu.append(c)
            }
            if !wall.isEmpty { oneCoreRows.append((row.file, bytes, wall, cpu)) }
        }
    }

    print("| file | size | records | lfm MB/s (best / median) | lfm peak RSS | python MB/s (best / median) | python peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for row in rows {
        let lfm = "\(mbps(row.bytes, row.lfmSeconds.min()!)) / \(mbps(row.bytes, median(row.lfmSeconds)))"
        let py = row.pySeconds.isEmpty ? "–" : "\(mbps(row.bytes, row.pySeconds.min()!)) / \(mbps(row.bytes, median(row.pySeconds)))"
        let pyRSS = row.pyRSS.isEmpty ? "–" : mib(row.pyRSS.max()!)
        print("| \(row.file) | \(String(format: "%.1f MB", Double(row.bytes) / 1e6)) | \(row.records) | \(lfm) | \(mib(row.lfmRSS.max()!)) | \(py) | \(pyRSS) |")
    }
    print("\n| file | lfm MB per CPU-second (best) | python MB per CPU-second (best) | python / lfm wall (median) |")
    print("|---|---|---|---|")
    for row in rows where !row.pyCPU.isEmpty && !row.lfmCPU.isEmpty {
        print("| \(row.file) | \(mbps(row.bytes, row.lfmCPU.min()!)) | \(mbps(row.bytes, row.pyCPU.min()!)) | "
              + String(format: "%.1f×", median(row.pySeconds) / median(row.lfmSeconds)) + " |")
    }
    if !oneCoreRows.isEmpty {
        print("\n| file | lfm on one CPU (taskset -c 0), MB/s best / median | MB per CPU-second (best) |")
        print("|---|---|---|")
        for (file, bytes, wall, cpu) in oneCoreRows {
            print("| \(file) | \(mbps(bytes, wall.min()!)) / \(mbps(bytes, median(wall))) | \(mbps(bytes, cpu.min()!)) |")
        }
    }
    print("\n\(runs) runs each, each in its own child process; MB = 10^6 bytes; RSS = VmHWM / ru_maxrss of the child.")
    print("Load average (1 min) before / after: \(loadBefore) / \(loadAverage()) on \(ProcessInfo.processInfo.activeProcessorCount) CPUs.")
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
}

/// The bench file of that size and shape (`alpaca-SIZE.json[l]`, or `alpaca-cjk-SIZE.json[l]`
/// for the Chinese-heavy mix), generated on first use.
func benchFile(dir: String, sizeText: String, size: Int, lines: Bool, cjk: Bool) throws -> String {
    let path = "\(dir)/alpaca-\(cjk ? "cjk-" : "")\(sizeText).\(lines ? "jsonl" : "json")"
    if !FileManager.default.fileExists(atPath: path) {
        FileHandle.standardError.write("generating \(path)…\n".data(using: .utf8)!)
        try AlpacaGenerator.write(path: path, size: size, lines: lines, cjk: cjk)
    }
    return path
}

/// `lfm-bench generate`: writes the two files and prints what they are made of: the share of
/// bytes in CJK characters (U+2E80-U+9FFF, U+F900-U+FAFF, U+FF00-U+FFEF, U+3000-U+303F) and of
/// non-empty strings that hold an escape.
func benchGenerate(_ args: [String]) throws {
    guard let sizeText = option("--size", in: args), let size = parseSize(sizeText) else {
        print(usage)
        exit(64)
    }
    let dir = option("--dir", in: args) ?? (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/lfm-bench"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for lines in [false, true] {
        let path = try benchFile(dir: dir, sizeText: sizeText, size: size, lines: lines, cjk: args.contains("--cjk"))
        var chinese = 0, total = 0, strings = 0, escaped = 0, records = 0
        try RecordReader(path: path).forEach { _, value in
            records += 1
            for member in value.objectValue ?? JSONObject() {
                guard let text = member.value.stringValue, !text.isEmpty else { continue }
                strings += 1
                if text.utf8.contains(where: { $0 == 0x0A || $0 == 0x09 || $0 == 0x22 || $0 == 0x5C }) { escaped += 1 }
                for scalar in text.unicodeScalars where (0x2E80...0x9FFF).contains(scalar.value)
                    || (0xF900...0xFAFF).contains(scalar.value) || (0xFF00...0xFFEF).contains(scalar.value) {
                    chinese += 3
                }
            }
        }
        total = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print(String(format: "%@: %d bytes, %d records, %.1f%% of bytes Chinese, %.1f%% of %d non-empty strings with escapes",
                     (path as NSString).lastPathComponent, total, records, 100 * Double(chinese) / Double(total),
                     100 * Double(escaped) / Double(strings), strings))
    }
}

// MARK: list and startup

func benchList(_ args: [String]) throws {
    let lfm = binDir + "/lfm"
    guard FileManager.default.isExecutableFile(atPath: lfm) else {
        throw BenchError("\(lfm) not found: run `swift build -c release` first")
    }
    let runs = Int(option("--runs", in: args) ?? "") ?? 10
    let source = option("--data", in: args) ?? "/work/shared/llamafactory/data"
    let root = (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/lfm-bench-list-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    let data = root + "/data"
    _ = try runChild("/bin/cp", ["-R", source, data], stdoutToNull: true)
    _ = try runChild("/bin/chmod", ["-R", "u+w", data], stdoutToNull: true)

    func clearCaches() {
        for dir in [root + "/.lfm", data + "/.lfm"] { try? FileManager.default.removeItem(atPath: dir + "/cache") }
    }
    let (listing, _, status) = try runChild(lfm, ["list", "--lf-dir", data, "--json"])
    guard status == 0 else { throw BenchError("lfm list failed (\(status))") }
    let entries = (try? JSONParser.parse(listing))?["datasets"]?.arrayValue?.count ?? -1

    var cold: [Double] = [], warm: [Double] = []
    for _ in 0..<runs {
        clearCaches()
        cold.append(try runChild(lfm, ["list", "--lf-dir", data], stdoutToNull: true).1)
        warm.append(try runChild(lfm, ["list", "--lf-dir", data], stdoutToNull: true).1)
    }
    var startup: [Double] = []
    for _ in 0..<20 { startup.append(try runChild(lfm, ["--version"], stdoutToNull: true).1) }

    func ms(_ v: [Double]) -> String { String(format: "%.1f / %.1f ms", v.min()! * 1000, median(v) * 1000) }
    print("| command | best / median |")
    print("|---|---|")
    print("| `lfm list` (\(entries) entries), cold record-count cache | \(ms(cold)) |")
    print("| `lfm list` (\(entries) entries), warm cache | \(ms(warm)) |")
    print("| `lfm --version` (startup, 20 runs) | \(ms(startup)) |")
    print("\n\(runs) runs each (wall time of the child process, including spawn). Load average (1 min): \(loadAverage()).")
}

// MARK: selfcheck

/// Checks that the parse-ahead reader delivers exactly what the plain reader does (records,
/// locations, errors) and stops cleanly when the body throws.
func selfCheck(_ paths: [String]) throws {
    struct Stop: Error {}
    for path in paths {
        var plain: [(RecordLocation, JSONValue)] = []
        var plainError = ""
        do { try RecordReader(path: path).forEach { plain.append(($0, $1)) } } catch { plainError = "\(error)" }
        var ahead: [(RecordLocation, JSONValue)] = []
        var aheadError = ""
        do { try RecordReader(path: path).forEachParsingAhead { ahead.append(($0, $1)) } } catch { aheadError = "\(error)" }
        let same = plain.count == ahead.count && plainError == aheadError && zip(plain, ahead).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        var stopped = 0
        do {
            try RecordReader(path: path).forEachParsingAhead { _, _ in
                stopped += 1
                if stopped == 1000 { throw Stop() }
            }
        } catch is Stop {} catch {}
        print("\(same ? "ok" : "MISMATCH") \(path): \(plain.count) records, error: \(plainError.isEmpty ? "none" : plainError); early stop after \(stopped)")
    }
}

// MARK: main

let args = Array(CommandLine.arguments.dropFirst())
do {
    switch args.first {
    case "validate": try benchValidate(args)
    case "generate": try benchGenerate(args)
    case "list": try benchList(args)
    case "nearstudy": try NearStudy.run(args)
    case "measure-validate" where args.count == 2: try measureValidate(args[1])
    case "selfcheck": try selfCheck(Array(args.dropFirst()))
    case "selfcheck-parts": try selfCheckParts(Array(args.dropFirst()))
    case "measure-parse" where args.count == 2:
        // Reading and parsing only, on this thread: the parse side of the pipeline.
        let start = now()
        var records = 0
        try RecordReader(path: args[1]).forEach { _, _ in records += 1 }
        print("seconds=\(now() - start) records=\(records) hwm_kib=\(peakRSSKiB())")
    default:
        print(usage)
        exit(64)
    }
} catch {
    FileHandle.standardError.write("lfm-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
