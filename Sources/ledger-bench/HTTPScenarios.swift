import Foundation
import GRDB
import Ledger
import Logging
import PostgresNIO
import Reports
import LedgerStores
import LedgerSynthetic
import LedgerSQLite
import LedgerPostgres

/// Scenario 7: `ledgerctl serve` under `wrk` against nginx serving the same bytes, alone and
/// beside strangers knocking at the workspace.
extension Scenarios {
    /// From `ledgerctl serve` starting to its first page (`/`) answered: cold, folding the
    /// chain and verifying it first; warm, from the counts snapshot at the head. Warm, also
    /// until every page answers (`/feed.atom`): the chain verified and the full fold loaded.
    mutating func serverStart(size: Int, sqlite: String) async throws {
        let judged = size == Self.targetSize
        try dropSnapshots(sqlite)
        for warm in [false, true] {
            if warm { try Command.run(ledgerctl, ["snapshot", "--database", sqlite]) }
            Self.progress("serve start, \(warm ? "warm" : "cold") (\(size) entries)")
            var times: [Double] = [], everyPage: [Double] = []
            for run in 0..<runs {
                let port = try Self.freePort()
                let start = ContinuousClock.now
                // A cold start must stay cold: this server keeps no snapshot of its own.
                let server = try Command.start(ledgerctl, ["serve", "--port", String(port), "--database", sqlite, "--log-level", "warning", "--snapshot-every", "0"],
                                               log: folder.appendingPathComponent("serve-start-\(run).log"))
                defer { server.terminate(); server.waitUntilExit() }
                while (try? Command.run("curl", ["-sf", "-o", "/dev/null", "http://127.0.0.1:\(port)/"])) == nil {
                    guard server.isRunning, ContinuousClock.now - start < .seconds(600) else { throw BenchError("ledgerctl serve did not start") }
                    try await Task.sleep(for: .milliseconds(20))
                }
                times.append(Stats.seconds(ContinuousClock.now - start))
                guard warm else { continue }
                while (try? Command.run("curl", ["-sf", "-o", "/dev/null", "http://127.0.0.1:\(port)/feed.atom"])) == nil {
                    guard server.isRunning, ContinuousClock.now - start < .seconds(600) else { throw BenchError("ledgerctl serve did not fold") }
                    try await Task.sleep(for: .milliseconds(20))
                }
                everyPage.append(Stats.seconds(ContinuousClock.now - start))
            }
            if warm {
                figures.append(Figure(
                    scenario: "serve start, every page, warm", store: "sqlite", entries: size, unit: "s", ours: Stats.median(everyPage), better: .lower,
                    target: nil, met: nil, note: "ledgerctl serve until /feed.atom answers: the chain verified, the full fold loaded"))
            }
            figures.append(Figure(
                scenario: warm ? "serve start, warm" : "serve start, cold", store: "sqlite", entries: size, unit: "s", ours: Stats.median(times),
                better: .lower, target: judged && warm ? "≤ 1 s" : nil, met: judged && warm ? Stats.median(times) <= 1 : nil,
                note: "ledgerctl serve until / answers" + (warm ? ", a snapshot at the head" : ", no snapshot")))
        }
    }

    /// `ledgerctl serve` under wrk against nginx serving the same bytes from files.
    mutating func http(size: Int, sqlite: String) async throws {
        Self.progress("HTTP under wrk (\(size) entries)")
        let ourPort = try Self.freePort(), nginxPort = try Self.freePort()
        let server = try Command.start(ledgerctl, ["serve", "--port", String(ourPort), "--database", sqlite, "--log-level", "warning"],
                                       log: folder.appendingPathComponent("serve.log"))
        defer { server.terminate(); server.waitUntilExit() }
        let base = "http://127.0.0.1:\(ourPort)"
        let www = folder.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        let deadline = ContinuousClock.now + .seconds(600)
        while (try? Command.run("curl", ["-sf", "-o", www.appendingPathComponent("index.html").path, base + "/"])) == nil {
            guard server.isRunning, ContinuousClock.now < deadline else { throw BenchError("ledgerctl serve did not start") }
            try await Task.sleep(for: .milliseconds(200))
        }
        try Command.run("curl", ["-sf", "-o", www.appendingPathComponent("feed.atom").path, base + "/feed.atom"])
        // The steady state: a server checks its snapshots in the background after its first page.
        try await Command.waitUntilIdle(server)

        let config = folder.appendingPathComponent("nginx.conf")
        try """
            \(getuid() == 0 ? "user root;" : "")
            worker_processes auto;
            daemon off;
            pid \(folder.path)/nginx.pid;
            error_log \(folder.path)/nginx-error.log;
            events { worker_connections 1024; }
            http {
                access_log off;
                types { text/html html; application/atom+xml atom; }
                server {
                    listen 127.0.0.1:\(nginxPort);
                    root \(www.path);
                    location = / { try_files /index.html =404; }
                }
            }

            """.write(to: config, atomically: true, encoding: .utf8)
        let nginx = try Command.start("nginx", ["-p", folder.path, "-e", folder.path + "/nginx-error.log", "-c", config.path],
                                      log: folder.appendingPathComponent("nginx.log"))
        defer { nginx.terminate(); nginx.waitUntilExit() }
        while (try? Command.run("curl", ["-sf", "-o", "/dev/null", "http://127.0.0.1:\(nginxPort)/"])) == nil {
            guard nginx.isRunning else { throw BenchError("nginx did not start: \((try? String(contentsOf: folder.appendingPathComponent("nginx-error.log"), encoding: .utf8)) ?? "")") }
            try await Task.sleep(for: .milliseconds(100))
        }
        var quietP99 = Double.nan
        for path in ["/", "/feed.atom"] {
            var ours: [Double] = [], baseline: [Double] = []
            var p99s: [Double] = []
            for _ in 0..<runs {
                let load = try wrk("\(base)\(path)")
                ours.append(load.rate)
                p99s.append(load.p99Milliseconds)
                baseline.append(try wrk("http://127.0.0.1:\(nginxPort)\(path)").rate)
            }
            let ratio = Stats.median(ours) / Stats.median(baseline), p99 = Stats.median(p99s)
            if path == "/" { quietP99 = p99 }
            let judged = size == Self.targetSize && path == "/"
            figures.append(Figure(
                scenario: "http \(path)", store: "sqlite", entries: size, unit: "req/s", ours: Stats.median(ours),
                baselineName: "nginx, same bytes", baseline: Stats.median(baseline), better: .higher,
                target: judged ? "p99 ≤ 5 ms" : nil, met: judged ? p99 <= 5 : nil,
                note: String(format: "wrk -t2 -c32 -d%ds; ratio %.2f; p99 %.2f ms", wrkSeconds, ratio, p99)))
        }
        try await httpBesideStrangers(base: base, size: size, quietP99: quietP99)
    }

