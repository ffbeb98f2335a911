import Foundation

/// One figure of the benchmark: ours against its baseline, measured side by side in one run.
struct Figure: Codable {
    enum Better: String, Codable {
        /// Rates (entries/s, requests/s): the ratio ours/baseline should be high.
        case higher
        /// Times: the ratio ours/baseline should be low.
        case lower
    }

    var scenario: String
    var store: String
    var entries: Int
    var unit: String
    var ours: Double
    var baselineName: String?
    var baseline: Double?
    var better: Better
    /// What the issue asks for: a ratio bound (`ratio`) or an absolute bound on `ours`.
    var target: String?
    var met: Bool?
    /// Peak resident memory of our process, when measured.
    var peakMB: Double?
    var note: String?

    var ratio: Double? { baseline.map { ours / $0 } }
}

enum Stats {
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Nearest-rank percentile.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))]
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs other programs and times them: wall time around the whole process, and its peak
/// resident memory through GNU time.
enum Command {
    struct Outcome {
        var seconds: Double
        var peakMB: Double?
        var output: String
    }

    static func locate(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"]
        guard let path = folders.map({ $0 + "/" + name }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BenchError("\(name) is not installed (scripts/bench installs it)")
        }
        return path
    }

    /// Runs to completion; fails unless the exit status is 0.
    @discardableResult
    static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:],
                    measureMemory: Bool = false) throws -> Outcome {
        let executable = try locate(name)
        let folder = FileManager.default.temporaryDirectory
        let outputURL = folder.appendingPathComponent("bench-out-\(UUID().uuidString)")
        let memoryURL = folder.appendingPathComponent("bench-mem-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: memoryURL)
        }
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let process = Process()
        if measureMemory {
            process.executableURL = URL(fileURLWithPath: try locate("time"))
            process.arguments = ["-f", "%M", "-o", memoryURL.path, executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = try FileHandle(forWritingTo: outputURL)
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        let seconds = Stats.seconds(ContinuousClock.now - start)
        try output.close()
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw BenchError("\(name) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(text.suffix(2_000))")
        }
        let peakKB = (try? String(contentsOf: memoryURL, encoding: .utf8))?.split(separator: "\n").last.flatMap { Double($0) }
        return Outcome(seconds: seconds, peakMB: peakKB.map { $0 / 1_024 }, output: text)
    }

    /// A long-running process (a server), stopped with SIGTERM.
    static func start(_ name: String, _ arguments: [String], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try locate(name))
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Returns once `process` has used under 2% of a core for a whole second (Linux
    /// `/proc`), or after `limit`: the steady state, once a server's start-up work in the
    /// background (checking snapshots, keeping them) is done.
    static func waitUntilIdle(_ process: Process, limit: Duration = .seconds(600)) async throws {
        func cpuTicks() -> Int? {
            guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
                  let end = stat.lastIndex(of: ")") else { return nil }
            // After the command's name: state, then 10 fields, then utime and stime.
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
            return user + system
        }
        let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))
        let deadline = ContinuousClock.now + limit
        var previous = cpuTicks()
        while ContinuousClock.now < deadline, process.isRunning {
            try await Task.sleep(for: .seconds(1))
            let now = cpuTicks()
            if let now, let before = previous, (now - before) * 50 < ticksPerSecond { return }
            previous = now
        }
    }
}

/// The table everyone reads, and the same figures as JSON for machines.
enum Report {
    static func format(_ value: Double, unit: String) -> String {
        switch unit {
        case "s": return value < 0.01 ? String(format: "%.2f ms", value * 1_000) : String(format: "%.3f s", value)
        case "ms": return String(format: "%.3f ms", value)
        default: return value >= 1_000 ? String(format: "%.0f %@", value, unit) : String(format: "%.1f %@", value, unit)
        }
    }

    static func table(_ figures: [Figure]) -> String {
        var rows = [["scenario", "store", "entries", "ours", "baseline", "ours/baseline", "target", "met"]]
        for figure in figures {
            var ours = format(figure.ours, unit: figure.unit)
            if let peak = figure.peakMB { ours += String(format: ", %.0f MB", peak) }
            rows.append([
                figure.scenario, figure.store, String(figure.entries), ours,
                figure.baseline.map { "\(format($0, unit: figure.unit)) (\(figure.baselineName ?? ""))" } ?? "—",
                figure.ratio.map { String(format: "%.2fx", $0) } ?? "—",
                figure.target ?? "—",
                figure.met.map { $0 ? "yes" : "NO" } ?? "—",
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            "| " + row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |"
        }
        return ([line(rows[0]), "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"]
                + rows.dropFirst().map(line)).joined(separator: "\n")
    }
}
