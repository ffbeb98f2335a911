import Ledger

/// The languages reports are written in. Every word a report prints comes from here, so a
/// Spanish report has no English left in it (titles use the entry's Spanish text when it
/// has one).
public enum ReportLanguage: String, Sendable, CaseIterable, Codable {
    case en, es

    package var isSpanish: Bool { self == .es }

    package func pick(_ english: String, _ spanish: String) -> String { isSpanish ? spanish : english }

    /// The entry's Spanish text in a Spanish report, when there is one.
    package func pick(text: String, spanish: String?) -> String { isSpanish ? (spanish ?? text) : text }

    static let monthsEN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let monthsES = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"]

    package func monthName(_ month: Int) -> String { (isSpanish ? Self.monthsES : Self.monthsEN)[month - 1] }

    /// "30 June 2023" / "30 de junio de 2023".
    package func date(_ day: CalendarDay) -> String {
        isSpanish ? "\(day.day) de \(monthName(day.month)) de \(day.year)" : "\(day.day) \(monthName(day.month)) \(day.year)"
    }

    /// "July 2023" / "julio de 2023".
    package func month(_ month: ReportMonth) -> String {
        isSpanish ? "\(monthName(month.month)) de \(month.year)" : "\(monthName(month.month)) \(month.year)"
    }

    package func days(_ count: Int) -> String {
        isSpanish ? (count == 1 ? "1 día" : "\(count) días") : (count == 1 ? "1 day" : "\(count) days")
    }

    package func word(_ status: CommitmentStatus) -> String {
        switch status {
        case .announced: return pick("announced", "anunciado")
        case .inProgress: return pick("in progress", "en curso")
        case .partiallyFulfilled: return pick("partially fulfilled", "cumplido parcialmente")
        case .fulfilled: return pick("fulfilled", "cumplido")
        case .stalled: return pick("stalled", "estancado")
        case .broken: return pick("broken", "incumplido")
        case .withdrawn: return pick("withdrawn", "retirado")
        }
    }

    package func word(_ status: DemandStatus) -> String {
        switch status {
        case .noResponse: return pick("no response", "sin respuesta")
        case .committed: return pick("committed", "con compromiso")
        case .partiallyMet: return pick("partially met", "atendida parcialmente")
        case .met: return pick("met", "atendida")
        case .unmet: return pick("unmet", "no atendida")
        }
    }

    package func word(_ basis: Basis) -> String {
        switch basis {
        case .claimed: return pick("claimed", "declarado")
        case .verified: return pick("verified", "verificado")
        }
    }

    package func word(_ kind: CommitmentKind) -> String {
        switch kind {
        case .recommendation: return pick("recommendation", "recomendación")
        case .pledge: return pick("pledge", "promesa")
        case .workingGroup: return pick("working group", "mesa de trabajo")
        case .policy: return pick("policy", "política")
        case .law: return pick("law", "ley")
        case .statement: return pick("statement", "declaración")
        case .agreement: return pick("agreement", "acuerdo")
        }
    }

    package func word(_ kind: FollowupKind) -> String {
        switch kind {
        case .note: return pick("note", "nota")
        case .meeting: return pick("meeting", "reunión")
        case .action: return pick("action", "acción")
        case .evidence: return pick("evidence", "evidencia")
        case .statement: return pick("statement", "declaración")
        case .deadlineMissed: return pick("deadline missed", "plazo incumplido")
        }
    }

    /// The labels of a report, in one place per language.
    package struct Labels {
        package let report, period, organisation, builtFrom, asOf, summary, commitmentsByStatus, demandsByStatus: String
        package let status, total, claimed, verified, unrated, overdueCount, changes, noChanges, overdue, noOverdue: String
        package let demands, noDemands, commitments, noCommitments, due, by, timeline, sources, noSources: String
        package let internalMark, retractedMark, correctedMark, audiencePublic, audienceInternal, chartTitle: String
        package let newDemand, newCommitment, statusChange, followup, correction, retraction, overdueBy, rebuild, checkpoint: String
        package let editions, editionsIntro, firstEdition: String
    }

    package var labels: Labels {
        switch self {
        case .en:
            return Labels(
                report: "Monthly status report", period: "Period", organisation: "Published by", builtFrom: "Built from ledger head",
                asOf: "State as of", summary: "Summary", commitmentsByStatus: "Commitments by status",
                demandsByStatus: "Demands by status", status: "Status", total: "Total", claimed: "Claimed",
                verified: "Verified", unrated: "Not yet rated", overdueCount: "Overdue commitments",
                changes: "What changed this month", noChanges: "Nothing was recorded for this month.",
                overdue: "Overdue commitments", noOverdue: "No commitment is overdue.", demands: "Demands",
                noDemands: "No demands recorded.", commitments: "Commitments", noCommitments: "No commitment yet.",
                due: "due", by: "by", timeline: "Timeline", sources: "Sources", noSources: "No sources cited.",
                internalMark: "internal", retractedMark: "retracted", correctedMark: "corrected",
                audiencePublic: "Public edition", audienceInternal: "Internal edition: includes entries not made public",
                chartTitle: "Commitments by status", newDemand: "New demand", newCommitment: "New commitment",
                statusChange: "Status change", followup: "Follow-up", correction: "Correction", retraction: "Retraction",
                overdueBy: "overdue by", rebuild: "Rebuild this report", checkpoint: "Signed checkpoint",
                editions: "Published editions",
                editionsIntro: "This page shows the month as the ledger knows it today. Entries dated in the month may be recorded later; each edition below is the report as it was published, at a signed checkpoint, and stays exactly as it was.",
                firstEdition: "First edition.")
        case .es:
            return Labels(
                report: "Informe mensual de seguimiento", period: "Periodo", organisation: "Publicado por",
                builtFrom: "Elaborado a partir del registro hasta", asOf: "Situación al", summary: "Resumen",
                commitmentsByStatus: "Compromisos por estado", demandsByStatus: "Demandas por estado", status: "Estado",
                total: "Total", claimed: "Declarado", verified: "Verificado", unrated: "Sin calificar",
                overdueCount: "Compromisos vencidos", changes: "Cambios del mes",
                noChanges: "No se registró nada en este mes.", overdue: "Compromisos vencidos",
                noOverdue: "Ningún compromiso está vencido.", demands: "Demandas", noDemands: "No hay demandas registradas.",
                commitments: "Compromisos", noCommitments: "Aún sin compromiso.", due: "plazo", by: "de",
                timeline: "Cronología", sources: "Fuentes", noSources: "No se citan fuentes.", internalMark: "interno",
                retractedMark: "retirado del registro", correctedMark: "corregido", audiencePublic: "Edición pública",
                audienceInternal: "Edición interna: incluye entradas no públicas", chartTitle: "Compromisos por estado",
                newDemand: "Nueva demanda", newCommitment: "Nuevo compromiso", statusChange: "Cambio de estado",
                followup: "Seguimiento", correction: "Corrección", retraction: "Retractación", overdueBy: "vencido hace",
                rebuild: "Para reconstruir este informe", checkpoint: "Punto de control firmado",
                editions: "Ediciones publicadas",
                editionsIntro: "Esta página muestra el mes tal como lo conoce hoy el registro. Las entradas fechadas en el mes pueden registrarse después; cada edición de abajo es el informe tal como se publicó, en un punto de control firmado, y queda exactamente igual.",
                firstEdition: "Primera edición.")
        }
    }
}
