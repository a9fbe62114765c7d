import Foundation
import LFMCore

/// Checks a merged export written by `llamafactory-cli export`: the weights are there and carry
/// the LoRA change, the tokenizer has a chat template matching the run's template, and the
/// adapter was trained on the base model that was merged.
public struct ExportVerifier: Sendable {
    public var exportDir: String
    public var adapterDir: String
    /// The run's `model_name_or_path` (an absolute directory or a Hugging Face id).
    public var baseModel: String
    public var template: String?
    public var environment: [String: String]

    public init(exportDir: String, adapterDir: String, baseModel: String, template: String?,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.exportDir = exportDir
        self.adapterDir = adapterDir
        self.baseModel = baseModel
        self.template = template
        self.environment = environment
    }

    public func verify() -> ExportVerdict {
        var checks: [ExportVerdict.Check] = []
        let adapterConfig = Self.jsonObject(adapterDir + "/adapter_config.json")

        // 1. adapter_config.json names the base model that was merged.
        if let declared = adapterConfig?["base_model_name_or_path"]?.stringValue {
            let same = declared == baseModel || Self.samePath(declared, baseModel)
            checks.append(.init(name: "adapter base model", ok: same,
                                detail: same ? "adapter_config.json: \(declared)" : "adapter_config.json says \(declared), the export merged it into \(baseModel)"))
        } else {
            checks.append(.init(name: "adapter base model", ok: nil, detail: "no base_model_name_or_path in \(adapterDir)/adapter_config.json"))
        }

        // 2. The LoRA change is in the exported weights.
        var merged: Bool?
        do {
            let export = try SafetensorsIndex.directory(exportDir)
            guard let baseDir = Self.localModelDirectory(baseModel, environment: environment) else {
                throw VerifyNote("the base model's weights are not on this machine (\(baseModel)); nothing to compare with")
            }
            let base = try SafetensorsIndex.directory(baseDir)
            let adapter = try SafetensorsIndex.directory(adapterDir, prefix: "adapter_model")
            guard let config = adapterConfig, let scale = LoRAMergeCheck.scale(adapterConfig: config) else {
                throw VerifyNote("adapter_config.json has no r / lora_alpha")
            }
            if config["use_dora"]?.boolValue == true { throw VerifyNote("DoRA adapters are not checked") }
            let samples = try LoRAMergeCheck(export: export, base: base, adapter: adapter, scale: scale).run()
            func describe(_ outcome: LoRAMergeCheck.Outcome) -> String {
                let hits = samples.filter { $0.outcome == outcome }
                guard let first = hits.first else { return "" }
                return "\(hits.count) of \(samples.count) sampled tensors, e.g. \(first.tensor): \(first.detail)"
            }
            switch LoRAMergeCheck.overall(samples) {
            case .merged:
                merged = true
                checks.append(.init(name: "LoRA merged", ok: true, detail: "equal base + LoRA: " + describe(.merged)))
            case .notMerged:
                merged = false
                checks.append(.init(name: "LoRA merged", ok: false, detail: "NOT merged: " + describe(.notMerged)))
            case .undecided:
                checks.append(.init(name: "LoRA merged", ok: nil,
                                    detail: samples.isEmpty ? "the adapter has no lora_A/lora_B tensors" : "undecided: " + describe(.undecided)))
            }
        } catch let note as VerifyNote {
            checks.append(.init(name: "LoRA merged", ok: nil, detail: note.message))
        } catch {
            checks.append(.init(name: "LoRA merged", ok: false, detail: "\(error)"))
        }

        // 3. A chat template, and the run's.
        checks.append(chatTemplateCheck())
        let modelfile = exportDir + "/Modelfile"
        return ExportVerdict(exportDir: exportDir, merged: merged, checks: checks,
                             ollamaModelfile: FileManager.default.fileExists(atPath: modelfile) ? modelfile : nil)
    }

