import Foundation

/// An entry as a database row holds it: plain text columns. Turning one into an `Entry`
/// checks every column, so a row altered behind the ledger's back is reported by seq;
/// `computedHash` hashes the columns as they are, without decoding the payload.
public struct StoredEntryColumns: Sendable {
    /// The columns in the order every store selects them (`LedgerTable.columns`): seq, id,
    /// type, schema_version, subject, effective, recorded_at, author, visibility, payload,
    /// salt, prev_hash, hash. A store decodes a row straight into this.
    public typealias Values = (Int64, String, String, Int, String, String, String, String, String, String, String, String, String)

    public let seq: Int64
    public let id: String
    public let type: String
    public let schema: Int
    public let subject: String
    public let effective: String
    public let recordedAt: String
    public let author: String
    public let visibility: String
    /// Canonical JSON text, as the ledger writes it.
    public let payload: String
    public let salt: String
    public let prevHash: String
    public let hash: String

    public init(_ values: Values) {
        (seq, id, type, schema, subject, effective, recordedAt, author, visibility, payload, salt, prevHash, hash) = values
    }

    private static let unreadID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    private func damaged(_ column: String, _ problem: String) -> LedgerError {
        LedgerError(kind: .integrity, field: "seq \(seq)", "\(column) \(problem); the row was changed outside the ledger")
    }

    /// Every column but the payload reads as what the ledger writes (cheap: no JSON parsing).
    public func checkColumns() throws(LedgerError) {
        _ = try typedColumns()
    }

    private func typedColumns() throws(LedgerError) -> (UUID, EntryType, EffectiveTime, Visibility) {
        guard let uuid = UUID(hexText: id) else { throw damaged("id", "is not a UUID") }
        guard let entryType = EntryType(rawValue: type) else { throw damaged("type", "'\(type)' is unknown") }
        guard let time = EffectiveTime(effective) else { throw damaged("effective", "'\(effective)' is not a date") }
        guard let visibilityValue = Visibility(rawValue: visibility) else { throw damaged("visibility", "is not public or internal") }
        return (uuid, entryType, time, visibilityValue)
    }

    /// - Parameter followupWhole: false for a row read without a follow-up's id, author,
    ///   payload, salt and previous hash (`ChainStore.rows(after:limit:followupsWhole:)`),
    ///   for a counts fold, which keeps only a follow-up's seq, subject, date and visibility:
    ///   a follow-up then has the nil UUID, payload `{}` and the others as read ('').
    public func entry(followupWhole: Bool = true) throws -> Entry {
        if !followupWhole && type == EntryType.followupLogged.rawValue {
            guard let time = EffectiveTime(effective) else { throw damaged("effective", "'\(effective)' is not a date") }
            guard let visibilityValue = Visibility(rawValue: visibility) else { throw damaged("visibility", "is not public or internal") }
            return Entry(
                seq: seq, id: Self.unreadID, type: .followupLogged, schema: schema, subject: subject, effective: time,
                recordedAt: recordedAt, author: author, visibility: visibilityValue, payload: .object([:]),
                salt: salt, prevHash: prevHash, hash: hash)
        }
        let (uuid, entryType, time, visibilityValue) = try typedColumns()
        let payloadValue: JSONValue
        do { payloadValue = try JSONValue.parse(payload) } catch { throw damaged("payload", "is not valid JSON") }
        return Entry(
            seq: seq, id: uuid, type: entryType, schema: schema, subject: subject, effective: time,
            recordedAt: recordedAt, author: author, visibility: visibilityValue, payload: payloadValue,
            salt: salt, prevHash: prevHash, hash: hash)
    }

    /// Writes the row as one exchange line (canonical JSON with its hash), its payload as
    /// stored: what the entries API serves, without decoding anything.
    public func appendExchangeLine(to output: inout [UInt8]) {
        CanonicalEntry.append(
            to: &output, seq: seq, id: id, type: type, schema: schema, subject: subject, effective: effective, recordedAt: recordedAt,
            author: author, visibility: visibility, salt: salt, prevHash: prevHash, hash: hash) { $0.append(contentsOf: payload.utf8) }
    }

    /// The hash of the row as stored. The stored payload is the canonical text the ledger
    /// wrote, so it goes in as it is: a payload rewritten in any other form, even an
    /// equivalent one, no longer matches, which is what a check for tampering wants.
    public var computedHash: String {
        ChainHash.sha256Hex(CanonicalEntry.bytes(
            seq: seq, id: id, type: type, schema: schema, subject: subject, effective: effective, recordedAt: recordedAt,
            author: author, visibility: visibility, salt: salt, prevHash: prevHash) { $0.append(contentsOf: payload.utf8) })
    }
}
