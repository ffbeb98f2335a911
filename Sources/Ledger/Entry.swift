import Foundation

public enum Visibility: String, Sendable, Codable, CaseIterable {
    case `public`
    case `internal`
}

/// What an entry records. The raw value is what is hashed and stored; never rename one.
public enum EntryType: String, Sendable, Codable, CaseIterable {
    case actorRegistered = "actor.registered"
    case demandRecorded = "demand.recorded"
    case commitmentRecorded = "commitment.recorded"
    case statusChanged = "status.changed"
    case followupLogged = "followup.logged"
    case entryCorrected = "entry.corrected"
    case entryRetracted = "entry.retracted"

    /// The payload schema version this build writes and understands.
    public var currentSchema: Int { 1 }
}

/// A new entry as a person or a script states it, before the store places it in the chain.
public struct EntryDraft: Sendable, Hashable {
    public var id: UUID
    public var type: EntryType
    public var schema: Int
    public var subject: String
    public var effective: EffectiveTime
    public var author: String
    public var visibility: Visibility
    public var payload: JSONValue
    /// 16 random bytes as hex: keeps an internal entry's hash from revealing its content.
    public var salt: String

    public init(
        id: UUID = UUID(), type: EntryType, schema: Int? = nil, subject: String,
        effective: EffectiveTime, author: String, visibility: Visibility = .public,
        payload: JSONValue, salt: String = EntryDraft.randomSalt()
    ) {
        self.id = id
        self.type = type
        self.schema = schema ?? type.currentSchema
        self.subject = subject
        self.effective = effective
        self.author = author
        self.visibility = visibility
        self.payload = payload
        self.salt = salt
    }

    public static func randomSalt() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = [generator.next(), generator.next()] as [UInt64]
        return words.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }.hexString
    }

    /// Whether a stored entry is this draft retried: everything a person stated matches.
    /// Salt and recording time are the store's and a retry may differ in them.
    public func isSameStatement(as entry: Entry) -> Bool {
        id == entry.id && type == entry.type && schema == entry.schema && subject == entry.subject
            && effective == entry.effective && author == entry.author
            && visibility == entry.visibility && payload == entry.payload
    }
}

/// One link of the chain: everything ever written to the ledger is one of these.
public struct Entry: Sendable, Hashable {
    public var seq: Int64
    public var id: UUID
    public var type: EntryType
    public var schema: Int
    public var subject: String
    public var effective: EffectiveTime
    public var recordedAt: String
    public var author: String
    public var visibility: Visibility
    public var payload: JSONValue
    public var salt: String
    public var prevHash: String
    public var hash: String

    public init(
        seq: Int64, id: UUID, type: EntryType, schema: Int, subject: String,
        effective: EffectiveTime, recordedAt: String, author: String, visibility: Visibility,
        payload: JSONValue, salt: String, prevHash: String, hash: String
    ) {
        self.seq = seq
        self.id = id
        self.type = type
        self.schema = schema
        self.subject = subject
        self.effective = effective
        self.recordedAt = recordedAt
        self.author = author
        self.visibility = visibility
        self.payload = payload
        self.salt = salt
        self.prevHash = prevHash
        self.hash = hash
    }

    /// Places a draft in the chain after `prevHash` and computes its hash.
    public init(draft: EntryDraft, seq: Int64, recordedAt: String, prevHash: String) {
        self.init(
            seq: seq, id: draft.id, type: draft.type, schema: draft.schema, subject: draft.subject,
            effective: draft.effective, recordedAt: recordedAt, author: draft.author,
            visibility: draft.visibility, payload: draft.payload, salt: draft.salt,
            prevHash: prevHash, hash: "")
        hash = computedHash
    }

    /// The bytes the hash covers: every field but the hash, as canonical JSON.
    public var canonicalText: String { String(decoding: canonicalBytes(includingHash: false), as: UTF8.self) }

    public var computedHash: String { ChainHash.sha256Hex(canonicalBytes(includingHash: false)) }

    /// The exported line (`exchangeJSON` as canonical text), written directly.
    public var exchangeLine: String { String(decoding: canonicalBytes(includingHash: true), as: UTF8.self) }

    func canonicalBytes(includingHash: Bool) -> [UInt8] {
        CanonicalEntry.bytes(
            seq: seq, id: id.uuidString.lowercased(), type: type.rawValue, schema: schema, subject: subject,
            effective: effective.description, recordedAt: recordedAt, author: author, visibility: visibility.rawValue,
            salt: salt, prevHash: prevHash, hash: includingHash ? hash : nil) { JSONValue.appendCanonical(payload, to: &$0) }
    }
}

// MARK: - The exchange format (export, import, append)

extension Entry {
    /// The JSON object `export` writes, one per line: every column, named as in docs/json-and-api.md.
    public var exchangeJSON: JSONValue { fieldsJSON(includingHash: true) }

    private func fieldsJSON(includingHash: Bool) -> JSONValue {
        var fields: [String: JSONValue] = [
            "seq": .int(seq),
            "id": .string(id.uuidString.lowercased()),
            "type": .string(type.rawValue),
            "schema": .int(Int64(schema)),
            "subject": .string(subject),
            "effective": .string(effective.description),
            "recorded_at": .string(recordedAt),
            "author": .string(author),
            "visibility": .string(visibility.rawValue),
            "payload": payload,
            "salt": .string(salt),
            "prev_hash": .string(prevHash),
        ]
        if includingHash { fields["hash"] = .string(hash) }
        return .object(fields)
    }

