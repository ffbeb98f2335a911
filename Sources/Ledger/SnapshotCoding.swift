import Foundation
import Transparency

/// Varints, and short strings written once and then by number: subjects, authors, field
/// names and kinds repeat on most entries, and the reader shares one copy of each. Small
/// objects of short values are numbered the same way: in a counts fold most status
/// changes' payloads are one of a few (`{"basis": "claimed", "rationale": "", "status":
/// "broken"}`), and the reader shares each.
struct SnapshotWriter: ~Copyable {
    private(set) var bytes: GrowingBytes
    private var stringNumbers: [String: Int] = [:]
    private var numbered: [String] = []
    /// By canonical bytes, not by `JSONValue`: Swift's `==` on strings forgives spellings.
    private var objectNumbers: [[UInt8]: Int] = [:]
    static let longestSharedString = 48

    /// Whether an object is numbered when written in full; the reader applies the same rule.
    static func isShareable(_ members: [String: JSONValue]) -> Bool {
        members.count <= 8 && members.allSatisfy { _, value in
            switch value {
            case .null, .bool, .int: true
            case .string(let text): text.utf8.count <= longestSharedString
            case .array, .object: false
            }
        }
    }

    init(expectedSize: Int = 0) { bytes = GrowingBytes(capacity: expectedSize) }

    /// What was written, as `Data` (without a copy).
    consuming func data() -> Data { bytes.data() }

    mutating func unsigned(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func signed(_ value: Int64) { unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func string(_ text: String, shared: Bool = true) {
        let utf8 = text.utf8
        if shared && utf8.count <= Self.longestSharedString {
            // Swift's == treats canonically equivalent spellings (é, e + ◌́) as equal; the
            // ledger's bytes must come back as they were, so a number stands only for the same bytes.
            if let number = stringNumbers[text], numbered[number].utf8.elementsEqual(utf8) {
                unsigned(UInt64(number) << 1 | 1)
                return
            }
            if stringNumbers[text] == nil { stringNumbers[text] = numbered.count }
            numbered.append(text)  // the reader numbers every short string it reads in full
        }
        unsigned(UInt64(utf8.count) << 1)
        bytes.append(contentsOf: utf8)
    }

    mutating func time(_ time: EffectiveTime) {
        unsigned(UInt64(time.day.year))
        bytes.append(UInt8(time.day.month))
        bytes.append(UInt8(time.day.day))
        unsigned(time.secondOfDay.map { UInt64($0) + 1 } ?? 0)
    }

    mutating func json(_ value: JSONValue) {
        switch value {
        case .null: bytes.append(0)
        case .bool(let flag): bytes.append(flag ? 2 : 1)
        case .int(let number): bytes.append(3); signed(number)
        case .string(let text): bytes.append(4); string(text)
        case .array(let items):
            bytes.append(5)
            unsigned(UInt64(items.count))
            for item in items { json(item) }
        case .object(let members):
            if Self.isShareable(members) {
                let key = value.canonicalBytes
                if let number = objectNumbers[key] {
                    bytes.append(7)
                    unsigned(UInt64(number))
                    return
                }
                objectNumbers[key] = objectNumbers.count
            }
            bytes.append(6)
            unsigned(UInt64(members.count))
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                string(name)
                json(member)
            }
        }
    }

    mutating func seqs(_ seqs: [Int64]) {
        unsigned(UInt64(seqs.count))
        for seq in seqs { signed(seq) }
    }

    /// The fold, or its counts when `detail` is `.counts` (the bytes of `fold.counts`).
    mutating func write(_ fold: LedgerRecords, as detail: LedgerRecords.Detail) {
        // The counts of a fold are a tenth of its records: reduced whole, then written.
        if detail == .counts && fold.detail != .counts { return write(fold.counts, as: .counts) }
        unsigned(UInt64(fold.records.count))
        var previousSeq: Int64 = 0
        for record in fold.records {
            unsigned(UInt64(record.seq - previousSeq))
            previousSeq = record.seq
            withUnsafeBytes(of: record.id.uuid) { bytes.append(contentsOf: $0) }
            bytes.append(UInt8(EntryType.allCases.firstIndex(of: record.type)!))
            string(record.subject)
            string(record.recordedAt, shared: false)
            string(record.author)
            bytes.append(record.visibility == .public ? 0 : 1)
            time(record.originalEffective)
            json(record.originalPayload)
            // Corrections are reapplied from the original whenever one is added or retracted, so
            // a record with none in force reads as its original.
            let corrected = !record.correctedBy.isEmpty
            bytes.append((corrected ? 1 : 0) | (record.retractedBy != nil ? 2 : 0))
            if corrected {
                seqs(record.correctedBy)
                time(record.effective)
                json(record.payload)
            }
            if let retractedBy = record.retractedBy { signed(retractedBy) }
        }
        unsigned(UInt64(fold.definitions.count))
        for (subject, seq) in fold.definitions.sorted(by: { $0.key < $1.key }) {
            string(subject)
            signed(seq)
        }
        unsigned(UInt64(fold.activityBySubject.count))
        for (subject, activity) in fold.activityBySubject.sorted(by: { $0.key < $1.key }) {
            string(subject)
            seqs(activity)
        }
        if detail == .counts { write(fold.followupCounts) }
    }

    private mutating func write(_ counts: FollowupCounts) {
        unsigned(UInt64(counts.subjects.count))
        for subject in counts.subjects { string(subject) }
        unsigned(UInt64(counts.followups.count))
        var previousSeq: Int64 = 0
        for followup in counts.followups {
            unsigned(UInt64(followup.seq - previousSeq))
            previousSeq = followup.seq
            unsigned(UInt64(followup.subject) << 2 | (followup.isInternal ? 2 : 0) | (followup.isRetracted ? 1 : 0))
            time(followup.effective)
        }
        unsigned(UInt64(counts.corrected.count))
        for (seq, corrected) in counts.corrected.sorted(by: { $0.key < $1.key }) {
            signed(seq)
            time(corrected.originalEffective)
            seqs(corrected.correctedBy)
        }
        unsigned(UInt64(counts.retractions.count))
        for (seq, retraction) in counts.retractions.sorted(by: { $0.key < $1.key }) {
            signed(seq)
            signed(retraction)
        }
    }
}

/// Reads in place, over the stored bytes: a snapshot is hundreds of megabytes at a million entries.
struct SnapshotReader {
    let bytes: UnsafeRawBufferPointer
    private var position = 0
    private var strings: [String] = []
    private var objects: [JSONValue] = []

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { position == bytes.count }
    var damaged: LedgerError { LedgerError(kind: .integrity, "the snapshot is damaged at byte \(position)") }

