// Build-time generator run by the EmbedTemplates plugin: writes a Swift file that holds every
// file under templates/ (base64, so no content can break the Swift literal).
//
//     lfm-embed-templates TEMPLATES_DIR OUTPUT.swift
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: lfm-embed-templates TEMPLATES_DIR OUTPUT.swift\n".utf8))
    exit(64)
}
let root = URL(fileURLWithPath: arguments[1]).standardizedFileURL
let output = URL(fileURLWithPath: arguments[2])

var files: [(path: String, data: Data)] = []
if let enumerator = FileManager.default.enumerator(
    at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
{
    for case let url as URL in enumerator {
        guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
        let full = url.standardizedFileURL.path
        guard full.hasPrefix(root.path + "/") else { continue }
        let relative = String(full.dropFirst(root.path.count + 1))
        do {
            files.append((relative, try Data(contentsOf: url)))
        } catch {
            FileHandle.standardError.write(Data("lfm-embed-templates: cannot read \(full): \(error)\n".utf8))
            exit(1)
        }
    }
}
files.sort { $0.path < $1.path }

var swift = """
// Generated at build time by lfm-embed-templates from templates/. Do not edit.

enum EmbeddedTemplateFiles {
    /// (path relative to templates/, base64 of the file's bytes), sorted by path.
    static let base64: [(path: String, contents: String)] = [

"""
for file in files {
    let escaped = file.path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    swift += "        (\"\(escaped)\", \"\(file.data.base64EncodedString())\"),\n"
}
swift += "    ]\n}\n"

let data = Data(swift.utf8)
// Leave an identical file alone so the module is not recompiled for nothing.
if (try? Data(contentsOf: output)) != data {
    do {
        try data.write(to: output, options: .atomic)
    } catch {
        FileHandle.standardError.write(Data("lfm-embed-templates: cannot write \(output.path): \(error)\n".utf8))
        exit(1)
    }
}
