import Ledger

/// The words of the public pages; the report's labels cover the rest.
struct SiteLabels {
    let statusTitle, intro, ledgerHead, demandsCount, commitmentsCount, overdueCount, latestChanges, nothingYet: String
    let since, monthlyReports, demand, commitment, madeBy, madeOf, committedBy, dueDate, answers: String
    let claimedVersusVerified, claimedVersusVerifiedHelp, basis, date, notRated, ratingHistory, backToStatus: String
    let atomFeed, jsonFeed, skipToContent, navigation, footer, feedTitle, notFound, notFoundMessage, badRequest, busy, busyMessage: String
    let verifyTitle, verifyIntro, verifyKey, verifyCommand, verifyCheckpoint: String
    let search, searchHelp, filter, clear, any, actor, country, shownOf: String
    let downloads, sheetDemands, sheetCommitments, sheetActors, calendarLink: String

    init(_ language: ReportLanguage) {
        switch language {
        case .en:
            (statusTitle, intro, ledgerHead) = ("Where the demands stand",
                "The demands the coalition has made of governments and institutions, what they committed to, and what has happened since. Every entry is kept in a tamper-evident ledger.",
                "ledger head")
            (demandsCount, commitmentsCount, overdueCount, latestChanges, nothingYet) = ("demands", "commitments", "overdue commitments", "Latest changes", "Nothing recorded yet.")
            (since, monthlyReports, demand, commitment, madeBy, madeOf) = ("since", "Monthly reports", "Demand", "Commitment", "Made by", "Made of")
            (committedBy, dueDate, answers) = ("Committed by", "Due", "Answers")
            (claimedVersusVerified, claimedVersusVerifiedHelp) = ("Claimed and verified",
                "A claimed rating is what the government or institution says; a verified one is what the coalition checked against evidence. A reported action is not compliance.")
            (basis, date, notRated, ratingHistory, backToStatus) = ("Basis", "Date", "not yet rated", "Every rating", "Back to where the demands stand")
            (atomFeed, jsonFeed, skipToContent, navigation) = ("Updates (Atom)", "Updates (JSON Feed)", "Skip to content", "Site")
            (footer, feedTitle, notFound, badRequest) = ("Published from an append-only, hash-chained ledger. Corrections are new entries; nothing is deleted.",
                "updates on demands and commitments", "Not found", "Bad request")
            notFoundMessage = "There is no public page at this address. The demands and commitments are all listed on the status page."
            (busy, busyMessage) = ("Busy", "Too many searches are running at once. Please try again in a few seconds; the status page and every other page answer meanwhile.")
            (verifyTitle, verifyIntro) = ("Verify this ledger yourself",
                "Every entry, public or internal, is a leaf of a Merkle tree whose root the coalition signs. With the key below, anyone can check that what this site shows is what was signed, and that nothing signed before was rewritten since: the tools are Certificate Transparency's and the Go checksum database's.")
            (verifyKey, verifyCommand, verifyCheckpoint) = ("The coalition's verifier key", "Check it from a terminal", "The latest signed checkpoint")
            (search, searchHelp, filter, clear) = ("Search", "Words in demands, commitments and follow-ups, in English or Spanish", "Filter", "Show all")
            (any, actor, country, shownOf) = ("Any", "Actor", "Country", "demands shown")
            (downloads, sheetDemands, sheetCommitments, sheetActors, calendarLink) = ("Data to take away", "Demands (CSV spreadsheet)",
                "Commitments (CSV spreadsheet)", "Actors (CSV spreadsheet)", "Due dates (calendar to subscribe to)")
        case .es:
            (statusTitle, intro, ledgerHead) = ("En qué están las demandas",
                "Las demandas que la coalición ha hecho a gobiernos e instituciones, los compromisos que asumieron y lo que ha pasado desde entonces. Cada entrada queda en un registro a prueba de alteraciones.",
                "último registro")
            (demandsCount, commitmentsCount, overdueCount, latestChanges, nothingYet) = ("demandas", "compromisos", "compromisos vencidos", "Cambios recientes", "Aún no hay registros.")
            (since, monthlyReports, demand, commitment, madeBy, madeOf) = ("desde", "Informes mensuales", "Demanda", "Compromiso", "Presentada por", "Dirigida a")
            (committedBy, dueDate, answers) = ("Compromiso de", "Plazo", "Responde a")
            (claimedVersusVerified, claimedVersusVerifiedHelp) = ("Declarado y verificado",
                "Una calificación declarada es lo que dice el gobierno o la institución; una verificada es lo que la coalición comprobó con evidencia. Una acción reportada no es cumplimiento.")
            (basis, date, notRated, ratingHistory, backToStatus) = ("Base", "Fecha", "sin calificar", "Todas las calificaciones", "Volver a en qué están las demandas")
            (atomFeed, jsonFeed, skipToContent, navigation) = ("Novedades (Atom)", "Novedades (JSON Feed)", "Saltar al contenido", "Sitio")
            (footer, feedTitle, notFound, badRequest) = ("Publicado a partir de un registro encadenado por hashes al que solo se añaden entradas. Las correcciones son entradas nuevas; nada se borra.",
                "novedades sobre demandas y compromisos", "No encontrado", "Solicitud incorrecta")
            notFoundMessage = "No hay ninguna página pública en esta dirección. Todas las demandas y compromisos están en la página de estado."
            (busy, busyMessage) = ("Ocupado", "Hay demasiadas búsquedas en curso. Inténtelo de nuevo en unos segundos; la página de estado y todas las demás responden mientras tanto.")
            (verifyTitle, verifyIntro) = ("Verifique este registro usted mismo",
                "Cada entrada, pública o interna, es una hoja de un árbol de Merkle cuya raíz firma la coalición. Con la clave de abajo, cualquiera puede comprobar que lo que muestra este sitio es lo que se firmó, y que nada de lo firmado antes se reescribió después: las herramientas son las de Certificate Transparency y de la base de sumas de Go.")
            (verifyKey, verifyCommand, verifyCheckpoint) = ("La clave pública de la coalición", "Compruébelo desde una terminal", "El último punto de control firmado")
            (search, searchHelp, filter, clear) = ("Buscar", "Palabras de demandas, compromisos y seguimientos, en español o en inglés", "Filtrar", "Mostrar todo")
            (any, actor, country, shownOf) = ("Cualquiera", "Actor", "País", "demandas mostradas")
            (downloads, sheetDemands, sheetCommitments, sheetActors, calendarLink) = ("Datos para llevar", "Demandas (hoja de cálculo CSV)",
                "Compromisos (hoja de cálculo CSV)", "Actores (hoja de cálculo CSV)", "Plazos (calendario para suscribirse)")
        }
    }
}
