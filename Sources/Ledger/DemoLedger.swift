import Crypto
import Foundation

/// The sample ledger: the People's Movement for Peace and Justice as the public record
/// tells it (Peace Summit, 30 June 2023 day of action, the CNDH recommendation, the
/// interior-ministry working group, the NALS letter that got no answer).
///
/// Entries have fixed ids, so loading it twice adds nothing. The few entries that are not
/// in the public record (a due date, a missed deadline, claimed vs verified ratings) are
/// internal and say "Illustrative" in their text: they show the tool, not the facts.
public enum DemoLedger {
    public static let author = "demo"

    public static var drafts: [EntryDraft] {
        var builder = Builder()
        builder.actors()
        builder.nalsLetter()
        builder.peaceSummit()
        builder.dayOfAction()
        builder.commitments()
        builder.illustrative()
        return builder.drafts
    }

    struct Builder {
        var drafts: [EntryDraft] = []

        /// A stable id per demo entry, so a second load is recognised as a retry.
        static func id(_ key: String) -> UUID {
            var bytes = Array(SHA256.hash(data: Data("accountability-ledger demo \(key)".utf8)).prefix(16))
            bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: name-based, custom hash
            bytes[8] = (bytes[8] & 0x3F) | 0x80
            return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        }

        mutating func add(_ key: String, _ type: EntryType, _ subject: String, _ date: String,
                          _ visibility: Visibility = .public, _ payload: [String: JSONValue]) {
            drafts.append(EntryDraft(
                id: Self.id(key), type: type, subject: subject, effective: EffectiveTime(date)!,
                author: DemoLedger.author, visibility: visibility, payload: .object(payload)))
        }

        static func list(_ items: String...) -> JSONValue { .array(items.map { .string($0) }) }

        mutating func actor(_ id: String, _ name: String, es: String? = nil, _ kind: ActorKind, _ country: String? = nil) {
            var payload: [String: JSONValue] = ["name": .string(name), "kind": .string(kind.rawValue)]
            if let es { payload["name_es"] = .string(es) }
            if let country { payload["country"] = .string(country) }
            add("actor \(id)", .actorRegistered, id, "2023-01-09", .public, payload)
        }

        mutating func actors() {
            actor("pmpj", "People's Movement for Peace and Justice", es: "Movimiento de los Pueblos por la Paz y la Justicia", .coalition)
            actor("global-exchange", "Global Exchange", .organisation, "US")
            actor("alianza-americas", "Alianza Americas", .organisation, "US")
            actor("stop-us-arms-to-mexico", "Stop US Arms to Mexico", .organisation, "US")
            actor("march-for-our-lives", "March for Our Lives", .organisation, "US")
            actor("tlachinollan", "Centro de Derechos Humanos de la Montaña \"Tlachinollan\"", .organisation, "MX")
            actor("al-otro-lado", "Al Otro Lado", .organisation, "MX")
            actor("gov-mexico", "Federal Government of Mexico", es: "Gobierno Federal de México", .government, "MX")
            actor("gov-us", "Government of the United States", es: "Gobierno de los Estados Unidos", .government, "US")
            actor("segob", "Ministry of the Interior of Mexico (SEGOB)", es: "Secretaría de Gobernación (SEGOB)", .ministry, "MX")
            actor("cndh", "National Human Rights Commission of Mexico (CNDH)", es: "Comisión Nacional de los Derechos Humanos (CNDH)", .institution, "MX")
        }

        mutating func demand(_ id: String, _ date: String, title: String, es: String, summary: String, summaryES: String,
                             by: [String], targets: [String], source: String) {
            add("demand \(id)", .demandRecorded, id, date, .public, [
                "title": .string(title), "title_es": .string(es),
                "summary": .string(summary), "summary_es": .string(summaryES),
                "by": .array(by.map { .string($0) }), "targets": .array(targets.map { .string($0) }),
                "sources": Self.list(source),
            ])
        }

        mutating func nalsLetter() {
            demand("nals-migration-letter", "2023-01-09",
                   title: "Adopt rights-respecting migration policies (letter of 94 groups to the North American Leaders' Summit)",
                   es: "Adoptar políticas migratorias que respeten los derechos (carta de 94 organizaciones a la Cumbre de Líderes de América del Norte)",
                   summary: "A public letter from 94 civil society groups asked the leaders meeting in Mexico on 9-10 January 2023 to adopt rights-respecting migration policies.",
                   summaryES: "Una carta pública de 94 organizaciones de la sociedad civil pidió a los líderes reunidos en México el 9 y 10 de enero de 2023 adoptar políticas migratorias que respeten los derechos.",
                   by: ["alianza-americas"], targets: ["gov-us", "gov-mexico"], source: "https://www.alianzaamericas.org/")
            add("nals outcome", .followupLogged, "nals-migration-letter", "2023-01-10", .public, [
                "kind": .string("statement"),
                "note": .string("The summit ended without advancement on migration. Alianza Americas: \"a missed opportunity for the U.S. and Mexican governments to collaborate boldly on rights-respecting immigration policies.\" No commitment was made."),
                "note_es": .string("La cumbre terminó sin avances en migración. Alianza Americas: \"una oportunidad perdida\" para colaborar en políticas migratorias que respeten los derechos. No hubo ningún compromiso."),
                "sources": Self.list("https://www.alianzaamericas.org/"),
            ])
        }

