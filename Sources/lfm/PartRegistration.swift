import Foundation
import LFMCore
import LFMTools

/// Registers several files lfm wrote (the parts of a split) as one change: when one registration
/// fails, the entries added before it are removed again and the written files deleted, so that the
/// command that reports failure leaves nothing behind.
enum PartRegistration {
    static func registerAll(_ parts: [(path: String, name: String, spec: DatasetSpec)], format: OutputFormat, workspace: Workspace,
                            force: Bool, dryRun: Bool, into registered: inout [String]) throws {
        var added: [String] = []
        do {
            for part in parts {
                let registration = try OutputRegistrar.registration(path: part.path, name: part.name, spec: part.spec, format: format,
                                                                    workspace: workspace, force: force, dryRun: dryRun)
                registered.append(registration.name)
                if !dryRun && !registration.replaced { added.append(registration.name) }
            }
        } catch {
            guard !dryRun else { throw error }
            for name in added { _ = try? workspace.registry.unregister(name: name) }
            for part in parts { try? FileManager.default.removeItem(atPath: part.path) }
            registered = []
            throw error
        }
    }
}