    mutating func byte() throws(LedgerError) -> UInt8 {
        guard position < bytes.count else { throw damaged }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func unsigned() throws(LedgerError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            value |= UInt64(next & 0x7f) << shift
            if next < 0x80 { return value }
            shift += 7
            if shift > 63 { throw damaged }
        }
    }

    mutating func count() throws(LedgerError) -> Int {
        let value = try unsigned()
        // No count can exceed the bytes left: a damaged length must not reserve gigabytes.
        guard value <= UInt64(bytes.count - position) else { throw damaged }
        return Int(value)
    }

    mutating func signed() throws(LedgerError) -> Int64 {
        let value = try unsigned()
        return Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    /// As the writer wrote it: a short shared string read in full is numbered for later.
    mutating func string(shared: Bool = true) throws(LedgerError) -> String {
        let tagged = try unsigned()
        if tagged & 1 == 1 {
            guard tagged >> 1 < UInt64(strings.count) else { throw damaged }
            return strings[Int(tagged >> 1)]
        }
        let length = Int(clamping: tagged >> 1)
        guard length <= bytes.count - position else { throw damaged }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<position + length]), as: UTF8.self)
        position += length
        if shared && length <= SnapshotWriter.longestSharedString { strings.append(text) }
        return text
    }

    mutating func time() throws(LedgerError) -> EffectiveTime {
        let year = try unsigned(), month = try byte(), day = try byte()
        let seconds = try unsigned()
        guard year <= 9999, let calendarDay = CalendarDay(year: Int(year), month: Int(month), day: Int(day)), seconds <= 86_400 else { throw damaged }
        return EffectiveTime(day: calendarDay, secondOfDay: seconds == 0 ? nil : Int(seconds - 1))
    }

    mutating func json() throws(LedgerError) -> JSONValue {
        switch try byte() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try signed())
        case 4: return .string(try string())
        case 5:
            let count = try count()
            var items: [JSONValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try json()) }
            return .array(items)
        case 6:
            let count = try count()
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(count)
            for _ in 0..<count {
                let name = try string()
                members[name] = try json()
            }
            if SnapshotWriter.isShareable(members) { objects.append(.object(members)) }
            return .object(members)
        case 7:
            let number = try unsigned()
            guard number < UInt64(objects.count) else { throw damaged }
            return objects[Int(number)]
        default: throw damaged
        }
    }

    /// The next seq of an ascending run, written as the step from `previous`; a damaged
    /// step past `Int64.max` is an error, not a trap.
    mutating func nextSeq(after previous: Int64) throws(LedgerError) -> Int64 {
        guard let step = Int64(exactly: try unsigned()) else { throw damaged }
        let (next, overflow) = previous.addingReportingOverflow(step)
        guard !overflow else { throw damaged }
        return next
    }

    mutating func seqs() throws(LedgerError) -> [Int64] {
        let count = try count()
        var seqs: [Int64] = []
        seqs.reserveCapacity(count)
        for _ in 0..<count { seqs.append(try signed()) }
        return seqs
    }

    mutating func readRecords(audience: Visibility, detail: LedgerRecords.Detail, head: ChainHead) throws(LedgerError) -> LedgerRecords {
        let count = try count()
        var records: [Record] = []
        records.reserveCapacity(count)
        var seq: Int64 = 0
        for _ in 0..<count {
            seq = try nextSeq(after: seq)
            guard position + 17 <= bytes.count else { throw damaged }
            let id = UUID(uuid: bytes.loadUnaligned(fromByteOffset: position, as: uuid_t.self))
            position += 16
            let typeIndex = Int(try byte())
            guard EntryType.allCases.indices.contains(typeIndex) else { throw damaged }
            let type = EntryType.allCases[typeIndex]
            let subject = try string()
            let recordedAt = try string(shared: false)
            let author = try string()
            let visibility: Visibility = try byte() == 0 ? .public : .internal
            let originalEffective = try time()
            let originalPayload = try json()
            let flags = try byte()
            var correctedBy: [Int64] = []
            var effective = originalEffective
            var payload = originalPayload
            if flags & 1 != 0 {
                correctedBy = try seqs()
                effective = try time()
                payload = try json()
            }
            let retractedBy = flags & 2 != 0 ? try signed() : nil
            records.append(Record(
                seq: seq, id: id, type: type, subject: subject, recordedAt: recordedAt, author: author, visibility: visibility,
                originalEffective: originalEffective, originalPayload: originalPayload, effective: effective, payload: payload,
                correctedBy: correctedBy, retractedBy: retractedBy))
        }
        guard records.last?.seq ?? 0 <= head.seq else { throw damaged }
        var definitions: [String: Int64] = [:]
        for _ in 0..<(try self.count()) {
            let subject = try string()
            definitions[subject] = try signed()
        }
        var activity: [String: [Int64]] = [:]
        for _ in 0..<(try self.count()) {
            let subject = try string()
            activity[subject] = try seqs()
        }
        let counts = detail == .counts ? try readFollowupCounts(upTo: head.seq) : FollowupCounts()
        return LedgerRecords(audience: audience, detail: detail, head: head, records: records, definitions: definitions, activityBySubject: activity,
                             followupCounts: counts)
    }

    private mutating func readFollowupCounts(upTo headSeq: Int64) throws(LedgerError) -> FollowupCounts {
        var subjects: [String] = []
        for _ in 0..<(try count()) { subjects.append(try string()) }
        // Each subject once, as `FollowupCounts` numbers them: a damaged table must not trap.
        guard Set(subjects).count == subjects.count else { throw damaged }
        let count = try count()
        var followups: [FollowupCounts.Counted] = []
        followups.reserveCapacity(count)
        var seq: Int64 = 0
        for _ in 0..<count {
            seq = try nextSeq(after: seq)
            let tagged = try unsigned()
            guard tagged >> 2 < UInt64(subjects.count) else { throw damaged }
            followups.append(FollowupCounts.Counted(seq: seq, subject: Int32(tagged >> 2), effective: try time(), isInternal: tagged & 2 != 0, isRetracted: tagged & 1 != 0))
        }
        guard seq <= headSeq else { throw damaged }
        var corrected: [Int64: FollowupCounts.Corrected] = [:]
        for _ in 0..<(try self.count()) {
            let seq = try signed()
            corrected[seq] = FollowupCounts.Corrected(originalEffective: try time(), correctedBy: try seqs())
        }
        var retractions: [Int64: Int64] = [:]
        for _ in 0..<(try self.count()) {
            let seq = try signed()
            retractions[seq] = try signed()
        }
        return FollowupCounts(subjects: subjects, followups: followups, corrected: corrected, retractions: retractions)
    }
}