        mutating func peaceSummit() {
            let summit = "Announced at the Peace Summit, Mexico City, 23-24 February 2023, as part of the binational agenda for peace and justice."
            let summitES = "Anunciada en la Cumbre por la Paz, Ciudad de México, 23 y 24 de febrero de 2023, como parte de la agenda binacional por la paz y la justicia."
            let both = ["gov-us", "gov-mexico"]
            let source = "https://globalexchange.org/"
            demand("prioritize-human-rights", "2023-02-24", title: "Prioritise human rights",
                   es: "Priorizar los derechos humanos",
                   summary: "Give human rights the same priority as the U.S.-Mexico commercial agenda; establish a binational body for monitoring, evaluating and promoting human rights. " + summit,
                   summaryES: "Dar a los derechos humanos la misma prioridad que a la agenda comercial entre México y Estados Unidos; crear un órgano binacional de monitoreo, evaluación y promoción de los derechos humanos. " + summitES,
                   by: ["pmpj", "global-exchange"], targets: both, source: source)
            demand("stop-arms-flow", "2023-02-24", title: "Stop the flow of weapons to Mexico",
                   es: "Detener el flujo de armas a México",
                   summary: "Stop the illegal flow of weapons from the U.S. to Mexico and the export of weapons to police and military units with a history of corruption and human rights violations. " + summit,
                   summaryES: "Detener el flujo ilegal de armas de Estados Unidos a México y la exportación de armas a policías y unidades militares con antecedentes de corrupción y violaciones de derechos humanos. " + summitES,
                   by: ["pmpj", "stop-us-arms-to-mexico", "march-for-our-lives"], targets: both, source: source)
            demand("right-to-stay-home", "2023-02-24", title: "Build the conditions for the right to stay home",
                   es: "Construir las condiciones para el derecho a no migrar",
                   summary: "Both governments must create conditions for life, peace, prosperity and justice in every community of the region, so that people can live well without having to migrate. " + summit,
                   summaryES: "Ambos gobiernos deben generar condiciones de vida, paz, prosperidad y justicia en todas las comunidades de la región, para que nadie tenga que migrar. " + summitES,
                   by: ["pmpj"], targets: both, source: source)
            demand("demilitarize-borders", "2023-02-24", title: "Demilitarise our lands and our borders",
                   es: "Desmilitarizar nuestros territorios y fronteras",
                   summary: "Establish a path to the complete demilitarisation of territories and borders. " + summit,
                   summaryES: "Establecer una ruta hacia la desmilitarización completa de los territorios y las fronteras. " + summitES,
                   by: ["pmpj", "tlachinollan"], targets: both, source: source)
            demand("repurpose-military-bases", "2023-02-24", title: "Repurpose military bases for healing and justice",
                   es: "Reconvertir las bases militares para la sanación y la justicia",
                   summary: "Open military bases to survivors and relatives of victims of violence; bring all military personnel involved in crimes and human rights violations to justice. " + summit,
                   summaryES: "Abrir las bases militares a sobrevivientes y familiares de víctimas de la violencia; llevar ante la justicia a todos los militares involucrados en crímenes y violaciones de derechos humanos. " + summitES,
                   by: ["pmpj"], targets: both, source: source)
        }

