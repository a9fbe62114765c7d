import Foundation
import LFMCore
import YAML

/// Model and chat-template resolution.
extension TrainConfigBuilder {
    /// Catalogue short name → its HF id and template; otherwise a local directory (which must
    /// exist when the text looks like a path) or a Hugging Face id `org/name`. The template is
    /// `template` if given (checked against LLaMA-Factory's names), else the catalogue's; for a
    /// model outside the catalogue it is required when `requireTemplate`.
    public func resolveModel(_ text: String, template: String?, requireTemplate: Bool = true) throws -> ResolvedModel {
        let model = text.trimmingCharacters(in: .whitespaces)
        guard !model.isEmpty else {
            throw TrainConfigError(.unknownModel, "no model given", hint: "pass --model NAME (see `lfm models`) or set defaults.model in lfm.yaml")
        }
        if let template { try Self.checkTemplate(template) }
        if let entry = catalog.entry(named: model) {
            return ResolvedModel(shortName: entry.name, path: entry.hfID, template: template ?? entry.template, origin: .catalogue)
        }
        let looksLikePath = model.hasPrefix("/") || model.hasPrefix("./") || model.hasPrefix("../") || model.hasPrefix("~")
            || model == "." || model.split(separator: "/").count > 2
        let absolute = Workspace.absolute(model, from: currentDirectory)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory)
        var resolved: ResolvedModel
        if exists && isDirectory.boolValue {
            resolved = ResolvedModel(shortName: Self.slug((absolute as NSString).lastPathComponent), path: absolute,
                                     template: template, origin: .local)
        } else if looksLikePath {
            throw TrainConfigError(.missingModelPath, "model directory \(absolute) does not exist",
                                   hint: "check the path, or pass a short name from `lfm models` or a Hugging Face id (org/name)")
        } else if Self.isHuggingFaceID(model) {
            let known = catalog.entry(hfID: model)
            resolved = ResolvedModel(shortName: known?.name ?? Self.slug(String(model.split(separator: "/").last!)),
                                     path: model, template: template ?? known?.template, origin: .huggingFace)
        } else {
            var message = "unknown model \(model)"
            if let suggestion = Suggestion.closest(to: model, in: catalog.names) { message += "; did you mean \(suggestion)?" }
            throw TrainConfigError(.unknownModel, message,
                                   hint: "use a short name from `lfm models`, a Hugging Face id (org/name) or a local model directory")
        }
        if resolved.template == nil && requireTemplate {
            throw TrainConfigError(.templateRequired, "\(model) is not in the model catalogue, so lfm cannot know its chat template",
                                   hint: "pass --template NAME (e.g. llama3, qwen, qwen3_nothink, mistral; LLaMA-Factory's list is in docs/training.md) or add it to templates/models.yaml")
        }
        return resolved
    }

    /// Throws unless `name` is one of LLaMA-Factory's chat templates, suggesting the closest.
    public static func checkTemplate(_ name: String) throws {
        guard !ChatTemplates.isKnown(name) else { return }
        var message = "unknown chat template \(name)"
        if let suggestion = Suggestion.closest(to: name, in: ChatTemplates.names) { message += "; did you mean \(suggestion)?" }
        message += " LLaMA-Factory would fail with \"Template \(name) does not exist.\""
        throw TrainConfigError(.unknownTemplate, message,
                               hint: "use one of LLaMA-Factory's chat templates (listed in docs/training.md)")
    }

    static func isHuggingFaceID(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        return parts.allSatisfy { part in
            !part.isEmpty && !part.hasPrefix(".") && part.unicodeScalars.allSatisfy { allowed.contains($0) }
        }
    }

    /// Lower-case, `[a-z0-9._-]` only: safe in paths.
    static func slug(_ text: String) -> String {
        let mapped = text.lowercased().map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-" || c == "_") ? c : "-"
        }
        let result = String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "-."))
        return result.isEmpty ? "model" : result
    }
}