    /// `GET /` while strangers knock at the workspace: 20 sign-ins at once (each a bcrypt at
    /// the server's cost: an unknown name is checked against a decoy), then 8 unsigned 4 MiB
    /// uploads to the sign-in form. Their p99 against the quiet one. Once per run of the
    /// bench: from one address, the throttle stops the bcrypts after 30 attempts.
    mutating func httpBesideStrangers(base: String, size: Int, quietP99: Double) async throws {
        let jar = folder.appendingPathComponent("cookies.txt").path
        let page = try Command.run("curl", ["-sf", "-c", jar, base + "/team/sign-in"]).output
        guard let token = page.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1 else { throw BenchError("no sign-in form at \(base)/team/sign-in") }
        let upload = folder.appendingPathComponent("upload.bin")
        try Data(repeating: 0x61, count: 4 << 20).write(to: upload)
        let knocks: [(scenario: String, count: Int, arguments: (Int) -> [String])] = [
            ("http / beside 20 sign-ins", 20, { ["-s", "-o", "/dev/null", "-b", jar, "--data", "csrf=\(token)&name=nobody-\($0)&password=not+it", base + "/team/sign-in"] }),
            ("http / beside 8 large posts", 8, { _ in ["-s", "-o", "/dev/null", "-F", "csv=@\(upload.path)", base + "/team/sign-in"] }),
        ]
        for knock in knocks {
            Self.progress("\(knock.scenario) (\(size) entries)")
            let knockers = try (0..<knock.count).map {
                try Command.start("curl", knock.arguments($0), log: folder.appendingPathComponent("knock-\($0).log"))
            }
            let load = try wrk(base + "/")
            for knocker in knockers { knocker.waitUntilExit() }
            figures.append(Figure(
                scenario: knock.scenario, store: "sqlite", entries: size, unit: "ms", ours: load.p99Milliseconds, baselineName: "p99 with no one knocking",
                baseline: quietP99, better: .lower, target: nil, met: nil,
                note: String(format: "p99 of wrk -t2 -c32 -d%ds on / while %d curl processes post to /team/sign-in; %.0f req/s", wrkSeconds, knock.count, load.rate)))
        }
    }

    /// Requests per second, and the 99th percentile of latency from wrk's distribution.
    func wrk(_ url: String) throws -> (rate: Double, p99Milliseconds: Double) {
        let output = try Command.run("wrk", ["-t2", "-c32", "-d\(wrkSeconds)s", "--latency", url]).output
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let rateLine = lines.first(where: { $0.hasPrefix("Requests/sec:") }),
              let rate = Double(rateLine.split(separator: " ").last ?? ""),
              let p99Line = lines.first(where: { $0.hasPrefix("99%") }), let p99 = p99Line.split(separator: " ").last.flatMap(Self.milliseconds) else {
            throw BenchError("wrk printed no rate or latency: \(output)")
        }
        if output.contains("Non-2xx") { throw BenchError("wrk saw errors from \(url): \(output)") }
        return (rate, p99)
    }

    /// wrk's durations: `812.00us`, `3.40ms`, `1.02s`.
    static func milliseconds(_ text: Substring) -> Double? {
        for (suffix, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1_000.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }

    /// A port nobody listens on now (bound, read, released).
    static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw BenchError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
