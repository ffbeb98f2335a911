import Foundation
import Ledger
import Reports
import LedgerTeam

/// The mail the team gets: a weekly digest with what the "What needs attention" page shows,
/// and a notice when a commitment becomes overdue; each to the people who opted in, in
/// their language, as an RFC 5322 message with a plain-text and an HTML part. Pure: the
/// server keeps and sends what this makes.
public enum Reminders {
    public struct Message: Sendable, Equatable {
        /// What and for whom (`weekly:2026-11-23:maria`): made once, whatever restarts.
        public let key: String
        public let member: String
        public let to: String
        public let text: String
    }

    /// Every message due on `today` for these people: this week's digest (the week starts on
    /// Monday) and a notice per commitment that fell overdue since they opted in. Keys
    /// already kept are the caller's to skip.
    /// - Parameter latest: the team's latest entries, newest first (the home page's last section).
    public static func due(state: LedgerState, latest: [Record] = [], members: [TeamMember], today: CalendarDay, now: Date, from: String,
                           baseURL: String, organisation: String) -> [Message] {
        var messages: [Message] = []
        let attention = Attention(state: state, today: today)
        let monday = today.adding(days: 1 - today.isoWeekday)
        for member in members where !member.isDisabled && member.role.canWrite {
            guard let address = member.email else { continue }
            let language = ReportLanguage(rawValue: member.language) ?? .en
            let mail = MailText(language: language, state: state, baseURL: baseURL, organisation: organisation, today: today)
            if member.notifyWeekly {
                let key = "weekly:\(monday):\(member.name)"
                messages.append(Message(key: key, member: member.name, to: address, text: mail.message(
                    key: key, from: from, to: (member.name, address), now: now,
                    subject: language.text("mail.weeklySubject") + " — \(organisation)",
                    sections: mail.digest(attention, latest: latest))))
            }
            if member.notifyOverdue {
                let since = CalendarDay(RecordedAt.string(from: Date(timeIntervalSince1970: TimeInterval(member.notifySince ?? 0))).prefix(10)) ?? today
                for commitment in attention.overdue where commitment.due! >= since.adding(days: -1) {
                    let key = "overdue:\(commitment.id):\(commitment.due!):\(member.name)"
                    messages.append(Message(key: key, member: member.name, to: address, text: mail.message(
                        key: key, from: from, to: (member.name, address), now: now,
                        subject: language.text("mail.overdueSubject") + mail.title(commitment),
                        sections: [mail.section(language.text("mail.nowOverdue"), [commitment])])))
                }
            }
        }
        return messages
    }

    /// How the settings page names a kept message.
    public static func describe(key: String, language: ReportLanguage) -> String {
        let parts = key.split(separator: ":")
        switch parts.first {
        case "weekly": return language.text("mail.weeklyKept") + (parts.count > 1 ? String(parts[1]) : "")
        case "overdue": return language.text("mail.overdueKept") + (parts.count > 1 ? String(parts[1]) : "")
        default: return key
        }
    }
}

/// One message's words, parts and headers.
struct MailText {
    let language: ReportLanguage
    let state: LedgerState
    let baseURL: String
    let organisation: String
    let today: CalendarDay

    struct Section { let heading: String; let lines: [(text: String, link: String)] }

    func title(_ commitment: Commitment) -> String {
        let writer = Sentences(state: state, language: language)
        return "\(writer.name(of: commitment.actor)): \(language.pick(text: commitment.summary, spanish: commitment.summaryES))"
    }

    func link(_ id: String) -> String { baseURL + "/team/commitments?q=\(id)&lang=\(language.rawValue)" }

    func section(_ heading: String, _ commitments: [Commitment]) -> Section {
        Section(heading: heading, lines: commitments.map { commitment in
            var facts = [language.word(commitment.status)]
            if let due = commitment.due { facts.append(language.labels.due + " " + language.date(due)) }
            if let days = commitment.daysOverdue(on: today) { facts.append(language.labels.overdueBy + " " + language.days(days)) }
            return ("\(title(commitment)) (\(facts.joined(separator: ", ")))", link(commitment.id))
        })
    }

