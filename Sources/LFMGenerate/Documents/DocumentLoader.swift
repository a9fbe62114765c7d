import Foundation
import LFMSystem

/// Reads documents (.docx, .md, .txt, .html, .pdf) into headings and paragraphs.
///
/// Directories are walked recursively in sorted order, skipping hidden entries. A file that
/// cannot be read, or has an unsupported extension, lands in `skipped` with a reason; it never
/// aborts the load.
public struct DocumentLoader: Sendable {
    public static let supportedExtensions: Set<String> = ["docx", "md", "markdown", "txt", "text", "html", "htm", "pdf"]

    /// PATH used to find `pdftotext`. Default: the process's PATH.
    public var searchPath: String
    /// Runs `pdftotext`.
    public var runner: any ProcessRunner

    public init(searchPath: String? = nil, runner: any ProcessRunner = FoundationProcessRunner()) {
        self.searchPath = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        self.runner = runner
    }

    public struct Result: Sendable {
        public var documents: [Document]
        public var skipped: [SkippedDocument]
    }

    /// Loads every input (files or directories).
    public func load(_ inputs: [String]) async -> Result {
        var documents: [Document] = []
        var skipped: [SkippedDocument] = []
        for input in inputs {
            for file in expand(input, skipped: &skipped) {
                do {
                    let doc = try await loadFile(file)
                    if doc.blocks.isEmpty {
                        skipped.append(SkippedDocument(path: file, reason: "no text found"))
                    } else {
                        documents.append(doc)
                    }
                } catch let error as DocumentError {
                    skipped.append(SkippedDocument(path: file, reason: error.message))
                } catch {
                    skipped.append(SkippedDocument(path: file, reason: "\(error)"))
                }
            }
        }
        return Result(documents: documents, skipped: skipped)
    }

    /// The files an input names: itself, or a directory's supported files (recursive, sorted, no hidden entries).
    func expand(_ input: String, skipped: inout [SkippedDocument]) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            skipped.append(SkippedDocument(path: input, reason: "no such file or directory"))
            return []
        }
        guard isDirectory.boolValue else { return [input] }
        var files: [String] = []
        walk(input, into: &files, skipped: &skipped)
        return files
    }

    private func walk(_ directory: String, into files: inout [String], skipped: inout [SkippedDocument]) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            skipped.append(SkippedDocument(path: directory, reason: "cannot list directory"))
            return
        }
        for name in names.sorted() where !name.hasPrefix(".") && !name.hasPrefix("~$") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                walk(path, into: &files, skipped: &skipped)
            } else if Self.supportedExtensions.contains((name as NSString).pathExtension.lowercased()) {
                files.append(path)
            } else {
                skipped.append(SkippedDocument(path: path, reason: "unsupported file type"))
            }
        }
    }

    /// Reads one file by its extension.
    public func loadFile(_ path: String) async throws -> Document {
        let ext = (path as NSString).pathExtension.lowercased()
        switch ext {
        case "docx":
            return Document(path: path, blocks: try DocxExtractor.extract(path: path))
        case "md", "markdown":
            return Document(path: path, blocks: PlainTextParser.markdown(try readText(path)))
        case "txt", "text":
            return Document(path: path, blocks: PlainTextParser.plain(try readText(path)))
        case "html", "htm":
            return Document(path: path, blocks: HTMLExtractor.extract(try readText(path)))
        case "pdf":
            return Document(path: path, blocks: PlainTextParser.plain(try await pdfText(path)))
        default:
            throw DocumentError("unsupported file type '.\(ext)' (supported: .docx .md .txt .html .pdf)")
        }
    }

    /// The file as text: UTF-8 (BOM dropped), else Latin-1.
    func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DocumentError("cannot read file")
        }
        if let text = String(data: data, encoding: .utf8) {
            return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        }
        if let text = String(data: data, encoding: .isoLatin1) { return text }
        throw DocumentError("not a text file")
    }

    /// Runs `pdftotext -layout -enc UTF-8 FILE -` (poppler-utils) and takes its stdout: no
    /// temporary file.
    func pdfText(_ path: String) async throws -> String {
        guard let tool = findExecutable("pdftotext") else {
            throw DocumentError("pdftotext not found on PATH; install poppler-utils (apt-get install poppler-utils) to read PDFs")
        }
        let spec = ProcessSpec(executable: .path(URL(fileURLWithPath: tool)),
                               arguments: ["-layout", "-enc", "UTF-8", path, "-"])
        let output: CapturedOutput
        do { output = try await runner.capture(spec) } catch { throw DocumentError("cannot run pdftotext: \(error)") }
        guard output.status.succeeded else {
            throw DocumentError("pdftotext failed (exit \(output.status.exitCode)); the PDF may be encrypted or damaged")
        }
        return output.stdout
    }

    func findExecutable(_ name: String) -> String? {
        for dir in searchPath.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
