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
            let imports = (try? Self.launch("python3", ["-c", "import " + pythonModules.joined(separator: ", ")]).finishBlocking())?.status == 0
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
    public static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let launched = try launch(name, arguments, environment: environment)
        await launched.process.exited()
        return try launched.finishBlocking()
    }

    /// A tool started with its output going to a file of its own.
    struct Launched {
        let process: Process
        let output: URL
        let handle: FileHandle

        /// Waits for the end on this thread (for trait conditions, which cannot await); its
        /// status and output.
        func finishBlocking() throws -> (status: Int32, output: String) {
            defer { try? FileManager.default.removeItem(at: output) }
            process.waitUntilExit()
            try handle.close()
            return (process.terminationStatus, try String(contentsOf: output, encoding: .utf8))
        }
    }

    static func launch(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Launched {
        guard let executable = path(name) else {
            throw PostgresTestServer.SetupError(description: "\(name) is not installed (scripts/test installs it)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tool-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Launched(process: process, output: output, handle: handle)
    }
}

extension Process {
    /// Waits for the end without holding a thread. The suite's tests share as many threads as
    /// there are cores; one blocked in `waitUntilExit()` (a browser session, a Go build) holds
    /// one for its whole run, and two of them starve every other test, whose timed waits then
    /// run out with nothing to wait for.
    /// - Parameter limit: how long to wait at most; false when it was still running then.
    @discardableResult
    public func exited(within limit: Duration? = nil) async -> Bool {
        let deadline = limit.map { ContinuousClock.now + $0 }
        while isRunning {
            if let deadline, ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        waitUntilExit()
        return true
    }
}
