import Foundation
import PostgresNIO
import Ledger

/// A `postgres://user:password@host:port/db?sslmode=…` URL, read the way libpq reads it so
/// a team can paste the URL its other tools use. The password may instead come from
/// `PGPASSWORD`, which keeps it out of shell history and `ps`.
public struct PostgresURL: Sendable, Equatable {
    public enum TLSMode: String, Sendable, CaseIterable {
        /// libpq's names. `prefer` and `require` encrypt without checking who answers (as
        /// libpq does); `verify-ca` checks the certificate chain, `verify-full` the host too.
        case disable, allow, prefer, require, verifyCA = "verify-ca", verifyFull = "verify-full"
    }

    public var host: String
    /// A folder holding the server's Unix socket (`?host=/var/run/postgresql`), instead of TCP.
    public var socketDirectory: String?
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// `sslrootcert`: the CA certificates to trust for `verify-ca` and `verify-full`.
    public var rootCertificatePath: String?
    public var applicationName: String

    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LedgerError) {
        func invalid(_ problem: String) -> LedgerError { LedgerError(field: "database", problem) }
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql" else {
            throw invalid("is not a PostgreSQL URL (postgres://user:password@host:port/database)")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard let value = item.value else { throw invalid("URL parameter '\(item.name)' has no value") }
            query[item.name] = value
        }
        let known: Set = ["sslmode", "sslrootcert", "host", "port", "user", "password", "dbname", "application_name", "connect_timeout"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw invalid("URL parameter '\(unknown)' is not supported (known: \(known.sorted().joined(separator: ", ")))")
        }

        let hostParameter = query["host"] ?? components.host.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGHOST"] ?? "localhost"
        if hostParameter.hasPrefix("/") {
            socketDirectory = hostParameter
            host = "localhost"
        } else {
            host = hostParameter
        }
        let portText = query["port"] ?? components.port.map(String.init) ?? environment["PGPORT"] ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else { throw invalid("port '\(portText)' is not a number from 1 to 65535") }
        self.port = port
        let user = query["user"] ?? components.user ?? environment["PGUSER"] ?? environment["USER"] ?? ""
        guard !user.isEmpty else { throw invalid("names no user (postgres://USER@host/database)") }
        self.user = user
        password = query["password"] ?? components.password ?? environment["PGPASSWORD"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = query["dbname"] ?? (path.isEmpty ? nil : path) ?? environment["PGDATABASE"] ?? user
        guard !database.contains("/") else { throw invalid("database name '\(database)' contains '/'") }
        let mode = query["sslmode"] ?? environment["PGSSLMODE"] ?? "prefer"
        guard let tls = TLSMode(rawValue: mode) else {
            throw invalid("sslmode '\(mode)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.tls = tls
        rootCertificatePath = query["sslrootcert"] ?? environment["PGSSLROOTCERT"]
        applicationName = query["application_name"] ?? "ledgerctl"
        if let timeout = query["connect_timeout"] {
            guard let seconds = Int(timeout), seconds > 0 else { throw invalid("connect_timeout '\(timeout)' is not a whole number of seconds") }
            connectTimeout = seconds
        }
    }

    /// Seconds to wait for the server to answer a connection attempt.
    public var connectTimeout = 10
    /// Seconds an append waits for another writer's transaction before giving up as busy
    /// (SQLite's busy timeout, on PostgreSQL).
    public var lockTimeout = 30
    /// Every transaction of every connection read-only (`default_transaction_read_only`), so
    /// a read command cannot write even by mistake.
    public var readOnly = false

    /// For messages: where, never the password.
    public var displayName: String {
        let place = socketDirectory.map { "\($0) (socket, port \(port))" } ?? "\(host):\(port)"
        return "postgres://\(user)@\(place)/\(database)"
    }

    func tlsConfiguration() throws(LedgerError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .verifyFull: configuration.certificateVerification = .fullVerification
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        default: configuration.certificateVerification = .none
        }
        if let rootCertificatePath {
            guard FileManager.default.isReadableFile(atPath: rootCertificatePath) else {
                throw LedgerError(field: "database", "sslrootcert '\(rootCertificatePath)' is not a readable file")
            }
            configuration.trustRoots = .file(rootCertificatePath)
        }
        return configuration
    }

    public var clientConfiguration: PostgresClient.Configuration {
        get throws(LedgerError) {
            var configuration: PostgresClient.Configuration
            if let socketDirectory {
                configuration = .init(unixSocketPath: socketPath(in: socketDirectory), username: user, password: password, database: database)
            } else {
                let mode: PostgresClient.Configuration.TLS = switch tls {
                case .disable: .disable
                case .allow, .prefer: .prefer(try tlsConfiguration())
                case .require, .verifyCA, .verifyFull: .require(try tlsConfiguration())
                }
                configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: mode)
            }
            configuration.options.connectTimeout = .seconds(connectTimeout)
            configuration.options.additionalStartupParameters = startupParameters
            return configuration
        }
    }

    public var connectionConfiguration: PostgresConnection.Configuration {
        get throws(LedgerError) {
            var configuration: PostgresConnection.Configuration
            if let socketDirectory {
                configuration = .init(unixSocketPath: socketPath(in: socketDirectory), username: user, password: password, database: database)
            } else {
                let mode: PostgresConnection.Configuration.TLS
                do {
                    switch tls {
                    case .disable: mode = .disable
                    case .allow, .prefer: mode = .prefer(try NIOSSLContext(configuration: try tlsConfiguration()))
                    case .require, .verifyCA, .verifyFull: mode = .require(try NIOSSLContext(configuration: try tlsConfiguration()))
                    }
                } catch let error as LedgerError {
                    throw error
                } catch {
                    throw LedgerError(field: "database", "could not set up TLS: \(error)")
                }
                configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: mode)
            }
            configuration.options.connectTimeout = .seconds(Int64(connectTimeout))
            configuration.options.additionalStartupParameters = startupParameters
            return configuration
        }
    }

    /// `synchronous_commit` is set per connection so that a server or role default of `off`
    /// cannot make a committed entry losable.
    private var startupParameters: [(String, String)] {
        [("application_name", applicationName), ("synchronous_commit", "on"), ("lock_timeout", "\(lockTimeout)s")]
            + (readOnly ? [("default_transaction_read_only", "on")] : [])
    }

    private func socketPath(in directory: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + ".s.PGSQL.\(port)"
    }
}
