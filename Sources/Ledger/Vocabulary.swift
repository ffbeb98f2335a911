/// The words the ledger accepts for statuses and kinds. Raw values are stored and hashed.

public enum CommitmentStatus: String, Sendable, Codable, CaseIterable {
    case announced
    case inProgress = "in-progress"
    case partiallyFulfilled = "partially-fulfilled"
    case fulfilled
    case stalled
    case broken
    case withdrawn

    /// Statuses after which a due date no longer makes a commitment overdue.
    public var isClosed: Bool { self == .fulfilled || self == .broken || self == .withdrawn }
}

/// Who vouches for a status: the government's own word, or the coalition's check of evidence.
public enum Basis: String, Sendable, Codable, CaseIterable {
    case claimed
    case verified
}

public enum DemandStatus: String, Sendable, Codable, CaseIterable {
    case noResponse = "no-response"
    case committed
    case partiallyMet = "partially-met"
    case met
    case unmet
}

public enum CommitmentKind: String, Sendable, Codable, CaseIterable {
    case recommendation, pledge, workingGroup = "working-group", policy, law, statement, agreement
}

public enum ActorKind: String, Sendable, Codable, CaseIterable {
    case coalition, organisation, government, ministry, institution, legislature
    case internationalBody = "international-body"
    case person
}

public enum FollowupKind: String, Sendable, Codable, CaseIterable {
    case note, meeting, action, evidence, statement
    case deadlineMissed = "deadline-missed"
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
    /// "a, b or c", for error messages.
    public static var choices: String {
        let words = allCases.map(\.rawValue)
        return words.dropLast().joined(separator: ", ") + " or " + words.last!
    }
}
