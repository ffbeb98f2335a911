import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Ledger
import NIOPosix
import LedgerTeam

/// Where a webhook may send the ledger's entries: never, unless its adder allowed it, to
/// this machine or the private network it stands in (a receiver URL is typed by an admin,
/// but a link pasted from elsewhere must not turn the server into a probe of its own
/// network). Checked when the hook is added and again before each delivery, on the
/// addresses the name resolves to then, which are the ones connected to.
public enum WebhookTarget {
    /// The URL's host and port, once it has passed: `address` is what to connect to.
    public struct Resolved: Sendable, Equatable {
        public let host: String
        public let address: String
    }

    /// Checks the URL's form (http or https, a host, no user or password) and where its
    /// host resolves. Throws a `LedgerError` naming `field`; a refused private address names
    /// `allowing`, the way to allow one where the URL was typed (a flag, or a form's box).
    public static func check(_ url: String, allowPrivate: Bool, field: String = "URL", allowing: String = "--allow-private") async throws -> Resolved {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = components.host, !host.isEmpty else {
            throw LedgerError(field: field, "'\(url)' is not an http:// or https:// URL with a host")
        }
        if components.user != nil || components.password != nil {
            throw LedgerError(field: field, "must not hold a user name or password (the receiver checks the X-Ledger-Signature header instead)")
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let literal = literalAddress(bare)
        let addresses = if let literal { [literal] } else { try await resolve(bare, field: field) }
        if !allowPrivate, let refused = addresses.first(where: isPrivate) {
            let named = refused == bare ? "\(host) is" : literal != nil ? "\(host) stands for \(refused)," : "\(host) resolves to \(refused),"
            throw LedgerError(field: field, "\(named) a loopback, private, link-local, multicast or unspecified address; "
                              + "a receiver inside your own network needs \(allowing)")
        }
        return Resolved(host: bare, address: addresses[0])
    }

    /// The address a host names by itself, in any form the system's resolver reads as one
    /// (`127.1`, `2130706433`, `0x7f.0.0.1`, `0177.0.0.1`, `0`, `::1`), written plainly.
    static func literalAddress(_ host: String) -> String? {
        if let v4 = ipv4(host) { return v4.map(String.init).joined(separator: ".") }
        var v6 = in6_addr()
        if host.contains(":"), inet_pton(AF_INET6, host, &v6) == 1 {
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &v6, &text, socklen_t(text.count))
            return cString(text)
        }
        return nil
    }

    /// inet_aton's forms: one to four parts, each decimal, octal (leading 0) or hex (0x),
    /// the last filling the bytes left.
    static func ipv4(_ host: String) -> [UInt8]? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var numbers: [UInt32] = []
        for part in parts {
            let text = part.lowercased()
            let value: UInt32?
            if text.hasPrefix("0x") { value = UInt32(text.dropFirst(2), radix: 16) }
            else if text.count > 1 && text.hasPrefix("0") { value = UInt32(text.dropFirst(), radix: 8) }
            else { value = UInt32(text, radix: 10) }
            guard let value else { return nil }
            numbers.append(value)
        }
        let last = numbers.removeLast()
        guard numbers.allSatisfy({ $0 <= 255 }), last < (UInt64(1) << (8 * (4 - numbers.count))) else { return nil }
        let tail = (0..<(4 - numbers.count)).reversed().map { UInt8(truncatingIfNeeded: last >> (8 * UInt32($0))) }
        return numbers.map { UInt8($0) } + tail
    }

    /// Whether the plainly written address is one no outside receiver has.
    public static func isPrivate(_ address: String) -> Bool {
        if let v4 = ipv4(address), address.split(separator: ".").count == 4 { return isPrivate(v4: v4) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return true }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        let embeddedV4 = Array(bytes[12..<16])
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return true }  // :: and ::1
        if bytes[0] == 0xff { return true }  // multicast
        if bytes[0] & 0xfe == 0xfc { return true }  // unique local fc00::/7
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return true }  // link-local fe80::/10
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0xc0 { return true }  // site-local fec0::/10
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff { return isPrivate(v4: embeddedV4) }  // ::ffff:a.b.c.d
        if bytes[0..<12].allSatisfy({ $0 == 0 }) { return isPrivate(v4: embeddedV4) }  // ::a.b.c.d
        if Array(bytes[0..<12]) == [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0] { return isPrivate(v4: embeddedV4) }  // NAT64
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return isPrivate(v4: Array(bytes[2..<6])) }  // 6to4
        return false
    }

    static func isPrivate(v4 b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return true
        case (100, 64...127): return true  // carrier-grade NAT
        case (169, 254), (192, 168): return true
        case (172, 16...31): return true
        case (192, 0) where b[2] == 0: return true
        case (198, 18...19): return true
        case (224..., _): return true  // multicast, reserved, broadcast
        default: return false
        }
    }

    /// Every address the system's resolver gives for the name, written plainly.
    static func resolve(_ host: String, field: String) async throws -> [String] {
        let found: [String]? = try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            #else
            hints.ai_socktype = SOCK_STREAM
            #endif
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return nil }
            defer { freeaddrinfo(first) }
            var addresses: [String] = []
            var next: UnsafeMutablePointer<addrinfo>? = first
            while let info = next {
                var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                    let address = cString(text)
                    // A scoped link-local address (fe80::1%eth0) is judged without its scope.
                    let plain = address.split(separator: "%").first.map(String.init) ?? address
                    if !addresses.contains(plain) { addresses.append(plain) }
                }
                next = info.pointee.ai_next
            }
            return addresses
        }
        guard let found, !found.isEmpty else { throw LedgerError(field: field, "the host \(host) could not be resolved") }
        return found
    }

    static func cString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