        mutating func dayOfAction() {
            demand("justice-juarez-fire", "2023-06-30", title: "Justice for the victims of the Ciudad Juárez detention fire",
                   es: "Justicia para las víctimas del incendio en la estación migratoria de Ciudad Juárez",
                   summary: "Justice for the forty migrants killed in the fire at the migrant detention centre in Ciudad Juárez, and for all victims of cruel and ineffective U.S./Mexico immigration policies.",
                   summaryES: "Justicia para los cuarenta migrantes que murieron en el incendio de la estación migratoria de Ciudad Juárez, y para todas las víctimas de las políticas migratorias crueles e ineficaces de Estados Unidos y México.",
                   by: ["pmpj", "al-otro-lado"], targets: ["gov-mexico"], source: "https://globalexchange.org/")
            demand("expand-asylum", "2023-06-30", title: "Expand asylum and adopt just and humane immigration policies",
                   es: "Ampliar el asilo y adoptar políticas migratorias justas y humanas",
                   summary: "More just and humane immigration policies in both the United States and Mexico, and an expansion of asylum.",
                   summaryES: "Políticas migratorias más justas y humanas en Estados Unidos y México, y la ampliación del asilo.",
                   by: ["pmpj", "alianza-americas"], targets: ["gov-us", "gov-mexico"], source: "https://globalexchange.org/")
            add("day of action", .followupLogged, "justice-juarez-fire", "2023-06-30", .public, [
                "kind": .string("action"),
                "note": .string("Day of action from Tapachula to New York: actions in Tallahassee, San Francisco and New York, and in Mexico City, Tapachula, Puebla and Tlaxcala, calling for justice for the victims of the Ciudad Juárez fire."),
                "note_es": .string("Jornada de acción de Tapachula a Nueva York: acciones en Tallahassee, San Francisco y Nueva York, y en Ciudad de México, Tapachula, Puebla y Tlaxcala, para exigir justicia para las víctimas del incendio de Ciudad Juárez."),
                "sources": Self.list("https://globalexchange.org/"),
            ])
        }

        mutating func commitments() {
            add("commitment cndh-rec-juarez", .commitmentRecorded, "cndh-rec-juarez", "2023-07-10", .public, [
                "demands": Self.list("justice-juarez-fire"), "actor": .string("cndh"), "kind": .string("recommendation"),
                "summary": .string("Mexico's National Human Rights Commission issued a recommendation in favour of the demand for justice for the migrant victims of the Ciudad Juárez fire."),
                "summary_es": .string("La Comisión Nacional de los Derechos Humanos emitió una recomendación a favor de la exigencia de justicia para las víctimas migrantes del incendio de Ciudad Juárez."),
                "sources": Self.list("https://www.cndh.org.mx/"),
            ])
            add("commitment segob-working-group", .commitmentRecorded, "segob-working-group", "2023-07-10", .public, [
                "demands": Self.list("prioritize-human-rights", "stop-arms-flow", "right-to-stay-home", "demilitarize-borders", "repurpose-military-bases"),
                "actor": .string("gov-mexico"), "kind": .string("working-group"),
                "summary": .string("The federal government committed to establish a working group with the Ministry of the Interior to follow up on the agreements of the Peace Summit."),
                "summary_es": .string("El gobierno federal se comprometió a instalar una mesa de trabajo con la Secretaría de Gobernación para dar seguimiento a los acuerdos de la Cumbre por la Paz."),
                "sources": Self.list("https://www.gob.mx/segob"),
            ])
            add("cndh first result", .followupLogged, "cndh-rec-juarez", "2023-07-10", .public, [
                "kind": .string("evidence"),
                "note": .string("The coalition reports the recommendation as a first victory of the 30 June day of action; the recommendation is available in Spanish."),
                "note_es": .string("La coalición presenta la recomendación como una primera victoria de la jornada del 30 de junio; la recomendación está disponible en español."),
                "sources": Self.list("https://www.cndh.org.mx/"),
            ])
        }

        /// Not from the public record: internal entries that show due dates, overdue
        /// commitments and claimed vs verified ratings.
        mutating func illustrative() {
            add("illustrative first session", .commitmentRecorded, "segob-first-session", "2023-07-20", .internal, [
                "demands": Self.list("prioritize-human-rights"), "actor": .string("segob"), "kind": .string("pledge"),
                "summary": .string("Illustrative, not from the public record: the interior ministry pledges to convene the working group's first session by 30 September 2023."),
                "summary_es": .string("Ilustrativo, no proviene del registro público: Gobernación se compromete a convocar la primera sesión de la mesa de trabajo a más tardar el 30 de septiembre de 2023."),
                "due": .string("2023-09-30"),
                "sources": Self.list("https://www.gob.mx/segob"),
            ])
            add("illustrative claimed", .statusChanged, "cndh-rec-juarez", "2023-08-15", .internal, [
                "status": .string("in-progress"), "basis": .string("claimed"),
                "rationale": .string("Illustrative, not from the public record: the authorities say they have accepted the recommendation and are complying."),
                "sources": Self.list("https://www.cndh.org.mx/"),
            ])
            add("illustrative verified", .statusChanged, "cndh-rec-juarez", "2023-09-15", .internal, [
                "status": .string("stalled"), "basis": .string("verified"),
                "rationale": .string("Illustrative, not from the public record: families' lawyers report no progress on the points of the recommendation."),
                "sources": Self.list("https://www.cndh.org.mx/"),
            ])
            add("illustrative missed", .followupLogged, "segob-first-session", "2023-10-02", .internal, [
                "kind": .string("deadline-missed"),
                "note": .string("Illustrative, not from the public record: 30 September passed without the first session being convened."),
                "sources": Self.list("https://www.gob.mx/segob"),
            ])
        }
    }
}