    /// What the workspace's home page shows, section by section.
    func digest(_ attention: Attention, latest: [Record]) -> [Section] {
        let writer = Sentences(state: state, language: language)
        return [
            section(language.text("team.overdue"), attention.overdue),
            section(language.text("team.dueSoon"), attention.dueSoon),
            section(language.text("team.claimedOnly"), attention.claimedNotVerified),
            Section(heading: language.text("team.noResponse"), lines: attention.unanswered.map { demand in
                (language.pick(text: demand.title, spanish: demand.titleES), baseURL + "/team/demands?q=\(demand.id)&lang=\(language.rawValue)")
            }),
            Section(heading: language.text("team.latest"), lines: latest.map { record in
                ("#\(record.seq) \(writer.describe(record).text) (\(record.author))", baseURL + "/team/entries/\(record.seq)?lang=\(language.rawValue)")
            }),
        ]
    }

    func message(key: String, from: String, to: (name: String, address: String), now: Date, subject: String, sections: [Section]) -> String {
        let nothing = language.text("team.nothingHere")
        var plain = ""
        for section in sections {
            plain += section.heading + "\n" + String(repeating: "=", count: section.heading.count) + "\n"
            if section.lines.isEmpty {
                plain += nothing + "\n\n"
                continue
            }
            for line in section.lines {
                plain += "- " + PlainText.oneLine(line.text) + "\n  " + line.link + "\n"
            }
            plain += "\n"
        }
        let footer = language.text("mail.footer")
            + baseURL + "/team/settings"
        plain += "-- \n" + footer + "\n"
        let html = MailHTML(lang: language.rawValue, subject: subject, nothing: nothing, footer: footer, sections: sections.map { section in
            MailHTML.Section(heading: section.heading, isEmpty: section.lines.isEmpty, lines: section.lines.map { MailHTML.Line(text: $0.text, link: $0.link) })
        }).rendered

        let boundary = "ledger-" + SecretToken.digest(of: key).prefix(24)
        let domain = URL(string: baseURL)?.host ?? "ledger.invalid"
        let headers = [
            "From: " + RFC5322.address(name: organisation, address: from),
            "To: " + RFC5322.address(name: to.name, address: to.address),
            "Subject: " + RFC5322.encodedWord(subject),
            "Date: " + RFC5322.date(now),
            "Message-ID: <\(SecretToken.digest(of: key).prefix(32))@\(domain)>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
        ]
        let parts = [("text/plain", plain), ("text/html", html)].map { type, body in
            "--\(boundary)\r\nContent-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + RFC5322.base64Lines(body)
        }
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + parts.joined() + "--\(boundary)--\r\n"
    }
}

/// The HTML part of a reminder, through the `mail-html` template (every value escaped).
struct MailHTML {
    struct Line { let text: String; let link: String }
    struct Section { let heading: String; let isEmpty: Bool; let lines: [Line] }
    let lang, subject, nothing, footer: String
    let sections: [Section]

    var rendered: String {
        let html = WorkspaceTemplates.shared.render("mail-html", self)
        return html.hasSuffix("\n") ? String(html.dropLast()) : html
    }
}

/// The pieces of an Internet message (RFC 5322, MIME: RFC 2045 and 2047).
enum RFC5322 {
    /// A header's text as encoded words when it is not plain ASCII, each at most 75 characters.
    static func encodedWord(_ text: String) -> String {
        let text = PlainText.oneLine(text)
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) && text.count <= 900 { return text }
        var words: [String] = []
        var chunk = ""
        for character in text {
            // 45 bytes of UTF-8 make 60 of base64, which with "=?UTF-8?B?" and "?=" stays under 75.
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?" + Data($0.utf8).base64EncodedString() + "?=" }.joined(separator: "\r\n ")
    }

    static func address(name: String, address: String) -> String {
        let plain = name.unicodeScalars.allSatisfy { ($0.value >= 0x20 && $0.value < 0x7F) }
        let shown = plain ? "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" : encodedWord(name)
        return "\(shown) <\(address)>"
    }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    static func base64Lines(_ text: String) -> String {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines = ""
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines += encoded[index..<end] + "\r\n"
            index = end
        }
        return lines
    }
}