    func chatTemplateCheck() -> ExportVerdict.Check {
        let name = "chat template"
        var jinja = (try? String(contentsOfFile: exportDir + "/chat_template.jinja", encoding: .utf8))
        var source = "chat_template.jinja"
        if jinja == nil, let t = Self.jsonObject(exportDir + "/tokenizer_config.json")?["chat_template"]?.stringValue {
            jinja = t
            source = "tokenizer_config.json"
        }
        guard let jinja, !jinja.isEmpty else {
            return .init(name: name, ok: false, detail: "neither chat_template.jinja nor tokenizer_config.json has a chat template; "
                         + "chat servers would fall back to a default format")
        }
        // LLaMA-Factory renders the Ollama Modelfile from the run's template: its literal pieces
        // must be in the tokenizer's template too.
        guard let modelfile = try? String(contentsOfFile: exportDir + "/Modelfile", encoding: .utf8),
              let literals = Self.templateLiterals(modelfile: modelfile) else {
            return .init(name: name, ok: true, detail: "\(source) has one (no Modelfile to compare it with the run's template \(template ?? "-"))")
        }
        let normalized = Self.squash(jinja.replacingOccurrences(of: "\\n", with: "\n"))
        let missing = literals.filter { !normalized.contains(Self.squash($0)) }
        if missing.isEmpty {
            return .init(name: name, ok: true, detail: "\(source) matches template \(template ?? "-") (\(literals.count) pieces of its format found)")
        }
        // LLaMA-Factory keeps a tokenizer's own chat template for most templates; that one builds
        // the same text from variables, so only its special tokens can be compared literally.
        let markers = Self.specialTokens(in: literals)
        if !markers.isEmpty, markers.allSatisfy({ normalized.contains($0) }) {
            return .init(name: name, ok: true, detail: "\(source) (the model's own, kept by LLaMA-Factory) uses the special tokens of "
                         + "template \(template ?? "-"): " + markers.prefix(4).joined(separator: " "))
        }
        return .init(name: name, ok: false, detail: "\(source) does not match template \(template ?? "-"): lacks "
                     + missing.prefix(3).map { "\"\($0)\"" }.joined(separator: ", "))
    }

    /// The literal text of a Modelfile's TEMPLATE (between its `{{ ... }}` actions), trimmed.
    static func templateLiterals(modelfile: String) -> [String]? {
        guard let start = modelfile.range(of: "TEMPLATE \"\"\""),
              let end = modelfile.range(of: "\"\"\"", range: start.upperBound..<modelfile.endIndex) else { return nil }
        let body = String(modelfile[start.upperBound..<end.lowerBound])
        let pieces = body.replacingOccurrences(of: #"\{\{.*?\}\}"#, with: "\u{0}", options: .regularExpression)
            .split(separator: "\u{0}").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return Array(Set(pieces)).sorted()
    }

    /// `<|eot_id|>`, `<start_of_turn>`, `</s>`, `[INST]`: the special tokens in a template's text.
    static func specialTokens(in pieces: [String]) -> [String] {
        var found: [String] = []
        for piece in pieces {
            var rest = piece[...]
            while let r = rest.range(of: #"<\|[^<>|\s]+\|>|</?[A-Za-z_][A-Za-z0-9_]*>|\[/?[A-Z_]+\]"#, options: .regularExpression) {
                let token = String(rest[r])
                if !found.contains(token) { found.append(token) }
                rest = rest[r.upperBound...]
            }
        }
        return found
    }

    static func squash(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    static func jsonObject(_ path: String) -> JSONObject? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return (try? JSONParser.parse([UInt8](data)))?.objectValue
    }

    static func samePath(_ a: String, _ b: String) -> Bool {
        guard a.hasPrefix("/"), b.hasPrefix("/") else { return false }
        return (a as NSString).resolvingSymlinksInPath == (b as NSString).resolvingSymlinksInPath
    }

    /// A local directory, or the Hugging Face cache's snapshot of a hub id (refs/main first).
    public static func localModelDirectory(_ model: String, environment: [String: String]) -> String? {
        var isDir: ObjCBool = false
        if model.hasPrefix("/") { return FileManager.default.fileExists(atPath: model, isDirectory: &isDir) && isDir.boolValue ? model : nil }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let hub = environment["HF_HUB_CACHE"] ?? ((environment["HF_HOME"] ?? home + "/.cache/huggingface") + "/hub")
        let repo = hub + "/models--" + model.replacingOccurrences(of: "/", with: "--")
        let snapshots = repo + "/snapshots"
        if let ref = try? String(contentsOfFile: repo + "/refs/main", encoding: .utf8) {
            let dir = snapshots + "/" + ref.trimmingCharacters(in: .whitespacesAndNewlines)
            if FileManager.default.fileExists(atPath: dir) { return dir }
        }
        return ((try? FileManager.default.contentsOfDirectory(atPath: snapshots)) ?? []).sorted().first.map { snapshots + "/" + $0 }
    }
}

struct VerifyNote: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
