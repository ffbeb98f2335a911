import ArgumentParser
import Foundation

/// Whether a long command shows how far it is: by default only when standard error is a
/// terminal, so scripts and CI logs stay clean.
struct ProgressOptions: ParsableArguments {
    @Flag(name: .long, help: "Show progress on standard error even when it is not a terminal.") var progress = false
    @Flag(name: .long, help: "Never show progress.") var quiet = false

    func validate() throws {
        if progress && quiet { throw ValidationError("give --progress or --quiet, not both") }
    }

    var isShown: Bool { !quiet && (progress || isatty(STDERR_FILENO) == 1) }

    /// A line that redraws itself, or nil when progress is not shown.
    func line(_ what: String, unit: String = "entries") -> ProgressLine? {
        isShown ? ProgressLine(what: what, unit: unit) : nil
    }
}

/// One line on standard error, redrawn at most four times a second: how many of how many,
/// the rate, and the time left.
final class ProgressLine: @unchecked Sendable {
    private let what: String
    private let unit: String
    private let lock = NSLock()
    private let started = Date()
    private var drawnAt: Date?
    private var drawn = false
    private var advanced: Int64 = 0

    init(what: String, unit: String) {
        self.what = what
        self.unit = unit
    }

    func update(_ done: Int64, of total: Int64?) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        if let drawnAt, now.timeIntervalSince(drawnAt) < 0.25, done != total { return }
        drawnAt = now
        drawn = true
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        var text = "\(what): \(Self.grouped(done))"
        if let total, total > 0 {
            text += " of \(Self.grouped(total)) \(unit) (\(Int(Double(done) * 100 / Double(total)))%)"
        } else {
            text += " \(unit)"
        }
        text += ", \(Self.grouped(Int64(rate)))/s"
        if let total, rate > 0, done < total { text += ", \(Self.duration(Double(total - done) / rate)) left" }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    /// Adds `count` to what is done, for work finished in pieces on several tasks.
    func advance(_ count: Int64, of total: Int64?) {
        lock.lock()
        advanced += count
        let done = advanced
        lock.unlock()
        update(done, of: total)
    }

    /// Ends the line, so what follows starts on its own.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }

    static func grouped(_ number: Int64) -> String {
        let digits = String(number)
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 && character != "-" { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        return total >= 3_600 ? "\(total / 3_600):" + String(format: "%02d:%02d", total % 3_600 / 60, total % 60)
            : "\(total / 60):" + String(format: "%02d", total % 60)
    }
}
