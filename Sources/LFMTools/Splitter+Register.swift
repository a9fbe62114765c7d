import Foundation
import LFMCore

extension Splitter {
    /// `lfm split --register`: splits `input` into `directory` and registers the parts in
    /// `workspace`, as one change. Every registration is checked (names, existing entries) before
    /// any file is written, every part is validated before any is moved into place, and a
    /// registration that still fails takes back the entries before it and deletes the written
    /// files, so that a command that reports failure leaves nothing behind. In a dry run the
    /// names that would be registered are returned and nothing is written.
    public func split(_ input: DatasetInput, directory: String, registeringIn workspace: Workspace) throws -> (report: Report, registered: [String]) {
        let format = OutputFormat(family: input.family, kind: input.kind)
        if !options.dryRun {
            for target in paths(for: input, directory: directory) {
                _ = try OutputRegistrar.registration(path: target.path, name: target.name, spec: input.spec, format: format,
                                                     workspace: workspace, force: options.force, dryRun: true)
            }
        }
        let report = try split(input, directory: directory)
        guard report.written || options.dryRun else { return (report, []) }
        var registered: [String] = []
        var added: [String] = []
        do {
            for part in report.parts {
                let registration = try OutputRegistrar.registration(path: part.path, name: part.name, spec: part.spec, format: format,
                                                                    workspace: workspace, force: options.force, dryRun: options.dryRun)
                registered.append(registration.name)
                if !options.dryRun && !registration.replaced { added.append(registration.name) }
            }
        } catch {
            guard !options.dryRun else { throw error }
            for name in added { _ = try? workspace.registry.unregister(name: name) }
            for part in report.parts { try? FileManager.default.removeItem(atPath: part.path) }
            throw error
        }
        return (report, registered)
    }
}
