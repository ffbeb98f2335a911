import Foundation

/// Programs outside Swift that check what the ledger produces (the Nu HTML checker,
/// Chromium, feedparser…). `scripts/test` installs them; outside CI a test that needs a
/// missing one is skipped with the reason shown, in CI it fails.
public struct ExternalTools: Sendable {
    public let names: [String]
    /// Python modules the tests import, checked with the `python3` on PATH.
    public let pythonModules: [String]

    public init(_ names: [String], pythonModules: [String] = []) {
        self.names = names
        self.pythonModules = pythonModules
    }

    public var missing: [String] {
        var missing = names.filter { Self.path($0) == nil }
        if !pythonModules.isEmpty {
            let imports = (try? Self.run("python3", ["-c", "import " + pythonModules.joined(separator: ", ")]))?.status == 0
            if !imports { missing += pythonModules.map { "python3 module \($0)" } }
        }
        return missing
    }

    public var isEnabled: Bool { PostgresTestServer.isRequired || missing.isEmpty }
    public var skipMessage: String { "needs \(missing.joined(separator: ", ")) (scripts/test installs them)" }

    public static func path(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a tool to completion; its status and everything it printed.
    /// - Parameter environment: variables set on top of this process's.
    public static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        guard let executable = path(name) else {
            throw PostgresTestServer.SetupError(description: "\(name) is not installed (scripts/test installs it)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: output, encoding: .utf8))
    }
}
