import Foundation

/// The Python packages LLaMA-Factory 0.9.5 requires for `predict_with_generate` (its
/// `_check_extra_dependencies`: jieba, nltk, rouge_chinese). The 0.9.5 wheel declares no
/// `metrics` extra (`pip install "llamafactory[metrics]"` installs nothing more), so they are
/// installed by name.
public enum MetricPackages {
    /// (import name, pip name)
    public static let required = [("jieba", "jieba"), ("nltk", "nltk"), ("rouge_chinese", "rouge-chinese")]

    /// The env's prefix: the env's own, or the one holding the `llamafactory-cli` found on PATH.
    public static func prefix(environment: CondaEnvironment, cli: String) -> String? {
        if let prefix = environment.prefix { return prefix }
        let bin = (cli as NSString).deletingLastPathComponent
        return bin.isEmpty ? nil : (bin as NSString).deletingLastPathComponent
    }

    /// Import names missing from every `lib/python3*/site-packages` of the prefix (nil: the
    /// prefix has no site-packages lfm can see, so nothing can be said).
    public static func missing(prefix: String) -> [String]? {
        let fm = FileManager.default
        let lib = prefix + "/lib"
        let pythons = ((try? fm.contentsOfDirectory(atPath: lib)) ?? []).filter { $0.hasPrefix("python3") }
        let sites = pythons.map { "\(lib)/\($0)/site-packages" }.filter { fm.fileExists(atPath: $0) }
        guard !sites.isEmpty else { return nil }
        return required.map(\.0).filter { module in
            !sites.contains { fm.fileExists(atPath: "\($0)/\(module)/__init__.py") || fm.fileExists(atPath: "\($0)/\(module).py") }
        }
    }

    /// The exact command that installs them into that env.
    public static func installCommand(prefix: String?) -> String {
        let pip = prefix.map { $0 + "/bin/pip" } ?? "pip"
        return "\(pip) install " + required.map(\.1).joined(separator: " ")
    }

    /// Throws ``EvalError/missingMetricPackages`` when the env lacks any of them.
    public static func check(environment: CondaEnvironment, cli: String) throws {
        let prefix = prefix(environment: environment, cli: cli)
        guard let prefix, let missing = missing(prefix: prefix), !missing.isEmpty else { return }
        throw EvalError.missingMetricPackages(env: prefix, missing: missing, install: installCommand(prefix: prefix))
    }

    /// `lfm doctor`'s line: a warning with the install command when any is missing (training
    /// works without them; `lfm eval` does not). Nil when the env's site-packages cannot be seen.
    public static func doctorVerdict(prefix: String) -> DoctorReport.Verdict? {
        guard let missing = missing(prefix: prefix) else { return nil }
        if missing.isEmpty { return DoctorReport.Verdict(.ok, "metrics", "jieba, nltk, rouge-chinese (lfm eval's BLEU/ROUGE)") }
        return DoctorReport.Verdict(.warning, "metrics", "lfm eval needs \(missing.joined(separator: ", ")) for BLEU/ROUGE; missing",
                                    fix: installCommand(prefix: prefix))
    }
}
