import Foundation

/// One field of an entry type's payload: its name in the JSON, what it may hold, whether it
/// is required, and what people call it in each language. The typed payloads below declare
/// their fields with these, once; validation (of new entries, corrections and imports),
/// decoding, encoding, the CLI's flags and every renderer read them from there. One file
/// over 400 lines on purpose: every payload's declaration side by side, so a field is added
/// where its siblings are.
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

    /// What people call a field, in each language the ledger speaks.
    public struct Label: Sendable, Equatable {
        public let english: String
        public let spanish: String
    }

    public let name: String
    public let shape: Shape
    public let required: Bool
    /// Fewest items a list must hold.
    public let minimumCount: Int
    public let label: Label

    init(_ name: String, _ shape: Shape, required: Bool = false, minimumCount: Int = 0, label: Label) {
        self.name = name
        self.shape = shape
        self.required = required || minimumCount > 0
        self.minimumCount = minimumCount
        self.label = label
    }

    /// The label of a field of any payload by its name (`effective`, the entry's own date,
    /// included): what a correction's description calls the fields it changed.
    public static func label(of name: String) -> Label? {
        if name == "effective" { return Label(english: "date", spanish: "fecha") }
        return EntryType.allCases.lazy.compactMap { $0.field(named: name)?.label }.first
    }

    /// Whether the field names another subject, so that its verdict can change as the
    /// ledger does (that subject retracted).
    var citesSubjects: Bool {
        switch shape {
        case .reference, .references: return true
        default: return false
        }
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
    /// Built once from the payload declarations: validation asks for a type's fields for
    /// every key of every payload.
    public var fields: [FieldSpec] { Self.fieldTable[self]! }

    private static let fieldTable: [EntryType: [FieldSpec]] = [
        .actorRegistered: ActorPayload.fields, .demandRecorded: DemandPayload.fields,
        .commitmentRecorded: CommitmentPayload.fields, .statusChanged: StatusPayload.fields,
        .followupLogged: FollowupPayload.fields, .entryCorrected: CorrectionPayload.fields,
        .entryRetracted: RetractionPayload.fields,
    ]

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

// MARK: - Typed payloads: each type's fields, declared once

/// A payload read into a struct and written back as JSON through its one declaration,
/// `schema`: each field's name, shape, labels and where it lives in the struct.
public protocol EntryPayload: Sendable, Hashable {
    static var entryType: EntryType { get }
    static var schema: [PayloadField<Self>] { get }
    /// Every field empty; decoding fills it in.
    init()
}

extension EntryPayload {
    /// The fields as validation and the renderers see them.
    public static var fields: [FieldSpec] { schema.map(\.spec) }

    /// Reads a validated payload (the projection reads every payload of the chain, so this
    /// does no JSONDecoder round trip). Nil when a required field is missing or mistyped.
    public init?(_ json: JSONValue) {
        guard case .object(let members) = json else { return nil }
        self.init()
        let schema = Self.schema
        for index in schema.indices {
            if let value = members[schema[index].name], value != .null {
                guard schema[index].decode(&self, value) else { return nil }
            } else if schema[index].isRequiredSingle {
                return nil
            }
        }
    }

    /// The payload as an entry carries it: absent optionals and empty optional lists left out.
    public var json: JSONValue {
        var members: [String: JSONValue] = [:]
        for field in Self.schema {
            if let value = field.encode(self) { members[field.spec.name] = value }
        }
        return .object(members)
    }
}

/// One field of a payload struct: its `FieldSpec` and how it moves between the struct and JSON.
public struct PayloadField<Payload>: Sendable {
    public let spec: FieldSpec
    /// The spec's name, and whether a payload without it is unreadable: read for every
    /// field of every payload, so kept apart from the spec.
    let name: String
    let isRequiredSingle: Bool
    let decode: @Sendable (inout Payload, JSONValue) -> Bool
    let encode: @Sendable (Payload) -> JSONValue?

    private init(_ spec: FieldSpec, decode: @escaping @Sendable (inout Payload, JSONValue) -> Bool,
                 encode: @escaping @Sendable (Payload) -> JSONValue?) {
        self.spec = spec
        name = spec.name
        isRequiredSingle = spec.required && !spec.isList
        self.decode = decode
        self.encode = encode
    }

    /// A key path to a stored property, kept concrete: reading an existential key path for
    /// every field of every payload of the chain doubled the time to fold it.
    typealias Path<Value> = WritableKeyPath<Payload, Value>

    /// The one way a field moves: `read` turns a JSON value into the property's value (nil
    /// when it has the wrong type), `write` the property back into JSON (nil to leave it out).
    private static func field<Value>(_ spec: FieldSpec, _ path: Path<Value>,
                                     read: @escaping @Sendable (JSONValue) -> Value?,
                                     write: @escaping @Sendable (Value) -> JSONValue?) -> Self {
        // A key path to a stored property is an immutable value.
        nonisolated(unsafe) let path = path
        return Self(spec, decode: { payload, value in
            guard let decoded = read(value) else { return false }
            payload[keyPath: path] = decoded
            return true
        }, encode: { write($0[keyPath: path]) })
    }

    /// A required string: text, a reference, a word kept as text.
    static func string(_ spec: FieldSpec, _ path: Path<String>) -> Self {
        field(spec, path, read: \.stringValue, write: JSONValue.string)
    }

    static func string(_ spec: FieldSpec, _ path: Path<String?>) -> Self {
        field(spec, path, read: { $0.stringValue.map(Optional.some) }, write: { $0.map(JSONValue.string) })
    }

    /// A list of strings; left out when empty unless the field needs items.
    static func strings(_ spec: FieldSpec, _ path: Path<[String]>) -> Self {
        field(spec, path, read: { value in
            guard case .array(let items) = value else { return nil }
            return items.compactMap(\.stringValue)
        }, write: { items in items.isEmpty && spec.minimumCount == 0 ? nil : .array(items.map(JSONValue.string)) })
    }

    static func word<Word: RawRepresentable & Sendable>(_ spec: FieldSpec, _ path: Path<Word>) -> Self where Word.RawValue == String {
        field(spec, path, read: { $0.stringValue.flatMap(Word.init(rawValue:)) }, write: { .string($0.rawValue) })
    }

    static func word<Word: RawRepresentable & Sendable>(_ spec: FieldSpec, _ path: Path<Word?>) -> Self where Word.RawValue == String {
        field(spec, path, read: { $0.stringValue.flatMap(Word.init(rawValue:)).map(Optional.some) }, write: { $0.map { .string($0.rawValue) } })
    }

    static func day(_ spec: FieldSpec, _ path: Path<CalendarDay?>) -> Self {
        field(spec, path, read: { $0.stringValue.flatMap { CalendarDay($0) }.map(Optional.some) }, write: { $0.map { .string($0.description) } })
    }

    static func seq(_ spec: FieldSpec, _ path: Path<Int64>) -> Self {
        field(spec, path, read: { value in
            guard case .int(let number) = value else { return nil }
            return number
        }, write: { .int($0) })
    }

    static func values(_ spec: FieldSpec, _ path: Path<[String: JSONValue]>) -> Self {
        field(spec, path, read: { value in
            guard case .object(let members) = value else { return nil }
            return members
        }, write: { .object($0) })
    }
}

/// The shapes and labels the payloads share.
private enum Shapes {
    static let name = FieldSpec.Shape.text(maxLength: TextLimits.name, multiline: false)
    static let title = FieldSpec.Shape.text(maxLength: TextLimits.title, multiline: false)
    static let long = FieldSpec.Shape.text(maxLength: TextLimits.longText, multiline: true)

    static func vocabulary<T: CaseIterable & RawRepresentable>(_ type: T.Type) -> FieldSpec.Shape where T.RawValue == String {
        .word(type.allCases.map(\.rawValue))
    }

    static func label(_ english: String, _ spanish: String) -> FieldSpec.Label { FieldSpec.Label(english: english, spanish: spanish) }
    static let sources = label("sources", "fuentes")
    static let kind = label("kind", "tipo")
    static let reason = label("reason", "motivo")
    static let targetSeq = label("entry", "entrada")
}

public struct ActorPayload: EntryPayload {
    public var name = ""
    public var nameES: String?
    public var kind = ActorKind.organisation
    public var country: String?

    public init() {}

    public init(name: String, nameES: String? = nil, kind: ActorKind, country: String? = nil) {
        (self.name, self.nameES, self.kind, self.country) = (name, nameES, kind, country)
    }

    public static let entryType = EntryType.actorRegistered
    public static let schema: [PayloadField<Self>] = [
        .string(FieldSpec("name", Shapes.name, required: true, label: Shapes.label("name", "nombre")), \.name),
        .string(FieldSpec("name_es", Shapes.name, label: Shapes.label("name in Spanish", "nombre en español")), \.nameES),
        .word(FieldSpec("kind", Shapes.vocabulary(ActorKind.self), required: true, label: Shapes.kind), \.kind),
        .string(FieldSpec("country", .country, label: Shapes.label("country", "país")), \.country),
    ]
}

public struct DemandPayload: EntryPayload {
    public var title = ""
    public var titleES: String?
    public var summary: String?
    public var summaryES: String?
    public var by: [String] = []
    public var targets: [String] = []
    public var sources: [String] = []

    public init() {}

    public init(title: String, titleES: String? = nil, summary: String? = nil, summaryES: String? = nil,
                by: [String] = [], targets: [String] = [], sources: [String] = []) {
        (self.title, self.titleES, self.summary, self.summaryES) = (title, titleES, summary, summaryES)
        (self.by, self.targets, self.sources) = (by, targets, sources)
    }

    public static let entryType = EntryType.demandRecorded
    public static let schema: [PayloadField<Self>] = [
        .string(FieldSpec("title", Shapes.title, required: true, label: Shapes.label("title", "título")), \.title),
        .string(FieldSpec("title_es", Shapes.title, label: Shapes.label("title in Spanish", "título en español")), \.titleES),
        .string(FieldSpec("summary", Shapes.long, label: Shapes.label("summary", "resumen")), \.summary),
        .string(FieldSpec("summary_es", Shapes.long, label: Shapes.label("summary in Spanish", "resumen en español")), \.summaryES),
        .strings(FieldSpec("by", .references(.actor), label: Shapes.label("made by", "presentada por")), \.by),
        .strings(FieldSpec("targets", .references(.actor), label: Shapes.label("made of", "dirigida a")), \.targets),
        .strings(FieldSpec("sources", .urls, label: Shapes.sources), \.sources),
    ]
}

public struct CommitmentPayload: EntryPayload {
    public var demands: [String] = []
    public var actor = ""
    public var kind = CommitmentKind.pledge
    public var summary = ""
    public var summaryES: String?
    public var due: CalendarDay?
    public var sources: [String] = []

    public init() {}

    public init(demands: [String], actor: String, kind: CommitmentKind, summary: String, summaryES: String? = nil,
                due: CalendarDay? = nil, sources: [String]) {
        (self.demands, self.actor, self.kind, self.summary) = (demands, actor, kind, summary)
        (self.summaryES, self.due, self.sources) = (summaryES, due, sources)
    }

    public static let entryType = EntryType.commitmentRecorded
    public static let schema: [PayloadField<Self>] = [
        .strings(FieldSpec("demands", .references(.demand), minimumCount: 1, label: Shapes.label("demands", "demandas")), \.demands),
        .string(FieldSpec("actor", .reference(.actor), required: true, label: Shapes.label("committed by", "compromiso de")), \.actor),
        .word(FieldSpec("kind", Shapes.vocabulary(CommitmentKind.self), required: true, label: Shapes.kind), \.kind),
        .string(FieldSpec("summary", Shapes.long, required: true, label: Shapes.label("summary", "resumen")), \.summary),
        .string(FieldSpec("summary_es", Shapes.long, label: Shapes.label("summary in Spanish", "resumen en español")), \.summaryES),
        .day(FieldSpec("due", .day, label: Shapes.label("due", "plazo")), \.due),
        .strings(FieldSpec("sources", .urls, minimumCount: 1, label: Shapes.sources), \.sources),
    ]
}

public struct StatusPayload: EntryPayload {
    public var status = CommitmentStatus.announced
    public var basis = Basis.claimed
    public var rationale = ""
    public var rationaleES: String?
    public var sources: [String] = []

    public init() {}

    public init(status: CommitmentStatus, basis: Basis, rationale: String, rationaleES: String? = nil, sources: [String]) {
        (self.status, self.basis, self.rationale, self.rationaleES, self.sources) = (status, basis, rationale, rationaleES, sources)
    }

    public static let entryType = EntryType.statusChanged
    public static let schema: [PayloadField<Self>] = [
        .word(FieldSpec("status", Shapes.vocabulary(CommitmentStatus.self), required: true, label: Shapes.label("status", "estado")), \.status),
        .word(FieldSpec("basis", Shapes.vocabulary(Basis.self), required: true, label: Shapes.label("basis", "base")), \.basis),
        .string(FieldSpec("rationale", Shapes.long, required: true, label: Shapes.label("rationale", "justificación")), \.rationale),
        .string(FieldSpec("rationale_es", Shapes.long, label: Shapes.label("rationale in Spanish", "justificación en español")), \.rationaleES),
        .strings(FieldSpec("sources", .urls, minimumCount: 1, label: Shapes.sources), \.sources),
    ]
}

public struct FollowupPayload: EntryPayload {
    public var note = ""
    public var noteES: String?
    /// As given; a follow-up without one is a note (`kindOrNote`).
    public var kind: FollowupKind?
    public var sources: [String] = []

    public init() {}

    public init(note: String, noteES: String? = nil, kind: FollowupKind? = nil, sources: [String] = []) {
        (self.note, self.noteES, self.kind, self.sources) = (note, noteES, kind, sources)
    }

    public var kindOrNote: FollowupKind { kind ?? .note }

    public static let entryType = EntryType.followupLogged
    public static let schema: [PayloadField<Self>] = [
        .string(FieldSpec("note", Shapes.long, required: true, label: Shapes.label("note", "nota")), \.note),
        .string(FieldSpec("note_es", Shapes.long, label: Shapes.label("note in Spanish", "nota en español")), \.noteES),
        .word(FieldSpec("kind", Shapes.vocabulary(FollowupKind.self), label: Shapes.kind), \.kind),
        .strings(FieldSpec("sources", .urls, label: Shapes.sources), \.sources),
    ]
}

public struct CorrectionPayload: EntryPayload {
    public var targetSeq: Int64 = 0
    /// Field name -> new value (`effective` moves the entry's date; null removes an optional field).
    public var fields: [String: JSONValue] = [:]
    public var reason = ""

    public init() {}

    public init(targetSeq: Int64, fields: [String: JSONValue], reason: String) {
        (self.targetSeq, self.fields, self.reason) = (targetSeq, fields, reason)
    }

    public static let entryType = EntryType.entryCorrected
    public static let schema: [PayloadField<Self>] = [
        .seq(FieldSpec("target_seq", .seq, required: true, label: Shapes.targetSeq), \.targetSeq),
        .values(FieldSpec("fields", .fieldValues, required: true, label: Shapes.label("fields", "campos")), \.fields),
        .string(FieldSpec("reason", Shapes.long, required: true, label: Shapes.reason), \.reason),
    ]
}

public struct RetractionPayload: EntryPayload {
    public var targetSeq: Int64 = 0
    public var reason = ""

    public init() {}

    public init(targetSeq: Int64, reason: String) {
        (self.targetSeq, self.reason) = (targetSeq, reason)
    }

    public static let entryType = EntryType.entryRetracted
    public static let schema: [PayloadField<Self>] = [
        .seq(FieldSpec("target_seq", .seq, required: true, label: Shapes.targetSeq), \.targetSeq),
        .string(FieldSpec("reason", Shapes.long, required: true, label: Shapes.reason), \.reason),
    ]
}
