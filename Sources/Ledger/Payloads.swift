import Foundation

/// What each entry type's payload may hold. One table drives validation of new entries,
/// of corrections (which may set only these fields) and of imports.
public struct FieldSpec: Sendable {
    public enum Shape: Sendable {
        /// Free text; `multiline` allows line breaks.
        case text(maxLength: Int, multiline: Bool)
        /// One word from a fixed vocabulary.
        case word([String])
        /// The id of an existing actor, demand or commitment.
        case reference(SubjectKind)
        case references(SubjectKind)
        /// http(s) URLs of the evidence.
        case urls
        case day
        /// ISO 3166-1 alpha-2.
        case country
        case seq
        /// Field name -> new value, for corrections.
        case fieldValues
    }

    public let name: String
    public let shape: Shape
    public let required: Bool
    /// Fewest items a list must hold.
    public let minimumCount: Int

    init(_ name: String, _ shape: Shape, required: Bool = false, minimumCount: Int = 0) {
        self.name = name
        self.shape = shape
        self.required = required || minimumCount > 0
        self.minimumCount = minimumCount
    }

    public var isList: Bool {
        switch shape {
        case .references, .urls: return true
        default: return false
        }
    }
}

/// What a subject id names.
public enum SubjectKind: String, Sendable, Codable {
    case actor, demand, commitment
}

public enum TextLimits {
    public static let name = 200
    public static let title = 300
    public static let longText = 5_000
    public static let url = 2_000
    public static let listItems = 50
    public static let subject = 64
    public static let author = 100
}

extension EntryType {
    private static func vocabulary<T: CaseIterable & RawRepresentable>(_ type: T.Type) -> FieldSpec.Shape where T.RawValue == String {
        .word(type.allCases.map(\.rawValue))
    }

    /// Built once: validation asks for a type's fields for every key of every payload.
    public var fields: [FieldSpec] { Self.fieldTable[self]! }

    private static let fieldTable: [EntryType: [FieldSpec]] = Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.buildFields()) })

    private func buildFields() -> [FieldSpec] {
        let name = FieldSpec.Shape.text(maxLength: TextLimits.name, multiline: false)
        let title = FieldSpec.Shape.text(maxLength: TextLimits.title, multiline: false)
        let long = FieldSpec.Shape.text(maxLength: TextLimits.longText, multiline: true)
        switch self {
        case .actorRegistered:
            return [
                FieldSpec("name", name, required: true), FieldSpec("name_es", name),
                FieldSpec("kind", Self.vocabulary(ActorKind.self), required: true),
                FieldSpec("country", .country),
            ]
        case .demandRecorded:
            return [
                FieldSpec("title", title, required: true), FieldSpec("title_es", title),
                FieldSpec("summary", long), FieldSpec("summary_es", long),
                FieldSpec("by", .references(.actor)), FieldSpec("targets", .references(.actor)),
                FieldSpec("sources", .urls),
            ]
        case .commitmentRecorded:
            return [
                FieldSpec("demands", .references(.demand), minimumCount: 1),
                FieldSpec("actor", .reference(.actor), required: true),
                FieldSpec("kind", Self.vocabulary(CommitmentKind.self), required: true),
                FieldSpec("summary", long, required: true), FieldSpec("summary_es", long),
                FieldSpec("due", .day),
                FieldSpec("sources", .urls, minimumCount: 1),
            ]
        case .statusChanged:
            return [
                FieldSpec("status", Self.vocabulary(CommitmentStatus.self), required: true),
                FieldSpec("basis", Self.vocabulary(Basis.self), required: true),
                FieldSpec("rationale", long, required: true), FieldSpec("rationale_es", long),
                FieldSpec("sources", .urls, minimumCount: 1),
            ]
        case .followupLogged:
            return [
                FieldSpec("note", long, required: true), FieldSpec("note_es", long),
                FieldSpec("kind", Self.vocabulary(FollowupKind.self)),
                FieldSpec("sources", .urls),
            ]
        case .entryCorrected:
            return [
                FieldSpec("target_seq", .seq, required: true),
                FieldSpec("fields", .fieldValues, required: true),
                FieldSpec("reason", long, required: true),
            ]
        case .entryRetracted:
            return [
                FieldSpec("target_seq", .seq, required: true),
                FieldSpec("reason", long, required: true),
            ]
        }
    }

    public func field(named name: String) -> FieldSpec? { fields.first { $0.name == name } }

    /// What the subject of an entry of this type must be.
    public var definesSubject: SubjectKind? {
        switch self {
        case .actorRegistered: return .actor
        case .demandRecorded: return .demand
        case .commitmentRecorded: return .commitment
        default: return nil
        }
    }

    /// Whether a correction may target entries of this type (corrections and retractions are final).
    public var isCorrectable: Bool { self != .entryCorrected && self != .entryRetracted }
}