    /// Reads one exported line; every field is checked for shape (the hash is checked by the verifier).
    public init(exchangeJSON json: JSONValue) throws(LedgerError) {
        var fields = try ExchangeFields(json)
        self.init(
            seq: try fields.integer("seq"),
            id: try fields.uuid("id"),
            type: try fields.entryType("type"),
            schema: Int(try fields.integer("schema")),
            subject: try fields.string("subject"),
            effective: try fields.effective("effective"),
            recordedAt: try fields.recordedAt("recorded_at"),
            author: try fields.string("author"),
            visibility: try fields.visibility("visibility"),
            payload: try fields.object("payload"),
            salt: try fields.hex("salt", length: 32),
            prevHash: try fields.hex("prev_hash", length: 64),
            hash: try fields.hex("hash", length: 64))
        try fields.rejectUnknown()
    }
}

extension EntryDraft {
    /// The JSON object `append` reads: a draft as the commands build it. `id`, `schema`,
    /// `author` and `visibility` may be left out.
    public var exchangeJSON: JSONValue {
        .object([
            "id": .string(id.uuidString.lowercased()),
            "type": .string(type.rawValue),
            "schema": .int(Int64(schema)),
            "subject": .string(subject),
            "effective": .string(effective.description),
            "author": .string(author),
            "visibility": .string(visibility.rawValue),
            "payload": payload,
        ])
    }

    public init(exchangeJSON json: JSONValue, defaultAuthor: String) throws(LedgerError) {
        var fields = try ExchangeFields(json)
        let type = try fields.entryType("type")
        self.init(
            id: try fields.has("id") ? try fields.uuid("id") : UUID(),
            type: type,
            schema: try fields.has("schema") ? Int(try fields.integer("schema")) : nil,
            subject: try fields.string("subject"),
            effective: try fields.effective("effective"),
            author: try fields.has("author") ? try fields.string("author") : defaultAuthor,
            visibility: try fields.has("visibility") ? try fields.visibility("visibility") : .public,
            payload: try fields.object("payload"))
        if schema != type.currentSchema {
            throw LedgerError(field: "schema", "version \(schema) of \(type.rawValue) is not known to this build (it knows \(type.currentSchema))")
        }
        try fields.rejectUnknown()
    }
}

/// Reads named fields from a JSON object, naming the field in every error.
struct ExchangeFields {
    private var members: [String: JSONValue]

    init(_ json: JSONValue) throws(LedgerError) {
        guard case .object(let members) = json else { throw LedgerError(field: "entry", "must be a JSON object") }
        self.members = members
    }

    private mutating func take(_ key: String) throws(LedgerError) -> JSONValue {
        guard let value = members.removeValue(forKey: key) else { throw LedgerError(field: key, .required) }
        if value == .null { throw LedgerError(field: key, "is null; it is required") }
        return value
    }

    /// Whether an optional field is given. null is refused rather than read as "absent":
    /// a script that sends `"author": null` has a bug worth hearing about.
    mutating func has(_ key: String) throws(LedgerError) -> Bool {
        guard let value = members[key] else { return false }
        if value == .null { throw LedgerError(field: key, "is null; leave the field out to use the default") }
        return true
    }

    mutating func string(_ key: String) throws(LedgerError) -> String {
        guard case .string(let text) = try take(key) else { throw LedgerError(field: key, .mustBeText) }
        return text
    }

    mutating func integer(_ key: String) throws(LedgerError) -> Int64 {
        guard case .int(let number) = try take(key) else { throw LedgerError(field: key, "must be a whole number") }
        return number
    }

    mutating func object(_ key: String) throws(LedgerError) -> JSONValue {
        let value = try take(key)
        guard case .object = value else { throw LedgerError(field: key, "must be a JSON object") }
        return value
    }

    mutating func uuid(_ key: String) throws(LedgerError) -> UUID {
        let text = try string(key)
        // 8-4-4-4-12 hex digits exactly (Foundation's parser is scanf-based and showed in
        // profiles of import and `verify --remote`).
        guard let id = UUID(hexText: text) else {
            throw LedgerError(field: key, "'\(text)' is not a UUID")
        }
        return id
    }

    mutating func entryType(_ key: String) throws(LedgerError) -> EntryType {
        let text = try string(key)
        guard let type = EntryType(rawValue: text) else {
            throw LedgerError(field: key, "'\(text)' is not an entry type (one of: \(EntryType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return type
    }

    mutating func visibility(_ key: String) throws(LedgerError) -> Visibility {
        let text = try string(key)
        guard let visibility = Visibility(rawValue: text) else {
            throw LedgerError(field: key, "'\(text)' must be public or internal")
        }
        return visibility
    }

    mutating func effective(_ key: String) throws(LedgerError) -> EffectiveTime {
        let text = try string(key)
        guard let time = EffectiveTime(text) else {
            throw LedgerError(field: key, "'\(text)' is not a real date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")
        }
        return time
    }

    mutating func recordedAt(_ key: String) throws(LedgerError) -> String {
        let text = try string(key)
        guard RecordedAt.isValid(text) else { throw LedgerError(field: key, "'\(text)' is not a UTC time like 2023-06-30T17:00:00.000Z") }
        return text
    }

    mutating func hex(_ key: String, length: Int) throws(LedgerError) -> String {
        let text = try string(key)
        guard text.utf8.count == length, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }) else {
            throw LedgerError(field: key, "must be \(length) lowercase hex digits")
        }
        return text
    }

    func rejectUnknown() throws(LedgerError) {
        if let unknown = members.keys.sorted().first {
            throw LedgerError(field: unknown, "is not a field of a ledger entry")
        }
    }
}
