import Ledger

/// What the team should act on, as of a day: the home page's sections.
struct Attention {
    /// Open commitments past their due date, most overdue first.
    let overdue: [Commitment]
    /// Open commitments due within the next 30 days, soonest first.
    let dueSoon: [Commitment]
    /// Commitments whose latest rating is a claim made more than 30 days ago: a claim is not
    /// compliance until someone checks it.
    let claimedNotVerified: [Commitment]
    /// Demands nobody has answered with a commitment.
    let unanswered: [Demand]

    static let horizonDays = 30

    init(state: LedgerState, today: CalendarDay) {
        let open = state.commitments.filter { !$0.status.isClosed }
        overdue = open.filter { $0.daysOverdue(on: today) != nil }.sorted { ($0.due!, $0.id) < ($1.due!, $1.id) }
        let horizon = today.adding(days: Self.horizonDays)
        dueSoon = open.filter { commitment in commitment.due.map { $0 >= today && $0 <= horizon } ?? false }
            .sorted { ($0.due!, $0.id) < ($1.due!, $1.id) }
        let claimedBefore = today.adding(days: -Self.horizonDays)
        claimedNotVerified = state.commitments.filter { commitment in
            guard let latest = commitment.history.last, latest.basis == .claimed else { return false }
            return latest.effective.day < claimedBefore
        }
        unanswered = state.demands.filter { $0.status == .noResponse }
    }
}