// MARK: - Typed payloads, read by the projection after validation

/// Reads typed fields out of a validated payload without a round trip through JSONDecoder
/// (the projection reads every payload of the chain).
extension JSONValue {
    func text(_ key: String) -> String? { self[key]?.stringValue }

    func texts(_ key: String) -> [String]? {
        guard case .array(let items)? = self[key] else { return nil }
        return items.compactMap(\.stringValue)
    }

    func word<T: RawRepresentable>(_ key: String, as type: T.Type) -> T? where T.RawValue == String {
        text(key).flatMap(T.init(rawValue:))
    }

    func integer(_ key: String) -> Int64? {
        if case .int(let number)? = self[key] { return number }
        return nil
    }
}

public struct ActorPayload: Sendable, Hashable {
    public var name: String
    public var nameES: String?
    public var kind: ActorKind
    public var country: String?

    public init?(_ json: JSONValue) {
        guard let name = json.text("name"), let kind = json.word("kind", as: ActorKind.self) else { return nil }
        self.name = name
        self.kind = kind
        nameES = json.text("name_es")
        country = json.text("country")
    }
}

public struct DemandPayload: Sendable, Hashable {
    public var title: String
    public var titleES: String?
    public var summary: String?
    public var summaryES: String?
    public var by: [String]
    public var targets: [String]
    public var sources: [String]

    public init?(_ json: JSONValue) {
        guard let title = json.text("title") else { return nil }
        self.title = title
        titleES = json.text("title_es")
        summary = json.text("summary")
        summaryES = json.text("summary_es")
        by = json.texts("by") ?? []
        targets = json.texts("targets") ?? []
        sources = json.texts("sources") ?? []
    }
}

public struct CommitmentPayload: Sendable, Hashable {
    public var demands: [String]
    public var actor: String
    public var kind: CommitmentKind
    public var summary: String
    public var summaryES: String?
    public var due: CalendarDay?
    public var sources: [String]

    public init?(_ json: JSONValue) {
        guard let demands = json.texts("demands"), let actor = json.text("actor"),
              let kind = json.word("kind", as: CommitmentKind.self), let summary = json.text("summary") else { return nil }
        self.demands = demands
        self.actor = actor
        self.kind = kind
        self.summary = summary
        summaryES = json.text("summary_es")
        due = json.text("due").flatMap { CalendarDay($0) }
        sources = json.texts("sources") ?? []
    }
}

public struct StatusPayload: Sendable, Hashable {
    public var status: CommitmentStatus
    public var basis: Basis
    public var rationale: String
    public var rationaleES: String?
    public var sources: [String]

    public init?(_ json: JSONValue) {
        guard let status = json.word("status", as: CommitmentStatus.self), let basis = json.word("basis", as: Basis.self),
              let rationale = json.text("rationale") else { return nil }
        self.status = status
        self.basis = basis
        self.rationale = rationale
        rationaleES = json.text("rationale_es")
        sources = json.texts("sources") ?? []
    }
}

public struct FollowupPayload: Sendable, Hashable {
    public var note: String
    public var noteES: String?
    public var kind: FollowupKind
    public var sources: [String]

    public init?(_ json: JSONValue) {
        guard let note = json.text("note") else { return nil }
        self.note = note
        noteES = json.text("note_es")
        kind = json.word("kind", as: FollowupKind.self) ?? .note
        sources = json.texts("sources") ?? []
    }
}

public struct CorrectionPayload: Sendable, Hashable {
    public var targetSeq: Int64
    public var fields: [String: JSONValue]
    public var reason: String

    public init?(_ json: JSONValue) {
        guard let targetSeq = json.integer("target_seq"), case .object(let fields)? = json["fields"] else { return nil }
        self.targetSeq = targetSeq
        self.fields = fields
        reason = json.text("reason") ?? ""
    }
}

public struct RetractionPayload: Sendable, Hashable {
    public var targetSeq: Int64
    public var reason: String

    public init?(_ json: JSONValue) {
        guard let targetSeq = json.integer("target_seq") else { return nil }
        self.targetSeq = targetSeq
        reason = json.text("reason") ?? ""
    }
}
